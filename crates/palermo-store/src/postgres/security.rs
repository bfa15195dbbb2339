//! SQL for organisations, people, the audit trail and the hit procedure.
//!
//! Text is ordered `COLLATE "C"` (byte order, as SQLite's `BINARY`), whatever the database's
//! collation.

use palermo_core::audit::{self, AuditEntry, AuditEvent, Hash};
use palermo_core::{CountryCode, OrgCode, OrgKind, Permissions, Role, Timestamp};
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{GenericClient, Row};

use crate::{
    ApiKeyRow, AuditFilter, Hit, HitAnswer, HitParty, NewHit, Organisation, RecordKind, Result,
    SignedHead, StoreError, UserRow,
};

pub(super) fn corrupt(what: &str, value: impl std::fmt::Debug) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

pub(super) fn org_code(text: &str) -> Result<OrgCode> {
    OrgCode::parse(text).map_err(|_| corrupt("organisation code", text))
}

pub(super) fn hash(bytes: Vec<u8>) -> Result<Hash> {
    bytes
        .try_into()
        .map_err(|_| corrupt("hash", "of the wrong length"))
}

/// Refuses a foreign or unique key violation as a conflict the caller can explain.
pub(super) fn conflict(error: postgres::Error, message: impl FnOnce() -> String) -> StoreError {
    match error.code() {
        Some(code)
            if *code == SqlState::UNIQUE_VIOLATION || *code == SqlState::FOREIGN_KEY_VIOLATION =>
        {
            StoreError::Conflict(message())
        }
        _ => error.into(),
    }
}

pub(super) fn add_organisation(
    client: &mut impl GenericClient,
    organisation: &Organisation,
    at: Timestamp,
) -> Result<()> {
    let kind: Option<String> = client
        .query_opt(
            "SELECT kind FROM organisations WHERE code = $1",
            &[&organisation.code.as_str()],
        )?
        .map(|row| row.try_get(0))
        .transpose()?;
    if let Some(kind) = kind
        && kind != organisation.kind.as_str()
    {
        return Err(StoreError::Conflict(format!(
            "organisation {} exists and is a {kind}",
            organisation.code
        )));
    }
    client.execute(
        "INSERT INTO organisations (code, kind, name, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        &[
            &organisation.code.as_str(),
            &organisation.kind.as_str(),
            &organisation.name,
            &at.0,
        ],
    )?;
    Ok(())
}

pub(super) fn organisations(client: &mut impl GenericClient) -> Result<Vec<Organisation>> {
    let rows = client.query(
        "SELECT code, kind, name FROM organisations ORDER BY code COLLATE \"C\"",
        &[],
    )?;
    let mut organisations = Vec::with_capacity(rows.len());
    for row in &rows {
        let kind: String = row.try_get(1)?;
        organisations.push(Organisation {
            code: org_code(row.try_get(0)?)?,
            kind: OrgKind::parse(&kind).ok_or_else(|| corrupt("organisation kind", &kind))?,
            name: row.try_get(2)?,
        });
    }
    Ok(organisations)
}

pub(super) fn add_api_key(
    client: &mut impl GenericClient,
    org: OrgCode,
    label: &str,
    scopes: Permissions,
    key_hash: &[u8; 32],
    at: Timestamp,
) -> Result<i64> {
    let row = client
        .query_one(
            "INSERT INTO api_keys (org, label, scopes, key_hash, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[
                &org.as_str(),
                &label,
                &scopes.scopes(),
                &key_hash.as_slice(),
                &at.0,
            ],
        )
        .map_err(|error| conflict(error, || format!("no organisation {org}")))?;
    Ok(row.try_get(0)?)
}

pub(super) fn api_keys(client: &mut impl GenericClient) -> Result<Vec<ApiKeyRow>> {
    let rows = client.query(
        "SELECT id, org, label, scopes, key_hash, revoked_at IS NOT NULL FROM api_keys ORDER BY id",
        &[],
    )?;
    let mut keys = Vec::with_capacity(rows.len());
    for row in &rows {
        let scopes: String = row.try_get(3)?;
        keys.push(ApiKeyRow {
            id: row.try_get(0)?,
            org: org_code(row.try_get(1)?)?,
            label: row.try_get(2)?,
            scopes: Permissions::parse_scopes(&scopes).map_err(|_| corrupt("scopes", &scopes))?,
            key_hash: hash(row.try_get(4)?)?,
            revoked: row.try_get(5)?,
        });
    }
    Ok(keys)
}

const USER_COLUMNS: &str = "id, org, username, display_name, roles, password_hash, totp_secret, \
    totp_last_step, failures, locked_at, disabled_at, last_active_at, created_at, version";

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|role| role.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn failures_text(failures: &[Timestamp]) -> String {
    failures
        .iter()
        .map(|at| at.0.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn read_user(row: &Row) -> Result<UserRow> {
    let roles: String = row.try_get(4)?;
    let failures: String = row.try_get(8)?;
    let timestamp = |index: usize| -> Result<Option<Timestamp>> {
        Ok(row.try_get::<_, Option<i64>>(index)?.map(Timestamp))
    };
    Ok(UserRow {
        id: row.try_get(0)?,
        org: org_code(row.try_get(1)?)?,
        username: row.try_get(2)?,
        display_name: row.try_get(3)?,
        roles: Role::parse_list(&roles).map_err(|_| corrupt("roles", &roles))?,
        password_hash: row.try_get(5)?,
        totp_secret: row.try_get(6)?,
        totp_last_step: row.try_get(7)?,
        failures: failures
            .split_whitespace()
            .map(|ms| ms.parse().map(Timestamp))
            .collect::<Result<_, _>>()
            .map_err(|_| corrupt("failures", &failures))?,
        locked_at: timestamp(9)?,
        disabled_at: timestamp(10)?,
        last_active_at: timestamp(11)?,
        created_at: Timestamp(row.try_get(12)?),
        version: row.try_get(13)?,
    })
}

pub(super) fn add_user(client: &mut impl GenericClient, user: &UserRow) -> Result<i64> {
    let known: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM organisations WHERE code = $1)",
            &[&user.org.as_str()],
        )?
        .try_get(0)?;
    if !known {
        return Err(StoreError::Conflict(format!(
            "no organisation {}",
            user.org
        )));
    }
    let row = client
        .query_one(
            "INSERT INTO users (org, username, display_name, roles, password_hash, totp_secret,
                 totp_last_step, failures, locked_at, disabled_at, last_active_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             RETURNING id",
            &[
                &user.org.as_str(),
                &user.username,
                &user.display_name,
                &roles_text(&user.roles),
                &user.password_hash,
                &user.totp_secret,
                &user.totp_last_step,
                &failures_text(&user.failures),
                &user.locked_at.map(|t| t.0),
                &user.disabled_at.map(|t| t.0),
                &user.last_active_at.map(|t| t.0),
                &user.created_at.0,
            ],
        )
        .map_err(|error| {
            conflict(error, || {
                format!("the user name {:?} is taken", user.username)
            })
        })?;
    Ok(row.try_get(0)?)
}

pub(super) fn user(client: &mut impl GenericClient, username: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
    client
        .query_opt(&sql, &[&username])?
        .as_ref()
        .map(read_user)
        .transpose()
}

pub(super) fn users(client: &mut impl GenericClient) -> Result<Vec<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username COLLATE \"C\"");
    client.query(&sql, &[])?.iter().map(read_user).collect()
}

pub(super) fn update_user(client: &mut impl GenericClient, user: &UserRow) -> Result<()> {
    let changed = client.execute(
        "UPDATE users SET display_name = $2, roles = $3, password_hash = $4, totp_secret = $5,
             totp_last_step = $6, failures = $7, locked_at = $8, disabled_at = $9,
             last_active_at = $10, version = version + 1
         WHERE id = $1 AND version = $11",
        &[
            &user.id,
            &user.display_name,
            &roles_text(&user.roles),
            &user.password_hash,
            &user.totp_secret,
            &user.totp_last_step,
            &failures_text(&user.failures),
            &user.locked_at.map(|t| t.0),
            &user.disabled_at.map(|t| t.0),
            &user.last_active_at.map(|t| t.0),
            &user.version,
        ],
    )?;
    if changed != 1 {
        let exists: bool = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)",
                &[&user.id],
            )?
            .try_get(0)?;
        return Err(if exists {
            StoreError::Stale(format!("user {} changed since it was read", user.id))
        } else {
            StoreError::Conflict(format!("no user {}", user.id))
        });
    }
    Ok(())
}

pub(super) fn set_recovery_codes(
    client: &mut impl GenericClient,
    user_id: i64,
    hashes: &[Hash],
) -> Result<()> {
    client.execute("DELETE FROM recovery_codes WHERE user_id = $1", &[&user_id])?;
    let statement =
        client.prepare("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")?;
    for code_hash in hashes {
        client.execute(&statement, &[&user_id, &code_hash.as_slice()])?;
    }
    Ok(())
}

pub(super) fn use_recovery_code(
    client: &mut impl GenericClient,
    user_id: i64,
    code_hash: &Hash,
    at: Timestamp,
) -> Result<bool> {
    let changed = client.execute(
        "UPDATE recovery_codes SET used_at = $3
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        &[&user_id, &code_hash.as_slice(), &at.0],
    )?;
    Ok(changed == 1)
}

/// Appends `events` after `head`; returns the new head. Runs inside the transaction of the
/// action the events record, so that both commit or neither does.
pub(super) fn append_audit(
    client: &mut impl GenericClient,
    head: Option<(i64, Hash)>,
    events: &[AuditEvent],
) -> Result<Option<(i64, Hash)>> {
    if events.is_empty() {
        return Ok(head);
    }
    // One statement for all the entries (a group commit carries many), as arrays unnested by
    // the server: a round trip per table instead of one per entry.
    let n = events.len();
    let mut seqs = Vec::with_capacity(n);
    let mut payload_hashes: Vec<Option<Vec<u8>>> = Vec::with_capacity(n);
    let mut prev_hashes: Vec<Vec<u8>> = Vec::with_capacity(n);
    let mut hashes: Vec<Vec<u8>> = Vec::with_capacity(n);
    let (mut subject_orgs, mut subject_seqs) = (Vec::new(), Vec::new());
    let mut head = head;
    for event in events {
        let link = audit::link(head.as_ref().map(|(seq, hash)| (*seq, hash)), event);
        seqs.push(link.seq);
        payload_hashes.push(link.payload_hash.map(|h| h.to_vec()));
        prev_hashes.push(link.prev_hash.to_vec());
        hashes.push(link.hash.to_vec());
        for org in event.subjects() {
            subject_orgs.push(org.to_owned());
            subject_seqs.push(link.seq);
        }
        head = Some((link.seq, link.hash));
    }
    let column = |f: &dyn Fn(&AuditEvent) -> Option<String>| -> Vec<Option<String>> {
        events.iter().map(f).collect()
    };
    let ats: Vec<i64> = events.iter().map(|e| e.at.0).collect();
    let orgs: Vec<&str> = events.iter().map(|e| e.org.as_str()).collect();
    let users = column(&|e| e.user.clone());
    let keys: Vec<Option<i64>> = events.iter().map(|e| e.api_key_id).collect();
    let sources = column(&|e| e.source.clone());
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    let targets = column(&|e| e.target.clone());
    let outcomes: Vec<&str> = events.iter().map(|e| e.outcome.as_str()).collect();
    let justifications = column(&|e| e.justification.clone());
    let details = column(&|e| e.detail.clone());
    let payloads = column(&|e| e.payload.clone());
    let concerns: Vec<String> = events.iter().map(|e| e.concerns.join(" ")).collect();
    client.execute(
        "INSERT INTO audit (seq, at, org, \"user\", api_key_id, source, action, target, outcome,
             justification, detail, payload, payload_hash, prev_hash, hash, concerns)
         SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::BIGINT[],
             $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::TEXT[],
             $12::TEXT[], $13::BYTEA[], $14::BYTEA[], $15::BYTEA[], $16::TEXT[])",
        &[
            &seqs,
            &ats,
            &orgs,
            &users,
            &keys,
            &sources,
            &actions,
            &targets,
            &outcomes,
            &justifications,
            &details,
            &payloads,
            &payload_hashes,
            &prev_hashes,
            &hashes,
            &concerns,
        ],
    )?;
    if !subject_orgs.is_empty() {
        client.execute(
            "INSERT INTO audit_subjects (org, seq)
             SELECT * FROM unnest($1::TEXT[], $2::BIGINT[])",
            &[&subject_orgs, &subject_seqs],
        )?;
    }
    Ok(head)
}

pub(super) fn audit_head(client: &mut impl GenericClient) -> Result<Option<(i64, Hash)>> {
    client
        .query_opt("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &[])?
        .map(|row| -> Result<(i64, Hash)> { Ok((row.try_get(0)?, hash(row.try_get(1)?)?)) })
        .transpose()
}

const AUDIT_COLUMNS: &str = "seq, at, org, \"user\", api_key_id, source, action, target, \
    outcome, justification, detail, payload, payload_hash, prev_hash, hash, concerns";

fn read_entry(row: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.try_get(0)?,
        event: AuditEvent {
            at: Timestamp(row.try_get(1)?),
            org: row.try_get(2)?,
            user: row.try_get(3)?,
            api_key_id: row.try_get(4)?,
            source: row.try_get(5)?,
            action: row.try_get(6)?,
            target: row.try_get(7)?,
            outcome: row.try_get(8)?,
            justification: row.try_get(9)?,
            detail: row.try_get(10)?,
            payload: row.try_get(11)?,
            concerns: row
                .try_get::<_, &str>(15)?
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        },
        payload_hash: row
            .try_get::<_, Option<Vec<u8>>>(12)?
            .map(hash)
            .transpose()?,
        prev_hash: hash(row.try_get(13)?)?,
        hash: hash(row.try_get(14)?)?,
    })
}

pub(super) fn audit_entries(
    client: &mut impl GenericClient,
    filter: &AuditFilter,
    limit: usize,
) -> Result<Vec<AuditEntry>> {
    let action_prefix = filter.action.as_deref().filter(|a| a.ends_with('.'));
    // A reader limited to one organisation's entries walks that organisation's subject rows
    // in order; everyone else walks the trail. Each parameter is typed where it first
    // appears: PostgreSQL cannot infer a type from `$n IS NULL` alone.
    let (source, order) = match &filter.visible_to {
        Some(_) => (
            "audit_subjects s JOIN audit ON audit.seq = s.seq
             WHERE s.org = $10::text AND s.seq > $1::bigint AND",
            "s.seq",
        ),
        None => ("audit WHERE $10::text IS NULL AND", "audit.seq"),
    };
    let columns = AUDIT_COLUMNS
        .split(", ")
        .map(|column| format!("audit.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    // The action prefix compares the first characters of the action with it, as SQLite's
    // `substr` (no pattern: a prefix's `%` or `_` is no wildcard).
    let sql = format!(
        "SELECT {columns} FROM {source}
             audit.seq > $1::bigint AND audit.at >= $2::bigint AND audit.at <= $3::bigint
           AND ($4::text IS NULL OR audit.org = $4::text)
           AND ($5::text IS NULL OR audit.\"user\" = $5::text)
           AND ($6::text IS NULL OR audit.action = $6::text)
           AND ($7::text IS NULL OR substr(audit.action, 1, length($7::text)) = $7::text)
           AND ($8::text IS NULL OR audit.outcome = $8::text)
         ORDER BY {order} LIMIT $9::bigint"
    );
    let rows = client.query(
        &sql,
        &[
            &filter.after.unwrap_or(0),
            &filter.from.map_or(i64::MIN, |t| t.0),
            &filter.to.map_or(i64::MAX, |t| t.0),
            &filter.org,
            &filter.user,
            &filter.action.as_deref().filter(|_| action_prefix.is_none()),
            &action_prefix,
            &filter.outcome,
            &(limit as i64),
            &filter.visible_to,
        ],
    )?;
    rows.iter().map(read_entry).collect()
}

pub(super) fn scan_audit(
    client: &mut impl GenericClient,
    visit: &mut dyn FnMut(AuditEntry) -> bool,
) -> Result<()> {
    // Rows are read as they arrive, never the whole trail at once.
    let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit ORDER BY seq");
    let mut rows = client.query_raw(sql.as_str(), std::iter::empty::<&(dyn ToSql + Sync)>())?;
    while let Some(row) = rows.next()? {
        if !visit(read_entry(&row)?) {
            break;
        }
    }
    Ok(())
}

pub(super) fn erase_audit_payloads(
    client: &mut impl GenericClient,
    before: Timestamp,
) -> Result<u64> {
    Ok(client.execute(
        "UPDATE audit SET payload = NULL WHERE at < $1 AND payload IS NOT NULL",
        &[&before.0],
    )?)
}

pub(super) fn add_signed_head(client: &mut impl GenericClient, head: &SignedHead) -> Result<()> {
    // SQLite's `INSERT OR REPLACE`: a head at the same sequence number is replaced.
    client.execute(
        "INSERT INTO audit_heads (seq, hash, at, public_key, signature)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (seq) DO UPDATE SET hash = excluded.hash, at = excluded.at,
             public_key = excluded.public_key, signature = excluded.signature",
        &[
            &head.seq,
            &head.hash.as_slice(),
            &head.at.0,
            &head.public_key,
            &head.signature,
        ],
    )?;
    Ok(())
}

pub(super) fn signed_heads(
    client: &mut impl GenericClient,
    limit: usize,
) -> Result<Vec<SignedHead>> {
    let rows = client.query(
        "SELECT seq, hash, at, public_key, signature FROM audit_heads ORDER BY seq DESC LIMIT $1",
        &[&(limit as i64)],
    )?;
    let mut heads = Vec::with_capacity(rows.len());
    for row in &rows {
        heads.push(SignedHead {
            seq: row.try_get(0)?,
            hash: hash(row.try_get(1)?)?,
            at: Timestamp(row.try_get(2)?),
            public_key: row.try_get(3)?,
            signature: row.try_get(4)?,
        });
    }
    Ok(heads)
}

pub(super) fn insert_hits(client: &mut impl GenericClient, hits: &[NewHit]) -> Result<Vec<i64>> {
    // Most group commits carry no hit (about 2 checks in 10,000 hit at a border).
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let statement = client.prepare(
        "INSERT INTO hits (at, record_kind, record_id, owner, checking_org, match_kind, query, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )?;
    let mut ids = Vec::with_capacity(hits.len());
    for hit in hits {
        let row = client.query_one(
            &statement,
            &[
                &hit.at.0,
                &hit.record_kind.as_str(),
                &hit.record_id,
                &hit.owner.as_str(),
                &hit.checking_org.as_str(),
                &hit.match_kind,
                &hit.query,
                &hit.due_at.0,
            ],
        )?;
        ids.push(row.try_get(0)?);
    }
    Ok(ids)
}

const HIT_COLUMNS: &str = "id, at, record_kind, record_id, owner, checking_org, match_kind, \
    query, due_at, answer, answer_note, answered_at, answered_by, escalated_at";

fn read_hit(row: &Row) -> Result<Hit> {
    let id: i64 = row.try_get(0)?;
    let kind: String = row.try_get(2)?;
    let owner: String = row.try_get(4)?;
    let answer: Option<String> = row.try_get(9)?;
    Ok(Hit {
        id,
        hit: NewHit {
            at: Timestamp(row.try_get(1)?),
            record_kind: RecordKind::parse(&kind).ok_or_else(|| corrupt("record kind", &kind))?,
            record_id: row.try_get(3)?,
            owner: CountryCode::parse(&owner).ok_or_else(|| corrupt("owner", &owner))?,
            checking_org: org_code(row.try_get(5)?)?,
            match_kind: row.try_get(6)?,
            query: row.try_get(7)?,
            due_at: Timestamp(row.try_get(8)?),
        },
        answer: match answer {
            Some(answer) => Some(HitAnswer {
                answer,
                note: row.try_get(10)?,
                at: Timestamp(row.try_get::<_, Option<i64>>(11)?.unwrap_or_default()),
                by: row.try_get::<_, Option<String>>(12)?.unwrap_or_default(),
            }),
            None => None,
        },
        escalated_at: row.try_get::<_, Option<i64>>(13)?.map(Timestamp),
    })
}

/// Unanswered, not yet escalated hits whose deadline passed before `now`, oldest first.
pub(super) fn overdue_hits(client: &mut impl GenericClient, now: Timestamp) -> Result<Vec<Hit>> {
    // The partial index `hits_unanswered` matches this condition (PostgreSQL takes no index
    // hint); ties in `due_at` in id order, as SQLite's index gives them.
    let sql = format!(
        "SELECT {HIT_COLUMNS} FROM hits
         WHERE answer IS NULL AND escalated_at IS NULL AND due_at < $1
         ORDER BY due_at, id LIMIT 10000"
    );
    client
        .query(&sql, &[&now.0])?
        .iter()
        .map(read_hit)
        .collect()
}

pub(super) fn hits(
    client: &mut impl GenericClient,
    party: HitParty,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<Hit>> {
    let (condition, value) = match &party {
        HitParty::Owner(owner) => ("owner = $1", owner.as_str()),
        HitParty::Checker(org) => ("checking_org = $1", org.as_str()),
        HitParty::Any => ("$1::text = $1::text", ""),
    };
    let sql = format!(
        "SELECT {HIT_COLUMNS} FROM hits WHERE {condition} AND id < $2 ORDER BY id DESC LIMIT $3"
    );
    client
        .query(
            &sql,
            &[&value, &before.unwrap_or(i64::MAX), &(limit as i64)],
        )?
        .iter()
        .map(read_hit)
        .collect()
}

pub(super) fn hit(client: &mut impl GenericClient, id: i64) -> Result<Option<Hit>> {
    let sql = format!("SELECT {HIT_COLUMNS} FROM hits WHERE id = $1");
    client
        .query_opt(&sql, &[&id])?
        .as_ref()
        .map(read_hit)
        .transpose()
}

pub(super) fn answer_hit(
    client: &mut impl GenericClient,
    id: i64,
    answer: &HitAnswer,
) -> Result<bool> {
    let changed = client.execute(
        "UPDATE hits SET answer = $2, answer_note = $3, answered_at = $4, answered_by = $5
         WHERE id = $1 AND answer IS NULL",
        &[&id, &answer.answer, &answer.note, &answer.at.0, &answer.by],
    )?;
    Ok(changed == 1)
}

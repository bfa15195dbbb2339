//! SQL for organisations, people, the audit trail and the hit procedure.

use palermo_core::audit::{self, AuditEntry, AuditEvent, Hash};
use palermo_core::{CountryCode, OrgCode, OrgKind, Permissions, Role, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

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
pub(super) fn conflict(error: rusqlite::Error, message: impl FnOnce() -> String) -> StoreError {
    match error {
        rusqlite::Error::SqliteFailure(e, _)
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Conflict(message())
        }
        other => other.into(),
    }
}

pub(super) fn add_organisation(
    tx: &Transaction<'_>,
    organisation: &Organisation,
    at: Timestamp,
) -> Result<()> {
    let kind: Option<String> = tx
        .query_row(
            "SELECT kind FROM organisations WHERE code = ?1",
            [organisation.code.as_str()],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(kind) = kind
        && kind != organisation.kind.as_str()
    {
        return Err(StoreError::Conflict(format!(
            "organisation {} exists and is a {kind}",
            organisation.code
        )));
    }
    tx.execute(
        "INSERT INTO organisations (code, kind, name, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        params![
            organisation.code.as_str(),
            organisation.kind.as_str(),
            organisation.name,
            at.0
        ],
    )?;
    Ok(())
}

pub(super) fn organisations(connection: &Connection) -> Result<Vec<Organisation>> {
    let mut statement =
        connection.prepare("SELECT code, kind, name FROM organisations ORDER BY code")?;
    let mut rows = statement.query([])?;
    let mut organisations = Vec::new();
    while let Some(row) = rows.next()? {
        let kind: String = row.get(1)?;
        organisations.push(Organisation {
            code: org_code(&row.get::<_, String>(0)?)?,
            kind: OrgKind::parse(&kind).ok_or_else(|| corrupt("organisation kind", &kind))?,
            name: row.get(2)?,
        });
    }
    Ok(organisations)
}

pub(super) fn add_api_key(
    tx: &Transaction<'_>,
    org: OrgCode,
    label: &str,
    scopes: Permissions,
    key_hash: &[u8; 32],
    at: Timestamp,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO api_keys (org, label, scopes, key_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![org.as_str(), label, scopes.scopes(), &key_hash[..], at.0],
    )
    .map_err(|error| conflict(error, || format!("no organisation {org}")))?;
    Ok(tx.last_insert_rowid())
}

pub(super) fn api_keys(connection: &Connection) -> Result<Vec<ApiKeyRow>> {
    let mut statement = connection.prepare(
        "SELECT id, org, label, scopes, key_hash, revoked_at IS NOT NULL FROM api_keys ORDER BY id",
    )?;
    let mut rows = statement.query([])?;
    let mut keys = Vec::new();
    while let Some(row) = rows.next()? {
        let scopes: String = row.get(3)?;
        keys.push(ApiKeyRow {
            id: row.get(0)?,
            org: org_code(&row.get::<_, String>(1)?)?,
            label: row.get(2)?,
            scopes: Permissions::parse_scopes(&scopes).map_err(|_| corrupt("scopes", &scopes))?,
            key_hash: hash(row.get(4)?)?,
            revoked: row.get(5)?,
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

fn read_user(row: &Row<'_>) -> Result<UserRow> {
    let roles: String = row.get(4)?;
    let failures: String = row.get(8)?;
    let timestamp = |index: usize| -> Result<Option<Timestamp>> {
        Ok(row.get::<_, Option<i64>>(index)?.map(Timestamp))
    };
    Ok(UserRow {
        id: row.get(0)?,
        org: org_code(&row.get::<_, String>(1)?)?,
        username: row.get(2)?,
        display_name: row.get(3)?,
        roles: Role::parse_list(&roles).map_err(|_| corrupt("roles", &roles))?,
        password_hash: row.get(5)?,
        totp_secret: row.get(6)?,
        totp_last_step: row.get(7)?,
        failures: failures
            .split_whitespace()
            .map(|ms| ms.parse().map(Timestamp))
            .collect::<Result<_, _>>()
            .map_err(|_| corrupt("failures", &failures))?,
        locked_at: timestamp(9)?,
        disabled_at: timestamp(10)?,
        last_active_at: timestamp(11)?,
        created_at: Timestamp(row.get(12)?),
        version: row.get(13)?,
    })
}

pub(super) fn add_user(tx: &Transaction<'_>, user: &UserRow) -> Result<i64> {
    let known: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM organisations WHERE code = ?1)",
        [user.org.as_str()],
        |row| row.get(0),
    )?;
    if !known {
        return Err(StoreError::Conflict(format!(
            "no organisation {}",
            user.org
        )));
    }
    tx.execute(
        "INSERT INTO users (org, username, display_name, roles, password_hash, totp_secret,
             totp_last_step, failures, locked_at, disabled_at, last_active_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            user.org.as_str(),
            user.username,
            user.display_name,
            roles_text(&user.roles),
            user.password_hash,
            user.totp_secret,
            user.totp_last_step,
            failures_text(&user.failures),
            user.locked_at.map(|t| t.0),
            user.disabled_at.map(|t| t.0),
            user.last_active_at.map(|t| t.0),
            user.created_at.0,
        ],
    )
    .map_err(|error| {
        conflict(error, || {
            format!("the user name {:?} is taken", user.username)
        })
    })?;
    Ok(tx.last_insert_rowid())
}

pub(super) fn user(connection: &Connection, username: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1");
    let mut statement = connection.prepare_cached(&sql)?;
    let mut rows = statement.query([username])?;
    rows.next()?.map(read_user).transpose()
}

pub(super) fn users(connection: &Connection) -> Result<Vec<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
    let mut statement = connection.prepare(&sql)?;
    let mut rows = statement.query([])?;
    let mut users = Vec::new();
    while let Some(row) = rows.next()? {
        users.push(read_user(row)?);
    }
    Ok(users)
}

pub(super) fn update_user(tx: &Transaction<'_>, user: &UserRow) -> Result<()> {
    let changed = tx.execute(
        "UPDATE users SET display_name = ?2, roles = ?3, password_hash = ?4, totp_secret = ?5,
             totp_last_step = ?6, failures = ?7, locked_at = ?8, disabled_at = ?9,
             last_active_at = ?10, version = version + 1
         WHERE id = ?1 AND version = ?11",
        params![
            user.id,
            user.display_name,
            roles_text(&user.roles),
            user.password_hash,
            user.totp_secret,
            user.totp_last_step,
            failures_text(&user.failures),
            user.locked_at.map(|t| t.0),
            user.disabled_at.map(|t| t.0),
            user.last_active_at.map(|t| t.0),
            user.version,
        ],
    )?;
    if changed != 1 {
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)",
            [user.id],
            |row| row.get(0),
        )?;
        return Err(if exists {
            StoreError::Stale(format!("user {} changed since it was read", user.id))
        } else {
            StoreError::Conflict(format!("no user {}", user.id))
        });
    }
    Ok(())
}

pub(super) fn set_recovery_codes(
    tx: &Transaction<'_>,
    user_id: i64,
    hashes: &[Hash],
) -> Result<()> {
    tx.execute("DELETE FROM recovery_codes WHERE user_id = ?1", [user_id])?;
    let mut statement =
        tx.prepare_cached("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")?;
    for code_hash in hashes {
        statement.execute(params![user_id, &code_hash[..]])?;
    }
    Ok(())
}

pub(super) fn use_recovery_code(
    tx: &Transaction<'_>,
    user_id: i64,
    code_hash: &Hash,
    at: Timestamp,
) -> Result<bool> {
    let changed = tx.execute(
        "UPDATE recovery_codes SET used_at = ?3
         WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL",
        params![user_id, &code_hash[..], at.0],
    )?;
    Ok(changed == 1)
}

/// Appends `events` after `head`; returns the new head. Runs inside the transaction of the
/// action the events record, so that both commit or neither does.
pub(super) fn append_audit(
    tx: &Transaction<'_>,
    head: Option<(i64, Hash)>,
    events: &[AuditEvent],
) -> Result<Option<(i64, Hash)>> {
    if events.is_empty() {
        return Ok(head);
    }
    let mut statement = tx.prepare_cached(
        "INSERT INTO audit (seq, at, org, user, api_key_id, source, action, target, outcome,
             justification, detail, payload, payload_hash, prev_hash, hash, concerns)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    let mut subject = tx.prepare_cached("INSERT INTO audit_subjects (org, seq) VALUES (?1, ?2)")?;
    let mut head = head;
    for event in events {
        let link = audit::link(head.as_ref().map(|(seq, hash)| (*seq, hash)), event);
        statement.execute(params![
            link.seq,
            event.at.0,
            event.org,
            event.user,
            event.api_key_id,
            event.source,
            event.action,
            event.target,
            event.outcome,
            event.justification,
            event.detail,
            event.payload,
            link.payload_hash.as_ref().map(|h| &h[..]),
            &link.prev_hash[..],
            &link.hash[..],
            event.concerns.join(" "),
        ])?;
        for org in event.subjects() {
            subject.execute(params![org, link.seq])?;
        }
        head = Some((link.seq, link.hash));
    }
    Ok(head)
}

pub(super) fn audit_head(connection: &Connection) -> Result<Option<(i64, Hash)>> {
    connection
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?)),
        )
        .optional()?
        .map(|(seq, bytes)| Ok((seq, hash(bytes)?)))
        .transpose()
}

const AUDIT_COLUMNS: &str = "seq, at, org, user, api_key_id, source, action, target, outcome, \
    justification, detail, payload, payload_hash, prev_hash, hash, concerns";

fn read_entry(row: &Row<'_>) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.get(0)?,
        event: AuditEvent {
            at: Timestamp(row.get(1)?),
            org: row.get(2)?,
            user: row.get(3)?,
            api_key_id: row.get(4)?,
            source: row.get(5)?,
            action: row.get(6)?,
            target: row.get(7)?,
            outcome: row.get(8)?,
            justification: row.get(9)?,
            detail: row.get(10)?,
            payload: row.get(11)?,
            concerns: row
                .get_ref(15)?
                .as_str()?
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        },
        payload_hash: row.get::<_, Option<Vec<u8>>>(12)?.map(hash).transpose()?,
        prev_hash: hash(row.get(13)?)?,
        hash: hash(row.get(14)?)?,
    })
}

pub(super) fn audit_entries(
    connection: &Connection,
    filter: &AuditFilter,
    limit: usize,
) -> Result<Vec<AuditEntry>> {
    let action_prefix = filter.action.as_deref().filter(|a| a.ends_with('.'));
    // A reader limited to one organisation's entries walks that organisation's subject rows
    // in order; everyone else walks the trail.
    let (source, order) = match &filter.visible_to {
        Some(_) => (
            "audit_subjects s JOIN audit ON audit.seq = s.seq WHERE s.org = ?10 AND s.seq > ?1 AND",
            "s.seq",
        ),
        None => ("audit WHERE ?10 IS NULL AND", "audit.seq"),
    };
    let columns = AUDIT_COLUMNS
        .split(", ")
        .map(|column| format!("audit.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns} FROM {source}
             audit.seq > ?1 AND at >= ?2 AND at <= ?3
           AND (?4 IS NULL OR audit.org = ?4) AND (?5 IS NULL OR user = ?5)
           AND (?6 IS NULL OR action = ?6) AND (?7 IS NULL OR substr(action, 1, length(?7)) = ?7)
           AND (?8 IS NULL OR outcome = ?8)
         ORDER BY {order} LIMIT ?9"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let mut rows = statement.query(params![
        filter.after.unwrap_or(0),
        filter.from.map_or(i64::MIN, |t| t.0),
        filter.to.map_or(i64::MAX, |t| t.0),
        filter.org,
        filter.user,
        filter.action.as_deref().filter(|_| action_prefix.is_none()),
        action_prefix,
        filter.outcome,
        limit as i64,
        filter.visible_to,
    ])?;
    let mut entries = Vec::new();
    while let Some(row) = rows.next()? {
        entries.push(read_entry(row)?);
    }
    Ok(entries)
}

pub(super) fn scan_audit(
    connection: &Connection,
    visit: &mut dyn FnMut(AuditEntry) -> bool,
) -> Result<()> {
    let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit ORDER BY seq");
    let mut statement = connection.prepare(&sql)?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        if !visit(read_entry(row)?) {
            break;
        }
    }
    Ok(())
}

pub(super) fn erase_audit_payloads(tx: &Transaction<'_>, before: Timestamp) -> Result<u64> {
    Ok(tx.execute(
        "UPDATE audit SET payload = NULL WHERE at < ?1 AND payload IS NOT NULL",
        [before.0],
    )? as u64)
}

pub(super) fn add_signed_head(tx: &Transaction<'_>, head: &SignedHead) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO audit_heads (seq, hash, at, public_key, signature)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            head.seq,
            &head.hash[..],
            head.at.0,
            head.public_key,
            head.signature
        ],
    )?;
    Ok(())
}

pub(super) fn signed_heads(connection: &Connection, limit: usize) -> Result<Vec<SignedHead>> {
    let mut statement = connection.prepare_cached(
        "SELECT seq, hash, at, public_key, signature FROM audit_heads ORDER BY seq DESC LIMIT ?1",
    )?;
    let mut rows = statement.query([limit as i64])?;
    let mut heads = Vec::new();
    while let Some(row) = rows.next()? {
        heads.push(SignedHead {
            seq: row.get(0)?,
            hash: hash(row.get(1)?)?,
            at: Timestamp(row.get(2)?),
            public_key: row.get(3)?,
            signature: row.get(4)?,
        });
    }
    Ok(heads)
}

pub(super) fn insert_hits(tx: &Transaction<'_>, hits: &[NewHit]) -> Result<Vec<i64>> {
    let mut statement = tx.prepare_cached(
        "INSERT INTO hits (at, record_kind, record_id, owner, checking_org, match_kind, query, due_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut ids = Vec::with_capacity(hits.len());
    for hit in hits {
        statement.execute(params![
            hit.at.0,
            hit.record_kind.as_str(),
            hit.record_id,
            hit.owner.as_str(),
            hit.checking_org.as_str(),
            hit.match_kind,
            hit.query,
            hit.due_at.0,
        ])?;
        ids.push(tx.last_insert_rowid());
    }
    Ok(ids)
}

const HIT_COLUMNS: &str = "id, at, record_kind, record_id, owner, checking_org, match_kind, \
    query, due_at, answer, answer_note, answered_at, answered_by, escalated_at";

fn read_hit(row: &Row<'_>) -> Result<Hit> {
    let id: i64 = row.get(0)?;
    let kind: String = row.get(2)?;
    let owner: String = row.get(4)?;
    let answer: Option<String> = row.get(9)?;
    Ok(Hit {
        id,
        hit: NewHit {
            at: Timestamp(row.get(1)?),
            record_kind: RecordKind::parse(&kind).ok_or_else(|| corrupt("record kind", &kind))?,
            record_id: row.get(3)?,
            owner: CountryCode::parse(&owner).ok_or_else(|| corrupt("owner", &owner))?,
            checking_org: org_code(&row.get::<_, String>(5)?)?,
            match_kind: row.get(6)?,
            query: row.get(7)?,
            due_at: Timestamp(row.get(8)?),
        },
        answer: match answer {
            Some(answer) => Some(HitAnswer {
                answer,
                note: row.get(10)?,
                at: Timestamp(row.get::<_, Option<i64>>(11)?.unwrap_or_default()),
                by: row.get::<_, Option<String>>(12)?.unwrap_or_default(),
            }),
            None => None,
        },
        escalated_at: row.get::<_, Option<i64>>(13)?.map(Timestamp),
    })
}

/// Unanswered, not yet escalated hits whose deadline passed before `now`, oldest first.
pub(super) fn overdue_hits(connection: &Connection, now: Timestamp) -> Result<Vec<Hit>> {
    let sql = format!(
        "SELECT {HIT_COLUMNS} FROM hits INDEXED BY hits_unanswered
         WHERE answer IS NULL AND escalated_at IS NULL AND due_at < ?1 ORDER BY due_at LIMIT 10000"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let mut rows = statement.query([now.0])?;
    let mut hits = Vec::new();
    while let Some(row) = rows.next()? {
        hits.push(read_hit(row)?);
    }
    Ok(hits)
}

pub(super) fn hits(
    connection: &Connection,
    party: HitParty,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<Hit>> {
    let (condition, value) = match party {
        HitParty::Owner(owner) => ("owner = ?1", owner.as_str().to_owned()),
        HitParty::Checker(org) => ("checking_org = ?1", org.as_str().to_owned()),
        HitParty::Any => ("?1 = ?1", String::new()),
    };
    let sql = format!(
        "SELECT {HIT_COLUMNS} FROM hits WHERE {condition} AND id < ?2 ORDER BY id DESC LIMIT ?3"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let mut rows = statement.query(params![value, before.unwrap_or(i64::MAX), limit as i64])?;
    let mut hits = Vec::new();
    while let Some(row) = rows.next()? {
        hits.push(read_hit(row)?);
    }
    Ok(hits)
}

pub(super) fn hit(connection: &Connection, id: i64) -> Result<Option<Hit>> {
    let sql = format!("SELECT {HIT_COLUMNS} FROM hits WHERE id = ?1");
    let mut statement = connection.prepare_cached(&sql)?;
    let mut rows = statement.query([id])?;
    rows.next()?.map(read_hit).transpose()
}

pub(super) fn answer_hit(tx: &Transaction<'_>, id: i64, answer: &HitAnswer) -> Result<bool> {
    let changed = tx.execute(
        "UPDATE hits SET answer = ?2, answer_note = ?3, answered_at = ?4, answered_by = ?5
         WHERE id = ?1 AND answer IS NULL",
        params![id, answer.answer, answer.note, answer.at.0, answer.by],
    )?;
    Ok(changed == 1)
}

//! Case reports in PostgreSQL: the current row, every version as reported, the identifiers.

use palermo_core::{CountryCode, Timestamp};
use postgres::{GenericClient, Row, Transaction};

use super::security::org_code;
use crate::columns::{CASE_COLUMNS, CaseRead, countries_text, country};
use crate::{
    CaseGrant, CaseMatch, CaseSubmission, CaseVersion, ChecklistTick, Result, StoreError,
    StoredCase, TellLinks,
};

fn read_case(row: &Row) -> Result<StoredCase> {
    let id: i64 = row.try_get(0)?;
    let case = CaseRead {
        owner: row.try_get(1)?,
        reference: row.try_get(2)?,
        status: row.try_get(4)?,
        form: row.try_get(5)?,
        reported_date: row.try_get(6)?,
        restriction: row.try_get(7)?,
        restriction_countries: row.try_get(8)?,
        report: row.try_get(9)?,
    }
    .parse(id)?;
    Ok(StoredCase {
        id,
        version: row.try_get(3)?,
        row: case,
        created_at: Timestamp(row.try_get(10)?),
        updated_at: Timestamp(row.try_get(11)?),
    })
}

pub(super) fn submit(
    tx: &mut Transaction<'_>,
    submission: &CaseSubmission<'_>,
    tell: &TellLinks<'_>,
) -> Result<StoredCase> {
    let row = submission.row;
    let at = submission.at.0;
    let owner = row.owner.as_str();
    let visibility = row.restriction.visibility().as_str();
    let countries = countries_text(&row.restriction);
    // Every write transaction holds the hub's write lock: no other writer reads the same
    // reference as absent at the same time.
    let existing = tx.query_opt(
        "SELECT id, version FROM cases WHERE owner = $1 AND reference = $2",
        &[&owner, &row.reference],
    )?;
    let mut before = Vec::new();
    let (id, version) = match existing {
        Some(found) => {
            let (id, version): (i64, i64) = (found.try_get(0)?, found.try_get(1)?);
            before = matches(tx, id)?;
            tx.execute(
                "UPDATE cases SET version = $2, status = $3, form = $4, reported_date = $5,
                     restriction = $6, restriction_countries = $7, report = $8, updated_at = $9
                 WHERE id = $1",
                &[
                    &id,
                    &(version + 1),
                    &row.status,
                    &row.form,
                    &row.reported_date,
                    &visibility,
                    &countries,
                    &row.report,
                    &at,
                ],
            )?;
            tx.execute("DELETE FROM case_keys WHERE case_id = $1", &[&id])?;
            (id, version + 1)
        }
        None => {
            let id: i64 = tx
                .query_one(
                    "INSERT INTO cases (owner, reference, version, status, form, reported_date,
                         restriction, restriction_countries, report, created_at, updated_at)
                     VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                    &[
                        &owner,
                        &row.reference,
                        &row.status,
                        &row.form,
                        &row.reported_date,
                        &visibility,
                        &countries,
                        &row.report,
                        &at,
                    ],
                )?
                .try_get(0)?;
            (id, 1)
        }
    };
    tx.execute(
        "INSERT INTO case_versions (case_id, version, report, by_org, by_name, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &id,
            &version,
            &row.report,
            &submission.by_org.as_str(),
            &submission.by_name,
            &at,
        ],
    )?;
    if !submission.keys.is_empty() {
        let kinds: Vec<&str> = submission.keys.iter().map(|k| k.kind.as_str()).collect();
        let values: Vec<&str> = submission.keys.iter().map(|k| k.value.as_str()).collect();
        let entities: Vec<&str> = submission.keys.iter().map(|k| k.entity.as_str()).collect();
        tx.execute(
            "INSERT INTO case_keys (case_id, kind, value, entity)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])
             ON CONFLICT DO NOTHING",
            &[&id, &kinds, &values, &entities],
        )?;
    }
    let stored = get(tx, id)?
        .ok_or_else(|| StoreError::Corrupt(format!("case {id} vanished in its write")))?;
    let after = matches(tx, id)?;
    for message in tell(&stored, &before, &after) {
        super::messages::send(tx, &message)?;
    }
    Ok(stored)
}

pub(super) fn get(client: &mut impl GenericClient, id: i64) -> Result<Option<StoredCase>> {
    client
        .query_opt(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"),
            &[&id],
        )?
        .map(|row| read_case(&row))
        .transpose()
}

pub(super) fn list(
    client: &mut impl GenericClient,
    owner: Option<CountryCode>,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<StoredCase>> {
    let before = before.unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match owner {
        Some(owner) => client.query(
            &format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE owner = $1 AND id < $2
                 ORDER BY id DESC LIMIT $3"
            ),
            &[&owner.as_str(), &before, &limit],
        )?,
        None => client.query(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE id < $1 ORDER BY id DESC LIMIT $2"),
            &[&before, &limit],
        )?,
    };
    rows.iter().map(read_case).collect()
}

pub(super) fn versions(client: &mut impl GenericClient, id: i64) -> Result<Vec<CaseVersion>> {
    let rows = client.query(
        "SELECT version, report, by_org, by_name, at FROM case_versions
         WHERE case_id = $1 ORDER BY version",
        &[&id],
    )?;
    rows.iter()
        .map(|row| {
            Ok(CaseVersion {
                version: row.try_get(0)?,
                report: row.try_get(1)?,
                by_org: org_code(row.try_get(2)?)?,
                by_name: row.try_get(3)?,
                at: Timestamp(row.try_get(4)?),
            })
        })
        .collect()
}

pub(super) fn matches(client: &mut impl GenericClient, id: i64) -> Result<Vec<CaseMatch>> {
    let rows = client.query(
        "SELECT mine.kind, mine.value, mine.entity, other.case_id, cases.owner, other.entity
         FROM case_keys AS mine
         JOIN case_keys AS other
           ON other.kind = mine.kind AND other.value = mine.value AND other.case_id <> mine.case_id
         JOIN cases ON cases.id = other.case_id
         WHERE mine.case_id = $1
         ORDER BY other.case_id, mine.kind, mine.value, mine.entity, other.entity",
        &[&id],
    )?;
    rows.iter()
        .map(|row| {
            let other_case: i64 = row.try_get(3)?;
            Ok(CaseMatch {
                kind: row.try_get(0)?,
                value: row.try_get(1)?,
                entity: row.try_get(2)?,
                other_case,
                other_owner: country(other_case, row.try_get(4)?)?,
                other_entity: row.try_get(5)?,
            })
        })
        .collect()
}

pub(super) fn of_reference(
    client: &mut impl GenericClient,
    owner: CountryCode,
    reference: &str,
) -> Result<Option<StoredCase>> {
    client
        .query_opt(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE owner = $1 AND reference = $2"),
            &[&owner.as_str(), &reference],
        )?
        .map(|row| read_case(&row))
        .transpose()
}

pub(super) fn checklist(
    client: &mut impl GenericClient,
    case_id: i64,
) -> Result<Vec<ChecklistTick>> {
    let rows = client.query(
        "SELECT item, done, note, by_org, by_name, at FROM case_checklist
         WHERE case_id = $1 ORDER BY item",
        &[&case_id],
    )?;
    rows.iter()
        .map(|row| {
            Ok(ChecklistTick {
                item: row.try_get(0)?,
                done: row.try_get::<_, i64>(1)? != 0,
                note: row.try_get(2)?,
                by_org: org_code(row.try_get(3)?)?,
                by_name: row.try_get(4)?,
                at: Timestamp(row.try_get(5)?),
            })
        })
        .collect()
}

pub(super) fn tick(tx: &mut Transaction<'_>, case_id: i64, tick: &ChecklistTick) -> Result<()> {
    tx.execute(
        "INSERT INTO case_checklist (case_id, item, done, note, by_org, by_name, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (case_id, item) DO UPDATE SET done = excluded.done, note = excluded.note,
             by_org = excluded.by_org, by_name = excluded.by_name, at = excluded.at",
        &[
            &case_id,
            &tick.item,
            &i64::from(tick.done),
            &tick.note,
            &tick.by_org.as_str(),
            &tick.by_name,
            &tick.at.0,
        ],
    )?;
    Ok(())
}

pub(super) fn grants(client: &mut impl GenericClient, case_id: i64) -> Result<Vec<CaseGrant>> {
    let rows = client.query(
        "SELECT case_id, username, org, by_org, by_name, at FROM case_grants
         WHERE case_id = $1 ORDER BY username",
        &[&case_id],
    )?;
    rows.iter()
        .map(|row| {
            Ok(CaseGrant {
                case_id: row.try_get(0)?,
                username: row.try_get(1)?,
                org: org_code(row.try_get(2)?)?,
                by_org: org_code(row.try_get(3)?)?,
                by_name: row.try_get(4)?,
                at: Timestamp(row.try_get(5)?),
            })
        })
        .collect()
}

pub(super) fn user_grants(client: &mut impl GenericClient, username: &str) -> Result<Vec<i64>> {
    let rows = client.query(
        "SELECT case_id FROM case_grants WHERE username = $1 ORDER BY case_id",
        &[&username],
    )?;
    rows.iter().map(|row| Ok(row.try_get(0)?)).collect()
}

pub(super) fn grant(tx: &mut Transaction<'_>, grant: &CaseGrant) -> Result<()> {
    tx.execute(
        "INSERT INTO case_grants (case_id, username, org, by_org, by_name, at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (case_id, username) DO UPDATE SET org = excluded.org,
             by_org = excluded.by_org, by_name = excluded.by_name, at = excluded.at",
        &[
            &grant.case_id,
            &grant.username,
            &grant.org.as_str(),
            &grant.by_org.as_str(),
            &grant.by_name,
            &grant.at.0,
        ],
    )?;
    Ok(())
}

pub(super) fn revoke(tx: &mut Transaction<'_>, case_id: i64, username: &str) -> Result<bool> {
    let removed = tx.execute(
        "DELETE FROM case_grants WHERE case_id = $1 AND username = $2",
        &[&case_id, &username],
    )?;
    Ok(removed > 0)
}

pub(super) fn stamps(client: &mut impl GenericClient) -> Result<Vec<(i64, i64)>> {
    let rows = client.query("SELECT id, version FROM cases ORDER BY id", &[])?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}

//! Case reports in SQLite: the current row, every version as reported, the identifiers.

use palermo_core::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::security::org_code;
use crate::columns::{CASE_COLUMNS, CaseRead, countries_text, country};
use crate::{
    CaseGrant, CaseMatch, CaseSubmission, CaseVersion, ChecklistTick, Result, StoredCase, TellLinks,
};

fn read_case(row: &Row<'_>) -> Result<StoredCase> {
    let id: i64 = row.get(0)?;
    let case = CaseRead {
        owner: row.get_ref(1)?.as_str()?,
        reference: row.get(2)?,
        status: row.get(4)?,
        form: row.get(5)?,
        reported_date: row.get(6)?,
        restriction: row.get_ref(7)?.as_str()?,
        restriction_countries: row.get_ref(8)?.as_str()?,
        report: row.get(9)?,
    }
    .parse(id)?;
    Ok(StoredCase {
        id,
        version: row.get(3)?,
        row: case,
        created_at: Timestamp(row.get(10)?),
        updated_at: Timestamp(row.get(11)?),
    })
}

pub(super) fn submit(
    tx: &Transaction<'_>,
    submission: &CaseSubmission<'_>,
    tell: &TellLinks<'_>,
) -> Result<StoredCase> {
    let row = submission.row;
    let at = submission.at.0;
    let visibility = row.restriction.visibility().as_str();
    let countries = countries_text(&row.restriction);
    let existing: Option<(i64, i64)> = tx
        .prepare_cached("SELECT id, version FROM cases WHERE owner = ?1 AND reference = ?2")?
        .query_row(params![row.owner.as_str(), row.reference], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let mut before = Vec::new();
    let (id, version) = match existing {
        Some((id, version)) => {
            before = matches(tx, id)?;
            tx.prepare_cached(
                "UPDATE cases SET version = ?2, status = ?3, form = ?4, reported_date = ?5,
                     restriction = ?6, restriction_countries = ?7, report = ?8, updated_at = ?9
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                version + 1,
                row.status,
                row.form,
                row.reported_date,
                visibility,
                countries,
                row.report,
                at
            ])?;
            tx.prepare_cached("DELETE FROM case_keys WHERE case_id = ?1")?
                .execute([id])?;
            (id, version + 1)
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO cases (owner, reference, version, status, form, reported_date,
                     restriction, restriction_countries, report, created_at, updated_at)
                 VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            )?
            .execute(params![
                row.owner.as_str(),
                row.reference,
                row.status,
                row.form,
                row.reported_date,
                visibility,
                countries,
                row.report,
                at
            ])?;
            (tx.last_insert_rowid(), 1)
        }
    };
    tx.prepare_cached(
        "INSERT INTO case_versions (case_id, version, report, by_org, by_name, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        version,
        row.report,
        submission.by_org.as_str(),
        submission.by_name,
        at
    ])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO case_keys (case_id, kind, value, entity) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for key in submission.keys {
        insert.execute(params![id, key.kind, key.value, key.entity])?;
    }
    let stored = get(tx, id)?
        .ok_or_else(|| crate::StoreError::Corrupt(format!("case {id} vanished in its write")))?;
    let after = matches(tx, id)?;
    for message in tell(&stored, &before, &after) {
        super::messages::send(tx, &message)?;
    }
    Ok(stored)
}

pub(super) fn get(connection: &Connection, id: i64) -> Result<Option<StoredCase>> {
    connection
        .prepare_cached(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"))?
        .query_row([id], |row| Ok(read_case(row)))
        .optional()?
        .transpose()
}

pub(super) fn list(
    connection: &Connection,
    owner: Option<palermo_core::CountryCode>,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<StoredCase>> {
    let before = before.unwrap_or(i64::MAX);
    let limit = limit as i64;
    let mut statement;
    let mut rows = match owner {
        Some(owner) => {
            statement = connection.prepare_cached(&format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE owner = ?1 AND id < ?2
                 ORDER BY id DESC LIMIT ?3"
            ))?;
            statement.query(params![owner.as_str(), before, limit])?
        }
        None => {
            statement = connection.prepare_cached(&format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE id < ?1 ORDER BY id DESC LIMIT ?2"
            ))?;
            statement.query(params![before, limit])?
        }
    };
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(read_case(row)?);
    }
    Ok(out)
}

pub(super) fn versions(connection: &Connection, id: i64) -> Result<Vec<CaseVersion>> {
    let mut statement = connection.prepare_cached(
        "SELECT version, report, by_org, by_name, at FROM case_versions
         WHERE case_id = ?1 ORDER BY version",
    )?;
    let mut rows = statement.query([id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(CaseVersion {
            version: row.get(0)?,
            report: row.get(1)?,
            by_org: org_code(row.get_ref(2)?.as_str()?)?,
            by_name: row.get(3)?,
            at: Timestamp(row.get(4)?),
        });
    }
    Ok(out)
}

pub(super) fn matches(connection: &Connection, id: i64) -> Result<Vec<CaseMatch>> {
    let mut statement = connection.prepare_cached(
        "SELECT mine.kind, mine.value, mine.entity, other.case_id, cases.owner, other.entity
         FROM case_keys AS mine
         JOIN case_keys AS other
           ON other.kind = mine.kind AND other.value = mine.value AND other.case_id <> mine.case_id
         JOIN cases ON cases.id = other.case_id
         WHERE mine.case_id = ?1
         ORDER BY other.case_id, mine.kind, mine.value, mine.entity, other.entity",
    )?;
    let mut rows = statement.query([id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let other_case: i64 = row.get(3)?;
        out.push(CaseMatch {
            kind: row.get(0)?,
            value: row.get(1)?,
            entity: row.get(2)?,
            other_case,
            other_owner: country(other_case, row.get_ref(4)?.as_str()?)?,
            other_entity: row.get(5)?,
        });
    }
    Ok(out)
}

pub(super) fn of_reference(
    connection: &Connection,
    owner: palermo_core::CountryCode,
    reference: &str,
) -> Result<Option<StoredCase>> {
    connection
        .prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE owner = ?1 AND reference = ?2"
        ))?
        .query_row(params![owner.as_str(), reference], |row| Ok(read_case(row)))
        .optional()?
        .transpose()
}

pub(super) fn checklist(connection: &Connection, case_id: i64) -> Result<Vec<ChecklistTick>> {
    let mut statement = connection.prepare_cached(
        "SELECT item, done, note, by_org, by_name, at FROM case_checklist
         WHERE case_id = ?1 ORDER BY item",
    )?;
    let mut rows = statement.query([case_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(ChecklistTick {
            item: row.get(0)?,
            done: row.get::<_, i64>(1)? != 0,
            note: row.get(2)?,
            by_org: org_code(row.get_ref(3)?.as_str()?)?,
            by_name: row.get(4)?,
            at: Timestamp(row.get(5)?),
        });
    }
    Ok(out)
}

pub(super) fn tick(tx: &Transaction<'_>, case_id: i64, tick: &ChecklistTick) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO case_checklist (case_id, item, done, note, by_org, by_name, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (case_id, item) DO UPDATE SET done = excluded.done, note = excluded.note,
             by_org = excluded.by_org, by_name = excluded.by_name, at = excluded.at",
    )?
    .execute(params![
        case_id,
        tick.item,
        i64::from(tick.done),
        tick.note,
        tick.by_org.as_str(),
        tick.by_name,
        tick.at.0
    ])?;
    Ok(())
}

pub(super) fn grants(connection: &Connection, case_id: i64) -> Result<Vec<CaseGrant>> {
    let mut statement = connection.prepare_cached(
        "SELECT case_id, username, org, by_org, by_name, at FROM case_grants
         WHERE case_id = ?1 ORDER BY username",
    )?;
    let mut rows = statement.query([case_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(CaseGrant {
            case_id: row.get(0)?,
            username: row.get(1)?,
            org: org_code(row.get_ref(2)?.as_str()?)?,
            by_org: org_code(row.get_ref(3)?.as_str()?)?,
            by_name: row.get(4)?,
            at: Timestamp(row.get(5)?),
        });
    }
    Ok(out)
}

pub(super) fn user_grants(connection: &Connection, username: &str) -> Result<Vec<i64>> {
    let mut statement = connection
        .prepare_cached("SELECT case_id FROM case_grants WHERE username = ?1 ORDER BY case_id")?;
    let ids = statement
        .query_map([username], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

pub(super) fn grant(tx: &Transaction<'_>, grant: &CaseGrant) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO case_grants (case_id, username, org, by_org, by_name, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (case_id, username) DO UPDATE SET org = excluded.org,
             by_org = excluded.by_org, by_name = excluded.by_name, at = excluded.at",
    )?
    .execute(params![
        grant.case_id,
        grant.username,
        grant.org.as_str(),
        grant.by_org.as_str(),
        grant.by_name,
        grant.at.0
    ])?;
    Ok(())
}

pub(super) fn revoke(tx: &Transaction<'_>, case_id: i64, username: &str) -> Result<bool> {
    let removed = tx
        .prepare_cached("DELETE FROM case_grants WHERE case_id = ?1 AND username = ?2")?
        .execute(params![case_id, username])?;
    Ok(removed > 0)
}

pub(super) fn stamps(connection: &Connection) -> Result<Vec<(i64, i64)>> {
    let mut statement = connection.prepare_cached("SELECT id, version FROM cases ORDER BY id")?;
    let stamps = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(i64, i64)>>>()?;
    Ok(stamps)
}

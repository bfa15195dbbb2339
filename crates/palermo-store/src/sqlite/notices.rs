//! Notices and diffusions in SQLite: the current row, every version's request, every move.

use palermo_core::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, ToSql, Transaction, params};

use super::is_unique_violation;
use super::security::org_code;
use crate::columns::{MetaRead, MetaText, NOTICE_COLUMNS, NOTICE_EVENT_COLUMNS};
use crate::{
    Announce, NoticeChange, NoticeDecide, NoticeEvent, NoticeFilter, NoticeRow, Result, StoreError,
    StoredNotice,
};

const REFERENCE_TAKEN: &str = "another notice of this owner has that external reference";

fn read_notice(row: &Row<'_>) -> Result<StoredNotice> {
    let id: i64 = row.get(0)?;
    let meta = MetaRead {
        owner: row.get_ref(7)?.as_str()?,
        external_ref: row.get(8)?,
        reported_date: row.get_ref(9)?.as_str()?,
        review_date: row.get_ref(10)?.as_str()?,
        restriction: row.get_ref(11)?.as_str()?,
        restriction_countries: row.get_ref(12)?.as_str()?,
        handling: row.get_ref(13)?.as_str()?,
        handling_note: row.get(14)?,
    }
    .parse(id)?;
    Ok(StoredNotice {
        id,
        version: row.get(3)?,
        row: NoticeRow {
            kind: row.get(1)?,
            state: row.get(2)?,
            person_id: row.get(4)?,
            body: row.get(5)?,
            public_extract: row.get::<_, i64>(6)? != 0,
            meta,
        },
        created_at: Timestamp(row.get(15)?),
        updated_at: Timestamp(row.get(16)?),
    })
}

fn read_event(row: &Row<'_>) -> Result<NoticeEvent> {
    Ok(NoticeEvent {
        transition: row.get(0)?,
        from_state: row.get(1)?,
        to_state: row.get(2)?,
        version: row.get(3)?,
        by_org: org_code(row.get_ref(4)?.as_str()?)?,
        by_name: row.get(5)?,
        reason: row.get(6)?,
        detail: row.get(7)?,
        at: Timestamp(row.get(8)?),
    })
}

fn add_event(tx: &Transaction<'_>, id: i64, event: &NoticeEvent) -> Result<()> {
    tx.prepare_cached(&format!(
        "INSERT INTO notice_events (notice_id, {NOTICE_EVENT_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?
    .execute(params![
        id,
        event.transition,
        event.from_state,
        event.to_state,
        event.version,
        event.by_org.as_str(),
        event.by_name,
        event.reason,
        event.detail,
        event.at.0
    ])?;
    Ok(())
}

fn add_version(
    tx: &Transaction<'_>,
    id: i64,
    version: i64,
    body: &str,
    at: Timestamp,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO notice_versions (notice_id, version, body, at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, version, body, at.0])?;
    Ok(())
}

fn unique(error: rusqlite::Error) -> StoreError {
    if is_unique_violation(&error) {
        StoreError::Conflict(REFERENCE_TAKEN.into())
    } else {
        error.into()
    }
}

/// A row's written columns, in the order of [`WRITTEN`], then the time of the write.
const WRITTEN: &str = "kind, state, person_id, body, public_extract, owner, external_ref, \
     reported_date, review_date, restriction, restriction_countries, handling, handling_note";

/// Calls `bind` with the values of [`WRITTEN`] and `at`, in order.
fn with_row_values<R>(row: &NoticeRow, at: Timestamp, bind: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
    let meta = MetaText::of(&row.meta);
    let public_extract = i64::from(row.public_extract);
    bind(&[
        &row.kind,
        &row.state,
        &row.person_id,
        &row.body,
        &public_extract,
        &meta.owner,
        &meta.external_ref,
        &meta.reported_date,
        &meta.review_date,
        &meta.restriction,
        &meta.restriction_countries,
        &meta.handling,
        &meta.handling_note,
        &at.0,
    ])
}

pub(super) fn create(
    tx: &Transaction<'_>,
    row: &NoticeRow,
    event: &NoticeEvent,
    announce: &Announce<'_>,
) -> Result<StoredNotice> {
    let mut statement = tx.prepare_cached(&format!(
        "INSERT INTO notices ({WRITTEN}, created_at, updated_at, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, 1)"
    ))?;
    with_row_values(row, event.at, |values| statement.execute(values)).map_err(unique)?;
    let id = tx.last_insert_rowid();
    add_version(tx, id, 1, &row.body, event.at)?;
    add_event(tx, id, event)?;
    if let Some(message) = announce(id) {
        super::messages::send(tx, &message)?;
    }
    get(tx, id)?.ok_or_else(|| StoreError::Corrupt(format!("notice {id} vanished")))
}

pub(super) fn get(connection: &Connection, id: i64) -> Result<Option<StoredNotice>> {
    connection
        .prepare_cached(&format!(
            "SELECT {NOTICE_COLUMNS} FROM notices WHERE id = ?1"
        ))?
        .query_row([id], |row| Ok(read_notice(row)))
        .optional()?
        .transpose()
}

pub(super) fn list(
    connection: &Connection,
    filter: &NoticeFilter,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<StoredNotice>> {
    let (sql, values) = crate::columns::notice_list_sql(filter, before, |i| format!("?{i}"));
    let mut statement = connection.prepare_cached(&sql)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut bound: Vec<&dyn ToSql> = values
        .iter()
        .map(|value| match value {
            crate::columns::NoticeParam::Text(text) => text as &dyn ToSql,
            crate::columns::NoticeParam::Int(number) => number as &dyn ToSql,
        })
        .collect();
    bound.push(&limit);
    let rows = statement.query_map(bound.as_slice(), |row| Ok(read_notice(row)))?;
    rows.map(|row| row?).collect()
}

pub(super) fn change(
    tx: &Transaction<'_>,
    id: i64,
    decide: &NoticeDecide<'_>,
) -> Result<Option<StoredNotice>> {
    let Some(current) = get(tx, id)? else {
        return Ok(None);
    };
    let Some(NoticeChange {
        row,
        event,
        announce,
    }) = decide(&current)
    else {
        return Ok(None);
    };
    let version = if row.body != current.row.body {
        current.version + 1
    } else {
        current.version
    };
    let mut statement = tx.prepare_cached(&format!(
        "UPDATE notices SET ({WRITTEN}, updated_at, version) =
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         WHERE id = ?16"
    ))?;
    with_row_values(&row, event.at, |values| {
        let mut values = values.to_vec();
        values.extend([&version as &dyn ToSql, &id]);
        statement.execute(values.as_slice())
    })
    .map_err(unique)?;
    if version != current.version {
        add_version(tx, id, version, &row.body, event.at)?;
    }
    add_event(tx, id, &NoticeEvent { version, ..event })?;
    if let Some(message) = &announce {
        super::messages::send(tx, message)?;
    }
    get(tx, id)
}

pub(super) fn history(connection: &Connection, id: i64) -> Result<Vec<NoticeEvent>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {NOTICE_EVENT_COLUMNS} FROM notice_events WHERE notice_id = ?1 ORDER BY id"
    ))?;
    let rows = statement.query_map([id], |row| Ok(read_event(row)))?;
    rows.map(|row| row?).collect()
}

pub(super) fn version(connection: &Connection, id: i64, version: i64) -> Result<Option<String>> {
    Ok(connection
        .prepare_cached("SELECT body FROM notice_versions WHERE notice_id = ?1 AND version = ?2")?
        .query_row([id, version], |row| row.get(0))
        .optional()?)
}

//! Notices and diffusions in PostgreSQL: the current row, every version's request, every move.

use palermo_core::Timestamp;
use postgres::types::ToSql;
use postgres::{GenericClient, Row, Transaction};

use super::is_unique_violation;
use super::security::org_code;
use crate::columns::{MetaRead, MetaText, NOTICE_COLUMNS, NOTICE_EVENT_COLUMNS};
use crate::{
    Announce, NoticeChange, NoticeDecide, NoticeEvent, NoticeFilter, NoticeRow, Result, StoreError,
    StoredNotice,
};

const REFERENCE_TAKEN: &str = "another notice of this owner has that external reference";

fn read_notice(row: &Row) -> Result<StoredNotice> {
    let id: i64 = row.try_get(0)?;
    let meta = MetaRead {
        owner: row.try_get(7)?,
        external_ref: row.try_get(8)?,
        reported_date: row.try_get(9)?,
        review_date: row.try_get(10)?,
        restriction: row.try_get(11)?,
        restriction_countries: row.try_get(12)?,
        handling: row.try_get(13)?,
        handling_note: row.try_get(14)?,
    }
    .parse(id)?;
    Ok(StoredNotice {
        id,
        version: row.try_get(3)?,
        row: NoticeRow {
            kind: row.try_get(1)?,
            state: row.try_get(2)?,
            person_id: row.try_get(4)?,
            body: row.try_get(5)?,
            public_extract: row.try_get::<_, i64>(6)? != 0,
            meta,
        },
        created_at: Timestamp(row.try_get(15)?),
        updated_at: Timestamp(row.try_get(16)?),
    })
}

fn read_event(row: &Row) -> Result<NoticeEvent> {
    Ok(NoticeEvent {
        transition: row.try_get(0)?,
        from_state: row.try_get(1)?,
        to_state: row.try_get(2)?,
        version: row.try_get(3)?,
        by_org: org_code(row.try_get(4)?)?,
        by_name: row.try_get(5)?,
        reason: row.try_get(6)?,
        detail: row.try_get(7)?,
        at: Timestamp(row.try_get(8)?),
    })
}

fn add_event(tx: &mut Transaction<'_>, id: i64, event: &NoticeEvent) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO notice_events (notice_id, {NOTICE_EVENT_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ),
        &[
            &id,
            &event.transition,
            &event.from_state,
            &event.to_state,
            &event.version,
            &event.by_org.as_str(),
            &event.by_name,
            &event.reason,
            &event.detail,
            &event.at.0,
        ],
    )?;
    Ok(())
}

fn add_version(
    tx: &mut Transaction<'_>,
    id: i64,
    version: i64,
    body: &str,
    at: Timestamp,
) -> Result<()> {
    tx.execute(
        "INSERT INTO notice_versions (notice_id, version, body, at) VALUES ($1, $2, $3, $4)",
        &[&id, &version, &body, &at.0],
    )?;
    Ok(())
}

fn unique(error: postgres::Error) -> StoreError {
    if is_unique_violation(&error) {
        StoreError::Conflict(REFERENCE_TAKEN.into())
    } else {
        error.into()
    }
}

/// A row's written columns, in the order of [`with_row_values`], then the time of the write.
const WRITTEN: &str = "kind, state, person_id, body, public_extract, owner, external_ref, \
     reported_date, review_date, restriction, restriction_countries, handling, handling_note";

type Param<'a> = &'a (dyn ToSql + Sync);

/// Calls `bind` with the values of [`WRITTEN`] and `at`, in order.
fn with_row_values<R>(row: &NoticeRow, at: Timestamp, bind: impl FnOnce(&[Param<'_>]) -> R) -> R {
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
    tx: &mut Transaction<'_>,
    row: &NoticeRow,
    event: &NoticeEvent,
    announce: &Announce<'_>,
) -> Result<StoredNotice> {
    let sql = format!(
        "INSERT INTO notices ({WRITTEN}, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, 1)
         RETURNING id"
    );
    let id: i64 = with_row_values(row, event.at, |values| tx.query_one(&sql, values))
        .map_err(unique)?
        .try_get(0)?;
    add_version(tx, id, 1, &row.body, event.at)?;
    add_event(tx, id, event)?;
    if let Some(message) = announce(id) {
        super::messages::send(tx, &message)?;
    }
    get(tx, id)?.ok_or_else(|| StoreError::Corrupt(format!("notice {id} vanished")))
}

pub(super) fn get(client: &mut impl GenericClient, id: i64) -> Result<Option<StoredNotice>> {
    client
        .query_opt(
            &format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE id = $1"),
            &[&id],
        )?
        .map(|row| read_notice(&row))
        .transpose()
}

pub(super) fn list(
    client: &mut impl GenericClient,
    filter: &NoticeFilter,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<StoredNotice>> {
    let (sql, values) = crate::columns::notice_list_sql(filter, before, |i| format!("${i}"));
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut bound: Vec<&(dyn ToSql + Sync)> = values
        .iter()
        .map(|value| match value {
            crate::columns::NoticeParam::Text(text) => text as &(dyn ToSql + Sync),
            crate::columns::NoticeParam::Int(number) => number as &(dyn ToSql + Sync),
        })
        .collect();
    bound.push(&limit);
    let rows = client.query(&sql, &bound)?;
    rows.iter().map(read_notice).collect()
}

pub(super) fn change(
    tx: &mut Transaction<'_>,
    id: i64,
    decide: &NoticeDecide<'_>,
) -> Result<Option<StoredNotice>> {
    // Every write transaction holds the write lock: a second mover decides on what this
    // one wrote.
    let current = get(tx, id)?;
    let Some(current) = current else {
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
    let sql = format!(
        "UPDATE notices SET ({WRITTEN}, updated_at, version) =
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         WHERE id = $16"
    );
    with_row_values(&row, event.at, |values| {
        let mut values = values.to_vec();
        values.extend([&version as Param<'_>, &id]);
        tx.execute(&sql, &values)
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

pub(super) fn history(client: &mut impl GenericClient, id: i64) -> Result<Vec<NoticeEvent>> {
    let rows = client.query(
        &format!(
            "SELECT {NOTICE_EVENT_COLUMNS} FROM notice_events WHERE notice_id = $1 ORDER BY id"
        ),
        &[&id],
    )?;
    rows.iter().map(read_event).collect()
}

pub(super) fn version(
    client: &mut impl GenericClient,
    id: i64,
    version: i64,
) -> Result<Option<String>> {
    Ok(client
        .query_opt(
            "SELECT body FROM notice_versions WHERE notice_id = $1 AND version = $2",
            &[&id, &version],
        )?
        .map(|row| row.try_get(0))
        .transpose()?)
}

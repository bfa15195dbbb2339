//! Screened passenger manifests and travel warnings.

use palermo_core::{CountryCode, OrgCode, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::security::org_code;
use crate::columns::country;
use crate::{
    ManifestRow, NewTravelWarning, Result, StoredManifest, StoredTravelWarning, TravelWarningRow,
};

const MANIFEST_COLUMNS: &str = "id, at, checking_org, checking_user, sender, reference, flight,
    departure_airport, departure_time, arrival_airport, arrival_time, travellers, hits, possible,
    report";

fn manifest_of(row: &Row<'_>) -> Result<StoredManifest> {
    Ok(StoredManifest {
        id: row.get(0)?,
        row: ManifestRow {
            at: Timestamp(row.get(1)?),
            checking_org: org_code(row.get_ref(2)?.as_str()?)?,
            checking_user: row.get(3)?,
            sender: row.get(4)?,
            reference: row.get(5)?,
            flight: row.get(6)?,
            departure_airport: row.get(7)?,
            departure_time: row.get(8)?,
            arrival_airport: row.get(9)?,
            arrival_time: row.get(10)?,
            travellers: row.get(11)?,
            hits: row.get(12)?,
            possible: row.get(13)?,
            report: row.get(14)?,
        },
    })
}

pub(super) fn record_manifest(tx: &Transaction<'_>, m: &ManifestRow) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO manifests (at, checking_org, checking_user, sender, reference, flight,
             departure_airport, departure_time, arrival_airport, arrival_time, travellers, hits,
             possible, report)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        m.at.0,
        m.checking_org.as_str(),
        m.checking_user,
        m.sender,
        m.reference,
        m.flight,
        m.departure_airport,
        m.departure_time,
        m.arrival_airport,
        m.arrival_time,
        m.travellers,
        m.hits,
        m.possible,
        m.report
    ])?;
    Ok(tx.last_insert_rowid())
}

pub(super) fn manifest(connection: &Connection, id: i64) -> Result<Option<StoredManifest>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {MANIFEST_COLUMNS} FROM manifests WHERE id = ?1"
    ))?;
    let mut rows = statement.query([id])?;
    match rows.next()? {
        Some(row) => Ok(Some(manifest_of(row)?)),
        None => Ok(None),
    }
}

pub(super) fn manifests(
    connection: &Connection,
    org: OrgCode,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<StoredManifest>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {MANIFEST_COLUMNS} FROM manifests WHERE checking_org = ?1 AND id < ?2
         ORDER BY id DESC LIMIT ?3"
    ))?;
    let mut rows = statement.query(params![
        org.as_str(),
        before.unwrap_or(i64::MAX),
        limit as i64
    ])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(manifest_of(row)?);
    }
    Ok(out)
}

const WARNING_COLUMNS: &str = "id, at, sender_org, sender_user, source, destination, notice_id,
    notice_owner, person_id, dedup, traveller, journey, note";

fn warning_of(row: &Row<'_>) -> Result<StoredTravelWarning> {
    let id: i64 = row.get(0)?;
    let owner: Option<String> = row.get(7)?;
    Ok(StoredTravelWarning {
        id,
        row: TravelWarningRow {
            at: Timestamp(row.get(1)?),
            sender_org: org_code(row.get_ref(2)?.as_str()?)?,
            sender_user: row.get(3)?,
            source: row.get(4)?,
            destination: country(id, row.get_ref(5)?.as_str()?)?,
            notice_id: row.get(6)?,
            notice_owner: owner.as_deref().map(|c| country(id, c)).transpose()?,
            person_id: row.get(8)?,
            dedup: row.get(9)?,
            traveller: row.get(10)?,
            journey: row.get(11)?,
            note: row.get(12)?,
        },
    })
}

pub(super) fn record_warnings(
    tx: &Transaction<'_>,
    warnings: &[NewTravelWarning],
) -> Result<Vec<Option<i64>>> {
    let mut out = Vec::with_capacity(warnings.len());
    for warning in warnings {
        let w = &warning.row;
        let known: Option<i64> = tx
            .prepare_cached("SELECT id FROM travel_warnings WHERE dedup = ?1")?
            .query_row([&w.dedup], |row| row.get(0))
            .optional()?;
        if known.is_some() {
            out.push(None);
            continue;
        }
        tx.prepare_cached(
            "INSERT INTO travel_warnings (at, sender_org, sender_user, source, destination,
                 notice_id, notice_owner, person_id, dedup, traveller, journey, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            w.at.0,
            w.sender_org.as_str(),
            w.sender_user,
            w.source,
            w.destination.as_str(),
            w.notice_id,
            w.notice_owner.map(CountryCode::as_str),
            w.person_id,
            w.dedup,
            w.traveller,
            w.journey,
            w.note
        ])?;
        out.push(Some(tx.last_insert_rowid()));
        for message in &warning.messages {
            super::messages::send(tx, message)?;
        }
    }
    Ok(out)
}

pub(super) fn warnings(
    connection: &Connection,
    org: OrgCode,
    country: Option<CountryCode>,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<StoredTravelWarning>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {WARNING_COLUMNS} FROM travel_warnings
         WHERE (sender_org = ?1 OR destination = ?2 OR notice_owner = ?2) AND id < ?3
         ORDER BY id DESC LIMIT ?4"
    ))?;
    let mut rows = statement.query(params![
        org.as_str(),
        country.map(CountryCode::as_str),
        before.unwrap_or(i64::MAX),
        limit as i64
    ])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(warning_of(row)?);
    }
    Ok(out)
}

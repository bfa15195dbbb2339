//! Screened passenger manifests and travel warnings.

use palermo_core::{CountryCode, OrgCode, Timestamp};
use postgres::{GenericClient, Row, Transaction};

use super::security::org_code;
use crate::columns::country;
use crate::{
    ManifestRow, NewTravelWarning, Result, StoredManifest, StoredTravelWarning, TravelWarningRow,
};

const MANIFEST_COLUMNS: &str = "id, at, checking_org, checking_user, sender, reference, flight,
    departure_airport, departure_time, arrival_airport, arrival_time, travellers, hits, possible,
    report";

fn manifest_of(row: &Row) -> Result<StoredManifest> {
    Ok(StoredManifest {
        id: row.try_get(0)?,
        row: ManifestRow {
            at: Timestamp(row.try_get(1)?),
            checking_org: org_code(row.try_get(2)?)?,
            checking_user: row.try_get(3)?,
            sender: row.try_get(4)?,
            reference: row.try_get(5)?,
            flight: row.try_get(6)?,
            departure_airport: row.try_get(7)?,
            departure_time: row.try_get(8)?,
            arrival_airport: row.try_get(9)?,
            arrival_time: row.try_get(10)?,
            travellers: row.try_get(11)?,
            hits: row.try_get(12)?,
            possible: row.try_get(13)?,
            report: row.try_get(14)?,
        },
    })
}

pub(super) fn record_manifest(tx: &mut Transaction<'_>, m: &ManifestRow) -> Result<i64> {
    let row = tx.query_one(
        "INSERT INTO manifests (at, checking_org, checking_user, sender, reference, flight,
             departure_airport, departure_time, arrival_airport, arrival_time, travellers, hits,
             possible, report)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        &[
            &m.at.0,
            &m.checking_org.as_str(),
            &m.checking_user,
            &m.sender,
            &m.reference,
            &m.flight,
            &m.departure_airport,
            &m.departure_time,
            &m.arrival_airport,
            &m.arrival_time,
            &m.travellers,
            &m.hits,
            &m.possible,
            &m.report,
        ],
    )?;
    Ok(row.try_get(0)?)
}

pub(super) fn manifest(client: &mut impl GenericClient, id: i64) -> Result<Option<StoredManifest>> {
    let rows = client.query(
        &format!("SELECT {MANIFEST_COLUMNS} FROM manifests WHERE id = $1"),
        &[&id],
    )?;
    rows.first().map(manifest_of).transpose()
}

pub(super) fn manifests(
    client: &mut impl GenericClient,
    org: OrgCode,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<StoredManifest>> {
    let rows = client.query(
        &format!(
            "SELECT {MANIFEST_COLUMNS} FROM manifests WHERE checking_org = $1 AND id < $2
             ORDER BY id DESC LIMIT $3"
        ),
        &[&org.as_str(), &before.unwrap_or(i64::MAX), &(limit as i64)],
    )?;
    rows.iter().map(manifest_of).collect()
}

const WARNING_COLUMNS: &str = "id, at, sender_org, sender_user, source, destination, notice_id,
    notice_owner, person_id, dedup, traveller, journey, note";

fn warning_of(row: &Row) -> Result<StoredTravelWarning> {
    let id: i64 = row.try_get(0)?;
    let owner: Option<&str> = row.try_get(7)?;
    Ok(StoredTravelWarning {
        id,
        row: TravelWarningRow {
            at: Timestamp(row.try_get(1)?),
            sender_org: org_code(row.try_get(2)?)?,
            sender_user: row.try_get(3)?,
            source: row.try_get(4)?,
            destination: country(id, row.try_get(5)?)?,
            notice_id: row.try_get(6)?,
            notice_owner: owner.map(|c| country(id, c)).transpose()?,
            person_id: row.try_get(8)?,
            dedup: row.try_get(9)?,
            traveller: row.try_get(10)?,
            journey: row.try_get(11)?,
            note: row.try_get(12)?,
        },
    })
}

pub(super) fn record_warnings(
    tx: &mut Transaction<'_>,
    warnings: &[NewTravelWarning],
) -> Result<Vec<Option<i64>>> {
    let mut out = Vec::with_capacity(warnings.len());
    for warning in warnings {
        let w = &warning.row;
        // Under the hub's write lock: no other writer inserts the key between these two.
        let inserted = tx.query(
            "INSERT INTO travel_warnings (at, sender_org, sender_user, source, destination,
                 notice_id, notice_owner, person_id, dedup, traveller, journey, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (dedup) DO NOTHING RETURNING id",
            &[
                &w.at.0,
                &w.sender_org.as_str(),
                &w.sender_user,
                &w.source,
                &w.destination.as_str(),
                &w.notice_id,
                &w.notice_owner.map(CountryCode::as_str),
                &w.person_id,
                &w.dedup,
                &w.traveller,
                &w.journey,
                &w.note,
            ],
        )?;
        let Some(row) = inserted.first() else {
            out.push(None);
            continue;
        };
        out.push(Some(row.try_get(0)?));
        for message in &warning.messages {
            super::messages::send(tx, message)?;
        }
    }
    Ok(out)
}

pub(super) fn warnings(
    client: &mut impl GenericClient,
    org: OrgCode,
    country: Option<CountryCode>,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<StoredTravelWarning>> {
    let rows = client.query(
        &format!(
            "SELECT {WARNING_COLUMNS} FROM travel_warnings
             WHERE (sender_org = $1 OR destination = $2 OR notice_owner = $2) AND id < $3
             ORDER BY id DESC LIMIT $4"
        ),
        &[
            &org.as_str(),
            &country.map(CountryCode::as_str),
            &before.unwrap_or(i64::MAX),
            &(limit as i64),
        ],
    )?;
    rows.iter().map(warning_of).collect()
}

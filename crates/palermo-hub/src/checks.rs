//! Checks: is this document or vehicle reported? The no-hit path reads only the in-memory
//! index; a candidate is confirmed against its record, which also applies the owner's
//! restrictions, so a record the caller may not see is never a hit.

use palermo_core::date::serde_date;
use palermo_core::error::field_path;
use palermo_core::normalise::{self, fold_confusables};
use palermo_core::{
    CountryCode, Document, DocumentStatus, DocumentType, FieldErrors, RecordMeta, Stored,
    Timestamp, Vehicle, VehicleStatus,
};
use palermo_index::{Candidate, document_key, plate_key, vin_key};
use palermo_store::{NewHit, RecordKind};
use serde::{Deserialize, Serialize};
use time::Date;

use palermo_core::audit::AuditEvent;
use palermo_core::{HandlingCode, Permissions};

use crate::visibility::fair_candidates;
use crate::{Caller, Hub, HubError, Result, audit};

/// Most queries in one check request.
pub const CHECK_BATCH_MAX: usize = 1000;
/// Most candidates of one owner confirmed for one query (its exact-looking and older records
/// first). Visibility is decided before this bound, and it applies per owner, so that no
/// organisation's records, however many, take the place of another's.
const CANDIDATES_PER_OWNER_MAX: usize = 32;

/// One travel document to check.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentQuery {
    pub number: Option<String>,
    /// ISO 3166-1 alpha-3 or ICAO 9303 code of the issuing state or organisation.
    pub issuing_country: Option<String>,
    /// Optional; a record of another type matches as a possible hit only.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// The holder's name as read from the document (the MRZ): with it, the check also
    /// screens the wanted and missing persons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    /// `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`), with `holder_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_birth_date: Option<String>,
}

/// One vehicle to check: by VIN, by plate and its country, or both.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plate_country: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The identifier matches the record as written.
    Exact,
    /// The identifier matches only once commonly confused characters (O/0, I/1, B/8, S/5 …)
    /// are treated as equal, or the document type differs: an officer must compare.
    Possible,
}

impl MatchKind {
    fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Possible => "possible",
        }
    }
}

/// What every match shows, whatever the record kind: which record, how it matched, whose it is
/// and its dates.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Matched {
    pub record_id: i64,
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
    #[schema(value_type = String)]
    pub owner: CountryCode,
    #[serde(with = "serde_date")]
    #[schema(value_type = String, format = Date)]
    pub reported_date: Date,
    #[serde(with = "serde_date")]
    #[schema(value_type = String, format = Date)]
    pub review_date: Date,
    /// `H0` to `H3`: how the information may be used (H1: not as evidence without the owner's
    /// permission; H2: not to be passed on; H3: see the note).
    #[schema(value_type = String)]
    pub handling: HandlingCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handling_note: Option<String>,
}

impl Matched {
    fn of<T>(stored: &Stored<T>, meta: &RecordMeta, match_kind: MatchKind) -> Matched {
        Matched {
            record_id: stored.id,
            match_kind,
            owner: meta.owner,
            reported_date: meta.reported_date,
            review_date: meta.review_date,
            handling: meta.handling,
            handling_note: meta.handling_note.clone(),
        }
    }
}

/// What the caller may see of a matching document.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentMatch {
    pub number: String,
    #[schema(value_type = String)]
    pub issuing_country: CountryCode,
    #[serde(rename = "type")]
    pub document_type: DocumentType,
    pub status: DocumentStatus,
    #[serde(flatten)]
    pub matched: Matched,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentCheckResult {
    /// The query as asked.
    pub query: DocumentQuery,
    pub hit: bool,
    /// The best match: `exact` if any match is exact.
    #[serde(rename = "match")]
    pub match_kind: Option<MatchKind>,
    pub matches: Vec<DocumentMatch>,
    /// Persons whose record the holder's name and birth date match (a hit each), when the
    /// query gave the holder's name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<crate::PersonCandidate>,
    /// Notices and diffusions that name the document (a hit each): what they ask the officer
    /// to do, and whom to contact.
    pub notices: Vec<crate::NoticeHit>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VehicleMatch {
    /// Which identifier matched: `vin` or `plate`.
    pub matched_on: &'static str,
    pub vin: Option<String>,
    pub plate: Option<String>,
    #[schema(value_type = Option<String>)]
    pub plate_country: Option<CountryCode>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub colour: Option<String>,
    pub year: Option<i32>,
    pub status: VehicleStatus,
    #[serde(flatten)]
    pub matched: Matched,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VehicleCheckResult {
    pub query: VehicleQuery,
    pub hit: bool,
    #[serde(rename = "match")]
    pub match_kind: Option<MatchKind>,
    pub matches: Vec<VehicleMatch>,
    /// Notices and diffusions that name the vehicle (a hit each).
    pub notices: Vec<crate::NoticeHit>,
}

/// Check results not yet audited. Results reach the caller only through [`Checked::record`]
/// or [`Checked::submit`], which make the check's audit entry and its hits durable first, so
/// no edge can answer a check without its trace.
#[must_use = "results must be released through record or submit"]
pub struct Checked<R> {
    results: Vec<R>,
    hits: Vec<NewHit>,
    audit: AuditEvent,
}

impl<R> Checked<R> {
    /// Results with the trace a use case made for them.
    pub(crate) fn from_parts(results: Vec<R>, hits: Vec<NewHit>, audit: AuditEvent) -> Checked<R> {
        Checked {
            results,
            hits,
            audit,
        }
    }

    /// Results of a check whose trace (audit entry, hits) is yet to be made durable.
    pub(crate) fn new(
        hub: &Hub,
        caller: &Caller,
        action: &str,
        queries: &(impl Serialize + ?Sized),
        results: Vec<R>,
        hits: Vec<NewHit>,
    ) -> Checked<R> {
        let count = results.len();
        let audit = check_event(hub, caller, action, queries, count, &hits);
        Checked {
            results,
            hits,
            audit,
        }
    }

    /// Records the audit entry and hits, waiting on this thread until they are durable (run
    /// it where blocking is fine), then releases the results.
    pub fn record(mut self, hub: &Hub) -> Result<Vec<R>> {
        let (events, hits) = self.trace();
        audit::wait(hub.group.submit(events, hits)?)?;
        Ok(self.results)
    }

    /// What must be durable before the results go out: the audit entry and the hits.
    fn trace(&mut self) -> (Vec<AuditEvent>, Vec<NewHit>) {
        (
            vec![std::mem::take(&mut self.audit)],
            std::mem::take(&mut self.hits),
        )
    }

    /// Queues the audit entry and hits for the next group commit; await
    /// [`Submitted::durable`] for the results.
    pub fn submit(mut self, hub: &Hub) -> Result<Submitted<R>> {
        let (events, hits) = self.trace();
        let pending = hub.group.submit(events, hits)?;
        Ok(Submitted {
            results: self.results,
            pending,
        })
    }

    pub fn hit_count(&self) -> usize {
        self.hits.len()
    }
}

/// Checks whose trace is queued for the group commit.
#[must_use = "results are released by durable()"]
pub struct Submitted<R> {
    results: Vec<R>,
    pending: audit::Pending,
}

impl<R> Submitted<R> {
    /// The results, once the check's audit entry and hits are durable.
    pub async fn durable(self) -> Result<Vec<R>> {
        audit::wait_async(self.pending).await?;
        Ok(self.results)
    }
}

pub(crate) struct ParsedDocumentQuery {
    country: CountryCode,
    number: String,
    document_type: Option<DocumentType>,
}

/// The path of query `index` in a batch named `field`, made only when an error needs it.
fn query_path(field: &str, index: usize, name: &str) -> String {
    field_path(&format!("{field}[{index}]"), name)
}

pub(crate) fn parse_document_query(
    query: &DocumentQuery,
    index: usize,
    errors: &mut FieldErrors,
) -> Option<ParsedDocumentQuery> {
    let path = |name: &str| query_path("documents", index, name);
    if let Some(name) = query.holder_name.as_deref()
        && let Err(problem) = palermo_names::check(name)
    {
        errors.push(path("holder_name"), problem);
    }
    if let Some(date) = query
        .holder_birth_date
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        if query.holder_name.is_none() {
            errors.push(path("holder_birth_date"), "goes with holder_name");
        } else if let Err(problem) = palermo_core::PartialDate::parse(date) {
            errors.push(path("holder_birth_date"), problem);
        }
    }
    let number = match query.number.as_deref() {
        None => {
            errors.push(path("number"), "is required");
            None
        }
        Some(raw) => normalise::document_number(raw)
            .map_err(|reason| errors.push(path("number"), reason))
            .ok(),
    };
    let country = match query.issuing_country.as_deref() {
        None => {
            errors.push(path("issuing_country"), "is required");
            None
        }
        Some(raw) => {
            let parsed = CountryCode::parse(raw.trim());
            if parsed.is_none() {
                errors.push(
                    path("issuing_country"),
                    format!("{raw:?} is not an ISO 3166-1 alpha-3 or ICAO 9303 code"),
                );
            }
            parsed
        }
    };
    let document_type = match query
        .document_type
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        None => Some(None),
        Some(raw) => {
            let parsed = DocumentType::parse(raw);
            if parsed.is_none() {
                errors.push(path("type"), format!("{raw:?} is not a document type"));
            }
            parsed.map(Some)
        }
    };
    Some(ParsedDocumentQuery {
        country: country?.canonical(),
        number: number?,
        document_type: document_type?,
    })
}

struct ParsedVehicleQuery {
    vin: Option<String>,
    plate: Option<(CountryCode, String)>,
}

fn parse_vehicle_query(
    query: &VehicleQuery,
    index: usize,
    errors: &mut FieldErrors,
) -> Option<ParsedVehicleQuery> {
    let path = |name: &str| query_path("vehicles", index, name);
    let before = errors.0.len();
    let present = |value: &Option<String>| {
        value
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(str::to_owned)
    };
    let vin = present(&query.vin).and_then(|raw| {
        normalise::vin_for_query(&raw)
            .map_err(|reason| errors.push(path("vin"), reason))
            .ok()
    });
    let plate = present(&query.plate).and_then(|raw| {
        normalise::plate(&raw)
            .map_err(|reason| errors.push(path("plate"), reason))
            .ok()
    });
    let country = present(&query.plate_country).and_then(|raw| {
        let parsed = CountryCode::parse(raw.trim());
        if parsed.is_none() {
            errors.push(
                path("plate_country"),
                format!("{raw:?} is not an ISO 3166-1 alpha-3 code"),
            );
        }
        parsed
    });
    if present(&query.vin).is_none() && present(&query.plate).is_none() {
        errors.push(path("vin"), "give a VIN, a plate with its country, or both");
    }
    if present(&query.plate).is_some() && present(&query.plate_country).is_none() {
        errors.push(path("plate_country"), "is required with a plate");
    }
    if errors.0.len() > before {
        return None;
    }
    Some(ParsedVehicleQuery {
        vin,
        plate: plate
            .zip(country)
            .map(|(plate, country)| (country.canonical(), plate)),
    })
}

fn batch_size_ok(len: usize, field: &str) -> Result<()> {
    if len == 0 {
        return Err(HubError::Invalid(FieldErrors::single(field, "is empty")));
    }
    if len > CHECK_BATCH_MAX {
        return Err(HubError::Invalid(FieldErrors::single(
            field,
            format!("holds {len} queries; at most {CHECK_BATCH_MAX} per request"),
        )));
    }
    Ok(())
}

fn new_hit(
    hub: &Hub,
    caller: &Caller,
    kind: RecordKind,
    record_id: i64,
    owner: CountryCode,
    match_kind: MatchKind,
    query: &impl Serialize,
) -> NewHit {
    let at = hub.now();
    NewHit {
        at,
        record_kind: kind,
        record_id,
        owner,
        checking_org: caller.org,
        match_kind: match_kind.as_str().to_owned(),
        query: serde_json::to_string(query).unwrap_or_default(),
        due_at: Timestamp(at.0 + hub.policy.hit_deadline_ms),
    }
}

/// The hit of a check on a notice or a diffusion: its owner is told, as of a record's hit.
pub(crate) fn notice_hit(
    hub: &Hub,
    caller: &Caller,
    notice: &crate::NoticeHit,
    query: &impl Serialize,
) -> NewHit {
    let at = hub.now();
    NewHit {
        at,
        record_kind: RecordKind::Notice,
        record_id: notice.notice_id,
        owner: notice.owner,
        checking_org: caller.org,
        match_kind: format!("{} {}", notice.kind, notice.matched_on),
        query: serde_json::to_string(query).unwrap_or_default(),
        due_at: Timestamp(at.0 + hub.policy.hit_deadline_ms),
    }
}

/// The audit entry of a check request: what was asked goes in the erasable payload; the
/// owners of the records it hit are concerned by it (their auditors see the entry, without
/// the payload, which holds other travellers' data).
pub(crate) fn check_event(
    hub: &Hub,
    caller: &Caller,
    action: &str,
    queries: &(impl Serialize + ?Sized),
    count: usize,
    hits: &[NewHit],
) -> AuditEvent {
    let outcome = if hits.is_empty() { "no-hit" } else { "hit" };
    let mut event = hub.event(caller, action, outcome);
    event.detail = Some(format!("{count} queries, {} hits", hits.len()));
    event.payload = serde_json::to_string(queries).ok();
    for hit in hits {
        event.concern(hit.owner.as_str());
    }
    event
}

/// Audits a refused check without waiting for the entry to be durable: nothing was
/// disclosed, and the caller may be on an async worker.
pub(crate) fn refuse(hub: &Hub, caller: &Caller, action: &str, error: HubError) -> HubError {
    let mut event = hub.event(caller, action, crate::writes::outcome_of(&error));
    event.detail = Some(error.to_string().chars().take(300).collect());
    if let Err(audit_error) = hub.group.submit(vec![event], Vec::new()) {
        tracing::error!(error = %audit_error, "could not audit a refused check");
    }
    error
}

impl Hub {
    /// Checks up to [`CHECK_BATCH_MAX`] travel documents. Invalid queries fail the whole
    /// request, each named by its path (`documents[3].number`).
    pub fn check_documents(
        &self,
        caller: &Caller,
        queries: &[DocumentQuery],
    ) -> Result<Checked<DocumentCheckResult>> {
        self.check_documents_unaudited(caller, queries)
            .map_err(|error| refuse(self, caller, "check.documents", error))
    }

    fn check_documents_unaudited(
        &self,
        caller: &Caller,
        queries: &[DocumentQuery],
    ) -> Result<Checked<DocumentCheckResult>> {
        let (results, hits) = self.document_results(caller, queries, true)?;
        let audit = check_event(
            self,
            caller,
            "check.documents",
            &queries,
            queries.len(),
            &hits,
        );
        Ok(Checked {
            results,
            hits,
            audit,
        })
    }

    /// The results of document checks and the hits they make, unaudited; with
    /// `screen_holders`, the holders the queries name are screened too.
    pub(crate) fn document_results(
        &self,
        caller: &Caller,
        queries: &[DocumentQuery],
        screen_holders: bool,
    ) -> Result<(Vec<DocumentCheckResult>, Vec<NewHit>)> {
        caller.require(Permissions::CHECK)?;
        self.require_indexes()?;
        batch_size_ok(queries.len(), "documents")?;
        let mut errors = FieldErrors::default();
        let parsed: Vec<Option<ParsedDocumentQuery>> = queries
            .iter()
            .enumerate()
            .map(|(i, query)| parse_document_query(query, i, &mut errors))
            .collect();
        if !errors.is_empty() {
            return Err(HubError::Invalid(errors));
        }
        // One pass over the index under one read lock; records are read after it is released.
        let keys: Vec<_> = parsed
            .iter()
            .flatten()
            .map(|query| document_key(query.country, &query.number))
            .collect();
        // Visibility is decided here, in memory: a record the caller may not see costs no
        // read, exactly like a record that does not exist.
        let mut candidates: Vec<Vec<(u32, bool, CountryCode)>> = vec![Vec::new(); queries.len()];
        {
            let index = self.documents.read();
            index.keys.by_number.lookup_many(&keys, |i, candidate| {
                if let Some(owner) = index.access.visible_owner(&caller.viewpoint, candidate.row) {
                    candidates[i].push((candidate.row, candidate.exact, owner));
                }
            });
        }
        let mut hits = Vec::new();
        let mut results = Vec::with_capacity(queries.len());
        for ((query, parsed), found) in queries
            .iter()
            .zip(parsed.into_iter().flatten())
            .zip(candidates)
        {
            let mut matches = Vec::new();
            for (row, _) in fair_candidates(found, CANDIDATES_PER_OWNER_MAX) {
                let Some(stored) = self.store.document(i64::from(row))? else {
                    continue;
                };
                let Some(match_kind) = confirm_document(caller, &parsed, &stored) else {
                    continue;
                };
                let record = &stored.record;
                hits.push(new_hit(
                    self,
                    caller,
                    RecordKind::Document,
                    stored.id,
                    record.meta.owner,
                    match_kind,
                    query,
                ));
                matches.push(DocumentMatch {
                    matched: Matched::of(&stored, &record.meta, match_kind),
                    number: record.number.clone(),
                    issuing_country: record.issuing_country,
                    document_type: record.document_type,
                    status: record.status,
                });
            }
            matches.sort_by_key(|m| (m.matched.match_kind, m.matched.record_id));
            let notices =
                self.notice_hits
                    .read()
                    .for_document(caller, parsed.country, &parsed.number);
            for notice in &notices {
                hits.push(notice_hit(self, caller, notice, query));
            }
            results.push(DocumentCheckResult {
                query: query.clone(),
                hit: !matches.is_empty() || !notices.is_empty(),
                match_kind: matches.first().map(|m| m.matched.match_kind),
                matches,
                persons: Vec::new(),
                notices,
            });
        }
        // Document checks find people too: the holders named are screened.
        let named: &[DocumentQuery] = if screen_holders { queries } else { &[] };
        let holders: Vec<(usize, crate::PersonQuery)> = named
            .iter()
            .enumerate()
            .filter_map(|(i, q)| {
                q.holder_name.as_ref().map(|name| {
                    (
                        i,
                        crate::PersonQuery {
                            name: Some(name.clone()),
                            birth_date: q.holder_birth_date.clone(),
                            ..crate::PersonQuery::default()
                        },
                    )
                })
            })
            .collect();
        if !holders.is_empty() {
            let person_queries: Vec<crate::PersonQuery> =
                holders.iter().map(|(_, q)| q.clone()).collect();
            let (screened, person_hits) = self.screen_results(caller, &person_queries, None)?;
            for ((i, _), result) in holders.iter().zip(screened) {
                results[*i].persons = result.candidates.into_iter().filter(|c| c.hit).collect();
            }
            hits.extend(person_hits);
        }
        Ok((results, hits))
    }

    /// Checks up to [`CHECK_BATCH_MAX`] vehicles by VIN and/or plate.
    pub fn check_vehicles(
        &self,
        caller: &Caller,
        queries: &[VehicleQuery],
    ) -> Result<Checked<VehicleCheckResult>> {
        self.check_vehicles_unaudited(caller, queries)
            .map_err(|error| refuse(self, caller, "check.vehicles", error))
    }

    fn check_vehicles_unaudited(
        &self,
        caller: &Caller,
        queries: &[VehicleQuery],
    ) -> Result<Checked<VehicleCheckResult>> {
        caller.require(Permissions::CHECK)?;
        self.require_indexes()?;
        batch_size_ok(queries.len(), "vehicles")?;
        let mut errors = FieldErrors::default();
        let parsed: Vec<Option<ParsedVehicleQuery>> = queries
            .iter()
            .enumerate()
            .map(|(i, query)| parse_vehicle_query(query, i, &mut errors))
            .collect();
        if !errors.is_empty() {
            return Err(HubError::Invalid(errors));
        }
        // Per query: the visible candidates found by VIN, then those found by plate.
        type Found = Vec<(u32, bool, CountryCode)>;
        let mut candidates: Vec<(Found, Found)> = vec![(Vec::new(), Vec::new()); queries.len()];
        {
            let index = self.vehicles.read();
            let visible = |candidate: Candidate, into: &mut Found| {
                if let Some(owner) = index.access.visible_owner(&caller.viewpoint, candidate.row) {
                    into.push((candidate.row, candidate.exact, owner));
                }
            };
            for (query, (by_vin, by_plate)) in parsed.iter().flatten().zip(candidates.iter_mut()) {
                if let Some(vin) = &query.vin {
                    index
                        .keys
                        .by_vin
                        .lookup(vin_key(vin), |c| visible(c, by_vin));
                }
                if let Some((country, plate)) = &query.plate {
                    index
                        .keys
                        .by_plate
                        .lookup(plate_key(*country, plate), |c| visible(c, by_plate));
                }
            }
        }
        let mut hits = Vec::new();
        let mut results = Vec::with_capacity(queries.len());
        for ((query, parsed), found) in queries
            .iter()
            .zip(parsed.into_iter().flatten())
            .zip(candidates)
        {
            let mut matches: Vec<VehicleMatch> = Vec::new();
            let (by_vin, by_plate) = found;
            let found = fair_candidates(by_vin, CANDIDATES_PER_OWNER_MAX)
                .into_iter()
                .map(|(row, _)| (row, "vin"))
                .chain(
                    fair_candidates(by_plate, CANDIDATES_PER_OWNER_MAX)
                        .into_iter()
                        .map(|(row, _)| (row, "plate")),
                );
            for (row, matched_on) in found {
                if matches
                    .iter()
                    .any(|m| m.matched.record_id == i64::from(row))
                {
                    continue;
                }
                let Some(stored) = self.store.vehicle(i64::from(row))? else {
                    continue;
                };
                let Some(match_kind) = confirm_vehicle(caller, &parsed, &stored, matched_on) else {
                    continue;
                };
                let record = &stored.record;
                hits.push(new_hit(
                    self,
                    caller,
                    RecordKind::Vehicle,
                    stored.id,
                    record.meta.owner,
                    match_kind,
                    query,
                ));
                matches.push(VehicleMatch {
                    matched: Matched::of(&stored, &record.meta, match_kind),
                    matched_on,
                    vin: record.vin.clone(),
                    plate: record.plate.clone(),
                    plate_country: record.plate_country,
                    make: record.make.clone(),
                    model: record.model.clone(),
                    colour: record.colour.clone(),
                    year: record.year,
                    status: record.status,
                });
            }
            matches.sort_by_key(|m| (m.matched.match_kind, m.matched.record_id));
            let notices = self.notice_hits.read().for_vehicle(
                caller,
                parsed.vin.as_deref(),
                parsed
                    .plate
                    .as_ref()
                    .map(|(country, plate)| (*country, plate.as_str())),
            );
            for notice in &notices {
                hits.push(notice_hit(self, caller, notice, query));
            }
            results.push(VehicleCheckResult {
                query: query.clone(),
                hit: !matches.is_empty() || !notices.is_empty(),
                match_kind: matches.first().map(|m| m.matched.match_kind),
                matches,
                notices,
            });
        }
        let audit = check_event(
            self,
            caller,
            "check.vehicles",
            &queries,
            queries.len(),
            &hits,
        );
        Ok(Checked {
            results,
            hits,
            audit,
        })
    }
}

impl Hub {
    /// The records bearing exactly this document number, among those the caller may see, with
    /// their metadata: the lookup of a check, for reading (it records no hit).
    pub(crate) fn document_matches(
        &self,
        caller: &Caller,
        query: &DocumentQuery,
    ) -> Result<Vec<(i64, RecordMeta)>> {
        self.require_indexes()?;
        let mut errors = FieldErrors::default();
        let Some(parsed) = parse_document_query(query, 0, &mut errors) else {
            return Ok(Vec::new());
        };
        let mut candidates = Vec::new();
        {
            let index = self.documents.read();
            index
                .keys
                .by_number
                .lookup(document_key(parsed.country, &parsed.number), |c| {
                    if let Some(owner) = index.access.visible_owner(&caller.viewpoint, c.row) {
                        candidates.push((c.row, c.exact, owner));
                    }
                });
        }
        let mut ids = Vec::new();
        for (row, _) in fair_candidates(candidates, CANDIDATES_PER_OWNER_MAX) {
            if let Some(stored) = self.store.document(i64::from(row))?
                && confirm_document(caller, &parsed, &stored) == Some(MatchKind::Exact)
            {
                ids.push((stored.id, stored.record.meta));
            }
        }
        ids.sort_unstable_by_key(|(id, _)| *id);
        Ok(ids)
    }
}

impl Hub {
    /// The records bearing exactly this VIN or plate (`matched_on`: `vin`, `plate`), among
    /// those the caller may see: the lookup of a check, for reading (it records no hit).
    pub(crate) fn vehicle_matches(
        &self,
        caller: &Caller,
        query: &VehicleQuery,
        matched_on: &'static str,
    ) -> Result<Vec<(i64, RecordMeta)>> {
        self.require_indexes()?;
        let mut errors = FieldErrors::default();
        let Some(parsed) = parse_vehicle_query(query, 0, &mut errors) else {
            return Ok(Vec::new());
        };
        let mut candidates = Vec::new();
        {
            let index = self.vehicles.read();
            let mut visible = |c: Candidate| {
                if let Some(owner) = index.access.visible_owner(&caller.viewpoint, c.row) {
                    candidates.push((c.row, c.exact, owner));
                }
            };
            match (matched_on, &parsed.vin, &parsed.plate) {
                ("vin", Some(vin), _) => index.keys.by_vin.lookup(vin_key(vin), &mut visible),
                ("plate", _, Some((country, plate))) => index
                    .keys
                    .by_plate
                    .lookup(plate_key(*country, plate), &mut visible),
                _ => {}
            }
        }
        let mut ids = Vec::new();
        for (row, _) in fair_candidates(candidates, CANDIDATES_PER_OWNER_MAX) {
            if let Some(stored) = self.store.vehicle(i64::from(row))?
                && confirm_vehicle(caller, &parsed, &stored, matched_on) == Some(MatchKind::Exact)
            {
                ids.push((stored.id, stored.record.meta));
            }
        }
        ids.sort_unstable_by_key(|(id, _)| *id);
        Ok(ids)
    }
}

/// Confirms an index candidate against its record: still active, the caller may see it, and
/// the identifiers really agree (the index holds hashes only).
fn confirm_document(
    caller: &Caller,
    query: &ParsedDocumentQuery,
    stored: &Stored<Document>,
) -> Option<MatchKind> {
    let record = &stored.record;
    if stored.withdrawn_at.is_some()
        || !caller.may_see(&record.meta)
        || record.issuing_country != query.country
    {
        return None;
    }
    let type_agrees = query
        .document_type
        .is_none_or(|t| t == record.document_type);
    if record.number_normalised == query.number {
        return Some(if type_agrees {
            MatchKind::Exact
        } else {
            MatchKind::Possible
        });
    }
    (fold_confusables(&record.number_normalised) == fold_confusables(&query.number))
        .then_some(MatchKind::Possible)
}

fn confirm_vehicle(
    caller: &Caller,
    query: &ParsedVehicleQuery,
    stored: &Stored<Vehicle>,
    matched_on: &str,
) -> Option<MatchKind> {
    let record = &stored.record;
    if stored.withdrawn_at.is_some() || !caller.may_see(&record.meta) {
        return None;
    }
    let (asked, recorded) = match matched_on {
        "vin" => (query.vin.clone()?, record.vin.clone()?),
        _ => {
            let (country, plate) = query.plate.clone()?;
            if record.plate_country != Some(country) {
                return None;
            }
            (plate, record.plate.clone()?)
        }
    };
    if asked == recorded {
        Some(MatchKind::Exact)
    } else {
        (fold_confusables(&asked) == fold_confusables(&recorded)).then_some(MatchKind::Possible)
    }
}

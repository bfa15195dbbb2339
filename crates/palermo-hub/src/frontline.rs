//! The frontline's inputs: a document's machine-readable zone as a reader gives it, and the
//! travellers of an airline's passenger manifest. Each traveller's document is checked against
//! the travel documents (and the notices naming documents) and the traveller screened against
//! the persons (and the notices and diffusions about them), in one audited check.

use palermo_core::FieldErrors;
use palermo_core::mrz::{self, Mrz};
use palermo_store::NewHit;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::checks::{Checked, DocumentCheckResult, DocumentQuery, check_event, refuse};
use crate::{Caller, Hub, HubError, PersonCandidate, PersonQuery, Result};

/// Travellers from which a check screens its persons on several threads, and the most threads.
const PARALLEL_FROM: usize = 32;
const PARALLEL_MAX: usize = 4;

/// Most characters of an MRZ check's input: a zone is at most 90, a reader's noise aside.
const MRZ_INPUT_MAX: usize = 400;

/// A machine-readable zone to check.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MrzCheckInput {
    /// The zone's 2 or 3 lines as the reader gave them (lowercase, spaces and line breaks are
    /// taken; one string holding the whole zone too).
    pub lines: Vec<String>,
    /// Where the holder is going (ISO 3166-1 alpha-3): the country a travel warning goes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// The crossing point or flight, for the warning (`FRA Roissy T2`, `AF1234`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossing: Option<String>,
}

/// What the check of one traveller found.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TravellerResult {
    /// Whether anything hit: the document, a person, a notice.
    pub hit: bool,
    /// The checks of the traveller's documents (none when no usable document was given: see
    /// `not_checked`).
    pub documents: Vec<DocumentCheckResult>,
    /// The persons the traveller matches (hits only), with their notices and diffusions.
    pub persons: Vec<PersonCandidate>,
    /// What could not be checked, and why (`document: the number holds "*"`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_checked: Vec<String>,
}

/// An MRZ check's answer: the zone as read, with every problem, and what the check found.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MrzCheckResult {
    pub mrz: Mrz,
    #[serde(flatten)]
    pub result: TravellerResult,
    /// The travel warnings this check sent (a holder under a Green notice or a warning
    /// diffusion): to the destination's bureau and the notice's owner.
    pub warnings: Vec<crate::travel::TravelWarningView>,
}

/// One traveller to check: the document, the person, either or both.
#[derive(Clone, Debug, Default)]
pub(crate) struct Traveller {
    pub documents: Vec<DocumentQuery>,
    pub person: Option<PersonQuery>,
}

/// The queries of a zone: the document if its number and state can be checked at all, the
/// holder if the zone names one.
fn mrz_traveller(zone: &Mrz) -> (Traveller, Vec<String>) {
    let mut skipped = Vec::new();
    let documents = if zone.document_number.is_empty() {
        skipped.push("document: the zone holds no document number".to_owned());
        Vec::new()
    } else {
        vec![DocumentQuery {
            number: Some(zone.document_number.clone()),
            issuing_country: Some(zone.issuing_state.to_string()),
            document_type: Some(zone.document_code.to_string()),
            holder_name: None,
            holder_birth_date: None,
        }]
    };
    let name = zone.holder_name();
    let person = if name.is_empty() {
        skipped.push("holder: the zone holds no name".to_owned());
        None
    } else {
        Some(PersonQuery {
            name: Some(name),
            birth_date: zone.birth_date.date.map(|d| d.to_string()),
            nationality: zone
                .nationality_country()
                .filter(|c| c.is_iso_3166())
                .map(|c| c.as_str().to_owned()),
            sex: matches!(zone.sex, 'M' | 'F').then(|| zone.sex.to_string()),
            ..PersonQuery::default()
        })
    };
    (Traveller { documents, person }, skipped)
}

/// The warnings a traveller's results call for: every Green notice or warning diffusion met,
/// once each.
fn warranted(
    result: &TravellerResult,
    traveller: &crate::travel::TravellerInput,
) -> Vec<crate::travel::Warranted> {
    let mut out: Vec<crate::travel::Warranted> = Vec::new();
    let persons = result
        .persons
        .iter()
        .flat_map(|p| p.notices.iter().map(move |n| (n, Some(p.record_id))));
    let documents = result
        .documents
        .iter()
        .flat_map(|d| d.notices.iter().map(|n| (n, n.person)));
    for (notice, person) in persons.chain(documents) {
        if crate::travel::warns(notice)
            && !out.iter().any(|w| w.notice.notice_id == notice.notice_id)
        {
            out.push(crate::travel::Warranted {
                traveller: traveller.clone(),
                notice: notice.clone(),
                person,
            });
        }
    }
    out
}

impl Hub {
    /// Parses a machine-readable zone and checks its document and its holder in one call,
    /// then warns of the holder's travel if a Green notice or a warning diffusion calls for
    /// it. A zone whose shape fits no format is refused (422, each problem with its line and
    /// column); a zone with wrong check digits or unknown codes is checked as read, and the
    /// answer lists every problem. Blocks until the check's trace is durable.
    pub fn check_mrz(&self, caller: &Caller, input: &MrzCheckInput) -> Result<MrzCheckResult> {
        let (destination, crossing) = self
            .journey_of_mrz(input)
            .map_err(|error| refuse(self, caller, "check.mrz", error))?;
        let checked = self
            .check_mrz_unaudited(caller, input)
            .map_err(|error| refuse(self, caller, "check.mrz", error))?;
        let mut result = checked.record(self)?.pop().expect("one zone, one result");
        let traveller = crate::travel::TravellerInput {
            name: result.mrz.holder_name(),
            birth_date: result.mrz.birth_date.date.map(|d| d.to_string()),
            nationality: Some(result.mrz.nationality.to_string()).filter(|n| !n.is_empty()),
            document: Some(result.mrz.document_number.clone()).filter(|n| !n.is_empty()),
            document_country: Some(result.mrz.issuing_state.to_string()).filter(|n| !n.is_empty()),
        };
        let journey = crate::travel::JourneyInput {
            crossing: crossing.clone(),
            ..Default::default()
        };
        // One warning a day per notice, destination and checking bureau, however the
        // crossing is worded: a check's free text makes no warning new.
        let key = format!("mrz/{}", palermo_core::date::format_date(self.now().date()));
        let warranted = warranted(&result.result, &traveller);
        result.warnings =
            self.send_travel_warnings(caller, "mrz", warranted, destination, &journey, &key)?;
        Ok(result)
    }

    /// The destination and crossing an MRZ check names, checked.
    fn journey_of_mrz(
        &self,
        input: &MrzCheckInput,
    ) -> Result<(Option<palermo_core::CountryCode>, Option<String>)> {
        let mut errors = FieldErrors::default();
        let destination = match input.destination.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let code =
                    palermo_core::CountryCode::parse_member(text).filter(|c| c.is_iso_3166());
                if code.is_none() {
                    errors.push(
                        "destination",
                        format!("{text:?} is not an ISO 3166-1 alpha-3 country code"),
                    );
                }
                code
            }
        };
        let crossing = input
            .crossing
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if let Some(text) = crossing
            && (text.chars().count() > 200 || text.chars().any(char::is_control))
        {
            errors.push(
                "crossing",
                "is longer than 200 characters or holds control characters",
            );
        }
        if errors.is_empty() {
            Ok((destination, crossing.map(str::to_owned)))
        } else {
            Err(HubError::Invalid(errors))
        }
    }

    fn check_mrz_unaudited(
        &self,
        caller: &Caller,
        input: &MrzCheckInput,
    ) -> Result<Checked<MrzCheckResult>> {
        caller.require(palermo_core::Permissions::CHECK)?;
        self.require_indexes()?;
        let mut errors = FieldErrors::default();
        let size: usize = input.lines.iter().map(String::len).sum();
        if input.lines.is_empty() || input.lines.len() > 3 || size > MRZ_INPUT_MAX {
            errors.push(
                "lines",
                format!(
                    "holds {} lines of {size} bytes: give the zone's 2 or 3 lines (at most {MRZ_INPUT_MAX} bytes)",
                    input.lines.len()
                ),
            );
            return Err(HubError::Invalid(errors));
        }
        let zone = mrz::parse(&input.lines, self.now().date()).map_err(|problems| {
            let mut errors = FieldErrors::default();
            for problem in problems {
                errors.push(
                    format!("lines[{}]", problem.line - 1),
                    format!("column {}: {}", problem.column, problem.message),
                );
            }
            HubError::Invalid(errors)
        })?;
        let (traveller, skipped) = mrz_traveller(&zone);
        let (mut results, hits) = self.traveller_results(caller, &[traveller])?;
        let mut result = results.pop().expect("one traveller, one result");
        result.not_checked.splice(0..0, skipped);
        let audit = check_event(self, caller, "check.mrz", input, 1, &hits);
        Ok(Checked::from_parts(
            vec![MrzCheckResult {
                mrz: zone,
                result,
                warnings: Vec::new(),
            }],
            hits,
            audit,
        ))
    }

    /// Checks travellers: each usable document against the travel documents, each named
    /// person against the persons; what is unusable is said in `not_checked`, never failing
    /// the others. Unaudited: the caller makes the check's entry.
    pub(crate) fn traveller_results(
        &self,
        caller: &Caller,
        travellers: &[Traveller],
    ) -> Result<(Vec<TravellerResult>, Vec<NewHit>)> {
        let mut results: Vec<TravellerResult> = travellers
            .iter()
            .map(|_| TravellerResult {
                hit: false,
                documents: Vec::new(),
                persons: Vec::new(),
                not_checked: Vec::new(),
            })
            .collect();
        let mut documents = Vec::new();
        let mut persons = Vec::new();
        for (i, traveller) in travellers.iter().enumerate() {
            for query in &traveller.documents {
                let mut errors = FieldErrors::default();
                crate::checks::parse_document_query(query, 0, &mut errors);
                if errors.is_empty() {
                    documents.push((i, query.clone()));
                } else {
                    results[i].not_checked.extend(errors.0.iter().map(|e| {
                        format!(
                            "document: {} {}",
                            e.field.trim_start_matches("documents[0]."),
                            e.detail
                        )
                    }));
                }
            }
            if let Some(query) = &traveller.person {
                let mut errors = FieldErrors::default();
                crate::persons::parse_query(query, 0, &mut errors);
                if errors.is_empty() {
                    persons.push((i, query.clone()));
                } else {
                    results[i].not_checked.extend(errors.0.iter().map(|e| {
                        format!(
                            "person: {} {}",
                            e.field.trim_start_matches("persons[0]."),
                            e.detail
                        )
                    }));
                }
            }
        }
        let mut hits = Vec::new();
        for chunk in documents.chunks(crate::checks::CHECK_BATCH_MAX) {
            let queries: Vec<DocumentQuery> = chunk.iter().map(|(_, q)| q.clone()).collect();
            let (checked, document_hits) = self.document_results(caller, &queries, false)?;
            for ((i, _), result) in chunk.iter().zip(checked) {
                results[*i].documents.push(result);
            }
            hits.extend(document_hits);
        }
        // A manifest's hundreds of travellers are screened on the machine's cores side by
        // side (screening reads the persons' index under shared locks).
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(PARALLEL_MAX);
        let chunk_len = if persons.len() >= PARALLEL_FROM && threads > 1 {
            persons.len().div_ceil(threads)
        } else {
            persons.len().max(1)
        }
        .min(crate::persons::SCREEN_BATCH_MAX);
        let chunks: Vec<&[(usize, PersonQuery)]> = persons.chunks(chunk_len).collect();
        let screen = |chunk: &[(usize, PersonQuery)]| {
            let queries: Vec<PersonQuery> = chunk.iter().map(|(_, q)| q.clone()).collect();
            self.screen_results(caller, &queries, None)
        };
        let outcomes: Vec<Result<_>> = std::thread::scope(|scope| {
            let others: Vec<_> = chunks
                .iter()
                .skip(1)
                .map(|chunk| scope.spawn(move || screen(chunk)))
                .collect();
            let first = chunks.first().map(|chunk| screen(chunk));
            first
                .into_iter()
                .chain(
                    others
                        .into_iter()
                        .map(|handle| handle.join().expect("a screening thread panicked")),
                )
                .collect()
        });
        for (chunk, outcome) in chunks.iter().zip(outcomes) {
            let (screened, person_hits) = outcome?;
            for ((i, _), result) in chunk.iter().zip(screened) {
                results[*i].persons = result.candidates.into_iter().filter(|c| c.hit).collect();
            }
            hits.extend(person_hits);
        }
        for result in &mut results {
            result.hit = result.documents.iter().any(|d| d.hit) || !result.persons.is_empty();
        }
        Ok((results, hits))
    }
}

/// Most travellers of one manifest screened in one call (an interchange of several messages
/// included): the largest aircraft carry some 850.
pub const MANIFEST_TRAVELLERS_MAX: usize = 1000;
/// Largest interchange read.
pub const MANIFEST_BYTES_MAX: usize = 2 * 1024 * 1024;

/// How a traveller of a manifest came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A record, a notice or a person matched: act on it.
    Hit,
    /// Only a possible match (a document number equal once commonly confused characters are
    /// treated alike, or of another type): an officer must compare.
    Possible,
}

/// A traveller the screening flagged, with why.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FlaggedTraveller {
    pub verdict: Verdict,
    /// One line per finding: what matched, whose it is, what to do.
    pub reasons: Vec<String>,
    pub traveller: palermo_core::paxlst::PaxTraveller,
    #[serde(flatten)]
    pub result: TravellerResult,
}

/// A traveller who could not be screened whole, and why.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnscreenedTraveller {
    pub segment: usize,
    pub name: String,
    pub reasons: Vec<String>,
}

/// The screening of a passenger manifest.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ManifestReport {
    /// The stored report's id (`GET /api/v1/manifests/{id}`).
    pub id: i64,
    pub sender: String,
    pub interchange_reference: String,
    pub flight: palermo_core::paxlst::Flight,
    pub travellers: usize,
    pub hits: usize,
    pub possible: usize,
    /// Hits first, then possible hits, each in the manifest's order.
    pub flagged: Vec<FlaggedTraveller>,
    /// Travellers screened with doubtful or missing data (a birth date that is no date, no
    /// document, a document number that is no number …): what of them could be screened was,
    /// and the reasons say what was not.
    pub unscreened: Vec<UnscreenedTraveller>,
    /// Doubtful data of the manifest itself (a declared count that disagrees …).
    pub problems: Vec<palermo_core::paxlst::EdiProblem>,
    /// The travel warnings the screening sent: to the arrival country's bureau and the
    /// notices' owners.
    pub warnings: Vec<crate::travel::TravelWarningView>,
    /// The report as an officer reads it, line by line.
    pub summary: Vec<String>,
}

/// A screened manifest in a list.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ManifestSummary {
    pub id: i64,
    /// Milliseconds since the epoch.
    pub at: i64,
    pub sender: String,
    pub flight: Option<String>,
    pub departure_airport: Option<String>,
    pub departure_time: Option<String>,
    pub arrival_airport: Option<String>,
    pub arrival_time: Option<String>,
    pub travellers: i64,
    pub hits: i64,
    pub possible: i64,
}

/// The queries of a manifest's traveller.
fn pax_traveller(traveller: &palermo_core::paxlst::PaxTraveller) -> Traveller {
    let documents = traveller
        .documents
        .iter()
        .filter(|d| !d.number.is_empty())
        .map(|d| DocumentQuery {
            number: Some(d.number.clone()),
            // Without its issuing country, the document is taken as the nationality's.
            issuing_country: d
                .issuing_country
                .clone()
                .or_else(|| traveller.nationality.clone()),
            document_type: Some(d.code.clone()).filter(|c| !c.is_empty()),
            holder_name: None,
            holder_birth_date: None,
        })
        .collect();
    let name = traveller.name();
    let person = (!name.is_empty()).then(|| PersonQuery {
        name: Some(name),
        birth_date: traveller.birth_date.clone(),
        nationality: traveller
            .nationality
            .as_deref()
            .and_then(palermo_core::CountryCode::parse)
            .filter(|c| c.is_iso_3166())
            .map(|c| c.as_str().to_owned()),
        sex: traveller
            .sex
            .clone()
            .filter(|s| matches!(s.as_str(), "M" | "F")),
        ..PersonQuery::default()
    });
    Traveller { documents, person }
}

/// The findings of one traveller, as lines.
fn reasons(result: &TravellerResult) -> Vec<String> {
    let mut lines = Vec::new();
    let notice_line = |notice: &crate::NoticeHit| {
        format!(
            "{} {} {} of {}: {}",
            notice.kind,
            if notice.diffusion {
                "diffusion"
            } else {
                "notice"
            },
            notice.notice_id,
            notice.owner.as_str(),
            notice.action
        )
    };
    for document in &result.documents {
        for m in &document.matches {
            lines.push(format!(
                "document {} {} of {}: {} match with record {} ({}), reported {} by {}",
                m.document_type.as_str(),
                m.number,
                m.issuing_country.as_str(),
                match m.matched.match_kind {
                    crate::MatchKind::Exact => "exact",
                    crate::MatchKind::Possible => "possible",
                },
                m.matched.record_id,
                m.status.as_str(),
                m.matched.reported_date,
                m.matched.owner.as_str()
            ));
        }
        for notice in &document.notices {
            lines.push(format!("document named in a {}", notice_line(notice)));
        }
    }
    for person in &result.persons {
        lines.push(format!(
            "person {} (record {}, {}), score {:.2}",
            person.name,
            person.record_id,
            person.owner.as_str(),
            person.score
        ));
        for notice in &person.notices {
            lines.push(format!("the person is under a {}", notice_line(notice)));
        }
    }
    lines
}

impl Hub {
    /// Reads a PAXLST interchange and screens every traveller: documents against the travel
    /// documents, names against the persons and their notices and diffusions, in one audited
    /// check. A message that breaks the syntax or its envelopes is refused (422), every error
    /// with its segment and position; a traveller's doubtful data is reported with the
    /// traveller, who is screened with the rest.
    pub fn screen_manifest(&self, caller: &Caller, message: &[u8]) -> Result<ManifestReport> {
        let checked = self
            .screen_manifest_unaudited(caller, message)
            .map_err(|error| refuse(self, caller, "check.manifest", error))?;
        let mut report = checked
            .record(self)?
            .pop()
            .expect("one manifest, one report");
        let flight = report.flight.clone();
        let destination = flight
            .arrival_airport
            .as_deref()
            .and_then(palermo_core::CountryCode::of_airport);
        let journey = crate::travel::JourneyInput {
            flight: flight.number.clone(),
            crossing: None,
            departure_airport: flight.departure_airport.clone(),
            departure_time: flight.departure_time.clone(),
            arrival_airport: flight.arrival_airport.clone(),
            arrival_time: flight.arrival_time.clone(),
        };
        let mut warnings = Vec::new();
        for flagged in &report.flagged {
            let t = &flagged.traveller;
            let traveller = crate::travel::TravellerInput {
                name: t.name(),
                birth_date: t.birth_date.clone(),
                nationality: t.nationality.clone(),
                document: t.documents.first().map(|d| d.number.clone()),
                document_country: t.documents.first().and_then(|d| d.issuing_country.clone()),
            };
            // One warning per notice, destination, flight and its day, and screening bureau:
            // a thousand namesakes on one flight warn once.
            let key = format!(
                "manifest/{}/{}",
                flight.number.as_deref().unwrap_or("?"),
                flight
                    .departure_time
                    .as_deref()
                    .map_or("?", |t| t.get(..10).unwrap_or(t)),
            );
            let warranted = warranted(&flagged.result, &traveller);
            warnings.extend(self.send_travel_warnings(
                caller,
                "manifest",
                warranted,
                destination,
                &journey,
                &key,
            )?);
        }
        for warning in &warnings {
            report.summary.push(format!(
                "TRAVEL WARNING {} sent to {} (notice {} of {})",
                warning.id,
                warning.destination.as_str(),
                warning.notice_id.unwrap_or_default(),
                warning.notice_owner.map_or("?", |o| o.as_str())
            ));
        }
        report.warnings = warnings;
        let row = palermo_store::ManifestRow {
            at: self.now(),
            checking_org: caller.org,
            checking_user: caller.user.as_deref().map(str::to_owned),
            sender: report.sender.clone(),
            reference: report.interchange_reference.clone(),
            flight: report.flight.number.clone(),
            departure_airport: report.flight.departure_airport.clone(),
            departure_time: report.flight.departure_time.clone(),
            arrival_airport: report.flight.arrival_airport.clone(),
            arrival_time: report.flight.arrival_time.clone(),
            travellers: report.travellers as i64,
            hits: report.hits as i64,
            possible: report.possible as i64,
            report: serde_json::to_string(&report).unwrap_or_default(),
        };
        let event = self.event(caller, "manifest.store", "ok");
        let describe = |done: palermo_store::Done<'_>| {
            let mut event = event.clone();
            if let palermo_store::Done::Ids(ids) = done {
                event.target = ids.first().map(|id| format!("manifest:{id}"));
                event.detail = Some(format!(
                    "flight {}: {} travellers, {} hits, {} possible",
                    row.flight.as_deref().unwrap_or("?"),
                    row.travellers,
                    row.hits,
                    row.possible
                ));
            }
            event
        };
        report.id = self.store.record_manifest(&row, &describe)?;
        Ok(report)
    }

    /// A manifest the caller's organisation screened, as reported then.
    pub fn manifest(&self, caller: &Caller, id: i64) -> Result<Value> {
        self.audited(
            caller,
            "manifest.read",
            || Some(format!("manifest:{id}")),
            || {
                caller.require(palermo_core::Permissions::CHECK)?;
                let stored = self
                    .store
                    .manifest(id)?
                    .filter(|m| m.row.checking_org == caller.org)
                    .ok_or(HubError::NotFound)?;
                let mut report: Value = serde_json::from_str(&stored.row.report)
                    .map_err(|e| HubError::Internal(format!("manifest {id}: {e}")))?;
                report["id"] = Value::from(stored.id);
                let mut event = self.event(caller, "manifest.read", "ok");
                event.target = Some(format!("manifest:{id}"));
                self.audit(event)?;
                Ok(report)
            },
        )
    }

    /// The manifests the caller's organisation screened, newest first: the flight and the
    /// counts.
    pub fn manifests(
        &self,
        caller: &Caller,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<ManifestSummary>> {
        self.audited(
            caller,
            "manifest.list",
            || None,
            || caller.require(palermo_core::Permissions::CHECK),
        )?;
        let mut event = self.event(caller, "manifest.list", "ok");
        event.detail = Some(format!("before {before:?}, limit {limit}"));
        self.audit(event)?;
        Ok(self
            .store
            .manifests(caller.org, before, limit.clamp(1, 200))?
            .into_iter()
            .map(|m| ManifestSummary {
                id: m.id,
                at: m.row.at.0,
                sender: m.row.sender,
                flight: m.row.flight,
                departure_airport: m.row.departure_airport,
                departure_time: m.row.departure_time,
                arrival_airport: m.row.arrival_airport,
                arrival_time: m.row.arrival_time,
                travellers: m.row.travellers,
                hits: m.row.hits,
                possible: m.row.possible,
            })
            .collect())
    }

    fn screen_manifest_unaudited(
        &self,
        caller: &Caller,
        message: &[u8],
    ) -> Result<Checked<ManifestReport>> {
        caller.require(palermo_core::Permissions::CHECK)?;
        self.require_indexes()?;
        if message.len() > MANIFEST_BYTES_MAX {
            return Err(HubError::Invalid(FieldErrors::single(
                "message",
                format!(
                    "holds {} bytes; at most {MANIFEST_BYTES_MAX}",
                    message.len()
                ),
            )));
        }
        let manifest =
            palermo_core::paxlst::parse(message, self.now().date()).map_err(|problems| {
                let mut errors = FieldErrors::default();
                for p in problems.iter().take(100) {
                    let mut at = format!("segment {} ({})", p.segment, p.tag);
                    if let Some(element) = p.element {
                        at.push_str(&format!(" element {element}"));
                    }
                    if let Some(component) = p.component {
                        at.push_str(&format!(" component {component}"));
                    }
                    errors.push(
                        format!("message[{}]", p.segment),
                        format!("{at}, line {} column {}: {}", p.line, p.column, p.message),
                    );
                }
                HubError::Invalid(errors)
            })?;
        if manifest.travellers.len() > MANIFEST_TRAVELLERS_MAX {
            return Err(HubError::Invalid(FieldErrors::single(
                "message",
                format!(
                    "lists {} travellers; at most {MANIFEST_TRAVELLERS_MAX} per request",
                    manifest.travellers.len()
                ),
            )));
        }
        let travellers: Vec<Traveller> = manifest.travellers.iter().map(pax_traveller).collect();
        let (results, hits) = self.traveller_results(caller, &travellers)?;
        let mut flagged = Vec::new();
        let mut unscreened = Vec::new();
        for (traveller, result) in manifest.travellers.iter().zip(results) {
            let mut not_checked: Vec<String> = traveller
                .problems
                .iter()
                .map(|p| format!("segment {} ({}): {}", p.segment, p.tag, p.message))
                .collect();
            not_checked.extend(result.not_checked.iter().cloned());
            if traveller.documents.is_empty() {
                not_checked.push("document: none declared".into());
            }
            if !not_checked.is_empty() {
                unscreened.push(UnscreenedTraveller {
                    segment: traveller.segment,
                    name: traveller.name(),
                    reasons: not_checked,
                });
            }
            let possible = result.documents.iter().any(|d| !d.matches.is_empty());
            let verdict = if result.hit {
                let exact = !result.persons.is_empty()
                    || result.documents.iter().any(|d| {
                        !d.notices.is_empty()
                            || d.matches
                                .iter()
                                .any(|m| m.matched.match_kind == crate::MatchKind::Exact)
                    });
                if exact {
                    Verdict::Hit
                } else {
                    Verdict::Possible
                }
            } else if possible {
                Verdict::Possible
            } else {
                continue;
            };
            flagged.push(FlaggedTraveller {
                verdict,
                reasons: reasons(&result),
                traveller: traveller.clone(),
                result,
            });
        }
        flagged.sort_by_key(|f| (f.verdict != Verdict::Hit, f.traveller.segment));
        let count = |v: Verdict| flagged.iter().filter(|f| f.verdict == v).count();
        let (hit_count, possible_count) = (count(Verdict::Hit), count(Verdict::Possible));
        let flight = &manifest.flight;
        let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
        let mut summary = vec![format!(
            "Flight {} from {} ({}) to {} ({}): {} travellers screened, {} hits, {} possible hits.",
            text(&flight.number),
            text(&flight.departure_airport),
            text(&flight.departure_time),
            text(&flight.arrival_airport),
            text(&flight.arrival_time),
            manifest.travellers.len(),
            hit_count,
            possible_count
        )];
        for f in &flagged {
            summary.push(format!(
                "{} {} {} (segment {}, born {}, {}):",
                match f.verdict {
                    Verdict::Hit => "HIT",
                    Verdict::Possible => "POSSIBLE",
                },
                f.traveller.role,
                f.traveller.name(),
                f.traveller.segment,
                f.traveller.birth_date.as_deref().unwrap_or("?"),
                f.traveller.nationality.as_deref().unwrap_or("?")
            ));
            summary.extend(f.reasons.iter().map(|r| format!("  - {r}")));
        }
        for u in &unscreened {
            summary.push(format!(
                "NOT FULLY SCREENED {} (segment {}): {}",
                u.name,
                u.segment,
                u.reasons.join("; ")
            ));
        }
        for p in &manifest.problems {
            summary.push(format!(
                "PROBLEM segment {} ({}): {}",
                p.segment, p.tag, p.message
            ));
        }
        let report = ManifestReport {
            id: 0,
            sender: manifest.sender.clone(),
            interchange_reference: manifest.interchange_reference.clone(),
            flight: manifest.flight.clone(),
            travellers: manifest.travellers.len(),
            hits: hit_count,
            possible: possible_count,
            flagged,
            unscreened,
            problems: manifest.problems.clone(),
            warnings: Vec::new(),
            summary,
        };
        let audit = check_event(
            self,
            caller,
            "check.manifest",
            &manifest,
            manifest.travellers.len(),
            &hits,
        );
        Ok(Checked::from_parts(vec![report], hits, audit))
    }
}

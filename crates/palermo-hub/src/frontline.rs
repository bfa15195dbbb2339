//! The frontline's inputs: a document's machine-readable zone as a reader gives it, and the
//! travellers of an airline's passenger manifest. Each traveller's document is checked against
//! the travel documents (and the notices naming documents) and the traveller screened against
//! the persons (and the notices and diffusions about them), in one audited check.

use palermo_core::FieldErrors;
use palermo_core::mrz::{self, Mrz};
use palermo_store::NewHit;
use serde::{Deserialize, Serialize};

use crate::checks::{Checked, DocumentCheckResult, DocumentQuery, check_event, refuse};
use crate::{Caller, Hub, HubError, PersonCandidate, PersonQuery, Result};

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
    /// The document's check; absent when the traveller gave no usable document (see
    /// `not_checked`).
    pub document: Option<DocumentCheckResult>,
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
}

/// One traveller to check: the document, the person, either or both.
#[derive(Clone, Debug, Default)]
pub(crate) struct Traveller {
    pub document: Option<DocumentQuery>,
    pub person: Option<PersonQuery>,
}

/// The queries of a zone: the document if its number and state can be checked at all, the
/// holder if the zone names one.
fn mrz_traveller(zone: &Mrz) -> (Traveller, Vec<String>) {
    let mut skipped = Vec::new();
    let document = if zone.document_number.is_empty() {
        skipped.push("document: the zone holds no document number".to_owned());
        None
    } else {
        Some(DocumentQuery {
            number: Some(zone.document_number.clone()),
            issuing_country: Some(zone.issuing_state.clone()),
            document_type: Some(zone.document_code.clone()),
            holder_name: None,
            holder_birth_date: None,
        })
    };
    let name = zone.holder_name();
    let person = if name.is_empty() {
        skipped.push("holder: the zone holds no name".to_owned());
        None
    } else {
        Some(PersonQuery {
            name: Some(name),
            birth_date: zone.birth_date.date.clone(),
            nationality: zone
                .nationality_country()
                .filter(|c| c.is_iso_3166())
                .map(|c| c.as_str().to_owned()),
            sex: matches!(zone.sex, 'M' | 'F').then(|| zone.sex.to_string()),
            ..PersonQuery::default()
        })
    };
    (Traveller { document, person }, skipped)
}

impl Hub {
    /// Parses a machine-readable zone and checks its document and its holder in one call.
    /// A zone whose shape fits no format is refused (422, each problem with its line and
    /// column); a zone with wrong check digits or unknown codes is checked as read, and the
    /// answer lists every problem.
    pub fn check_mrz(
        &self,
        caller: &Caller,
        input: &MrzCheckInput,
    ) -> Result<Checked<MrzCheckResult>> {
        self.check_mrz_unaudited(caller, input)
            .map_err(|error| refuse(self, caller, "check.mrz", error))
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
            vec![MrzCheckResult { mrz: zone, result }],
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
                document: None,
                persons: Vec::new(),
                not_checked: Vec::new(),
            })
            .collect();
        let mut documents = Vec::new();
        let mut persons = Vec::new();
        for (i, traveller) in travellers.iter().enumerate() {
            if let Some(query) = &traveller.document {
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
        if !documents.is_empty() {
            let queries: Vec<DocumentQuery> = documents.iter().map(|(_, q)| q.clone()).collect();
            let (checked, document_hits) = self.document_results(caller, &queries, false)?;
            for ((i, _), result) in documents.iter().zip(checked) {
                results[*i].document = Some(result);
            }
            hits.extend(document_hits);
        }
        if !persons.is_empty() {
            let queries: Vec<PersonQuery> = persons.iter().map(|(_, q)| q.clone()).collect();
            let (screened, person_hits) = self.screen_results(caller, &queries, None)?;
            for ((i, _), result) in persons.iter().zip(screened) {
                results[*i].persons = result.candidates.into_iter().filter(|c| c.hit).collect();
            }
            hits.extend(person_hits);
        }
        for result in &mut results {
            result.hit =
                result.document.as_ref().is_some_and(|d| d.hit) || !result.persons.is_empty();
        }
        Ok((results, hits))
    }
}

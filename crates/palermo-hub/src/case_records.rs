//! A case's links to the hub's databases: its suspects screened against the persons (the name
//! engine, with birth date and nationality) and its documents and vehicles looked up in the
//! travel documents and vehicles, the way a check looks them up but recording no hit. Victims
//! and what they use are never matched (`CaseReport::identifiers` leaves them out).
//!
//! The hub matches against every record; what a reader learns of one follows the record's
//! restriction: whom to contact always (the owner), the record itself where the reader may see
//! it. The owners of newly linked records are told by a message in the submission's
//! transaction.

use palermo_core::case::{CaseReport, IdKind};
use palermo_core::{CountryCode, OrgCode, OrgKind, RecordMeta, Viewpoint};
use palermo_store::{NewMessage, StoredCase};
use serde::Serialize;

use crate::{Caller, DocumentQuery, Hub, PersonQuery, Result, VehicleQuery};

/// A link from an entity of a case to a record of the hub's databases.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RecordLink {
    /// The database: `document`, `vehicle` or `person`.
    pub record_kind: &'static str,
    /// What matched: `document` (number and issuing country), `vin`, `plate`, `name` (the
    /// name engine, with birth date and nationality), `person-id` (the report names the
    /// person).
    pub matched_on: &'static str,
    /// 1 for the same identifier; the name engine's score for a name.
    pub score: f64,
    /// The case's entity (its local id in the report).
    pub entity: String,
    /// The case's identifier that matched (normalised), or the suspect's name.
    pub value: String,
    /// The bureau that owns the record: the one to contact.
    pub contact: String,
    /// The record, where the reader may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<i64>,
}

/// A link as the hub sees it, before a reader's restriction is applied.
#[derive(Clone, Debug)]
pub(crate) struct Linked {
    pub link: RecordLink,
    pub record_id: i64,
    /// The record's owner, restriction and handling.
    pub meta: RecordMeta,
}

impl Linked {
    /// The link as `viewpoint` may see it: the record only where its restriction allows.
    pub(crate) fn seen_by(&self, viewpoint: &Viewpoint) -> RecordLink {
        let sees = viewpoint.kind != OrgKind::Partner
            && viewpoint.may_see(self.meta.owner, &self.meta.restriction, self.meta.handling);
        RecordLink {
            record_id: sees.then_some(self.record_id),
            ..self.link.clone()
        }
    }
}

/// The hub's own view: every record, whoever owns it.
fn everything() -> Caller {
    Caller {
        user: None,
        ..Caller::console()
    }
}

impl Hub {
    /// Every record of the persons, documents and vehicles databases an entity of `report`
    /// matches (suspects by name or by the person they name, documents, vehicles; never a
    /// victim), each once per entity, in a stable order.
    pub(crate) fn record_links(&self, report: &CaseReport) -> Result<Vec<Linked>> {
        let hub = everything();
        let mut out: Vec<Linked> = Vec::new();
        // Each record once per entity (a suspect's two names may find one person twice).
        let push = |out: &mut Vec<Linked>, link: RecordLink, meta: RecordMeta, id: i64| {
            let known = out.iter().any(|l| {
                l.record_id == id
                    && l.link.record_kind == link.record_kind
                    && l.link.entity == link.entity
            });
            if !known {
                out.push(Linked {
                    link,
                    record_id: id,
                    meta,
                });
            }
        };
        for id in report.identifiers() {
            // The records each identifier matches, confirmed against the stored record (still
            // active, the same identifier), with their metadata.
            let (record_kind, matched_on, found) = match id.kind {
                IdKind::Document => {
                    let Some(document) = report.documents.iter().find(|d| d.id == id.entity) else {
                        continue;
                    };
                    let query = DocumentQuery {
                        number: Some(document.number_normalised.clone()),
                        issuing_country: Some(document.issuing_country.as_str().to_owned()),
                        ..DocumentQuery::default()
                    };
                    ("document", "document", self.document_matches(&hub, &query)?)
                }
                IdKind::Vin => {
                    let query = VehicleQuery {
                        vin: Some(id.value.clone()),
                        ..VehicleQuery::default()
                    };
                    ("vehicle", "vin", self.vehicle_matches(&hub, &query, "vin")?)
                }
                IdKind::Plate => {
                    let Some((country, plate)) = id.value.split_once('|') else {
                        continue;
                    };
                    let query = VehicleQuery {
                        plate: Some(plate.to_owned()),
                        plate_country: Some(country.to_owned()),
                        ..VehicleQuery::default()
                    };
                    (
                        "vehicle",
                        "plate",
                        self.vehicle_matches(&hub, &query, "plate")?,
                    )
                }
                IdKind::Person => {
                    let Ok(record) = id.value.parse::<i64>() else {
                        continue;
                    };
                    let person = self
                        .store
                        .person(record)?
                        .filter(|p| p.withdrawn_at.is_none())
                        .map(|p| (record, p.record.meta));
                    ("person", "person-id", person.into_iter().collect())
                }
                _ => continue,
            };
            for (record, meta) in found {
                let link = RecordLink {
                    record_kind,
                    matched_on,
                    score: 1.0,
                    entity: id.entity.clone(),
                    value: id.value.clone(),
                    contact: meta.owner.as_str().to_owned(),
                    record_id: Some(record),
                };
                push(&mut out, link, meta, record);
            }
        }
        // Suspects through the name engine: every name with the birth date and nationality.
        let suspects: Vec<(&str, PersonQuery)> = report
            .suspects
            .iter()
            .filter_map(|s| {
                // Names the engine cannot read (no letter, too long) are left out, not refused:
                // the report is valid whatever the engine makes of it.
                let mut names = s
                    .names
                    .iter()
                    .map(|n| match &n.given {
                        Some(given) => format!("{given} {}", n.family),
                        None => n.family.clone(),
                    })
                    .filter(|name| palermo_names::check(name).is_ok())
                    .take(20);
                let name = names.next()?;
                Some((
                    s.id.as_str(),
                    PersonQuery {
                        name: Some(name),
                        names: names.collect(),
                        birth_date: s.birth_date.clone(),
                        nationality: s.nationality.first().map(|c| c.as_str().to_owned()),
                        ..PersonQuery::default()
                    },
                ))
            })
            .collect();
        for chunk in suspects.chunks(crate::persons::SCREEN_BATCH_MAX) {
            let queries: Vec<PersonQuery> = chunk.iter().map(|(_, q)| q.clone()).collect();
            let results = match self.screen_results(&hub, &queries, None) {
                Ok((results, _)) => results.into_iter().map(Some).collect(),
                // One query the engine refuses: the others are screened one by one.
                Err(crate::HubError::Invalid(_)) => queries
                    .iter()
                    .map(|q| {
                        self.screen_results(&hub, std::slice::from_ref(q), None)
                            .ok()
                            .and_then(|(mut r, _)| r.pop())
                    })
                    .collect::<Vec<_>>(),
                Err(other) => return Err(other),
            };
            for ((entity, query), result) in chunk.iter().zip(results) {
                let Some(result) = result else {
                    continue;
                };
                for candidate in result.candidates.into_iter().filter(|c| c.hit) {
                    let Some(stored) = self.store.person(candidate.record_id)? else {
                        continue;
                    };
                    let link = RecordLink {
                        record_kind: "person",
                        matched_on: "name",
                        score: (candidate.score * 1000.0).round() / 1000.0,
                        entity: (*entity).to_owned(),
                        value: query.name.clone().unwrap_or_default(),
                        contact: candidate.owner.as_str().to_owned(),
                        record_id: Some(candidate.record_id),
                    };
                    push(&mut out, link, stored.record.meta, candidate.record_id);
                }
            }
        }
        Ok(out)
    }

    /// The records case `id` links to, as the caller may see them.
    pub fn case_record_links(&self, caller: &Caller, id: i64) -> Result<Vec<RecordLink>> {
        let target = || Some(format!("case:{id}"));
        self.audited(caller, "case.records", target, || {
            self.require_case_reader(caller)?;
            let (stored, _) = self.visible_case(caller, id)?;
            let report = crate::cases::report_of(&stored.row.report)?;
            let links: Vec<RecordLink> = self
                .record_links(&report)?
                .iter()
                .map(|l| l.seen_by(&caller.viewpoint))
                .collect();
            let mut event = self.event(caller, "case.records", "ok");
            event.target = target();
            event.detail = Some(format!("{} linked records", links.len()));
            event.concern(stored.row.owner.as_str());
            self.audit(event)?;
            Ok(links)
        })
    }
}

/// What a submission tells the owners of records it newly links to (not linked by the case's
/// earlier version): one message to each owner other than the reporter, naming the owner's
/// records and the case's entities that match them, whom to contact, and the case only where
/// the owner may see it.
pub(crate) fn record_messages(
    caller: &Caller,
    stored: &StoredCase,
    before: &[Linked],
    after: &[Linked],
    organisations: &[palermo_store::Organisation],
) -> Vec<NewMessage> {
    let reporter = stored.row.owner;
    let new: Vec<&Linked> = after
        .iter()
        .filter(|l| {
            !before
                .iter()
                .any(|b| b.record_id == l.record_id && b.link.record_kind == l.link.record_kind)
        })
        .collect();
    let mut owners: Vec<CountryCode> = new.iter().map(|l| l.meta.owner).collect();
    owners.sort_unstable();
    owners.dedup();
    let mut out = Vec::new();
    for owner in owners {
        let to = OrgCode::of_country(owner);
        if owner == reporter || !organisations.iter().any(|o| o.code == to) {
            continue;
        }
        let sees = Viewpoint::member(owner).may_see(
            reporter,
            &stored.row.restriction,
            palermo_core::HandlingCode::H1,
        );
        let mine: Vec<&&Linked> = new.iter().filter(|l| l.meta.owner == owner).collect();
        let mut lines = vec![format!(
            "A case reported by {} names records of yours:",
            reporter.as_str()
        )];
        let mut refs = Vec::new();
        for l in &mine {
            let theirs = if sees {
                format!(" (their {})", l.link.entity)
            } else {
                String::new()
            };
            // An identifier is the record's own; a name is the case's spelling of it: told
            // only to a bureau that may see the case.
            let value = if sees || l.link.matched_on != "name" {
                format!(" {}", l.link.value)
            } else {
                String::new()
            };
            lines.push(format!(
                "- your {} record {}: {}{value}{theirs}, score {:.2}",
                l.link.record_kind, l.record_id, l.link.matched_on, l.link.score
            ));
            refs.push(serde_json::json!({"kind": l.link.record_kind, "id": l.record_id}));
        }
        lines.push(format!("Contact {} about it.", reporter.as_str()));
        let mut kinds: Vec<&str> = mine.iter().map(|l| l.link.record_kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let subject = format!(
            "Case link: a case of {} names your {} records",
            reporter.as_str(),
            kinds.join(" and ")
        );
        out.push(crate::cases::link_message(
            caller, stored, to, sees, subject, lines, refs,
        ));
    }
    out
}

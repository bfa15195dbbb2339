//! The requests that hit now (published notices, sent or compliant diffusions), by the
//! documents, vehicles and persons they name: what a check reads to say "this traveller is
//! under a Red notice". Built at start-up from the store and changed right after each move
//! this hub commits, so a cancellation leaves every later check's answer at once.

use std::collections::HashMap;

use palermo_core::normalise;
use palermo_core::notice::{NoticeInput, Recipients, RequestKind};
use palermo_core::{CountryCode, RecordMeta};
use palermo_store::{NoticeFilter, Store, StoredNotice};
use serde::Serialize;

use crate::Caller;

/// Most requests of one owner one identifier's check shows (and records a hit of).
pub const NOTICES_PER_OWNER_MAX: usize = 5;
/// Most requests one identifier's check shows.
pub const NOTICES_PER_ANSWER_MAX: usize = 50;

/// What a check shows of a request it hits.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NoticeHit {
    pub notice_id: i64,
    /// `red` … `un-entities` (notices), `wanted` … `warning` (diffusions).
    pub kind: &'static str,
    pub diffusion: bool,
    /// What the officer is asked to do (`locate and provisionally arrest …`).
    pub action: &'static str,
    /// The requesting bureau, to contact at once.
    #[schema(value_type = String)]
    pub owner: CountryCode,
    pub summary: Option<String>,
    /// What the check matched: `document`, `vin`, `plate` or `person`.
    pub matched_on: &'static str,
    /// The person of the persons database the request is about.
    pub person: Option<i64>,
}

#[derive(Clone, Debug)]
struct Hitting {
    kind: RequestKind,
    meta: RecordMeta,
    /// Who a diffusion reaches (a notice: every bureau its restriction allows).
    reach: Recipients,
    person: Option<i64>,
    summary: Option<String>,
    documents: Vec<(CountryCode, String)>,
    vins: Vec<String>,
    plates: Vec<(CountryCode, String)>,
}

#[derive(Default)]
pub(crate) struct NoticeHits {
    hitting: HashMap<i64, Hitting>,
    by_document: HashMap<(CountryCode, String), Vec<i64>>,
    by_vin: HashMap<String, Vec<i64>>,
    by_plate: HashMap<(CountryCode, String), Vec<i64>>,
    by_person: HashMap<i64, Vec<i64>>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|t| !t.trim().is_empty())
}

/// The documents, VINs and plates a request names, as checks look them up. A reference the
/// request's validation would refuse is skipped (a stored request passed it).
#[allow(clippy::type_complexity)]
fn references(
    input: &NoticeInput,
) -> (
    Vec<(CountryCode, String)>,
    Vec<String>,
    Vec<(CountryCode, String)>,
) {
    let documents = input
        .documents
        .iter()
        .filter_map(|document| {
            let country = CountryCode::parse(present(&document.issuing_country)?.trim())?;
            let number = normalise::document_number(present(&document.number)?).ok()?;
            Some((country.canonical(), number))
        })
        .collect();
    let vins = input
        .vehicles
        .iter()
        .filter_map(|vehicle| normalise::vin_for_record(present(&vehicle.vin)?).ok())
        .collect();
    let plates = input
        .vehicles
        .iter()
        .filter_map(|vehicle| {
            let country = CountryCode::parse(present(&vehicle.plate_country)?.trim())?;
            let plate = normalise::plate(present(&vehicle.plate)?).ok()?;
            Some((country, plate))
        })
        .collect();
    (documents, vins, plates)
}

fn unlist<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<i64>>, key: K, id: i64) {
    if let Some(ids) = map.get_mut(&key) {
        ids.retain(|other| *other != id);
        if ids.is_empty() {
            map.remove(&key);
        }
    }
}

impl NoticeHits {
    /// Every request that hits now, read from the store.
    pub(crate) fn load(store: &dyn Store) -> palermo_store::Result<NoticeHits> {
        const PAGE: usize = 1000;
        let mut hits = NoticeHits::default();
        for state in palermo_core::notice::lifecycle::State::ALL
            .into_iter()
            .filter(|state| state.hits())
        {
            let filter = NoticeFilter {
                state: Some(state.as_str().to_owned()),
                ..NoticeFilter::default()
            };
            let mut before = None;
            loop {
                let page = store.notices(&filter, before, PAGE)?;
                for stored in &page {
                    hits.set(stored);
                }
                if page.len() < PAGE {
                    break;
                }
                before = page.last().map(|stored| stored.id);
            }
        }
        Ok(hits)
    }

    pub(crate) fn len(&self) -> usize {
        self.hitting.len()
    }

    /// Takes the request as stored now: listed if it hits, out of every list if not.
    pub(crate) fn set(&mut self, stored: &StoredNotice) {
        self.remove(stored.id);
        let hits = palermo_core::notice::lifecycle::State::parse(&stored.row.state)
            .is_some_and(|state| state.hits());
        let Some(kind) = RequestKind::parse(&stored.row.kind) else {
            return;
        };
        if !hits {
            return;
        }
        let Ok(input) = serde_json::from_str::<NoticeInput>(&stored.row.body) else {
            tracing::error!(
                notice = stored.id,
                "a hitting notice holds an unreadable request"
            );
            return;
        };
        let (documents, vins, plates) = references(&input);
        let id = stored.id;
        for key in &documents {
            self.by_document.entry(key.clone()).or_default().push(id);
        }
        for vin in &vins {
            self.by_vin.entry(vin.clone()).or_default().push(id);
        }
        for key in &plates {
            self.by_plate.entry(key.clone()).or_default().push(id);
        }
        if let Some(person) = stored.row.person_id {
            self.by_person.entry(person).or_default().push(id);
        }
        self.hitting.insert(
            id,
            Hitting {
                kind,
                meta: stored.row.meta.clone(),
                reach: input.reach(),
                person: stored.row.person_id,
                summary: input.summary.filter(|s| !s.trim().is_empty()),
                documents,
                vins,
                plates,
            },
        );
    }

    pub(crate) fn remove(&mut self, id: i64) {
        let Some(old) = self.hitting.remove(&id) else {
            return;
        };
        for key in old.documents {
            unlist(&mut self.by_document, key, id);
        }
        for vin in old.vins {
            unlist(&mut self.by_vin, vin, id);
        }
        for key in old.plates {
            unlist(&mut self.by_plate, key, id);
        }
        if let Some(person) = old.person {
            unlist(&mut self.by_person, person, id);
        }
    }

    /// Whether the caller's checks are answered with this request: its owner's and the
    /// secretariat's always; another bureau's as the request's restriction allows, and a
    /// diffusion's in the countries it was sent to only.
    fn reaches(caller: &Caller, hitting: &Hitting) -> bool {
        if caller.is_secretariat() || caller.viewpoint.owns(hitting.meta.owner) {
            return true;
        }
        if !caller.may_see(&hitting.meta) {
            return false;
        }
        hitting.reach.include(caller.viewpoint.country)
    }

    /// The hitting requests about a person.
    pub(crate) fn of_person(&self, person: i64) -> Vec<i64> {
        self.by_person.get(&person).cloned().unwrap_or_default()
    }

    /// Whether the caller's checks and lists reach this hitting request.
    pub(crate) fn reaches_id(&self, caller: &Caller, id: i64) -> bool {
        self.hitting
            .get(&id)
            .is_some_and(|hitting| NoticeHits::reaches(caller, hitting))
    }

    fn shown(
        &self,
        caller: &Caller,
        ids: Option<&Vec<i64>>,
        matched_on: &'static str,
    ) -> Vec<NoticeHit> {
        let mut shown: Vec<NoticeHit> = ids
            .into_iter()
            .flatten()
            .filter_map(|id| Some((*id, self.hitting.get(id)?)))
            .filter(|(_, hitting)| NoticeHits::reaches(caller, hitting))
            .map(|(id, hitting)| NoticeHit {
                notice_id: id,
                kind: hitting.kind.as_str(),
                diffusion: hitting.kind.is_diffusion(),
                action: hitting.kind.requirements().action(),
                owner: hitting.meta.owner,
                summary: hitting.summary.clone(),
                matched_on,
                person: hitting.person,
            })
            .collect();
        // Newest first, a few per owner: no bureau's requests, however many, take another's
        // place in an answer (or fill the hit list of one check).
        shown.sort_by_key(|hit| std::cmp::Reverse(hit.notice_id));
        let mut per_owner: HashMap<CountryCode, usize> = HashMap::new();
        shown.retain(|hit| {
            let count = per_owner.entry(hit.owner).or_default();
            *count += 1;
            *count <= NOTICES_PER_OWNER_MAX
        });
        shown.truncate(NOTICES_PER_ANSWER_MAX);
        shown
    }

    pub(crate) fn for_document(
        &self,
        caller: &Caller,
        country: CountryCode,
        number: &str,
    ) -> Vec<NoticeHit> {
        self.shown(
            caller,
            self.by_document
                .get(&(country.canonical(), number.to_owned())),
            "document",
        )
    }

    /// The requests naming the vehicle, by VIN and then by plate, each once.
    pub(crate) fn for_vehicle(
        &self,
        caller: &Caller,
        vin: Option<&str>,
        plate: Option<(CountryCode, &str)>,
    ) -> Vec<NoticeHit> {
        let mut shown = match vin {
            Some(vin) => self.shown(caller, self.by_vin.get(vin), "vin"),
            None => Vec::new(),
        };
        if let Some((country, plate)) = plate {
            for hit in self.shown(
                caller,
                self.by_plate.get(&(country, plate.to_owned())),
                "plate",
            ) {
                if !shown.iter().any(|other| other.notice_id == hit.notice_id) {
                    shown.push(hit);
                }
            }
        }
        shown
    }

    /// The request `id` as the caller's checks see it, if they are answered with it.
    pub(crate) fn hit_of(&self, caller: &Caller, id: i64) -> Option<NoticeHit> {
        self.shown(caller, Some(&vec![id]), "person").pop()
    }

    pub(crate) fn for_person(&self, caller: &Caller, person: i64) -> Vec<NoticeHit> {
        self.shown(caller, self.by_person.get(&person), "person")
    }
}

//! The hit procedure: every hit is shown to the record's owner and to the checking
//! organisation; the owner answers within a deadline (still valid, no longer valid, not the
//! same person or object); unanswered hits past their deadline are overdue on both sides.

use palermo_core::{FieldErrors, OrgCode, Permissions, RecordAccess, Timestamp};
use palermo_store::{Hit, HitAnswer, HitParty, NewHit, RecordKind};
use serde::{Deserialize, Serialize};

use crate::{Caller, Hub, HubError, Result};

pub const HITS_PAGE_MAX: usize = 1000;
/// Pages of hits read to fill one answer at most (hits the caller may not see, or of another
/// state, are skipped).
const HIT_PAGES_SCANNED_MAX: usize = 20;
/// Longest note an owner may add to an answer.
const NOTE_MAX_CHARS: usize = 2_000;
/// The answers an owner may give.
const ANSWERS: [&str; 3] = ["still-valid", "no-longer-valid", "not-the-same"];

/// A hit as its owner or its checker sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct HitView {
    pub id: i64,
    #[schema(value_type = String)]
    pub at: Timestamp,
    /// `document` or `vehicle`.
    pub record_kind: &'static str,
    pub record_id: i64,
    /// The record's owner.
    #[schema(value_type = String)]
    pub owner: String,
    /// The organisation whose check found it.
    pub checking_org: String,
    #[serde(rename = "match")]
    pub match_kind: String,
    /// The query as the checking organisation sent it.
    #[schema(value_type = Object)]
    pub query: serde_json::Value,
    /// `open`, `overdue` or `answered`.
    pub state: &'static str,
    #[schema(value_type = String)]
    pub due_at: Timestamp,
    /// When the unanswered hit was escalated to both parties as overdue.
    #[schema(value_type = Option<String>)]
    pub escalated_at: Option<Timestamp>,
    /// Whether the caller's organisation owns the record (and so must answer).
    pub to_answer: bool,
    pub answer: Option<String>,
    pub answer_note: Option<String>,
    #[schema(value_type = Option<String>)]
    pub answered_at: Option<Timestamp>,
    pub answered_by: Option<String>,
}

/// Who is told of a hit, by webhook, when it is found and when it is overdue: the bureau that
/// owns the record (to confirm it within the deadline) and the organisation whose check found
/// it (to hold the traveller meanwhile), once if they are the same.
pub(crate) fn told_of(hit: &NewHit) -> Vec<OrgCode> {
    let owner = OrgCode::of_country(hit.owner);
    if owner == hit.checking_org {
        vec![owner]
    } else {
        vec![owner, hit.checking_org]
    }
}

impl HitView {
    pub(crate) fn of(hit: Hit, caller: &Caller, now: Timestamp) -> HitView {
        let state = match &hit.answer {
            Some(_) => "answered",
            None if now > hit.hit.due_at => "overdue",
            None => "open",
        };
        HitView {
            id: hit.id,
            at: hit.hit.at,
            record_kind: hit.hit.record_kind.as_str(),
            record_id: hit.hit.record_id,
            owner: hit.hit.owner.to_string(),
            checking_org: hit.hit.checking_org.to_string(),
            match_kind: hit.hit.match_kind.clone(),
            query: serde_json::from_str(&hit.hit.query).unwrap_or(serde_json::Value::Null),
            state,
            due_at: hit.hit.due_at,
            escalated_at: hit.escalated_at,
            to_answer: caller.viewpoint.owns(hit.hit.owner),
            answered_at: hit.answer.as_ref().map(|a| a.at),
            answered_by: hit.answer.as_ref().map(|a| a.by.clone()),
            answer_note: hit.answer.as_ref().and_then(|a| a.note.clone()),
            answer: hit.answer.map(|a| a.answer),
        }
    }
}

/// The owner's answer to a hit.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HitAnswerInput {
    /// `still-valid`, `no-longer-valid` or `not-the-same`.
    pub answer: Option<String>,
    pub note: Option<String>,
}

impl Hub {
    /// The hits the caller's organisation is party to, newest first: on its records (to
    /// answer) and from its checks (to follow). With `state`, only `open`, `overdue` or
    /// `answered` ones.
    pub fn hits(
        &self,
        caller: &Caller,
        state: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<HitView>> {
        let hits = self.audited(
            caller,
            "hit.list",
            || None,
            || self.hits_unaudited(caller, state, before, limit),
        )?;
        let mut event = self.event(caller, "hit.list", "ok");
        event.detail = Some(format!("{} hits", hits.len()));
        self.audit(event)?;
        Ok(hits)
    }

    fn hits_unaudited(
        &self,
        caller: &Caller,
        state: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<HitView>> {
        caller.require(Permissions::HITS)?;
        let mut errors = FieldErrors::default();
        if limit == 0 || limit > HITS_PAGE_MAX {
            errors.push("limit", format!("must be 1 to {HITS_PAGE_MAX}"));
        }
        if let Some(state) = state
            && !["open", "overdue", "answered"].contains(&state)
        {
            errors.push("state", "must be open, overdue or answered");
        }
        if !errors.is_empty() {
            return Err(HubError::Invalid(errors));
        }
        let now = self.now();
        // Who sees a hit is decided by who the caller is, not by a permission: the secretariat
        // sees every hit, others the hits on their records and those their checks found.
        let mut parties = vec![HitParty::Checker(caller.org)];
        if caller.is_secretariat() {
            parties = vec![HitParty::Any];
        } else if let Some(bureau) = caller.bureau() {
            parties.push(HitParty::Owner(bureau));
        }
        let mut hits: Vec<HitView> = Vec::new();
        // Each party's hits are read page by page until `limit` of them pass the filters (the
        // caller may see it, the state asked): hits it may no longer see, or of another state,
        // take no place in the page. The scan is bounded.
        for party in parties {
            let mut page_before = before;
            let mut kept = 0;
            for _ in 0..HIT_PAGES_SCANNED_MAX {
                let page = self.store.hits(party, page_before, HITS_PAGE_MAX)?;
                let exhausted = page.len() < HITS_PAGE_MAX;
                page_before = page.last().map(|hit| hit.id);
                for hit in page {
                    if kept == limit || !self.hit_visible(caller, &hit)? {
                        continue;
                    }
                    let view = HitView::of(hit, caller, now);
                    if state.is_none_or(|s| view.state == s) {
                        hits.push(view);
                        kept += 1;
                    }
                }
                if exhausted || kept == limit || page_before.is_none() {
                    break;
                }
            }
        }
        hits.sort_by_key(|hit| std::cmp::Reverse(hit.id));
        hits.dedup_by_key(|hit| hit.id);
        hits.truncate(limit);
        Ok(hits)
    }

    /// Whether the caller may see a hit now: the owner of its record and the secretariat
    /// always; the checker while it may still see the record (a record its owner restricted
    /// away since takes its hits with it).
    pub(crate) fn hit_visible(&self, caller: &Caller, hit: &Hit) -> Result<bool> {
        if caller.is_secretariat() || caller.viewpoint.owns(hit.hit.owner) {
            return Ok(true);
        }
        if hit.hit.checking_org != caller.org {
            return Ok(false);
        }
        let id = hit.hit.record_id;
        // A hit on a request: its checker sees it while the request's restriction lets it
        // see the request (whatever the request's state since).
        if hit.hit.record_kind == RecordKind::Notice {
            let Some(stored) = self.store.notice(id)? else {
                return Ok(false);
            };
            if !caller.may_see(&stored.row.meta) {
                return Ok(false);
            }
            // A country a diffusion is no longer sent to loses its hits on it.
            let input: palermo_core::notice::NoticeInput =
                serde_json::from_str(&stored.row.body)
                    .map_err(|e| HubError::Internal(format!("notice {id}: {e}")))?;
            return Ok(input.reach().include(caller.viewpoint.country));
        }
        if self.indexed {
            use crate::visibility::Known;
            let may_see = |known: Known<'_>| match known {
                Known::Active(access) | Known::Withdrawn(access) => {
                    caller.viewpoint.may_see_record(access)
                }
                Known::Absent => false,
            };
            return Ok(match hit.hit.record_kind {
                RecordKind::Document => may_see(self.documents.read().access.known(id)),
                RecordKind::Vehicle => may_see(self.vehicles.read().access.known(id)),
                RecordKind::Person => may_see(self.persons.read().access.known(id)),
                RecordKind::Notice => false,
            });
        }
        let access = match hit.hit.record_kind {
            RecordKind::Document => self
                .store
                .document(id)?
                .map(|s| RecordAccess::of(&s.record.meta)),
            RecordKind::Vehicle => self
                .store
                .vehicle(id)?
                .map(|s| RecordAccess::of(&s.record.meta)),
            RecordKind::Person => self
                .store
                .person(id)?
                .map(|s| RecordAccess::of(&s.record.meta)),
            RecordKind::Notice => None,
        };
        Ok(access.is_some_and(|access| caller.viewpoint.may_see_record(&access)))
    }

    /// The owner's answer to hit `id`; the checking organisation sees it in its hit list.
    pub fn answer_hit(&self, caller: &Caller, id: i64, input: &HitAnswerInput) -> Result<HitView> {
        let target = || Some(format!("hit:{id}"));
        self.audited(caller, "hit.answer", target, || {
            caller.require(Permissions::HITS)?;
            let mut errors = FieldErrors::default();
            let answer = input.answer.as_deref().map(str::trim);
            match answer {
                None => errors.push("answer", "is required"),
                Some(answer) if !ANSWERS.contains(&answer) => {
                    errors.push("answer", format!("must be one of {}", ANSWERS.join(", ")))
                }
                Some(_) => {}
            }
            let note = input
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty());
            if let Some(note) = note {
                if note.chars().count() > NOTE_MAX_CHARS {
                    errors.push(
                        "note",
                        format!("must be at most {NOTE_MAX_CHARS} characters"),
                    );
                }
                if note.chars().any(|c| c.is_control() && c != '\n') {
                    errors.push("note", "holds control characters");
                }
            }
            if !errors.is_empty() {
                return Err(HubError::Invalid(errors));
            }
            let hit = self.store.hit(id)?.ok_or(HubError::NotFound)?;
            // A hit is the owner's to answer; to anyone else who is not party to it, it
            // does not exist.
            if !caller.viewpoint.owns(hit.hit.owner) {
                return Err(if self.hit_visible(caller, &hit)? {
                    HubError::Forbidden("only the record's owner answers a hit".into())
                } else {
                    HubError::NotFound
                });
            }
            let answer = HitAnswer {
                answer: answer.unwrap_or_default().to_owned(),
                note: note.map(str::to_owned),
                at: self.now(),
                by: caller
                    .user
                    .as_deref()
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{} (api key)", caller.org)),
            };
            let mut event = self.event(caller, "hit.answer", "ok");
            event.target = target();
            event.detail = Some(answer.answer.clone());
            event.concern(hit.hit.checking_org.as_str());
            if !self.store.answer_hit(id, &answer, &event)? {
                return Err(HubError::Conflict("the hit is already answered".into()));
            }
            let hit = self.store.hit(id)?.ok_or(HubError::NotFound)?;
            Ok(HitView::of(hit, caller, self.now()))
        })
    }

    /// Escalates unanswered hits past their deadline: marked, audited, and delivered to the
    /// webhooks of owner and checker. Returns how many.
    pub fn escalate_overdue_hits(&self) -> Result<usize> {
        let mut event = self.event(&Caller::console(), "hit.escalate", "ok");
        event.user = Some("deadline".into());
        Ok(self
            .store
            .escalate_overdue_hits(self.now(), &told_of, &crate::audit::naming(&event, "hits"))?
            .len())
    }
}

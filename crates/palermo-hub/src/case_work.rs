//! Working a case: its investigation checklist, ticked item by item by its bureau; the users of
//! other organisations its bureau lets see the victims' identities, by name; its export as
//! FollowTheMoney entities for investigative tools.
//!
//! Who may: the reporting bureau ticks and grants; the checklist is read by the bureau, the
//! secretariat and the users granted; the export is what the reader may see of the case (the
//! victims' identities only for the bureau and the users granted).

use palermo_core::case::{checklist, ftm};
use palermo_core::{FieldErrors, OrgKind, Permissions, Viewpoint, normalise};
use palermo_store::{CaseGrant, ChecklistTick};
use serde::{Deserialize, Serialize};

use crate::cases::report_of;
use crate::notices::by_name;
use crate::{Caller, Hub, HubError, Result};

/// One item of a case's checklist and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChecklistItemView {
    /// `list/item`, stable: what a tick names.
    pub id: String,
    /// The list's title (`Every trafficking case`, `Forced labour` …).
    pub list: String,
    pub text: String,
    pub done: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who last ticked or unticked it, and when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// A case's checklist: the general list and one per form of exploitation its victims suffered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CaseChecklistView {
    pub case: i64,
    pub done: usize,
    pub total: usize,
    pub items: Vec<ChecklistItemView>,
}

/// A tick (or untick) of one item.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickInput {
    /// The item's id, `list/item`.
    pub item: Option<String>,
    /// Default true; false unticks.
    pub done: Option<bool>,
    /// What was done, or why not (at most 2,000 characters, one line).
    pub note: Option<String>,
}

/// A user granted the victims' identities of a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CaseGrantView {
    pub username: String,
    pub org: String,
    pub by: String,
    pub at: String,
}

/// A grant asked for.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    /// The user of another member bureau, or of the secretariat, who may see the victims'
    /// identities.
    pub username: Option<String>,
}

impl Hub {
    fn checklist_view(&self, stored: &palermo_store::StoredCase) -> Result<CaseChecklistView> {
        let report = report_of(&stored.row.report)?;
        let ticks = self.store.case_checklist(stored.id)?;
        let mut items = Vec::new();
        for list in checklist::for_report(&report) {
            for (id, text) in list.items {
                let id = format!("{}/{id}", list.code);
                let tick = ticks.iter().find(|t| t.item == id);
                items.push(ChecklistItemView {
                    list: list.title.to_owned(),
                    text: (*text).to_owned(),
                    done: tick.is_some_and(|t| t.done),
                    note: tick.and_then(|t| t.note.clone()),
                    by: tick.map(|t| format!("{} ({})", t.by_name, t.by_org)),
                    at: tick.map(|t| t.at.to_rfc3339()),
                    id,
                });
            }
        }
        Ok(CaseChecklistView {
            case: stored.id,
            done: items.iter().filter(|i| i.done).count(),
            total: items.len(),
            items,
        })
    }

    /// A case's checklist: its bureau's, the secretariat's and the granted users' to read.
    pub fn case_checklist(&self, caller: &Caller, id: i64) -> Result<CaseChecklistView> {
        let target = || Some(format!("case:{id}"));
        self.audited(caller, "case.checklist", target, || {
            self.require_case_reader(caller)?;
            let (stored, whole) = self.visible_case(caller, id)?;
            if !whole && !caller.is_secretariat() {
                return Err(HubError::Forbidden(
                    "a case's checklist is its bureau's, the secretariat's and the users it grants"
                        .into(),
                ));
            }
            let view = self.checklist_view(&stored)?;
            let mut event = self.event(caller, "case.checklist", "ok");
            event.target = target();
            event.detail = Some(format!("{} of {} done", view.done, view.total));
            event.concern(stored.row.owner.as_str());
            self.audit(event)?;
            Ok(view)
        })
    }

    /// Ticks (or unticks) one item of the case's checklist: its bureau only.
    pub fn tick_case_item(
        &self,
        caller: &Caller,
        id: i64,
        input: &TickInput,
    ) -> Result<CaseChecklistView> {
        let target = || Some(format!("case:{id}"));
        self.audited(caller, "case.tick", target, || {
            caller.require(Permissions::WRITE_RECORDS)?;
            self.require_case_reader(caller)?;
            let (stored, _) = self.visible_case(caller, id)?;
            if !caller.viewpoint.owns(stored.row.owner) {
                return Err(HubError::Forbidden(
                    "only the reporting bureau ticks its case's checklist".into(),
                ));
            }
            let report = report_of(&stored.row.report)?;
            let allowed = checklist::items(&checklist::for_report(&report));
            let mut errors = FieldErrors::default();
            let item = input.item.as_deref().map(str::trim).unwrap_or("");
            if item.is_empty() {
                errors.push("item", "is required: the item's id, list/item");
            } else if !allowed.iter().any(|(known, _)| known == item) {
                let ids: Vec<&str> = allowed.iter().map(|(id, _)| id.as_str()).collect();
                errors.push(
                    "item",
                    format!(
                        "{item:?} is not on this case's checklist: expected one of {}",
                        ids.join(", ")
                    ),
                );
            }
            let note = match input.note.as_deref() {
                None => None,
                Some(raw) if raw.chars().any(normalise::invisible) => {
                    errors.push("note", "contains invisible characters");
                    None
                }
                Some(raw) => normalise::text(raw, checklist::NOTE_LEN_MAX)
                    .map_err(|reason| errors.push("note", reason))
                    .ok()
                    .flatten(),
            };
            errors.into_result(|| ()).map_err(HubError::Invalid)?;
            let done = input.done.unwrap_or(true);
            let tick = ChecklistTick {
                item: item.to_owned(),
                done,
                note,
                by_org: caller.org,
                by_name: by_name(caller),
                at: self.now(),
            };
            let mut event = self.event(caller, "case.tick", "ok");
            event.target = target();
            event.detail = Some(format!(
                "{} {item}",
                if done { "ticked" } else { "unticked" }
            ));
            {
                let _writing = self.writes.lock();
                self.store.tick_case_item(id, &tick, &event)?;
            }
            self.checklist_view(&stored)
        })
    }

    /// The users the case's bureau lets see its victims' identities: the bureau's and the
    /// secretariat's to read.
    pub fn case_grants(&self, caller: &Caller, id: i64) -> Result<Vec<CaseGrantView>> {
        let target = || Some(format!("case:{id}"));
        self.audited(caller, "case.grants", target, || {
            self.require_case_reader(caller)?;
            let (stored, _) = self.visible_case(caller, id)?;
            if !caller.viewpoint.owns(stored.row.owner) && !caller.is_secretariat() {
                return Err(HubError::Forbidden(
                    "a case's grants are its bureau's and the secretariat's".into(),
                ));
            }
            let grants = self
                .store
                .case_grants(id)?
                .into_iter()
                .map(grant_view)
                .collect();
            let mut event = self.event(caller, "case.grants", "ok");
            event.target = target();
            event.concern(stored.row.owner.as_str());
            self.audit(event)?;
            Ok(grants)
        })
    }

    /// Lets a user of another member bureau, or of the secretariat, see the case's victims'
    /// identities: the case's bureau only, for a user whose organisation the case's
    /// restriction lets see the case.
    pub fn grant_case(
        &self,
        caller: &Caller,
        id: i64,
        input: &GrantInput,
    ) -> Result<CaseGrantView> {
        let target = || Some(format!("case:{id}"));
        self.audited(caller, "case.grant", target, || {
            caller.require(Permissions::WRITE_RECORDS)?;
            self.require_case_reader(caller)?;
            let (stored, _) = self.visible_case(caller, id)?;
            if !caller.viewpoint.owns(stored.row.owner) {
                return Err(HubError::Forbidden(
                    "only the reporting bureau grants its victims' identities".into(),
                ));
            }
            let username = input.username.as_deref().map(str::trim).unwrap_or("");
            let invalid =
                |detail: String| HubError::Invalid(FieldErrors::single("username", detail));
            if username.is_empty() {
                return Err(invalid("is required: the user's sign-in name".into()));
            }
            // An absent user and a partner's read alike: a grant is no way to learn who exists.
            let unknown = || {
                invalid(format!(
                    "no user of another member bureau or of the secretariat is called {username:?}"
                ))
            };
            let user = self.store.user(username)?.ok_or_else(unknown)?;
            let organisation = self
                .store
                .organisations()?
                .into_iter()
                .find(|o| o.code == user.org)
                .ok_or_else(unknown)?;
            let viewpoint = match organisation.kind {
                OrgKind::Partner => return Err(unknown()),
                OrgKind::Secretariat => Viewpoint {
                    kind: OrgKind::Secretariat,
                    country: None,
                },
                OrgKind::Member => match organisation.country() {
                    Some(country) => Viewpoint::member(country),
                    None => return Err(unknown()),
                },
            };
            if viewpoint.owns(stored.row.owner) {
                return Err(invalid(format!(
                    "{username:?} is a user of {}: its users see its cases whole already",
                    stored.row.owner.as_str()
                )));
            }
            if !viewpoint.may_see(
                stored.row.owner,
                &stored.row.restriction,
                palermo_core::HandlingCode::H1,
            ) {
                return Err(invalid(format!(
                    "the case's restriction keeps {} from seeing it: widen the restriction first",
                    user.org
                )));
            }
            let grant = CaseGrant {
                case_id: id,
                username: user.username.clone(),
                org: user.org,
                by_org: caller.org,
                by_name: by_name(caller),
                at: self.now(),
            };
            let mut event = self.event(caller, "case.grant", "ok");
            event.target = target();
            event.detail = Some(format!(
                "victims' identities to {} ({})",
                user.username, user.org
            ));
            event.concern(user.org.as_str());
            {
                let _writing = self.writes.lock();
                self.store.grant_case(&grant, &event)?;
            }
            Ok(grant_view(grant))
        })
    }

    /// Withdraws a grant: the case's bureau only; 404 if the user holds none.
    pub fn revoke_case_grant(&self, caller: &Caller, id: i64, username: &str) -> Result<()> {
        let target = || Some(format!("case:{id}"));
        self.audited(caller, "case.revoke", target, || {
            caller.require(Permissions::WRITE_RECORDS)?;
            self.require_case_reader(caller)?;
            let (stored, _) = self.visible_case(caller, id)?;
            if !caller.viewpoint.owns(stored.row.owner) {
                return Err(HubError::Forbidden(
                    "only the reporting bureau withdraws its grants".into(),
                ));
            }
            let mut event = self.event(caller, "case.revoke", "ok");
            event.target = target();
            event.detail = Some(format!("victims' identities from {username}"));
            let revoked = {
                let _writing = self.writes.lock();
                self.store.revoke_case_grant(id, username, &event)?
            };
            if revoked {
                Ok(())
            } else {
                Err(HubError::NotFound)
            }
        })
    }

    /// The case as FollowTheMoney entities, as the caller may see it (JSON objects, one per
    /// entity).
    pub fn case_ftm(&self, caller: &Caller, id: i64) -> Result<Vec<serde_json::Value>> {
        let target = || Some(format!("case:{id}"));
        self.audited(caller, "case.export", target, || {
            self.require_case_reader(caller)?;
            let (stored, whole) = self.visible_case(caller, id)?;
            let report = report_of(&stored.row.report)?.seen(whole);
            let entities = ftm::entities(stored.id, stored.row.owner, &report);
            let mut event = self.event(caller, "case.export", "ok");
            event.target = target();
            event.detail = Some(format!(
                "{} FollowTheMoney entities{}",
                entities.len(),
                if whole {
                    ", victims' identities included"
                } else {
                    ""
                }
            ));
            event.concern(stored.row.owner.as_str());
            self.audit(event)?;
            Ok(entities)
        })
    }
}

fn grant_view(grant: CaseGrant) -> CaseGrantView {
    CaseGrantView {
        username: grant.username,
        org: grant.org.to_string(),
        by: format!("{} ({})", grant.by_name, grant.by_org),
        at: grant.at.to_rfc3339(),
    }
}

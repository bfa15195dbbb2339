//! Notices and diffusions: a member bureau requests them, the secretariat's reviewers review
//! them against the rules, the owner (or the secretariat) suspends and cancels them, and they
//! expire at their review date. Every move is decided by `palermo_core::notice::lifecycle` on
//! the row the move's own transaction reads, and audited; a request's visibility is decided
//! here, before anything is shown.

use std::cell::RefCell;

use palermo_core::error::{FieldError, FieldErrors};
use palermo_core::notice::lifecycle::{self, Actor, MoveRefused, State, Transition};
use palermo_core::notice::rules::{self, Checklist, Facts, OtherRequest, Override, SubjectFacts};
use palermo_core::notice::{NoticeInput, NoticeKind, NoticeRequest, Recipients, RequestKind};
use palermo_core::{CountryCode, OrgKind, Permissions, Timestamp, ValidationContext, Viewpoint};
use palermo_store::{NewMessage, NoticeChange, NoticeEvent, NoticeFilter, NoticeRow, StoredNotice};
use serde::{Deserialize, Serialize};

use crate::writes::{MetaView, meta_view};
use crate::{Caller, Hub, HubError, Result};

pub use crate::notice_hits::{NOTICES_PER_ANSWER_MAX, NOTICES_PER_OWNER_MAX};

/// Most notices one list returns, and how many when the caller does not say.
pub const NOTICES_PAGE_MAX: usize = 200;
pub const NOTICES_PAGE_DEFAULT: usize = 50;
/// Shortest reason for a refusal, a suspension or a cancellation.
pub const REASON_LEN_MIN: usize = 10;
pub const REASON_LEN_MAX: usize = 4000;
/// How far a confirmation moves the review date.
const CONFIRM_YEARS: i32 = 5;
/// Most other requests about one person the duplicates rule reads.
const OTHERS_MAX: usize = 1000;

/// A move asked of a notice.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeMoveInput {
    /// `submit`, `start_review`, `publish`, `refuse`, `update`, `suspend`, `resume`,
    /// `confirm`, `cancel`, `find_compliant`, `find_non_compliant`.
    pub transition: Option<String>,
    /// Why: required to refuse, suspend, cancel or find non-compliant.
    pub reason: Option<String>,
    /// A reviewer's decisions on the rules that failed or need judgement (publish, find
    /// compliant).
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// For `update`: the request as it should now read.
    pub request: Option<NoticeInput>,
}

/// One rule's verdict as the API shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    pub rule: &'static str,
    pub title: &'static str,
    /// `pass`, `fail` or `needs_judgement`.
    pub verdict: &'static str,
    pub evidence: Vec<String>,
}

fn rule_views(checklist: &Checklist) -> Vec<RuleView> {
    checklist
        .0
        .iter()
        .map(|outcome| RuleView {
            rule: outcome.rule,
            title: outcome.title,
            verdict: outcome.verdict.as_str(),
            evidence: outcome.evidence.clone(),
        })
        .collect()
}

/// A request evaluated without being stored: what a form shows while the operator types.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EvaluationView {
    /// Whether the request would be accepted as it is (every required part there).
    pub valid: bool,
    /// Every problem with the request's fields, each with its path.
    pub errors: Vec<FieldError>,
    /// The rules' verdicts, with their evidence.
    pub checklist: Vec<RuleView>,
}

/// A notice or a diffusion as its reader may see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NoticeView {
    pub id: i64,
    /// `red` … `un-entities` (notices), `wanted` … `warning` (diffusions).
    pub kind: String,
    pub diffusion: bool,
    /// `draft`, `submitted`, `in_review`, `published`, `refused`, `suspended`, `held`,
    /// `cancelled`, `expired`, `sent`, `compliant`, `non_compliant`.
    pub state: String,
    pub version: i64,
    /// Whether checks hit it now.
    pub hits: bool,
    /// What an officer whose check hits it is asked to do.
    pub action: &'static str,
    pub person: Option<i64>,
    pub public_extract: bool,
    /// The request as submitted (its current version).
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    #[serde(flatten)]
    pub meta: MetaView,
    /// The rules' verdicts now, for the owner and the secretariat only.
    pub checklist: Option<Vec<RuleView>>,
}

/// One move in a notice's history.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NoticeEventView {
    pub transition: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub version: i64,
    pub by_org: String,
    pub by: String,
    pub reason: Option<String>,
    /// The checklist and overrides of a review, when the move had them.
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
    #[schema(value_type = String)]
    pub at: Timestamp,
}

/// Which notices to list.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoticeListQuery {
    pub owner: Option<String>,
    pub kind: Option<String>,
    pub state: Option<String>,
    pub person: Option<i64>,
    /// Diffusions only (`true`) or notices only (`false`).
    pub diffusion: Option<bool>,
    /// Ids below this one (the next page).
    pub before: Option<i64>,
    pub limit: Option<usize>,
}

fn parse_body(stored: &StoredNotice) -> Result<NoticeInput> {
    serde_json::from_str(&stored.row.body).map_err(|e| {
        HubError::Internal(format!(
            "notice {} holds an unreadable request: {e}",
            stored.id
        ))
    })
}

fn kind_of(stored: &StoredNotice) -> Result<RequestKind> {
    RequestKind::parse(&stored.row.kind).ok_or_else(|| {
        HubError::Internal(format!(
            "notice {} has kind {:?}",
            stored.id, stored.row.kind
        ))
    })
}

fn state_of(stored: &StoredNotice) -> Result<State> {
    State::parse(&stored.row.state).ok_or_else(|| {
        HubError::Internal(format!(
            "notice {} has state {:?}",
            stored.id, stored.row.state
        ))
    })
}

fn reason(input: &NoticeMoveInput, needed: bool) -> Result<Option<String>> {
    let text = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let mut errors = FieldErrors::default();
    match text {
        None if needed => errors.push(
            "reason",
            format!("is required: at least {REASON_LEN_MIN} characters saying why"),
        ),
        Some(text) if needed && text.chars().count() < REASON_LEN_MIN => errors.push(
            "reason",
            format!("write at least {REASON_LEN_MIN} characters"),
        ),
        Some(text) if text.chars().count() > REASON_LEN_MAX => {
            errors.push("reason", format!("at most {REASON_LEN_MAX} characters"))
        }
        Some(text)
            if text.chars().any(|c| {
                (c.is_control() && c != '\n') || palermo_core::normalise::invisible(c)
            }) =>
        {
            errors.push("reason", "holds control or invisible characters")
        }
        _ => {}
    }
    errors
        .into_result(|| text.map(str::to_owned))
        .map_err(HubError::Invalid)
}

fn refused_move(refusal: MoveRefused) -> HubError {
    HubError::Refused {
        state: refusal.state.as_str().to_owned(),
        detail: refusal.to_string(),
    }
}

/// Who acted, as histories record it: a person's user name, or the organisation's key.
pub(crate) fn by_name(caller: &Caller) -> String {
    caller
        .user
        .as_deref()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{} (api key)", caller.org))
}

/// What a move tells the bureaus the request reaches, if anything: its publication or
/// sending, a change while it reaches them, its suspension or return, its end.
fn announced(transition: &str, from: Option<State>, to: State) -> Option<&'static str> {
    let reached =
        from.is_some_and(|state| state.hits() || matches!(state, State::Suspended | State::Held));
    match transition {
        "create" if to == State::Sent => Some("sent"),
        "publish" => Some("published"),
        "update" if to.hits() => Some("updated"),
        "suspend" if reached => Some("suspended: it does not hit until resumed"),
        "resume" => Some("resumed: it hits again"),
        "cancel" if reached => Some("cancelled: it no longer hits"),
        "find_non_compliant" => Some("found not compliant with the rules: it no longer hits"),
        _ => None,
    }
}

/// The message announcing `what` of notice `id` (as `row` now reads) to every member bureau
/// that may see it (a diffusion's recipients only), from the organisation that made the move;
/// `None` when no other bureau may see it.
fn announcement(
    caller: &Caller,
    id: i64,
    row: &NoticeRow,
    recipients: &Option<Recipients>,
    what: &str,
    at: Timestamp,
    organisations: &[palermo_store::Organisation],
) -> Option<NewMessage> {
    let kind = RequestKind::parse(&row.kind)?;
    let meta = &row.meta;
    let to: Vec<palermo_core::OrgCode> = organisations
        .iter()
        .filter(|org| org.kind == OrgKind::Member && org.code != caller.org)
        .filter(|org| {
            let Some(country) = CountryCode::parse_member(org.code.as_str()) else {
                return false;
            };
            let addressed = match recipients {
                Some(Recipients::Only(countries)) => {
                    countries.contains(&country) || country == meta.owner
                }
                _ => true,
            };
            addressed
                && Viewpoint::member(country).may_see(meta.owner, &meta.restriction, meta.handling)
        })
        .map(|org| org.code)
        .collect();
    if to.is_empty() {
        return None;
    }
    let (label, channel) = match kind {
        RequestKind::Notice(notice) => (notice.as_str(), "notice"),
        RequestKind::Diffusion(diffusion) => (diffusion.as_str(), "diffusion"),
    };
    let urgent = matches!(
        kind.requirements(),
        NoticeKind::Red | NoticeKind::Yellow | NoticeKind::Orange
    ) && matches!(what, "published" | "sent");
    Some(NewMessage {
        at,
        in_reply_to: None,
        thread_id: None,
        sender_org: caller.org,
        sender_user: caller.user.as_deref().map(str::to_owned),
        recipients: to,
        subject: format!("{label} {channel} {id} of {} {what}", meta.owner),
        body: format!(
            "The {label} {channel} {id} of {} was {what} by {}.\nAction asked of whoever finds its subject: {}.\nRead it with `palermo notice show {id}`.",
            meta.owner,
            caller.org,
            kind.requirements().action()
        ),
        priority: if urgent { "urgent" } else { "routine" }.into(),
        handling: meta.handling.as_str().into(),
        refs: format!("[{{\"kind\":\"notice\",\"id\":{id}}}]"),
        attachments: Vec::new(),
    })
}

impl Hub {
    fn notice_context(&self, caller: &Caller) -> Result<ValidationContext<'static>> {
        let country = caller
            .viewpoint
            .country
            .filter(|_| caller.viewpoint.kind == OrgKind::Member)
            .ok_or_else(|| {
                HubError::Forbidden("only a member bureau requests notices and diffusions".into())
            })?;
        Ok(ValidationContext {
            today: self.now().date(),
            default_owner: country,
            prefix: "",
        })
    }

    /// What the rules need to know: the person's identifiers (a person of the request's
    /// owner) and the other requests about them.
    fn facts(
        &self,
        owner: palermo_core::CountryCode,
        person: Option<i64>,
        this: Option<i64>,
    ) -> Result<(Option<SubjectFacts>, Vec<OtherRequest>)> {
        let Some(id) = person else {
            return Ok((None, Vec::new()));
        };
        let subject = match self.store.person(id)? {
            Some(stored) if stored.record.meta.owner == owner && stored.withdrawn_at.is_none() => {
                let photo = !self.store.person_photos(id)?.is_empty();
                SubjectFacts::of(&stored.record, photo)
            }
            // Another bureau's person, or none: nothing is read about them, their requests
            // neither (a dry run must not tell a bureau what others asked about someone).
            _ => return Ok((None, Vec::new())),
        };
        let filter = NoticeFilter {
            person_id: Some(id),
            ..NoticeFilter::default()
        };
        let mut others = Vec::new();
        for other in self.store.notices(&filter, None, OTHERS_MAX)? {
            if Some(other.id) == this {
                continue;
            }
            others.push(OtherRequest {
                id: other.id,
                kind: kind_of(&other)?,
                state: state_of(&other)?,
            });
        }
        Ok((Some(subject), others))
    }

    fn checklist(
        &self,
        input: &NoticeInput,
        owner: palermo_core::CountryCode,
        this: Option<i64>,
    ) -> Result<Checklist> {
        let (subject, others) = self.facts(owner, input.person, this)?;
        Ok(rules::evaluate(
            input,
            &Facts {
                subject,
                others: &others,
            },
        ))
    }

    /// Validates a request and names the person it is about as one of the owner's.
    fn validated(&self, caller: &Caller, input: &NoticeInput) -> Result<NoticeRequest> {
        let context = self.notice_context(caller)?;
        let request = input.validate(context).map_err(HubError::Invalid)?;
        if !caller.may_write_for(request.meta.owner) {
            return Err(HubError::Forbidden(
                "a bureau requests notices and diffusions of its own only".into(),
            ));
        }
        if let Some(person) = request.person {
            let stored = self
                .store
                .person(person)?
                .filter(|p| p.record.meta.owner == request.meta.owner && p.withdrawn_at.is_none());
            let Some(stored) = stored else {
                return Err(HubError::Invalid(FieldErrors::single(
                    "person",
                    format!(
                        "{person} is not a person of {}'s in the persons database",
                        request.meta.owner
                    ),
                )));
            };
            let meta = &stored.record.meta;
            if request.public_extract
                && (meta.restriction != palermo_core::Restriction::All
                    || meta.handling != palermo_core::HandlingCode::H0)
            {
                return Err(HubError::Invalid(FieldErrors::single(
                    "public_extract",
                    "the person's record is restricted or has a handling code: it has no public extract",
                )));
            }
        }
        Ok(request)
    }

    /// Evaluates a request without storing it: every field problem and every rule's verdict.
    pub fn evaluate_notice(&self, caller: &Caller, input: &NoticeInput) -> Result<EvaluationView> {
        self.audited(
            caller,
            "notice.evaluate",
            || None,
            || {
                caller.require(Permissions::WRITE_RECORDS)?;
                let context = self.notice_context(caller)?;
                let mut errors = input.validate(context).err().unwrap_or_default();
                // The person is the owner's, as the request itself would need (absent and
                // another's read alike).
                if let Some(person) = input.person.filter(|id| *id > 0) {
                    let own = self.store.person(person)?.is_some_and(|p| {
                        p.record.meta.owner == context.default_owner && p.withdrawn_at.is_none()
                    });
                    if !own {
                        errors.push(
                            "person",
                            format!(
                                "{person} is not a person of {}'s in the persons database",
                                context.default_owner
                            ),
                        );
                    }
                }
                let owner = context.default_owner;
                let checklist = self.checklist(input, owner, None)?;
                let mut event = self.event(caller, "notice.evaluate", "ok");
                event.detail = input.kind.clone();
                self.audit(event)?;
                Ok(EvaluationView {
                    valid: errors.is_empty(),
                    errors: errors.0,
                    checklist: rule_views(&checklist),
                })
            },
        )
    }

    /// Stores a new request: a notice as a draft (its owner submits it for review), a
    /// diffusion sent (its recipients see it at once; it is reviewed after).
    pub fn request_notice(&self, caller: &Caller, input: &NoticeInput) -> Result<NoticeView> {
        self.audited(
            caller,
            "notice.request",
            || None,
            || {
                caller.require(Permissions::WRITE_RECORDS)?;
                let request = self.validated(caller, input)?;
                let state = State::first(request.kind);
                let row = NoticeRow {
                    kind: request.kind.as_str().to_owned(),
                    state: state.as_str().to_owned(),
                    person_id: request.person,
                    body: serde_json::to_string(input)
                        .map_err(|e| HubError::Internal(e.to_string()))?,
                    public_extract: request.public_extract,
                    meta: request.meta.clone(),
                };
                let event = NoticeEvent {
                    transition: "create".into(),
                    from_state: None,
                    to_state: state.as_str().into(),
                    version: 1,
                    by_org: caller.org,
                    by_name: by_name(caller),
                    reason: None,
                    detail: None,
                    at: self.now(),
                };
                let mut audit = self.event(caller, "notice.request", "ok");
                audit.detail = Some(request.kind.as_str().into());
                let what = announced("create", None, state);
                let organisations = match what {
                    Some(_) => self.store.organisations()?,
                    None => Vec::new(),
                };
                let announce = |id: i64| {
                    announcement(
                        caller,
                        id,
                        &row,
                        &request.recipients,
                        what?,
                        event.at,
                        &organisations,
                    )
                };
                let stored = {
                    let _writing = self.writes.lock();
                    let stored = self.store.create_notice(
                        &row,
                        &event,
                        &announce,
                        &crate::audit::naming(&audit, "notice"),
                    )?;
                    self.notice_hits.write().set(&stored);
                    self.refresh_public(&stored);
                    stored
                };
                self.notice_view(caller, &stored)
            },
        )
    }

    /// Whether the caller may see the request at all: the owner and the secretariat always;
    /// anyone else only while it hits, as its restriction allows, and for a diffusion only
    /// its recipients.
    fn may_see_notice(&self, caller: &Caller, stored: &StoredNotice) -> Result<bool> {
        if caller.is_secretariat() || caller.viewpoint.owns(stored.row.meta.owner) {
            return Ok(true);
        }
        if !state_of(stored)?.hits() || !caller.may_see(&stored.row.meta) {
            return Ok(false);
        }
        // A hitting request's reach is in the checks' index, read without parsing its body;
        // a hub without its indexes reads the recipients from the request.
        if self.indexed {
            return Ok(self.notice_hits.read().reaches_id(caller, stored.id));
        }
        Ok(parse_body(stored)?
            .reach()
            .include(caller.viewpoint.country))
    }

    fn notice_view(&self, caller: &Caller, stored: &StoredNotice) -> Result<NoticeView> {
        self.notice_view_with(caller, stored, true)
    }

    /// A request as `caller` sees it; the rules' checklist (which reads other rows) only when
    /// `checklist` is asked, and only for the owner and the secretariat.
    fn notice_view_with(
        &self,
        caller: &Caller,
        stored: &StoredNotice,
        checklist: bool,
    ) -> Result<NoticeView> {
        let kind = kind_of(stored)?;
        let state = state_of(stored)?;
        let body = parse_body(stored)?;
        let checklist = if checklist
            && (caller.is_secretariat() || caller.viewpoint.owns(stored.row.meta.owner))
        {
            Some(rule_views(&self.checklist(
                &body,
                stored.row.meta.owner,
                Some(stored.id),
            )?))
        } else {
            None
        };
        Ok(NoticeView {
            id: stored.id,
            kind: stored.row.kind.clone(),
            diffusion: kind.is_diffusion(),
            state: stored.row.state.clone(),
            version: stored.version,
            hits: state.hits(),
            action: kind.requirements().action(),
            person: stored.row.person_id,
            public_extract: stored.row.public_extract,
            request: serde_json::from_str(&stored.row.body)
                .map_err(|e| HubError::Internal(e.to_string()))?,
            meta: meta_view(&stored.row.meta, stored.created_at, stored.updated_at, None),
            checklist,
        })
    }

    fn visible_notice(&self, caller: &Caller, id: i64) -> Result<StoredNotice> {
        let stored = self.store.notice(id)?.ok_or(HubError::NotFound)?;
        if !self.may_see_notice(caller, &stored)? {
            return Err(HubError::NotFound);
        }
        Ok(stored)
    }

    /// One notice, as the caller may see it (absent and hidden alike: `NotFound`).
    pub fn notice(&self, caller: &Caller, id: i64) -> Result<NoticeView> {
        let target = || Some(format!("notice:{id}"));
        let (view, owner) = self.audited(caller, "notice.read", target, || {
            caller.require(Permissions::CHECK)?;
            let stored = self.visible_notice(caller, id)?;
            Ok((self.notice_view(caller, &stored)?, stored.row.meta.owner))
        })?;
        let mut event = self.event(caller, "notice.read", "ok");
        event.target = target();
        event.concern(owner.as_str());
        self.audit(event)?;
        Ok(view)
    }

    /// A notice's history, oldest first (the owner and the secretariat only).
    pub fn notice_history(&self, caller: &Caller, id: i64) -> Result<Vec<NoticeEventView>> {
        let target = || Some(format!("notice:{id}"));
        self.audited(caller, "notice.history", target, || {
            caller.require(Permissions::CHECK)?;
            let stored = self.visible_notice(caller, id)?;
            if !caller.is_secretariat() && !caller.viewpoint.owns(stored.row.meta.owner) {
                return Err(HubError::Forbidden(
                    "a notice's history is its owner's and the secretariat's".into(),
                ));
            }
            let mut event = self.event(caller, "notice.history", "ok");
            event.target = target();
            event.concern(stored.row.meta.owner.as_str());
            self.audit(event)?;
            self.store
                .notice_history(id)?
                .into_iter()
                .map(|event| {
                    Ok(NoticeEventView {
                        transition: event.transition,
                        from_state: event.from_state,
                        to_state: event.to_state,
                        version: event.version,
                        by_org: event.by_org.to_string(),
                        by: event.by_name,
                        reason: event.reason,
                        detail: event
                            .detail
                            .map(|text| serde_json::from_str(&text))
                            .transpose()
                            .map_err(|e| HubError::Internal(e.to_string()))?,
                        at: event.at,
                    })
                })
                .collect()
        })
    }

    /// Notices the caller may see, newest first.
    pub fn notices(&self, caller: &Caller, query: &NoticeListQuery) -> Result<Vec<NoticeView>> {
        self.audited(
            caller,
            "notice.list",
            || None,
            || {
                caller.require(Permissions::CHECK)?;
                let mut errors = FieldErrors::default();
                let owner = query.owner.as_deref().and_then(|text| {
                    let code = palermo_core::CountryCode::parse_member(text.trim());
                    if code.is_none() {
                        errors.push(
                            "owner",
                            format!("{text:?} is not an ISO 3166-1 alpha-3 country code"),
                        );
                    }
                    code
                });
                if let Some(kind) = &query.kind
                    && RequestKind::parse(kind).is_none()
                {
                    errors.push(
                        "kind",
                        format!("{kind:?} is not one of {}", RequestKind::names()),
                    );
                }
                if let Some(state) = &query.state
                    && State::parse(state).is_none()
                {
                    errors.push("state", format!("{state:?} is not a state of a notice"));
                }
                if query.person.is_some_and(|id| id <= 0) {
                    errors.push("person", "is a person's id, a positive number");
                }
                let limit = query.limit.unwrap_or(NOTICES_PAGE_DEFAULT);
                if limit == 0 || limit > NOTICES_PAGE_MAX {
                    errors.push("limit", format!("is 1 to {NOTICES_PAGE_MAX}"));
                }
                if !errors.is_empty() {
                    return Err(HubError::Invalid(errors));
                }
                let filter = NoticeFilter {
                    owner,
                    kind: query
                        .kind
                        .as_deref()
                        .and_then(RequestKind::parse)
                        .map(|k| k.as_str().to_owned()),
                    state: query.state.clone(),
                    person_id: query.person,
                };
                // Pages of the store are read until the caller's page is full: what it may not
                // see is skipped, not counted.
                let mut views = Vec::new();
                let mut before = query.before;
                loop {
                    let page = self.store.notices(&filter, before, NOTICES_PAGE_MAX)?;
                    let last = page.last().map(|stored| stored.id);
                    for stored in &page {
                        if views.len() == limit {
                            break;
                        }
                        let channel_wanted = query.diffusion.is_none_or(|wanted| {
                            kind_of(stored).is_ok_and(|k| k.is_diffusion() == wanted)
                        });
                        if channel_wanted && self.may_see_notice(caller, stored)? {
                            // A list shows no checklist: read one request for it.
                            views.push(self.notice_view_with(caller, stored, false)?);
                        }
                    }
                    if views.len() == limit || page.len() < NOTICES_PAGE_MAX {
                        break;
                    }
                    before = last;
                }
                let mut event = self.event(caller, "notice.list", "ok");
                event.detail = Some(format!("{} notices", views.len()));
                self.audit(event)?;
                Ok(views)
            },
        )
    }
    /// The moves the caller may make now on a notice it reads (what a page offers as
    /// buttons): the owner's and the secretariat's, as [`Hub::move_notice`] decides them, and
    /// only those the notice's state allows. An update is left out (it brings a new request).
    pub fn notice_moves(&self, caller: &Caller, notice: &NoticeView) -> Vec<&'static str> {
        let (Some(kind), Some(state)) = (
            RequestKind::parse(&notice.kind),
            State::parse(&notice.state),
        ) else {
            return Vec::new();
        };
        let owner = caller.viewpoint.owns(notice.meta.owner)
            && caller.permissions.contains(Permissions::WRITE_RECORDS);
        let secretariat = !caller.viewpoint.owns(notice.meta.owner)
            && caller.is_secretariat()
            && caller.permissions.contains(Permissions::REVIEW);
        Transition::ALL
            .into_iter()
            .filter(|t| !matches!(t, Transition::Expire | Transition::Update))
            .filter(|&t| {
                let actor = if owner {
                    Actor::Owner
                } else if secretariat {
                    match t {
                        Transition::Suspend | Transition::Resume | Transition::Cancel => {
                            Actor::Secretariat
                        }
                        _ => Actor::Reviewer,
                    }
                } else {
                    return false;
                };
                t.actors().contains(&actor) && lifecycle::next(kind, state, t, actor).is_ok()
            })
            .map(Transition::as_str)
            .collect()
    }

    /// Moves a notice: submit, review, publish or refuse, update, suspend, resume, confirm,
    /// cancel, find a diffusion compliant or not. Who may make which move from which state is
    /// `lifecycle::next`'s decision on the row this move's transaction reads; a move that may
    /// not be made is a `Conflict` naming the current state.
    pub fn move_notice(
        &self,
        caller: &Caller,
        id: i64,
        input: &NoticeMoveInput,
    ) -> Result<NoticeView> {
        let target = || Some(format!("notice:{id}"));
        self.audited(caller, "notice.move", target, || {
            let transition = match input.transition.as_deref().map(str::trim) {
                Some(text) => Transition::parse(text).ok_or_else(|| {
                    let names: Vec<&str> = Transition::ALL
                        .iter()
                        .filter(|t| **t != Transition::Expire)
                        .map(|t| t.as_str())
                        .collect();
                    HubError::Invalid(FieldErrors::single(
                        "transition",
                        format!("{text:?} is not one of {}", names.join(", ")),
                    ))
                })?,
                None => {
                    return Err(HubError::Invalid(FieldErrors::single(
                        "transition",
                        "is required",
                    )));
                }
            };
            if transition == Transition::Expire {
                return Err(HubError::Forbidden(
                    "a notice expires at its review date only".into(),
                ));
            }
            let stored = self.visible_notice(caller, id)?;
            let owner = stored.row.meta.owner;
            let actor = if caller.viewpoint.owns(owner) {
                caller.require(Permissions::WRITE_RECORDS)?;
                Actor::Owner
            } else if caller.is_secretariat() {
                caller.require(Permissions::REVIEW)?;
                match transition {
                    Transition::Suspend | Transition::Resume | Transition::Cancel => {
                        Actor::Secretariat
                    }
                    _ => Actor::Reviewer,
                }
            } else {
                return Err(HubError::Forbidden(format!(
                    "the notice is {owner}'s; only its owner and the secretariat move it"
                )));
            };
            // A move that is not the mover's to make is refused before anything else is read.
            if !transition.actors().contains(&actor) {
                return Err(refused_move(MoveRefused {
                    state: state_of(&stored)?,
                    transition,
                    actor,
                    reason: "that move is not theirs to make",
                }));
            }
            let needs_reason = matches!(
                transition,
                Transition::Refuse
                    | Transition::Suspend
                    | Transition::Cancel
                    | Transition::FindNonCompliant
            );
            let reason = reason(input, needs_reason)?;
            // An update brings the request as it should read; nothing else does.
            let updated = match (transition, &input.request) {
                (Transition::Update, Some(request)) => {
                    Some((request, self.validated(caller, request)?))
                }
                (Transition::Update, None) => {
                    return Err(HubError::Invalid(FieldErrors::single(
                        "request",
                        "is required to update: the request as it should now read",
                    )));
                }
                (_, Some(_)) => {
                    return Err(HubError::Invalid(FieldErrors::single(
                        "request",
                        "only an update carries the request",
                    )));
                }
                (_, None) => None,
            };
            if let Some((_, request)) = &updated
                && (request.kind.as_str() != stored.row.kind || request.meta.owner != owner)
            {
                return Err(HubError::Conflict(format!(
                    "the request is a {} request of {owner}'s: an update keeps its kind and owner (cancel it and request anew)",
                    stored.row.kind
                )));
            }
            // A published notice changes within the rules only: the owner cannot override
            // them, and a change that fails one would reach every bureau unreviewed.
            if let Some((_, request)) = &updated
                && request.public_extract
                && !stored.row.public_extract
                && state_of(&stored)? == State::Published
            {
                return Err(HubError::Refused {
                    state: State::Published.as_str().into(),
                    detail: "a published notice is made public by review only: cancel it and request it anew with the public extract".into(),
                });
            }
            if let Some((request, _)) = &updated
                && state_of(&stored)? == State::Published
            {
                let checklist = self.checklist(request, owner, Some(id))?;
                if !checklist.passed() {
                    // The same request would be taken as a draft's: it is the notice's state
                    // it conflicts with.
                    let failed: Vec<String> = checklist
                        .0
                        .iter()
                        .filter(|o| o.verdict != rules::Verdict::Pass)
                        .map(|o| format!("{} ({})", o.rule, o.evidence.join("; ")))
                        .collect();
                    return Err(HubError::Refused {
                        state: State::Published.as_str().into(),
                        detail: format!(
                            "a published notice changes within the rules only, and the update does not pass {}: cancel it and request anew",
                            failed.join(", ")
                        ),
                    });
                }
            }
            if !input.overrides.is_empty()
                && !matches!(transition, Transition::Publish | Transition::FindCompliant)
            {
                return Err(HubError::Invalid(FieldErrors::single(
                    "overrides",
                    "only a publication or a finding of compliance takes overrides",
                )));
            }
            // The rules are read before the move's transaction (their facts are other rows);
            // the move itself is decided on the notice's row inside it.
            let review = if matches!(transition, Transition::Publish | Transition::FindCompliant) {
                let body = parse_body(&stored)?;
                let checklist = self.checklist(&body, owner, Some(id))?;
                checklist
                    .resolve(&input.overrides)
                    .map_err(HubError::Invalid)?;
                Some(serde_json::json!({
                    "checklist": rule_views(&checklist),
                    "overrides": input.overrides,
                }))
            } else {
                None
            };
            let now = self.now();
            // Who an announcement may reach, read before the move's transaction.
            let organisations = self.store.organisations()?;
            // Whom the request reaches as stored (never re-validated: its dates may have
            // aged since).
            let recipients = parse_body(&stored)?.recipients_as_given();
            let refused: RefCell<Option<MoveRefused>> = RefCell::new(None);
            let decide = |current: &StoredNotice| -> Option<NoticeChange> {
                let (Ok(kind), Ok(state)) = (kind_of(current), state_of(current)) else {
                    return None;
                };
                // A review, and an update checked against the rules, decide on the version
                // and state they read.
                if (review.is_some() || updated.is_some())
                    && (current.version != stored.version || current.row.state != stored.row.state)
                {
                    *refused.borrow_mut() = Some(MoveRefused {
                        state,
                        transition,
                        actor,
                        reason: "the request changed meanwhile: read it again",
                    });
                    return None;
                }
                let to = match lifecycle::next(kind, state, transition, actor) {
                    Ok(to) => to,
                    Err(refusal) => {
                        *refused.borrow_mut() = Some(refusal);
                        return None;
                    }
                };
                let mut row = current.row.clone();
                row.state = to.as_str().to_owned();
                if let Some((input, request)) = &updated {
                    row.body = serde_json::to_string(input).ok()?;
                    row.person_id = request.person;
                    row.public_extract = request.public_extract;
                    row.meta = request.meta.clone();
                }
                if transition == Transition::Confirm {
                    let today = now.date();
                    row.meta.review_date = today
                        .replace_year(today.year() + CONFIRM_YEARS)
                        .unwrap_or(today);
                }
                let announce = announced(transition.as_str(), Some(state), to).and_then(|what| {
                    let recipients = match &updated {
                        Some((_, request)) => request.recipients.clone(),
                        None => recipients.clone(),
                    };
                    announcement(caller, id, &row, &recipients, what, now, &organisations)
                });
                Some(NoticeChange {
                    row,
                    event: NoticeEvent {
                        transition: transition.as_str().into(),
                        from_state: Some(state.as_str().into()),
                        to_state: to.as_str().into(),
                        version: current.version,
                        by_org: caller.org,
                        by_name: by_name(caller),
                        reason: reason.clone(),
                        detail: review.as_ref().map(|detail| detail.to_string()),
                        at: now,
                    },
                    announce,
                })
            };
            let mut audit = self.event(caller, "notice.move", "ok");
            audit.target = target();
            audit.detail = Some(transition.as_str().into());
            audit.concern(owner.as_str());
            match self.changed_notice(id, &decide, &audit)? {
                Some(moved) => self.notice_view(caller, &moved),
                None => match refused.into_inner() {
                    Some(refusal) => Err(refused_move(refusal)),
                    None => Err(HubError::NotFound),
                },
            }
        })
    }

    /// Changes a request as `decide` decides on the row the change's transaction reads, and
    /// takes the result into the checks' index before any later write's (so the order of the
    /// index's changes is the order of the commits).
    fn changed_notice(
        &self,
        id: i64,
        decide: &palermo_store::NoticeDecide<'_>,
        audit: &palermo_core::audit::AuditEvent,
    ) -> Result<Option<StoredNotice>> {
        let _writing = self.writes.lock();
        let moved = self.store.change_notice(id, decide, audit)?;
        if let Some(moved) = &moved {
            self.notice_hits.write().set(moved);
            self.refresh_public(moved);
        }
        Ok(moved)
    }

    /// Expires every request whose review date has passed without a confirmation (the
    /// serve loop's housekeeping calls it): it stops hitting, and its history says the
    /// review date ended it. Returns how many expired.
    pub fn expire_notices(&self) -> Result<usize> {
        let today = self.now().date();
        let mut expired = 0;
        for state in [
            State::Published,
            State::Suspended,
            State::Held,
            State::Sent,
            State::Compliant,
        ] {
            let filter = NoticeFilter {
                state: Some(state.as_str().to_owned()),
                ..NoticeFilter::default()
            };
            let mut before = None;
            loop {
                let page = self.store.notices(&filter, before, NOTICES_PAGE_MAX)?;
                for stored in page.iter().filter(|n| n.row.meta.review_date < today) {
                    let now = self.now();
                    let decide = |current: &StoredNotice| -> Option<NoticeChange> {
                        let kind = kind_of(current).ok()?;
                        let state = state_of(current).ok()?;
                        if current.row.meta.review_date >= today {
                            return None; // confirmed meanwhile
                        }
                        let to =
                            lifecycle::next(kind, state, Transition::Expire, Actor::Clock).ok()?;
                        let mut row = current.row.clone();
                        row.state = to.as_str().to_owned();
                        Some(NoticeChange {
                            row,
                            event: NoticeEvent {
                                transition: Transition::Expire.as_str().into(),
                                from_state: Some(state.as_str().into()),
                                to_state: to.as_str().into(),
                                version: current.version,
                                by_org: Caller::console().org,
                                by_name: "review date".into(),
                                reason: Some(format!(
                                    "its review date, {}, passed without a confirmation",
                                    palermo_core::date::format_date(current.row.meta.review_date)
                                )),
                                detail: None,
                                at: now,
                            },
                            announce: None,
                        })
                    };
                    let mut event = self.event(&Caller::console(), "notice.expire", "ok");
                    event.user = Some("review date".into());
                    event.target = Some(format!("notice:{}", stored.id));
                    event.concern(stored.row.meta.owner.as_str());
                    if self.changed_notice(stored.id, &decide, &event)?.is_some() {
                        expired += 1;
                    }
                }
                if page.len() < NOTICES_PAGE_MAX {
                    break;
                }
                before = page.last().map(|n| n.id);
            }
        }
        Ok(expired)
    }
}

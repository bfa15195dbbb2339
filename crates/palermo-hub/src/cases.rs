//! Trafficking case reports: submitting (a new case, or the next version of one), reading what
//! the caller may see of a case, its versions, and the links its identifiers make to other
//! bureaus' cases. The API and the CLI call these; every rule and audit entry is decided here.
//!
//! Who sees what: the reporting bureau sees its cases whole. Another member bureau sees a
//! case its restriction allows, and the secretariat every case, both without the victims'
//! identities (counts and non-identifying attributes: `CaseReport::protected`). Partner
//! organisations see no case (they get the anonymised statistics). A case the caller may not
//! see is answered exactly like one that does not exist.

use palermo_core::case::{self, CaseContext, CaseReport};
use palermo_core::{CountryCode, FieldErrors, OrgCode, OrgKind, Permissions, Viewpoint};
use palermo_store::{CaseKey, CaseMatch, CaseRow, CaseSubmission, Done, NewMessage, StoredCase};
use serde::Serialize;

use crate::notices::by_name;
use crate::{Caller, Hub, HubError, Result};

/// Most cases one list answers.
pub const CASES_PAGE_MAX: usize = 200;

/// A case as the caller may see it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub id: i64,
    /// The reporting bureau: the one to contact.
    pub owner: String,
    pub reference: String,
    /// 1 for the first report; each later report of the case adds one.
    pub version: i64,
    pub status: String,
    pub form: String,
    pub reported_date: String,
    pub victims: usize,
    pub suspects: usize,
    /// Whether the victims' identities are in `report` (the reporting bureau only).
    pub identities_visible: bool,
    /// The report as the hub validated it (identifiers normalised beside what was reported),
    /// without the victims' identities unless `identities_visible`.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
}

/// A case in a list: what it is, not what it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CaseSummary {
    pub id: i64,
    pub owner: String,
    pub reference: String,
    pub version: i64,
    pub status: String,
    pub form: String,
    pub reported_date: String,
    pub updated_at: String,
}

/// One version of a case, as it was reported.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CaseVersionView {
    pub version: i64,
    pub by_org: String,
    pub by: String,
    pub at: String,
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
}

/// One identifier two cases share.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SharedIdentifier {
    /// `phone`, `email`, `handle`, `iban`, `document`, `vin`, `plate`, `address`,
    /// `organisation`, `suspect-name`, `person` …
    pub kind: String,
    /// How sure and how telling the match is: 1 for the same identifier once normalised,
    /// less for one so many cases share that it says little (`COMMON_FROM / cases_sharing`).
    pub score: f64,
    /// How many cases hold the identifier, the two linked included.
    pub cases_sharing: usize,
    /// Shared by more than `COMMON_FROM` cases: listed, not announced, not followed in the
    /// network.
    pub common: bool,
    /// The entity of the case asked about (its local id in the report).
    pub entity: String,
    /// The identifier, normalised (it is the asking case's own).
    pub value: String,
    /// The entity of the other case, where the caller may see that case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_entity: Option<String>,
}

/// A link from one case to another: that it exists and whom to contact always; the other
/// case's reference and entities only where its restriction lets the caller see it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CaseLink {
    /// The bureau to contact: the other case's owner.
    pub contact: String,
    /// The other case, where the caller may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub shared: Vec<SharedIdentifier>,
}

/// Cases one identifier may be shared by before its links weigh less: an identifier that
/// more cases share (a money-transfer office's account, a busy hotel's phone, a bus company)
/// says less about each pair. Beyond it a shared identifier scores `COMMON_FROM / cases`, is
/// `common`: its links are listed, but not announced and not followed in the network. A
/// network's own recruiter's phone in thirty of its cases is telling; an office's in hundreds
/// is not.
pub const COMMON_FROM: usize = 50;

/// How many cases hold each identifier of `matches` (the case asked about included).
fn sharing(matches: &[CaseMatch]) -> std::collections::HashMap<(&str, &str), usize> {
    let mut cases: std::collections::HashMap<(&str, &str), std::collections::HashSet<i64>> =
        Default::default();
    for m in matches {
        cases
            .entry((m.kind.as_str(), m.value.as_str()))
            .or_default()
            .insert(m.other_case);
    }
    cases
        .into_iter()
        .map(|(key, others)| (key, others.len() + 1))
        .collect()
}

/// The score of an identifier `cases` cases share.
fn shared_score(cases: usize) -> f64 {
    if cases <= COMMON_FROM {
        1.0
    } else {
        COMMON_FROM as f64 / cases as f64
    }
}

fn internal(error: impl std::fmt::Display) -> HubError {
    HubError::Internal(error.to_string())
}

/// A stored report (the hub validated it before storing it: a failure is corruption).
pub(crate) fn report_of(json: &str) -> Result<CaseReport> {
    serde_json::from_str(json).map_err(internal)
}

/// What a submission tells the owners of the cases it newly links to (not linked by the
/// case's earlier version): one message to each owner, from the submitting bureau, naming the
/// recipient's own case and entities and the shared identifiers (which the recipient's case
/// holds too), whom to contact, and the submitter's case only where the recipient may see it.
fn link_messages(
    caller: &Caller,
    stored: &StoredCase,
    before: &[CaseMatch],
    after: &[CaseMatch],
    organisations: &[palermo_store::Organisation],
) -> Vec<NewMessage> {
    let owner = stored.row.owner;
    let mut out = Vec::new();
    // Identifiers so common that they link everything are not announced.
    let counts = sharing(after);
    let telling = |m: &&CaseMatch| counts[&(m.kind.as_str(), m.value.as_str())] <= COMMON_FROM;
    let mut cases: Vec<i64> = after
        .iter()
        .filter(telling)
        .map(|m| m.other_case)
        .filter(|other| !before.iter().any(|b| b.other_case == *other))
        .collect();
    cases.dedup();
    for other in cases {
        let shared: Vec<&CaseMatch> = after
            .iter()
            .filter(telling)
            .filter(|m| m.other_case == other)
            .collect();
        let Some(first) = shared.first() else {
            continue;
        };
        let to = OrgCode::of_country(first.other_owner);
        if first.other_owner == owner || !organisations.iter().any(|o| o.code == to) {
            continue;
        }
        let sees = Viewpoint::member(first.other_owner).may_see(
            owner,
            &stored.row.restriction,
            palermo_core::HandlingCode::H1,
        );
        let mut lines = vec![format!(
            "A case reported by {} shares identifiers with your case {other}:",
            owner.as_str()
        )];
        for m in &shared {
            let theirs = if sees {
                format!(", their {}", m.entity)
            } else {
                String::new()
            };
            lines.push(format!(
                "- {} {} (your {}{theirs})",
                m.kind, m.value, m.other_entity
            ));
        }
        lines.push(format!("Contact {} about it.", owner.as_str()));
        let refs = vec![serde_json::json!({"kind": "case", "id": other})];
        lines.push(format!(
            "The links of your case: `palermo case links {other}`."
        ));
        let mut kinds: Vec<&str> = shared.iter().map(|m| m.kind.as_str()).collect();
        kinds.dedup();
        let subject = format!(
            "Case link: your case {other} and a case of {} share {}",
            owner.as_str(),
            kinds.join(", ")
        );
        out.push(link_message(caller, stored, to, sees, subject, lines, refs));
    }
    out
}

/// A message from the reporter about its case's links: the lines told, then the reporter's
/// case where the recipient may see it (`sees`), handled H2 (not to be passed on).
pub(crate) fn link_message(
    caller: &Caller,
    stored: &StoredCase,
    to: OrgCode,
    sees: bool,
    subject: String,
    mut lines: Vec<String>,
    mut refs: Vec<serde_json::Value>,
) -> NewMessage {
    if sees {
        lines.push(format!(
            "Their case: {} ({}); read it with `palermo case show {}`.",
            stored.id, stored.row.reference, stored.id
        ));
        refs.push(serde_json::json!({"kind": "case", "id": stored.id}));
    }
    refs.truncate(crate::messages::REFERENCES_MAX);
    NewMessage {
        at: stored.updated_at,
        in_reply_to: None,
        thread_id: None,
        sender_org: caller.org,
        sender_user: caller.user.as_deref().map(str::to_owned),
        recipients: vec![to],
        subject,
        body: lines.join("\n"),
        priority: "routine".into(),
        handling: "H2".into(),
        refs: serde_json::Value::from(refs).to_string(),
        attachments: Vec::new(),
    }
}

impl Hub {
    /// Refuses callers that see no case at all: partners (they get the anonymised statistics
    /// only) and callers without the read permission.
    pub(crate) fn require_case_reader(&self, caller: &Caller) -> Result<()> {
        caller.require(Permissions::READ_RECORDS)?;
        if caller.viewpoint.kind == OrgKind::Partner {
            return Err(HubError::Forbidden(
                "partner organisations receive the anonymised case statistics, not cases".into(),
            ));
        }
        Ok(())
    }

    /// Whether the caller may see the case at all, and whether whole (its owner).
    fn case_access(caller: &Caller, stored: &StoredCase) -> Option<bool> {
        Self::access_to(caller, stored.row.owner, &stored.row.restriction)
    }

    /// [`Hub::case_access`] of a case of `owner` under `restriction`.
    fn access_to(
        caller: &Caller,
        owner: CountryCode,
        restriction: &palermo_core::Restriction,
    ) -> Option<bool> {
        if caller.viewpoint.owns(owner) {
            return Some(true);
        }
        let sees = caller
            .viewpoint
            .may_see(owner, restriction, palermo_core::HandlingCode::H1);
        (sees && caller.viewpoint.kind != OrgKind::Partner).then_some(false)
    }

    /// The case and whether the caller sees it whole: its owner, or a user its owner granted
    /// the victims' identities by name.
    pub(crate) fn visible_case(&self, caller: &Caller, id: i64) -> Result<(StoredCase, bool)> {
        let stored = self.store.case(id)?.ok_or(HubError::NotFound)?;
        match Self::case_access(caller, &stored) {
            Some(true) => Ok((stored, true)),
            Some(false) => {
                let granted = self.granted_cases(caller)?.contains(&id);
                Ok((stored, granted))
            }
            None => Err(HubError::NotFound),
        }
    }

    /// The cases whose victims' identities the caller was granted by name: a signed-in user
    /// of the organisation the grant was made to (never a key, never the console).
    pub(crate) fn granted_cases(&self, caller: &Caller) -> Result<Vec<i64>> {
        let Some(user) = caller.user.as_deref() else {
            return Ok(Vec::new());
        };
        if caller.api_key_id.is_some() || caller.viewpoint.kind == OrgKind::Partner {
            return Ok(Vec::new());
        }
        let Some(row) = self.store.user(user)? else {
            return Ok(Vec::new());
        };
        if row.org != caller.org {
            return Ok(Vec::new());
        }
        Ok(self.store.user_case_grants(user)?)
    }

    fn case_view(stored: &StoredCase, whole: bool) -> Result<CaseView> {
        let report = report_of(&stored.row.report)?;
        let shown = report.seen(whole);
        Ok(CaseView {
            id: stored.id,
            owner: stored.row.owner.as_str().to_owned(),
            reference: stored.row.reference.clone(),
            version: stored.version,
            status: stored.row.status.clone(),
            form: stored.row.form.clone(),
            reported_date: stored.row.reported_date.clone(),
            victims: report.victims.len(),
            suspects: report.suspects.len(),
            identities_visible: whole,
            report: serde_json::to_value(&shown).map_err(internal)?,
            created_at: stored.created_at.to_rfc3339(),
            updated_at: stored.updated_at.to_rfc3339(),
        })
    }

    /// Validates a report (its JSON text, at most `case::REPORT_BYTES_MAX` bytes; every
    /// problem at once, with JSON pointers) and stores it: a new case, or the next version of
    /// the bureau's case with the same reference. Accepted whole or not at all.
    pub fn submit_case(&self, caller: &Caller, bytes: &[u8]) -> Result<CaseView> {
        self.submit_report(caller, |context| case::parse_report(bytes, context))
    }

    /// [`Hub::submit_case`] of a report already parsed (the API's body, its size bounded).
    pub fn submit_case_json(
        &self,
        caller: &Caller,
        report: &serde_json::Value,
    ) -> Result<CaseView> {
        self.submit_report(caller, |context| case::validate(report, context))
    }

    fn submit_report(
        &self,
        caller: &Caller,
        read: impl FnOnce(CaseContext) -> std::result::Result<CaseReport, FieldErrors>,
    ) -> Result<CaseView> {
        self.audited(
            caller,
            "case.submit",
            || None,
            || {
                caller.require(Permissions::WRITE_RECORDS)?;
                let Some(owner) = caller.bureau() else {
                    return Err(HubError::Forbidden(
                        "only a member bureau reports cases (the console acts for one with --bureau)"
                            .into(),
                    ));
                };
                let context = CaseContext {
                    today: self.now().date(),
                    owner,
                };
                let report = read(context)?;
                self.check_case_references(caller, &report)?;
                let row = CaseRow {
                    owner,
                    reference: report.reference.clone(),
                    status: report.status.clone(),
                    form: report.form.clone(),
                    reported_date: report.reported_date.clone(),
                    restriction: report.restriction(),
                    report: serde_json::to_string(&report).map_err(internal)?,
                };
                let keys: Vec<CaseKey> = report
                    .identifiers()
                    .into_iter()
                    .map(|id| CaseKey {
                        kind: id.kind.as_str().to_owned(),
                        value: id.value,
                        entity: id.entity,
                    })
                    .collect();
                let by = by_name(caller);
                let submission = CaseSubmission {
                    row: &row,
                    keys: &keys,
                    by_org: &caller.org,
                    by_name: &by,
                    at: self.now(),
                };
                let organisations = self.store.organisations()?;
                let records_after = self.record_links(&report)?;
                let event = self.event(caller, "case.submit", "ok");
                let describe = |done: Done<'_>| {
                    let mut event = event.clone();
                    if let Done::Ids([id, version]) = done {
                        event.target = Some(format!("case:{id}"));
                        event.detail = Some(format!(
                            "version {version}, {} identifiers",
                            keys.len()
                        ));
                    }
                    event
                };
                let stored = {
                    let _writing = self.writes.lock();
                    // What the case's last version linked to, read under the writes lock: only
                    // records newly linked are told.
                    let records_before = match self.store.case_of(owner, &report.reference)? {
                        Some(earlier) => self.record_links(&report_of(&earlier.row.report)?)?,
                        None => Vec::new(),
                    };
                    let tell = |stored: &StoredCase, before: &[CaseMatch], after: &[CaseMatch]| {
                        let mut messages =
                            link_messages(caller, stored, before, after, &organisations);
                        messages.extend(crate::case_records::record_messages(
                            caller,
                            stored,
                            &records_before,
                            &records_after,
                            &organisations,
                        ));
                        messages
                    };
                    self.store.submit_case(&submission, &tell, &describe)?
                };
                Self::case_view(&stored, true)
            },
        )
    }

    /// A suspect may name a person of the persons database: it must exist and be one the
    /// reporter sees (an unseen one is reported like an absent one).
    fn check_case_references(&self, caller: &Caller, report: &CaseReport) -> Result<()> {
        let mut errors = FieldErrors::default();
        for (i, suspect) in report.suspects.iter().enumerate() {
            let Some(person) = suspect.person_id else {
                continue;
            };
            let seen = self
                .store
                .person(person)?
                .is_some_and(|p| p.withdrawn_at.is_none() && caller.may_see(&p.record.meta));
            if !seen {
                errors.push(
                    format!("/suspects/{i}/person_id"),
                    format!("there is no person {person} you may see in the persons database"),
                );
            }
        }
        errors.into_result(|| ()).map_err(HubError::Invalid)
    }

    /// A case as the caller may see it; audited, the owner told through its trail.
    pub fn case(&self, caller: &Caller, id: i64) -> Result<CaseView> {
        let target = || Some(format!("case:{id}"));
        let (view, owner) = self.audited(caller, "case.read", target, || {
            self.require_case_reader(caller)?;
            let (stored, whole) = self.visible_case(caller, id)?;
            Ok((Self::case_view(&stored, whole)?, stored.row.owner))
        })?;
        let mut event = self.event(caller, "case.read", "ok");
        event.target = target();
        event.concern(owner.as_str());
        self.audit(event)?;
        Ok(view)
    }

    /// Cases the caller may see, of `owner` when given, newest first, with ids below `before`.
    pub fn cases(
        &self,
        caller: &Caller,
        owner: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<CaseSummary>> {
        self.audited(
            caller,
            "case.list",
            || None,
            || {
                self.require_case_reader(caller)?;
                let owner = match owner {
                    None => None,
                    Some(text) => {
                        Some(CountryCode::parse_member(text.trim()).ok_or_else(|| {
                            HubError::Invalid(FieldErrors::single(
                                "owner",
                                format!("{text:?} is not an ISO 3166-1 alpha-3 country code"),
                            ))
                        })?)
                    }
                };
                let limit = limit.clamp(1, CASES_PAGE_MAX);
                let mut out = Vec::new();
                let mut cursor = before;
                // Cases the caller may not see are skipped; read pages until the list is full.
                loop {
                    let page = self.store.cases(owner, cursor, limit)?;
                    let done = page.len() < limit;
                    for stored in &page {
                        if out.len() < limit && Self::case_access(caller, stored).is_some() {
                            out.push(CaseSummary {
                                id: stored.id,
                                owner: stored.row.owner.as_str().to_owned(),
                                reference: stored.row.reference.clone(),
                                version: stored.version,
                                status: stored.row.status.clone(),
                                form: stored.row.form.clone(),
                                reported_date: stored.row.reported_date.clone(),
                                updated_at: stored.updated_at.to_rfc3339(),
                            });
                        }
                    }
                    cursor = page.last().map(|c| c.id);
                    if done || out.len() >= limit {
                        break;
                    }
                }
                let mut event = self.event(caller, "case.list", "ok");
                event.detail = Some(format!("{} cases", out.len()));
                self.audit(event)?;
                Ok(out)
            },
        )
    }

    /// A case's versions, oldest first: its owner's and the secretariat's (without victims'
    /// identities for the secretariat).
    pub fn case_versions(&self, caller: &Caller, id: i64) -> Result<Vec<CaseVersionView>> {
        let target = || Some(format!("case:{id}"));
        self.audited(caller, "case.versions", target, || {
            self.require_case_reader(caller)?;
            let (stored, whole) = self.visible_case(caller, id)?;
            if !whole && !caller.is_secretariat() {
                return Err(HubError::Forbidden(
                    "a case's earlier versions are its owner's and the secretariat's".into(),
                ));
            }
            let mut views = Vec::new();
            for version in self.store.case_versions(id)? {
                let report = report_of(&version.report)?;
                let shown = report.seen(whole);
                views.push(CaseVersionView {
                    version: version.version,
                    by_org: version.by_org.to_string(),
                    by: version.by_name,
                    at: version.at.to_rfc3339(),
                    report: serde_json::to_value(&shown).map_err(internal)?,
                });
            }
            let mut event = self.event(caller, "case.versions", "ok");
            event.target = target();
            event.concern(stored.row.owner.as_str());
            self.audit(event)?;
            Ok(views)
        })
    }

    /// The other cases this case shares identifiers with, one link per case: the bureau to
    /// contact always; the other case and its entities where the caller may see it.
    pub fn case_links(&self, caller: &Caller, id: i64) -> Result<Vec<CaseLink>> {
        let target = || Some(format!("case:{id}"));
        self.audited(caller, "case.links", target, || {
            self.require_case_reader(caller)?;
            let (stored, _) = self.visible_case(caller, id)?;
            let matches = self.store.case_matches(id)?;
            let counts = sharing(&matches);
            let mut links: Vec<CaseLink> = Vec::new();
            let mut last: Option<i64> = None;
            let mut sees_other = false;
            for CaseMatch {
                kind,
                value,
                entity,
                other_case,
                other_owner,
                other_entity,
            } in &matches
            {
                let (other_case, other_owner) = (*other_case, *other_owner);
                if last != Some(other_case) {
                    let other = self.store.case(other_case)?;
                    sees_other = other
                        .as_ref()
                        .is_some_and(|o| Self::case_access(caller, o).is_some());
                    links.push(CaseLink {
                        contact: other_owner.as_str().to_owned(),
                        case: sees_other.then_some(other_case),
                        reference: other.filter(|_| sees_other).map(|o| o.row.reference),
                        shared: Vec::new(),
                    });
                    last = Some(other_case);
                }
                let link = links.last_mut().expect("a link was pushed");
                let cases_sharing = counts[&(kind.as_str(), value.as_str())];
                let shared = SharedIdentifier {
                    score: shared_score(cases_sharing),
                    cases_sharing,
                    common: cases_sharing > COMMON_FROM,
                    kind: kind.clone(),
                    entity: entity.clone(),
                    value: value.clone(),
                    other_entity: sees_other.then(|| other_entity.clone()),
                };
                if !link.shared.contains(&shared) {
                    link.shared.push(shared);
                }
            }
            let mut event = self.event(caller, "case.links", "ok");
            event.target = target();
            event.detail = Some(format!("{} linked cases", links.len()));
            event.concern(stored.row.owner.as_str());
            self.audit(event)?;
            Ok(links)
        })
    }
}

/// Most nodes a network view answers; beyond them it is cut (`truncated`).
pub const NETWORK_NODES_MAX: usize = 1000;
/// Most hops a network view follows from its case.
pub const NETWORK_HOPS_MAX: usize = 3;

/// A node of a network view: a case, or an entity of a case.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NetworkNode {
    /// `case:ID`, or `case:ID/ENTITY` for an entity of a case.
    pub id: String,
    /// `case`, `victim`, `suspect`, `organisation`, `document`, `vehicle`, `phone`, `email`,
    /// `handle`, `money`, `address`; `case-restricted` for a linked case the reader may not
    /// see (only its owner, whom to contact); `record` for a record of the persons, documents
    /// or vehicles databases the case links to (`record:KIND:ID`), `record-restricted` for one
    /// the reader may not see.
    pub kind: String,
    pub label: String,
    /// The owner bureau for a case; the country of an entity, where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Where a map places the country: its capital, `[latitude, longitude]` (WGS 84).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coordinates: Option<[f64; 2]>,
    /// Hops from the case asked about (its own nodes: 0).
    pub hop: usize,
}

/// A country's place on a map: its capital.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Place {
    /// ISO 3166-1 alpha-3.
    pub country: String,
    pub capital: String,
    /// WGS 84, degrees.
    pub latitude: f64,
    pub longitude: f64,
}

/// The coordinates of a country's capital, `[latitude, longitude]`.
fn coordinates(country: &str) -> Option<[f64; 2]> {
    CountryCode::parse(country)?
        .capital()
        .map(|c| [c.latitude, c.longitude])
}

fn place(country: &str) -> Option<Place> {
    let capital = CountryCode::parse(country)?.capital()?;
    Some(Place {
        country: country.to_owned(),
        capital: capital.name.to_owned(),
        latitude: capital.latitude,
        longitude: capital.longitude,
    })
}

/// An edge of a network view.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NetworkEdge {
    pub from: String,
    pub to: String,
    /// `in-case` (a case and its entity), `used-by`, `holder`, `member-of` (within a case), or
    /// the kind of identifier two cases' entities share (`phone`, `iban` …).
    pub kind: String,
    /// 1 within a case and for an identifier shared once normalised.
    pub score: f64,
}

/// The graph around a case, shaped for drawing.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NetworkView {
    pub nodes: Vec<NetworkNode>,
    pub edges: Vec<NetworkEdge>,
    /// Whether nodes were left out to stay within the bound.
    pub truncated: bool,
    /// Links left out because their identifier is common (shared by more than `COMMON_FROM`
    /// cases): `…/links` lists them.
    pub common_links_left_out: usize,
}

#[derive(Default)]
struct Graph {
    nodes: Vec<NetworkNode>,
    edges: Vec<NetworkEdge>,
    ids: std::collections::HashSet<String>,
    /// Each edge once, whichever way it was found.
    edge_keys: std::collections::HashSet<(String, String, String)>,
    /// The linked cases the reader may not see, by their place in this answer (their ids are
    /// not told).
    restricted: Vec<i64>,
    truncated: bool,
    /// Links through common identifiers left out.
    common: usize,
}

impl Graph {
    fn node(
        &mut self,
        id: String,
        kind: &str,
        label: String,
        country: Option<String>,
        hop: usize,
    ) -> bool {
        if self.ids.contains(&id) {
            return true;
        }
        if self.nodes.len() >= NETWORK_NODES_MAX {
            self.truncated = true;
            return false;
        }
        self.ids.insert(id.clone());
        self.nodes.push(NetworkNode {
            id,
            kind: kind.to_owned(),
            label,
            coordinates: country.as_deref().and_then(coordinates),
            country,
            hop,
        });
        true
    }

    fn edge(&mut self, from: String, to: String, kind: &str) {
        self.edge_scored(from, to, kind, 1.0);
    }

    fn edge_scored(&mut self, from: String, to: String, kind: &str, score: f64) {
        if !self.ids.contains(&from) || !self.ids.contains(&to) {
            return;
        }
        let key = if from <= to {
            (from.clone(), to.clone(), kind.to_owned())
        } else {
            (to.clone(), from.clone(), kind.to_owned())
        };
        if self.edge_keys.insert(key) {
            self.edges.push(NetworkEdge {
                from,
                to,
                kind: kind.to_owned(),
                score,
            });
        }
    }

    /// A case and its entities as the reader may see them (victims only whole).
    fn case(&mut self, stored: &StoredCase, report: &CaseReport, whole: bool, hop: usize) {
        let case = format!("case:{}", stored.id);
        let label = format!(
            "{} {} ({} victims)",
            stored.row.owner.as_str(),
            stored.row.reference,
            report.victims.len()
        );
        if !self.node(
            case.clone(),
            "case",
            label,
            Some(stored.row.owner.as_str().to_owned()),
            hop,
        ) {
            return;
        }
        let shown = report.seen(whole);
        let at = |entity: &str| format!("{case}/{entity}");
        let mut entities: Vec<(String, &str, String, Option<String>)> = Vec::new();
        if whole {
            for v in &shown.victims {
                let band = v.age_band.clone().unwrap_or_else(|| "age unknown".into());
                entities.push((
                    v.id.clone(),
                    "victim",
                    format!("victim, {band}"),
                    v.citizenship.first().map(|c| c.as_str().to_owned()),
                ));
            }
        }
        for s in &shown.suspects {
            let name = s
                .names
                .first()
                .map(|n| match &n.given {
                    Some(g) => format!("{g} {}", n.family),
                    None => n.family.clone(),
                })
                .unwrap_or_default();
            entities.push((
                s.id.clone(),
                "suspect",
                name,
                s.nationality.first().map(|c| c.as_str().to_owned()),
            ));
        }
        for o in &shown.organisations {
            entities.push((
                o.id.clone(),
                "organisation",
                o.name.clone(),
                o.country.map(|c| c.as_str().to_owned()),
            ));
        }
        for d in &shown.documents {
            entities.push((
                d.id.clone(),
                "document",
                format!("{} {}", d.issuing_country.as_str(), d.number_normalised),
                Some(d.issuing_country.as_str().to_owned()),
            ));
        }
        for v in &shown.vehicles {
            let label = v
                .vin
                .clone()
                .or_else(|| v.plate_normalised.clone())
                .unwrap_or_default();
            entities.push((
                v.id.clone(),
                "vehicle",
                label,
                v.country.map(|c| c.as_str().to_owned()),
            ));
        }
        for c in &shown.communications {
            let kind = match c.kind.as_str() {
                "phone" => "phone",
                "email" => "email",
                _ => "handle",
            };
            entities.push((c.id.clone(), kind, c.normalised.clone(), None));
        }
        for m in &shown.money {
            let label = m
                .iban
                .clone()
                .or_else(|| m.reference.clone())
                .or_else(|| m.account.clone())
                .unwrap_or_else(|| m.kind.clone());
            entities.push((m.id.clone(), "money", label, None));
        }
        for a in &shown.addresses {
            let label = [a.street.as_deref(), a.city.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            entities.push((
                a.id.clone(),
                "address",
                label,
                Some(a.country.as_str().to_owned()),
            ));
        }
        for (id, kind, label, country) in entities {
            if self.node(at(&id), kind, label, country, hop) {
                self.edge(case.clone(), at(&id), "in-case");
            }
        }
        let used = shown
            .documents
            .iter()
            .map(|d| (&d.id, &d.used_by, "used-by"))
            .chain(
                shown
                    .vehicles
                    .iter()
                    .map(|v| (&v.id, &v.used_by, "used-by")),
            )
            .chain(
                shown
                    .communications
                    .iter()
                    .map(|c| (&c.id, &c.used_by, "used-by")),
            )
            .chain(
                shown
                    .addresses
                    .iter()
                    .map(|a| (&a.id, &a.used_by, "used-by")),
            )
            .chain(shown.money.iter().map(|m| (&m.id, &m.holder, "holder")))
            .chain(
                shown
                    .suspects
                    .iter()
                    .map(|s| (&s.id, &s.organisation, "member-of")),
            );
        for (from, to, kind) in used {
            if let Some(to) = to {
                self.edge(at(from), at(to), kind);
            }
        }
    }
}

impl Hub {
    /// The graph of cases and entities within `hops` links of case `id` that the reader may
    /// see: the cases it may see with their entities (victims only for their reporting
    /// bureau), the identifiers they share as edges, and each linked case it may not see as a
    /// node naming only its owner (whom to contact), never followed further.
    pub fn case_network(&self, caller: &Caller, id: i64, hops: usize) -> Result<NetworkView> {
        let target = || Some(format!("case:{id}"));
        self.audited(caller, "case.network", target, || {
            self.require_case_reader(caller)?;
            if !(1..=NETWORK_HOPS_MAX).contains(&hops) {
                return Err(HubError::Invalid(FieldErrors::single(
                    "hops",
                    format!("{hops} is out of range: 1 to {NETWORK_HOPS_MAX}"),
                )));
            }
            let (start, whole) = self.visible_case(caller, id)?;
            let mut graph = Graph::default();
            let report = report_of(&start.row.report)?;
            graph.case(&start, &report, whole, 0);
            let granted = self.granted_cases(caller)?;
            // The records the case links to, one hop away, never followed further; a record
            // the reader may not see is a node naming only its owner.
            let mut hidden: Vec<(&str, i64)> = Vec::new();
            let records = self.record_links(&report)?;
            for linked in &records {
                let seen = linked.seen_by(&caller.viewpoint);
                let node = match seen.record_id {
                    Some(record) => {
                        let node = format!("record:{}:{record}", seen.record_kind);
                        let label =
                            format!("{} {} record {record}", seen.contact, seen.record_kind);
                        graph.node(node.clone(), "record", label, Some(seen.contact.clone()), 1);
                        node
                    }
                    None => {
                        let key = (linked.link.record_kind, linked.record_id);
                        let place = hidden.iter().position(|k| *k == key).unwrap_or_else(|| {
                            hidden.push(key);
                            hidden.len() - 1
                        });
                        let node = format!("restricted-record:{}", place + 1);
                        let label = format!(
                            "a {} record of {}: contact {}",
                            seen.record_kind, seen.contact, seen.contact
                        );
                        graph.node(
                            node.clone(),
                            "record-restricted",
                            label,
                            Some(seen.contact.clone()),
                            1,
                        );
                        node
                    }
                };
                graph.edge_scored(
                    format!("case:{id}/{}", seen.entity),
                    node,
                    seen.matched_on,
                    seen.score,
                );
            }
            let mut frontier = vec![id];
            let mut visited = std::collections::HashSet::from([id]);
            for hop in 1..=hops {
                let mut next = Vec::new();
                for case in std::mem::take(&mut frontier) {
                    let matches = self.store.case_matches(case)?;
                    let counts = sharing(&matches);
                    for m in &matches {
                        // Identifiers that link everything are not followed.
                        let cases_sharing = counts[&(m.kind.as_str(), m.value.as_str())];
                        if cases_sharing > COMMON_FROM {
                            graph.common += 1;
                            continue;
                        }
                        let mine = format!("case:{case}/{}", m.entity);
                        let theirs = match self.store.case(m.other_case)? {
                            Some(other) => match Self::case_access(caller, &other) {
                                Some(whole) => {
                                    if visited.insert(other.id) {
                                        let report = report_of(&other.row.report)?;
                                        let whole = whole || granted.contains(&other.id);
                                        graph.case(&other, &report, whole, hop);
                                        next.push(other.id);
                                    }
                                    format!("case:{}/{}", other.id, m.other_entity)
                                }
                                None => {
                                    let place = match graph
                                        .restricted
                                        .iter()
                                        .position(|c| *c == m.other_case)
                                    {
                                        Some(place) => place,
                                        None => {
                                            graph.restricted.push(m.other_case);
                                            graph.restricted.len() - 1
                                        }
                                    };
                                    let node = format!("restricted:{}", place + 1);
                                    graph.node(
                                        node.clone(),
                                        "case-restricted",
                                        format!(
                                            "a case of {}: contact {}",
                                            m.other_owner.as_str(),
                                            m.other_owner.as_str()
                                        ),
                                        Some(m.other_owner.as_str().to_owned()),
                                        hop,
                                    );
                                    node
                                }
                            },
                            None => continue,
                        };
                        graph.edge_scored(mine, theirs, &m.kind, shared_score(cases_sharing));
                    }
                }
                frontier = next;
                if frontier.is_empty() || graph.truncated {
                    break;
                }
            }
            let mut event = self.event(caller, "case.network", "ok");
            event.target = target();
            event.detail = Some(format!("{hops} hops, {} nodes", graph.nodes.len()));
            event.concern(start.row.owner.as_str());
            self.audit(event)?;
            Ok(NetworkView {
                nodes: graph.nodes,
                edges: graph.edges,
                truncated: graph.truncated,
                common_links_left_out: graph.common,
            })
        })
    }
}

/// One flow of people: where they were recruited, through where, where they were exploited,
/// for which form of exploitation, in which year (of the report).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RouteFlow {
    pub source: String,
    pub transit: Vec<String>,
    pub destination: String,
    /// A type of exploitation (`vocab::EXPLOITATION`), or `unknown` for a case without
    /// victims' exploitation reported.
    pub exploitation: String,
    pub year: i32,
    pub cases: usize,
    pub victims: usize,
}

/// Route statistics, shaped for drawing: the flows, largest first, and the countries in them.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RouteStatistics {
    pub flows: Vec<RouteFlow>,
    /// Every country of a flow, ISO 3166-1 alpha-3, in order.
    pub countries: Vec<String>,
    /// Where a map places each of those countries (its capital), in the same order; a country
    /// without a capital (an organisation's code) has no place.
    pub places: Vec<Place>,
    /// The cases the figures are made of: those the caller may see, with a route.
    pub cases: usize,
}

/// The source, transit and destination of a route: the first recruitment leg's country (else
/// the first leg's), the transit legs' in order, the last exploitation leg's (else the last
/// leg's). `None` for a report without a route.
fn route_ends(report: &CaseReport) -> Option<(String, Vec<String>, String)> {
    let first = report.route.first()?;
    let last = report.route.last()?;
    let source = report
        .route
        .iter()
        .find(|leg| leg.role == "recruitment")
        .unwrap_or(first);
    let destination = report
        .route
        .iter()
        .rev()
        .find(|leg| leg.role == "exploitation")
        .unwrap_or(last);
    let mut transit: Vec<String> = report
        .route
        .iter()
        .filter(|leg| leg.role == "transit")
        .map(|leg| leg.country.as_str().to_owned())
        .collect();
    transit.dedup();
    Some((
        source.country.as_str().to_owned(),
        transit,
        destination.country.as_str().to_owned(),
    ))
}

/// What the route statistics need of one case.
#[derive(Clone, Debug)]
pub(crate) struct RouteSummary {
    version: i64,
    owner: CountryCode,
    restriction: palermo_core::Restriction,
    /// Of the report; 0 when unreadable.
    year: i32,
    ends: Option<(String, Vec<String>, String)>,
    /// Victims by type of exploitation (a victim of two counts under each); `unknown` with
    /// none for a case without its victims' exploitation.
    forms: Vec<(String, usize)>,
}

fn route_summary(stored: &StoredCase) -> Result<RouteSummary> {
    let report = report_of(&stored.row.report)?;
    let mut forms: std::collections::BTreeMap<String, usize> = Default::default();
    for victim in &report.victims {
        for form in &victim.exploitation {
            *forms.entry(form.clone()).or_default() += 1;
        }
    }
    if forms.is_empty() {
        forms.insert("unknown".into(), 0);
    }
    Ok(RouteSummary {
        version: stored.version,
        owner: stored.row.owner,
        restriction: stored.row.restriction.clone(),
        year: stored
            .row
            .reported_date
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(0),
        ends: route_ends(&report),
        forms: forms.into_iter().collect(),
    })
}

impl Hub {
    /// Visits every case, oldest page last, a page of the store at a time.
    fn each_case(&self, mut visit: impl FnMut(&StoredCase) -> Result<()>) -> Result<()> {
        let mut before = None;
        loop {
            let page = self.store.cases(None, before, CASES_PAGE_MAX)?;
            for stored in &page {
                visit(stored)?;
            }
            if page.len() < CASES_PAGE_MAX {
                return Ok(());
            }
            before = page.last().map(|c| c.id);
        }
    }

    /// Brings the route summaries up to date with the store: the cases added or given a new
    /// version since the last query (by this node or another) are read again; the others are
    /// not read at all.
    fn refresh_routes(
        &self,
        summaries: &mut std::collections::HashMap<i64, RouteSummary>,
    ) -> Result<()> {
        if summaries.is_empty() {
            // The first query reads every case, a page at a time.
            self.each_case(|stored| {
                summaries.insert(stored.id, route_summary(stored)?);
                Ok(())
            })?;
        }
        let stamps = self.store.case_stamps()?;
        if summaries.len() > stamps.len() {
            let live: std::collections::HashSet<i64> = stamps.iter().map(|(id, _)| *id).collect();
            summaries.retain(|id, _| live.contains(id));
        }
        for (id, version) in stamps {
            if summaries.get(&id).map(|s| s.version) == Some(version) {
                continue;
            }
            if let Some(stored) = self.store.case(id)? {
                summaries.insert(id, route_summary(&stored)?);
            }
        }
        Ok(())
    }

    /// Flows of people over the routes of the cases the caller may see (source, transit,
    /// destination countries, by form of exploitation and year of the report), counting cases
    /// and victims; of `year` and `exploitation` when given. Members and the secretariat.
    /// Made from a summary of each case kept in memory (a case is read again only when it has
    /// a new version).
    pub fn route_statistics(
        &self,
        caller: &Caller,
        year: Option<i32>,
        exploitation: Option<&str>,
    ) -> Result<RouteStatistics> {
        self.audited(
            caller,
            "case.statistics",
            || None,
            || {
                self.require_case_reader(caller)?;
                let mut errors = FieldErrors::default();
                if let Some(year) = year
                    && !(1900..=2100).contains(&year)
                {
                    errors.push("year", format!("{year} is out of range: 1900 to 2100"));
                }
                if let Some(code) = exploitation
                    && !case::vocab::EXPLOITATION.contains(code)
                {
                    errors.push(
                        "exploitation",
                        format!(
                            "{code:?} is not known: expected {}",
                            case::vocab::EXPLOITATION.expected()
                        ),
                    );
                }
                errors.into_result(|| ()).map_err(HubError::Invalid)?;
                // Counted by reference into the summaries (held under their lock), made owned
                // once per flow at the end.
                type Key<'a> = (&'a str, &'a [String], &'a str, &'a str, i32);
                let mut flows: std::collections::HashMap<Key<'_>, (usize, usize)> =
                    Default::default();
                let mut counted = 0;
                let mut summaries = self.routes.lock();
                self.refresh_routes(&mut summaries)?;
                for summary in summaries.values() {
                    if Self::access_to(caller, summary.owner, &summary.restriction).is_none()
                        || year.is_some_and(|y| y != summary.year)
                    {
                        continue;
                    }
                    let Some((source, transit, destination)) = &summary.ends else {
                        continue;
                    };
                    let mut any = false;
                    for (form, victims) in &summary.forms {
                        if exploitation.is_some_and(|e| e != form) {
                            continue;
                        }
                        any = true;
                        let entry = flows
                            .entry((
                                source.as_str(),
                                transit.as_slice(),
                                destination.as_str(),
                                form.as_str(),
                                summary.year,
                            ))
                            .or_default();
                        entry.0 += 1;
                        entry.1 += victims;
                    }
                    counted += usize::from(any);
                }
                type Owned = (String, Vec<String>, String, String, i32);
                let mut flows: Vec<(Owned, (usize, usize))> = flows
                    .into_iter()
                    .map(|((source, transit, destination, form, year), counts)| {
                        (
                            (
                                source.to_owned(),
                                transit.to_vec(),
                                destination.to_owned(),
                                form.to_owned(),
                                year,
                            ),
                            counts,
                        )
                    })
                    .collect();
                // In the order of their keys, then largest first (below): a stable answer.
                flows.sort_by(|a, b| a.0.cmp(&b.0));
                drop(summaries);
                let mut countries = std::collections::BTreeSet::new();
                let mut flows: Vec<RouteFlow> = flows
                    .into_iter()
                    .map(
                        |((source, transit, destination, exploitation, year), (cases, victims))| {
                            countries.insert(source.clone());
                            countries.insert(destination.clone());
                            countries.extend(transit.iter().cloned());
                            RouteFlow {
                                source,
                                transit,
                                destination,
                                exploitation,
                                year,
                                cases,
                                victims,
                            }
                        },
                    )
                    .collect();
                flows.sort_by_key(|f| std::cmp::Reverse((f.victims, f.cases)));
                let mut event = self.event(caller, "case.statistics", "ok");
                event.detail = Some(format!("routes of {counted} cases"));
                self.audit(event)?;
                let countries: Vec<String> = countries.into_iter().collect();
                Ok(RouteStatistics {
                    flows,
                    places: countries.iter().filter_map(|c| place(c)).collect(),
                    countries,
                    cases: counted,
                })
            },
        )
    }
}

/// The least group size of the anonymised victims dataset by default (the Counter Trafficking
/// Data Collaborative's).
pub const K_DEFAULT: usize = 11;

/// The anonymised victims dataset: one row per victim, in the style of the Counter Trafficking
/// Data Collaborative's public dataset, k-anonymised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VictimDataset {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Victims of every case.
    pub victims: usize,
    /// Rows kept only once generalised (countries, recruiter relation, age band, methods of
    /// control, year left blank or widened).
    pub generalised: usize,
    /// Rows left out: their group stayed smaller than k.
    pub suppressed: usize,
}

impl VictimDataset {
    /// As CSV (RFC 4180), header first.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for line in std::iter::once(&self.header).chain(self.rows.iter()) {
            let cells: Vec<String> = line
                .iter()
                .map(|cell| {
                    if cell.contains([',', '"', '\n']) {
                        format!("\"{}\"", cell.replace('"', "\"\""))
                    } else {
                        cell.clone()
                    }
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

/// A victim's row: year, gender, age band, citizenship, country of exploitation, recruiter
/// relation, then a 0/1 flag for each type of exploitation and each method of control.
fn victim_row(year: &str, victim: &case::Victim) -> Vec<String> {
    let mut row = vec![
        year.to_owned(),
        victim.gender.clone().unwrap_or_default(),
        victim
            .age_band
            .clone()
            .or_else(|| victim.age.map(|a| case::vocab::age_band(a).to_owned()))
            .unwrap_or_default(),
        victim
            .citizenship
            .first()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        victim
            .country_of_exploitation
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        victim.recruiter_relation.clone().unwrap_or_default(),
    ];
    let flag = |on: bool| if on { "1" } else { "0" }.to_owned();
    row.extend(
        case::vocab::EXPLOITATION
            .codes()
            .map(|code| flag(victim.exploitation.iter().any(|e| e == code))),
    );
    row.extend(
        case::vocab::CONTROL
            .codes()
            .map(|code| flag(victim.control.iter().any(|c| c == code))),
    );
    row
}

/// The generalisations a row whose group is smaller than k goes through, in order, until its
/// group reaches k: the countries blanked; then the recruiter relation blanked and the age band
/// widened to child or adult; then the methods of control blanked; then the year. A row whose
/// group is still smaller is suppressed.
fn generalise(row: &mut [String], level: usize) {
    let controls = 6 + case::vocab::EXPLOITATION.values.len();
    match level {
        1 => {
            row[3].clear();
            row[4].clear();
        }
        2 => {
            row[5].clear();
            if !row[2].is_empty() {
                row[2] = if matches!(row[2].as_str(), "0-8" | "9-17") {
                    "0-17"
                } else {
                    "18+"
                }
                .into();
            }
        }
        3 => row[controls..].iter_mut().for_each(String::clear),
        _ => row[0].clear(),
    }
}

/// Keeps the rows whose identical group has at least `k` members; takes the others through
/// [`generalise`] level by level, keeping those whose group then reaches `k`; suppresses the
/// rest. Returns the rows kept, how many of them were generalised, how many were suppressed.
fn k_anonymise(rows: Vec<Vec<String>>, k: usize) -> (Vec<Vec<String>>, usize, usize) {
    let count = |rows: &[Vec<String>]| {
        let mut groups: std::collections::HashMap<Vec<String>, usize> = Default::default();
        for row in rows {
            *groups.entry(row.clone()).or_default() += 1;
        }
        groups
    };
    let mut kept = Vec::new();
    let mut generalised = 0;
    let mut pending = rows;
    for level in 0..=4 {
        if level > 0 {
            pending.iter_mut().for_each(|row| generalise(row, level));
        }
        let groups = count(&pending);
        let (enough, small): (Vec<_>, Vec<_>) =
            pending.into_iter().partition(|row| groups[row] >= k);
        if level > 0 {
            generalised += enough.len();
        }
        kept.extend(enough);
        pending = small;
    }
    let suppressed = pending.len();
    kept.sort();
    (kept, generalised, suppressed)
}

impl Hub {
    /// The anonymised victims dataset of every case (partners get this and nothing else of
    /// the cases): one row per victim, no identity, no case, no bureau; every row's
    /// combination of values shared by at least `k` rows (a row of a smaller group is
    /// generalised step by step, then suppressed).
    pub fn victim_dataset(&self, caller: &Caller, k: usize) -> Result<VictimDataset> {
        self.audited(caller, "case.dataset", || None, || {
            caller.require(Permissions::CHECK)?;
            if !(2..=1000).contains(&k) {
                return Err(HubError::Invalid(FieldErrors::single(
                    "k",
                    format!("{k} is out of range: 2 to 1000"),
                )));
            }
            let mut header: Vec<String> = [
                "year",
                "gender",
                "age_band",
                "citizenship",
                "country_of_exploitation",
                "recruiter_relation",
            ]
            .map(str::to_owned)
            .to_vec();
            header.extend(case::vocab::EXPLOITATION.codes().map(|c| format!("exploitation_{c}")));
            header.extend(case::vocab::CONTROL.codes().map(|c| format!("control_{c}")));
            let mut rows = Vec::new();
            self.each_case(|stored| {
                let report = report_of(&stored.row.report)?;
                let year = stored.row.reported_date.get(..4).unwrap_or("");
                rows.extend(report.victims.iter().map(|victim| victim_row(year, victim)));
                Ok(())
            })?;
            let victims = rows.len();
            let (rows, generalised, suppressed) = k_anonymise(rows, k);
            let mut event = self.event(caller, "case.dataset", "ok");
            event.detail = Some(format!(
                "k {k}: {} rows of {victims} victims ({generalised} generalised, {suppressed} suppressed)",
                rows.len()
            ));
            self.audit(event)?;
            Ok(VictimDataset { header, rows, victims, generalised, suppressed })
        })
    }
}

//! Travel warnings: when a traveller checked at the frontline (a machine-readable zone, a
//! passenger manifest) matches a person under a Green notice or a warning diffusion, the
//! bureau of the country the traveller is going to and the notice's owner are warned at once,
//! through messages, with the flight or crossing and its times. A bureau may also warn chosen
//! countries itself. Every warning is stored, audited, and listed to its sender, the country
//! warned and the notice's owner.

use palermo_core::audit::AuditEvent;
use palermo_core::{CountryCode, FieldErrors, OrgCode, Permissions};
use palermo_store::{NewMessage, NewTravelWarning, StoredTravelWarning, TravelWarningRow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{Caller, Hub, HubError, NoticeHit, Result};

/// Most countries one warning sent by hand goes to.
pub const DESTINATIONS_MAX: usize = 20;
/// Most warnings listed at once.
pub const WARNINGS_PAGE_MAX: usize = 200;
const TEXT_MAX: usize = 500;

/// Whether a request warns of travels: a Green notice, or a diffusion of the warning kind.
pub(crate) fn warns(notice: &NoticeHit) -> bool {
    notice.kind == "green" || (notice.diffusion && notice.kind == "warning")
}

/// Who travels, as the warning tells it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TravellerInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// The travel document's number, and its issuing country, as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_country: Option<String>,
}

/// The journey: a flight or a crossing, and its times as known.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JourneyInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flight: Option<String>,
    /// A land or sea crossing point (`Kehl bridge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crossing: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departure_airport: Option<String>,
    /// `YYYY-MM-DDTHH:MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departure_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival_airport: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival_time: Option<String>,
}

/// A warning a bureau sends itself.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TravelWarningInput {
    /// The countries to warn (ISO 3166-1 alpha-3), 1 to 20.
    pub destinations: Vec<String>,
    /// The Green notice or warning diffusion the traveller is under, if any (its owner is
    /// warned too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<i64>,
    pub traveller: TravellerInput,
    #[serde(default)]
    pub journey: JourneyInput,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A stored warning as its parties read it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TravelWarningView {
    pub id: i64,
    /// Milliseconds since the epoch.
    pub at: i64,
    /// `mrz`, `manifest` or `bureau`.
    pub source: String,
    pub sender: String,
    #[schema(value_type = String)]
    pub destination: CountryCode,
    pub notice_id: Option<i64>,
    #[schema(value_type = Option<String>)]
    pub notice_owner: Option<CountryCode>,
    pub person_id: Option<i64>,
    #[schema(value_type = Object)]
    pub traveller: Value,
    #[schema(value_type = Object)]
    pub journey: Value,
    pub note: Option<String>,
}

impl From<StoredTravelWarning> for TravelWarningView {
    fn from(stored: StoredTravelWarning) -> TravelWarningView {
        let row = stored.row;
        TravelWarningView {
            id: stored.id,
            at: row.at.0,
            source: row.source,
            sender: row.sender_org.as_str().to_owned(),
            destination: row.destination,
            notice_id: row.notice_id,
            notice_owner: row.notice_owner,
            person_id: row.person_id,
            traveller: serde_json::from_str(&row.traveller).unwrap_or(Value::Null),
            journey: serde_json::from_str(&row.journey).unwrap_or(Value::Null),
            note: row.note,
        }
    }
}

/// A warning the frontline's check calls for: the traveller, the notice, where to.
pub(crate) struct Warranted {
    pub traveller: TravellerInput,
    pub notice: NoticeHit,
    pub person: Option<i64>,
}

fn journey_text(journey: &JourneyInput) -> String {
    let mut parts = Vec::new();
    if let Some(flight) = &journey.flight {
        parts.push(format!("flight {flight}"));
    }
    if let Some(crossing) = &journey.crossing {
        parts.push(format!("crossing at {crossing}"));
    }
    if let Some(from) = &journey.departure_airport {
        let at = journey.departure_time.as_deref().unwrap_or("?");
        parts.push(format!("from {from} at {at}"));
    }
    if let Some(to) = &journey.arrival_airport {
        let at = journey.arrival_time.as_deref().unwrap_or("?");
        parts.push(format!("to {to}, arriving {at}"));
    }
    if parts.is_empty() {
        "journey not given".into()
    } else {
        parts.join(", ")
    }
}

fn traveller_text(traveller: &TravellerInput) -> String {
    let mut text = traveller.name.clone();
    if let Some(birth) = &traveller.birth_date {
        text.push_str(&format!(", born {birth}"));
    }
    if let Some(nationality) = &traveller.nationality {
        text.push_str(&format!(", {nationality}"));
    }
    if let Some(document) = &traveller.document {
        let country = traveller.document_country.as_deref().unwrap_or("?");
        text.push_str(&format!(", document {document} of {country}"));
    }
    text
}

/// The bureaus of `countries` that exist on the hub, each once, the caller's own left out.
fn bureaus_of(
    caller: &Caller,
    countries: &[CountryCode],
    organisations: &[palermo_store::Organisation],
) -> Vec<OrgCode> {
    let mut out: Vec<OrgCode> = Vec::new();
    for country in countries {
        let org = OrgCode::of_country(*country);
        if org != caller.org && organisations.iter().any(|o| o.code == org) && !out.contains(&org) {
            out.push(org);
        }
    }
    out
}

/// Text for a message, without the characters that change how text around them reads
/// (bidirectional overrides and isolates, zero-width characters, the byte-order mark).
fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(*c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}' | '\u{feff}')
        })
        .collect()
}

/// A warning's message: urgent, not to be passed on (H2), referring to its notice; none when
/// no one is to receive it.
fn warning_message(
    caller: &Caller,
    at: palermo_core::Timestamp,
    recipients: Vec<OrgCode>,
    subject: String,
    lines: Vec<String>,
    notice: Option<i64>,
) -> Vec<NewMessage> {
    if recipients.is_empty() {
        return Vec::new();
    }
    let refs = notice.map_or_else(|| json!([]), |id| json!([{"kind": "notice", "id": id}]));
    vec![NewMessage {
        at,
        in_reply_to: None,
        thread_id: None,
        sender_org: caller.org,
        sender_user: caller.user.as_deref().map(str::to_owned),
        recipients,
        subject: plain(&subject),
        body: plain(&lines.join("\n")),
        priority: "urgent".into(),
        handling: "H2".into(),
        refs: refs.to_string(),
        attachments: Vec::new(),
    }]
}

impl Hub {
    /// Stores and sends the warnings a check's results call for: to the destination's
    /// bureau (when the notice reaches it) and to the notice's owner, once per notice,
    /// destination and journey. Returns the warnings stored now.
    pub(crate) fn send_travel_warnings(
        &self,
        caller: &Caller,
        source: &str,
        warranted: Vec<Warranted>,
        destination: Option<CountryCode>,
        journey: &JourneyInput,
        journey_key: &str,
    ) -> Result<Vec<TravelWarningView>> {
        if warranted.is_empty() {
            return Ok(Vec::new());
        }
        let organisations = self.store.organisations()?;
        let at = self.now();
        let mut new = Vec::new();
        let mut concerned = Vec::new();
        for warrant in warranted {
            let owner = warrant.notice.owner;
            // The destination is warned only if the notice reaches it: a notice restricted
            // from a country is not disclosed to it by a warning either.
            let reached = destination.filter(|country| {
                self.notice_hits
                    .read()
                    .reaches_id(&Caller::local_operator(*country), warrant.notice.notice_id)
            });
            let warned = reached.unwrap_or(owner);
            let recipients = bureaus_of(caller, &[warned, owner], &organisations);
            let what = format!(
                "{} {} {}",
                warrant.notice.kind,
                if warrant.notice.diffusion {
                    "diffusion"
                } else {
                    "notice"
                },
                warrant.notice.notice_id
            );
            let mut lines = vec![
                format!(
                    "A traveller checked by {} matches a person under {what} of {}:",
                    caller.org.as_str(),
                    owner.as_str()
                ),
                format!("- {}", traveller_text(&warrant.traveller)),
                format!("- {}", journey_text(journey)),
                format!(
                    "- travelling to {}",
                    destination.map_or("an unknown country", |d| d.as_str())
                ),
                format!("What the notice asks: {}.", warrant.notice.action),
            ];
            if let Some(summary) = &warrant.notice.summary {
                lines.push(format!("The warning: {summary}"));
            }
            if destination.is_some() && reached.is_none() {
                lines.push("The destination was not warned: the notice does not reach it.".into());
            }
            lines.push(format!("Contact {} about it.", caller.org.as_str()));
            let subject = format!(
                "Travel warning: {} ({what}) travelling to {}",
                warrant.traveller.name,
                destination.map_or("?", |d| d.as_str())
            );
            let messages = warning_message(
                caller,
                at,
                recipients,
                subject,
                lines,
                Some(warrant.notice.notice_id),
            );
            concerned.push(warned);
            concerned.push(owner);
            new.push(NewTravelWarning {
                row: TravelWarningRow {
                    at,
                    sender_org: caller.org,
                    sender_user: caller.user.as_deref().map(str::to_owned),
                    source: source.to_owned(),
                    destination: warned,
                    notice_id: Some(warrant.notice.notice_id),
                    notice_owner: Some(owner),
                    person_id: warrant.person,
                    // The sender is in the key: no bureau's check, true or made up, keeps
                    // another's from warning.
                    dedup: format!(
                        "{}/{}/{}/{}",
                        warrant.notice.notice_id,
                        warned.as_str(),
                        caller.org.as_str(),
                        journey_key
                    ),
                    traveller: serde_json::to_string(&warrant.traveller).unwrap_or_default(),
                    journey: serde_json::to_string(journey).unwrap_or_default(),
                    note: None,
                },
                messages,
            });
        }
        self.record_warnings(caller, new, &concerned)
    }

    fn record_warnings(
        &self,
        caller: &Caller,
        warnings: Vec<NewTravelWarning>,
        concerned: &[CountryCode],
    ) -> Result<Vec<TravelWarningView>> {
        self.record_warnings_with(caller, warnings, concerned, None)
    }

    /// [`Hub::record_warnings`], with what was asked in the entry's (erasable) payload.
    fn record_warnings_with(
        &self,
        caller: &Caller,
        warnings: Vec<NewTravelWarning>,
        concerned: &[CountryCode],
        payload: Option<String>,
    ) -> Result<Vec<TravelWarningView>> {
        let mut event: AuditEvent = self.event(caller, "travel.warning", "ok");
        event.payload = payload;
        for country in concerned {
            event.concern(country.as_str());
        }
        let describe = |done: palermo_store::Done<'_>| {
            let mut event = event.clone();
            if let palermo_store::Done::Ids(ids) = done {
                event.detail = Some(format!(
                    "{} warnings stored: {}",
                    ids.len(),
                    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                ));
            }
            event
        };
        let ids = self.store.record_travel_warnings(&warnings, &describe)?;
        Ok(warnings
            .into_iter()
            .zip(ids)
            .filter_map(|(warning, id)| {
                id.map(|id| {
                    TravelWarningView::from(StoredTravelWarning {
                        id,
                        row: warning.row,
                    })
                })
            })
            .collect())
    }

    /// Sends a travel warning by hand to chosen countries (and the notice's owner, when it
    /// names a notice the caller's checks are answered with).
    pub fn send_travel_warning(
        &self,
        caller: &Caller,
        input: &TravelWarningInput,
    ) -> Result<Vec<TravelWarningView>> {
        self.audited(
            caller,
            "travel.warning",
            || None,
            || {
                caller.require(Permissions::MESSAGES)?;
                caller.require(Permissions::CHECK)?;
                Ok(())
            },
        )?;
        let mut errors = FieldErrors::default();
        if input.destinations.is_empty() || input.destinations.len() > DESTINATIONS_MAX {
            errors.push(
                "destinations",
                format!("give 1 to {DESTINATIONS_MAX} countries"),
            );
        }
        let mut destinations = Vec::new();
        for (i, text) in input.destinations.iter().enumerate().take(DESTINATIONS_MAX) {
            match CountryCode::parse_member(text.trim()).filter(|c| c.is_iso_3166()) {
                Some(country) if !destinations.contains(&country) => destinations.push(country),
                Some(_) => errors.push(format!("destinations[{i}]"), "is given twice"),
                None => errors.push(
                    format!("destinations[{i}]"),
                    format!("{text:?} is not an ISO 3166-1 alpha-3 country code"),
                ),
            }
        }
        let traveller = &input.traveller;
        if let Err(problem) = palermo_names::check(&traveller.name) {
            errors.push("traveller.name", problem);
        }
        let texts = [
            ("traveller.nationality", traveller.nationality.as_deref()),
            ("traveller.document", traveller.document.as_deref()),
            (
                "traveller.document_country",
                traveller.document_country.as_deref(),
            ),
            ("journey.flight", input.journey.flight.as_deref()),
            ("journey.crossing", input.journey.crossing.as_deref()),
            (
                "journey.departure_airport",
                input.journey.departure_airport.as_deref(),
            ),
            (
                "journey.departure_time",
                input.journey.departure_time.as_deref(),
            ),
            (
                "journey.arrival_airport",
                input.journey.arrival_airport.as_deref(),
            ),
            (
                "journey.arrival_time",
                input.journey.arrival_time.as_deref(),
            ),
            ("note", input.note.as_deref()),
        ];
        for (field, text) in texts {
            if let Some(text) = text
                && (text.chars().count() > TEXT_MAX || text.chars().any(char::is_control))
            {
                errors.push(
                    field,
                    format!("is longer than {TEXT_MAX} characters or holds control characters"),
                );
            }
        }
        if let Some(birth) = traveller
            .birth_date
            .as_deref()
            .filter(|b| !b.trim().is_empty())
            && let Err(problem) = palermo_core::PartialDate::parse(birth)
        {
            errors.push("traveller.birth_date", problem);
        }
        // A notice named must be one the caller's checks are answered with, and warn of travels.
        let notice = match input.notice {
            None => None,
            Some(id) => {
                let hits = self.notice_hits.read();
                let found = hits.hit_of(caller, id).filter(warns);
                if found.is_none() {
                    errors.push(
                        "notice",
                        "is no Green notice or warning diffusion your checks are answered with",
                    );
                }
                found
            }
        };
        if !errors.is_empty() {
            return Err(self.audit_failure(
                caller,
                "travel.warning",
                None,
                HubError::Invalid(errors),
            ));
        }
        let at = self.now();
        let organisations = self.store.organisations()?;
        let mut warnings = Vec::new();
        let mut concerned = Vec::new();
        let mut owner_lines = Vec::new();
        for destination in destinations {
            // A notice is named to a destination only if it reaches it: a warning by hand
            // discloses no more than a check's warning would.
            let reached = notice.as_ref().filter(|n| {
                self.notice_hits
                    .read()
                    .reaches_id(&Caller::local_operator(destination), n.notice_id)
            });
            let recipients = bureaus_of(caller, &[destination], &organisations);
            concerned.push(destination);
            let mut lines = vec![
                format!("{} warns of a traveller:", caller.org.as_str()),
                format!("- {}", traveller_text(traveller)),
                format!("- {}", journey_text(&input.journey)),
                format!("- travelling to {}", destination.as_str()),
            ];
            if let Some(n) = reached {
                lines.push(format!(
                    "The person is under {} {} {} of {}: {}.",
                    n.kind,
                    if n.diffusion { "diffusion" } else { "notice" },
                    n.notice_id,
                    n.owner.as_str(),
                    n.action
                ));
            }
            if let Some(n) = &notice {
                owner_lines.push(format!(
                    "- {}{}",
                    destination.as_str(),
                    if reached.is_some() {
                        ""
                    } else {
                        " (not told of the notice: it does not reach it)"
                    }
                ));
                concerned.push(n.owner);
            }
            if let Some(note) = &input.note {
                lines.push(note.clone());
            }
            lines.push(format!("Contact {} about it.", caller.org.as_str()));
            let subject = format!(
                "Travel warning: {} travelling to {}",
                traveller.name,
                destination.as_str()
            );
            let messages = warning_message(
                caller,
                at,
                recipients,
                subject,
                lines,
                reached.map(|n| n.notice_id),
            );
            warnings.push(NewTravelWarning {
                row: TravelWarningRow {
                    at,
                    sender_org: caller.org,
                    sender_user: caller.user.as_deref().map(str::to_owned),
                    source: "bureau".into(),
                    destination,
                    notice_id: reached.map(|n| n.notice_id),
                    notice_owner: reached.map(|n| n.owner),
                    person_id: reached.and_then(|n| n.person),
                    // Sent by hand, every warning is new.
                    dedup: format!(
                        "bureau/{}/{}/{}",
                        caller.org.as_str(),
                        at.0,
                        destination.as_str()
                    ),
                    traveller: serde_json::to_string(traveller).unwrap_or_default(),
                    journey: serde_json::to_string(&input.journey).unwrap_or_default(),
                    note: input.note.clone(),
                },
                messages,
            });
        }
        // The notice's owner is told once, of every country warned.
        if let Some(n) = &notice
            && let Some(first) = warnings.first_mut()
        {
            let mut lines = vec![
                format!(
                    "{} warned of a traveller under your {} {} {}:",
                    caller.org.as_str(),
                    n.kind,
                    if n.diffusion { "diffusion" } else { "notice" },
                    n.notice_id
                ),
                format!("- {}", traveller_text(traveller)),
                format!("- {}", journey_text(&input.journey)),
                "The countries warned:".to_owned(),
            ];
            lines.append(&mut owner_lines);
            lines.push(format!("Contact {} about it.", caller.org.as_str()));
            let subject = format!("Travel warning sent about {}", traveller.name);
            first.messages.extend(warning_message(
                caller,
                at,
                bureaus_of(caller, &[n.owner], &organisations),
                subject,
                lines,
                Some(n.notice_id),
            ));
        }
        let payload = serde_json::to_string(input).ok();
        self.record_warnings_with(caller, warnings, &concerned, payload)
    }

    /// The warnings the caller's organisation sent, received as the country warned, or of
    /// the notices it owns; newest first.
    pub fn travel_warnings(
        &self,
        caller: &Caller,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<TravelWarningView>> {
        self.audited(
            caller,
            "travel.warning.list",
            || None,
            || caller.require(Permissions::READ_RECORDS),
        )?;
        let country = CountryCode::parse_member(caller.org.as_str());
        let limit = limit.clamp(1, WARNINGS_PAGE_MAX);
        let warnings: Vec<TravelWarningView> = self
            .store
            .travel_warnings(caller.org, country, before, limit)?
            .into_iter()
            .map(TravelWarningView::from)
            .collect();
        // Warnings name travellers: who read them is kept.
        let mut event = self.event(caller, "travel.warning.list", "ok");
        event.detail = Some(format!("{} warnings", warnings.len()));
        self.audit(event)?;
        Ok(warnings)
    }
}

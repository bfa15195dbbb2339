//! Notices and diffusions: what a bureau asks of every other (a notice, reviewed before it is
//! published) or of the countries it chooses (a diffusion, seen at once and reviewed after).
//! Their kinds and what each requires ([`NoticeInput::validate`], every missing field listed
//! with its path), their life from draft to cancellation ([`lifecycle`]), and the rules a
//! reviewer checks ([`rules`]).

pub mod lifecycle;
pub mod rules;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::CountryCode;
use crate::error::FieldErrors;
use crate::record::{Checker, CountryList, MetaInput, NAME_LEN_MAX, RecordMeta, ValidationContext};

/// Longest free text of a notice (descriptions, purposes, warnings).
pub const NOTICE_TEXT_LEN_MAX: usize = 4000;
/// Longest short text (a charge, a reference, an authority, a place).
pub const NOTICE_LINE_LEN_MAX: usize = 300;
/// Most arrest warrants or court decisions one notice carries.
pub const WARRANTS_MAX: usize = 20;
/// Most documents, vehicles or assets one notice references.
pub const REFERENCES_MAX: usize = 50;
/// Most countries a diffusion is sent to by name (more: send it to all).
pub const RECIPIENTS_MAX: usize = 250;

/// The kinds of notice, each with its colour's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoticeKind {
    /// Locate and provisionally arrest a person wanted for prosecution or to serve a sentence.
    Red,
    /// Locate a missing person, often a minor, or identify a person unable to identify
    /// themselves.
    Yellow,
    /// Collect information about a person's identity, location or activities.
    Blue,
    /// Identify an unidentified body.
    Black,
    /// Warn of a person's criminal activities, a threat to public safety.
    Green,
    /// Warn of an event, an object or a modus operandi that is a serious, imminent threat.
    Orange,
    /// Seek or give information on modus operandi, objects, devices and concealment methods.
    Purple,
    /// Locate assets linked to a person's criminal activities.
    Silver,
    /// A person subject to sanctions of the UN Security Council.
    UnPersons,
    /// An entity subject to sanctions of the UN Security Council.
    UnEntities,
}

/// The kinds of diffusion: a bureau's request or alert sent straight to chosen countries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DiffusionKind {
    Wanted,
    Missing,
    Information,
    Warning,
}

/// What a request is: a notice of a kind, or a diffusion of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestKind {
    Notice(NoticeKind),
    Diffusion(DiffusionKind),
}

/// What a notice is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A person of the persons database.
    Person,
    /// An unidentified body.
    Body,
    /// An event, an object or a modus operandi (a person may be linked).
    Case,
    /// Assets of a person.
    Assets,
    /// An entity (an organisation, a company).
    Entity,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 10] = [
        NoticeKind::Red,
        NoticeKind::Yellow,
        NoticeKind::Blue,
        NoticeKind::Black,
        NoticeKind::Green,
        NoticeKind::Orange,
        NoticeKind::Purple,
        NoticeKind::Silver,
        NoticeKind::UnPersons,
        NoticeKind::UnEntities,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Red => "red",
            NoticeKind::Yellow => "yellow",
            NoticeKind::Blue => "blue",
            NoticeKind::Black => "black",
            NoticeKind::Green => "green",
            NoticeKind::Orange => "orange",
            NoticeKind::Purple => "purple",
            NoticeKind::Silver => "silver",
            NoticeKind::UnPersons => "un-persons",
            NoticeKind::UnEntities => "un-entities",
        }
    }

    pub fn subject(self) -> Subject {
        match self {
            NoticeKind::Red
            | NoticeKind::Yellow
            | NoticeKind::Blue
            | NoticeKind::Green
            | NoticeKind::UnPersons => Subject::Person,
            NoticeKind::Black => Subject::Body,
            NoticeKind::Orange | NoticeKind::Purple => Subject::Case,
            NoticeKind::Silver => Subject::Assets,
            NoticeKind::UnEntities => Subject::Entity,
        }
    }

    /// What a frontline officer whose check hits the notice is asked to do.
    pub fn action(self) -> &'static str {
        match self {
            NoticeKind::Red => {
                "locate and provisionally arrest: contact the requesting bureau at once"
            }
            NoticeKind::Yellow => {
                "missing person: ensure their safety and contact the requesting bureau at once"
            }
            NoticeKind::Blue => {
                "do not arrest: collect identity, location and activities, report to the requesting bureau"
            }
            NoticeKind::Black => "unidentified body: report any link to the requesting bureau",
            NoticeKind::Green => {
                "warning: the person is a threat to public safety; report to the requesting bureau"
            }
            NoticeKind::Orange => {
                "serious and imminent threat: take precautions and alert the requesting bureau at once"
            }
            NoticeKind::Purple => "modus operandi: report any link to the requesting bureau",
            NoticeKind::Silver => {
                "assets sought: report their location to the requesting bureau; do not seize on this notice alone"
            }
            NoticeKind::UnPersons | NoticeKind::UnEntities => {
                "UN Security Council sanctions apply: apply the measures named and inform the secretariat"
            }
        }
    }

    /// Whether the owner may consent to a public extract (on the public notices service).
    pub fn may_be_public(self) -> bool {
        matches!(
            self,
            NoticeKind::Red | NoticeKind::Yellow | NoticeKind::UnPersons
        )
    }
}

impl DiffusionKind {
    pub const ALL: [DiffusionKind; 4] = [
        DiffusionKind::Wanted,
        DiffusionKind::Missing,
        DiffusionKind::Information,
        DiffusionKind::Warning,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DiffusionKind::Wanted => "wanted",
            DiffusionKind::Missing => "missing",
            DiffusionKind::Information => "information",
            DiffusionKind::Warning => "warning",
        }
    }

    /// The notice whose requirements and rules a diffusion of this kind meets: a wanted
    /// diffusion asks what a Red notice asks, and is reviewed by the same rules.
    pub fn like(self) -> NoticeKind {
        match self {
            DiffusionKind::Wanted => NoticeKind::Red,
            DiffusionKind::Missing => NoticeKind::Yellow,
            DiffusionKind::Information => NoticeKind::Blue,
            DiffusionKind::Warning => NoticeKind::Green,
        }
    }
}

impl RequestKind {
    /// `red`, `yellow`, … `un-persons`, `un-entities` (notices); `wanted`, `missing`,
    /// `information`, `warning` (diffusions). Case and spaces around do not matter.
    pub fn parse(text: &str) -> Option<RequestKind> {
        let text = text.trim().to_ascii_lowercase().replace('_', "-");
        NoticeKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .map(RequestKind::Notice)
            .or_else(|| {
                DiffusionKind::ALL
                    .into_iter()
                    .find(|kind| kind.as_str() == text)
                    .map(RequestKind::Diffusion)
            })
    }

    pub fn names() -> String {
        NoticeKind::ALL
            .iter()
            .map(|kind| kind.as_str())
            .chain(DiffusionKind::ALL.iter().map(|kind| kind.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Notice(kind) => kind.as_str(),
            RequestKind::Diffusion(kind) => kind.as_str(),
        }
    }

    /// The notice kind whose requirements apply.
    pub fn requirements(self) -> NoticeKind {
        match self {
            RequestKind::Notice(kind) => kind,
            RequestKind::Diffusion(kind) => kind.like(),
        }
    }

    pub fn is_diffusion(self) -> bool {
        matches!(self, RequestKind::Diffusion(_))
    }
}

/// An arrest warrant or a court decision behind a Red notice, as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarrantInput {
    /// `arrest_warrant` (sought for prosecution) or `court_decision` (to serve a sentence).
    pub kind: Option<String>,
    /// The offence as the law names it (`trafficking in human beings`).
    pub charge: Option<String>,
    /// What the person is alleged to have done: facts, dates, places.
    pub description: Option<String>,
    /// The warrant's or the decision's reference.
    pub reference: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The court or authority that issued it.
    pub authority: Option<String>,
    /// ISO 3166-1 alpha-3 of the issuing state.
    pub issuing_country: Option<String>,
    /// For prosecution: the maximum penalty the law provides, in months.
    #[serde(default, deserialize_with = "crate::record::optional_u32")]
    pub max_penalty_months: Option<u32>,
    /// For a sentence: the sentence imposed, in months.
    #[serde(default, deserialize_with = "crate::record::optional_u32")]
    pub sentence_months: Option<u32>,
    /// For a sentence: what is left to serve, in months.
    #[serde(default, deserialize_with = "crate::record::optional_u32")]
    pub sentence_remaining_months: Option<u32>,
}

/// Where and when a missing person was last seen, as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisappearanceInput {
    pub date: Option<String>,
    pub place: Option<String>,
    pub country: Option<String>,
}

/// An unidentified body, as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyInput {
    pub found_date: Option<String>,
    pub found_place: Option<String>,
    pub found_country: Option<String>,
    /// `M`, `F` or `U`.
    pub sex: Option<String>,
    #[serde(default, deserialize_with = "crate::record::optional_u32")]
    pub age_min: Option<u32>,
    #[serde(default, deserialize_with = "crate::record::optional_u32")]
    pub age_max: Option<u32>,
    /// Build, marks, clothing, dental and other findings.
    pub description: Option<String>,
}

/// An event, an object or a modus operandi (Orange, Purple), as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// `event`, `object` or `modus_operandi`.
    pub kind: Option<String>,
    pub description: Option<String>,
}

/// An asset sought (Silver), as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    /// `account`, `real_estate`, `vehicle`, `vessel`, `company`, `other`.
    pub kind: Option<String>,
    pub description: Option<String>,
    /// Where it is believed to be (ISO 3166-1 alpha-3).
    pub country: Option<String>,
}

/// The UN Security Council's listing behind a UN notice, as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SanctionsInput {
    /// The sanctions committee (`1267`, `1718` …).
    pub committee: Option<String>,
    /// The UN's reference of the listing (`QDi.001`).
    pub reference: Option<String>,
    /// Any of `assets_freeze`, `travel_ban`, `arms_embargo`.
    #[serde(default)]
    pub measures: Vec<String>,
}

/// An entity under UN sanctions, as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntityInput {
    pub name: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub address: Option<String>,
}

/// A travel document the notice names, so that checks of it hit the notice.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeDocumentInput {
    pub number: Option<String>,
    pub issuing_country: Option<String>,
}

/// A vehicle the notice names, so that checks of it hit the notice.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeVehicleInput {
    pub vin: Option<String>,
    pub plate: Option<String>,
    pub plate_country: Option<String>,
}

/// A request for a notice or a diffusion, as a bureau submits it (API body, JSON file).
/// Which parts are required depends on `kind`; validation lists every part missing.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    /// A notice's kind (`red`, `yellow`, `blue`, `black`, `green`, `orange`, `purple`,
    /// `silver`, `un-persons`, `un-entities`) or a diffusion's (`wanted`, `missing`,
    /// `information`, `warning`).
    pub kind: Option<String>,
    /// A diffusion's recipients: ISO 3166-1 alpha-3 codes, or `all`.
    #[schema(value_type = Option<Vec<String>>)]
    pub recipients: Option<CountryList>,
    /// The person of the persons database the request is about.
    #[serde(default, deserialize_with = "crate::record::optional_integer")]
    pub person: Option<i64>,
    /// A short summary for lists and messages.
    pub summary: Option<String>,
    /// References of fingerprints and DNA profiles held by the requesting bureau.
    pub fingerprints_reference: Option<String>,
    pub dna_reference: Option<String>,
    /// Red notices and wanted diffusions: the warrants or decisions.
    #[serde(default, deserialize_with = "crate::record::objects")]
    pub warrants: Vec<WarrantInput>,
    /// Yellow notices and missing diffusions.
    #[serde(default, deserialize_with = "crate::record::optional_object")]
    pub disappearance: Option<DisappearanceInput>,
    /// Blue notices and information diffusions: what is sought.
    pub purpose: Option<String>,
    /// Green notices and warning diffusions: the criminal activities warned of.
    pub warning: Option<String>,
    /// Black notices.
    #[serde(default, deserialize_with = "crate::record::optional_object")]
    pub body: Option<BodyInput>,
    /// Orange and Purple notices.
    #[serde(default, deserialize_with = "crate::record::optional_object")]
    pub case: Option<CaseInput>,
    /// Silver notices.
    #[serde(default, deserialize_with = "crate::record::objects")]
    pub assets: Vec<AssetInput>,
    /// UN notices.
    #[serde(default, deserialize_with = "crate::record::optional_object")]
    pub sanctions: Option<SanctionsInput>,
    /// UN notices about entities.
    #[serde(default, deserialize_with = "crate::record::optional_object")]
    pub entity: Option<EntityInput>,
    /// Documents and vehicles whose checks should hit the request.
    #[serde(default, deserialize_with = "crate::record::objects")]
    pub documents: Vec<NoticeDocumentInput>,
    #[serde(default, deserialize_with = "crate::record::objects")]
    pub vehicles: Vec<NoticeVehicleInput>,
    /// The owner's consent to a public extract (Red, Yellow and UN persons only).
    #[serde(default)]
    pub public_extract: bool,
    pub owner: Option<String>,
    /// The owner's own reference of the request.
    pub external_ref: Option<String>,
    /// The date the request is made (default: today).
    pub reported_date: Option<String>,
    /// When the request expires unless its owner confirms it (default: 5 years on).
    pub review_date: Option<String>,
    pub restriction: Option<String>,
    #[schema(value_type = Option<Vec<String>>)]
    pub restriction_countries: Option<CountryList>,
    pub handling: Option<String>,
    pub handling_note: Option<String>,
}

/// Whether a warrant seeks a person for prosecution or to serve a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarrantKind {
    ArrestWarrant,
    CourtDecision,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warrant {
    pub kind: WarrantKind,
    pub charge: String,
    pub description: String,
    pub reference: String,
    pub date: Date,
    pub authority: String,
    pub issuing_country: CountryCode,
    pub max_penalty_months: Option<u32>,
    pub sentence_months: Option<u32>,
    pub sentence_remaining_months: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disappearance {
    pub date: Date,
    pub place: String,
    pub country: CountryCode,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub found_date: Date,
    pub found_place: Option<String>,
    pub found_country: CountryCode,
    pub sex: char,
    pub age_min: Option<u32>,
    pub age_max: Option<u32>,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub kind: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    pub kind: String,
    pub description: String,
    pub country: Option<CountryCode>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sanctions {
    pub committee: String,
    pub reference: String,
    pub measures: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    pub name: String,
    pub aliases: Vec<String>,
    pub address: Option<String>,
}

/// A diffusion's recipients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recipients {
    All,
    Only(Vec<CountryCode>),
}

impl Recipients {
    /// Whether a reader of `country` is among them (a reader of no country, a partner, only
    /// when all are).
    pub fn include(&self, country: Option<CountryCode>) -> bool {
        match self {
            Recipients::All => true,
            Recipients::Only(countries) => country.is_some_and(|c| countries.contains(&c)),
        }
    }
}

/// A validated request: every part its kind requires is there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeRequest {
    pub kind: RequestKind,
    /// Diffusions only.
    pub recipients: Option<Recipients>,
    pub person: Option<i64>,
    pub summary: Option<String>,
    pub fingerprints_reference: Option<String>,
    pub dna_reference: Option<String>,
    pub warrants: Vec<Warrant>,
    pub disappearance: Option<Disappearance>,
    pub purpose: Option<String>,
    pub warning: Option<String>,
    pub body: Option<Body>,
    pub case: Option<Case>,
    pub assets: Vec<Asset>,
    pub sanctions: Option<Sanctions>,
    pub entity: Option<Entity>,
    /// `(number's lookup key, issuing country)`.
    pub documents: Vec<(String, CountryCode)>,
    /// `(vin, plate, plate country)` normalised as checks look them up: a VIN or a plate
    /// (with its country), or both.
    pub vehicles: Vec<(Option<String>, Option<String>, Option<CountryCode>)>,
    pub public_extract: bool,
    pub meta: RecordMeta,
}

const WARRANT_KINDS: [&str; 2] = ["arrest_warrant", "court_decision"];
const CASE_KINDS: [&str; 3] = ["event", "object", "modus_operandi"];
const ASSET_KINDS: [&str; 6] = [
    "account",
    "real_estate",
    "vehicle",
    "vessel",
    "company",
    "other",
];
const MEASURES: [&str; 3] = ["assets_freeze", "travel_ban", "arms_embargo"];

impl Checker<'_> {
    fn line(&mut self, name: &str, value: &Option<String>) -> Option<String> {
        self.text(name, value, NOTICE_LINE_LEN_MAX)
    }

    fn required_line(&mut self, name: &str, value: &Option<String>) -> Option<String> {
        self.required(name, value)?;
        self.line(name, value)
    }

    fn required_text(&mut self, name: &str, value: &Option<String>) -> Option<String> {
        self.required(name, value)?;
        self.text(name, value, NOTICE_TEXT_LEN_MAX)
    }

    fn one_of(&mut self, name: &str, value: &Option<String>, allowed: &[&str]) -> Option<String> {
        let text = self.required(name, value)?.trim().to_ascii_lowercase();
        if allowed.contains(&text.as_str()) {
            Some(text)
        } else {
            self.fail(
                name,
                format!("{text:?} is not one of {}", allowed.join(", ")),
            );
            None
        }
    }

    fn required_past_date(&mut self, name: &str, value: &Option<String>) -> Option<Date> {
        let text = self.required(name, value)?;
        self.past_date(name, text)
    }

    fn required_country(&mut self, name: &str, value: &Option<String>) -> Option<CountryCode> {
        let text = self.required(name, value)?;
        self.member(name, text)
    }

    /// Fails `name` when a part the kind does not take was given: a request says only what
    /// its kind asks, so a reviewer never reads a part that nothing checks.
    fn not_for(&mut self, name: &str, given: bool, kind: RequestKind) {
        if given {
            self.fail(name, format!("is not part of a {} request", kind.as_str()));
        }
    }
}

impl NoticeInput {
    /// Validates every part and reports every problem found, each with its field path: a
    /// request missing what its kind requires gets every missing field listed.
    pub fn validate(&self, context: ValidationContext<'_>) -> Result<NoticeRequest, FieldErrors> {
        let mut c = Checker {
            context,
            errors: FieldErrors::default(),
        };
        let kind = match Checker::present(&self.kind) {
            None => {
                c.fail(
                    "kind",
                    format!("is required: one of {}", RequestKind::names()),
                );
                None
            }
            Some(text) => {
                let parsed = RequestKind::parse(text);
                if parsed.is_none() {
                    c.fail(
                        "kind",
                        format!("{text:?} is not one of {}", RequestKind::names()),
                    );
                }
                parsed
            }
        };
        let summary = c.line("summary", &self.summary);
        let fingerprints_reference = c.line("fingerprints_reference", &self.fingerprints_reference);
        let dna_reference = c.line("dna_reference", &self.dna_reference);
        let recipients = self.recipients(&mut c, kind);
        let today = crate::date::format_date(c.context.today);
        let reported_date = Checker::present(&self.reported_date)
            .map(str::to_owned)
            .or(Some(today));
        let meta = c.meta(MetaInput {
            owner: &self.owner,
            external_ref: &self.external_ref,
            reported_date: &reported_date,
            review_date: &self.review_date,
            restriction: &self.restriction,
            restriction_countries: &self.restriction_countries,
            handling: &self.handling,
            handling_note: &self.handling_note,
        });
        let documents = self.documents(&mut c);
        let vehicles = self.vehicles(&mut c);
        let Some(kind) = kind else {
            return Err(c.errors);
        };
        let wants = kind.requirements();
        let subject = wants.subject();
        match (subject, self.person) {
            (Subject::Person | Subject::Assets, None) => c.fail(
                "person",
                "is required: the id of the person in the persons database",
            ),
            (Subject::Body | Subject::Entity, Some(_)) => {
                c.not_for("person", true, kind);
            }
            (_, Some(id)) if id <= 0 => c.fail("person", "is a person's id, a positive number"),
            _ => {}
        }
        if self.public_extract && (kind.is_diffusion() || !wants.may_be_public()) {
            c.fail(
                "public_extract",
                "only Red, Yellow and UN persons notices may have a public extract",
            );
        } else if self.public_extract
            && let Some(meta) = &meta
            && (meta.restriction != crate::record::Restriction::All
                || meta.handling != crate::HandlingCode::H0)
        {
            c.fail(
                "public_extract",
                "a public extract is for a notice every country may see, handled H0: no restriction, no handling code",
            );
        }

        let warrants = if wants == NoticeKind::Red {
            self.warrants(&mut c)
        } else {
            c.not_for("warrants", !self.warrants.is_empty(), kind);
            Vec::new()
        };
        let disappearance = if wants == NoticeKind::Yellow {
            self.disappearance(&mut c)
        } else {
            c.not_for("disappearance", self.disappearance.is_some(), kind);
            None
        };
        let purpose = if wants == NoticeKind::Blue {
            c.required_text("purpose", &self.purpose)
        } else {
            c.not_for("purpose", self.purpose.is_some(), kind);
            None
        };
        let warning = if wants == NoticeKind::Green {
            c.required_text("warning", &self.warning)
        } else {
            c.not_for("warning", self.warning.is_some(), kind);
            None
        };
        let body = if subject == Subject::Body {
            self.body(&mut c)
        } else {
            c.not_for("body", self.body.is_some(), kind);
            None
        };
        let case = if subject == Subject::Case {
            let input = self.case.clone().unwrap_or_default();
            let case_kind = c.one_of("case.kind", &input.kind, &CASE_KINDS);
            let description = c.required_text("case.description", &input.description);
            case_kind
                .zip(description)
                .map(|(kind, description)| Case { kind, description })
        } else {
            c.not_for("case", self.case.is_some(), kind);
            None
        };
        let assets = if subject == Subject::Assets {
            self.assets(&mut c)
        } else {
            c.not_for("assets", !self.assets.is_empty(), kind);
            Vec::new()
        };
        let un = matches!(wants, NoticeKind::UnPersons | NoticeKind::UnEntities);
        let sanctions = if un {
            self.sanctions(&mut c)
        } else {
            c.not_for("sanctions", self.sanctions.is_some(), kind);
            None
        };
        let entity = if subject == Subject::Entity {
            let input = self.entity.clone().unwrap_or_default();
            let name = c.required_line("entity.name", &input.name);
            if input.aliases.len() > REFERENCES_MAX {
                c.fail("entity.aliases", format!("at most {REFERENCES_MAX}"));
            }
            let mut aliases = Vec::new();
            for (i, alias) in input.aliases.iter().enumerate().take(REFERENCES_MAX) {
                if let Some(alias) = c.text(
                    &format!("entity.aliases[{i}]"),
                    &Some(alias.clone()),
                    NAME_LEN_MAX,
                ) {
                    aliases.push(alias);
                }
            }
            let address = c.line("entity.address", &input.address);
            name.map(|name| Entity {
                name,
                aliases,
                address,
            })
        } else {
            c.not_for("entity", self.entity.is_some(), kind);
            None
        };
        c.errors.into_result(|| NoticeRequest {
            kind,
            recipients,
            person: self.person,
            summary,
            fingerprints_reference,
            dna_reference,
            warrants,
            disappearance,
            purpose,
            warning,
            body,
            case,
            assets,
            sanctions,
            entity,
            documents,
            vehicles,
            public_extract: self.public_extract,
            meta: meta.expect("no errors, so the meta validated"),
        })
    }

    /// Whom a stored request reaches: every bureau for a notice, a diffusion's recipients as
    /// given (see [`NoticeInput::recipients_as_given`]).
    pub fn reach(&self) -> Recipients {
        self.recipients_as_given().unwrap_or(Recipients::All)
    }

    /// A diffusion's recipients as given, no other part validated: whom a stored request
    /// reaches whatever the day (`None` for a notice; codes that do not parse reach no one).
    pub fn recipients_as_given(&self) -> Option<Recipients> {
        let kind = self.kind.as_deref().and_then(RequestKind::parse)?;
        if !kind.is_diffusion() {
            return None;
        }
        let listed = self
            .recipients
            .as_ref()
            .map(|list| list.0.as_slice())
            .unwrap_or(&[]);
        if listed
            .iter()
            .any(|code| code.trim().eq_ignore_ascii_case("all"))
        {
            return Some(Recipients::All);
        }
        Some(Recipients::Only(
            listed
                .iter()
                .filter_map(|code| CountryCode::parse_member(code.trim()))
                .collect(),
        ))
    }

    fn recipients(&self, c: &mut Checker<'_>, kind: Option<RequestKind>) -> Option<Recipients> {
        let diffusion = kind.is_some_and(RequestKind::is_diffusion);
        let listed = self
            .recipients
            .as_ref()
            .map(|list| list.0.as_slice())
            .unwrap_or(&[]);
        if !diffusion {
            if !listed.is_empty() && kind.is_some() {
                c.fail(
                    "recipients",
                    "a notice goes to every bureau: only diffusions name recipients",
                );
            }
            return None;
        }
        if listed.is_empty() {
            c.fail("recipients", "is required: country codes, or all");
            return None;
        }
        if listed
            .iter()
            .any(|code| code.trim().eq_ignore_ascii_case("all"))
        {
            if listed.len() > 1 {
                c.fail("recipients", "is all, or a list of countries, not both");
            }
            return Some(Recipients::All);
        }
        if listed.len() > RECIPIENTS_MAX {
            c.fail(
                "recipients",
                format!("lists more than {RECIPIENTS_MAX} countries: send it to all"),
            );
        }
        let mut countries = Vec::new();
        for (i, text) in listed.iter().enumerate().take(RECIPIENTS_MAX) {
            if let Some(code) = c.member(&format!("recipients[{i}]"), text)
                && !countries.contains(&code)
            {
                countries.push(code);
            }
        }
        Some(Recipients::Only(countries))
    }

    fn warrants(&self, c: &mut Checker<'_>) -> Vec<Warrant> {
        if self.warrants.is_empty() {
            c.fail(
                "warrants",
                "is required: at least one arrest warrant or court decision",
            );
        }
        if self.warrants.len() > WARRANTS_MAX {
            c.fail("warrants", format!("at most {WARRANTS_MAX}"));
        }
        let mut warrants = Vec::new();
        for (i, input) in self.warrants.iter().enumerate().take(WARRANTS_MAX) {
            let path = |field: &str| format!("warrants[{i}].{field}");
            let kind = c
                .one_of(&path("kind"), &input.kind, &WARRANT_KINDS)
                .map(|kind| {
                    if kind == "arrest_warrant" {
                        WarrantKind::ArrestWarrant
                    } else {
                        WarrantKind::CourtDecision
                    }
                });
            let charge = c.required_line(&path("charge"), &input.charge);
            let description = c.required_text(&path("description"), &input.description);
            let reference = c.required_line(&path("reference"), &input.reference);
            let date = c.required_past_date(&path("date"), &input.date);
            let authority = c.required_line(&path("authority"), &input.authority);
            let issuing_country =
                c.required_country(&path("issuing_country"), &input.issuing_country);
            match kind {
                Some(WarrantKind::ArrestWarrant) if input.max_penalty_months.is_none() => c.fail(
                    &path("max_penalty_months"),
                    "is required for an arrest warrant: the maximum penalty the law provides",
                ),
                Some(WarrantKind::CourtDecision)
                    if input.sentence_months.is_none()
                        && input.sentence_remaining_months.is_none() =>
                {
                    c.fail(
                        &path("sentence_remaining_months"),
                        "is required for a court decision: the sentence left to serve (or sentence_months, imposed)",
                    )
                }
                _ => {}
            }
            if let (Some(imposed), Some(left)) =
                (input.sentence_months, input.sentence_remaining_months)
                && left > imposed
            {
                c.fail(
                    &path("sentence_remaining_months"),
                    "is more than the sentence imposed",
                );
            }
            if let (
                Some(kind),
                Some(charge),
                Some(description),
                Some(reference),
                Some(date),
                Some(authority),
                Some(issuing_country),
            ) = (
                kind,
                charge,
                description,
                reference,
                date,
                authority,
                issuing_country,
            ) {
                warrants.push(Warrant {
                    kind,
                    charge,
                    description,
                    reference,
                    date,
                    authority,
                    issuing_country,
                    max_penalty_months: input.max_penalty_months,
                    sentence_months: input.sentence_months,
                    sentence_remaining_months: input.sentence_remaining_months,
                });
            }
        }
        warrants
    }

    fn disappearance(&self, c: &mut Checker<'_>) -> Option<Disappearance> {
        let input = self.disappearance.clone().unwrap_or_default();
        let date = c.required_past_date("disappearance.date", &input.date);
        let place = c.required_line("disappearance.place", &input.place);
        let country = c.required_country("disappearance.country", &input.country);
        Some(Disappearance {
            date: date?,
            place: place?,
            country: country?,
        })
    }

    fn body(&self, c: &mut Checker<'_>) -> Option<Body> {
        let input = self.body.clone().unwrap_or_default();
        let found_date = c.required_past_date("body.found_date", &input.found_date);
        let found_place = c.line("body.found_place", &input.found_place);
        let found_country = c.required_country("body.found_country", &input.found_country);
        let description = c.required_text("body.description", &input.description);
        let sex = match Checker::present(&input.sex).map(|s| s.trim().to_ascii_uppercase()) {
            None => 'U',
            Some(s) if s == "M" || s == "F" || s == "U" => s.chars().next().unwrap_or('U'),
            Some(other) => {
                c.fail("body.sex", format!("{other:?} is not M, F or U"));
                'U'
            }
        };
        if let (Some(min), Some(max)) = (input.age_min, input.age_max)
            && min > max
        {
            c.fail("body.age_max", "is less than age_min");
        }
        if input.age_max.is_some_and(|age| age > 130) {
            c.fail("body.age_max", "is more than 130 years");
        }
        Some(Body {
            found_date: found_date?,
            found_place,
            found_country: found_country?,
            sex,
            age_min: input.age_min,
            age_max: input.age_max,
            description: description?,
        })
    }

    fn assets(&self, c: &mut Checker<'_>) -> Vec<Asset> {
        if self.assets.is_empty() {
            c.fail("assets", "is required: at least one asset sought");
        }
        if self.assets.len() > REFERENCES_MAX {
            c.fail("assets", format!("at most {REFERENCES_MAX}"));
        }
        let mut assets = Vec::new();
        for (i, input) in self.assets.iter().enumerate().take(REFERENCES_MAX) {
            let kind = c.one_of(&format!("assets[{i}].kind"), &input.kind, &ASSET_KINDS);
            let description =
                c.required_text(&format!("assets[{i}].description"), &input.description);
            let country = Checker::present(&input.country)
                .and_then(|text| c.member(&format!("assets[{i}].country"), text));
            if let (Some(kind), Some(description)) = (kind, description) {
                assets.push(Asset {
                    kind,
                    description,
                    country,
                });
            }
        }
        assets
    }

    fn sanctions(&self, c: &mut Checker<'_>) -> Option<Sanctions> {
        let input = self.sanctions.clone().unwrap_or_default();
        let committee = c.required_line("sanctions.committee", &input.committee);
        let reference = c.required_line("sanctions.reference", &input.reference);
        if input.measures.is_empty() {
            c.fail(
                "sanctions.measures",
                format!("is required: any of {}", MEASURES.join(", ")),
            );
        }
        if input.measures.len() > MEASURES.len() {
            c.fail(
                "sanctions.measures",
                format!("at most {}: {}", MEASURES.len(), MEASURES.join(", ")),
            );
        }
        let mut measures = Vec::new();
        for (i, measure) in input.measures.iter().enumerate().take(MEASURES.len() + 1) {
            let measure = measure.trim().to_ascii_lowercase();
            if !MEASURES.contains(&measure.as_str()) {
                c.fail(
                    &format!("sanctions.measures[{i}]"),
                    format!("{measure:?} is not one of {}", MEASURES.join(", ")),
                );
            } else if !measures.contains(&measure) {
                measures.push(measure);
            }
        }
        Some(Sanctions {
            committee: committee?,
            reference: reference?,
            measures,
        })
    }

    fn documents(&self, c: &mut Checker<'_>) -> Vec<(String, CountryCode)> {
        if self.documents.len() > REFERENCES_MAX {
            c.fail("documents", format!("at most {REFERENCES_MAX}"));
        }
        let mut documents = Vec::new();
        for (i, input) in self.documents.iter().enumerate().take(REFERENCES_MAX) {
            let path = format!("documents[{i}].number");
            let number = c.required(&path, &input.number).and_then(|raw| {
                crate::normalise::document_number(raw)
                    .map_err(|reason| c.fail(&path, reason))
                    .ok()
            });
            let country = c
                .required(
                    &format!("documents[{i}].issuing_country"),
                    &input.issuing_country,
                )
                .and_then(|text| c.country(&format!("documents[{i}].issuing_country"), text));
            if let (Some(number), Some(country)) = (number, country) {
                documents.push((number, country));
            }
        }
        documents
    }

    #[allow(clippy::type_complexity)]
    fn vehicles(
        &self,
        c: &mut Checker<'_>,
    ) -> Vec<(Option<String>, Option<String>, Option<CountryCode>)> {
        if self.vehicles.len() > REFERENCES_MAX {
            c.fail("vehicles", format!("at most {REFERENCES_MAX}"));
        }
        let mut vehicles = Vec::new();
        for (i, input) in self.vehicles.iter().enumerate().take(REFERENCES_MAX) {
            let vin = Checker::present(&input.vin).and_then(|raw| {
                crate::normalise::vin_for_record(raw)
                    .map_err(|reason| c.fail(&format!("vehicles[{i}].vin"), reason))
                    .ok()
            });
            let plate = Checker::present(&input.plate).and_then(|raw| {
                crate::normalise::plate(raw)
                    .map_err(|reason| c.fail(&format!("vehicles[{i}].plate"), reason))
                    .ok()
            });
            let plate_country = Checker::present(&input.plate_country)
                .and_then(|text| c.country(&format!("vehicles[{i}].plate_country"), text));
            if Checker::present(&input.vin).is_none() && Checker::present(&input.plate).is_none() {
                c.fail(&format!("vehicles[{i}]"), "give a VIN or a plate");
                continue;
            }
            if Checker::present(&input.plate).is_some()
                && Checker::present(&input.plate_country).is_none()
            {
                c.fail(
                    &format!("vehicles[{i}].plate_country"),
                    "is required with a plate",
                );
            }
            vehicles.push((vin, plate, plate_country));
        }
        vehicles
    }
}

#[cfg(test)]
mod tests;

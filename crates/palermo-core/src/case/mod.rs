//! Trafficking and smuggling case reports, format version 1: what a bureau reports of a case
//! (victims, suspects, organisations, the route, documents, vehicles, communications, money,
//! addresses), read and validated in one pass that reports every problem with its JSON pointer
//! ([`parse_report`]), its identifiers normalised once ([`ident`]) and listed for matching
//! ([`CaseReport::identifiers`]), and what a reader other than the reporting bureau may see of
//! its victims ([`CaseReport::protected`]).
//!
//! The value lists live in [`vocab`]; the published JSON Schema is [`schema::report_schema`];
//! the human-readable reference is `docs/case-report.md`.

pub mod checklist;
pub mod ftm;
pub mod ident;
mod read;
pub mod schema;
pub mod vocab;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::Date;

use crate::CountryCode;
use crate::codes::DocumentType;
use crate::date::format_date;
use crate::error::FieldErrors;
use crate::normalise;
use crate::record::Restriction;
use read::Obj;

/// The `format` every version-1 report names.
pub const FORMAT_V1: &str = "palermo.case-report/1";
/// The largest report accepted, in bytes of JSON.
pub const REPORT_BYTES_MAX: usize = 1 << 20;
/// Most items of any one list of a report (victims, suspects, legs …).
pub const ITEMS_MAX: usize = 500;
/// Longest free-text summary.
pub const SUMMARY_LEN_MAX: usize = 20_000;
/// Longest short text (a place, a name, a reference).
pub const LINE_LEN_MAX: usize = 300;
/// Longest case reference.
pub const REFERENCE_LEN_MAX: usize = 100;
/// Longest local id of an entity within a report.
pub const LOCAL_ID_LEN_MAX: usize = 40;
/// Oldest age accepted.
pub const AGE_MAX: i64 = 120;
/// Most names one person carries.
pub const NAMES_MAX: usize = 10;
/// Most countries of one list (citizenships, restriction).
pub const COUNTRIES_MAX: usize = 250;

/// What validation needs from outside the report.
#[derive(Clone, Copy, Debug)]
pub struct CaseContext {
    /// Dates may not lie after today.
    pub today: Date,
    /// The reporting bureau: its numbering plan reads national phone numbers.
    pub owner: CountryCode,
}

/// A person's name as reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    pub family: String,
}

/// What identifies a victim: the reporting bureau and those it grants see it, no one else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VictimIdentity {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<PersonName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_birth: Option<String>,
}

/// A victim: non-identifying attributes for everyone who may see the case, the identity for
/// the reporting bureau.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Victim {
    pub id: String,
    /// Age at the time of exploitation; withheld from others than the reporting bureau (they
    /// see the band).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citizenship: Vec<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_of_exploitation: Option<CountryCode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exploitation: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sexual_exploitation: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labour_sectors: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub control: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recruitment: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recruiter_relation: Option<String>,
    /// Websites and apps used to recruit or exploit the victim (platform codes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trafficking_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<VictimIdentity>,
    /// Set in what a reader other than the reporting bureau sees: an identity exists but is
    /// withheld.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identity_withheld: bool,
}

/// A suspect: person data as in the persons database, and roles in the process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspect {
    pub id: String,
    pub names: Vec<PersonName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationality: Vec<CountryCode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// A person of the hub's persons database this suspect is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<i64>,
    /// The organisation (its local id) the suspect acts for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labour_sector: Option<String>,
    /// [`ident::organisation_key`].
    pub key: String,
}

/// One leg of the route, in the order travelled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    pub country: CountryCode,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub border_crossing: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDocument {
    pub id: String,
    pub number: String,
    /// The travel-documents database's lookup key.
    pub number_normalised: String,
    pub issuing_country: CountryCode,
    pub document_type: String,
    pub condition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseVehicle {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plate_normalised: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_by: Option<String>,
}

/// A phone number, an e-mail address or an online handle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Communication {
    pub id: String,
    /// `phone`, `email` or `handle`.
    pub kind: String,
    /// As reported.
    pub value: String,
    /// E.164, the folded address, or the platform's handle.
    pub normalised: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    /// A decimal, as text (no binary rounding).
    pub value: String,
    /// ISO 4217 alphabetic code.
    pub currency: String,
}

/// A bank account, a money transfer, cash or crypto-assets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub id: String,
    pub kind: String,
    /// Electronic form, check digits and national format verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    /// An account number where IBANs are not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
    /// A money-transfer control number, a wallet address, a reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub id: String,
    pub country: CountryCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_by: Option<String>,
    /// [`ident::address_key`].
    pub key: String,
}

/// A file held elsewhere, by reference: its digest lets the receiver know it has the right one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    pub sha256: String,
    pub media_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Who besides the reporting bureau may see the case, as the report states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestrictionWire {
    pub visibility: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<CountryCode>,
}

/// A validated case report, identifiers normalised: what the hub stores as a version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseReport {
    pub format: String,
    pub reference: String,
    pub status: String,
    pub form: String,
    pub reported_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_date: Option<String>,
    pub restriction: RestrictionWire,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub victims: Vec<Victim>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspects: Vec<Suspect>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<Organisation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route: Vec<Leg>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<CaseDocument>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vehicles: Vec<CaseVehicle>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub communications: Vec<Communication>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub money: Vec<Money>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// The kinds of identifier cases are matched on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    Phone,
    Email,
    Handle,
    Iban,
    Account,
    TransferReference,
    Document,
    Vin,
    Plate,
    Address,
    Organisation,
    SuspectName,
    Person,
}

impl IdKind {
    pub const ALL: [IdKind; 13] = [
        IdKind::Phone,
        IdKind::Email,
        IdKind::Handle,
        IdKind::Iban,
        IdKind::Account,
        IdKind::TransferReference,
        IdKind::Document,
        IdKind::Vin,
        IdKind::Plate,
        IdKind::Address,
        IdKind::Organisation,
        IdKind::SuspectName,
        IdKind::Person,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Phone => "phone",
            IdKind::Email => "email",
            IdKind::Handle => "handle",
            IdKind::Iban => "iban",
            IdKind::Account => "account",
            IdKind::TransferReference => "transfer-reference",
            IdKind::Document => "document",
            IdKind::Vin => "vin",
            IdKind::Plate => "plate",
            IdKind::Address => "address",
            IdKind::Organisation => "organisation",
            IdKind::SuspectName => "suspect-name",
            IdKind::Person => "person",
        }
    }

    pub fn parse(text: &str) -> Option<IdKind> {
        IdKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One identifier of a report, normalised, with the entity it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identifier {
    pub kind: IdKind,
    pub value: String,
    /// The entity's local id in the report.
    pub entity: String,
}

impl CaseReport {
    /// The restriction as the visibility rule reads it.
    pub fn restriction(&self) -> Restriction {
        match self.restriction.visibility.as_str() {
            "only" => Restriction::Only(self.restriction.countries.clone()),
            "except" => Restriction::Except(self.restriction.countries.clone()),
            _ => Restriction::All,
        }
    }

    fn victim_ids(&self) -> Vec<&str> {
        self.victims.iter().map(|v| v.id.as_str()).collect()
    }

    /// Every identifier cases are matched on, each once per entity. Nothing of a victim is in
    /// it: neither the identity nor the phones, addresses, documents, vehicles and accounts a
    /// victim uses. Victims are never matched.
    pub fn identifiers(&self) -> Vec<Identifier> {
        let victims = self.victim_ids();
        let of_victim =
            |used_by: &Option<String>| used_by.as_deref().is_some_and(|id| victims.contains(&id));
        let mut out = Vec::new();
        let mut add = |kind: IdKind, value: &str, entity: &str| {
            if !value.is_empty() {
                out.push(Identifier {
                    kind,
                    value: value.to_owned(),
                    entity: entity.to_owned(),
                });
            }
        };
        for suspect in &self.suspects {
            for name in &suspect.names {
                let full = match &name.given {
                    Some(given) => format!("{given} {}", name.family),
                    None => name.family.clone(),
                };
                let key = ident::text_key(&full);
                let key = match &suspect.birth_date {
                    Some(date) => format!("{key}|{date}"),
                    None => key,
                };
                add(IdKind::SuspectName, &key, &suspect.id);
            }
            if let Some(person) = suspect.person_id {
                add(IdKind::Person, &person.to_string(), &suspect.id);
            }
        }
        for organisation in &self.organisations {
            add(IdKind::Organisation, &organisation.key, &organisation.id);
        }
        for document in self.documents.iter().filter(|d| !of_victim(&d.used_by)) {
            let key = format!(
                "{}|{}",
                document.issuing_country.as_str(),
                document.number_normalised
            );
            add(IdKind::Document, &key, &document.id);
        }
        for vehicle in self.vehicles.iter().filter(|v| !of_victim(&v.used_by)) {
            if let Some(vin) = &vehicle.vin {
                add(IdKind::Vin, vin, &vehicle.id);
            }
            if let (Some(plate), Some(country)) = (&vehicle.plate_normalised, vehicle.country) {
                add(
                    IdKind::Plate,
                    &format!("{}|{plate}", country.as_str()),
                    &vehicle.id,
                );
            }
        }
        for communication in self
            .communications
            .iter()
            .filter(|c| !of_victim(&c.used_by))
        {
            let (kind, value) = match communication.kind.as_str() {
                "phone" => (IdKind::Phone, communication.normalised.clone()),
                "email" => (IdKind::Email, communication.normalised.clone()),
                _ => (
                    IdKind::Handle,
                    format!(
                        "{}|{}",
                        communication.platform.as_deref().unwrap_or("other"),
                        communication.normalised
                    ),
                ),
            };
            add(kind, &value, &communication.id);
        }
        for money in self.money.iter().filter(|m| !of_victim(&m.holder)) {
            if let Some(iban) = &money.iban {
                add(IdKind::Iban, iban, &money.id);
            }
            if let Some(account) = &money.account {
                add(
                    IdKind::Account,
                    &ident::text_key(account).replace(' ', ""),
                    &money.id,
                );
            }
            if let Some(reference) = &money.reference {
                let provider = money
                    .provider
                    .as_deref()
                    .map(ident::text_key)
                    .unwrap_or_default();
                let reference = ident::text_key(reference).replace(' ', "");
                add(
                    IdKind::TransferReference,
                    &format!("{provider}|{reference}"),
                    &money.id,
                );
            }
        }
        for address in self.addresses.iter().filter(|a| !of_victim(&a.used_by)) {
            add(IdKind::Address, &address.key, &address.id);
        }
        out.sort();
        out.dedup();
        out
    }

    /// The report as a reader sees it: whole for the reporting bureau (`identities`), else
    /// [`CaseReport::protected`].
    pub fn seen(&self, identities: bool) -> CaseReport {
        if identities {
            self.clone()
        } else {
            self.protected()
        }
    }

    /// What a reader other than the reporting bureau (and those it granted) sees: each victim's
    /// non-identifying attributes (the age as its band), no identity, and none of the phones,
    /// addresses, documents, vehicles and accounts a victim uses.
    pub fn protected(&self) -> CaseReport {
        let mut out = self.clone();
        let victims: Vec<String> = self.victims.iter().map(|v| v.id.clone()).collect();
        let of_victim =
            |used_by: &Option<String>| used_by.as_ref().is_some_and(|id| victims.contains(id));
        for victim in &mut out.victims {
            if let Some(age) = victim.age.take() {
                victim.age_band = Some(vocab::age_band(age).to_owned());
            }
            victim.identity_withheld = victim.identity.take().is_some();
        }
        out.documents.retain(|d| !of_victim(&d.used_by));
        out.vehicles.retain(|v| !of_victim(&v.used_by));
        out.communications.retain(|c| !of_victim(&c.used_by));
        out.money.retain(|m| !of_victim(&m.holder));
        out.addresses.retain(|a| !of_victim(&a.used_by));
        out
    }
}

/// Reads a report: JSON syntax, then every field, every problem reported with its JSON pointer.
pub fn parse_report(bytes: &[u8], context: CaseContext) -> Result<CaseReport, FieldErrors> {
    if bytes.len() > REPORT_BYTES_MAX {
        return Err(FieldErrors::single(
            "",
            format!(
                "the report is {} bytes; at most {REPORT_BYTES_MAX} are accepted",
                bytes.len()
            ),
        ));
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| FieldErrors::single("", format!("is not JSON: {e}")))?;
    validate(&value, context)
}

const ROOT_FIELDS: &[&str] = &[
    "format",
    "reference",
    "status",
    "form",
    "reported_date",
    "opened_date",
    "closed_date",
    "restriction",
    "summary",
    "victims",
    "suspects",
    "organisations",
    "route",
    "documents",
    "vehicles",
    "communications",
    "money",
    "addresses",
    "attachments",
];

/// The entities a report names by local id, to resolve `used_by`, `holder`, `organisation`.
#[derive(Default)]
struct LocalIds {
    /// Every id, with where it was declared.
    all: Vec<(String, String)>,
    persons: Vec<String>,
    organisations: Vec<String>,
}

impl LocalIds {
    fn declare(&mut self, obj: &Obj<'_>, errors: &mut FieldErrors) -> String {
        let Some(id) = obj.text("id", LOCAL_ID_LEN_MAX, true, errors) else {
            return String::new();
        };
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            errors.push(
                obj.at("id"),
                "a local id holds letters, digits, '-', '_' and '.' only",
            );
            return String::new();
        }
        if let Some((_, first)) = self.all.iter().find(|(known, _)| *known == id) {
            errors.push(obj.at("id"), format!("{id:?} is already the id of {first}"));
            return String::new();
        }
        self.all.push((id.clone(), obj.path.clone()));
        id
    }

    /// A reference to a person (victim or suspect), or to an organisation when `organisations`.
    fn resolve(
        &self,
        obj: &Obj<'_>,
        key: &str,
        organisations: bool,
        errors: &mut FieldErrors,
    ) -> Option<String> {
        let id = obj.text(key, LOCAL_ID_LEN_MAX, false, errors)?;
        let ok = self.persons.contains(&id) || (organisations && self.organisations.contains(&id));
        if ok {
            Some(id)
        } else {
            let what = if organisations {
                "a victim, a suspect or an organisation"
            } else {
                "a victim or a suspect"
            };
            errors.push(
                obj.at(key),
                format!("{id:?} is not the id of {what} of this report"),
            );
            None
        }
    }
}

fn date_text(date: Option<Date>) -> Option<String> {
    date.map(format_date)
}

fn names(obj: &Obj<'_>, required: bool, errors: &mut FieldErrors) -> Vec<PersonName> {
    let items = obj.array("names", NAMES_MAX, errors);
    if items.is_empty() && required && obj.get("names").is_some_and(Value::is_array) {
        errors.push(obj.at("names"), "give at least one name");
    } else if required && obj.get("names").is_none() {
        errors.push(obj.at("names"), "is required");
    }
    let mut out = Vec::new();
    for (path, item) in items {
        let Some(name) = Obj::new(item, path, &["given", "family"], errors) else {
            continue;
        };
        let given = name.text("given", crate::record::NAME_LEN_MAX, false, errors);
        let Some(family) = name.text("family", crate::record::NAME_LEN_MAX, true, errors) else {
            continue;
        };
        if !family.chars().any(char::is_alphabetic) {
            errors.push(name.at("family"), "holds no letter");
            continue;
        }
        out.push(PersonName { given, family });
    }
    out
}

/// Validates a parsed report.
pub fn validate(value: &Value, context: CaseContext) -> Result<CaseReport, FieldErrors> {
    let mut e = FieldErrors::default();
    let errors = &mut e;
    let today = context.today;
    let Some(root) = Obj::new(value, String::new(), ROOT_FIELDS, errors) else {
        return Err(e);
    };
    match root.text("format", 50, true, errors) {
        Some(format) if format == FORMAT_V1 => {}
        Some(format) => errors.push(
            root.at("format"),
            format!("{format:?} is not a format this hub reads: expected {FORMAT_V1:?}"),
        ),
        None => {}
    }
    let reference = root.text("reference", REFERENCE_LEN_MAX, true, errors);
    let status = root.code("status", &vocab::CASE_STATUS, true, errors);
    let form = root.code("form", &vocab::CASE_FORM, true, errors);
    let reported = root.date("reported_date", today, true, errors);
    let opened = root.date("opened_date", today, false, errors);
    let closed = root.date("closed_date", today, false, errors);
    if let (Some(opened), Some(reported)) = (opened, reported)
        && opened > reported
    {
        errors.push(root.at("opened_date"), "is after /reported_date");
    }
    if let (Some(opened), Some(closed)) = (opened, closed)
        && closed < opened
    {
        errors.push(root.at("closed_date"), "is before /opened_date");
    }
    if closed.is_some() && status.as_deref().is_some_and(|s| !s.starts_with("closed")) {
        errors.push(
            root.at("closed_date"),
            "is given, but /status is not closed or closed-referred",
        );
    }
    let restriction = match root.get("restriction") {
        None => RestrictionWire {
            visibility: "all".into(),
            countries: Vec::new(),
        },
        Some(value) => restriction(value, root.at("restriction"), context.owner, errors),
    };
    let summary = root.text("summary", SUMMARY_LEN_MAX, false, errors);

    let mut ids = LocalIds::default();
    // Ids first, so that a reference may point forward.
    for list in ["victims", "suspects", "organisations"] {
        for (path, item) in root.array(list, ITEMS_MAX, &mut FieldErrors::default()) {
            let _ = path;
            if let Some(Value::String(id)) = item.get("id") {
                let id = id.trim().to_owned();
                match list {
                    "organisations" => ids.organisations.push(id),
                    _ => ids.persons.push(id),
                }
            }
        }
    }
    let victims = root
        .array("victims", ITEMS_MAX, errors)
        .into_iter()
        .filter_map(|(path, item)| victim(item, path, &mut ids, today, errors))
        .collect();
    let suspects = root
        .array("suspects", ITEMS_MAX, errors)
        .into_iter()
        .filter_map(|(path, item)| suspect(item, path, &mut ids, today, errors))
        .collect();
    let organisations = root
        .array("organisations", ITEMS_MAX, errors)
        .into_iter()
        .filter_map(|(path, item)| organisation(item, path, &mut ids, errors))
        .collect();
    let route = legs(&root, today, errors);
    let documents = root
        .array("documents", ITEMS_MAX, errors)
        .into_iter()
        .filter_map(|(path, item)| document(item, path, &mut ids, errors))
        .collect();
    let vehicles = root
        .array("vehicles", ITEMS_MAX, errors)
        .into_iter()
        .filter_map(|(path, item)| vehicle(item, path, &mut ids, errors))
        .collect();
    let communications = root
        .array("communications", ITEMS_MAX, errors)
        .into_iter()
        .filter_map(|(path, item)| communication(item, path, &mut ids, context, errors))
        .collect();
    let money = root
        .array("money", ITEMS_MAX, errors)
        .into_iter()
        .filter_map(|(path, item)| money(item, path, &mut ids, today, errors))
        .collect();
    let addresses = root
        .array("addresses", ITEMS_MAX, errors)
        .into_iter()
        .filter_map(|(path, item)| address(item, path, &mut ids, errors))
        .collect();
    let attachments = root
        .array("attachments", ITEMS_MAX, errors)
        .into_iter()
        .filter_map(|(path, item)| attachment(item, path, &mut ids, errors))
        .collect();

    if !e.is_empty() {
        return Err(e);
    }
    Ok(CaseReport {
        format: FORMAT_V1.to_owned(),
        reference: reference.unwrap_or_default(),
        status: status.unwrap_or_default(),
        form: form.unwrap_or_default(),
        reported_date: date_text(reported).unwrap_or_default(),
        opened_date: date_text(opened),
        closed_date: date_text(closed),
        restriction,
        summary,
        victims,
        suspects,
        organisations,
        route,
        documents,
        vehicles,
        communications,
        money,
        addresses,
        attachments,
    })
}

fn restriction(
    value: &Value,
    path: String,
    owner: CountryCode,
    errors: &mut FieldErrors,
) -> RestrictionWire {
    let fallback = RestrictionWire {
        visibility: "all".into(),
        countries: Vec::new(),
    };
    let Some(obj) = Obj::new(value, path, &["visibility", "countries"], errors) else {
        return fallback;
    };
    let visibility = obj.text("visibility", 10, true, errors);
    let countries = obj.countries("countries", COUNTRIES_MAX, errors);
    match visibility.as_deref() {
        Some("all") => {
            if !countries.is_empty() {
                errors.push(obj.at("countries"), "is given, but visibility is all");
            }
            fallback
        }
        Some(v @ ("only" | "except")) => {
            if countries.is_empty() && obj.get("countries").is_none() {
                errors.push(
                    obj.at("countries"),
                    format!("is required when visibility is {v}"),
                );
            } else if countries.is_empty() && obj.get("countries").is_some_and(Value::is_array) {
                errors.push(
                    obj.at("countries"),
                    format!("names no country: visibility {v} needs at least one"),
                );
            }
            if countries.contains(&owner) {
                errors.push(
                    obj.at("countries"),
                    format!(
                        "names {}, the reporting bureau, which always sees its cases",
                        owner.as_str()
                    ),
                );
            }
            RestrictionWire {
                visibility: v.to_owned(),
                countries,
            }
        }
        Some(other) => {
            errors.push(
                obj.at("visibility"),
                format!("{other:?} is not known: expected one of all, only, except"),
            );
            fallback
        }
        None => fallback,
    }
}

const VICTIM_FIELDS: &[&str] = &[
    "id",
    "age",
    "age_band",
    "gender",
    "citizenship",
    "country_of_exploitation",
    "exploitation",
    "sexual_exploitation",
    "labour_sectors",
    "control",
    "recruitment",
    "recruiter_relation",
    "platforms",
    "trafficking_status",
    "status_decided_by",
    "identity",
];

fn victim(
    value: &Value,
    path: String,
    ids: &mut LocalIds,
    today: Date,
    errors: &mut FieldErrors,
) -> Option<Victim> {
    let obj = Obj::new(value, path, VICTIM_FIELDS, errors)?;
    let id = ids.declare(&obj, errors);
    let age = obj
        .integer("age", 0, AGE_MAX, false, errors)
        .map(|a| a as u8);
    let band = obj.code("age_band", &vocab::AGE_BAND, false, errors);
    if let (Some(age), Some(band)) = (age, &band)
        && vocab::age_band(age) != band
    {
        errors.push(
            obj.at("age_band"),
            format!(
                "is {band:?}, but an age of {age} is in the band {:?}",
                vocab::age_band(age)
            ),
        );
    }
    let exploitation = obj.codes("exploitation", &vocab::EXPLOITATION, errors);
    let sexual = obj.codes("sexual_exploitation", &vocab::SEXUAL_EXPLOITATION, errors);
    if !sexual.is_empty()
        && !exploitation
            .iter()
            .any(|e| e == "sexual-exploitation" || e == "child-sexual-exploitation-travel-tourism")
    {
        errors.push(
            obj.at("sexual_exploitation"),
            "is given, but exploitation lists no sexual exploitation",
        );
    }
    let identity = match obj.get("identity") {
        None => None,
        Some(value) => victim_identity(value, obj.at("identity"), age, today, errors),
    };
    let victim = Victim {
        id,
        age,
        age_band: band.or_else(|| age.map(|a| vocab::age_band(a).to_owned())),
        gender: obj.code("gender", &vocab::GENDER, false, errors),
        citizenship: obj.countries("citizenship", 10, errors),
        country_of_exploitation: obj.country("country_of_exploitation", false, errors),
        exploitation,
        sexual_exploitation: sexual,
        labour_sectors: obj.codes("labour_sectors", &vocab::LABOUR_SECTOR, errors),
        control: obj.codes("control", &vocab::CONTROL, errors),
        recruitment: obj.codes("recruitment", &vocab::RECRUITMENT, errors),
        recruiter_relation: obj.code(
            "recruiter_relation",
            &vocab::RECRUITER_RELATION,
            false,
            errors,
        ),
        platforms: obj.codes("platforms", &vocab::PLATFORM, errors),
        trafficking_status: obj.code(
            "trafficking_status",
            &vocab::TRAFFICKING_STATUS,
            false,
            errors,
        ),
        status_decided_by: obj.code(
            "status_decided_by",
            &vocab::STATUS_DECIDED_BY,
            false,
            errors,
        ),
        identity,
        identity_withheld: false,
    };
    Some(victim)
}

fn victim_identity(
    value: &Value,
    path: String,
    age: Option<u8>,
    today: Date,
    errors: &mut FieldErrors,
) -> Option<VictimIdentity> {
    let obj = Obj::new(
        value,
        path,
        &["names", "birth_date", "place_of_birth"],
        errors,
    )?;
    let names = names(&obj, false, errors);
    let birth = obj.date("birth_date", today, false, errors);
    if let (Some(birth), Some(age)) = (birth, age) {
        let years_now = today.year() - birth.year();
        // The age was at the time of exploitation, which is not after today.
        if i32::from(age) > years_now {
            errors.push(
                obj.at("birth_date"),
                format!(
                    "makes the victim at most {years_now} today, younger than the age given ({age})"
                ),
            );
        }
    }
    Some(VictimIdentity {
        names,
        birth_date: date_text(birth),
        place_of_birth: obj.text("place_of_birth", LINE_LEN_MAX, false, errors),
    })
}

const SUSPECT_FIELDS: &[&str] = &[
    "id",
    "names",
    "gender",
    "birth_date",
    "nationality",
    "roles",
    "person_id",
    "organisation",
];

fn suspect(
    value: &Value,
    path: String,
    ids: &mut LocalIds,
    today: Date,
    errors: &mut FieldErrors,
) -> Option<Suspect> {
    let obj = Obj::new(value, path, SUSPECT_FIELDS, errors)?;
    let id = ids.declare(&obj, errors);
    let names = names(&obj, true, errors);
    let birth = obj.date("birth_date", today, false, errors);
    if let Some(birth) = birth
        && today.year() - birth.year() > i32::from(AGE_MAX as u8)
    {
        errors.push(
            obj.at("birth_date"),
            format!("makes the suspect older than {AGE_MAX}"),
        );
    }
    let organisation = match obj.get("organisation") {
        None => None,
        Some(_) => {
            let id = obj.text("organisation", LOCAL_ID_LEN_MAX, false, errors)?;
            if ids.organisations.contains(&id) {
                Some(id)
            } else {
                errors.push(
                    obj.at("organisation"),
                    format!("{id:?} is not the id of an organisation of this report"),
                );
                None
            }
        }
    };
    Some(Suspect {
        id,
        names,
        gender: obj.code("gender", &vocab::GENDER, false, errors),
        birth_date: date_text(birth),
        nationality: obj.countries("nationality", 10, errors),
        roles: obj.codes("roles", &vocab::SUSPECT_ROLE, errors),
        person_id: obj.integer("person_id", 1, i64::MAX, false, errors),
        organisation,
    })
}

fn organisation(
    value: &Value,
    path: String,
    ids: &mut LocalIds,
    errors: &mut FieldErrors,
) -> Option<Organisation> {
    let obj = Obj::new(
        value,
        path,
        &[
            "id",
            "name",
            "kind",
            "country",
            "registration_number",
            "labour_sector",
        ],
        errors,
    )?;
    let id = ids.declare(&obj, errors);
    let name = obj.text("name", LINE_LEN_MAX, true, errors);
    let kind = obj.code("kind", &vocab::ORGANISATION_KIND, true, errors);
    let country = obj.country("country", false, errors);
    let registration_number = obj.text("registration_number", LINE_LEN_MAX, false, errors);
    let labour_sector = obj.code("labour_sector", &vocab::LABOUR_SECTOR, false, errors);
    let name = name?;
    Some(Organisation {
        id,
        key: ident::organisation_key(&name, country),
        name,
        kind: kind?,
        country,
        registration_number,
        labour_sector,
    })
}

fn legs(root: &Obj<'_>, today: Date, errors: &mut FieldErrors) -> Vec<Leg> {
    let mut out = Vec::new();
    // The latest date of the legs before, with its path: a leg may not start before it.
    let mut latest: Option<(Date, String)> = None;
    for (path, item) in root.array("route", ITEMS_MAX, errors) {
        let Some(obj) = Obj::new(
            item,
            path,
            &[
                "country",
                "role",
                "place",
                "from",
                "to",
                "transport",
                "border_crossing",
            ],
            errors,
        ) else {
            continue;
        };
        let country = obj.country("country", true, errors);
        let role = obj.code("role", &vocab::ROUTE_ROLE, true, errors);
        let from = obj.date("from", today, false, errors);
        let to = obj.date("to", today, false, errors);
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            errors.push(obj.at("to"), format!("is before {}", obj.at("from")));
        }
        if let Some((before, before_path)) = &latest
            && let Some(start) = from.or(to)
            && start < *before
        {
            let field = if from.is_some() { "from" } else { "to" };
            errors.push(
                obj.at(field),
                format!(
                    "is before {before_path} ({}): legs are listed in the order travelled",
                    format_date(*before)
                ),
            );
        }
        if let Some(end) = to {
            latest = Some((end, obj.at("to")));
        } else if let Some(start) = from {
            latest = Some((start, obj.at("from")));
        }
        let place = obj.text("place", LINE_LEN_MAX, false, errors);
        let transport = obj.code("transport", &vocab::TRANSPORT, false, errors);
        let border_crossing = obj.text("border_crossing", LINE_LEN_MAX, false, errors);
        if let (Some(country), Some(role)) = (country, role) {
            out.push(Leg {
                country,
                role,
                place,
                from: date_text(from),
                to: date_text(to),
                transport,
                border_crossing,
            });
        }
    }
    out
}

fn document(
    value: &Value,
    path: String,
    ids: &mut LocalIds,
    errors: &mut FieldErrors,
) -> Option<CaseDocument> {
    let obj = Obj::new(
        value,
        path,
        &[
            "id",
            "number",
            "issuing_country",
            "document_type",
            "condition",
            "used_by",
        ],
        errors,
    )?;
    let id = ids.declare(&obj, errors);
    let number = obj.text(
        "number",
        normalise::DOCUMENT_NUMBER_INPUT_LEN_MAX,
        true,
        errors,
    );
    let normalised = number
        .as_deref()
        .and_then(|n| match normalise::document_number(n) {
            Ok(key) => Some(key),
            Err(reason) => {
                errors.push(obj.at("number"), reason);
                None
            }
        });
    let issuing_country = obj.country("issuing_country", true, errors);
    let document_type =
        obj.text("document_type", 40, true, errors)
            .and_then(|t| match DocumentType::parse(&t) {
                Some(kind) => Some(kind.as_str().to_owned()),
                None => {
                    let known: Vec<&str> = DocumentType::ALL.iter().map(|k| k.as_str()).collect();
                    errors.push(
                        obj.at("document_type"),
                        format!(
                            "{t:?} is not known: expected one of {}, or an ICAO 9303 code",
                            known.join(", ")
                        ),
                    );
                    None
                }
            });
    let condition = obj.code("condition", &vocab::DOCUMENT_CONDITION, true, errors);
    let used_by = ids.resolve(&obj, "used_by", false, errors);
    Some(CaseDocument {
        id,
        number: number?,
        number_normalised: normalised?,
        issuing_country: issuing_country?,
        document_type: document_type?,
        condition: condition?,
        used_by,
    })
}

fn vehicle(
    value: &Value,
    path: String,
    ids: &mut LocalIds,
    errors: &mut FieldErrors,
) -> Option<CaseVehicle> {
    let obj = Obj::new(
        value,
        path,
        &["id", "vin", "plate", "country", "description", "used_by"],
        errors,
    )?;
    let id = ids.declare(&obj, errors);
    let vin =
        obj.text("vin", 40, false, errors)
            .and_then(|v| match normalise::vin_for_record(&v) {
                Ok(vin) => Some(vin),
                Err(reason) => {
                    errors.push(obj.at("vin"), reason);
                    None
                }
            });
    let plate = obj.text("plate", 40, false, errors);
    let plate_normalised = plate.as_deref().and_then(|p| match normalise::plate(p) {
        Ok(plate) => Some(plate),
        Err(reason) => {
            errors.push(obj.at("plate"), reason);
            None
        }
    });
    let country = obj.country("country", false, errors);
    if obj.get("vin").is_none() && obj.get("plate").is_none() {
        errors.push(obj.path.clone(), "give a vin or a plate");
    }
    if plate.is_some() && obj.get("country").is_none() {
        errors.push(obj.at("country"), "is required with a plate");
    }
    let description = obj.text("description", LINE_LEN_MAX, false, errors);
    let used_by = ids.resolve(&obj, "used_by", true, errors);
    Some(CaseVehicle {
        id,
        vin,
        plate,
        plate_normalised,
        country,
        description,
        used_by,
    })
}

fn communication(
    value: &Value,
    path: String,
    ids: &mut LocalIds,
    context: CaseContext,
    errors: &mut FieldErrors,
) -> Option<Communication> {
    let obj = Obj::new(
        value,
        path,
        &["id", "kind", "value", "platform", "country", "used_by"],
        errors,
    )?;
    let id = ids.declare(&obj, errors);
    let kind = obj.text("kind", 20, true, errors);
    let raw = obj.text("value", 300, true, errors);
    let platform = obj.code("platform", &vocab::PLATFORM, false, errors);
    let country = obj.country("country", false, errors);
    let used_by = ids.resolve(&obj, "used_by", true, errors);
    let (kind, raw) = (kind?, raw?);
    let mut extension = None;
    let normalised = match kind.as_str() {
        "phone" => match ident::phone(&raw, Some(country.unwrap_or(context.owner))) {
            Ok(phone) => {
                extension = phone.extension;
                phone.e164
            }
            Err(reason) => {
                errors.push(obj.at("value"), reason);
                return None;
            }
        },
        "email" => match ident::email(&raw) {
            Ok(email) => email,
            Err(reason) => {
                errors.push(obj.at("value"), reason);
                return None;
            }
        },
        "handle" => {
            let Some(platform) = &platform else {
                if obj.get("platform").is_none() {
                    errors.push(obj.at("platform"), "is required for a handle");
                }
                return None;
            };
            match ident::handle(platform, &raw) {
                Ok(handle) => handle,
                Err(reason) => {
                    errors.push(obj.at("value"), reason);
                    return None;
                }
            }
        }
        other => {
            errors.push(
                obj.at("kind"),
                format!("{other:?} is not known: expected one of phone, email, handle"),
            );
            return None;
        }
    };
    if kind != "handle" && platform.is_some() && kind != "phone" {
        errors.push(
            obj.at("platform"),
            "is for handles (and phones' messaging apps) only",
        );
    }
    Some(Communication {
        id,
        kind,
        value: raw,
        normalised,
        extension,
        platform,
        used_by,
    })
}

/// A decimal amount: digits, an optional fraction of up to 4 digits.
fn amount(value: &Value, path: String, errors: &mut FieldErrors) -> Option<Amount> {
    let obj = Obj::new(value, path, &["value", "currency"], errors)?;
    let raw = match obj.get("value") {
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            errors.push(
                obj.at("value"),
                "expected a decimal as a string, such as \"1500.00\"",
            );
            None
        }
        None => {
            errors.push(obj.at("value"), "is required");
            None
        }
    };
    let value = raw.and_then(|raw| {
        let (whole, fraction) = raw.split_once('.').unwrap_or((&raw, ""));
        let ok = (1..=15).contains(&whole.len())
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.len() <= 4
            && fraction.bytes().all(|b| b.is_ascii_digit())
            && !(raw.contains('.') && fraction.is_empty());
        if ok {
            Some(raw)
        } else {
            errors.push(
                obj.at("value"),
                format!("{raw:?} is not an amount: up to 15 digits, a point and up to 4 digits, not negative"),
            );
            None
        }
    });
    let currency = obj.text("currency", 3, true, errors).and_then(|c| {
        let upper = c.to_ascii_uppercase();
        if upper.len() == 3 && upper.bytes().all(|b| b.is_ascii_uppercase()) {
            Some(upper)
        } else {
            errors.push(
                obj.at("currency"),
                format!("{c:?} is not an ISO 4217 currency code (three letters)"),
            );
            None
        }
    });
    Some(Amount {
        value: value?,
        currency: currency?,
    })
}

fn money(
    value: &Value,
    path: String,
    ids: &mut LocalIds,
    today: Date,
    errors: &mut FieldErrors,
) -> Option<Money> {
    let obj = Obj::new(
        value,
        path,
        &[
            "id",
            "kind",
            "iban",
            "account",
            "bic",
            "reference",
            "provider",
            "amount",
            "date",
            "holder",
        ],
        errors,
    )?;
    let id = ids.declare(&obj, errors);
    let kind = obj.code("kind", &vocab::MONEY_KIND, true, errors);
    let iban = obj
        .text("iban", 50, false, errors)
        .and_then(|i| match ident::iban(&i) {
            Ok(iban) => Some(iban),
            Err(reason) => {
                errors.push(obj.at("iban"), reason);
                None
            }
        });
    let bic = obj
        .text("bic", 20, false, errors)
        .and_then(|b| match ident::bic(&b) {
            Ok(bic) => Some(bic),
            Err(reason) => {
                errors.push(obj.at("bic"), reason);
                None
            }
        });
    let account = obj.text("account", 60, false, errors);
    let reference = obj.text("reference", 200, false, errors);
    if kind.as_deref() == Some("bank-account")
        && obj.get("iban").is_none()
        && obj.get("account").is_none()
    {
        errors.push(
            obj.path.clone(),
            "a bank account needs an iban or an account number",
        );
    }
    let amount = obj
        .get("amount")
        .and_then(|a| amount(a, obj.at("amount"), errors));
    Some(Money {
        id,
        kind: kind?,
        iban,
        account,
        bic,
        reference,
        provider: obj.text("provider", LINE_LEN_MAX, false, errors),
        amount,
        date: date_text(obj.date("date", today, false, errors)),
        holder: ids.resolve(&obj, "holder", true, errors),
    })
}

fn address(
    value: &Value,
    path: String,
    ids: &mut LocalIds,
    errors: &mut FieldErrors,
) -> Option<Address> {
    let obj = Obj::new(
        value,
        path,
        &[
            "id", "country", "street", "postcode", "city", "role", "used_by",
        ],
        errors,
    )?;
    let id = ids.declare(&obj, errors);
    let country = obj.country("country", true, errors);
    let street = obj.text("street", LINE_LEN_MAX, false, errors);
    let postcode = obj.text("postcode", 20, false, errors);
    let city = obj.text("city", LINE_LEN_MAX, false, errors);
    if obj.get("street").is_none() && obj.get("city").is_none() {
        errors.push(obj.path.clone(), "give a street or a city");
    }
    let role = obj.code("role", &vocab::ADDRESS_ROLE, false, errors);
    let used_by = ids.resolve(&obj, "used_by", true, errors);
    let country = country?;
    Some(Address {
        id,
        key: ident::address_key(
            country,
            postcode.as_deref(),
            street.as_deref(),
            city.as_deref(),
        ),
        country,
        street,
        postcode,
        city,
        role,
        used_by,
    })
}

fn attachment(
    value: &Value,
    path: String,
    ids: &mut LocalIds,
    errors: &mut FieldErrors,
) -> Option<Attachment> {
    let obj = Obj::new(
        value,
        path,
        &["id", "sha256", "media_type", "description"],
        errors,
    )?;
    let id = ids.declare(&obj, errors);
    let sha256 = obj.text("sha256", 64, true, errors).and_then(|h| {
        let lower = h.to_ascii_lowercase();
        if lower.len() == 64 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            Some(lower)
        } else {
            errors.push(
                obj.at("sha256"),
                "is not a SHA-256 digest: 64 hexadecimal digits",
            );
            None
        }
    });
    let media_type = obj.text("media_type", 100, true, errors).and_then(|m| {
        let ok = m.split_once('/').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && (a.chars().chain(b.chars()))
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        });
        if ok {
            Some(m.to_ascii_lowercase())
        } else {
            errors.push(
                obj.at("media_type"),
                format!("{m:?} is not a media type such as image/jpeg"),
            );
            None
        }
    });
    Some(Attachment {
        id,
        sha256: sha256?,
        media_type: media_type?,
        description: obj.text("description", LINE_LEN_MAX, false, errors),
    })
}

//! A case report as FollowTheMoney entities (the data model of Aleph, OpenSanctions and
//! other investigative tools): one JSON object per entity, `{"id", "schema", "properties"}`,
//! every property a list of strings, countries in ISO 3166-1 alpha-2 lower case.
//!
//! The case is a `Project`; suspects and (where the reader sees them) victims are `Person`s
//! joined to it by `ProjectParticipant`; organisations are `Organization`s, a suspect's
//! membership a `Membership`; documents `Passport` or `Identification` with their `holder`;
//! vehicles `Vehicle` with their `operator`; phones and e-mail addresses are properties of the
//! person or organisation using them (a `UserAccount` where nobody is named), online handles
//! `UserAccount`s; accounts `BankAccount`s held by `Ownership`, transfers `Payment`s;
//! addresses `Address`es, the person's `addressEntity`. The caller passes the report as the
//! reader may see it ([`super::CaseReport::seen`]): what is not in it is not exported.

use serde_json::{Map, Value, json};

use super::CaseReport;
use crate::CountryCode;

/// The entities of case `case_id` of `owner`, in a stable order (the case first, then each
/// entity before the links that name it).
pub fn entities(case_id: i64, owner: CountryCode, report: &CaseReport) -> Vec<Value> {
    let mut out = Entities {
        case_id,
        list: Vec::new(),
        people: Vec::new(),
    };
    let project = out.id("case");
    let mut case = Props::default();
    case.add("name", format!("{} {}", owner.as_str(), report.reference));
    case.add("projectId", report.reference.clone());
    case.country(Some(owner));
    case.add("status", report.status.clone());
    case.add("keywords", report.form.clone());
    case.opt("startDate", report.opened_date.as_deref());
    case.opt("endDate", report.closed_date.as_deref());
    case.opt("summary", report.summary.as_deref());
    case.add(
        "publisher",
        format!("Palermo hub, case of {}", owner.as_str()),
    );
    out.push(&project, "Project", case);

    for victim in &report.victims {
        let Some(identity) = &victim.identity else {
            continue;
        };
        let mut person = Props::default();
        for name in &identity.names {
            person.add("name", full_name(name.given.as_deref(), &name.family));
            person.opt("firstName", name.given.as_deref());
            person.add("lastName", name.family.clone());
        }
        person.opt("birthDate", identity.birth_date.as_deref());
        person.opt("birthPlace", identity.place_of_birth.as_deref());
        person.opt("gender", victim.gender.as_deref().and_then(gender));
        for country in &victim.citizenship {
            person.country_as("nationality", *country);
        }
        person.add("topics", "crime.traffick".into());
        let id = out.id(&victim.id);
        out.push(&id, "Person", person);
        out.people.push(victim.id.clone());
        out.participant(&project, &victim.id, "victim");
    }
    for suspect in &report.suspects {
        let mut person = Props::default();
        for name in &suspect.names {
            person.add("name", full_name(name.given.as_deref(), &name.family));
            person.opt("firstName", name.given.as_deref());
            person.add("lastName", name.family.clone());
        }
        person.opt("birthDate", suspect.birth_date.as_deref());
        person.opt("gender", suspect.gender.as_deref().and_then(gender));
        for country in &suspect.nationality {
            person.country_as("nationality", *country);
        }
        person.add("topics", "crime.traffick".into());
        // Phones, e-mails and addresses the suspect uses are the person's own properties.
        for c in report
            .communications
            .iter()
            .filter(|c| c.used_by.as_deref() == Some(&*suspect.id))
        {
            match c.kind.as_str() {
                "phone" => person.add("phone", c.normalised.clone()),
                "email" => person.add("email", c.normalised.clone()),
                _ => {}
            }
        }
        let id = out.id(&suspect.id);
        out.push(&id, "Person", person);
        out.people.push(suspect.id.clone());
        let role = if suspect.roles.is_empty() {
            "suspect".to_owned()
        } else {
            format!("suspect: {}", suspect.roles.join(", "))
        };
        out.participant(&project, &suspect.id, &role);
    }
    for organisation in &report.organisations {
        let mut props = Props::default();
        props.add("name", organisation.name.clone());
        props.country(organisation.country);
        props.opt(
            "registrationNumber",
            organisation.registration_number.as_deref(),
        );
        props.add("classification", organisation.kind.clone());
        props.opt("sector", organisation.labour_sector.as_deref());
        for c in report
            .communications
            .iter()
            .filter(|c| c.used_by.as_deref() == Some(&*organisation.id))
        {
            match c.kind.as_str() {
                "phone" => props.add("phone", c.normalised.clone()),
                "email" => props.add("email", c.normalised.clone()),
                _ => {}
            }
        }
        let id = out.id(&organisation.id);
        out.push(&id, "Organization", props);
        out.participant(&project, &organisation.id, "organisation");
    }
    for suspect in &report.suspects {
        if let Some(organisation) = &suspect.organisation {
            let mut props = Props::default();
            props.add("member", out.id(&suspect.id));
            props.add("organization", out.id(organisation));
            let id = out.id(&format!("{}.member-of.{organisation}", suspect.id));
            out.push(&id, "Membership", props);
        }
    }
    for document in &report.documents {
        let mut props = Props::default();
        props.add("number", document.number.clone());
        props.country(Some(document.issuing_country));
        props.add("type", document.document_type.clone());
        props.add("description", format!("condition: {}", document.condition));
        if let Some(holder) = out.person(document.used_by.as_deref()) {
            props.add("holder", holder);
        }
        let schema = if document.document_type == "passport" {
            "Passport"
        } else {
            "Identification"
        };
        let id = out.id(&document.id);
        out.push(&id, schema, props);
    }
    for vehicle in &report.vehicles {
        let mut props = Props::default();
        let name = vehicle
            .vin
            .clone()
            .or_else(|| vehicle.plate.clone())
            .unwrap_or_else(|| "vehicle".into());
        props.add("name", name);
        props.opt("registrationNumber", vehicle.plate.as_deref());
        props.country(vehicle.country);
        if let Some(vin) = &vehicle.vin {
            props.add("description", format!("VIN {vin}"));
        }
        props.opt("model", vehicle.description.as_deref());
        if let Some(operator) = out.party(report, vehicle.used_by.as_deref()) {
            props.add("operator", operator);
        }
        let id = out.id(&vehicle.id);
        out.push(&id, "Vehicle", props);
    }
    for c in &report.communications {
        let named = c
            .used_by
            .as_deref()
            .is_some_and(|u| report.suspects.iter().any(|s| s.id == u))
            || c.used_by
                .as_deref()
                .is_some_and(|u| report.organisations.iter().any(|o| o.id == u));
        if matches!(c.kind.as_str(), "phone" | "email") && named {
            continue;
        }
        let mut props = Props::default();
        match c.kind.as_str() {
            "phone" => {
                props.add("phone", c.normalised.clone());
                props.add("service", "telephone".into());
            }
            "email" => {
                props.add("email", c.normalised.clone());
                props.add("service", "e-mail".into());
            }
            _ => {
                props.add("username", c.normalised.clone());
                props.add(
                    "service",
                    c.platform.clone().unwrap_or_else(|| "other".into()),
                );
            }
        }
        if let Some(owner) = out.party(report, c.used_by.as_deref()) {
            props.add("owner", owner);
        }
        let id = out.id(&c.id);
        out.push(&id, "UserAccount", props);
    }
    for money in &report.money {
        let holder = out.party(report, money.holder.as_deref());
        if money.iban.is_some() || money.account.is_some() {
            let mut props = Props::default();
            props.opt("iban", money.iban.as_deref());
            props.opt("accountNumber", money.account.as_deref());
            props.opt("bic", money.bic.as_deref());
            props.opt("bankName", money.provider.as_deref());
            if let Some(amount) = &money.amount {
                props.add("amount", amount.value.clone());
                props.add("currency", amount.currency.clone());
            }
            let account = out.id(&money.id);
            out.push(&account, "BankAccount", props);
            if let Some(holder) = holder {
                let mut link = Props::default();
                link.add("owner", holder);
                link.add("asset", account.clone());
                link.add("role", "holder".into());
                let id = out.id(&format!("{}.held", money.id));
                out.push(&id, "Ownership", link);
            }
        } else if let Some(payer) = holder {
            // A transfer, cash or crypto movement without an account: a payment by its holder.
            let mut props = Props::default();
            props.add("payer", payer);
            props.opt("transactionNumber", money.reference.as_deref());
            props.opt("date", money.date.as_deref());
            if let Some(amount) = &money.amount {
                props.add("amount", amount.value.clone());
                props.add("currency", amount.currency.clone());
            }
            props.add("purpose", money.kind.clone());
            let id = out.id(&money.id);
            out.push(&id, "Payment", props);
        }
    }
    for address in &report.addresses {
        let mut props = Props::default();
        let full: Vec<&str> = [
            address.street.as_deref(),
            address.postcode.as_deref(),
            address.city.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        props.add(
            "full",
            format!("{}, {}", full.join(", "), address.country.as_str()),
        );
        props.opt("street", address.street.as_deref());
        props.opt("postalCode", address.postcode.as_deref());
        props.opt("city", address.city.as_deref());
        props.country(Some(address.country));
        props.opt("remarks", address.role.as_deref());
        let id = out.id(&address.id);
        out.push(&id, "Address", props);
        if let Some(user) = out.person(address.used_by.as_deref()) {
            out.add_to(&user, "addressEntity", id);
        }
    }
    out.list
}

fn full_name(given: Option<&str>, family: &str) -> String {
    match given {
        Some(given) => format!("{given} {family}"),
        None => family.to_owned(),
    }
}

/// FollowTheMoney's genders: `male`, `female`, `other`.
fn gender(code: &str) -> Option<&'static str> {
    match code {
        "female" => Some("female"),
        "male" => Some("male"),
        "transgender-or-diverse" => Some("other"),
        _ => None,
    }
}

#[derive(Default)]
struct Props(Map<String, Value>);

impl Props {
    fn add(&mut self, name: &str, value: String) {
        if value.is_empty() {
            return;
        }
        let list = self
            .0
            .entry(name)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(values) = list
            && !values.iter().any(|v| v.as_str() == Some(&value))
        {
            values.push(Value::String(value));
        }
    }

    fn opt(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.add(name, value.to_owned());
        }
    }

    fn country_as(&mut self, name: &str, country: CountryCode) {
        if let Some(alpha2) = country.alpha2() {
            self.add(name, alpha2.to_ascii_lowercase());
        }
    }

    fn country(&mut self, country: Option<CountryCode>) {
        if let Some(country) = country {
            self.country_as("country", country);
        }
    }
}

struct Entities {
    case_id: i64,
    list: Vec<Value>,
    /// Local ids exported as persons (victims the reader sees, suspects).
    people: Vec<String>,
}

impl Entities {
    fn id(&self, local: &str) -> String {
        format!("palermo-case-{}.{local}", self.case_id)
    }

    fn push(&mut self, id: &str, schema: &str, props: Props) {
        self.list
            .push(json!({"id": id, "schema": schema, "properties": props.0}));
    }

    /// The exported person a local id names, if one was exported.
    fn person(&self, local: Option<&str>) -> Option<String> {
        let local = local?;
        self.people
            .iter()
            .any(|p| p == local)
            .then(|| self.id(local))
    }

    /// The exported person or organisation a local id names.
    fn party(&self, report: &CaseReport, local: Option<&str>) -> Option<String> {
        self.person(local).or_else(|| {
            let local = local?;
            report
                .organisations
                .iter()
                .any(|o| o.id == local)
                .then(|| self.id(local))
        })
    }

    /// `local` (already exported) takes part in the case as `role`.
    fn participant(&mut self, project: &str, local: &str, role: &str) {
        let mut props = Props::default();
        props.add("project", project.to_owned());
        props.add("participant", self.id(local));
        props.add("role", role.to_owned());
        let id = self.id(&format!("{local}.participant"));
        self.push(&id, "ProjectParticipant", props);
    }

    fn add_to(&mut self, id: &str, name: &str, value: String) {
        if let Some(entity) = self.list.iter_mut().find(|e| e["id"] == id)
            && let Some(props) = entity["properties"].as_object_mut()
        {
            let list = props
                .entry(name)
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(values) = list {
                values.push(Value::String(value));
            }
        }
    }
}

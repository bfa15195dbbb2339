//! The JSON Schema (2020-12) of the case report, version 1, made from the same value lists
//! and limits the validation reads, so that the two cannot drift apart. What no schema can state
//! is in the descriptions: phone numbers valid in their numbering plan, IBAN check digits,
//! references between entities, legs in the order travelled, dates not in the future.

use serde_json::{Value, json};

use super::vocab::{self, Vocab};
use super::{
    AGE_MAX, COUNTRIES_MAX, FORMAT_V1, ITEMS_MAX, LINE_LEN_MAX, LOCAL_ID_LEN_MAX, NAMES_MAX,
    REFERENCE_LEN_MAX, REPORT_BYTES_MAX, SUMMARY_LEN_MAX,
};
use crate::CountryCode;

/// The address the hub publishes the schema at, relative to its base URL.
pub const SCHEMA_PATH: &str = "/api/v1/schemas/case-report-v1.json";

/// Text without control characters with at least one character that is not a space.
const TEXT: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// `YYYY-MM-DD`, years 1900 to 2099, a day every year has (29 February, which only leap years
/// have, is left to the validation; the date must also not lie in the future).
const DATE: &str = "^(19|20)[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)$";
const LOCAL_ID: &str = "^[A-Za-z0-9._-]+$";

fn text(max: usize, description: &str) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": TEXT, "description": description})
}

fn code(list: &Vocab) -> Value {
    let labels: Vec<String> = list
        .values
        .iter()
        .map(|(code, label)| format!("`{code}`: {label}"))
        .collect();
    json!({"type": "string", "enum": list.codes().collect::<Vec<_>>(),
           "description": format!("A {}. {}.", list.name, labels.join("; "))})
}

fn codes(list: &Vocab) -> Value {
    json!({"type": "array", "items": code(list), "uniqueItems": true, "maxItems": list.values.len()})
}

fn country() -> Value {
    let all: Vec<&str> = CountryCode::all().map(CountryCode::as_str).collect();
    json!({"type": "string", "enum": all, "description": "ISO 3166-1 alpha-3 (or an ICAO 9303 code)."})
}

fn countries(max: usize) -> Value {
    json!({"type": "array", "items": country(), "uniqueItems": true, "maxItems": max})
}

fn date(description: &str) -> Value {
    json!({"type": "string", "pattern": DATE, "description": description})
}

fn local_id() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": LOCAL_ID_LEN_MAX, "pattern": LOCAL_ID,
           "description": "The entity's id within this report, unique in it."})
}

fn reference(to: &str) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": LOCAL_ID_LEN_MAX, "pattern": LOCAL_ID,
           "description": format!("The local id of {to} of this report.")})
}

fn list(items: Value) -> Value {
    json!({"type": "array", "items": items, "maxItems": ITEMS_MAX})
}

/// An object of these properties, `required` among them; the others may also be `null`
/// (read as absent).
fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "additionalProperties": false, "required": required,
           "properties": nullable_unless(required, properties)})
}

fn nullable_unless(required: &[&str], mut properties: Value) -> Value {
    if let Some(map) = properties.as_object_mut() {
        for (name, schema) in map.iter_mut() {
            if !required.contains(&name.as_str()) {
                nullable(schema);
            }
        }
    }
    properties
}

fn names(min: usize) -> Value {
    json!({"type": "array", "minItems": min, "maxItems": NAMES_MAX, "items": object(&["family"], json!({
        "given": text(crate::record::NAME_LEN_MAX, "Given names."),
        "family": {"type": "string", "minLength": 1, "maxLength": crate::record::NAME_LEN_MAX,
                   "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*[A-Za-z][^\\u0000-\\u001f\\u007f-\\u009f]*$",
                   "description": "Family name (holds a letter)."},
    }))})
}

/// Lets `schema` also be `null`: `null` joins its type and its enum.
fn nullable(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    match map.get_mut("type") {
        Some(Value::String(kind)) => {
            let kind = kind.clone();
            map.insert("type".into(), json!([kind, "null"]));
        }
        Some(Value::Array(kinds)) => {
            if !kinds.contains(&json!("null")) {
                kinds.push(json!("null"));
            }
        }
        _ => {
            let inner = schema.take();
            *schema = json!({"anyOf": [inner, {"type": "null"}]});
            return;
        }
    }
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        values.push(Value::Null);
    }
}

/// The schema, as published at [`SCHEMA_PATH`].
pub fn report_schema() -> Value {
    let victim = object(
        &["id"],
        json!({
            "id": local_id(),
            "age": {"type": "integer", "minimum": 0, "maximum": AGE_MAX,
                    "description": "Age at the time of exploitation; only the reporting bureau sees it (others see the band)."},
            "age_band": code(&vocab::AGE_BAND),
            "gender": code(&vocab::GENDER),
            "citizenship": countries(10),
            "country_of_exploitation": country(),
            "exploitation": codes(&vocab::EXPLOITATION),
            "sexual_exploitation": codes(&vocab::SEXUAL_EXPLOITATION),
            "labour_sectors": codes(&vocab::LABOUR_SECTOR),
            "control": codes(&vocab::CONTROL),
            "recruitment": codes(&vocab::RECRUITMENT),
            "recruiter_relation": code(&vocab::RECRUITER_RELATION),
            "platforms": codes(&vocab::PLATFORM),
            "trafficking_status": code(&vocab::TRAFFICKING_STATUS),
            "status_decided_by": code(&vocab::STATUS_DECIDED_BY),
            "identity": object(&[], json!({
                "names": names(0),
                "birth_date": date("Date of birth; consistent with the age."),
                "place_of_birth": text(LINE_LEN_MAX, "Place of birth."),
            })),
        }),
    );
    let suspect = object(
        &["id", "names"],
        json!({
            "id": local_id(),
            "names": names(1),
            "gender": code(&vocab::GENDER),
            "birth_date": date("Date of birth."),
            "nationality": countries(10),
            "roles": codes(&vocab::SUSPECT_ROLE),
            "person_id": {"type": "integer", "minimum": 1, "maximum": 9_007_199_254_740_991_i64,
                          "description": "A person of the hub's persons database the reporter may see."},
            "organisation": reference("an organisation"),
        }),
    );
    let organisation = object(
        &["id", "name", "kind"],
        json!({
            "id": local_id(),
            "name": text(LINE_LEN_MAX, "The organisation's name."),
            "kind": code(&vocab::ORGANISATION_KIND),
            "country": country(),
            "registration_number": text(LINE_LEN_MAX, "Company or licence registration number."),
            "labour_sector": code(&vocab::LABOUR_SECTOR),
        }),
    );
    let leg = object(
        &["country", "role"],
        json!({
            "country": country(),
            "role": code(&vocab::ROUTE_ROLE),
            "place": text(LINE_LEN_MAX, "Town or place."),
            "from": date("First day in this leg; not before the legs listed before it."),
            "to": date("Last day in this leg; not before `from`."),
            "transport": code(&vocab::TRANSPORT),
            "border_crossing": text(LINE_LEN_MAX, "The border crossing point at which the leg was entered."),
        }),
    );
    let document_types: Vec<&str> = crate::DocumentType::ALL
        .iter()
        .map(|t| t.as_str())
        .collect();
    let document = object(
        &[
            "id",
            "number",
            "issuing_country",
            "document_type",
            "condition",
        ],
        json!({
            "id": local_id(),
            "number": {"type": "string", "maxLength": crate::normalise::DOCUMENT_NUMBER_INPUT_LEN_MAX,
                       "pattern": "^[ .<-]*[A-Za-z0-9](?:[ .<-]*[A-Za-z0-9]){0,29}[ .<-]*$",
                       "description": "Checked against the travel-documents database."},
            "issuing_country": country(),
            "document_type": {"anyOf": [{"type": "string", "enum": document_types},
                {"type": "string", "pattern": "^[PIACVpiacv][A-Za-z]?$",
                 "description": "An ICAO 9303 document code: P (passports), I, A, C (identity documents), V (visas)."}]},
            "condition": code(&vocab::DOCUMENT_CONDITION),
            "used_by": reference("a victim or a suspect"),
        }),
    );
    let vehicle = json!({
        "type": "object", "additionalProperties": false, "required": ["id"],
        "anyOf": [{"required": ["vin"], "properties": {"vin": {"type": "string"}}},
                  {"required": ["plate", "country"], "properties": {"plate": {"type": "string"}, "country": {"type": "string"}}}],
        "properties": nullable_unless(&["id"], json!({
            "id": local_id(),
            "vin": {"type": "string", "pattern": "^[A-HJ-NPR-Z0-9]{17}$",
                    "description": "ISO 3779; the check digit (position 9) where the VIN carries one."},
            "plate": {"type": "string", "maxLength": 40,
                      "pattern": "^[ .<-]*[A-Za-z0-9](?:[ .<-]*[A-Za-z0-9]){0,14}[ .<-]*$",
                      "description": "Letters and digits (15 at most) with spaces, hyphens or dots between them."},
            "country": country(),
            "description": text(LINE_LEN_MAX, "Make, model, colour."),
            "used_by": reference("a victim, a suspect or an organisation"),
        }))
    });
    let communication = object(
        &["id", "kind", "value"],
        json!({
            "id": local_id(),
            "kind": {"type": "string", "enum": ["phone", "email", "handle"]},
            "value": text(300, "A phone number (international, or national in the numbering plan of `country`, else of the reporting bureau's country; an extension is kept apart), an e-mail address, or a handle or profile URL of `platform`."),
            "platform": code(&vocab::PLATFORM),
            "country": country(),
            "used_by": reference("a victim, a suspect or an organisation"),
        }),
    );
    let money = object(
        &["id", "kind"],
        json!({
            "id": local_id(),
            "kind": code(&vocab::MONEY_KIND),
            "iban": {"type": "string", "maxLength": 50,
                     "description": "ISO 13616; check digits and the country's length and format are verified."},
            "account": text(60, "An account number where IBANs are not used."),
            "bic": {"type": "string", "pattern": "^[A-Za-z0-9]{4}[A-Za-z]{2}[A-Za-z0-9]{2}([A-Za-z0-9]{3})?$",
                    "description": "ISO 9362:2014, with an ISO 3166 country in positions 5 and 6."},
            "reference": text(200, "A money-transfer control number, a wallet address, a payment reference."),
            "provider": text(LINE_LEN_MAX, "The bank or money service."),
            "amount": object(&["value", "currency"], json!({
                "value": {"type": "string", "pattern": "^[0-9]{1,15}(\\.[0-9]{1,4})?$",
                          "description": "A decimal as text, not a JSON number (no binary rounding)."},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217."},
            })),
            "date": date("Date of the transfer."),
            "holder": reference("a victim, a suspect or an organisation"),
        }),
    );
    let address = json!({
        "type": "object", "additionalProperties": false, "required": ["id", "country"],
        "anyOf": [{"required": ["street"], "properties": {"street": {"type": "string"}}},
                  {"required": ["city"], "properties": {"city": {"type": "string"}}}],
        "properties": nullable_unless(&["id", "country"], json!({
            "id": local_id(),
            "country": country(),
            "street": text(LINE_LEN_MAX, "Street and number."),
            "postcode": text(20, "Postcode."),
            "city": text(LINE_LEN_MAX, "Town or city."),
            "role": code(&vocab::ADDRESS_ROLE),
            "used_by": reference("a victim, a suspect or an organisation"),
        }))
    });
    let attachment = object(
        &["id", "sha256", "media_type"],
        json!({
            "id": local_id(),
            "sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
            "media_type": {"type": "string", "maxLength": 100, "pattern": "^[A-Za-z0-9+.-]+/[A-Za-z0-9+.-]+$"},
            "description": text(LINE_LEN_MAX, "What the file is."),
        }),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_PATH,
        "title": "Palermo case report, version 1",
        "description": format!(
            "A trafficking or smuggling case as a bureau reports it (docs/case-report.md). At most \
             {REPORT_BYTES_MAX} bytes. A later report with the same reference from the same bureau \
             is the case's next version."),
        "type": "object",
        "additionalProperties": false,
        "required": ["format", "reference", "status", "form", "reported_date"],
        "properties": nullable_unless(&["format", "reference", "status", "form", "reported_date"], json!({
            "format": {"const": FORMAT_V1},
            "reference": text(REFERENCE_LEN_MAX, "The reporting bureau's own reference of the case."),
            "status": code(&vocab::CASE_STATUS),
            "form": code(&vocab::CASE_FORM),
            "reported_date": date("Not after today."),
            "opened_date": date("Not after reported_date."),
            "closed_date": date("Only with a closed status; not before opened_date."),
            "restriction": {
                "type": "object", "additionalProperties": false, "required": ["visibility"],
                "description": "Who besides the reporting bureau may see the case (the reporting bureau's own country may not be listed).",
                "oneOf": [
                    {"properties": {"visibility": {"const": "all"}, "countries": {"maxItems": 0}}},
                    {"properties": {"visibility": {"enum": ["only", "except"]}, "countries": {"type": "array", "minItems": 1}}, "required": ["countries"]},
                ],
                "properties": nullable_unless(&["visibility"], json!({
                    "visibility": {"type": "string", "enum": ["all", "only", "except"]},
                    "countries": countries(COUNTRIES_MAX),
                }))
            },
            "summary": text(SUMMARY_LEN_MAX, "Free text."),
            "victims": list(victim),
            "suspects": list(suspect),
            "organisations": list(organisation),
            "route": list(leg),
            "documents": list(document),
            "vehicles": list(vehicle),
            "communications": list(communication),
            "money": list(money),
            "addresses": list(address),
            "attachments": list(attachment),
        }))
    })
}

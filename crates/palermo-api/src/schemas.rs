//! The exact constraints of the API's inputs, as JSON Schema in the OpenAPI description:
//! what the hub's validation enforces and a schema can say (patterns, lengths, enums, ranges,
//! "one of these fields"), so that a request the description admits is one the hub takes.
//! The schemas give the canonical form of each value (the hub also takes case and spacing
//! variants of codes). Rules no schema can state are named in the descriptions: a date not in
//! the future, a VIN's check digit, an organisation or message that exists, a password not on
//! the list of common ones, the scopes and roles an organisation's kind allows.

use palermo_core::normalise::{DOCUMENT_NUMBER_INPUT_LEN_MAX, PLATE_LEN_MAX};
use palermo_core::person::{DOCUMENTS_MAX, LANGUAGES_MAX, NAMES_MAX, PERSON_TEXT_LEN_MAX};
use palermo_core::record::{
    EXTERNAL_REF_LEN_MAX, HANDLING_NOTE_LEN_MAX, NAME_LEN_MAX, RESTRICTION_COUNTRIES_MAX,
    VEHICLE_TEXT_LEN_MAX,
};
use palermo_core::{CountryCode, DocumentStatus, Permissions, Role, VehicleStatus};
use serde_json::{Value, json};

/// No control characters (Unicode Cc), as the hub refuses them in text.
const NO_CONTROL: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// Text that holds at least one letter and no control character (a name).
const NAME: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[A-Za-z][^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// A document number: letters and digits (at most 30), with spaces, hyphens, dots and MRZ
/// fillers between them.
const DOCUMENT_NUMBER: &str = "^[ .<-]*[A-Za-z0-9](?:[ .<-]*[A-Za-z0-9]){0,29}[ .<-]*$";
/// A month and a day that exist in every year (29 February only in leap years: left out).
const MONTH_DAY: &str = "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)";
const MONTH: &str = "(0[1-9]|1[0-2])";
/// Blank text, which the hub reads as an absent optional field…
const BLANK: &str = "^\\s*$";
/// …and, for free text (which refuses control characters), blank without them.
const BLANK_TEXT: &str = "^[^\\S\\u0000-\\u001f\\u007f-\\u009f]*$";

/// A regular expression (without anchors) for the years `from` to `to`, 1000 to 9999.
fn years(from: i32, to: i32) -> String {
    let mut parts = Vec::new();
    let mut year = from;
    while year <= to {
        let decade = year / 10;
        let last = to.min(decade * 10 + 9);
        parts.push(if year % 10 == 0 && last == decade * 10 + 9 {
            format!("{decade}[0-9]")
        } else {
            format!("{decade}[{}-{}]", year % 10, last % 10)
        });
        year = last + 1;
    }
    format!("(?:{})", parts.join("|"))
}

fn this_year() -> i32 {
    palermo_core::Timestamp::now().date().year()
}

/// `YYYY-MM-DD` with a year in `from..=to`.
fn date_in(from: i32, to: i32) -> String {
    format!("^{}-{MONTH_DAY}$", years(from, to))
}
const ORG_CODE: &str = "^[A-Z][A-Z0-9-]{1,15}$";
const USERNAME: &str = "^[a-z0-9._-]{1,64}$";
const BASE64: &str = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";
const MEDIA_TYPE: &str = "^[A-Za-z0-9+.-]+/[A-Za-z0-9+.-]+$";
/// An `https://` URL to a host named by a public domain name (a dotted name ending in
/// letters, neither `localhost` nor IDNA-encoded), an optional port and a path. Addresses and
/// other hosts (and plain `http://`) only on the operator's allow list.
const WEBHOOK_URL: &str = "^https://(?![^/]*xn--)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+(?!localhost(?:[:/]|$))[A-Za-z]{2,63}(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}))?(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$";

/// The case report's published schema (`/api/v1/schemas/case-report-v1.json`), as a component.
fn case_report() -> Value {
    let mut schema = palermo_core::case::schema::report_schema();
    if let Some(object) = schema.as_object_mut() {
        object.remove("$schema");
        object.remove("$id");
    }
    schema
}

fn text(max: usize, description: &str) -> Value {
    json!({"type": "string", "maxLength": max, "pattern": NO_CONTROL, "description": description})
}

fn one_of(values: &[&str], description: &str) -> Value {
    json!({"type": "string", "enum": values, "description": description})
}

fn countries() -> Vec<&'static str> {
    CountryCode::all().map(CountryCode::as_str).collect()
}

fn members() -> Vec<&'static str> {
    CountryCode::all_iso().map(CountryCode::as_str).collect()
}

fn country(description: &str) -> Value {
    json!({"type": "string", "enum": countries(), "description": description})
}

fn member(description: &str) -> Value {
    json!({"type": "string", "enum": members(), "description": description})
}

/// A date from 1900 to last year: what the hub takes as "not in the future" whatever the day
/// (this year's past days are taken too).
fn past_date(description: &str) -> Value {
    json!({"type": "string", "format": "date", "pattern": date_in(1900, this_year() - 1),
        "description": format!("{description}: `YYYY-MM-DD`, from 1900, not in the future")})
}

/// A review date: from this year on (never before the record's reported date).
fn review_date() -> Value {
    json!({"type": "string", "format": "date", "pattern": date_in(this_year(), 2099),
        "description": "`YYYY-MM-DD`, not before the reported date; default five years after it"})
}

/// A birth date known to the year, month or day, or a range of years; for a person record,
/// from 1900 to this year.
fn partial_date(recorded: bool) -> Value {
    let (from, to) = if recorded {
        (1900, this_year())
    } else {
        (1000, 9999)
    };
    let year = years(from, to);
    let range = if recorded {
        format!("19[0-9]{{2}}/{}", years(2000, this_year()))
    } else {
        "1[0-9]{3}/2[0-9]{3}".to_owned()
    };
    json!({"type": "string",
        "pattern": format!("^(?:{year}(?:-{MONTH}|-{MONTH_DAY})?|{range})$"),
        "description": "`YYYY-MM-DD`, `YYYY-MM`, `YYYY`, or a range of years `YYYY/YYYY` (the \
         second later); a date that exists (and, for a person's record, from 1900 to this year)"})
}

/// An optional field: absent, null, blank (read as absent), or a value of `schema`.
fn optional(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "string", "pattern": BLANK}, {"type": "null"}]})
}

/// An optional free-text field: as [`optional`], but blank text holds no control character.
fn optional_text(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "string", "pattern": BLANK_TEXT}, {"type": "null"}]})
}

/// A string that is not blank: what a "one of these fields" rule needs present.
const PRESENT: &str = "[^\\s]";

fn document_number() -> Value {
    json!({"type": "string", "pattern": DOCUMENT_NUMBER, "maxLength": DOCUMENT_NUMBER_INPUT_LEN_MAX,
        "description": "The number as printed: letters and digits (at most 30), case, spaces and \
         hyphens ignored"})
}

fn document_types() -> Value {
    one_of(
        &[
            "passport",
            "id_card",
            "visa",
            "residence_permit",
            "seafarers_book",
            "other",
            "P",
            "I",
            "A",
            "C",
            "V",
        ],
        "A document type, or an ICAO 9303 document code",
    )
}

fn status(names: &str) -> Vec<String> {
    names.split(", ").map(str::to_owned).collect()
}

/// The fields every record kind shares, and the rules that tie them together.
fn meta_properties(properties: &mut serde_json::Map<String, Value>, reference: &str) {
    let restriction_countries = json!({"type": ["array", "null"], "maxItems": RESTRICTION_COUNTRIES_MAX,
        "items": member("A member country"),
        "description": "The countries `only` admits or `except` excludes; required with them, \
         empty otherwise"});
    for (name, schema) in [
        ("reported_date", past_date("When it was reported")),
        (
            "owner",
            optional(member(
                "The owner bureau: the caller's own (the default); a bureau writes its own records only",
            )),
        ),
        (
            reference,
            optional_text(text(
                EXTERNAL_REF_LEN_MAX,
                "The owner's own reference: writing it again updates the record",
            )),
        ),
        ("review_date", optional(review_date())),
        (
            "restriction",
            optional(one_of(
                &["all", "only", "except"],
                "Who besides the owner sees the record",
            )),
        ),
        ("restriction_countries", restriction_countries),
        (
            "handling",
            optional(one_of(
                &["H0", "H1", "H2", "H3"],
                "How the record may be used (Europol-style handling codes)",
            )),
        ),
        (
            "handling_note",
            optional_text(text(
                HANDLING_NOTE_LEN_MAX,
                "The conditions of use; required with H3",
            )),
        ),
    ] {
        properties.insert(name.to_owned(), schema);
    }
}

fn meta_rules() -> Value {
    json!([
        {"if": {"required": ["handling"], "properties": {"handling": {"const": "H3"}}},
         "then": {"required": ["handling_note"],
                  "properties": {"handling_note": {"type": "string", "pattern": PRESENT}}}},
        {"if": {"required": ["restriction"], "properties": {"restriction": {"enum": ["only", "except"]}}},
         "then": {"required": ["restriction_countries"],
                  "properties": {"restriction_countries": {"type": "array", "minItems": 1}}},
         "else": {"properties": {"restriction_countries": {"maxItems": 0}}}}
    ])
}

fn record(
    description: &str,
    required: &[&str],
    mut properties: serde_json::Map<String, Value>,
    mut rules: Vec<Value>,
    reference: &str,
) -> Value {
    meta_properties(&mut properties, reference);
    rules.extend(meta_rules().as_array().cloned().unwrap_or_default());
    json!({"type": "object", "additionalProperties": false, "description": description,
        "required": required, "properties": properties, "allOf": rules})
}

fn document_input() -> Value {
    let mut properties = serde_json::Map::new();
    properties.insert("number".into(), document_number());
    properties.insert(
        "issuing_country".into(),
        country("ISO 3166-1 alpha-3, or an ICAO 9303 code such as `D`, `GBD`, `UNO`, `XXA`"),
    );
    properties.insert("type".into(), document_types());
    properties.insert(
        "status".into(),
        json!({"type": "string", "enum": status(&DocumentStatus::names())}),
    );
    properties.insert(
        "holder_name".into(),
        optional_text(text(NAME_LEN_MAX, "The holder's name as printed")),
    );
    properties.insert(
        "holder_birth_date".into(),
        optional(past_date("The holder's birth date")),
    );
    record(
        "A travel document to report.",
        &[
            "number",
            "issuing_country",
            "type",
            "status",
            "reported_date",
        ],
        properties,
        Vec::new(),
        "external_ref",
    )
}

/// The VIN of a record: 17 characters of ISO 3779, without I, O and Q; where the first
/// character is 1 to 5 or L (North America, China), the ninth is the check digit.
fn vin_of_record() -> Value {
    json!({"type": "string", "pattern": "^[A-HJ-NPR-Z0-9]{17}$", "description":
        "17 characters of ISO 3779 (no I, O, Q); a VIN starting with 1 to 5 or L carries its \
         check digit in position 9 (49 CFR 565, GB 16735)"})
}

fn plate() -> Value {
    json!({"type": "string", "pattern": format!("^[A-Z0-9]{{1,{PLATE_LEN_MAX}}}$"),
        "description": "The registration plate (case, spaces and hyphens ignored; Cyrillic and \
         Greek look-alike capitals read as Latin)"})
}

fn vehicle_input() -> Value {
    let year_max = palermo_core::Timestamp::now().date().year() + 1;
    let mut properties = serde_json::Map::new();
    properties.insert("vin".into(), optional(vin_of_record()));
    properties.insert("plate".into(), optional(plate()));
    properties.insert(
        "plate_country".into(),
        optional(country("Country of the plate; required with a plate")),
    );
    for name in ["make", "model", "colour"] {
        properties.insert(name.into(), optional_text(text(VEHICLE_TEXT_LEN_MAX, "")));
    }
    properties.insert(
        "year".into(),
        json!({"type": ["integer", "null"], "minimum": 1886, "maximum": year_max}),
    );
    properties.insert(
        "status".into(),
        json!({"type": "string", "enum": status(&VehicleStatus::names())}),
    );
    let rules = vec![
        json!({"anyOf": [
            {"required": ["vin"], "properties": {"vin": {"type": "string", "pattern": PRESENT}}},
            {"required": ["plate"], "properties": {"plate": {"type": "string", "pattern": PRESENT}}}
        ]}),
        json!({"if": {"required": ["plate"], "properties": {"plate": {"type": "string", "pattern": PRESENT}}},
               "then": {"required": ["plate_country"],
                        "properties": {"plate_country": {"type": "string", "pattern": PRESENT}}}}),
    ];
    record(
        "A vehicle to report: a VIN, a plate with its country, or both.",
        &["status", "reported_date"],
        properties,
        rules,
        "external_ref",
    )
}

fn person_input() -> Value {
    let name_text = json!({"type": "string", "pattern": NAME, "maxLength": NAME_LEN_MAX});
    let name = json!({"type": "object", "additionalProperties": false,
    "properties": {
        "full": optional(json!({"type": "string", "maxLength": palermo_names::NAME_MAX_CHARS,
            "pattern": NAME, "description": "The whole name as written, in any script"})),
        "given": optional_text(name_text.clone()),
        "family": optional_text(name_text.clone()),
        "script": optional(json!({"type": "string", "pattern": "^[A-Za-z]{4}$",
            "description": "ISO 15924 script code (`Latn`, `Cyrl`, `Arab`, `Hani` …)"})),
        "kind": optional(one_of(&["primary", "alias", "maiden", "former"], "")),
    },
    "description": "The full name, or its given and family parts",
    "anyOf": [
        {"required": ["full"], "properties": {"full": {"type": "string", "pattern": PRESENT}}},
        {"required": ["given"], "properties": {"given": {"type": "string", "pattern": PRESENT}}},
        {"required": ["family"], "properties": {"family": {"type": "string", "pattern": PRESENT}}}
    ]});
    let identity = json!({"type": "object", "additionalProperties": false,
    "required": ["number", "issuing_country"],
    "properties": {
        "number": document_number(),
        "issuing_country": country(""),
        "type": optional(document_types()),
    }});
    let mut properties = serde_json::Map::new();
    properties.insert(
        "names".into(),
        json!({"type": "array", "minItems": 1, "maxItems": NAMES_MAX, "items": name}),
    );
    properties.insert("birth_date".into(), optional(partial_date(true)));
    properties.insert(
        "birth_place".into(),
        optional_text(text(PERSON_TEXT_LEN_MAX, "")),
    );
    properties.insert("birth_country".into(), optional(country("")));
    properties.insert(
        "nationality".into(),
        json!({"type": ["array", "null"],
        "maxItems": palermo_core::person::NATIONALITIES_MAX,
        "items": country("ISO 3166-1 alpha-3")}),
    );
    properties.insert("sex".into(), optional(one_of(&["M", "F", "U"], "")));
    properties.insert(
        "category".into(),
        optional(one_of(&["wanted", "missing", "suspect", "offender"], "")),
    );
    properties.insert(
        "marks".into(),
        optional_text(text(PERSON_TEXT_LEN_MAX, "Distinguishing marks")),
    );
    properties.insert(
        "languages".into(),
        json!({"type": "array", "maxItems": LANGUAGES_MAX,
        "items": {"type": "string", "pattern": "^[a-z]{2,3}$", "description": "ISO 639"}}),
    );
    properties.insert(
        "documents".into(),
        json!({"type": "array", "maxItems": DOCUMENTS_MAX, "items": identity}),
    );
    record(
        "A person to report (wanted, missing, suspect, offender).",
        &["names", "reported_date"],
        properties,
        Vec::new(),
        "id",
    )
}

fn document_query() -> Value {
    json!({"type": "object", "additionalProperties": false,
        "required": ["number", "issuing_country"],
        "properties": {
            "number": document_number(),
            "issuing_country": country("ISO 3166-1 alpha-3 or ICAO 9303 code of the issuing state"),
            "type": optional(document_types()),
            "holder_name": {"anyOf": [{"type": "string", "pattern": NAME,
                "maxLength": palermo_names::NAME_MAX_CHARS,
                "description": "The holder's name as read from the document: also screens persons"},
                {"type": "null"}]},
            "holder_birth_date": optional(partial_date(false)),
        },
        "description": "One travel document to check; `holder_birth_date` goes with `holder_name`",
        "allOf": [{"if": {"required": ["holder_birth_date"],
                          "properties": {"holder_birth_date": {"type": "string", "pattern": PRESENT}}},
                   "then": {"required": ["holder_name"],
                            "properties": {"holder_name": {"type": "string"}}}}]})
}

fn query_vin() -> Value {
    json!({"type": "string", "pattern": "^[A-Z0-9]{17}$",
        "description": "17 characters; O, I and Q are read as 0, 1 and 0"})
}

fn vehicle_query() -> Value {
    json!({"type": "object", "additionalProperties": false,
        "properties": {
            "vin": optional(query_vin()),
            "plate": optional(plate()),
            "plate_country": optional(country("Required with a plate")),
        },
        "description": "One vehicle to check: by VIN, by plate and its country, or both",
        "anyOf": [
            {"required": ["vin"], "properties": {"vin": {"type": "string", "pattern": PRESENT}}},
            {"required": ["plate"], "properties": {"plate": {"type": "string", "pattern": PRESENT}}}
        ],
        "allOf": [{"if": {"required": ["plate"], "properties": {"plate": {"type": "string", "pattern": PRESENT}}},
                   "then": {"required": ["plate_country"],
                            "properties": {"plate_country": {"type": "string", "pattern": PRESENT}}}}]})
}

fn person_query() -> Value {
    let name =
        json!({"type": "string", "pattern": NAME, "maxLength": palermo_names::NAME_MAX_CHARS});
    json!({"type": "object", "additionalProperties": false,
    "properties": {
        "qid": {"type": ["string", "null"], "maxLength": 200, "pattern": NO_CONTROL,
            "description": "The caller's reference for the query, echoed in the result"},
        "name": {"anyOf": [name.clone(), {"type": "null"}]},
        "names": {"type": "array", "maxItems": 19, "items": name},
        "birth_date": optional(partial_date(false)),
        "nationality": optional(country("")),
        "sex": optional(one_of(&["M", "F", "U"], "")),
    },
    "description": "One person to screen: a name, or names",
    "anyOf": [
        {"required": ["name"], "properties": {"name": {"type": "string"}}},
        {"required": ["names"], "properties": {"names": {"minItems": 1}}}
    ]})
}

fn batch(field: &str, item: &str, max: usize) -> Value {
    json!({"type": "object", "additionalProperties": false, "required": [field],
        "properties": {field: {"type": "array", "minItems": 1, "maxItems": max,
            "items": {"$ref": format!("#/components/schemas/{item}")}}}})
}

fn scopes() -> Vec<&'static str> {
    Permissions::NAMED.iter().map(|(_, name)| *name).collect()
}

fn roles() -> Vec<&'static str> {
    Role::ALL.iter().map(|role| role.as_str()).collect()
}

fn message_input() -> Value {
    json!({"type": "object", "additionalProperties": false,
    "required": ["to", "subject", "body"],
    "properties": {
        "to": {"type": "array", "minItems": 1, "maxItems": 50, "uniqueItems": true,
            "items": {"type": "string", "pattern": ORG_CODE},
            "description": "Recipient organisations' codes; each must exist"},
        "subject": {"type": "string", "maxLength": 200, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\u0000-\\u0020\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"},
        "body": {"type": "string", "maxLength": 20_000, "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\u0000-\\u0020\\u007f-\\u009f][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"},
        "priority": optional(one_of(&["routine", "urgent", "immediate"], "")),
        "handling": optional(one_of(&["H0", "H1", "H2", "H3"], "")),
        "references": {"type": "array", "maxItems": 100, "items": {"type": "object",
            "additionalProperties": false, "required": ["kind", "id"],
            "properties": {"kind": one_of(&["document", "vehicle", "person", "notice", "case"], ""),
                "id": {"type": "integer", "minimum": 1, "format": "int64"}}}},
        "in_reply_to": {"type": ["integer", "null"], "minimum": 1, "format": "int64",
            "description": "A message the caller's organisation sent or received"},
        "attachments": {"type": "array", "maxItems": 10, "items": {"type": "object",
            "additionalProperties": false, "required": ["name", "data"],
            "properties": {
                "name": {"type": "string", "maxLength": 200,
                    "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f/\\\\]*[^\\u0000-\\u0020\\u007f-\\u009f/\\\\.][^\\u0000-\\u001f\\u007f-\\u009f/\\\\]*$",
                    "description": "A file name, not a path"},
                "content_type": {"anyOf": [{"type": "string", "maxLength": 100, "pattern": MEDIA_TYPE},
                    {"type": "null"}]},
                "data": {"type": "string", "pattern": BASE64, "maxLength": 7_000_000,
                    "description": "The bytes, base64 (at most 5 MiB each, 8 MiB together)"}
            }}}
    }})
}

/// Text that must be given: at least one character that is not a space, no control
/// character.
const GIVEN_TEXT: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// Text of at least `min` characters once trimmed (spaces around do not count), lines
/// allowed, no other control character.
fn trimmed_at_least(min: usize) -> String {
    let edge = "[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]";
    // The white space the hub trims and does not refuse as a control character.
    let space = "[ \\n\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*";
    format!(
        "^{space}{edge}[^\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]{{{},}}{edge}{space}$",
        min.saturating_sub(2)
    )
}

fn given_text(max: usize, description: &str) -> Value {
    json!({"type": "string", "maxLength": max, "pattern": GIVEN_TEXT, "description": description})
}

fn object(required: &[&str], properties: Value, description: &str) -> Value {
    json!({"type": "object", "additionalProperties": false, "required": required,
        "properties": properties, "description": description})
}

/// A warrant's text fields (every one required in a request).
const WARRANT_TEXTS: [&str; 7] = [
    "kind",
    "charge",
    "description",
    "reference",
    "date",
    "authority",
    "issuing_country",
];

/// A warrant or a court decision: an arrest warrant gives the maximum penalty, a court
/// decision the sentence imposed or left to serve.
fn warrant() -> Value {
    use palermo_core::notice::{NOTICE_LINE_LEN_MAX as LINE, NOTICE_TEXT_LEN_MAX as TEXT};
    let months = json!({"type": ["integer", "null"], "minimum": 0, "maximum": u32::MAX});
    let mut schema = object(
        &WARRANT_TEXTS,
        json!({
            "kind": one_of(&["arrest_warrant", "court_decision"], "Prosecution, or a sentence to serve"),
            "charge": given_text(LINE, "The offence as the law names it"),
            "description": given_text(TEXT, "What the person is alleged to have done"),
            "reference": given_text(LINE, "The warrant's or decision's reference"),
            "date": past_date("When it was issued"),
            "authority": given_text(LINE, "The court or authority that issued it"),
            "issuing_country": member("The issuing state"),
            "max_penalty_months": months.clone(),
            "sentence_months": months.clone(),
            "sentence_remaining_months": months,
        }),
        "An arrest warrant (with `max_penalty_months`) or a court decision (with \
         `sentence_remaining_months` or `sentence_months`; what is left never more than what \
         was imposed)",
    );
    schema["allOf"] = json!([
        {"if": {"properties": {"kind": {"const": "arrest_warrant"}}},
         "then": {"required": ["max_penalty_months"],
                  "properties": {"max_penalty_months": {"type": "integer"}}}},
        {"if": {"properties": {"kind": {"const": "court_decision"}}},
         "then": {"anyOf": [
            {"required": ["sentence_months"], "properties": {"sentence_months": {"type": "integer"}}},
            {"required": ["sentence_remaining_months"],
             "properties": {"sentence_remaining_months": {"type": "integer"}}}]}}
    ]);
    schema
}

/// The parts a request of `kind` takes (beyond those every request takes), and which of them
/// it requires.
fn notice_parts(
    kind: palermo_core::notice::RequestKind,
) -> (Vec<&'static str>, serde_json::Map<String, Value>) {
    use palermo_core::notice::{
        NOTICE_LINE_LEN_MAX as LINE, NOTICE_TEXT_LEN_MAX as TEXT, NoticeKind, RECIPIENTS_MAX,
        REFERENCES_MAX, Subject, WARRANTS_MAX,
    };
    let wants = kind.requirements();
    let mut required = vec!["kind"];
    let mut properties = serde_json::Map::new();
    let mut add = |name: &'static str, schema: Value, needed: bool| {
        properties.insert(name.to_owned(), schema);
        if needed {
            required.push(name);
        }
    };
    let person = json!({"type": "integer", "minimum": 1, "format": "int64",
        "description": "The id of a person of the requesting bureau in the persons database"});
    match wants.subject() {
        Subject::Person | Subject::Assets => add("person", person, true),
        Subject::Case => add(
            "person",
            json!({"anyOf": [person, {"type": "null"}]}),
            false,
        ),
        Subject::Body | Subject::Entity => {}
    }
    if kind.is_diffusion() {
        add(
            "recipients",
            json!({"anyOf": [
                {"type": "array", "minItems": 1, "maxItems": RECIPIENTS_MAX,
                 "items": member("A recipient country")},
                {"type": "array", "minItems": 1, "maxItems": 1, "items": {"const": "all"}}],
             "description": "ISO 3166-1 alpha-3 codes of the countries it goes to, or `[\"all\"]`"}),
            true,
        );
    }
    if wants.may_be_public() && !kind.is_diffusion() {
        add(
            "public_extract",
            json!({"type": "boolean",
                "description": "The owner's consent to a public extract once published: only for a \
                 request without restriction, handled H0, about a person whose record is so too"}),
            false,
        );
    }
    match wants {
        NoticeKind::Red => add(
            "warrants",
            json!({"type": "array", "minItems": 1, "maxItems": WARRANTS_MAX,
                "items": {"$ref": "#/components/schemas/WarrantRequestInput"}}),
            true,
        ),
        NoticeKind::Yellow => add(
            "disappearance",
            object(
                &["date", "place", "country"],
                json!({"date": past_date("When the person disappeared"),
                    "place": given_text(LINE, "Where"),
                    "country": member("In which country")}),
                "When and where the person disappeared",
            ),
            true,
        ),
        NoticeKind::Blue => add(
            "purpose",
            given_text(TEXT, "What information is sought"),
            true,
        ),
        NoticeKind::Green => add(
            "warning",
            given_text(TEXT, "The criminal activities warned of"),
            true,
        ),
        NoticeKind::Black => add(
            "body",
            object(
                &["found_date", "found_country", "description"],
                json!({"found_date": past_date("When the body was found"),
                    "found_place": optional_text(text(LINE, "Where")),
                    "found_country": member("In which country"),
                    "sex": optional(one_of(&["M", "F", "U"], "")),
                    "age_min": {"type": ["integer", "null"], "minimum": 0, "maximum": u32::MAX},
                    "age_max": {"type": ["integer", "null"], "minimum": 0, "maximum": 130},
                    "description": given_text(TEXT, "Build, marks, clothing, dental and other findings")}),
                "The body found (`age_min` never above `age_max`)",
            ),
            true,
        ),
        NoticeKind::Orange | NoticeKind::Purple => add(
            "case",
            object(
                &["kind", "description"],
                json!({"kind": one_of(&["event", "object", "modus_operandi"], ""),
                    "description": given_text(TEXT, "")}),
                "The event, object or modus operandi",
            ),
            true,
        ),
        NoticeKind::Silver => add(
            "assets",
            json!({"type": "array", "minItems": 1, "maxItems": REFERENCES_MAX,
                "items": object(&["kind", "description"],
                    json!({"kind": one_of(&["account", "real_estate", "vehicle", "vessel", "company", "other"], ""),
                        "description": given_text(TEXT, ""),
                        "country": optional(member("Where it is believed to be"))}), "An asset sought")}),
            true,
        ),
        NoticeKind::UnPersons | NoticeKind::UnEntities => {}
    }
    if matches!(wants, NoticeKind::UnPersons | NoticeKind::UnEntities) {
        add(
            "sanctions",
            object(
                &["committee", "reference", "measures"],
                json!({"committee": given_text(LINE, "The sanctions committee (`1267`, `1718` …)"),
                    "reference": given_text(LINE, "The UN's reference of the listing"),
                    "measures": {"type": "array", "minItems": 1, "maxItems": 3,
                        "items": one_of(&["assets_freeze", "travel_ban", "arms_embargo"], "")}}),
                "The Security Council's listing",
            ),
            true,
        );
    }
    if wants == NoticeKind::UnEntities {
        add(
            "entity",
            object(
                &["name"],
                json!({"name": given_text(LINE, "The entity's name"),
                    "aliases": {"type": "array", "maxItems": REFERENCES_MAX,
                        "items": text(NAME_LEN_MAX, "")},
                    "address": optional_text(text(LINE, ""))}),
                "The entity under sanctions",
            ),
            true,
        );
    }
    // What the kind does not take may only be absent, null or empty.
    for (name, empty) in [
        ("person", json!({"type": "null"})),
        (
            "recipients",
            json!({"anyOf": [{"type": "null"}, {"type": "array", "maxItems": 0}]}),
        ),
        ("public_extract", json!({"const": false})),
        ("warrants", json!({"type": "array", "maxItems": 0})),
        ("assets", json!({"type": "array", "maxItems": 0})),
        ("disappearance", json!({"type": "null"})),
        ("purpose", json!({"type": "null"})),
        ("warning", json!({"type": "null"})),
        ("body", json!({"type": "null"})),
        ("case", json!({"type": "null"})),
        ("sanctions", json!({"type": "null"})),
        ("entity", json!({"type": "null"})),
    ] {
        properties.entry(name).or_insert(empty);
    }
    (required, properties)
}

/// A request of one kind: exactly the parts it takes, those it requires marked so.
fn notice_variant(kind: palermo_core::notice::RequestKind) -> Value {
    use palermo_core::notice::{NOTICE_LINE_LEN_MAX as LINE, REFERENCES_MAX};
    let (required, mut properties) = notice_parts(kind);
    properties.insert("kind".into(), json!({"const": kind.as_str()}));
    for name in ["summary", "fingerprints_reference", "dna_reference"] {
        properties.insert(name.into(), optional_text(text(LINE, "")));
    }
    properties.insert(
        "documents".into(),
        json!({"type": "array", "maxItems": REFERENCES_MAX,
            "description": "Travel documents whose checks should hit the request",
            "items": object(&["number", "issuing_country"],
                json!({"number": document_number(),
                    "issuing_country": country("ISO 3166-1 alpha-3, or an ICAO 9303 code")}), "")}),
    );
    properties.insert(
        "vehicles".into(),
        json!({"type": "array", "maxItems": REFERENCES_MAX,
            "description": "Vehicles whose checks should hit the request: a VIN or a plate",
            "items": {"type": "object", "additionalProperties": false,
                "properties": {"vin": optional(vin_of_record()), "plate": optional(plate()),
                    "plate_country": optional(country("Country of the plate"))},
                "anyOf": [
                    {"required": ["vin"], "properties": {"vin": {"type": "string", "pattern": PRESENT}}},
                    {"required": ["plate"], "properties": {"plate": {"type": "string", "pattern": PRESENT}}}],
                "if": {"required": ["plate"], "properties": {"plate": {"type": "string", "pattern": PRESENT}}},
                "then": {"required": ["plate_country"],
                    "properties": {"plate_country": {"type": "string", "pattern": PRESENT}}}}}),
    );
    meta_properties(&mut properties, "external_ref");
    properties.insert(
        "reported_date".into(),
        optional(past_date("When the request is made (default: today)")),
    );
    let mut rules = meta_rules();
    if properties["public_extract"]["type"] == "boolean"
        && let Some(rules) = rules.as_array_mut()
    {
        let open = |value: &str| json!({"anyOf": [{"const": value}, {"type": "null"}, {"type": "string", "pattern": BLANK}]});
        rules.push(json!({
            "if": {"required": ["public_extract"], "properties": {"public_extract": {"const": true}}},
            "then": {"properties": {"restriction": open("all"), "handling": open("H0")}}
        }));
    }
    json!({"type": "object", "additionalProperties": false,
        "title": kind.as_str(),
        "description": format!("A {} request: it asks {}", kind.as_str(), kind.requirements().action()),
        "required": required, "properties": properties, "allOf": rules})
}

/// A notice's or a diffusion's request: one of the kinds of its channel, each with exactly
/// the parts it takes.
fn notice_request(diffusion: bool) -> Value {
    use palermo_core::notice::{DiffusionKind, NoticeKind, RequestKind};
    let variants: Vec<Value> = if diffusion {
        DiffusionKind::ALL
            .into_iter()
            .map(|kind| notice_variant(RequestKind::Diffusion(kind)))
            .collect()
    } else {
        NoticeKind::ALL
            .into_iter()
            .map(|kind| notice_variant(RequestKind::Notice(kind)))
            .collect()
    };
    json!({"oneOf": variants,
        "discriminator": {"propertyName": "kind"},
        "description": "Which parts are required depends on `kind`; a person is one of the \
         requesting bureau's own in the persons database"})
}

/// A request being written, to evaluate: every part may be missing or wrong (the answer says
/// what is), but each has its type.
fn notice_draft() -> Value {
    let text = json!({"type": ["string", "null"]});
    let texts = json!({"type": "array", "items": {"type": "string"}});
    let months = json!({"type": ["integer", "null"], "minimum": 0, "maximum": u32::MAX});
    let countries = json!({"anyOf": [{"type": "null"}, {"type": "string"}, texts.clone()]});
    let loose = |names: &[&str], extra: Value| {
        let mut properties = serde_json::Map::new();
        for name in names {
            properties.insert((*name).to_owned(), text.clone());
        }
        if let Value::Object(extra) = extra {
            properties.extend(extra);
        }
        json!({"type": ["object", "null"], "additionalProperties": false, "properties": properties})
    };
    let array_of = |item: Value| {
        let mut item = item;
        item["type"] = json!("object");
        json!({"type": "array", "items": item})
    };
    let mut properties = serde_json::Map::new();
    for name in [
        "kind",
        "summary",
        "fingerprints_reference",
        "dna_reference",
        "purpose",
        "warning",
        "owner",
        "external_ref",
        "reported_date",
        "review_date",
        "restriction",
        "handling",
        "handling_note",
    ] {
        properties.insert(name.into(), text.clone());
    }
    properties.insert("recipients".into(), countries.clone());
    properties.insert("restriction_countries".into(), countries);
    properties.insert(
        "person".into(),
        json!({"type": ["integer", "null"], "minimum": i64::MIN, "maximum": i64::MAX}),
    );
    properties.insert("public_extract".into(), json!({"type": "boolean"}));
    properties.insert(
        "warrants".into(),
        array_of(loose(
            &WARRANT_TEXTS,
            json!({"max_penalty_months": months, "sentence_months": months,
                "sentence_remaining_months": months}),
        )),
    );
    properties.insert(
        "disappearance".into(),
        loose(&["date", "place", "country"], json!({})),
    );
    properties.insert(
        "body".into(),
        loose(
            &[
                "found_date",
                "found_place",
                "found_country",
                "sex",
                "description",
            ],
            json!({"age_min": months, "age_max": months}),
        ),
    );
    properties.insert("case".into(), loose(&["kind", "description"], json!({})));
    properties.insert(
        "assets".into(),
        array_of(loose(&["kind", "description", "country"], json!({}))),
    );
    properties.insert(
        "sanctions".into(),
        loose(&["committee", "reference"], json!({"measures": texts})),
    );
    properties.insert(
        "entity".into(),
        loose(&["name", "address"], json!({"aliases": texts})),
    );
    properties.insert(
        "documents".into(),
        array_of(loose(&["number", "issuing_country"], json!({}))),
    );
    properties.insert(
        "vehicles".into(),
        array_of(loose(&["vin", "plate", "plate_country"], json!({}))),
    );
    json!({"type": "object", "additionalProperties": false, "properties": properties,
        "description": "A request as far as it is written: any part may be missing or invalid \
         (the evaluation lists each problem), but each part present has its type"})
}

/// A move of a request: what it needs depends on the transition.
fn notice_move() -> Value {
    use palermo_core::notice::rules::{JUSTIFICATION_LEN_MAX, JUSTIFICATION_LEN_MIN, rule_ids};
    let transitions: Vec<&str> = palermo_core::notice::lifecycle::Transition::ALL
        .iter()
        .filter(|t| **t != palermo_core::notice::lifecycle::Transition::Expire)
        .map(|t| t.as_str())
        .collect();
    let reason = trimmed_at_least(palermo_hub::notices::REASON_LEN_MIN);
    json!({"type": "object", "additionalProperties": false, "required": ["transition"],
    "properties": {
        "transition": {"type": "string", "enum": transitions},
        "reason": {"anyOf": [{"type": "string", "maxLength": palermo_hub::notices::REASON_LEN_MAX,
                "pattern": "^[^\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"}, {"type": "null"}],
            "description": "Why: at least 10 characters, required to refuse, suspend, cancel or \
             find non-compliant"},
        "overrides": {"type": "array", "maxItems": 20, "items": object(&["rule", "justification"],
            json!({"rule": {"type": "string", "enum": rule_ids().collect::<Vec<_>>()},
                "justification": {"type": "string", "maxLength": JUSTIFICATION_LEN_MAX,
                    "pattern": trimmed_at_least(JUSTIFICATION_LEN_MIN)}}),
            "A reviewer's decision on a rule of the request's checklist that failed or needs \
             judgement, with a written justification")},
        "request": {"anyOf": [{"$ref": "#/components/schemas/NoticeRequestInput"},
            {"$ref": "#/components/schemas/DiffusionRequestInput"}, {"type": "null"}],
            "description": "The request as it should now read (update only; same kind and owner)"}
    },
    "allOf": [
        {"if": {"properties": {"transition": {"enum": ["refuse", "suspend", "cancel", "find_non_compliant"]}}},
         "then": {"required": ["reason"], "properties": {"reason": {"type": "string", "pattern": reason}}}},
        {"if": {"properties": {"transition": {"const": "update"}}},
         "then": {"required": ["request"], "properties": {"request": {"type": "object"}}},
         "else": {"properties": {"request": {"type": "null"}}}},
        {"if": {"properties": {"transition": {"enum": ["publish", "find_compliant"]}}},
         "then": {},
         "else": {"properties": {"overrides": {"maxItems": 0}}}}
    ],
    "description": "Each move is decided on the request's state and the mover: a move that may \
     not be made is answered 409 with `current_state`"})
}

/// The component schemas replaced by their exact form.
/// Every item of every investigation checklist, `list/item`.
fn checklist_items() -> Vec<String> {
    palermo_core::case::checklist::items(palermo_core::case::checklist::CHECKLISTS)
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

/// An MRZ check: the zone's lines as a reader gives them (what fits the zone's shape is the
/// parser's to say: a line of another length is a 422 naming it), where the holder goes.
fn mrz_check_input() -> Value {
    let text =
        |max: usize| json!({"type": ["string", "null"], "maxLength": max, "pattern": NO_CONTROL});
    let mut destinations = members().into_iter().map(Value::from).collect::<Vec<_>>();
    destinations.extend([Value::Null, Value::from("")]);
    json!({"type": "object", "additionalProperties": false, "required": ["lines"],
    "properties": {
        "lines": {"type": "array", "minItems": 1, "maxItems": 3,
            "items": {"type": "string", "maxLength": 130},
            "description": "The zone's 2 or 3 lines (TD1 3 of 30; TD2, MRV-B 2 of 36; TD3, \
             MRV-A 2 of 44), or the whole zone in one string; lowercase, spaces and line \
             breaks are taken; at most 400 bytes in all"},
        "destination": {"enum": destinations,
            "description": "Where the holder is going (ISO 3166-1 alpha-3): the country a \
             travel warning goes to"},
        "crossing": text(200),
    }})
}

/// A travel warning sent by hand.
fn travel_warning_input() -> Value {
    let text = || json!({"type": ["string", "null"], "maxLength": 500, "pattern": NO_CONTROL});
    json!({"type": "object", "additionalProperties": false, "required": ["destinations", "traveller"],
    "properties": {
        "destinations": {"type": "array", "minItems": 1, "maxItems": palermo_hub::travel::DESTINATIONS_MAX,
            "uniqueItems": true, "items": member("A country to warn")},
        "notice": {"type": ["integer", "null"], "minimum": 1, "format": "int64",
            "description": "A Green notice or warning diffusion the caller's checks are \
             answered with (any other is refused)"},
        "traveller": {"type": "object", "additionalProperties": false, "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": NAME, "maxLength": palermo_names::NAME_MAX_CHARS},
                "birth_date": optional(partial_date(false)),
                "nationality": text(),
                "document": text(),
                "document_country": text(),
            }},
        "journey": {"type": "object", "additionalProperties": false,
            "properties": {
                "flight": text(), "crossing": text(), "departure_airport": text(),
                "departure_time": text(), "arrival_airport": text(), "arrival_time": text(),
            }},
        "note": text(),
    }})
}

fn components() -> Vec<(&'static str, Value)> {
    let admin_org = json!({"type": "string", "pattern": ORG_CODE});
    vec![
        ("DocumentInput", document_input()),
        ("VehicleInput", vehicle_input()),
        ("PersonInput", person_input()),
        // The queries as asked (the results echo them as given, under their own names).
        ("DocumentQueryInput", document_query()),
        ("VehicleQueryInput", vehicle_query()),
        ("PersonQueryInput", person_query()),
        ("DocumentBatch", batch("documents", "DocumentInput", 1000)),
        ("VehicleBatch", batch("vehicles", "VehicleInput", 1000)),
        ("PersonBatch", batch("persons", "PersonInput", 1000)),
        (
            "DocumentChecks",
            batch("documents", "DocumentQueryInput", 1000),
        ),
        (
            "VehicleChecks",
            batch("vehicles", "VehicleQueryInput", 1000),
        ),
        (
            "PersonScreening",
            json!({"type": "object", "additionalProperties": false,
            "required": ["persons"],
            "properties": {
                "persons": {"type": "array", "minItems": 1, "maxItems": 1000,
                    "items": {"$ref": "#/components/schemas/PersonQueryInput"}},
                "threshold": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                    "description": "Raises the score from which a candidate is a hit above the \
                     hub's (default 0.8); a lower value shows weaker candidates, never as hits"}
            }}),
        ),
        ("MessageInput", message_input()),
        ("WarrantRequestInput", warrant()),
        ("NoticeRequestInput", notice_request(false)),
        ("DiffusionRequestInput", notice_request(true)),
        ("NoticeMoveInput", notice_move()),
        ("NoticeDraftInput", notice_draft()),
        ("CaseReportInput", case_report()),
        (
            "TickInput",
            json!({"type": "object", "additionalProperties": false, "required": ["item"],
            "properties": {
                "item": {"type": "string", "enum": checklist_items(),
                    "description": "The item's id, list/item: one of the lists the case gets \
                     (GET …/checklist lists them)"},
                "done": {"type": ["boolean", "null"], "description": "Default true"},
                "note": {"type": ["string", "null"],
                    "maxLength": palermo_core::case::checklist::NOTE_LEN_MAX,
                    "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"}
            }}),
        ),
        ("MrzCheckInput", mrz_check_input()),
        ("TravelWarningInput", travel_warning_input()),
        (
            "GrantInput",
            json!({"type": "object", "additionalProperties": false, "required": ["username"],
            "properties": {
                "username": {"type": "string", "pattern": USERNAME,
                    "description": "A user of another member bureau or of the secretariat"}
            }}),
        ),
        (
            "HitAnswerInput",
            json!({"type": "object", "additionalProperties": false,
            "required": ["answer"],
            "properties": {
                "answer": one_of(&["still-valid", "no-longer-valid", "not-the-same"], ""),
                "note": {"type": ["string", "null"], "maxLength": 2000,
                    "pattern": "^[^\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f]*$"}
            }}),
        ),
        (
            "SignIn",
            json!({"type": "object", "additionalProperties": false,
            "required": ["username", "password", "code"],
            "properties": {
                "username": {"type": "string", "maxLength": 1000},
                "password": {"type": "string", "maxLength": 1000},
                "code": {"type": "string", "maxLength": 100,
                    "description": "A TOTP code, or one of the recovery codes"}
            }}),
        ),
        (
            "NewOrganisation",
            json!({"type": "object", "additionalProperties": false,
            "required": ["code", "kind", "name"],
            "description": "A member bureau's code is an ISO 3166-1 alpha-3 country code",
            "allOf": [{"if": {"required": ["kind"], "properties": {"kind": {"const": "member"}}},
                       "then": {"properties": {"code": {"enum": members()}}}}],
            "properties": {
                "code": {"type": "string", "pattern": ORG_CODE,
                    "description": "A member's ISO 3166-1 alpha-3 code, or a short code"},
                "kind": one_of(&["member", "secretariat", "partner"], ""),
                "name": {"type": "string", "maxLength": 200,
                    "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\u0000-\\u0020\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"}
            }}),
        ),
        (
            "NewUser",
            json!({"type": "object", "additionalProperties": false,
            "required": ["username", "org", "roles", "password"],
            "properties": {
                "username": {"type": "string", "pattern": USERNAME},
                "org": admin_org.clone(),
                "roles": {"type": "array", "minItems": 1, "uniqueItems": true,
                    "items": {"type": "string", "enum": roles()},
                    "description": "Roles the organisation's kind allows"},
                "display_name": {"type": ["string", "null"], "maxLength": 200,
                    "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\u0000-\\u0020\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"},
                "password": {"type": "string", "minLength": 8, "maxLength": 256,
                    "description": "8 to 256 characters, not on the list of common passwords"}
            }}),
        ),
        (
            "NewPassword",
            json!({"type": "object", "additionalProperties": false,
            "required": ["password"],
            "properties": {"password": {"type": "string", "minLength": 8, "maxLength": 256}}}),
        ),
        (
            "NewKey",
            json!({"type": "object", "additionalProperties": false,
            "required": ["org"],
            "properties": {
                "org": admin_org.clone(),
                "label": {"type": ["string", "null"], "maxLength": 100, "pattern": NO_CONTROL},
                "scopes": {"type": ["array", "null"], "minItems": 1, "uniqueItems": true,
                    "items": {"type": "string", "enum": scopes()},
                    "description": "Default `check`; bounded by the organisation's kind"}
            }}),
        ),
        (
            "NewWebhook",
            json!({"type": "object", "additionalProperties": false,
            "required": ["url"],
            "properties": {"url": {"type": "string", "maxLength": 2000, "pattern": WEBHOOK_URL,
                "description": "`https://` to a public address (others only on the operator's allow list)"}}}),
        ),
    ]
}

/// The exact schema of each query and path parameter, by name. A blank optional parameter
/// reads as absent.
fn parameter(path: &str, name: &str, required: bool) -> Option<Value> {
    let page = |max: usize| json!({"type": "integer", "minimum": 1, "maximum": max});
    let schema = match (path, name) {
        (_, "id" | "photo" | "attachment") => {
            json!({"type": "integer", "minimum": 1, "format": "int64",
                "description": "Any other value is answered like an absent resource (404)"})
        }
        ("/api/v1/checks/documents", "number") => document_number(),
        ("/api/v1/checks/documents", "country") => country("The issuing state or organisation"),
        ("/api/v1/checks/documents", "type") => document_types(),
        ("/api/v1/checks/documents", "holder_name") | ("/api/v1/checks/persons", "name") => {
            json!({"type": "string", "pattern": NAME, "maxLength": palermo_names::NAME_MAX_CHARS})
        }
        (_, "holder_birth_date" | "birth_date") => partial_date(false),
        ("/api/v1/checks/vehicles", "vin") => query_vin(),
        ("/api/v1/checks/vehicles", "plate") => plate(),
        ("/api/v1/checks/vehicles", "country") => {
            country("The country of the plate; required with it")
        }
        ("/api/v1/checks/persons", "nationality") => country(""),
        ("/api/v1/checks/persons", "sex") => one_of(&["M", "F", "U"], ""),
        ("/api/v1/checks/persons", "threshold") => {
            json!({"type": "number", "minimum": 0, "maximum": 1})
        }
        ("/api/v1/hits", "limit") => page(1000),
        ("/api/v1/notices" | "/api/v1/diffusions", "limit") => page(palermo_hub::NOTICES_PAGE_MAX),
        ("/api/v1/notices" | "/api/v1/diffusions", "owner") => member("The owner bureau"),
        ("/api/v1/cases", "limit") => page(palermo_hub::cases::CASES_PAGE_MAX),
        ("/api/v1/cases", "owner") => member("The reporting bureau"),
        ("/api/v1/cases/{id}/network", "hops") => page(palermo_hub::cases::NETWORK_HOPS_MAX),
        ("/api/v1/statistics/victims.csv", "k") => {
            json!({"type": "integer", "minimum": 2, "maximum": 1000})
        }
        ("/api/v1/statistics/routes", "year") => {
            json!({"type": "integer", "minimum": 1900, "maximum": 2100})
        }
        ("/api/v1/statistics/routes", "exploitation") => one_of(
            &palermo_core::case::vocab::EXPLOITATION
                .codes()
                .collect::<Vec<_>>(),
            "",
        ),
        ("/api/v1/notices", "kind") => one_of(
            &palermo_core::notice::NoticeKind::ALL.map(|k| k.as_str()),
            "",
        ),
        ("/api/v1/diffusions", "kind") => one_of(
            &palermo_core::notice::DiffusionKind::ALL.map(|k| k.as_str()),
            "",
        ),
        ("/api/v1/notices" | "/api/v1/diffusions", "state") => one_of(
            &palermo_core::notice::lifecycle::State::ALL.map(|s| s.as_str()),
            "",
        ),
        ("/api/v1/notices" | "/api/v1/diffusions", "person") => {
            json!({"type": "integer", "minimum": 1, "format": "int64"})
        }
        ("/api/v1/hits", "state") => one_of(&["open", "overdue", "answered"], ""),
        (_, "before" | "after") => json!({"type": "integer", "format": "int64"}),
        ("/api/v1/messages", "limit") => page(200),
        ("/api/v1/manifests" | "/api/v1/travel-warnings", "limit") => page(200),
        ("/api/v1/messages", "box") => one_of(&["inbox", "outbox"], ""),
        ("/api/v1/audit", "limit") => page(1000),
        ("/api/v1/audit", "from" | "to") => json!({"anyOf": [
            {"type": "string", "format": "date", "pattern": date_in(1000, 9999)},
            {"type": "string", "pattern": "^-?[0-9]{1,15}$"}],
            "description": "`YYYY-MM-DD` or milliseconds since the epoch"}),
        ("/api/v1/audit", "org" | "user" | "action" | "outcome") => {
            json!({"type": "string", "maxLength": 200})
        }
        ("/api/v1/audit/verify", "expect_head") => json!({"type": "string",
            "pattern": "^[1-9][0-9]{0,17}:[0-9a-fA-F]{64}$",
            "description": "A head a witness kept, SEQ:HASH (`palermo audit head`)"}),
        (_, "username") => json!({"type": "string", "maxLength": 200}),
        (_, "action") => one_of(&["unlock", "disable", "enable", "reset-second-factor"], ""),
        (_, "org") => json!({"type": "string", "maxLength": 100,
            "description": "The organisation's code; an unknown one is answered 404"}),
        _ => return None,
    };
    // Numbers and integers in the query are text on the wire; blank text is read as absent.
    let in_query_optional = !required
        && !matches!(
            name,
            "id" | "photo" | "attachment" | "username" | "action" | "org"
        );
    Some(if in_query_optional {
        optional(schema)
    } else {
        schema
    })
}

/// Rules that tie a GET check's query parameters together.
fn query_rule(path: &str) -> Option<&'static str> {
    match path {
        "/api/v1/checks/vehicles" => Some("give `vin`, or `plate` with `country`, or both"),
        "/api/v1/checks/documents" => Some("`holder_birth_date` goes with `holder_name`"),
        _ => None,
    }
}

/// Replaces the generated input schemas with their exact form, and constrains every
/// parameter.
pub(crate) fn constrain(document: &mut Value) {
    if let Some(schemas) = document["components"]["schemas"].as_object_mut() {
        for (name, schema) in components() {
            schemas.insert(name.to_owned(), schema);
        }
    }
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    if let Some(upload) = paths
        .get_mut("/api/v1/persons/{id}/photos")
        .and_then(|item| item.get_mut("post"))
    {
        let image = json!({"schema": {"type": "string", "format": "binary",
            "maxLength": palermo_hub::persons::PHOTO_MAX_BYTES}});
        upload["requestBody"] = json!({"required": true,
            "description": "A JPEG or PNG image (told by its first bytes), at most 2 MiB",
            "content": {"image/jpeg": image, "image/png": image}});
    }
    if let Some(manifest) = paths
        .get_mut("/api/v1/checks/manifests")
        .and_then(|item| item.get_mut("post"))
    {
        manifest["requestBody"] = json!({"required": true,
            "description": "A UN/EDIFACT PAXLST interchange (UNA … UNZ) as the airline sent it; \
             one that breaks the syntax or its envelopes is a 422 naming the segment",
            "content": {"application/edifact": {"schema": {"type": "string",
                "maxLength": palermo_hub::frontline::MANIFEST_BYTES_MAX}}}});
    }
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for operation in item.values_mut() {
            let Some(parameters) = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
            else {
                continue;
            };
            for parameter_value in parameters.iter_mut() {
                let name = parameter_value["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let required = parameter_value["required"] == true;
                if let Some(schema) = parameter(path, &name, required) {
                    parameter_value["schema"] = schema;
                }
            }
            if let Some(rule) = query_rule(path) {
                let description = operation["description"].as_str().unwrap_or_default();
                operation["description"] = json!(
                    format!("{description}\n\nParameters: {rule}.")
                        .trim()
                        .to_owned()
                );
            }
        }
    }
}

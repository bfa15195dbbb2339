//! Travel documents and vehicles: the input as submitted, validation, and the validated record.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::codes::{DocumentStatus, DocumentType, HandlingCode, VehicleStatus, Visibility};
use crate::country::CountryCode;
use crate::date::{Timestamp, parse_date};
use crate::error::{FieldErrors, field_path};
use crate::normalise;

pub const NAME_LEN_MAX: usize = 200;
pub const EXTERNAL_REF_LEN_MAX: usize = 100;
pub const VEHICLE_TEXT_LEN_MAX: usize = 60;
pub const HANDLING_NOTE_LEN_MAX: usize = 500;
pub const RESTRICTION_COUNTRIES_MAX: usize = 250;
/// Records are re-validated periodically; without a review date one is set this many years on.
pub const REVIEW_YEARS_DEFAULT: i32 = 5;

/// Who besides the owner may see a record.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum Restriction {
    #[default]
    All,
    Only(Vec<CountryCode>),
    Except(Vec<CountryCode>),
}

impl Restriction {
    pub fn visible_to(&self, owner: CountryCode, reader: CountryCode) -> bool {
        reader == owner
            || match self {
                Restriction::All => true,
                Restriction::Only(countries) => countries.contains(&reader),
                Restriction::Except(countries) => !countries.contains(&reader),
            }
    }

    pub fn visibility(&self) -> Visibility {
        match self {
            Restriction::All => Visibility::All,
            Restriction::Only(_) => Visibility::Only,
            Restriction::Except(_) => Visibility::Except,
        }
    }

    pub fn countries(&self) -> &[CountryCode] {
        match self {
            Restriction::All => &[],
            Restriction::Only(c) | Restriction::Except(c) => c,
        }
    }

    pub fn from_parts(visibility: Visibility, countries: Vec<CountryCode>) -> Restriction {
        match visibility {
            Visibility::All => Restriction::All,
            Visibility::Only => Restriction::Only(countries),
            Visibility::Except => Restriction::Except(countries),
        }
    }
}

/// A list of country codes: a JSON array, or (as CSV carries it) one string separated by
/// spaces, commas or semicolons.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(from = "CountryListWire", into = "Vec<String>")]
pub struct CountryList(pub Vec<String>);

impl From<CountryList> for Vec<String> {
    fn from(list: CountryList) -> Vec<String> {
        list.0
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CountryListWire {
    List(Vec<String>),
    Text(String),
}

impl From<CountryListWire> for CountryList {
    fn from(wire: CountryListWire) -> CountryList {
        match wire {
            CountryListWire::List(list) => CountryList(list),
            CountryListWire::Text(text) => CountryList(
                text.split([' ', ',', ';'])
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        }
    }
}

/// A number or a string: CSV carries every cell as text, JSON may carry a number. A JSON
/// number with no fraction (`1989.0`) is an integer, as JSON Schema has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum NumberOrText {
    Number(#[serde(deserialize_with = "crate::record::integer")] i64),
    Text(String),
}

/// Deserialises an integer, taking a JSON number without a fraction (`939.0`) as one: JSON
/// Schema's `integer` admits it, so a client that follows the description may send it.
pub fn integer<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    struct Integer;
    impl serde::de::Visitor<'_> for Integer {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<i64, E> {
            Ok(value)
        }
        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<i64, E> {
            i64::try_from(value).map_err(|_| E::custom("is too large"))
        }
        fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<i64, E> {
            // Exactly representable integers only (|value| < 2^53).
            if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
                Ok(value as i64)
            } else {
                Err(E::invalid_type(serde::de::Unexpected::Float(value), &self))
            }
        }
    }
    deserializer.deserialize_any(Integer)
}

/// [`integer`], for an optional field (with `#[serde(default)]`).
pub fn optional_integer<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "integer")] i64);
    Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(value)| value))
}

/// A value taken from a JSON object only: serde would also build a struct from an array of
/// its fields in order, which no client means and no schema describes.
pub struct ObjectOnly<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Object<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Object<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        deserializer
            .deserialize_map(Object(std::marker::PhantomData))
            .map(ObjectOnly)
    }
}

/// An optional object field (with `#[serde(default)]`): absent, null, or an object.
pub fn optional_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<ObjectOnly<T>>::deserialize(deserializer)?.map(|object| object.0))
}

/// A list of objects (with `#[serde(default)]`).
pub fn objects<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Vec::<ObjectOnly<T>>::deserialize(deserializer)?
        .into_iter()
        .map(|object| object.0)
        .collect())
}

/// [`optional_integer`] within `u32` (a count of months, an age).
pub fn optional_u32<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u32>, D::Error> {
    optional_integer(deserializer)?
        .map(|value| {
            u32::try_from(value).map_err(|_| {
                serde::de::Error::invalid_value(
                    serde::de::Unexpected::Signed(value),
                    &"an integer from 0 to 4294967295",
                )
            })
        })
        .transpose()
}

/// A travel document as submitted (API body, CSV row, JSONL line). Every field is optional
/// here so that validation can name each missing one.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    /// Document number as printed; case, spaces and hyphens are ignored.
    pub number: Option<String>,
    /// ISO 3166-1 alpha-3 code, or an ICAO 9303 code such as `D`, `GBD`, `UNO`, `XXA`.
    pub issuing_country: Option<String>,
    /// `passport`, `id_card`, `visa`, `residence_permit`, `seafarers_book`, `other`, or an
    /// ICAO 9303 document code (`P`, `I`, `A`, `C`, `V`).
    #[serde(rename = "type")]
    pub document_type: Option<String>,
    /// `stolen`, `lost`, `revoked`, `invalidated`, `stolen_blank`.
    pub status: Option<String>,
    /// `YYYY-MM-DD`.
    pub reported_date: Option<String>,
    /// Owner bureau (ISO alpha-3); defaults to the caller's.
    pub owner: Option<String>,
    pub holder_name: Option<String>,
    pub holder_birth_date: Option<String>,
    /// The owner's own reference; re-importing the same reference updates the record.
    pub external_ref: Option<String>,
    /// `YYYY-MM-DD`; defaults to five years after the reported date.
    pub review_date: Option<String>,
    /// `all` (default), `only` or `except`.
    pub restriction: Option<String>,
    /// The countries that `only` admits or `except` excludes.
    #[schema(value_type = Option<Vec<String>>)]
    pub restriction_countries: Option<CountryList>,
    /// `H0` (default) to `H3`: how the record may be used (Europol-style handling codes).
    pub handling: Option<String>,
    /// The conditions of use; required with `H3`.
    pub handling_note: Option<String>,
}

/// A vehicle as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleInput {
    /// ISO 3779 vehicle identification number (17 characters).
    pub vin: Option<String>,
    pub plate: Option<String>,
    /// Country of registration of the plate (ISO alpha-3).
    pub plate_country: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub colour: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub year: Option<NumberOrText>,
    /// `stolen`, `misappropriated`, `lost`.
    pub status: Option<String>,
    pub reported_date: Option<String>,
    pub owner: Option<String>,
    pub external_ref: Option<String>,
    pub review_date: Option<String>,
    pub restriction: Option<String>,
    #[schema(value_type = Option<Vec<String>>)]
    pub restriction_countries: Option<CountryList>,
    pub handling: Option<String>,
    pub handling_note: Option<String>,
}

impl DocumentInput {
    /// The field names, as JSON keys and CSV column headers.
    pub const FIELDS: &'static [&'static str] = &[
        "number",
        "issuing_country",
        "type",
        "status",
        "reported_date",
        "owner",
        "holder_name",
        "holder_birth_date",
        "external_ref",
        "review_date",
        "restriction",
        "restriction_countries",
        "handling",
        "handling_note",
    ];
    /// The columns a CSV file must have.
    pub const REQUIRED: &'static [&'static str] = &[
        "number",
        "issuing_country",
        "type",
        "status",
        "reported_date",
    ];
}

impl VehicleInput {
    pub const FIELDS: &'static [&'static str] = &[
        "vin",
        "plate",
        "plate_country",
        "make",
        "model",
        "colour",
        "year",
        "status",
        "reported_date",
        "owner",
        "external_ref",
        "review_date",
        "restriction",
        "restriction_countries",
        "handling",
        "handling_note",
    ];
    pub const REQUIRED: &'static [&'static str] = &["status", "reported_date"];
}

/// Fields shared by every record kind: ownership, references, review, restriction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordMeta {
    pub owner: CountryCode,
    pub external_ref: Option<String>,
    pub reported_date: Date,
    pub review_date: Date,
    pub restriction: Restriction,
    pub handling: HandlingCode,
    pub handling_note: Option<String>,
}

/// A validated travel document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// As submitted, trimmed.
    pub number: String,
    /// The exact lookup key: upper case, no separators.
    pub number_normalised: String,
    pub issuing_country: CountryCode,
    pub document_type: DocumentType,
    pub status: DocumentStatus,
    pub holder_name: Option<String>,
    pub holder_birth_date: Option<Date>,
    pub meta: RecordMeta,
}

/// A validated vehicle. At least one of VIN and plate is present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vehicle {
    pub vin: Option<String>,
    pub plate: Option<String>,
    pub plate_country: Option<CountryCode>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub colour: Option<String>,
    pub year: Option<i32>,
    pub status: VehicleStatus,
    pub meta: RecordMeta,
}

/// A record as stored: its id, the record, and when it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored<T> {
    pub id: i64,
    pub record: T,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
}

/// What validation needs to know about the moment and the caller.
#[derive(Clone, Copy, Debug)]
pub struct ValidationContext<'a> {
    /// Today's date: reported dates may not lie in the future.
    pub today: Date,
    /// The owner when the input names none.
    pub default_owner: CountryCode,
    /// Path of the input inside its request, e.g. `documents[3]`; empty at the root.
    pub prefix: &'a str,
}

/// The fields every record kind shares, borrowed from an input for validation.
pub(crate) struct MetaInput<'a> {
    pub(crate) owner: &'a Option<String>,
    pub(crate) external_ref: &'a Option<String>,
    pub(crate) reported_date: &'a Option<String>,
    pub(crate) review_date: &'a Option<String>,
    pub(crate) restriction: &'a Option<String>,
    pub(crate) restriction_countries: &'a Option<CountryList>,
    pub(crate) handling: &'a Option<String>,
    pub(crate) handling_note: &'a Option<String>,
}

pub(crate) struct Checker<'a> {
    pub(crate) context: ValidationContext<'a>,
    pub(crate) errors: FieldErrors,
}

impl Checker<'_> {
    pub(crate) fn fail(&mut self, name: &str, detail: impl Into<String>) {
        self.errors
            .push(field_path(self.context.prefix, name), detail);
    }

    pub(crate) fn required<'v>(
        &mut self,
        name: &str,
        value: &'v Option<String>,
    ) -> Option<&'v str> {
        match value.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => Some(value.as_deref().unwrap_or(text)),
            _ => {
                self.fail(name, "is required");
                None
            }
        }
    }

    pub(crate) fn present(value: &Option<String>) -> Option<&str> {
        value.as_deref().filter(|text| !text.trim().is_empty())
    }

    pub(crate) fn country(&mut self, name: &str, text: &str) -> Option<CountryCode> {
        let code = CountryCode::parse(text.trim());
        if code.is_none() {
            self.fail(
                name,
                format!("{text:?} is not an ISO 3166-1 alpha-3 or ICAO 9303 code"),
            );
        }
        code
    }

    pub(crate) fn member(&mut self, name: &str, text: &str) -> Option<CountryCode> {
        let code = CountryCode::parse_member(text.trim());
        if code.is_none() {
            self.fail(
                name,
                format!("{text:?} is not an ISO 3166-1 alpha-3 country code"),
            );
        }
        code
    }

    pub(crate) fn date(&mut self, name: &str, text: &str) -> Option<Date> {
        parse_date(text)
            .map_err(|reason| self.fail(name, reason))
            .ok()
    }

    pub(crate) fn past_date(&mut self, name: &str, text: &str) -> Option<Date> {
        let date = self.date(name, text)?;
        if date > self.context.today {
            self.fail(
                name,
                format!("{} lies in the future", crate::date::format_date(date)),
            );
            return None;
        }
        if date.year() < 1900 {
            self.fail(name, "lies before 1900");
            return None;
        }
        Some(date)
    }

    pub(crate) fn text(
        &mut self,
        name: &str,
        value: &Option<String>,
        len_max: usize,
    ) -> Option<String> {
        let raw = value.as_deref()?;
        normalise::text(raw, len_max)
            .map_err(|reason| self.fail(name, reason))
            .ok()
            .flatten()
    }

    pub(crate) fn meta(&mut self, input: MetaInput<'_>) -> Option<RecordMeta> {
        let MetaInput {
            owner,
            external_ref,
            reported_date,
            review_date,
            restriction,
            restriction_countries,
            handling,
            handling_note,
        } = input;
        let handling_code = match Checker::present(handling) {
            None => Some(HandlingCode::H0),
            Some(text) => {
                let parsed = HandlingCode::parse_name(text);
                if parsed.is_none() {
                    self.fail("handling", format!("{text:?} is not one of H0, H1, H2, H3"));
                }
                parsed
            }
        };
        let handling_note = self.text("handling_note", handling_note, HANDLING_NOTE_LEN_MAX);
        if handling_code == Some(HandlingCode::H3) && handling_note.is_none() {
            self.fail(
                "handling_note",
                "is required with H3: state the conditions of use",
            );
        }
        let owner = match Checker::present(owner) {
            Some(text) => self.member("owner", text),
            None => Some(self.context.default_owner),
        };
        let external_ref = self.text("external_ref", external_ref, EXTERNAL_REF_LEN_MAX);
        let reported = self.required("reported_date", reported_date);
        let reported = reported.and_then(|text| self.past_date("reported_date", text));
        let review = Checker::present(review_date).map(|text| self.date("review_date", text));
        let visibility = match Checker::present(restriction) {
            None => Some(Visibility::All),
            Some(text) => {
                let parsed = Visibility::parse_name(text);
                if parsed.is_none() {
                    self.fail(
                        "restriction",
                        format!("{text:?} is not one of {}", Visibility::names()),
                    );
                }
                parsed
            }
        };
        let mut countries = Vec::new();
        let listed = restriction_countries
            .as_ref()
            .map(|list| list.0.as_slice())
            .unwrap_or(&[]);
        if listed.len() > RESTRICTION_COUNTRIES_MAX {
            self.fail(
                "restriction_countries",
                format!("lists more than {RESTRICTION_COUNTRIES_MAX} countries"),
            );
        }
        for (i, text) in listed.iter().enumerate().take(RESTRICTION_COUNTRIES_MAX) {
            if let Some(code) = self.member(&format!("restriction_countries[{i}]"), text)
                && !countries.contains(&code)
            {
                countries.push(code);
            }
        }
        match visibility {
            Some(Visibility::All) if !listed.is_empty() => {
                self.fail(
                    "restriction_countries",
                    "must be empty unless restriction is only or except",
                );
            }
            Some(Visibility::Only | Visibility::Except) if listed.is_empty() => {
                self.fail(
                    "restriction_countries",
                    "must list at least one country for only or except",
                );
            }
            _ => {}
        }
        let reported = reported?;
        let review = match review {
            Some(review) => review?,
            None => reported
                .replace_year(reported.year() + REVIEW_YEARS_DEFAULT)
                // 29 February moves to the 28th in a year that has none.
                .or_else(|_| {
                    reported
                        .replace_day(28)
                        .and_then(|d| d.replace_year(d.year() + REVIEW_YEARS_DEFAULT))
                })
                .unwrap_or(reported),
        };
        if review < reported {
            self.fail("review_date", "lies before the reported date");
            return None;
        }
        Some(RecordMeta {
            owner: owner?,
            external_ref,
            reported_date: reported,
            review_date: review,
            restriction: Restriction::from_parts(visibility?, countries),
            handling: handling_code?,
            handling_note,
        })
    }
}

impl DocumentInput {
    /// Validates every field and reports every problem found, each with its field path.
    pub fn validate(&self, context: ValidationContext<'_>) -> Result<Document, FieldErrors> {
        let mut c = Checker {
            context,
            errors: FieldErrors::default(),
        };
        let number = c.required("number", &self.number).and_then(|raw| {
            normalise::document_number(raw)
                .map(|normalised| (raw.trim().to_owned(), normalised))
                .map_err(|reason| c.fail("number", reason))
                .ok()
        });
        let issuing_country = c
            .required("issuing_country", &self.issuing_country)
            .and_then(|t| c.country("issuing_country", t));
        let document_type = c.required("type", &self.document_type).and_then(|text| {
            let parsed = DocumentType::parse(text);
            if parsed.is_none() {
                c.fail(
                    "type",
                    format!(
                        "{text:?} is not one of {} or an ICAO 9303 code (P, I, A, C, V)",
                        DocumentType::names()
                    ),
                );
            }
            parsed
        });
        let status = c.required("status", &self.status).and_then(|text| {
            let parsed = DocumentStatus::parse_name(text);
            if parsed.is_none() {
                c.fail(
                    "status",
                    format!("{text:?} is not one of {}", DocumentStatus::names()),
                );
            }
            parsed
        });
        let holder_name = c.text("holder_name", &self.holder_name, NAME_LEN_MAX);
        let holder_birth_date = Checker::present(&self.holder_birth_date)
            .map(|text| c.past_date("holder_birth_date", text));
        let meta = c.meta(MetaInput {
            owner: &self.owner,
            external_ref: &self.external_ref,
            reported_date: &self.reported_date,
            review_date: &self.review_date,
            restriction: &self.restriction,
            restriction_countries: &self.restriction_countries,
            handling: &self.handling,
            handling_note: &self.handling_note,
        });
        if !c.errors.is_empty() {
            return Err(c.errors);
        }
        let (number, number_normalised) = number.expect("checked above");
        Ok(Document {
            number,
            number_normalised,
            issuing_country: issuing_country.expect("checked above").canonical(),
            document_type: document_type.expect("checked above"),
            status: status.expect("checked above"),
            holder_name,
            holder_birth_date: holder_birth_date.flatten(),
            meta: meta.expect("checked above"),
        })
    }
}

impl VehicleInput {
    pub fn validate(&self, context: ValidationContext<'_>) -> Result<Vehicle, FieldErrors> {
        let mut c = Checker {
            context,
            errors: FieldErrors::default(),
        };
        let vin = Checker::present(&self.vin).and_then(|raw| {
            normalise::vin_for_record(raw)
                .map_err(|reason| c.fail("vin", reason))
                .ok()
        });
        let plate = Checker::present(&self.plate).and_then(|raw| {
            normalise::plate(raw)
                .map_err(|reason| c.fail("plate", reason))
                .ok()
        });
        let plate_country =
            Checker::present(&self.plate_country).and_then(|t| c.country("plate_country", t));
        if Checker::present(&self.vin).is_none() && Checker::present(&self.plate).is_none() {
            c.fail("vin", "a vehicle needs a VIN, a plate, or both");
        }
        if Checker::present(&self.plate).is_some()
            && Checker::present(&self.plate_country).is_none()
        {
            c.fail("plate_country", "is required with a plate");
        }
        let make = c.text("make", &self.make, VEHICLE_TEXT_LEN_MAX);
        let model = c.text("model", &self.model, VEHICLE_TEXT_LEN_MAX);
        let colour = c.text("colour", &self.colour, VEHICLE_TEXT_LEN_MAX);
        let year_max = context.today.year() + 1;
        let year = match &self.year {
            None => None,
            Some(NumberOrText::Text(text)) if text.trim().is_empty() => None,
            Some(value) => {
                let number = match value {
                    NumberOrText::Number(n) => Some(*n),
                    NumberOrText::Text(text) => text.trim().parse::<i64>().ok(),
                };
                match number {
                    Some(year) if (1886..=i64::from(year_max)).contains(&year) => Some(year as i32),
                    _ => {
                        c.fail(
                            "year",
                            format!("must be a year between 1886 and {year_max}"),
                        );
                        None
                    }
                }
            }
        };
        let status = c.required("status", &self.status).and_then(|text| {
            let parsed = VehicleStatus::parse_name(text);
            if parsed.is_none() {
                c.fail(
                    "status",
                    format!("{text:?} is not one of {}", VehicleStatus::names()),
                );
            }
            parsed
        });
        let meta = c.meta(MetaInput {
            owner: &self.owner,
            external_ref: &self.external_ref,
            reported_date: &self.reported_date,
            review_date: &self.review_date,
            restriction: &self.restriction,
            restriction_countries: &self.restriction_countries,
            handling: &self.handling,
            handling_note: &self.handling_note,
        });
        if !c.errors.is_empty() {
            return Err(c.errors);
        }
        Ok(Vehicle {
            vin,
            plate,
            plate_country: plate_country.map(CountryCode::canonical),
            make,
            model,
            colour,
            year,
            status: status.expect("checked above"),
            meta: meta.expect("checked above"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ValidationContext<'static> {
        ValidationContext {
            today: parse_date("2026-11-28").unwrap(),
            default_owner: CountryCode::parse("FRA").unwrap(),
            prefix: "documents[2]",
        }
    }

    fn document(json: &str) -> Result<Document, FieldErrors> {
        serde_json::from_str::<DocumentInput>(json)
            .unwrap()
            .validate(context())
    }

    #[test]
    fn valid_document_takes_defaults() {
        let doc = document(
            r#"{"number":"ab 12-34","issuing_country":"d","type":"P","status":"Stolen","reported_date":"2024-02-29"}"#,
        )
        .unwrap();
        assert_eq!(doc.number_normalised, "AB1234");
        assert_eq!(doc.issuing_country.as_str(), "DEU");
        assert_eq!(doc.document_type, DocumentType::Passport);
        assert_eq!(doc.meta.owner.as_str(), "FRA");
        assert_eq!(crate::date::format_date(doc.meta.review_date), "2029-02-28");
        assert_eq!(doc.meta.restriction, Restriction::All);
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let errors = document(
            r#"{"number":"","issuing_country":"ZZZ","type":"scroll","status":"gone","reported_date":"2030-01-01",
                "restriction":"only","holder_birth_date":"1980-02-30"}"#,
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "documents[2].number",
                "documents[2].issuing_country",
                "documents[2].type",
                "documents[2].status",
                "documents[2].holder_birth_date",
                "documents[2].reported_date",
                "documents[2].restriction_countries",
            ]
        );
    }

    #[test]
    fn restrictions_hide_records_from_the_right_readers() {
        let fra = CountryCode::parse("FRA").unwrap();
        let deu = CountryCode::parse("DEU").unwrap();
        let ita = CountryCode::parse("ITA").unwrap();
        let only = Restriction::Only(vec![deu]);
        assert!(only.visible_to(fra, fra));
        assert!(only.visible_to(fra, deu));
        assert!(!only.visible_to(fra, ita));
        let except = Restriction::Except(vec![deu]);
        assert!(!except.visible_to(fra, deu));
        assert!(except.visible_to(fra, ita));
    }

    #[test]
    fn vehicles_need_an_identifier_and_a_plate_country() {
        let vehicle = |json: &str| {
            serde_json::from_str::<VehicleInput>(json)
                .unwrap()
                .validate(context())
        };
        let errors = vehicle(r#"{"status":"stolen","reported_date":"2025-01-01"}"#).unwrap_err();
        assert_eq!(errors.0[0].field, "documents[2].vin");
        let errors = vehicle(
            r#"{"plate":"AB123","status":"stolen","reported_date":"2025-01-01","year":1700}"#,
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["documents[2].plate_country", "documents[2].year"]);
        let ok = vehicle(r#"{"vin":"1M8GDM9AXKP042788","status":"stolen","reported_date":"2025-01-01","year":"2019"}"#).unwrap();
        assert_eq!(ok.year, Some(2019));
    }
}

//! Person records: wanted and missing persons, suspects, offenders. Several names per person
//! (primary, aliases, maiden and former names, each with its script and, where known, its
//! given and family parts), a birth date that may be partial, nationalities, sex.

use serde::{Deserialize, Serialize};

use crate::CountryCode;
use crate::date::parse_date;
use crate::error::FieldErrors;
use crate::record::{Checker, CountryList, MetaInput, NAME_LEN_MAX, RecordMeta, ValidationContext};

/// Most names one person may carry.
pub const NAMES_MAX: usize = 50;
/// Longest free text (distinguishing marks, birth place).
pub const PERSON_TEXT_LEN_MAX: usize = 500;
pub const LANGUAGES_MAX: usize = 20;
/// Most nationalities one person may have.
pub const NATIONALITIES_MAX: usize = 10;

/// One name as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameInput {
    /// The whole name as written, in any script.
    pub full: Option<String>,
    pub given: Option<String>,
    pub family: Option<String>,
    /// ISO 15924 script code (`Latn`, `Cyrl`, `Arab`, `Hani` …), if known.
    pub script: Option<String>,
    /// `primary` (default for the first), `alias`, `maiden`, `former`.
    pub kind: Option<String>,
}

/// An identity document of the person, as submitted.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityDocumentInput {
    pub number: Option<String>,
    /// ISO 3166-1 alpha-3 or ICAO 9303 code of the issuing state.
    pub issuing_country: Option<String>,
    #[serde(rename = "type")]
    pub document_type: Option<String>,
}

/// An identity document of the person: linked to the travel-documents database by its number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityDocument {
    pub number: String,
    pub number_normalised: String,
    pub issuing_country: String,
    #[serde(rename = "type")]
    pub document_type: Option<String>,
}

/// Most identity documents one person may list.
pub const DOCUMENTS_MAX: usize = 20;

/// A person as submitted (API body, JSONL line).
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// The owner's reference; re-importing it updates the person.
    #[serde(alias = "external_ref")]
    pub id: Option<String>,
    #[serde(default)]
    pub names: Vec<NameInput>,
    /// `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, or a range of years `YYYY/YYYY`.
    pub birth_date: Option<String>,
    pub birth_place: Option<String>,
    pub birth_country: Option<String>,
    /// ISO 3166-1 alpha-3, one or a list.
    #[schema(value_type = Option<Vec<String>>)]
    pub nationality: Option<CountryList>,
    /// `M`, `F` or `U`.
    pub sex: Option<String>,
    /// `wanted`, `missing`, `suspect`, `offender`.
    pub category: Option<String>,
    pub marks: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    /// Identity documents (passports, ID cards) the person holds or held.
    #[serde(default)]
    pub documents: Vec<IdentityDocumentInput>,
    pub reported_date: Option<String>,
    pub owner: Option<String>,
    pub review_date: Option<String>,
    pub restriction: Option<String>,
    #[schema(value_type = Option<Vec<String>>)]
    pub restriction_countries: Option<CountryList>,
    pub handling: Option<String>,
    pub handling_note: Option<String>,
}

/// A birth date known to the year, the month or the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
    /// The last year of a range (`1978/1982`): born some time from `year` to this.
    pub year_to: Option<i32>,
}

impl PartialDate {
    /// `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or a range of years `YYYY/YYYY`; impossible dates
    /// (1980-02-30) and backward ranges refused.
    pub fn parse(text: &str) -> Result<PartialDate, String> {
        let text = text.trim();
        if let Some((from, to)) = text.split_once('/') {
            let bad = || format!("{text:?} is not a range of years of the form YYYY/YYYY");
            if from.len() != 4 || to.len() != 4 {
                return Err(bad());
            }
            let (from, to): (i32, i32) = (
                from.parse().map_err(|_| bad())?,
                to.parse().map_err(|_| bad())?,
            );
            if to <= from {
                return Err(format!("{text:?}: the range ends before it begins"));
            }
            return Ok(PartialDate {
                year: from,
                month: None,
                day: None,
                year_to: Some(to),
            });
        }
        let bad =
            || format!("{text:?} is not a date of the form YYYY-MM-DD, YYYY-MM, YYYY or YYYY/YYYY");
        match text.len() {
            4 => {
                let year: i32 = text.parse().map_err(|_| bad())?;
                Ok(PartialDate {
                    year,
                    month: None,
                    day: None,
                    year_to: None,
                })
            }
            7 if text.as_bytes()[4] == b'-' => {
                let year: i32 = text[..4].parse().map_err(|_| bad())?;
                let month: u8 = text[5..].parse().map_err(|_| bad())?;
                if !(1..=12).contains(&month) {
                    return Err(format!("{text:?} has no month {month}"));
                }
                Ok(PartialDate {
                    year,
                    month: Some(month),
                    day: None,
                    year_to: None,
                })
            }
            10 => {
                let date = parse_date(text)?;
                Ok(PartialDate {
                    year: date.year(),
                    month: Some(u8::from(date.month())),
                    day: Some(date.day()),
                    year_to: None,
                })
            }
            _ => Err(bad()),
        }
    }

    pub fn format(&self) -> String {
        if let Some(to) = self.year_to {
            return format!("{:04}/{to:04}", self.year);
        }
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    pub full: String,
    pub given: Option<String>,
    pub family: Option<String>,
    pub script: Option<String>,
    pub kind: String,
}

/// A validated person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub names: Vec<PersonName>,
    pub birth_date: Option<PartialDate>,
    pub birth_place: Option<String>,
    pub birth_country: Option<CountryCode>,
    pub nationalities: Vec<CountryCode>,
    /// `M`, `F` or `U`.
    pub sex: char,
    pub category: String,
    pub marks: Option<String>,
    pub languages: Vec<String>,
    pub documents: Vec<IdentityDocument>,
    pub meta: RecordMeta,
}

const NAME_KINDS: [&str; 4] = ["primary", "alias", "maiden", "former"];
const CATEGORIES: [&str; 4] = ["wanted", "missing", "suspect", "offender"];

impl PersonInput {
    pub fn validate(&self, context: ValidationContext<'_>) -> Result<Person, FieldErrors> {
        let mut c = Checker {
            context,
            errors: FieldErrors::default(),
        };
        if self.names.is_empty() {
            c.fail("names", "give at least one name");
        }
        if self.names.len() > NAMES_MAX {
            c.fail("names", format!("at most {NAMES_MAX} names"));
        }
        let mut names = Vec::new();
        for (i, name) in self.names.iter().enumerate().take(NAMES_MAX) {
            let path = |field: &str| format!("names[{i}].{field}");
            let given = c.text(&path("given"), &name.given, NAME_LEN_MAX);
            let family = c.text(&path("family"), &name.family, NAME_LEN_MAX);
            let full = match Checker::present(&name.full) {
                Some(text) => Some(text.trim().to_owned()),
                None => match (&given, &family) {
                    (None, None) => {
                        c.fail(
                            &path("full"),
                            "give the full name, or its given and family parts",
                        );
                        None
                    }
                    _ => Some(
                        [given.as_deref(), family.as_deref()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                },
            };
            if let Some(full) = &full
                && let Err(problem) = palermo_names::check(full)
            {
                c.fail(&path("full"), problem);
            }
            let kind = match Checker::present(&name.kind) {
                None => if i == 0 { "primary" } else { "alias" }.to_owned(),
                Some(kind) if NAME_KINDS.contains(&kind.trim()) => kind.trim().to_owned(),
                Some(kind) => {
                    c.fail(
                        &path("kind"),
                        format!("{kind:?} is not one of {}", NAME_KINDS.join(", ")),
                    );
                    String::new()
                }
            };
            let script = Checker::present(&name.script)
                .map(str::trim)
                .map(str::to_owned);
            if let Some(script) = &script
                && !(script.len() == 4 && script.chars().all(|ch| ch.is_ascii_alphabetic()))
            {
                c.fail(
                    &path("script"),
                    "is an ISO 15924 code of four letters, such as Cyrl",
                );
            }
            if let Some(full) = full {
                names.push(PersonName {
                    full,
                    given,
                    family,
                    script,
                    kind,
                });
            }
        }
        let birth_date =
            Checker::present(&self.birth_date).and_then(|text| match PartialDate::parse(text) {
                Ok(date) if date.year < 1900 || date.year > c.context.today.year() => {
                    c.fail("birth_date", "lies before 1900 or in the future");
                    None
                }
                Ok(date) => Some(date),
                Err(problem) => {
                    c.fail("birth_date", problem);
                    None
                }
            });
        let birth_country =
            Checker::present(&self.birth_country).and_then(|t| c.country("birth_country", t));
        let mut nationalities = Vec::new();
        if self
            .nationality
            .as_ref()
            .is_some_and(|list| list.0.len() > NATIONALITIES_MAX)
        {
            c.fail("nationality", format!("at most {NATIONALITIES_MAX}"));
        }
        for (i, text) in self
            .nationality
            .iter()
            .flat_map(|list| list.0.iter())
            .enumerate()
            .take(NATIONALITIES_MAX)
        {
            if let Some(code) = c.country(&format!("nationality[{i}]"), text)
                && !nationalities.contains(&code)
            {
                nationalities.push(code);
            }
        }
        let sex = match Checker::present(&self.sex).map(|s| s.trim().to_ascii_uppercase()) {
            None => 'U',
            Some(s) if s == "M" || s == "F" || s == "U" => s.chars().next().unwrap_or('U'),
            Some(other) => {
                c.fail("sex", format!("{other:?} is not M, F or U"));
                'U'
            }
        };
        let category = match Checker::present(&self.category) {
            None => "wanted".to_owned(),
            Some(cat) if CATEGORIES.contains(&cat.trim()) => cat.trim().to_owned(),
            Some(cat) => {
                c.fail(
                    "category",
                    format!("{cat:?} is not one of {}", CATEGORIES.join(", ")),
                );
                String::new()
            }
        };
        let birth_place = c.text("birth_place", &self.birth_place, PERSON_TEXT_LEN_MAX);
        let marks = c.text("marks", &self.marks, PERSON_TEXT_LEN_MAX);
        if self.languages.len() > LANGUAGES_MAX {
            c.fail("languages", format!("at most {LANGUAGES_MAX}"));
        }
        let mut languages = Vec::new();
        for (i, language) in self.languages.iter().enumerate().take(LANGUAGES_MAX) {
            let code = language.trim().to_ascii_lowercase();
            if (2..=3).contains(&code.len()) && code.chars().all(|ch| ch.is_ascii_lowercase()) {
                languages.push(code);
            } else {
                c.fail(
                    &format!("languages[{i}]"),
                    "is an ISO 639 code such as ru or fra",
                );
            }
        }
        if self.documents.len() > DOCUMENTS_MAX {
            c.fail("documents", format!("at most {DOCUMENTS_MAX}"));
        }
        let mut documents = Vec::new();
        for (i, document) in self.documents.iter().enumerate().take(DOCUMENTS_MAX) {
            let path = |field: &str| format!("documents[{i}].{field}");
            let number = match Checker::present(&document.number) {
                None => {
                    c.fail(&path("number"), "is required");
                    None
                }
                Some(raw) => crate::normalise::document_number(raw)
                    .map(|normalised| (raw.trim().to_owned(), normalised))
                    .map_err(|problem| c.fail(&path("number"), problem))
                    .ok(),
            };
            let country = match Checker::present(&document.issuing_country) {
                None => {
                    c.fail(&path("issuing_country"), "is required");
                    None
                }
                Some(raw) => c.country(&path("issuing_country"), raw),
            };
            let document_type = match Checker::present(&document.document_type) {
                None => Some(None),
                Some(raw) => match crate::DocumentType::parse(raw) {
                    Some(parsed) => Some(Some(parsed.as_str().to_owned())),
                    None => {
                        c.fail(&path("type"), format!("{raw:?} is not a document type"));
                        None
                    }
                },
            };
            if let (Some((number, number_normalised)), Some(country), Some(document_type)) =
                (number, country, document_type)
            {
                documents.push(IdentityDocument {
                    number,
                    number_normalised,
                    issuing_country: country.canonical().as_str().to_owned(),
                    document_type,
                });
            }
        }
        let meta = c.meta(MetaInput {
            owner: &self.owner,
            external_ref: &self.id,
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
        Ok(Person {
            names,
            birth_date,
            birth_place,
            birth_country,
            nationalities,
            sex,
            category,
            marks,
            languages,
            documents,
            meta: meta.expect("no errors"),
        })
    }
}

/// The stored form of a person's details (everything but the record's meta), as JSON.
#[derive(Serialize, Deserialize)]
struct Body {
    names: Vec<PersonName>,
    birth_date: Option<String>,
    birth_place: Option<String>,
    birth_country: Option<String>,
    nationalities: Vec<String>,
    sex: char,
    category: String,
    marks: Option<String>,
    languages: Vec<String>,
    #[serde(default)]
    documents: Vec<IdentityDocument>,
}

impl Person {
    /// The person's details as JSON, for storage.
    pub fn body_json(&self) -> String {
        serde_json::to_string(&Body {
            names: self.names.clone(),
            birth_date: self.birth_date.map(|d| d.format()),
            birth_place: self.birth_place.clone(),
            birth_country: self.birth_country.map(|c| c.as_str().to_owned()),
            nationalities: self
                .nationalities
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            sex: self.sex,
            category: self.category.clone(),
            marks: self.marks.clone(),
            languages: self.languages.clone(),
            documents: self.documents.clone(),
        })
        .unwrap_or_default()
    }

    /// Rebuilds a person from its stored details and meta.
    pub fn from_body(json: &str, meta: RecordMeta) -> Result<Person, String> {
        let body: Body = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let country =
            |text: &str| CountryCode::parse(text).ok_or_else(|| format!("country {text:?}"));
        Ok(Person {
            names: body.names,
            birth_date: body
                .birth_date
                .as_deref()
                .map(PartialDate::parse)
                .transpose()?,
            birth_place: body.birth_place,
            birth_country: body.birth_country.as_deref().map(country).transpose()?,
            nationalities: body
                .nationalities
                .iter()
                .map(|t| country(t))
                .collect::<Result<_, _>>()?,
            sex: body.sex,
            category: body.category,
            marks: body.marks,
            languages: body.languages,
            documents: body.documents,
            meta,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ValidationContext<'static> {
        ValidationContext {
            today: parse_date("2026-11-29").unwrap(),
            default_owner: CountryCode::parse("FRA").unwrap(),
            prefix: "",
        }
    }

    fn person(json: &str) -> Result<Person, FieldErrors> {
        serde_json::from_str::<PersonInput>(json)
            .unwrap()
            .validate(context())
    }

    #[test]
    fn partial_dates_parse_and_refuse_impossible_ones() {
        assert_eq!(PartialDate::parse("1980").unwrap().format(), "1980");
        assert_eq!(PartialDate::parse("1980-04").unwrap().format(), "1980-04");
        assert_eq!(
            PartialDate::parse("1980-04-12").unwrap().format(),
            "1980-04-12"
        );
        for bad in ["1980-02-30", "1980-13", "80", "1980/04/12", "abcd", ""] {
            assert!(PartialDate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_person_validates_with_every_problem_named() {
        let ok = person(
            r#"{"id":"p1","names":[{"full":"Александр Щербаков","script":"Cyrl"},
            {"given":"Alexander","family":"Scherbakow"}],"birth_date":"1980-04",
            "nationality":"RUS","sex":"m","reported_date":"2026-01-01"}"#,
        )
        .unwrap();
        assert_eq!(ok.names[1].full, "Alexander Scherbakow");
        assert_eq!(ok.names[1].kind, "alias");
        assert_eq!(ok.sex, 'M');
        assert_eq!(ok.nationalities[0].as_str(), "RUS");
        let round = Person::from_body(&ok.body_json(), ok.meta.clone()).unwrap();
        assert_eq!(round, ok);

        let errors = person(
            r#"{"names":[{"full":"  "},{"full":"a\u0007b"},{"given":null}],
            "birth_date":"1980-02-30","nationality":["RUS","XYZ"],"sex":"X",
            "category":"hero","languages":["russian"],"reported_date":"2026-01-01"}"#,
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        for field in [
            "names[0].full",
            "names[1].full",
            "names[2].full",
            "birth_date",
            "nationality[1]",
            "sex",
            "category",
            "languages[0]",
        ] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        let none = person(r#"{"names":[],"reported_date":"2026-01-01"}"#).unwrap_err();
        assert_eq!(none.0[0].field, "names");
    }
}

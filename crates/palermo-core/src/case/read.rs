//! Reading a parsed JSON document field by field, every problem kept with its JSON pointer
//! (RFC 6901) and what was expected, so that one pass reports all of them.

use serde_json::{Map, Value};
use time::Date;

use crate::CountryCode;
use crate::date::parse_date;
use crate::error::FieldErrors;
use crate::normalise;

use super::vocab::Vocab;

/// `base` with `key` appended as a JSON pointer segment (`~` and `/` escaped).
pub(crate) fn pointer(base: &str, key: &str) -> String {
    let mut out = String::with_capacity(base.len() + key.len() + 1);
    out.push_str(base);
    out.push('/');
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One JSON object being read, at `path`, with the fields it may have.
pub(crate) struct Obj<'v> {
    map: &'v Map<String, Value>,
    pub(crate) path: String,
}

impl<'v> Obj<'v> {
    /// The object at `path`; an error (and `None`) when the value is not one. Fields outside
    /// `fields` are reported one by one, with the list of those that exist.
    pub(crate) fn new(
        value: &'v Value,
        path: String,
        fields: &[&str],
        errors: &mut FieldErrors,
    ) -> Option<Obj<'v>> {
        let Value::Object(map) = value else {
            errors.push(
                path,
                format!("expected an object, found {}", kind_of(value)),
            );
            return None;
        };
        for key in map.keys() {
            if !fields.contains(&key.as_str()) {
                errors.push(
                    pointer(&path, key),
                    format!("is not a field here; the fields are: {}", fields.join(", ")),
                );
            }
        }
        Some(Obj { map, path })
    }

    pub(crate) fn at(&self, key: &str) -> String {
        pointer(&self.path, key)
    }

    /// The value of `key`, `None` when absent or null.
    pub(crate) fn get(&self, key: &str) -> Option<&'v Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn required(&self, key: &str, required: bool, errors: &mut FieldErrors) {
        if required {
            errors.push(self.at(key), "is required");
        }
    }

    /// A string field: trimmed, without control characters, at most `max` characters;
    /// blank is absent.
    pub(crate) fn text(
        &self,
        key: &str,
        max: usize,
        required: bool,
        errors: &mut FieldErrors,
    ) -> Option<String> {
        let Some(value) = self.get(key) else {
            self.required(key, required, errors);
            return None;
        };
        let Value::String(raw) = value else {
            errors.push(
                self.at(key),
                format!("expected a string, found {}", kind_of(value)),
            );
            return None;
        };
        match normalise::text(raw, max) {
            Ok(Some(text)) => Some(text),
            Ok(None) => {
                errors.push(
                    self.at(key),
                    "is blank: give a value, or leave the field out when there is none",
                );
                None
            }
            Err(reason) => {
                errors.push(self.at(key), reason);
                None
            }
        }
    }

    /// A code of `vocab`; an unknown one is reported with the allowed codes.
    pub(crate) fn code(
        &self,
        key: &str,
        vocab: &Vocab,
        required: bool,
        errors: &mut FieldErrors,
    ) -> Option<String> {
        let text = self.text(key, 100, required, errors)?;
        code_of(&text, vocab, self.at(key), errors)
    }

    /// A list of codes of `vocab`, each at most once.
    pub(crate) fn codes(&self, key: &str, vocab: &Vocab, errors: &mut FieldErrors) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (path, item) in self.array(key, vocab.values.len().max(1), errors) {
            let Value::String(raw) = item else {
                errors.push(path, format!("expected a string, found {}", kind_of(item)));
                continue;
            };
            if let Some(code) = code_of(raw.trim(), vocab, path.clone(), errors) {
                if out.contains(&code) {
                    errors.push(path, format!("{code:?} is listed twice"));
                } else {
                    out.push(code);
                }
            }
        }
        out
    }

    /// The items of an array field with their paths; at most `max` of them.
    pub(crate) fn array(
        &self,
        key: &str,
        max: usize,
        errors: &mut FieldErrors,
    ) -> Vec<(String, &'v Value)> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let Value::Array(items) = value else {
            errors.push(
                self.at(key),
                format!("expected an array, found {}", kind_of(value)),
            );
            return Vec::new();
        };
        if items.len() > max {
            errors.push(
                self.at(key),
                format!("holds {} items; at most {max} are allowed", items.len()),
            );
            return Vec::new();
        }
        let base = self.at(key);
        items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("{base}/{i}"), item))
            .collect()
    }

    /// An integer in `min..=max`.
    pub(crate) fn integer(
        &self,
        key: &str,
        min: i64,
        max: i64,
        required: bool,
        errors: &mut FieldErrors,
    ) -> Option<i64> {
        let Some(value) = self.get(key) else {
            self.required(key, required, errors);
            return None;
        };
        let number = value.as_i64().or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        });
        match number {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(n) => {
                errors.push(
                    self.at(key),
                    format!("{n} is out of range: expected {min} to {max}"),
                );
                None
            }
            None => {
                errors.push(
                    self.at(key),
                    format!("expected an integer, found {}", kind_of(value)),
                );
                None
            }
        }
    }

    /// An ISO 8601 calendar date (`YYYY-MM-DD`), not after `latest`.
    pub(crate) fn date(
        &self,
        key: &str,
        latest: Date,
        required: bool,
        errors: &mut FieldErrors,
    ) -> Option<Date> {
        let text = self.text(key, 10, required, errors)?;
        match parse_date(&text) {
            Ok(date) if date > latest => {
                errors.push(self.at(key), format!("{text} is in the future"));
                None
            }
            Ok(date) => Some(date),
            Err(reason) => {
                errors.push(self.at(key), reason);
                None
            }
        }
    }

    /// A country code (ISO 3166-1 alpha-3, or ICAO 9303's codes).
    pub(crate) fn country(
        &self,
        key: &str,
        required: bool,
        errors: &mut FieldErrors,
    ) -> Option<CountryCode> {
        let text = self.text(key, 10, required, errors)?;
        country_of(&text, self.at(key), errors)
    }

    /// A list of country codes, each at most once.
    pub(crate) fn countries(
        &self,
        key: &str,
        max: usize,
        errors: &mut FieldErrors,
    ) -> Vec<CountryCode> {
        let mut out = Vec::new();
        for (path, item) in self.array(key, max, errors) {
            let Value::String(raw) = item else {
                errors.push(path, format!("expected a string, found {}", kind_of(item)));
                continue;
            };
            if let Some(country) = country_of(raw, path.clone(), errors) {
                if out.contains(&country) {
                    errors.push(path, format!("{} is listed twice", country.as_str()));
                } else {
                    out.push(country);
                }
            }
        }
        out
    }
}

fn code_of(text: &str, vocab: &Vocab, path: String, errors: &mut FieldErrors) -> Option<String> {
    if vocab.contains(text) {
        Some(text.to_owned())
    } else {
        errors.push(
            path,
            format!("{text:?} is not known: expected {}", vocab.expected()),
        );
        None
    }
}

fn country_of(text: &str, path: String, errors: &mut FieldErrors) -> Option<CountryCode> {
    let found = CountryCode::parse(text.trim());
    if found.is_none() {
        errors.push(
            path,
            format!("{text:?} is not an ISO 3166-1 alpha-3 country code"),
        );
    }
    found
}

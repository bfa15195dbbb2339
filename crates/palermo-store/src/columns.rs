//! What every SQL backend shares: the record tables' column lists, how a record's stored text
//! (codes, dates, restrictions) becomes domain values, and the start-up scans' memos. The SQL
//! dialects differ; the decisions written here do not.

use palermo_core::date::{format_date, parse_date};
use palermo_core::{CountryCode, HandlingCode, RecordAccess, RecordMeta, Restriction, Visibility};

use crate::{Result, StoreError};

pub(crate) fn corrupt(what: &str, id: i64, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?} of record {id}"))
}

pub(crate) fn country(id: i64, text: &str) -> Result<CountryCode> {
    CountryCode::parse(text).ok_or_else(|| corrupt("country code", id, text))
}

pub(crate) fn date(id: i64, text: &str) -> Result<time::Date> {
    parse_date(text).map_err(|_| corrupt("date", id, text))
}

/// A restriction as stored: its visibility's name and its countries, space-separated.
pub(crate) fn restriction(id: i64, visibility: &str, countries: &str) -> Result<Restriction> {
    let countries = countries
        .split_whitespace()
        .map(|code| country(id, code))
        .collect::<Result<Vec<_>>>()?;
    let visibility =
        Visibility::parse_name(visibility).ok_or_else(|| corrupt("restriction", id, visibility))?;
    Ok(Restriction::from_parts(visibility, countries))
}

pub(crate) fn countries_text(restriction: &Restriction) -> String {
    restriction
        .countries()
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Columns shared by every record table, in this order after the kind's own columns.
pub(crate) const META_COLUMNS: &str = "owner, external_ref, reported_date, review_date, \
    restriction, restriction_countries, handling, handling_note, created_at, updated_at, \
    withdrawn_at";
/// The meta columns a write binds (the timestamps follow them).
pub(crate) const META_WRITTEN: usize = 8;

pub(crate) const DOCUMENT_COLUMNS: &str = "id, number, number_normalised, issuing_country, \
    document_type, status, holder_name, holder_birth_date";
pub(crate) const VEHICLE_COLUMNS: &str =
    "id, vin, plate, plate_country, make, model, colour, year, status";
pub(crate) const PERSON_COLUMNS: &str = "id, body";

/// The columns a kind writes: its own without `id`, then the meta ones without the timestamps.
pub(crate) fn written_columns(own_columns: &'static str) -> Vec<&'static str> {
    own_columns
        .split(", ")
        .skip(1)
        .chain(META_COLUMNS.split(", ").take(META_WRITTEN))
        .map(str::trim)
        .collect()
}

/// A record's meta columns as the text a backend stores (dates ISO 8601, countries
/// space-separated, names of restriction and handling).
pub(crate) struct MetaText<'a> {
    pub owner: &'static str,
    pub external_ref: Option<&'a str>,
    pub reported_date: String,
    pub review_date: String,
    pub restriction: &'static str,
    pub restriction_countries: String,
    pub handling: &'static str,
    pub handling_note: Option<&'a str>,
}

impl MetaText<'_> {
    pub(crate) fn of(meta: &RecordMeta) -> MetaText<'_> {
        MetaText {
            owner: meta.owner.as_str(),
            external_ref: meta.external_ref.as_deref(),
            reported_date: format_date(meta.reported_date),
            review_date: format_date(meta.review_date),
            restriction: meta.restriction.visibility().as_str(),
            restriction_countries: countries_text(&meta.restriction),
            handling: meta.handling.as_str(),
            handling_note: meta.handling_note.as_deref(),
        }
    }
}

/// The meta columns as read back (without the timestamps), in [`META_COLUMNS`] order.
pub(crate) struct MetaRead<'a> {
    pub owner: &'a str,
    pub external_ref: Option<String>,
    pub reported_date: &'a str,
    pub review_date: &'a str,
    pub restriction: &'a str,
    pub restriction_countries: &'a str,
    pub handling: &'a str,
    pub handling_note: Option<String>,
}

impl MetaRead<'_> {
    pub(crate) fn parse(self, id: i64) -> Result<RecordMeta> {
        Ok(RecordMeta {
            owner: country(id, self.owner)?,
            external_ref: self.external_ref,
            reported_date: date(id, self.reported_date)?,
            review_date: date(id, self.review_date)?,
            restriction: restriction(id, self.restriction, self.restriction_countries)?,
            handling: HandlingCode::parse_name(self.handling)
                .ok_or_else(|| corrupt("handling", id, self.handling))?,
            handling_note: self.handling_note,
        })
    }
}

/// Who may read a record, `owner|restriction|countries|handling` as one value: a scan of
/// millions of rows fetches one column instead of four. (`||` is standard SQL.)
pub(crate) const ACCESS_JOINED: &str =
    "owner || '|' || restriction || '|' || restriction_countries || '|' || handling";

/// Reads [`ACCESS_JOINED`] for a scan of millions of rows, most of which share their owner and
/// restriction with the row before: the text is compared with the last row's and parsed only
/// when it differs (start-up time is mostly this parsing otherwise).
#[derive(Default)]
pub(crate) struct AccessScan {
    raw: Vec<u8>,
    last: Option<RecordAccess>,
}

impl AccessScan {
    pub(crate) fn read(&mut self, id: i64, joined: &str) -> Result<RecordAccess> {
        if let Some(last) = &self.last
            && joined.as_bytes() == self.raw.as_slice()
        {
            return Ok(last.clone());
        }
        let mut parts = joined.split('|');
        let mut part = || parts.next().unwrap_or_default();
        let (owner, visibility, countries, handling) = (part(), part(), part(), part());
        let visibility = Visibility::parse_name(visibility)
            .ok_or_else(|| corrupt("restriction", id, visibility))?;
        let countries = countries
            .split_whitespace()
            .map(|code| country(id, code))
            .collect::<Result<Vec<_>>>()?;
        let access = RecordAccess {
            owner: country(id, owner)?,
            restriction: Restriction::from_parts(visibility, countries),
            handling: HandlingCode::parse_name(handling)
                .ok_or_else(|| corrupt("handling", id, handling))?,
        };
        self.raw.clear();
        self.raw.extend_from_slice(joined.as_bytes());
        self.last = Some(access.clone());
        Ok(access)
    }
}

/// Country codes of a scan, parsed only when the text differs from the row before's.
#[derive(Default)]
pub(crate) struct CountryScan {
    raw: [u8; 3],
    len: usize,
    last: Option<CountryCode>,
}

impl CountryScan {
    pub(crate) fn read(&mut self, id: i64, text: &str) -> Result<CountryCode> {
        if let Some(code) = self.last
            && text.as_bytes() == &self.raw[..self.len]
        {
            return Ok(code);
        }
        let code = country(id, text)?;
        // A parsed code has at most three (ASCII) bytes.
        self.len = text.len();
        self.raw[..self.len].copy_from_slice(text.as_bytes());
        self.last = Some(code);
        Ok(code)
    }
}

/// The order [`crate::Store::dump_rows`] gives a table's rows in: its key.
pub(crate) fn key_order(table: &str) -> &'static str {
    match table {
        "organisations" => "code",
        "audit" | "audit_heads" => "seq",
        "recovery_codes" => "user_id, code_hash",
        "audit_subjects" => "seq, org",
        "replayed_batches" => "node, batch",
        "message_recipients" => "message_id, org",
        "notice_versions" => "notice_id, version",
        "case_versions" => "case_id, version",
        "case_keys" => "case_id, kind, value, entity",
        "case_checklist" => "case_id, item",
        "case_grants" => "case_id, username",
        "webhooks" => "org",
        _ => "id",
    }
}

/// The columns of a table of [`crate::TABLES`]; a `Conflict` for a table that is not one.
pub(crate) fn table_columns(table: &str) -> Result<&'static [&'static str]> {
    crate::TABLES
        .iter()
        .find(|(name, _)| *name == table)
        .map(|(_, columns)| *columns)
        .ok_or_else(|| StoreError::Conflict(format!("no table {table:?} to copy")))
}

/// `SELECT "a", "b" … FROM table ORDER BY key` (quoted: `user` is a keyword in SQL).
pub(crate) fn dump_sql(table: &str) -> Result<String> {
    let columns = table_columns(table)?;
    let list: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    Ok(format!(
        "SELECT {} FROM {table} ORDER BY {}",
        list.join(", "),
        key_order(table)
    ))
}

/// `INSERT INTO table ("a", …) VALUES (<p1>, …)` with the backend's placeholders.
pub(crate) fn load_sql(table: &str, placeholder: impl Fn(usize) -> String) -> Result<String> {
    let columns = table_columns(table)?;
    let list: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let values: Vec<String> = (1..=columns.len()).map(placeholder).collect();
    Ok(format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        list.join(", "),
        values.join(", ")
    ))
}

/// Refuses to load a hub into a store that holds anything: the copy keeps every id and the
/// chain's sequence, which rows already there would contradict.
pub(crate) fn refuse_unless_empty(nonempty: &[&str]) -> Result<()> {
    if nonempty.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "the target already holds data (in {}): a hub moves into an empty database",
            nonempty.join(", ")
        )))
    }
}

/// A notice's columns, in the order both backends read them.
pub(crate) const NOTICE_COLUMNS: &str = "id, kind, state, version, person_id, body, public_extract, \
     owner, external_ref, reported_date, review_date, restriction, restriction_countries, \
     handling, handling_note, created_at, updated_at";
/// A notice's history entry's columns (after its id), in the order both backends read them.
pub(crate) const NOTICE_EVENT_COLUMNS: &str =
    "transition, from_state, to_state, version, by_org, by_name, reason, detail, at";

/// A value bound to a notice list's condition.
pub(crate) enum NoticeParam {
    Text(String),
    Int(i64),
}

/// The `SELECT` of a notice list with only the conditions the filter gives (so that each
/// backend's planner can use the index a condition has: an "absent or equal" test for every
/// column would make it scan the whole table), and their values in placeholder order; the
/// limit is the last placeholder.
pub(crate) fn notice_list_sql(
    filter: &crate::NoticeFilter,
    before: Option<i64>,
    placeholder: impl Fn(usize) -> String,
) -> (String, Vec<NoticeParam>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    let mut add = |column: &str, operator: &str, value: NoticeParam| {
        values.push(value);
        conditions.push(format!("{column} {operator} {}", placeholder(values.len())));
    };
    if let Some(owner) = filter.owner {
        add("owner", "=", NoticeParam::Text(owner.as_str().to_owned()));
    }
    if let Some(kind) = &filter.kind {
        add("kind", "=", NoticeParam::Text(kind.clone()));
    }
    if let Some(state) = &filter.state {
        add("state", "=", NoticeParam::Text(state.clone()));
    }
    if let Some(person) = filter.person_id {
        add("person_id", "=", NoticeParam::Int(person));
    }
    if let Some(before) = before {
        add("id", "<", NoticeParam::Int(before));
    }
    let conditions = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT {NOTICE_COLUMNS} FROM notices {conditions} ORDER BY id DESC LIMIT {}",
        placeholder(values.len() + 1)
    );
    (sql, values)
}

/// A case's columns as every backend reads them, in this order.
pub(crate) const CASE_COLUMNS: &str = "id, owner, reference, version, status, form, \
    reported_date, restriction, restriction_countries, report, created_at, updated_at";

/// A case's row as read back, in [`CASE_COLUMNS`] order (without the id and the timestamps).
pub(crate) struct CaseRead<'a> {
    pub owner: &'a str,
    pub reference: String,
    pub status: String,
    pub form: String,
    pub reported_date: String,
    pub restriction: &'a str,
    pub restriction_countries: &'a str,
    pub report: String,
}

impl CaseRead<'_> {
    pub(crate) fn parse(self, id: i64) -> Result<crate::CaseRow> {
        Ok(crate::CaseRow {
            owner: country(id, self.owner)?,
            reference: self.reference,
            status: self.status,
            form: self.form,
            reported_date: self.reported_date,
            restriction: restriction(id, self.restriction, self.restriction_countries)?,
            report: self.report,
        })
    }
}

//! `palermo import`: bulk loads from CSV or JSONL.
//!
//! Into a data directory, the whole file is one transaction: a parsing thread reads and
//! validates rows while the main thread writes them, and the transaction commits only if no
//! row was invalid (or `--skip-invalid` was given). Against a running hub, the file is first
//! validated in full, then streamed in batches that the hub writes and indexes atomically.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use palermo_core::{
    CountryCode, Document, DocumentInput, FieldErrors, Timestamp, ValidationContext, Vehicle,
    VehicleInput,
};
use palermo_hub::json::JsonError;
use palermo_hub::{Caller, Hub};
use palermo_store::ImportCounts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::Target;
use crate::client::HubClient;
use crate::datadir::member_code;

/// Rows sent to the writer thread at a time.
const PIPELINE_BATCH_ROWS: usize = 4096;
/// Batches in flight between the parsing and the writing thread.
const PIPELINE_DEPTH: usize = 8;
/// Rows per request against a running hub (the API's batch limit).
const HUB_BATCH_ROWS: usize = palermo_hub::WRITE_BATCH_MAX;
/// Errors printed before the rest are only counted.
const ERRORS_PRINTED_MAX: u64 = 100;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Travel documents. Required columns: number, issuing_country, type, status, reported_date.
    Documents(ImportArgs),
    /// Vehicles. Required columns: status, reported_date, and vin or plate + plate_country.
    Vehicles(ImportArgs),
    /// Persons, from JSONL only (one person per line, names nested):
    /// {"id": "ref", "names": [{"full": "…", "script": "Cyrl"}], "birth_date": "1980-04",
    /// "nationality": "RUS", "sex": "M", "reported_date": "2026-01-10"}.
    Persons(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// A CSV file (a header row of field names) or JSONL (one JSON object per line).
    file: PathBuf,
    /// File format; by default from the extension (.csv, .jsonl, .ndjson, .json).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Load the valid rows; write rejected rows with their reasons to --rejects.
    #[arg(long)]
    skip_invalid: bool,
    /// Where --skip-invalid writes rejected rows (JSONL); default FILE.rejects.jsonl.
    #[arg(long)]
    rejects: Option<PathBuf>,
    #[command(flatten)]
    target: Target,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Csv,
    Jsonl,
}

/// What differs between record kinds.
trait Kind: 'static {
    type Input: DeserializeOwned + Serialize + Send + 'static;
    type Record: Send + 'static;
    const NAME: &'static str;
    const FIELDS: &'static [&'static str];
    const REQUIRED: &'static [&'static str];
    fn validate(
        input: &Self::Input,
        context: ValidationContext<'_>,
    ) -> Result<Self::Record, FieldErrors>;
    fn owner(record: &Self::Record) -> CountryCode;
    /// The hub's import use case for this kind.
    fn import(
        hub: &Hub,
        caller: &Caller,
        records: &mut dyn Iterator<Item = Self::Record>,
        commit: &dyn Fn() -> bool,
    ) -> palermo_hub::Result<Option<ImportCounts>>;
}

struct Documents;
struct Vehicles;
struct Persons;

impl Kind for Persons {
    type Input = palermo_core::PersonInput;
    type Record = palermo_core::Person;
    const NAME: &'static str = "persons";
    const FIELDS: &'static [&'static str] = &[
        "id",
        "names",
        "birth_date",
        "birth_place",
        "birth_country",
        "nationality",
        "sex",
        "category",
        "marks",
        "languages",
        "reported_date",
        "owner",
        "review_date",
        "restriction",
        "restriction_countries",
        "handling",
        "handling_note",
    ];
    const REQUIRED: &'static [&'static str] = &["names", "reported_date"];

    fn validate(
        input: &palermo_core::PersonInput,
        context: ValidationContext<'_>,
    ) -> Result<palermo_core::Person, FieldErrors> {
        input.validate(context)
    }

    fn owner(record: &palermo_core::Person) -> CountryCode {
        record.meta.owner
    }

    fn import(
        hub: &Hub,
        caller: &Caller,
        records: &mut dyn Iterator<Item = palermo_core::Person>,
        commit: &dyn Fn() -> bool,
    ) -> palermo_hub::Result<Option<ImportCounts>> {
        hub.import_persons(caller, records, commit)
    }
}

impl Kind for Documents {
    type Input = DocumentInput;
    type Record = Document;
    const NAME: &'static str = "documents";
    const FIELDS: &'static [&'static str] = DocumentInput::FIELDS;
    const REQUIRED: &'static [&'static str] = DocumentInput::REQUIRED;

    fn validate(
        input: &DocumentInput,
        context: ValidationContext<'_>,
    ) -> Result<Document, FieldErrors> {
        input.validate(context)
    }

    fn owner(record: &Document) -> CountryCode {
        record.meta.owner
    }

    fn import(
        hub: &Hub,
        caller: &Caller,
        records: &mut dyn Iterator<Item = Document>,
        commit: &dyn Fn() -> bool,
    ) -> palermo_hub::Result<Option<ImportCounts>> {
        hub.import_documents(caller, records, commit)
    }
}

impl Kind for Vehicles {
    type Input = VehicleInput;
    type Record = Vehicle;
    const NAME: &'static str = "vehicles";
    const FIELDS: &'static [&'static str] = VehicleInput::FIELDS;
    const REQUIRED: &'static [&'static str] = VehicleInput::REQUIRED;

    fn validate(
        input: &VehicleInput,
        context: ValidationContext<'_>,
    ) -> Result<Vehicle, FieldErrors> {
        input.validate(context)
    }

    fn owner(record: &Vehicle) -> CountryCode {
        record.meta.owner
    }

    fn import(
        hub: &Hub,
        caller: &Caller,
        records: &mut dyn Iterator<Item = Vehicle>,
        commit: &dyn Fn() -> bool,
    ) -> palermo_hub::Result<Option<ImportCounts>> {
        hub.import_vehicles(caller, records, commit)
    }
}

pub fn run(command: ImportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ImportCommand::Documents(args) => import::<Documents>(args),
        ImportCommand::Vehicles(args) => import::<Vehicles>(args),
        ImportCommand::Persons(args) => {
            if format_of(&args.file, args.format)? == Format::Csv {
                bail!("persons are imported from JSONL (one person per line): their names nest");
            }
            import::<Persons>(args)
        }
    }
}

/// One problem with one row: where (line, column, field) and why.
struct RowError {
    field: Option<String>,
    column: Option<usize>,
    detail: String,
}

struct Row<I> {
    line: u64,
    /// The row as read, turned into JSON only if it is rejected.
    raw: RawRow,
    input: Result<I, Vec<RowError>>,
}

enum RawRow {
    Csv(csv::StringRecord),
    Json(String),
    Unreadable,
}

impl RawRow {
    /// The row for the rejects file: a CSV row as an object of its columns, a JSONL line as
    /// its JSON (or its text, if it is not JSON).
    fn to_value(&self, headers: Option<&csv::StringRecord>) -> Value {
        match (self, headers) {
            (RawRow::Csv(record), Some(headers)) => Value::Object(
                headers
                    .iter()
                    .zip(record.iter())
                    .map(|(h, v)| (h.to_owned(), Value::String(v.to_owned())))
                    .collect(),
            ),
            (RawRow::Json(text), _) => serde_json::from_str(text)
                .unwrap_or_else(|_| Value::String(text.trim_end().to_owned())),
            _ => Value::Null,
        }
    }
}

enum Source {
    Csv {
        reader: csv::Reader<File>,
        headers: csv::StringRecord,
        record: csv::StringRecord,
    },
    Jsonl {
        reader: BufReader<File>,
        line: u64,
        text: String,
        bytes: u64,
    },
}

struct RowReader<K: Kind> {
    source: Source,
    _kind: std::marker::PhantomData<fn() -> K>,
}

fn format_of(path: &Path, format: Option<Format>) -> anyhow::Result<Format> {
    if let Some(format) = format {
        return Ok(format);
    }
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(Format::Csv),
        Some("jsonl" | "ndjson" | "json") => Ok(Format::Jsonl),
        _ => bail!(
            "cannot tell the format of {} from its extension; pass --format csv or --format jsonl",
            path.display()
        ),
    }
}

impl<K: Kind> RowReader<K> {
    fn open(path: &Path, format: Format) -> anyhow::Result<RowReader<K>> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let source = match format {
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .trim(csv::Trim::All)
                    .from_reader(file);
                let headers = reader
                    .headers()
                    .context("line 1: cannot read the CSV header")?
                    .clone();
                check_headers::<K>(&headers)?;
                Source::Csv {
                    reader,
                    headers,
                    record: csv::StringRecord::new(),
                }
            }
            Format::Jsonl => Source::Jsonl {
                reader: BufReader::with_capacity(1 << 20, file),
                line: 0,
                text: String::new(),
                bytes: 0,
            },
        };
        Ok(RowReader {
            source,
            _kind: std::marker::PhantomData,
        })
    }

    fn bytes_read(&self) -> u64 {
        match &self.source {
            Source::Csv { reader, .. } => reader.position().byte(),
            Source::Jsonl { bytes, .. } => *bytes,
        }
    }

    fn next_row(&mut self) -> anyhow::Result<Option<Row<K::Input>>> {
        match &mut self.source {
            Source::Csv {
                reader,
                headers,
                record,
            } => {
                let line = reader.position().line();
                match reader.read_record(record) {
                    Ok(false) => Ok(None),
                    Ok(true) => {
                        let line = record.position().map_or(line, |p| p.line());
                        let input = record
                            .deserialize::<K::Input>(Some(headers))
                            .map_err(|error| vec![csv_error(&error, headers)]);
                        Ok(Some(Row {
                            line,
                            raw: RawRow::Csv(record.clone()),
                            input,
                        }))
                    }
                    Err(error) => match error.kind() {
                        csv::ErrorKind::Io(_) => Err(error.into()),
                        _ => {
                            let line = error.position().map_or(line, |p| p.line());
                            Ok(Some(Row {
                                line,
                                raw: RawRow::Unreadable,
                                input: Err(vec![csv_error(&error, headers)]),
                            }))
                        }
                    },
                }
            }
            Source::Jsonl {
                reader,
                line,
                text,
                bytes,
            } => loop {
                text.clear();
                let read = reader.read_line(text)?;
                if read == 0 {
                    return Ok(None);
                }
                *line += 1;
                *bytes += read as u64;
                if text.trim().is_empty() {
                    continue;
                }
                let input = parse_json_row::<K::Input>(text);
                return Ok(Some(Row {
                    line: *line,
                    raw: RawRow::Json(text.clone()),
                    input,
                }));
            },
        }
    }
}

fn check_headers<K: Kind>(headers: &csv::StringRecord) -> anyhow::Result<()> {
    let mut seen = HashSet::new();
    for (i, header) in headers.iter().enumerate() {
        if !K::FIELDS.contains(&header) {
            bail!(
                "line 1, column {}: unknown column {header:?}; the columns of {} are {}",
                i + 1,
                K::NAME,
                K::FIELDS.join(", ")
            );
        }
        if !seen.insert(header) {
            bail!("line 1, column {}: column {header:?} appears twice", i + 1);
        }
    }
    let missing: Vec<&str> = K::REQUIRED
        .iter()
        .copied()
        .filter(|name| !seen.contains(name))
        .collect();
    if !missing.is_empty() {
        bail!(
            "line 1: missing required column{} {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        );
    }
    Ok(())
}

fn csv_error(error: &csv::Error, headers: &csv::StringRecord) -> RowError {
    let column_of = |index: u64| {
        let index = index as usize;
        (Some(index + 1), headers.get(index).map(str::to_owned))
    };
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => RowError {
            field: None,
            column: None,
            detail: format!("has {len} fields, the header has {expected_len}"),
        },
        csv::ErrorKind::Utf8 { err, .. } => {
            let (column, field) = column_of(err.field() as u64);
            RowError {
                field,
                column,
                detail: "is not valid UTF-8".into(),
            }
        }
        csv::ErrorKind::Deserialize { err, .. } => {
            let (column, field) = err.field().map(column_of).unwrap_or((None, None));
            RowError {
                field,
                column,
                detail: err.kind().to_string(),
            }
        }
        other => RowError {
            field: None,
            column: None,
            detail: format!("{other:?}"),
        },
    }
}

fn parse_json_row<I: DeserializeOwned>(text: &str) -> Result<I, Vec<RowError>> {
    palermo_hub::json::parse(text.as_bytes()).map_err(|error| {
        vec![match error {
            JsonError::Data { path, message } => RowError {
                field: (!path.is_empty()).then_some(path),
                column: None,
                detail: message,
            },
            JsonError::Syntax {
                column, message, ..
            } => RowError {
                field: None,
                column: Some(column),
                detail: format!("malformed JSON: {message}"),
            },
        }]
    })
}

/// Field errors of validation, with the CSV column of each field where there is one.
fn validation_errors<K: Kind>(
    errors: FieldErrors,
    headers: Option<&csv::StringRecord>,
) -> Vec<RowError> {
    errors
        .0
        .into_iter()
        .map(|error| {
            let name = error
                .field
                .split(['.', '['])
                .next()
                .unwrap_or_default()
                .to_owned();
            let column = headers
                .and_then(|h| h.iter().position(|header| header == name))
                .map(|i| i + 1);
            RowError {
                field: Some(error.field),
                column,
                detail: error.detail,
            }
        })
        .collect()
}

/// Prints the first errors, counts all, and writes rejected rows to the rejects file.
struct ErrorLog {
    invalid_rows: Arc<AtomicU64>,
    printed: u64,
    rejects: Option<(PathBuf, BufWriter<File>)>,
    progress: ProgressBar,
}

impl ErrorLog {
    fn reject(&mut self, line: u64, raw: Value, errors: Vec<RowError>) -> anyhow::Result<()> {
        self.invalid_rows.fetch_add(1, Ordering::Relaxed);
        for error in &errors {
            if self.printed < ERRORS_PRINTED_MAX {
                let mut place = format!("line {line}");
                if let Some(column) = error.column {
                    place.push_str(&format!(", column {column}"));
                }
                if let Some(field) = &error.field {
                    place.push_str(&format!(" ({field})"));
                }
                self.progress
                    .suspend(|| eprintln!("{place}: {}", error.detail));
            }
            self.printed += 1;
        }
        if let Some((_, out)) = &mut self.rejects {
            let errors: Vec<Value> = errors
                .iter()
                .map(|e| json!({"field": e.field, "column": e.column, "detail": e.detail}))
                .collect();
            serde_json::to_writer(
                &mut *out,
                &json!({"line": line, "errors": errors, "row": raw}),
            )?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        if self.printed > ERRORS_PRINTED_MAX {
            eprintln!("… and {} more errors", self.printed - ERRORS_PRINTED_MAX);
        }
        if let Some((path, out)) = &mut self.rejects {
            out.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }
}

fn progress_bar(path: &Path) -> ProgressBar {
    let length = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(length);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{bar:40}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}

/// Where `--skip-invalid` writes rejected rows.
fn rejects_path(args: &ImportArgs) -> Option<PathBuf> {
    args.skip_invalid.then(|| {
        args.rejects.clone().unwrap_or_else(|| {
            let mut name = args.file.clone().into_os_string();
            name.push(".rejects.jsonl");
            PathBuf::from(name)
        })
    })
}

fn open_rejects(args: &ImportArgs) -> anyhow::Result<Option<(PathBuf, BufWriter<File>)>> {
    let Some(path) = rejects_path(args) else {
        return Ok(None);
    };
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(Some((path, BufWriter::new(file))))
}

fn import<K: Kind>(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let format = format_of(&args.file, args.format)?;
    match (&args.target.hub, &args.target.key) {
        (Some(hub), Some(key)) => import_to_hub::<K>(
            &args,
            format,
            &HubClient::new(hub, key, args.target.ca_cert.as_deref())?,
        ),
        _ => import_local::<K>(&args, format),
    }
}

fn summary(counts: ImportCounts, invalid: u64, started: Instant) -> String {
    let rows = counts.inserted + counts.updated;
    let seconds = started.elapsed().as_secs_f64();
    format!(
        "{} inserted, {} updated, {} rejected in {:.1} s ({:.0} rows/s)",
        counts.inserted,
        counts.updated,
        invalid,
        seconds,
        rows as f64 / seconds.max(1e-9)
    )
}

fn import_local<K: Kind>(args: &ImportArgs, format: Format) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let bureau = args
        .target
        .bureau
        .as_deref()
        .context("say which bureau imports (the default owner) with --bureau CODE, or use --hub URL --key KEY")?;
    let bureau = member_code(bureau)?;
    let data = args.target.open_data()?;
    let store = data.store()?;
    let is_member = store
        .organisations()?
        .iter()
        .any(|organisation| organisation.country() == Some(bureau));
    if !is_member {
        bail!(
            "{bureau} is not a member bureau of this hub; add it with `palermo admin add-bureau`"
        );
    }
    // The import is the bureau's: checked and audited by the hub's use case as any write of
    // that bureau (the hub stopped, so no indexes to keep).
    let hub = Hub::open_with(
        store,
        palermo_hub::HubOptions {
            without_indexes: true,
            ..palermo_hub::HubOptions::default()
        },
    )?;
    let caller = Caller::local_operator(bureau);
    let mut reader = RowReader::<K>::open(&args.file, format)?;
    let progress = progress_bar(&args.file);
    progress.set_message(format!("importing {}", K::NAME));
    let invalid_rows = Arc::new(AtomicU64::new(0));
    let mut log = ErrorLog {
        invalid_rows: invalid_rows.clone(),
        printed: 0,
        rejects: open_rejects(args)?,
        progress: progress.clone(),
    };

    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<K::Record>>(PIPELINE_DEPTH);
    let headers = match &reader.source {
        Source::Csv { headers, .. } => Some(headers.clone()),
        Source::Jsonl { .. } => None,
    };
    let parser_progress = progress.clone();
    let parser = std::thread::spawn(move || -> anyhow::Result<u64> {
        let progress = parser_progress;
        let today = Timestamp::now().date();
        let mut batch = Vec::with_capacity(PIPELINE_BATCH_ROWS);
        let mut rows = 0u64;
        while let Some(row) = reader.next_row()? {
            rows += 1;
            let context = ValidationContext {
                today,
                default_owner: bureau,
                prefix: "",
            };
            let record = row.input.and_then(|input| {
                let record = K::validate(&input, context)
                    .map_err(|e| validation_errors::<K>(e, headers.as_ref()))?;
                let owner = K::owner(&record);
                if owner != bureau {
                    let column = headers
                        .as_ref()
                        .and_then(|h| h.iter().position(|x| x == "owner"))
                        .map(|i| i + 1);
                    return Err(vec![RowError {
                        field: Some("owner".into()),
                        column,
                        detail: format!(
                            "is {owner}: {bureau} imports its own records only (each bureau \
                             imports its records with --bureau)"
                        ),
                    }]);
                }
                Ok(record)
            });
            match record {
                Ok(record) => batch.push(record),
                Err(errors) => log.reject(row.line, row.raw.to_value(headers.as_ref()), errors)?,
            }
            if batch.len() == PIPELINE_BATCH_ROWS {
                progress.set_position(reader.bytes_read());
                if sender
                    .send(std::mem::replace(
                        &mut batch,
                        Vec::with_capacity(PIPELINE_BATCH_ROWS),
                    ))
                    .is_err()
                {
                    break; // the writer stopped; its error is reported
                }
            }
        }
        if !batch.is_empty() {
            let _ = sender.send(batch);
        }
        progress.set_position(reader.bytes_read());
        log.finish()?;
        Ok(rows)
    });

    let skip_invalid = args.skip_invalid;
    let commit = || skip_invalid || invalid_rows.load(Ordering::Relaxed) == 0;
    let written = K::import(&hub, &caller, &mut receiver.iter().flatten(), &commit);
    // A writer that stopped early (an error) must not leave the parser blocked on a full
    // channel: with the receiver gone its next send fails and it ends.
    drop(receiver);
    let rows = parser
        .join()
        .map_err(|_| anyhow::anyhow!("the parsing thread panicked"))??;
    progress.finish_and_clear();
    let written = written.context("the import failed; nothing was written")?;
    let invalid = invalid_rows.load(Ordering::Relaxed);
    match written {
        Some(counts) => {
            println!(
                "{} {}: {}",
                rows,
                K::NAME,
                summary(counts, invalid, started)
            );
            if invalid > 0
                && let Some(path) = rejects_path(args)
            {
                println!("rejected rows and their reasons: {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!(
                "{invalid} of {rows} rows are invalid; nothing was imported (use --skip-invalid to load the valid rows)"
            );
            Ok(ExitCode::from(1))
        }
    }
}

fn import_to_hub<K: Kind>(
    args: &ImportArgs,
    format: Format,
    client: &HubClient,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let metadata = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    if !metadata.is_file() {
        bail!(
            "{} is not a regular file: against a hub the file is read twice (validated in full, then sent)",
            args.file.display()
        );
    }
    // The owner defaults to the key's bureau on the hub; any member code will do to validate.
    let default_owner = CountryCode::parse("FRA").expect("code");
    let today = Timestamp::now().date();
    let context = ValidationContext {
        today,
        default_owner,
        prefix: "",
    };
    let validate = |row: Row<K::Input>,
                    headers: Option<&csv::StringRecord>|
     -> Result<K::Input, (u64, Value, Vec<RowError>)> {
        match row.input {
            Ok(input) => match K::validate(&input, context) {
                Ok(_) => Ok(input),
                Err(errors) => Err((
                    row.line,
                    row.raw.to_value(headers),
                    validation_errors::<K>(errors, headers),
                )),
            },
            Err(errors) => Err((row.line, row.raw.to_value(headers), errors)),
        }
    };
    let headers_of = |reader: &RowReader<K>| match &reader.source {
        Source::Csv { headers, .. } => Some(headers.clone()),
        Source::Jsonl { .. } => None,
    };

    // Pass 1: validate everything, so that an invalid file sends nothing.
    let progress = progress_bar(&args.file);
    progress.set_message("validating");
    let invalid_rows = Arc::new(AtomicU64::new(0));
    let mut log = ErrorLog {
        invalid_rows: invalid_rows.clone(),
        printed: 0,
        rejects: open_rejects(args)?,
        progress: progress.clone(),
    };
    let mut reader = RowReader::<K>::open(&args.file, format)?;
    let headers = headers_of(&reader);
    let mut rows = 0u64;
    while let Some(row) = reader.next_row()? {
        rows += 1;
        if let Err((line, raw, errors)) = validate(row, headers.as_ref()) {
            log.reject(line, raw, errors)?;
        }
        if rows.is_multiple_of(1024) {
            progress.set_position(reader.bytes_read());
        }
    }
    log.finish()?;
    let invalid = invalid_rows.load(Ordering::Relaxed);
    if invalid > 0 && !args.skip_invalid {
        progress.finish_and_clear();
        eprintln!(
            "{invalid} of {rows} rows are invalid; nothing was sent (use --skip-invalid to load the valid rows)"
        );
        return Ok(ExitCode::from(1));
    }

    // Pass 2: stream the valid rows in batches.
    progress.set_position(0);
    progress.set_message(format!("sending {}", K::NAME));
    let mut reader = RowReader::<K>::open(&args.file, format)?;
    let mut counts = ImportCounts::default();
    let mut batch: Vec<K::Input> = Vec::with_capacity(HUB_BATCH_ROWS);
    let mut batch_first_line = 0;
    let path = format!("/api/v1/{}/batch", K::NAME);
    let send = |batch: &mut Vec<K::Input>,
                first_line: u64,
                counts: &mut ImportCounts|
     -> anyhow::Result<()> {
        let answer = client.post(&path, &json!({ K::NAME: batch })).with_context(|| {
            format!(
                "the batch starting at line {first_line} was refused; the rows before it were written ({} inserted, {} updated)",
                counts.inserted, counts.updated
            )
        })?;
        counts.inserted += answer["inserted"].as_u64().unwrap_or(0);
        counts.updated += answer["updated"].as_u64().unwrap_or(0);
        batch.clear();
        Ok(())
    };
    while let Some(row) = reader.next_row()? {
        let line = row.line;
        if let Ok(input) = validate(row, None) {
            if batch.is_empty() {
                batch_first_line = line;
            }
            batch.push(input);
            if batch.len() == HUB_BATCH_ROWS {
                send(&mut batch, batch_first_line, &mut counts)?;
                progress.set_position(reader.bytes_read());
            }
        }
    }
    if !batch.is_empty() {
        send(&mut batch, batch_first_line, &mut counts)?;
    }
    progress.finish_and_clear();
    println!(
        "{} {}: {}",
        rows,
        K::NAME,
        summary(counts, invalid, started)
    );
    Ok(ExitCode::SUCCESS)
}

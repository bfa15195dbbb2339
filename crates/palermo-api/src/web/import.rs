//! Bulk import from the browser: a CSV file of travel documents or vehicles (the columns of
//! `docs/api.md`, as `palermo import` reads them), up to one batch of the hub's
//! (`WRITE_BATCH_MAX` rows), written in one transaction or not at all. Every bad row is
//! reported with its line, column name and what is wrong; the script shows the upload's
//! progress. Larger files go through `palermo import` or the API's batches.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use palermo_core::{DocumentInput, FieldErrors, VehicleInput};
use palermo_hub::{HubError, WRITE_BATCH_MAX};

use super::html::{csrf, layout};
use super::{Posted, WebUser, blocking, failure};
use crate::AppState;

/// A problem of the file: its line (1 is the header), the column, what is wrong.
struct Problem {
    line: usize,
    column: String,
    detail: String,
}

fn import_form(user: &WebUser) -> Markup {
    html! {
        form.stack #import-form method="post" action="/records/import" enctype="multipart/form-data" data-progress {
            (csrf(user))
            fieldset {
                legend { "Import a file" }
                label for="import-kind" { "Records" }
                select #import-kind name="kind" {
                    option value="documents" { "travel documents" }
                    option value="vehicles" { "vehicles" }
                }
                label for="import-file" { "CSV file" small { " (a header row with the columns of docs/api.md; at most " (WRITE_BATCH_MAX) " rows)" } }
                input #import-file type="file" name="file" accept=".csv,text/csv" required;
                progress #import-progress max="100" value="0" hidden aria-label="upload" {}
                button.primary type="submit" { "Import" }
            }
        }
    }
}

pub(crate) fn section(user: &WebUser) -> Markup {
    import_form(user)
}

/// Reads the CSV into inputs of `T`, each row with the line it came from; every problem of
/// every row is collected.
fn rows<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    fields: &[&str],
) -> Result<Vec<(usize, T)>, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(bytes);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            return Err(vec![Problem {
                line: 1,
                column: String::new(),
                detail: error.to_string(),
            }]);
        }
    };
    let mut problems = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        if headers.iter().take(i).any(|earlier| earlier == header) {
            problems.push(Problem {
                line: 1,
                column: header.to_owned(),
                detail: format!(
                    "column {} repeats an earlier column of the same name",
                    i + 1
                ),
            });
        } else if !fields.contains(&header) {
            problems.push(Problem {
                line: 1,
                column: header.to_owned(),
                detail: format!(
                    "column {} is unknown; the columns are {}",
                    i + 1,
                    fields.join(", ")
                ),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Vec::new();
    for (index, record) in reader.records().enumerate() {
        // The line the row starts on (a quoted field may span lines).
        let line = match &record {
            Ok(record) => record.position().map(|p| p.line() as usize),
            Err(error) => error.position().map(|p| p.line() as usize),
        }
        .unwrap_or(index + 2);
        if out.len() + problems.len() >= WRITE_BATCH_MAX {
            problems.push(Problem {
                line,
                column: String::new(),
                detail: format!("more than {WRITE_BATCH_MAX} rows: import larger files with `palermo import` or the API"),
            });
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(Problem {
                    line,
                    column: String::new(),
                    detail: error.to_string(),
                });
                continue;
            }
        };
        let object: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .zip(record.iter())
            .filter(|(_, value)| !value.is_empty())
            .map(|(h, v)| {
                let value = if h == "restriction_countries" {
                    v.split([',', ' '])
                        .filter(|c| !c.is_empty())
                        .map(|c| serde_json::Value::String(c.to_owned()))
                        .collect()
                } else {
                    serde_json::Value::String(v.to_owned())
                };
                (h.to_owned(), value)
            })
            .collect();
        match super::input_from::<T>(&object, "") {
            Ok(input) => out.push((line, input)),
            Err(error) => problems.push(Problem {
                line,
                column: error.field,
                detail: error.detail,
            }),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// [`rows`] on a blocking thread: a file of megabytes is CPU work for the async workers.
async fn parse<T: serde::de::DeserializeOwned + Send + 'static>(
    bytes: axum::body::Bytes,
    fields: &'static [&'static str],
) -> Result<Vec<(usize, T)>, Vec<Problem>> {
    tokio::task::spawn_blocking(move || rows::<T>(&bytes, fields))
        .await
        .unwrap_or_else(|error| {
            Err(vec![Problem {
                line: 0,
                column: String::new(),
                detail: format!("the file could not be read: {error}"),
            }])
        })
}

/// The hub's errors (`records[3].number`) as lines of the file.
fn problems_of(errors: FieldErrors, lines: &[usize]) -> Vec<Problem> {
    errors
        .0
        .into_iter()
        .map(|e| {
            let (line, column) = e
                .field
                .strip_prefix("records[")
                .and_then(|rest| rest.split_once(']'))
                .and_then(|(i, rest)| {
                    Some((
                        lines.get(i.parse::<usize>().ok()?).copied()?,
                        rest.trim_start_matches('.').to_owned(),
                    ))
                })
                .unwrap_or((0, e.field.clone()));
            Problem {
                line,
                column,
                detail: e.detail,
            }
        })
        .collect()
}

fn report(user: &WebUser, name: &str, problems: &[Problem]) -> Response {
    let content = html! {
        div.problem role="alert" #import-errors {
            strong { (name) ": nothing was imported" }
            p { (problems.len()) " problems; mend them and send the file again." }
        }
        div.scroll { table {
            thead { tr { th { "Line" } th { "Column" } th { "Problem" } } }
            tbody { @for p in problems { tr { td { @if p.line > 0 { (p.line) } } td { code { (p.column) } } td { (p.detail) } } } }
        } }
        (import_form(user))
    };
    super::with_status(
        layout(user, "Import refused", "/records", content),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

pub(crate) async fn submit(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { user, form } = posted;
    let Some(file) = form.files("file").next() else {
        return report(
            &user,
            "No file",
            &[Problem {
                line: 0,
                column: "file".into(),
                detail: "choose a CSV file".into(),
            }],
        );
    };
    let name = file.name.clone();
    let bytes = file.bytes.clone();
    let caller = user.caller.clone();
    let outcome = match form.get("kind") {
        Some("vehicles") => match parse::<VehicleInput>(bytes, VehicleInput::FIELDS).await {
            Ok(rows) => write(&state, caller, rows, palermo_hub::Hub::write_vehicles).await,
            Err(problems) => Err(problems),
        },
        _ => match parse::<DocumentInput>(bytes, DocumentInput::FIELDS).await {
            Ok(rows) => write(&state, caller, rows, palermo_hub::Hub::write_documents).await,
            Err(problems) => Err(problems),
        },
    };
    match outcome {
        Ok(Ok(written)) => {
            let content = html! {
                p.notice role="status" #import-done {
                    (name) ": " (written.inserted) " records added, " (written.updated) " updated, in one transaction."
                    @if written.updated > 0 { " A row with the reference of one of your records replaces it (and brings a withdrawn one back), as `palermo import` does." }
                }
                (import_form(&user))
            };
            layout(&user, "Imported", "/records", content)
        }
        Ok(Err(error)) => failure(Some(&user), error),
        Err(problems) => report(&user, &name, &problems),
    }
}

type Batch<T> = fn(
    &palermo_hub::Hub,
    &palermo_hub::Caller,
    &[T],
    &str,
) -> palermo_hub::Result<palermo_hub::BatchWritten>;

/// Writes the rows as one batch; the hub's refusal of a row comes back as its line.
async fn write<T: Send + Sync + 'static>(
    state: &AppState,
    caller: palermo_hub::Caller,
    rows: Vec<(usize, T)>,
    batch: Batch<T>,
) -> Result<palermo_hub::Result<palermo_hub::BatchWritten>, Vec<Problem>> {
    let (lines, inputs): (Vec<usize>, Vec<T>) = rows.into_iter().unzip();
    if inputs.is_empty() {
        return Err(vec![Problem {
            line: 2,
            column: String::new(),
            detail: "the file holds no row".into(),
        }]);
    }
    match blocking(state, move |hub| batch(hub, &caller, &inputs, "records")).await {
        Err(HubError::Invalid(errors)) => Err(problems_of(errors, &lines)),
        other => Ok(other),
    }
}

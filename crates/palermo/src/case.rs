//! `palermo case`: submit trafficking case reports and read cases, their versions and links,
//! against a running hub (`--hub URL --key KEY`) or on a data directory for a bureau
//! (`--bureau CODE`), through the hub's use cases either way (checked and audited alike).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use palermo_hub::{Caller, Hub, HubError};
use serde_json::Value;

use crate::Target;
use crate::client::HubClient;
use crate::datadir::member_code;

#[derive(Subcommand)]
pub enum CaseCommand {
    /// Submit a case report (format version 1, docs/case-report.md) from a JSON file: a new
    /// case, or the next version of the bureau's case with the same reference. Every problem
    /// is printed with its JSON pointer; nothing is stored unless the whole report is valid.
    Submit(FileArgs),
    /// One case, as JSON, as the caller may see it.
    Show(IdArgs),
    /// Cases the caller may see, newest first, as JSON lines.
    List(ListArgs),
    /// A case's versions, as JSON lines (its owner and the secretariat).
    Versions(IdArgs),
    /// The other cases a case shares identifiers with, as JSON lines.
    Links(IdArgs),
    /// The graph of cases and entities around a case, as JSON (nodes, edges).
    Network(NetworkArgs),
    /// The records of the persons, documents and vehicles databases a case's entities match,
    /// as JSON lines (whom to contact; the record where the caller may see it).
    Records(IdArgs),
    /// A case's investigation checklist, as JSON; `--tick ITEM` (or `--untick ITEM`) with an
    /// optional `--note` ticks one item first (the reporting bureau only).
    Checklist(ChecklistArgs),
    /// The users the reporting bureau lets see a case's victims' identities, as JSON lines.
    Grants(IdArgs),
    /// Let a named user of another member bureau, or of the secretariat, see a case's
    /// victims' identities (the reporting bureau only).
    Grant(GrantArgs),
    /// Withdraw a user's grant.
    Revoke(GrantArgs),
    /// A case as FollowTheMoney entities, one JSON object per line, as the caller may see it.
    Export(IdArgs),
    /// Normalise identifiers as the hub does (no hub needed): JSON lines on standard input,
    /// `{"kind": "phone", "value": "06 12 34 56 78", "country": "FRA"}` (kinds: phone, email,
    /// iban, bic, handle:PLATFORM), one answer per line on standard output,
    /// `{"normalised": "+33612345678", "extension": null}` or `{"error": "…"}`.
    Identifiers,
    /// Print the case report's JSON Schema (as the hub publishes it at
    /// /api/v1/schemas/case-report-v1.json), to validate reports before sending them.
    Schema,
}

#[derive(Args)]
pub struct FileArgs {
    file: PathBuf,
    #[command(flatten)]
    target: Target,
}

#[derive(Args)]
pub struct IdArgs {
    id: i64,
    #[command(flatten)]
    target: Target,
}

#[derive(Args)]
pub struct NetworkArgs {
    id: i64,
    /// How many links out from the case (1 to 3).
    #[arg(long, default_value_t = 2)]
    hops: usize,
    #[command(flatten)]
    target: Target,
}

#[derive(Args)]
pub struct ChecklistArgs {
    id: i64,
    /// Tick this item (`list/item`, as the checklist lists it).
    #[arg(long, conflicts_with = "untick")]
    tick: Option<String>,
    /// Untick this item.
    #[arg(long)]
    untick: Option<String>,
    /// What was done, or why not.
    #[arg(long)]
    note: Option<String>,
    #[command(flatten)]
    target: Target,
}

#[derive(Args)]
pub struct GrantArgs {
    id: i64,
    /// The user's sign-in name.
    username: String,
    #[command(flatten)]
    target: Target,
}

#[derive(Args)]
pub struct ListArgs {
    /// Only this bureau's cases (ISO 3166-1 alpha-3).
    #[arg(long)]
    owner: Option<String>,
    #[arg(long, default_value_t = 50)]
    limit: usize,
    #[command(flatten)]
    target: Target,
}

enum Via {
    Local(Box<Hub>, Caller),
    Remote(HubClient),
}

fn open(target: &Target) -> anyhow::Result<Via> {
    if let (Some(hub), Some(key)) = (&target.hub, &target.key) {
        anyhow::ensure!(
            target.bureau.is_none(),
            "with --hub, the key says who acts: leave out --bureau"
        );
        return Ok(Via::Remote(HubClient::new(
            hub,
            key,
            target.ca_cert.as_deref(),
        )?));
    }
    let bureau = target
        .bureau
        .as_deref()
        .context("say who acts: --bureau CODE (or --hub URL --key KEY)")?;
    Ok(Via::Local(
        Box::new(target.open_data()?.hub()?),
        Caller::local_operator(member_code(bureau)?),
    ))
}

/// A refused report: one line per problem, with its pointer.
fn explain(error: HubError, file: &std::path::Path) -> anyhow::Error {
    match error {
        HubError::Invalid(errors) => {
            let lines: Vec<String> = errors
                .0
                .iter()
                .map(|e| {
                    let at = if e.field.is_empty() {
                        "(the report)"
                    } else {
                        &e.field
                    };
                    format!("  {at}: {}", e.detail)
                })
                .collect();
            anyhow::anyhow!(
                "{} was refused, nothing was stored ({} problems):\n{}",
                file.display(),
                lines.len(),
                lines.join("\n")
            )
        }
        other => other.into(),
    }
}

fn lines(values: &[Value]) -> anyhow::Result<ExitCode> {
    for value in values {
        println!("{}", serde_json::to_string(value)?);
    }
    Ok(ExitCode::SUCCESS)
}

fn array(body: Value, field: &str) -> Vec<Value> {
    body[field].as_array().cloned().unwrap_or_default()
}

fn values<T: serde::Serialize>(items: Vec<T>) -> anyhow::Result<Vec<Value>> {
    Ok(items
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?)
}

/// `case identifiers`: each input line answered on its own line, in order.
fn identifiers() -> anyhow::Result<ExitCode> {
    use std::io::{BufRead, Write};
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line.context("cannot read standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<Value>(&line) {
            Err(e) => serde_json::json!({"error": format!("line {}: not JSON: {e}", i + 1)}),
            Ok(query) => {
                let text = |key: &str| query[key].as_str().unwrap_or_default().to_owned();
                let country = query["country"].as_str().map(|c| {
                    palermo_core::CountryCode::parse(c.trim())
                        .ok_or_else(|| format!("{c:?} is not an ISO 3166-1 alpha-3 country code"))
                });
                match country.transpose().and_then(|country| {
                    palermo_core::case::ident::normalise(&text("kind"), &text("value"), country)
                }) {
                    Ok((normalised, extension)) => {
                        serde_json::json!({"normalised": normalised, "extension": extension})
                    }
                    Err(error) => serde_json::json!({"error": error}),
                }
            }
        };
        writeln!(out, "{answer}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn run(command: CaseCommand) -> anyhow::Result<ExitCode> {
    match command {
        CaseCommand::Identifiers => identifiers(),
        CaseCommand::Schema => {
            let schema = palermo_core::case::schema::report_schema();
            println!("{}", serde_json::to_string_pretty(&schema)?);
            Ok(ExitCode::SUCCESS)
        }
        CaseCommand::Submit(args) => {
            let size = std::fs::metadata(&args.file)
                .with_context(|| format!("cannot read {}", args.file.display()))?
                .len();
            let max = palermo_core::case::REPORT_BYTES_MAX as u64;
            anyhow::ensure!(
                size <= max,
                "{} is {size} bytes; a report is at most {max}",
                args.file.display()
            );
            let bytes = std::fs::read(&args.file)
                .with_context(|| format!("cannot read {}", args.file.display()))?;
            let view = match open(&args.target)? {
                Via::Local(hub, caller) => serde_json::to_value(
                    hub.submit_case(&caller, &bytes)
                        .map_err(|e| explain(e, &args.file))?,
                )?,
                Via::Remote(client) => {
                    let report: Value = serde_json::from_slice(&bytes).map_err(|e| {
                        anyhow::anyhow!(
                            "{}: line {}, column {}: {e}",
                            args.file.display(),
                            e.line(),
                            e.column()
                        )
                    })?;
                    client.send("POST", "/api/v1/cases", Some(&report))?
                }
            };
            println!(
                "case {} ({} {}), version {}",
                view["id"],
                view["owner"].as_str().unwrap_or_default(),
                view["reference"].as_str().unwrap_or_default(),
                view["version"]
            );
            Ok(ExitCode::SUCCESS)
        }
        CaseCommand::Show(args) => {
            let view = match open(&args.target)? {
                Via::Local(hub, caller) => serde_json::to_value(hub.case(&caller, args.id)?)?,
                Via::Remote(client) => client.get(&format!("/api/v1/cases/{}", args.id), &[])?,
            };
            println!("{}", serde_json::to_string_pretty(&view)?);
            Ok(ExitCode::SUCCESS)
        }
        CaseCommand::List(args) => {
            let found = match open(&args.target)? {
                Via::Local(hub, caller) => {
                    values(hub.cases(&caller, args.owner.as_deref(), None, args.limit)?)?
                }
                Via::Remote(client) => {
                    let limit = args.limit.to_string();
                    let mut query = vec![("limit", limit.as_str())];
                    if let Some(owner) = &args.owner {
                        query.push(("owner", owner));
                    }
                    array(client.get("/api/v1/cases", &query)?, "cases")
                }
            };
            lines(&found)
        }
        CaseCommand::Versions(args) => {
            let found = match open(&args.target)? {
                Via::Local(hub, caller) => values(hub.case_versions(&caller, args.id)?)?,
                Via::Remote(client) => array(
                    client.get(&format!("/api/v1/cases/{}/versions", args.id), &[])?,
                    "versions",
                ),
            };
            lines(&found)
        }
        CaseCommand::Network(args) => {
            let view = match open(&args.target)? {
                Via::Local(hub, caller) => {
                    serde_json::to_value(hub.case_network(&caller, args.id, args.hops)?)?
                }
                Via::Remote(client) => {
                    let hops = args.hops.to_string();
                    client.get(
                        &format!("/api/v1/cases/{}/network", args.id),
                        &[("hops", hops.as_str())],
                    )?
                }
            };
            println!("{}", serde_json::to_string_pretty(&view)?);
            Ok(ExitCode::SUCCESS)
        }
        CaseCommand::Records(args) => {
            let found = match open(&args.target)? {
                Via::Local(hub, caller) => values(hub.case_record_links(&caller, args.id)?)?,
                Via::Remote(client) => array(
                    client.get(&format!("/api/v1/cases/{}/records", args.id), &[])?,
                    "records",
                ),
            };
            lines(&found)
        }
        CaseCommand::Checklist(args) => {
            let tick = match (&args.tick, &args.untick) {
                (Some(item), _) => Some((item.clone(), true)),
                (None, Some(item)) => Some((item.clone(), false)),
                (None, None) => {
                    anyhow::ensure!(args.note.is_none(), "--note goes with --tick or --untick");
                    None
                }
            };
            let input = tick.map(|(item, done)| palermo_hub::case_work::TickInput {
                item: Some(item),
                done: Some(done),
                note: args.note.clone(),
            });
            let view = match (open(&args.target)?, input) {
                (Via::Local(hub, caller), Some(input)) => {
                    serde_json::to_value(hub.tick_case_item(&caller, args.id, &input)?)?
                }
                (Via::Local(hub, caller), None) => {
                    serde_json::to_value(hub.case_checklist(&caller, args.id)?)?
                }
                (Via::Remote(client), Some(input)) => client.send(
                    "POST",
                    &format!("/api/v1/cases/{}/checklist", args.id),
                    Some(&serde_json::to_value(&input)?),
                )?,
                (Via::Remote(client), None) => {
                    client.get(&format!("/api/v1/cases/{}/checklist", args.id), &[])?
                }
            };
            println!("{}", serde_json::to_string_pretty(&view)?);
            Ok(ExitCode::SUCCESS)
        }
        CaseCommand::Grants(args) => {
            let found = match open(&args.target)? {
                Via::Local(hub, caller) => values(hub.case_grants(&caller, args.id)?)?,
                Via::Remote(client) => array(
                    client.get(&format!("/api/v1/cases/{}/grants", args.id), &[])?,
                    "grants",
                ),
            };
            lines(&found)
        }
        CaseCommand::Grant(args) => {
            let input = palermo_hub::case_work::GrantInput {
                username: Some(args.username.clone()),
            };
            let view = match open(&args.target)? {
                Via::Local(hub, caller) => {
                    serde_json::to_value(hub.grant_case(&caller, args.id, &input)?)?
                }
                Via::Remote(client) => client.send(
                    "POST",
                    &format!("/api/v1/cases/{}/grants", args.id),
                    Some(&serde_json::to_value(&input)?),
                )?,
            };
            println!(
                "{} may see the victims' identities of case {}",
                view["username"].as_str().unwrap_or_default(),
                args.id
            );
            Ok(ExitCode::SUCCESS)
        }
        CaseCommand::Revoke(args) => {
            match open(&args.target)? {
                Via::Local(hub, caller) => {
                    hub.revoke_case_grant(&caller, args.id, &args.username)?
                }
                Via::Remote(client) => {
                    client.send(
                        "DELETE",
                        &format!("/api/v1/cases/{}/grants/{}", args.id, args.username),
                        None,
                    )?;
                }
            }
            println!(
                "{} no longer sees the victims' identities of case {}",
                args.username, args.id
            );
            Ok(ExitCode::SUCCESS)
        }
        CaseCommand::Export(args) => match open(&args.target)? {
            Via::Local(hub, caller) => lines(&hub.case_ftm(&caller, args.id)?),
            Via::Remote(client) => {
                print!(
                    "{}",
                    client.get_text(&format!("/api/v1/cases/{}/ftm", args.id))?
                );
                Ok(ExitCode::SUCCESS)
            }
        },
        CaseCommand::Links(args) => {
            let found = match open(&args.target)? {
                Via::Local(hub, caller) => values(hub.case_links(&caller, args.id)?)?,
                Via::Remote(client) => array(
                    client.get(&format!("/api/v1/cases/{}/links", args.id), &[])?,
                    "links",
                ),
            };
            lines(&found)
        }
    }
}

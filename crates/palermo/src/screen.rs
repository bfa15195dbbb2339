//! `palermo screen`: persons against a running hub or a data directory; one from the command
//! line, or a file of queries (JSONL in, JSONL out).

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use palermo_hub::persons::SCREEN_BATCH_MAX;
use palermo_hub::{Caller, PersonQuery};
use serde_json::{Value, json};

use crate::Target;
use crate::client::HubClient;
use crate::datadir::member_code;

#[derive(Subcommand)]
pub enum ScreenCommand {
    /// Screen one person; prints the ranked candidates.
    Person(PersonArgs),
    /// Screen a JSONL file of {"qid", "name", "birth_date", "nationality", "sex"} lines;
    /// writes {"qid", "candidates": […]} lines, best candidate first, to standard output.
    Persons(FileArgs),
    /// Screen a passenger manifest (a UN/EDIFACT PAXLST interchange): every traveller's
    /// documents and every traveller. Prints the summary (hits, possible hits, the reasons).
    Manifest(ManifestArgs),
}

#[derive(Args)]
pub struct ManifestArgs {
    /// The interchange, as the airline sent it (`-` for standard input).
    file: PathBuf,
    /// Print the whole report as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    target: Target,
}

fn manifest(args: ManifestArgs) -> anyhow::Result<ExitCode> {
    let message = if args.file.as_os_str() == "-" {
        let mut buffer = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buffer)?;
        buffer
    } else {
        std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?
    };
    let target = &args.target;
    let report = if let (Some(hub), Some(key)) = (&target.hub, &target.key) {
        HubClient::new(hub, key, target.ca_cert.as_deref())?.post_raw(
            "/api/v1/checks/manifests",
            "application/edifact",
            &message,
        )?
    } else {
        let bureau = target.bureau.as_deref().context(
            "say which bureau you act for with --bureau CODE (or use --hub URL --key KEY)",
        )?;
        let caller = Caller::local_operator(member_code(bureau)?);
        let hub = target.open_data()?.hub()?;
        serde_json::to_value(hub.screen_manifest(&caller, &message)?)?
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for line in report["summary"].as_array().into_iter().flatten() {
            println!("{}", line.as_str().unwrap_or_default());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct PersonArgs {
    #[arg(long)]
    name: String,
    #[arg(long)]
    birth_date: Option<String>,
    #[arg(long)]
    nationality: Option<String>,
    #[arg(long)]
    sex: Option<String>,
    /// The score from which a candidate is a hit (default 0.8).
    #[arg(long)]
    threshold: Option<f64>,
    /// Print the whole result as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    target: Target,
}

#[derive(Args)]
pub struct FileArgs {
    file: PathBuf,
    #[arg(long)]
    threshold: Option<f64>,
    #[command(flatten)]
    target: Target,
}

/// Screens a batch against the hub or the data directory; one result per query.
fn screen(
    target: &Target,
    queries: &[PersonQuery],
    threshold: Option<f64>,
    local: &mut Option<(palermo_hub::Hub, Caller)>,
) -> anyhow::Result<Vec<Value>> {
    if let (Some(hub), Some(key)) = (&target.hub, &target.key) {
        let client = HubClient::new(hub, key, target.ca_cert.as_deref())?;
        let answer = client.post(
            "/api/v1/checks/persons",
            &json!({"persons": queries, "threshold": threshold}),
        )?;
        return Ok(answer["results"].as_array().cloned().unwrap_or_default());
    }
    if local.is_none() {
        let bureau = target.bureau.as_deref().context(
            "say which bureau you act for with --bureau CODE (or use --hub URL --key KEY)",
        )?;
        let caller = Caller::local_operator(member_code(bureau)?);
        *local = Some((target.open_data()?.hub()?, caller));
    }
    let (hub, caller) = local.as_ref().expect("opened above");
    let results = hub
        .screen_persons(caller, queries, threshold)?
        .record(hub)?;
    Ok(results
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?)
}

pub fn run(command: ScreenCommand) -> anyhow::Result<ExitCode> {
    match command {
        ScreenCommand::Manifest(args) => manifest(args),
        ScreenCommand::Person(args) => {
            let query = PersonQuery {
                qid: None,
                name: Some(args.name.clone()),
                names: Vec::new(),
                birth_date: args.birth_date.clone(),
                nationality: args.nationality.clone(),
                sex: args.sex.clone(),
            };
            let mut results = screen(&args.target, &[query], args.threshold, &mut None)?;
            let result = results.pop().unwrap_or(Value::Null);
            if args.json {
                println!("{}", serde_json::to_string_pretty(&result)?);
                return Ok(ExitCode::SUCCESS);
            }
            let candidates = result["candidates"].as_array().cloned().unwrap_or_default();
            println!(
                "{} ({} candidates)",
                if result["hit"] == true {
                    "HIT"
                } else {
                    "NO HIT"
                },
                candidates.len()
            );
            for c in candidates {
                let parts: Vec<String> = c["explanation"]["name_parts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        format!(
                            "{}={} ({})",
                            p["query"].as_str().unwrap_or(""),
                            p["candidate"].as_str().unwrap_or(""),
                            p["how"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                println!(
                    "  {:.3} {} record {} {} born {} owner {}: {}; birth date {}",
                    c["score"].as_f64().unwrap_or(0.0),
                    if c["hit"] == true { "HIT" } else { "   " },
                    c["record_id"],
                    c["name"].as_str().unwrap_or(""),
                    c["birth_date"].as_str().unwrap_or("?"),
                    c["owner"].as_str().unwrap_or(""),
                    parts.join(", "),
                    c["explanation"]["birth_date"].as_str().unwrap_or("")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ScreenCommand::Persons(args) => {
            let file = std::fs::File::open(&args.file)
                .with_context(|| format!("cannot open {}", args.file.display()))?;
            let stdout = std::io::stdout().lock();
            let mut out = BufWriter::new(stdout);
            let mut local = None;
            let mut batch: Vec<PersonQuery> = Vec::new();
            let mut flush = |batch: &mut Vec<PersonQuery>,
                             out: &mut BufWriter<_>|
             -> anyhow::Result<()> {
                if batch.is_empty() {
                    return Ok(());
                }
                for result in screen(&args.target, batch, args.threshold, &mut local)? {
                    let line = json!({"qid": result["qid"], "candidates": result["candidates"]});
                    writeln!(out, "{line}")?;
                }
                batch.clear();
                Ok(())
            };
            for (i, line) in BufReader::new(file).lines().enumerate() {
                let line = line.with_context(|| format!("line {}", i + 1))?;
                if line.trim().is_empty() {
                    continue;
                }
                let query: PersonQuery = palermo_hub::json::parse(line.as_bytes())
                    .map_err(|error| anyhow::anyhow!("line {}: {error}", i + 1))?;
                batch.push(query);
                if batch.len() == SCREEN_BATCH_MAX {
                    flush(&mut batch, &mut out)?;
                }
            }
            flush(&mut batch, &mut out)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

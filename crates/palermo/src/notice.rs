//! `palermo notice`: request, evaluate, read, list and move notices and diffusions, against a
//! running hub (`--hub URL --key KEY`: the key says who acts) or on a data directory, through
//! the hub's use cases either way (checked and audited alike). On a data directory a bureau
//! acts with `--bureau CODE`, the secretariat's reviewer with `--secretariat`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use palermo_core::notice::NoticeInput;
use palermo_core::notice::rules::Override;
use palermo_hub::{Caller, Hub, NoticeListQuery, NoticeMoveInput};
use serde_json::Value;

use crate::Target;
use crate::client::HubClient;
use crate::datadir::member_code;

/// Largest request file read.
const REQUEST_FILE_MAX_BYTES: u64 = 1024 * 1024;

#[derive(Subcommand)]
pub enum NoticeCommand {
    /// Request a notice (stored as a draft) or send a diffusion, from a JSON file; prints
    /// its id and state.
    Request(FileArgs),
    /// Evaluate a request without storing it: every field problem, every rule's verdict.
    Evaluate(FileArgs),
    /// One notice, as JSON.
    Show(IdArgs),
    /// Notices the caller may see, newest first, as JSON lines.
    List(ListArgs),
    /// A notice's history, as JSON lines.
    History(IdArgs),
    /// The owner sends its draft for review.
    Submit(MoveArgs),
    /// A reviewer takes a submitted request up; prints the rules' checklist.
    Review(MoveArgs),
    /// A reviewer publishes the request (with --override for each rule that failed).
    Publish(MoveArgs),
    /// A reviewer refuses the request (--reason required).
    Refuse(MoveArgs),
    /// The owner changes the request (--request FILE.json).
    Update(MoveArgs),
    Suspend(MoveArgs),
    Resume(MoveArgs),
    /// The owner confirms a notice for another five years.
    Confirm(MoveArgs),
    Cancel(MoveArgs),
    /// A reviewer finds a diffusion compliant with the rules.
    FindCompliant(MoveArgs),
    /// A reviewer finds a diffusion not compliant (--reason required): it stops hitting.
    FindNonCompliant(MoveArgs),
}

#[derive(Args)]
pub struct Acting {
    #[command(flatten)]
    target: Target,
    /// Act as the secretariat's reviewer (from the console of the data directory).
    #[arg(long, conflicts_with = "bureau")]
    secretariat: bool,
}

#[derive(Args)]
pub struct FileArgs {
    /// The request, as JSON (docs/notices.md: what each kind requires, and an example).
    file: PathBuf,
    #[command(flatten)]
    acting: Acting,
}

#[derive(Args)]
pub struct IdArgs {
    id: i64,
    #[command(flatten)]
    acting: Acting,
}

#[derive(Args)]
pub struct ListArgs {
    #[arg(long)]
    owner: Option<String>,
    #[arg(long)]
    kind: Option<String>,
    #[arg(long)]
    state: Option<String>,
    #[arg(long)]
    person: Option<i64>,
    #[arg(long)]
    limit: Option<usize>,
    #[command(flatten)]
    acting: Acting,
}

#[derive(Args)]
pub struct MoveArgs {
    id: i64,
    /// Why (required to refuse, suspend, cancel, find non-compliant).
    #[arg(long)]
    reason: Option<String>,
    /// A failed rule overridden, RULE=JUSTIFICATION (publish, find-compliant); repeat.
    #[arg(long = "override")]
    overrides: Vec<String>,
    /// The request as it should now read (update).
    #[arg(long)]
    request: Option<PathBuf>,
    #[command(flatten)]
    acting: Acting,
}

fn read_request(path: &Path) -> anyhow::Result<NoticeInput> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    anyhow::ensure!(
        size <= REQUEST_FILE_MAX_BYTES,
        "{} is {size} bytes; a request is at most {REQUEST_FILE_MAX_BYTES}",
        path.display()
    );
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: line {}, column {}: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// Where the use cases run: on this process's hub over a data directory, or a running hub's.
enum Via {
    Local(Box<Hub>, Caller),
    Remote(HubClient),
}

/// The API path of a request's channel (`notices` or `diffusions`).
fn channel(input: &NoticeInput) -> &'static str {
    let diffusion = input
        .kind
        .as_deref()
        .and_then(palermo_core::notice::RequestKind::parse)
        .is_some_and(|kind| kind.is_diffusion());
    if diffusion { "diffusions" } else { "notices" }
}

impl Acting {
    fn open(&self) -> anyhow::Result<Via> {
        if let (Some(hub), Some(key)) = (&self.target.hub, &self.target.key) {
            anyhow::ensure!(
                !self.secretariat && self.target.bureau.is_none(),
                "with --hub, the key says who acts: leave out --bureau and --secretariat"
            );
            return Ok(Via::Remote(HubClient::new(
                hub,
                key,
                self.target.ca_cert.as_deref(),
            )?));
        }
        let caller = if self.secretariat {
            Caller::console()
        } else {
            let bureau = self.target.bureau.as_deref().context(
                "say who acts: --bureau CODE for a bureau, --secretariat for the secretariat's reviewer (or --hub URL --key KEY)",
            )?;
            Caller::local_operator(member_code(bureau)?)
        };
        Ok(Via::Local(
            Box::new(self.target.open_data()?.hub()?),
            caller,
        ))
    }
}

impl Via {
    fn request(&self, input: &NoticeInput) -> anyhow::Result<Value> {
        match self {
            Via::Local(hub, caller) => {
                Ok(serde_json::to_value(hub.request_notice(caller, input)?)?)
            }
            Via::Remote(client) => client.post(&format!("/api/v1/{}", channel(input)), input),
        }
    }

    fn evaluate(&self, input: &NoticeInput) -> anyhow::Result<Value> {
        match self {
            Via::Local(hub, caller) => {
                Ok(serde_json::to_value(hub.evaluate_notice(caller, input)?)?)
            }
            Via::Remote(client) => {
                client.post(&format!("/api/v1/{}/evaluate", channel(input)), input)
            }
        }
    }

    fn show(&self, id: i64) -> anyhow::Result<Value> {
        match self {
            Via::Local(hub, caller) => Ok(serde_json::to_value(hub.notice(caller, id)?)?),
            Via::Remote(client) => client.get(&format!("/api/v1/notices/{id}"), &[]),
        }
    }

    fn history(&self, id: i64) -> anyhow::Result<Vec<Value>> {
        match self {
            Via::Local(hub, caller) => Ok(hub
                .notice_history(caller, id)?
                .iter()
                .map(serde_json::to_value)
                .collect::<Result<_, _>>()?),
            Via::Remote(client) => {
                let body = client.get(&format!("/api/v1/notices/{id}/history"), &[])?;
                Ok(body["events"].as_array().cloned().unwrap_or_default())
            }
        }
    }

    /// Notices and diffusions, newest first.
    fn list(&self, query: &NoticeListQuery) -> anyhow::Result<Vec<Value>> {
        match self {
            Via::Local(hub, caller) => Ok(hub
                .notices(caller, query)?
                .iter()
                .map(serde_json::to_value)
                .collect::<Result<_, _>>()?),
            Via::Remote(client) => {
                let limit = query.limit.map(|l| l.to_string());
                let person = query.person.map(|p| p.to_string());
                let mut params: Vec<(&str, &str)> = Vec::new();
                for (name, value) in [
                    ("owner", query.owner.as_deref()),
                    ("kind", query.kind.as_deref()),
                    ("state", query.state.as_deref()),
                    ("person", person.as_deref()),
                    ("limit", limit.as_deref()),
                ] {
                    if let Some(value) = value {
                        params.push((name, value));
                    }
                }
                // A kind belongs to one channel; without one, both are read.
                let kind = query
                    .kind
                    .as_deref()
                    .and_then(palermo_core::notice::RequestKind::parse);
                let mut all = Vec::new();
                for (path, field, diffusion) in [
                    ("/api/v1/notices", "notices", false),
                    ("/api/v1/diffusions", "diffusions", true),
                ] {
                    if kind.is_some_and(|k| k.is_diffusion() != diffusion) {
                        continue;
                    }
                    let body = client.get(path, &params)?;
                    all.extend(body[field].as_array().cloned().unwrap_or_default());
                }
                all.sort_by_key(|view| std::cmp::Reverse(view["id"].as_i64()));
                all.truncate(
                    query
                        .limit
                        .unwrap_or(palermo_hub::notices::NOTICES_PAGE_DEFAULT),
                );
                Ok(all)
            }
        }
    }

    fn transition(&self, id: i64, input: &NoticeMoveInput) -> anyhow::Result<Value> {
        match self {
            Via::Local(hub, caller) => {
                Ok(serde_json::to_value(hub.move_notice(caller, id, input)?)?)
            }
            Via::Remote(client) => {
                let mut body = serde_json::json!({"transition": input.transition});
                if let Some(reason) = &input.reason {
                    body["reason"] = serde_json::json!(reason);
                }
                if !input.overrides.is_empty() {
                    body["overrides"] = serde_json::to_value(&input.overrides)?;
                }
                if let Some(request) = &input.request {
                    body["request"] = serde_json::to_value(request)?;
                }
                client.send(
                    "POST",
                    &format!("/api/v1/notices/{id}/transitions"),
                    Some(&body),
                )
            }
        }
    }
}

fn print_checklist(rules: &Value) {
    for rule in rules.as_array().into_iter().flatten() {
        let evidence: Vec<&str> = rule["evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        println!(
            "{} {}: {}",
            rule["verdict"].as_str().unwrap_or_default(),
            rule["rule"].as_str().unwrap_or_default(),
            evidence.join("; ")
        );
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub fn run(command: NoticeCommand) -> anyhow::Result<ExitCode> {
    let (transition, args) = match command {
        NoticeCommand::Request(args) => {
            let input = read_request(&args.file)?;
            let view = args.acting.open()?.request(&input)?;
            println!(
                "{} {} {}",
                text(&view["id"]),
                text(&view["kind"]),
                text(&view["state"])
            );
            return Ok(ExitCode::SUCCESS);
        }
        NoticeCommand::Evaluate(args) => {
            let input = read_request(&args.file)?;
            let evaluation = args.acting.open()?.evaluate(&input)?;
            for error in evaluation["errors"].as_array().into_iter().flatten() {
                println!(
                    "invalid {}: {}",
                    text(&error["field"]),
                    text(&error["detail"])
                );
            }
            print_checklist(&evaluation["checklist"]);
            return Ok(if evaluation["valid"] == true {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        NoticeCommand::Show(args) => {
            print_json(&args.acting.open()?.show(args.id)?)?;
            return Ok(ExitCode::SUCCESS);
        }
        NoticeCommand::History(args) => {
            for event in args.acting.open()?.history(args.id)? {
                println!("{}", serde_json::to_string(&event)?);
            }
            return Ok(ExitCode::SUCCESS);
        }
        NoticeCommand::List(args) => {
            let query = NoticeListQuery {
                owner: args.owner,
                kind: args.kind,
                state: args.state,
                person: args.person,
                diffusion: None,
                before: None,
                limit: args.limit,
            };
            for view in args.acting.open()?.list(&query)? {
                println!("{}", serde_json::to_string(&view)?);
            }
            return Ok(ExitCode::SUCCESS);
        }
        NoticeCommand::Submit(args) => ("submit", args),
        NoticeCommand::Review(args) => ("start_review", args),
        NoticeCommand::Publish(args) => ("publish", args),
        NoticeCommand::Refuse(args) => ("refuse", args),
        NoticeCommand::Update(args) => ("update", args),
        NoticeCommand::Suspend(args) => ("suspend", args),
        NoticeCommand::Resume(args) => ("resume", args),
        NoticeCommand::Confirm(args) => ("confirm", args),
        NoticeCommand::Cancel(args) => ("cancel", args),
        NoticeCommand::FindCompliant(args) => ("find_compliant", args),
        NoticeCommand::FindNonCompliant(args) => ("find_non_compliant", args),
    };
    let overrides = args
        .overrides
        .iter()
        .map(|text| {
            let (rule, justification) = text
                .split_once('=')
                .with_context(|| format!("--override {text:?} is not RULE=JUSTIFICATION"))?;
            Ok(Override {
                rule: rule.trim().to_owned(),
                justification: justification.to_owned(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let request = args.request.as_deref().map(read_request).transpose()?;
    let input = NoticeMoveInput {
        transition: Some(transition.to_owned()),
        reason: args.reason.clone(),
        overrides,
        request,
    };
    let view = args.acting.open()?.transition(args.id, &input)?;
    println!(
        "{} {} {} version {}",
        text(&view["id"]),
        text(&view["kind"]),
        text(&view["state"]),
        text(&view["version"])
    );
    if transition == "start_review" {
        print_checklist(&view["checklist"]);
    }
    Ok(ExitCode::SUCCESS)
}

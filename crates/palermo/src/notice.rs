//! `palermo notice`: request, evaluate, read, list and move notices and diffusions on a data
//! directory, through the hub's use cases (checked and audited as the API's will be). A bureau
//! acts with `--bureau CODE`; the secretariat's reviewer with `--secretariat`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use palermo_core::notice::NoticeInput;
use palermo_core::notice::rules::Override;
use palermo_hub::{Caller, Hub, NoticeListQuery, NoticeMoveInput};

use crate::Target;
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

impl Acting {
    fn open(&self) -> anyhow::Result<(Hub, Caller)> {
        anyhow::ensure!(
            self.target.hub.is_none(),
            "notices are moved on a data directory for now (--data); the hub's API for them comes next"
        );
        let caller = if self.secretariat {
            Caller::console()
        } else {
            let bureau = self.target.bureau.as_deref().context(
                "say who acts: --bureau CODE for a bureau, --secretariat for the secretariat's reviewer",
            )?;
            Caller::local_operator(member_code(bureau)?)
        };
        Ok((self.target.open_data()?.hub()?, caller))
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
            let (hub, caller) = args.acting.open()?;
            let view = hub.request_notice(&caller, &input)?;
            println!("{} {} {}", view.id, view.kind, view.state);
            return Ok(ExitCode::SUCCESS);
        }
        NoticeCommand::Evaluate(args) => {
            let input = read_request(&args.file)?;
            let (hub, caller) = args.acting.open()?;
            let evaluation = hub.evaluate_notice(&caller, &input)?;
            for error in &evaluation.errors {
                println!("invalid {}: {}", error.field, error.detail);
            }
            for rule in &evaluation.checklist {
                println!(
                    "{} {}: {}",
                    rule.verdict,
                    rule.rule,
                    rule.evidence.join("; ")
                );
            }
            return Ok(if evaluation.valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        NoticeCommand::Show(args) => {
            let (hub, caller) = args.acting.open()?;
            print_json(&hub.notice(&caller, args.id)?)?;
            return Ok(ExitCode::SUCCESS);
        }
        NoticeCommand::History(args) => {
            let (hub, caller) = args.acting.open()?;
            for event in hub.notice_history(&caller, args.id)? {
                println!("{}", serde_json::to_string(&event)?);
            }
            return Ok(ExitCode::SUCCESS);
        }
        NoticeCommand::List(args) => {
            let (hub, caller) = args.acting.open()?;
            let query = NoticeListQuery {
                owner: args.owner,
                kind: args.kind,
                state: args.state,
                person: args.person,
                diffusion: None,
                before: None,
                limit: args.limit,
            };
            for view in hub.notices(&caller, &query)? {
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
    let (hub, caller) = args.acting.open()?;
    let view = hub.move_notice(&caller, args.id, &input)?;
    println!(
        "{} {} {} version {}",
        view.id, view.kind, view.state, view.version
    );
    if transition == "start_review"
        && let Some(checklist) = &view.checklist
    {
        for rule in checklist {
            println!(
                "{} {}: {}",
                rule.verdict,
                rule.rule,
                rule.evidence.join("; ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

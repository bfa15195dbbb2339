//! `palermo message send`: a message to other organisations, with attachments, against a
//! running hub or a data directory; and the delivery of messages to national systems'
//! webhooks while the hub serves.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use base64::Engine;
use clap::{Args, Subcommand};
use palermo_hub::messages::{ATTACHMENT_MAX_BYTES, AttachmentInput, Reference};
use palermo_hub::{Caller, Hub, MessageInput};

use crate::Target;
use crate::client::HubClient;
use crate::datadir::{DataDir, member_code};

#[derive(Subcommand)]
pub enum MessageCommand {
    /// Send a message; prints its id.
    Send(SendArgs),
}

#[derive(Args)]
pub struct SendArgs {
    #[command(flatten)]
    target: Target,
    /// Recipient organisations, comma-separated (DEU,ITA,EUROPOL).
    #[arg(long, value_delimiter = ',', required = true)]
    to: Vec<String>,
    #[arg(long)]
    subject: String,
    /// The text; or --body-file.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// routine, urgent or immediate.
    #[arg(long)]
    priority: Option<String>,
    /// H0 to H3.
    #[arg(long)]
    handling: Option<String>,
    /// A file to attach (repeat for more).
    #[arg(long = "attach")]
    attachments: Vec<PathBuf>,
    /// The message this one answers.
    #[arg(long)]
    reply_to: Option<i64>,
    /// A reference, KIND:ID (document:42); repeat for more.
    #[arg(long = "reference")]
    references: Vec<String>,
}

fn content_type(path: &std::path::Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("pdf") => "application/pdf",
        Some("txt") => "text/plain",
        Some("json") => "application/json",
        Some("csv") => "text/csv",
        _ => "application/octet-stream",
    }
}

pub fn run(command: MessageCommand) -> anyhow::Result<ExitCode> {
    let MessageCommand::Send(args) = command;
    let body = match (&args.body, &args.body_file) {
        (Some(body), _) => body.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?,
        (None, None) => anyhow::bail!("give the text with --body or --body-file"),
    };
    let mut attachments = Vec::new();
    for path in &args.attachments {
        let size = std::fs::metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .len();
        if size > ATTACHMENT_MAX_BYTES as u64 {
            anyhow::bail!(
                "{} is {size} bytes; attachments are at most {ATTACHMENT_MAX_BYTES}",
                path.display()
            );
        }
        let data =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        attachments.push(AttachmentInput {
            name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            content_type: Some(content_type(path).to_owned()),
            data: Some(base64::engine::general_purpose::STANDARD.encode(data)),
        });
    }
    let references = args
        .references
        .iter()
        .map(|text| {
            let (kind, id) = text
                .split_once(':')
                .with_context(|| format!("{text:?} is not KIND:ID"))?;
            Ok(Reference {
                kind: kind.to_owned(),
                id: id
                    .parse()
                    .with_context(|| format!("{text:?}: the id is not a number"))?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let input = MessageInput {
        to: args.to.clone(),
        subject: Some(args.subject.clone()),
        body: Some(body),
        priority: args.priority.clone(),
        handling: args.handling.clone(),
        references,
        in_reply_to: args.reply_to,
        attachments,
    };
    let target = &args.target;
    let id = match (&target.hub, &target.key) {
        (Some(hub), Some(key)) => {
            let client = HubClient::new(hub, key, target.ca_cert.as_deref())?;
            let body = serde_json::json!({
                "to": input.to, "subject": input.subject, "body": input.body,
                "priority": input.priority, "handling": input.handling,
                "references": input.references, "in_reply_to": input.in_reply_to,
                "attachments": input.attachments.iter().map(|a| serde_json::json!({
                    "name": a.name, "content_type": a.content_type, "data": a.data,
                })).collect::<Vec<_>>(),
            });
            client.post("/api/v1/messages", &body)?["id"]
                .as_i64()
                .context("the hub answered without an id")?
        }
        _ => {
            let bureau = target
                .bureau
                .as_deref()
                .context("say which bureau sends with --bureau CODE, or use --hub URL --key KEY")?;
            let caller = Caller::local_operator(member_code(bureau)?);
            let hub = DataDir::open(&target.data)?.hub()?;
            hub.send_message(&caller, &input)?.id
        }
    };
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

/// How often the deliverer looks for due deliveries.
const DELIVERY_POLL: Duration = Duration::from_secs(1);
/// Longest wait for a national system to answer.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Delivers messages to webhooks until the process ends: signed with HMAC-SHA256
/// (`Palermo-Signature`), with an `Idempotency-Key` that stays the same across retries.
pub fn spawn_deliverer(hub: Arc<Hub>) {
    std::thread::Builder::new()
        .name("webhooks".into())
        .spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(DELIVERY_TIMEOUT))
                .build()
                .into();
            loop {
                match hub.due_webhooks(100) {
                    Ok(due) => {
                        for outgoing in due {
                            let result = agent
                                .post(&outgoing.url)
                                .header("Content-Type", "application/json")
                                .header("Palermo-Signature", &outgoing.signature)
                                .header("Idempotency-Key", &outgoing.delivery.idempotency_key)
                                .send(&outgoing.body[..])
                                .map_err(|error| error.to_string())
                                .and_then(|response| {
                                    let status = response.status();
                                    if status.is_success() {
                                        Ok(())
                                    } else {
                                        Err(format!("answered {}", status.as_u16()))
                                    }
                                });
                            if let Err(error) = hub.record_webhook_attempt(&outgoing, result) {
                                tracing::error!(%error, "could not record a webhook delivery");
                            }
                        }
                    }
                    Err(error) => tracing::error!(%error, "could not read due webhook deliveries"),
                }
                std::thread::sleep(DELIVERY_POLL);
            }
        })
        .expect("the webhook thread starts");
}

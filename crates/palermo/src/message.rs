//! `palermo message send`: a message to other organisations, with attachments, against a
//! running hub or a data directory; and the delivery of messages to national systems'
//! webhooks while the hub serves.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use base64::Engine;
use clap::{Args, Subcommand};
use palermo_core::OrgCode;
use palermo_hub::messages::{ATTACHMENT_MAX_BYTES, AttachmentInput, Reference};
use palermo_hub::{Caller, Hub, MessageInput};

use crate::Target;
use crate::client::HubClient;
use crate::datadir::member_code;

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
            let hub = target.open_data()?.hub()?;
            hub.send_message(&caller, &input)?.id
        }
    };
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

/// How often the dispatcher looks for due deliveries.
const DELIVERY_POLL: Duration = Duration::from_millis(250);
/// Longest wait for a national system to answer.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries fetched per look.
const DELIVERIES_PER_POLL: usize = 200;

/// Resolves webhook hosts, refusing every address the operator has not allowed
/// ([`palermo_hub::WebhookTargets`]): a name that resolves to a loopback, private or
/// link-local address (DNS rebinding) is refused at delivery, whatever it resolved to when
/// the webhook was set.
#[derive(Debug)]
struct AllowedTargets {
    inner: ureq::unversioned::resolver::DefaultResolver,
    targets: palermo_hub::WebhookTargets,
}

impl ureq::unversioned::resolver::Resolver for AllowedTargets {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().unwrap_or_default();
        let resolved = self.inner.resolve(uri, config, timeout)?;
        if let Some(refused) = resolved
            .iter()
            .find(|address| !self.targets.allows_resolved(host, address.ip()))
        {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{host} resolves to {}, an address webhooks may not reach",
                    refused.ip()
                ),
            )));
        }
        if resolved.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(resolved)
    }
}

fn webhook_agent(hub: &Hub) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        // A proxy from the environment would bypass the resolver's check.
        .proxy(None)
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(DELIVERY_TIMEOUT))
        .build();
    ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::new(),
        AllowedTargets {
            inner: ureq::unversioned::resolver::DefaultResolver::default(),
            targets: hub.webhook_targets().clone(),
        },
    )
}

fn deliver(agent: &ureq::Agent, outgoing: &palermo_hub::OutgoingWebhook) -> Result<(), String> {
    let response = agent
        .post(&outgoing.url)
        .header("Content-Type", "application/json")
        .header("Palermo-Signature", &outgoing.signature)
        .header("Idempotency-Key", &outgoing.delivery.idempotency_key)
        .send(&outgoing.body[..])
        .map_err(|error| error.to_string())?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("answered {}", status.as_u16()))
    }
}

/// Delivers messages and hits to webhooks until the process ends: signed with HMAC-SHA256
/// (`Palermo-Signature`), with an `Idempotency-Key` that stays the same across retries. Each
/// destination is served in order by one of `workers` threads at a time, so a receiver that
/// stalls delays its own deliveries only, never another bureau's.
pub fn spawn_deliverer(hub: Arc<Hub>, workers: usize) {
    let workers = workers.max(1);
    let busy: Arc<Mutex<HashSet<OrgCode>>> = Arc::default();
    let (queue, jobs) =
        std::sync::mpsc::sync_channel::<(OrgCode, Vec<palermo_hub::OutgoingWebhook>)>(workers);
    let jobs = Arc::new(Mutex::new(jobs));
    for n in 0..workers {
        let (hub, busy, jobs) = (hub.clone(), busy.clone(), jobs.clone());
        std::thread::Builder::new()
            .name(format!("webhooks-{n}"))
            .spawn(move || {
                let agent = webhook_agent(&hub);
                loop {
                    let job = jobs.lock().expect("webhook queue lock").recv();
                    let Ok((org, batch)) = job else { return };
                    for outgoing in batch {
                        let result = deliver(&agent, &outgoing);
                        if let Err(error) = hub.record_webhook_attempt(&outgoing, result) {
                            tracing::error!(%error, "could not record a webhook delivery");
                        }
                    }
                    busy.lock().expect("busy set lock").remove(&org);
                }
            })
            .expect("a webhook worker starts");
    }
    std::thread::Builder::new()
        .name("webhooks".into())
        .spawn(move || {
            loop {
                let skip: Vec<OrgCode> = busy
                    .lock()
                    .expect("busy set lock")
                    .iter()
                    .copied()
                    .collect();
                if skip.len() < workers {
                    match hub.due_webhooks(DELIVERIES_PER_POLL, &skip) {
                        Ok(due) => {
                            let mut by_org: Vec<(OrgCode, Vec<palermo_hub::OutgoingWebhook>)> =
                                Vec::new();
                            for outgoing in due {
                                let org = outgoing.delivery.org;
                                match by_org.iter_mut().find(|(o, _)| *o == org) {
                                    Some((_, batch)) => batch.push(outgoing),
                                    None => by_org.push((org, vec![outgoing])),
                                }
                            }
                            for (org, batch) in by_org {
                                if !busy.lock().expect("busy set lock").insert(org) {
                                    continue;
                                }
                                // Blocks while every worker is busy: the dispatcher waits, the
                                // workers serving other destinations go on.
                                if queue.send((org, batch)).is_err() {
                                    return;
                                }
                            }
                        }
                        Err(error) => {
                            tracing::error!(%error, "could not read due webhook deliveries")
                        }
                    }
                }
                std::thread::sleep(DELIVERY_POLL);
            }
        })
        .expect("the webhook dispatcher starts");
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::resolver::Resolver;

    fn resolve(targets: &str, url: &str) -> Result<(), String> {
        let resolver = AllowedTargets {
            inner: ureq::unversioned::resolver::DefaultResolver::default(),
            targets: palermo_hub::WebhookTargets::parse(targets).unwrap(),
        };
        let uri: ureq::http::Uri = url.parse().unwrap();
        resolver
            .resolve(
                &uri,
                &ureq::config::Config::default(),
                ureq::unversioned::transport::NextTimeout::default(),
            )
            .map(drop)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn names_that_resolve_to_internal_addresses_are_refused_at_delivery() {
        // `localhost` resolves to loopback however the webhook was set: refused unless the
        // address (or the name) is allowed.
        let refused = resolve("", "http://localhost:9/hook").unwrap_err();
        assert!(refused.contains("may not reach"), "{refused}");
        assert!(resolve("127.0.0.1,::1", "http://localhost:9/hook").is_ok());
        assert!(resolve("localhost", "http://localhost:9/hook").is_ok());
        assert!(resolve("", "http://127.0.0.1:9/hook").is_err());
    }
}

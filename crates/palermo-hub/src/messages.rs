//! Messages between organisations: threads, read and acknowledgement receipts, attachments
//! kept with their checksum, and delivery to national systems' webhooks, signed with
//! HMAC-SHA256 and retried with back-off under an idempotency key.
//!
//! A message is visible to its sender's organisation and to its recipients only; to anyone
//! else it does not exist.

use base64::Engine;
use palermo_core::{FieldErrors, OrgCode, Permissions, Timestamp};
use palermo_store::{
    Attempt, Delivery, DeliveryKind, Mailbox, NewAttachment, NewMessage, Receipt, StoredMessage,
    Webhook,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Caller, Hub, HubError, Result};

pub const SUBJECT_MAX_CHARS: usize = 200;
pub const BODY_MAX_CHARS: usize = 20_000;
pub const RECIPIENTS_MAX: usize = 50;
pub const REFERENCES_MAX: usize = 100;
pub const ATTACHMENTS_MAX: usize = 10;
/// Largest attachment, decoded.
pub const ATTACHMENT_MAX_BYTES: usize = 5 * 1024 * 1024;
/// Largest total of a message's attachments, decoded.
pub const ATTACHMENTS_TOTAL_MAX_BYTES: usize = 8 * 1024 * 1024;
pub const MESSAGES_PAGE_MAX: usize = 200;
/// Delivery attempts before a webhook delivery is given up.
pub const DELIVERY_ATTEMPTS_MAX: u32 = 10;
/// Longest wait between two attempts.
const DELIVERY_BACKOFF_MAX_MS: i64 = 60 * 60 * 1000;
const PRIORITIES: [&str; 3] = ["routine", "urgent", "immediate"];
/// Europol-style handling codes.
const HANDLING_CODES: [&str; 4] = ["H0", "H1", "H2", "H3"];
const REFERENCE_KINDS: [&str; 5] = ["document", "vehicle", "person", "notice", "case"];

/// A reference from a message to a record, a notice or a case.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// `document`, `vehicle`, `person`, `notice` or `case`.
    pub kind: String,
    #[serde(deserialize_with = "palermo_core::record::integer")]
    pub id: i64,
}

/// A file sent with a message.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentInput {
    pub name: Option<String>,
    /// Default `application/octet-stream`.
    pub content_type: Option<String>,
    /// The bytes, base64 (RFC 4648, standard alphabet).
    pub data: Option<String>,
}

/// A message to send.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    /// Recipient organisations' codes (member bureaus, the secretariat, partners).
    #[serde(default)]
    pub to: Vec<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    /// `routine` (default), `urgent` or `immediate`.
    pub priority: Option<String>,
    /// `H0` (default) to `H3`, as Europol's handling codes.
    pub handling: Option<String>,
    #[serde(default)]
    pub references: Vec<Reference>,
    /// The message this one answers: it joins that message's thread.
    #[serde(default, deserialize_with = "palermo_core::record::optional_integer")]
    pub in_reply_to: Option<i64>,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RecipientView {
    pub org: String,
    #[schema(value_type = Option<String>)]
    pub read_at: Option<Timestamp>,
    pub read_by: Option<String>,
    #[schema(value_type = Option<String>)]
    pub acknowledged_at: Option<Timestamp>,
    pub acknowledged_by: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub id: i64,
    pub thread_id: i64,
    pub in_reply_to: Option<i64>,
    #[schema(value_type = String)]
    pub at: Timestamp,
    pub from: String,
    pub from_user: Option<String>,
    /// Recipients; receipts are shown to the sender, and to each recipient its own.
    pub to: Vec<RecipientView>,
    pub subject: String,
    pub body: String,
    pub priority: String,
    pub handling: String,
    pub references: Vec<Reference>,
    pub attachments: Vec<AttachmentView>,
}

/// A message in a list, unread: who, when, what about.
#[derive(Clone, Debug, Serialize)]
pub struct MessageHeader {
    pub id: i64,
    pub thread_id: i64,
    pub at: Timestamp,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub priority: String,
    pub handling: String,
    pub attachments: usize,
    /// Whether the caller's organisation, a recipient, has not read it yet.
    pub unread: bool,
}

impl MessageView {
    fn of(message: StoredMessage, caller: &Caller) -> MessageView {
        let sender = message.sender_org == caller.org;
        MessageView {
            id: message.id,
            thread_id: message.thread_id,
            in_reply_to: message.in_reply_to,
            at: message.at,
            from: message.sender_org.to_string(),
            from_user: message.sender_user,
            to: message
                .recipients
                .into_iter()
                .map(|r| {
                    let shown = sender || r.org == caller.org;
                    RecipientView {
                        org: r.org.to_string(),
                        read_at: r.read_at.filter(|_| shown),
                        read_by: r.read_by.filter(|_| shown),
                        acknowledged_at: r.acknowledged_at.filter(|_| shown),
                        acknowledged_by: r.acknowledged_by.filter(|_| shown),
                    }
                })
                .collect(),
            subject: message.subject,
            body: message.body,
            priority: message.priority,
            handling: message.handling,
            references: serde_json::from_str(&message.refs).unwrap_or_default(),
            attachments: message
                .attachments
                .into_iter()
                .map(|a| AttachmentView {
                    id: a.id,
                    name: a.name,
                    content_type: a.content_type,
                    size: a.size,
                    sha256: hex::encode(a.sha256),
                })
                .collect(),
        }
    }
}

/// An attachment's bytes, checked against the checksum stored with them.
pub struct AttachmentFile {
    pub name: String,
    pub content_type: String,
    pub sha256: String,
    pub data: Vec<u8>,
}

fn text_problem(text: &str, max: usize, newlines: bool) -> Option<String> {
    if text.trim().is_empty() {
        return Some("is empty".into());
    }
    if text.chars().count() > max {
        return Some(format!("is longer than {max} characters"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !(newlines && (c == '\n' || c == '\t' || c == '\r')))
    {
        return Some("holds control characters".into());
    }
    None
}

fn one_of(
    value: Option<&str>,
    allowed: &[&str],
    default: &str,
) -> std::result::Result<String, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(default.to_owned()),
        Some(value) if allowed.contains(&value) => Ok(value.to_owned()),
        Some(_) => Err(format!("must be one of {}", allowed.join(", "))),
    }
}

/// The signature header of a webhook delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
/// "<t>.<body>">`.
pub fn sign_webhook(secret: &[u8], at_seconds: i64, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let mut context = ring::hmac::Context::with_key(&key);
    context.update(at_seconds.to_string().as_bytes());
    context.update(b".");
    context.update(body);
    format!("t={at_seconds},v1={}", hex::encode(context.sign().as_ref()))
}

/// How a national system checks a delivery: the signature matches (in constant time) and is
/// at most `tolerance_seconds` old, so that a captured delivery cannot be replayed later.
pub fn verify_webhook(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now_seconds: i64,
    tolerance_seconds: i64,
) -> bool {
    let mut at = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => at = value.parse::<i64>().ok(),
            Some(("v1", value)) => signature = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(at), Some(signature)) = (at, signature) else {
        return false;
    };
    if (now_seconds - at).abs() > tolerance_seconds {
        return false;
    }
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    let mut message = at.to_string().into_bytes();
    message.push(b'.');
    message.extend_from_slice(body);
    ring::hmac::verify(&key, &message, &signature).is_ok()
}

/// A delivery ready to post.
pub struct OutgoingWebhook {
    pub delivery: Delivery,
    pub url: String,
    pub body: Vec<u8>,
    pub signature: String,
}

impl Hub {
    fn validate_message(&self, caller: &Caller, input: &MessageInput) -> Result<NewMessage> {
        let mut errors = FieldErrors::default();
        let organisations = self.store.organisations()?;
        let mut recipients: Vec<OrgCode> = Vec::new();
        if input.to.is_empty() {
            errors.push("to", "name at least one recipient");
        }
        if input.to.len() > RECIPIENTS_MAX {
            errors.push("to", format!("at most {RECIPIENTS_MAX} recipients"));
        }
        for (i, code) in input.to.iter().enumerate() {
            let path = format!("to[{i}]");
            match OrgCode::parse(code) {
                Err(problem) => errors.push(path, problem),
                Ok(code) if !organisations.iter().any(|o| o.code == code) => {
                    errors.push(path, format!("no organisation {code}"))
                }
                Ok(code) if recipients.contains(&code) => errors.push(path, "named twice"),
                Ok(code) => recipients.push(code),
            }
        }
        let subject = input.subject.as_deref().unwrap_or("");
        if let Some(problem) = text_problem(subject, SUBJECT_MAX_CHARS, false) {
            errors.push("subject", problem);
        }
        let body = input.body.as_deref().unwrap_or("");
        if let Some(problem) = text_problem(body, BODY_MAX_CHARS, true) {
            errors.push("body", problem);
        }
        let priority = one_of(input.priority.as_deref(), &PRIORITIES, "routine")
            .map_err(|problem| errors.push("priority", problem))
            .unwrap_or_default();
        let handling = one_of(input.handling.as_deref(), &HANDLING_CODES, "H0")
            .map_err(|problem| errors.push("handling", problem))
            .unwrap_or_default();
        if input.references.len() > REFERENCES_MAX {
            errors.push("references", format!("at most {REFERENCES_MAX}"));
        }
        for (i, reference) in input.references.iter().enumerate() {
            if !REFERENCE_KINDS.contains(&reference.kind.as_str()) {
                errors.push(
                    format!("references[{i}].kind"),
                    format!("must be one of {}", REFERENCE_KINDS.join(", ")),
                );
            }
            if reference.id <= 0 {
                errors.push(format!("references[{i}].id"), "must be positive");
            }
        }
        if input.attachments.len() > ATTACHMENTS_MAX {
            errors.push("attachments", format!("at most {ATTACHMENTS_MAX} files"));
        }
        let mut attachments = Vec::new();
        let mut total = 0usize;
        for (i, file) in input.attachments.iter().enumerate() {
            let path = |name: &str| format!("attachments[{i}].{name}");
            let name = file.name.as_deref().unwrap_or("");
            if let Some(problem) = text_problem(name, 200, false) {
                errors.push(path("name"), problem);
            } else if name.contains(['/', '\\']) || name == "." || name == ".." {
                errors.push(path("name"), "is a file name, not a path");
            }
            let content_type = file
                .content_type
                .as_deref()
                .unwrap_or("application/octet-stream");
            let valid_type = content_type.len() <= 100
                && content_type.split_once('/').is_some_and(|(a, b)| {
                    !a.is_empty()
                        && !b.is_empty()
                        && content_type
                            .bytes()
                            .all(|c| c.is_ascii_alphanumeric() || b"/+-.".contains(&c))
                });
            if !valid_type {
                errors.push(
                    path("content_type"),
                    "is not a media type such as image/png",
                );
            }
            let Some(data) = file.data.as_deref() else {
                errors.push(path("data"), "is required");
                continue;
            };
            // Refused before decoding: base64 takes 4 bytes for 3.
            if data.len() / 4 * 3 > ATTACHMENT_MAX_BYTES + 3 {
                errors.push(
                    path("data"),
                    format!("the file exceeds {ATTACHMENT_MAX_BYTES} bytes"),
                );
                continue;
            }
            // RFC 4648 with padding; unused bits of the last symbol are ignored (RFC 4648
            // §3.5 lets decoders refuse them; encoders other than ours do set them).
            let engine = base64::engine::GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
            );
            match engine.decode(data.trim()) {
                Err(error) => errors.push(path("data"), format!("is not base64: {error}")),
                Ok(bytes) if bytes.len() > ATTACHMENT_MAX_BYTES => errors.push(
                    path("data"),
                    format!("the file exceeds {ATTACHMENT_MAX_BYTES} bytes"),
                ),
                Ok(bytes) => {
                    total += bytes.len();
                    attachments.push(NewAttachment {
                        name: name.to_owned(),
                        content_type: content_type.to_owned(),
                        data: bytes,
                    });
                }
            }
        }
        if total > ATTACHMENTS_TOTAL_MAX_BYTES {
            errors.push(
                "attachments",
                format!("the files exceed {ATTACHMENTS_TOTAL_MAX_BYTES} bytes together"),
            );
        }
        let thread_id = match input.in_reply_to {
            None => None,
            Some(id) => match self.visible_message(caller, id) {
                Ok(parent) => Some(parent.thread_id),
                Err(HubError::NotFound) => {
                    errors.push("in_reply_to", "no such message");
                    None
                }
                Err(other) => return Err(other),
            },
        };
        if !errors.is_empty() {
            return Err(HubError::Invalid(errors));
        }
        Ok(NewMessage {
            at: self.now(),
            in_reply_to: input.in_reply_to,
            thread_id,
            sender_org: caller.org,
            sender_user: caller.user.as_deref().map(str::to_owned),
            recipients,
            subject: subject.trim().to_owned(),
            body: body.to_owned(),
            priority,
            handling,
            refs: serde_json::to_string(&input.references).unwrap_or_else(|_| "[]".into()),
            attachments,
        })
    }

    /// Sends a message; it is stored, with its attachments and its webhook deliveries, in
    /// one transaction.
    pub fn send_message(&self, caller: &Caller, input: &MessageInput) -> Result<MessageView> {
        let message = self.audited(
            caller,
            "message.send",
            || None,
            || {
                caller.require(Permissions::MESSAGES)?;
                self.validate_message(caller, input)
            },
        )?;
        let mut event = self.event(caller, "message.send", "ok");
        event.detail = Some(format!(
            "to {}; {} attachments; {}",
            message
                .recipients
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>()
                .join(","),
            message.attachments.len(),
            message.handling
        ));
        for recipient in &message.recipients {
            event.concern(recipient.as_str());
        }
        let id = self
            .store
            .send_message(&message, &crate::audit::naming(&event, "message"))?;
        let stored = self.store.message(id)?.ok_or(HubError::NotFound)?;
        Ok(MessageView::of(stored, caller))
    }

    /// The message, if the caller's organisation sent or received it.
    fn visible_message(&self, caller: &Caller, id: i64) -> Result<StoredMessage> {
        let message = self
            .store
            .message_for(id, caller.org)?
            .ok_or(HubError::NotFound)?;
        let party = message.sender_org == caller.org
            || message.recipients.iter().any(|r| r.org == caller.org);
        if party {
            Ok(message)
        } else {
            Err(HubError::NotFound)
        }
    }

    /// Reads a message; a recipient's first reading gives the read receipt.
    pub fn read_message(&self, caller: &Caller, id: i64) -> Result<MessageView> {
        let message = self.audited(
            caller,
            "message.read",
            || Some(format!("message:{id}")),
            || {
                caller.require(Permissions::MESSAGES)?;
                self.visible_message(caller, id)
            },
        )?;
        let mut read = self.bodies_read(caller, vec![message], "message.read")?;
        Ok(read.remove(0))
    }

    /// Every path that hands out message bodies comes here: the reading is audited (one
    /// entry naming the messages), and a recipient's first reading of each gives its read
    /// receipt, in the same transaction.
    fn bodies_read(
        &self,
        caller: &Caller,
        messages: Vec<StoredMessage>,
        action: &str,
    ) -> Result<Vec<MessageView>> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = messages.iter().map(|m| m.id.to_string()).collect();
        let mut event = self.event(caller, action, "ok");
        event.target = Some(if let [one] = ids.as_slice() {
            format!("message:{one}")
        } else {
            format!("messages:{}", ids.join(","))
        });
        for message in &messages {
            event.concern(message.sender_org.as_str());
        }
        let unread: Vec<i64> = messages
            .iter()
            .filter(|m| {
                m.recipients
                    .iter()
                    .any(|r| r.org == caller.org && r.read_at.is_none())
            })
            .map(|m| m.id)
            .collect();
        let now = self.now();
        let by = self.signature_of(caller);
        let given = if unread.is_empty() {
            self.audit(event)?;
            Vec::new()
        } else {
            self.store
                .give_receipt(&unread, caller.org, Receipt::Read, &by, now, &event)?
        };
        Ok(messages
            .into_iter()
            .map(|mut message| {
                if given.contains(&message.id) {
                    for recipient in &mut message.recipients {
                        if recipient.org == caller.org {
                            recipient.read_at = Some(now);
                            recipient.read_by = Some(by.clone());
                        }
                    }
                }
                MessageView::of(message, caller)
            })
            .collect())
    }

    fn signature_of(&self, caller: &Caller) -> String {
        caller
            .user
            .as_deref()
            .map(str::to_owned)
            .unwrap_or_else(|| {
                format!(
                    "{} (api key {})",
                    caller.org,
                    caller.api_key_id.unwrap_or(0)
                )
            })
    }

    /// A recipient acknowledges a message (and so has read it); once.
    pub fn acknowledge_message(&self, caller: &Caller, id: i64) -> Result<MessageView> {
        self.audited(
            caller,
            "message.acknowledge",
            || Some(format!("message:{id}")),
            || {
                caller.require(Permissions::MESSAGES)?;
                let message = self.visible_message(caller, id)?;
                let Some(recipient) = message.recipients.iter().find(|r| r.org == caller.org)
                else {
                    return Err(HubError::Forbidden(
                        "only a recipient acknowledges a message".into(),
                    ));
                };
                if recipient.acknowledged_at.is_some() {
                    return Err(HubError::Conflict(
                        "the message is already acknowledged".into(),
                    ));
                }
                let mut event = self.event(caller, "message.acknowledge", "ok");
                event.target = Some(format!("message:{id}"));
                event.concern(message.sender_org.as_str());
                self.store.give_receipt(
                    &[id],
                    caller.org,
                    Receipt::Acknowledged,
                    &self.signature_of(caller),
                    self.now(),
                    &event,
                )?;
                let message = self.store.message(id)?.ok_or(HubError::NotFound)?;
                Ok(MessageView::of(message, caller))
            },
        )
    }

    /// The caller's inbox or outbox, newest first, with their bodies: a reading of each
    /// (audited, and the read receipts of the inbox's unread messages).
    pub fn messages(
        &self,
        caller: &Caller,
        mailbox: Mailbox,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<MessageView>> {
        let messages = self.mailbox(caller, mailbox, before, limit)?;
        if messages.is_empty() {
            let mut event = self.event(caller, "message.list", "ok");
            event.detail = Some("no messages".into());
            self.audit(event)?;
            return Ok(Vec::new());
        }
        self.bodies_read(caller, messages, "message.list")
    }

    /// A page of the caller's mailbox as stored, the listing's refusal audited.
    fn mailbox(
        &self,
        caller: &Caller,
        mailbox: Mailbox,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<StoredMessage>> {
        self.audited(
            caller,
            "message.list",
            || None,
            || {
                caller.require(Permissions::MESSAGES)?;
                if limit == 0 || limit > MESSAGES_PAGE_MAX {
                    return Err(HubError::Invalid(FieldErrors::single(
                        "limit",
                        format!("must be 1 to {MESSAGES_PAGE_MAX}"),
                    )));
                }
                Ok(self.store.messages(caller.org, mailbox, before, limit)?)
            },
        )
    }

    /// The caller's inbox or outbox as a list of headers, newest first, without reading any
    /// message: each says whether the caller's organisation has read it yet (the inbox's
    /// unread count). Audited as a listing; no read receipt is given.
    pub fn message_headers(
        &self,
        caller: &Caller,
        mailbox: Mailbox,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<MessageHeader>> {
        let messages = self.mailbox(caller, mailbox, before, limit)?;
        let mut event = self.event(caller, "message.list", "ok");
        event.detail = Some(format!("{} headers", messages.len()));
        self.audit(event)?;
        Ok(messages
            .into_iter()
            .map(|message| MessageHeader {
                unread: message
                    .recipients
                    .iter()
                    .any(|r| r.org == caller.org && r.read_at.is_none()),
                id: message.id,
                thread_id: message.thread_id,
                at: message.at,
                from: message.sender_org.to_string(),
                to: message
                    .recipients
                    .iter()
                    .map(|r| r.org.to_string())
                    .collect(),
                subject: message.subject,
                priority: message.priority,
                handling: message.handling,
                attachments: message.attachments.len(),
            })
            .collect())
    }

    /// The thread of message `id`: the messages of it the caller's organisation is party to,
    /// each read (audited, with read receipts).
    pub fn message_thread(&self, caller: &Caller, id: i64) -> Result<Vec<MessageView>> {
        let thread = self.audited(
            caller,
            "message.thread",
            || Some(format!("message:{id}")),
            || {
                caller.require(Permissions::MESSAGES)?;
                let message = self.visible_message(caller, id)?;
                Ok(self
                    .store
                    .thread(message.thread_id)?
                    .into_iter()
                    .filter(|m| {
                        m.sender_org == caller.org
                            || m.recipients.iter().any(|r| r.org == caller.org)
                    })
                    .collect::<Vec<_>>())
            },
        )?;
        self.bodies_read(caller, thread, "message.thread")
    }

    /// An attachment's bytes, verified against their stored checksum.
    pub fn attachment(&self, caller: &Caller, message_id: i64, id: i64) -> Result<AttachmentFile> {
        self.audited(
            caller,
            "message.attachment",
            || Some(format!("message:{message_id}")),
            || {
                caller.require(Permissions::MESSAGES)?;
                let message = self.visible_message(caller, message_id)?;
                let (of, meta, data) = self.store.attachment(id)?.ok_or(HubError::NotFound)?;
                if of != message_id {
                    return Err(HubError::NotFound);
                }
                let digest: [u8; 32] = Sha256::digest(&data).into();
                if digest != meta.sha256 || data.len() as u64 != meta.size {
                    return Err(HubError::Internal(format!(
                        "attachment {id} does not match its checksum"
                    )));
                }
                let mut event = self.event(caller, "message.attachment", "ok");
                event.target = Some(format!("message:{message_id}/attachment:{id}"));
                event.concern(message.sender_org.as_str());
                self.audit(event)?;
                Ok(AttachmentFile {
                    name: meta.name,
                    content_type: meta.content_type,
                    sha256: hex::encode(meta.sha256),
                    data,
                })
            },
        )
    }

    /// Registers (or replaces) the webhook of an organisation the caller administers;
    /// returns the new signing secret, hex (shown once). The URL must be `https://` and
    /// public unless the operator allows the target ([`crate::WebhookTargets`]).
    pub fn set_webhook(&self, caller: &Caller, org: OrgCode, url: &str) -> Result<String> {
        let target = || Some(format!("organisation:{org}"));
        self.audited_concerning(
            caller,
            "webhook.set",
            target,
            || Some(org),
            || {
                self.require_administers(caller, org)?;
                if self.organisation(org)?.is_none() {
                    return Err(HubError::NotFound);
                }
                let url =
                    self.policy.webhook_targets.check(url).map_err(|problem| {
                        HubError::Invalid(FieldErrors::single("url", problem))
                    })?;
                let mut secret = [0u8; 32];
                getrandom::fill(&mut secret)
                    .map_err(|error| HubError::Internal(format!("no randomness: {error}")))?;
                let mut event = self.event(caller, "webhook.set", "ok");
                event.target = target();
                event.detail = Some(url.chars().take(200).collect());
                event.concern(org.as_str());
                self.store.set_webhook(
                    &Webhook {
                        org,
                        url: url.clone(),
                        secret: secret.to_vec(),
                    },
                    &event,
                )?;
                Ok(hex::encode(secret))
            },
        )
    }

    /// The allow list that deliveries check every resolved address against.
    pub fn webhook_targets(&self) -> &crate::WebhookTargets {
        &self.policy.webhook_targets
    }

    /// The deliveries due now, each with its signed body, except those to the organisations
    /// in `busy` (whose earlier deliveries are still under way: each destination is served
    /// in order, independently of the others).
    pub fn due_webhooks(&self, limit: usize, busy: &[OrgCode]) -> Result<Vec<OutgoingWebhook>> {
        let now = self.now();
        let mut outgoing = Vec::new();
        let organisations = self.store.organisations()?;
        for delivery in self.store.due_deliveries(now, limit, busy)? {
            // The receiver sees what its organisation may see.
            let viewer = Caller {
                org: delivery.org,
                viewpoint: organisations
                    .iter()
                    .find(|o| o.code == delivery.org)
                    .map(|o| palermo_core::Viewpoint {
                        kind: o.kind,
                        country: o.country(),
                    })
                    .unwrap_or(palermo_core::Viewpoint {
                        kind: palermo_core::OrgKind::Partner,
                        country: None,
                    }),
                ..Caller::console()
            };
            let subject = match delivery.kind {
                DeliveryKind::Message => self
                    .store
                    .message(delivery.subject_id)?
                    .map(|message| serde_json::json!(MessageView::of(message, &viewer))),
                DeliveryKind::Hit | DeliveryKind::HitOverdue => {
                    match self.store.hit(delivery.subject_id)? {
                        // A hit on a record restricted away from the checker since is not
                        // delivered to it either.
                        Some(hit) if self.hit_visible(&viewer, &hit)? => {
                            Some(serde_json::json!(crate::HitView::of(hit, &viewer, now)))
                        }
                        _ => None,
                    }
                }
            };
            let (Some(webhook), Some(subject)) = (self.store.webhook(delivery.org)?, subject)
            else {
                self.store.record_attempt(
                    delivery.id,
                    &Attempt::GaveUp {
                        error: "no webhook, or nothing the receiver may see any more".into(),
                        at: now,
                    },
                )?;
                continue;
            };
            let name = match delivery.kind {
                DeliveryKind::Message => "message",
                DeliveryKind::Hit | DeliveryKind::HitOverdue => "hit",
            };
            let body = serde_json::to_vec(&serde_json::json!({
                "type": delivery.kind.as_str(),
                "idempotency_key": delivery.idempotency_key,
                name: subject,
            }))
            .unwrap_or_default();
            let signature = sign_webhook(&webhook.secret, now.0 / 1000, &body);
            outgoing.push(OutgoingWebhook {
                delivery,
                url: webhook.url,
                body,
                signature,
            });
        }
        Ok(outgoing)
    }

    /// Records an attempt: delivered, or retried after a back-off that doubles from one
    /// second up to an hour, and given up after [`DELIVERY_ATTEMPTS_MAX`] attempts.
    pub fn record_webhook_attempt(
        &self,
        outgoing: &OutgoingWebhook,
        result: std::result::Result<(), String>,
    ) -> Result<()> {
        let now = self.now();
        let delivery = &outgoing.delivery;
        let attempts = delivery.attempts + 1;
        let attempt = match &result {
            Ok(()) => Attempt::Delivered(now),
            Err(error) if attempts >= DELIVERY_ATTEMPTS_MAX => Attempt::GaveUp {
                error: error.clone(),
                at: now,
            },
            Err(error) => Attempt::Retry {
                error: error.clone(),
                at: Timestamp(
                    now.0 + (1000i64 << (attempts - 1).min(20)).min(DELIVERY_BACKOFF_MAX_MS),
                ),
            },
        };
        self.store.record_attempt(delivery.id, &attempt)?;
        let mut event = self.event(
            &Caller::console(),
            &format!("{}.deliver", delivery.kind.as_str()),
            match attempt {
                Attempt::Delivered(_) => "ok",
                Attempt::Retry { .. } => "failed",
                Attempt::GaveUp { .. } => "gave-up",
            },
        );
        event.user = Some("webhook".into());
        event.concern(delivery.org.as_str());
        event.target = Some(format!(
            "{}:{}",
            match delivery.kind {
                DeliveryKind::Message => "message",
                _ => "hit",
            },
            delivery.subject_id
        ));
        event.detail = Some(format!(
            "to {} ({}), attempt {attempts}{}",
            delivery.org,
            outgoing.url.chars().take(200).collect::<String>(),
            result
                .err()
                .map(|e| format!(": {}", e.chars().take(200).collect::<String>()))
                .unwrap_or_default()
        ));
        self.audit(event)
    }

    pub fn deliveries(&self, kind: DeliveryKind, subject_id: i64) -> Result<Vec<Delivery>> {
        Ok(self.store.deliveries(kind, subject_id)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_signatures_verify_and_forgeries_do_not() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let body = br#"{"type":"message"}"#;
        let header = sign_webhook(secret, 1_700_000_000, body);
        assert!(verify_webhook(secret, &header, body, 1_700_000_010, 300));
        assert!(!verify_webhook(
            secret,
            &header,
            b"{\"type\":\"forged\"}",
            1_700_000_010,
            300
        ));
        assert!(!verify_webhook(
            b"another secret",
            &header,
            body,
            1_700_000_010,
            300
        ));
        assert!(
            !verify_webhook(secret, &header, body, 1_700_001_000, 300),
            "too old"
        );
        let forged = header.replace("t=1700000000", "t=1700000900");
        assert!(
            !verify_webhook(secret, &forged, body, 1_700_000_900, 300),
            "retimed"
        );
        assert!(!verify_webhook(secret, "v1=00", body, 1_700_000_000, 300));
        assert!(!verify_webhook(secret, "", body, 1_700_000_000, 300));
    }
}

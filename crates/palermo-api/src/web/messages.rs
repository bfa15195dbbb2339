//! Messages between bureaus: the inbox and outbox (headers only, so listing reads nothing),
//! a thread (reading it gives the read receipts), and composing with recipients, priority,
//! handling code, references and attachments. The hub sends, reads and audits.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use maud::html;
use palermo_core::FieldErrors;
use palermo_hub::messages::Reference;
use palermo_hub::{HubError, MessageInput, MessageView};
use palermo_store::Mailbox;

use super::html::{csrf, field_error, layout, other_errors, time};
use super::{Form, Posted, WebUser, blocking, failure};
use crate::AppState;

const PRIORITIES: &[&str] = &["routine", "urgent", "immediate"];
const HANDLING: &[(&str, &str)] = &[
    ("H0", "H0 — no restriction"),
    ("H1", "H1 — not as evidence without permission"),
    ("H2", "H2 — not to be passed on"),
    ("H3", "H3 — see the note"),
];
const REFERENCE_KINDS: &[&str] = &["document", "vehicle", "person", "notice", "case"];

pub(crate) async fn mailbox(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let outbox = query.get("box").is_some_and(|b| b == "outbox");
    let caller = user.caller.clone();
    let which = if outbox {
        Mailbox::Outbox
    } else {
        Mailbox::Inbox
    };
    let headers = match blocking(&state, move |hub| {
        hub.message_headers(&caller, which, None, 100)
    })
    .await
    {
        Ok(headers) => headers,
        Err(error) => return failure(Some(&user), error),
    };
    let unread = headers.iter().filter(|h| h.unread).count();
    let content = html! {
        nav.tabs aria-label="Mailbox" {
            a href="/messages" aria-current=[(!outbox).then_some("page")] {
                "Inbox" @if !outbox && unread > 0 { " " span.count aria-label="unread" { (unread) } }
            }
            a href="/messages?box=outbox" aria-current=[outbox.then_some("page")] { "Sent" }
            a.button href="/messages/new" { "New message" }
        }
        @if headers.is_empty() { p { "No messages." } } @else {
            ul.mail {
                @for h in &headers {
                    li.unread[h.unread] {
                        a href={"/messages/" (h.id)} {
                            span.from { @if outbox { "to " (h.to.join(", ")) } @else { (h.from) } }
                            span.subject {
                                @if h.unread { span.visually-hidden { "Unread: " } }
                                (h.subject)
                            }
                            span.meta {
                                @if h.priority != "routine" { span.tag { (h.priority) } " " }
                                (h.handling) " · " (time(h.at))
                                @if h.attachments > 0 { " · " (h.attachments) " files" }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(
        &user,
        if outbox { "Sent messages" } else { "Inbox" },
        "/messages",
        content,
    )
}

fn message_input(form: &Form) -> Result<MessageInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let to: Vec<String> = form
        .get("to")
        .unwrap_or_default()
        .split([',', ' ', ';'])
        .map(|code| code.trim().to_uppercase())
        .filter(|code| !code.is_empty())
        .collect();
    let mut references = Vec::new();
    if let Some(text) = form.get("references") {
        for (i, item) in text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .enumerate()
        {
            match item
                .split_once([' ', ':'])
                .map(|(k, id)| (k.trim(), id.trim().parse::<i64>()))
            {
                Some((kind, Ok(id))) => references.push(Reference {
                    kind: kind.to_owned(),
                    id,
                }),
                _ => errors.push(
                    format!("references[{i}]"),
                    format!(
                        "write each as kind and number (`notice 12`): one of {}",
                        REFERENCE_KINDS.join(", ")
                    ),
                ),
            }
        }
    }
    let attachments = form
        .files("attachments")
        .map(|file| palermo_hub::messages::AttachmentInput {
            name: Some(file.name.clone()),
            content_type: Some(file.content_type.clone()),
            data: Some(base64::engine::general_purpose::STANDARD.encode(&file.bytes)),
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(MessageInput {
        to,
        subject: form.owned("subject"),
        body: form
            .raw("body")
            .map(str::to_owned)
            .filter(|b| !b.trim().is_empty()),
        priority: form.owned("priority"),
        handling: form.owned("handling"),
        references,
        in_reply_to: form.get("in_reply_to").and_then(|id| id.parse().ok()),
        attachments,
    })
}

fn compose_page(user: &WebUser, form: &Form, errors: Option<&FieldErrors>) -> Response {
    let priority = form.get("priority").unwrap_or("routine");
    let handling = form.get("handling").unwrap_or("H0");
    let content = html! {
        (other_errors(errors, &["to", "subject", "body", "priority", "handling", "references", "attachments"]))
        (compose_form(user, form, errors, priority, handling))
    };
    layout(user, "New message", "/messages", content)
}

fn compose_form(
    user: &WebUser,
    form: &Form,
    errors: Option<&FieldErrors>,
    priority: &str,
    handling: &str,
) -> maud::Markup {
    html! {
        form.stack method="post" action="/messages/new" enctype="multipart/form-data" {
            (csrf(user))
            @if let Some(reply) = form.get("in_reply_to") { input type="hidden" name="in_reply_to" value=(reply); }
            label for="to" { "To" small { " (bureaus' codes, such as DEU, ITA; SG for the secretariat)" } }
            input #to name="to" value=(form.get("to").unwrap_or_default()) required autocapitalize="characters"
                aria-describedby="to-error";
            (field_error(errors, &["to"], "to"))
            label for="subject" { "Subject" }
            input #subject name="subject" value=(form.get("subject").unwrap_or_default()) required maxlength="200"
                aria-describedby="subject-error";
            (field_error(errors, &["subject"], "subject"))
            label for="body" { "Message" }
            textarea #body name="body" rows="8" required aria-describedby="body-error" { (form.raw("body").unwrap_or_default()) }
            (field_error(errors, &["body"], "body"))
            div.row {
                div {
                    label for="priority" { "Priority" }
                    select #priority name="priority" {
                        @for p in PRIORITIES { option value=(p) selected[priority == *p] { (p) } }
                    }
                }
                div {
                    label for="handling" { "Handling code" }
                    select #handling name="handling" aria-describedby="handling-error" {
                        @for (code, label) in HANDLING { option value=(code) selected[handling == *code] { (label) } }
                    }
                    (field_error(errors, &["handling"], "handling"))
                }
            }
            label for="references" { "References" small { " (such as notice 12, case 3)" } }
            input #references name="references" value=(form.get("references").unwrap_or_default())
                aria-describedby="references-error";
            (field_error(errors, &["references"], "references"))
            label for="attachments" { "Files" }
            input #attachments type="file" name="attachments" multiple aria-describedby="attachments-error";
            (field_error(errors, &["attachments"], "attachments"))
            button.primary type="submit" { "Send" }
        }
    }
}

pub(crate) async fn compose(
    user: WebUser,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut form = Form::default();
    for key in ["to", "subject", "references"] {
        if let Some(value) = query.get(key) {
            form.fields.push((key.to_owned(), value.clone()));
        }
    }
    compose_page(&user, &form, None)
}

pub(crate) async fn send(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { user, form } = posted;
    let input = match message_input(&form) {
        Ok(input) => input,
        Err(errors) => return invalid(compose_page(&user, &form, Some(&errors))),
    };
    let caller = user.caller.clone();
    match blocking(&state, move |hub| hub.send_message(&caller, &input)).await {
        Ok(sent) => super::see_other(&format!("/messages/{}", sent.id)),
        Err(HubError::Invalid(errors)) => invalid(compose_page(&user, &form, Some(&errors))),
        Err(other) => failure(Some(&user), other),
    }
}

fn invalid(response: Response) -> Response {
    super::with_status(response, StatusCode::UNPROCESSABLE_ENTITY)
}

fn render_message(message: &MessageView) -> maud::Markup {
    html! {
        article.message id={"message-" (message.id)} {
            header {
                h2 { (message.subject) }
                p.meta {
                    "From " strong { (message.from) } @if let Some(user) = &message.from_user { " (" (user) ")" }
                    " to " (message.to.iter().map(|r| r.org.as_str()).collect::<Vec<_>>().join(", "))
                    " · " (time(message.at))
                    " · " span.tag { (message.priority) } " " span.tag { (message.handling) }
                }
            }
            div.body { @for line in message.body.lines() { (line) br; } }
            @if !message.references.is_empty() {
                p { "References: "
                    @for r in &message.references {
                        @let href = match r.kind.as_str() {
                            "document" => format!("/records/documents/{}", r.id),
                            "vehicle" => format!("/records/vehicles/{}", r.id),
                            "person" => format!("/records/persons/{}", r.id),
                            "notice" => format!("/notices/{}", r.id),
                            _ => format!("/cases/{}", r.id),
                        };
                        a href=(href) { (r.kind) " " (r.id) } " "
                    }
                }
            }
            @if !message.attachments.is_empty() {
                ul.files {
                    @for a in &message.attachments {
                        li { a href={"/messages/" (message.id) "/attachments/" (a.id)} download { (a.name) } " (" (a.size) " bytes)" }
                    }
                }
            }
            @let receipts: Vec<String> = message.to.iter().filter_map(|r| r.read_at.map(|_| format!("{} read it", r.org))).collect();
            @if !receipts.is_empty() { p.meta { (receipts.join("; ")) } }
        }
    }
}

pub(crate) async fn thread(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = super::id_of(&id) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let caller = user.caller.clone();
    let messages = match blocking(&state, move |hub| hub.message_thread(&caller, id)).await {
        Ok(messages) => messages,
        Err(error) => return failure(Some(&user), error),
    };
    let Some(last) = messages.last() else {
        return failure(Some(&user), HubError::NotFound);
    };
    let own = user.caller.org.as_str();
    let mut parties: Vec<String> = std::iter::once(last.from.clone())
        .chain(last.to.iter().map(|r| r.org.clone()))
        .filter(|org| org != own)
        .collect();
    parties.dedup();
    let mut reply = Form::default();
    reply.fields.push(("to".into(), parties.join(", ")));
    let subject = if last.subject.starts_with("Re: ") {
        last.subject.clone()
    } else {
        format!("Re: {}", last.subject)
    };
    reply.fields.push(("subject".into(), subject));
    reply
        .fields
        .push(("in_reply_to".into(), last.id.to_string()));
    let title = messages
        .first()
        .map(|m| m.subject.clone())
        .unwrap_or_default();
    let content = html! {
        p { a href="/messages" { "← Inbox" } }
        @for message in &messages { (render_message(message)) }
        section {
            h2 { "Reply" }
            (compose_form(&user, &reply, None, "routine", &last.handling))
        }
    };
    layout(&user, &title, "/messages", content)
}

pub(crate) async fn attachment(
    State(state): State<AppState>,
    user: WebUser,
    Path((id, attachment)): Path<(String, String)>,
) -> Response {
    let (Some(id), Some(attachment)) = (super::id_of(&id), super::id_of(&attachment)) else {
        return failure(Some(&user), HubError::NotFound);
    };
    let caller = user.caller.clone();
    let file = match blocking(&state, move |hub| hub.attachment(&caller, id, attachment)).await {
        Ok(file) => file,
        Err(error) => return failure(Some(&user), error),
    };
    // Always a download, never rendered here: a sender's HTML cannot run on this origin.
    let mut response = (StatusCode::OK, file.data).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    crate::messages::set_disposition(headers, &file.name);
    response
}

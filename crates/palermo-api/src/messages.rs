//! Messages between organisations: send, inbox and outbox, read, acknowledge, thread,
//! attachments.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use palermo_hub::{MessageInput, MessageView};
use palermo_store::Mailbox;
use serde::Serialize;

use crate::extract::{Authed, Json};
use crate::problem::ApiError;
use crate::{
    ApiResult, AppState, blocking, created, integer_param, ok_json, parse_id, query_params,
};

/// Largest body of `POST /api/v1/messages`: the attachments' 8 MiB, base64, and the text.
pub const MESSAGE_BODY_LIMIT_BYTES: usize = 12 * 1024 * 1024;

#[derive(Serialize, utoipa::ToSchema)]
pub struct MessageList {
    /// Newest first.
    messages: Vec<MessageView>,
    /// Pass as `before` for the next page; absent on the last page.
    next_before: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/messages", tag = "messages", request_body = MessageInput,
    responses((status = 201, body = MessageView), (status = 413, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn send(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(input): Json<MessageInput>,
) -> ApiResult<Response> {
    let view = blocking(&state.hub, move |hub| hub.send_message(&caller, &input)).await?;
    Ok(created(format!("/api/v1/messages/{}", view.id), &view))
}

#[utoipa::path(get, path = "/api/v1/messages", tag = "messages",
    params(("box" = Option<String>, Query, description = "inbox (default) or outbox"),
        ("before" = Option<i64>, Query), ("limit" = Option<usize>, Query, description = "1 to 200, default 50")),
    responses((status = 200, body = MessageList)),
    security(("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let mut values = query_params(params, &["box", "before", "limit"])?.into_iter();
    let mailbox = match values.next().flatten().as_deref() {
        None | Some("inbox") => Mailbox::Inbox,
        Some("outbox") => Mailbox::Outbox,
        Some(_) => return Err(ApiError::field("box", "must be inbox or outbox")),
    };
    let before = integer_param("before", values.next().flatten())?;
    let limit = integer_param("limit", values.next().flatten())?.unwrap_or(50);
    let messages = blocking(&state.hub, move |hub| {
        hub.messages(&caller, mailbox, before, limit)
    })
    .await?;
    let next_before = (messages.len() == limit)
        .then(|| messages.last().map(|m| m.id))
        .flatten();
    Ok(ok_json(&MessageList {
        messages,
        next_before,
    }))
}

#[utoipa::path(get, path = "/api/v1/messages/{id}", tag = "messages", params(("id" = i64, Path)),
    responses((status = 200, body = MessageView), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Reads a message; a recipient's first reading gives the read receipt.
pub async fn read(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    Ok(ok_json(
        &blocking(&state.hub, move |hub| hub.read_message(&caller, id)).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/acknowledge", tag = "messages",
    params(("id" = i64, Path)),
    responses((status = 200, body = MessageView), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn acknowledge(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    Ok(ok_json(
        &blocking(&state.hub, move |hub| hub.acknowledge_message(&caller, id)).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/messages/{id}/thread", tag = "messages",
    params(("id" = i64, Path)),
    responses((status = 200, body = MessageList), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn thread(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let messages = blocking(&state.hub, move |hub| hub.message_thread(&caller, id)).await?;
    Ok(ok_json(&MessageList {
        messages,
        next_before: None,
    }))
}

/// `Content-Disposition: attachment` with the file's name: the name is the sender's text, so
/// only a safe ASCII form of it goes into the header.
pub(crate) fn set_disposition(headers: &mut axum::http::HeaderMap, name: &str) {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
}

#[utoipa::path(get, path = "/api/v1/messages/{id}/attachments/{attachment}", tag = "messages",
    params(("id" = i64, Path), ("attachment" = i64, Path)),
    responses((status = 200, description = "the file, with its SHA-256 in the Digest header"),
        (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn attachment(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path((id, attachment)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (id, attachment) = (parse_id(&id)?, parse_id(&attachment)?);
    let file = blocking(&state.hub, move |hub| {
        hub.attachment(&caller, id, attachment)
    })
    .await?;
    let mut response = (StatusCode::OK, file.data).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&file.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    set_disposition(headers, &file.name);
    if let Ok(value) = HeaderValue::from_str(&format!("sha-256={}", file.sha256)) {
        headers.insert("x-checksum", value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

//! Sessions for people, the audit trail for auditors, and answers to hits.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use palermo_core::Timestamp;
use palermo_core::date::parse_date;
use palermo_hub::{
    AuditEntryView, AuditHead, AuditVerification, HitAnswerInput, HitView, SessionToken,
};
use palermo_store::AuditFilter;
use serde::{Deserialize, Serialize};

use crate::extract::{Authed, Json, bearer, peer};
use crate::problem::{ApiError, Code};
use crate::{
    ApiResult, AppState, blocking, created, integer_param, ok_json, parse_id, query_params,
};

/// A person's sign-in: password and second factor together.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    username: String,
    password: String,
    /// A TOTP code from the authenticator app, or one of the recovery codes.
    code: String,
}

#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = SignIn,
    responses((status = 201, body = SessionToken), (status = 401, body = crate::problem::Problem)))]
pub async fn sign_in(
    State(state): State<AppState>,
    parts: Parts,
    Json(body): Json<SignIn>,
) -> ApiResult<Response> {
    let source = peer(&parts);
    let token = blocking(&state.hub, move |hub| {
        hub.sign_in(&body.username, &body.password, &body.code, source)
    })
    .await?;
    Ok(created("/api/v1/sessions/current".into(), &token))
}

/// Who the caller is.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    org: String,
    user: Option<String>,
    api_key_id: Option<i64>,
    /// What the caller's roles or key scopes allow.
    permissions: Vec<&'static str>,
}

#[utoipa::path(get, path = "/api/v1/sessions/current", tag = "sessions",
    responses((status = 200, body = Me), (status = 401, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn current_session(Authed(caller): Authed) -> Response {
    let scopes = caller.permissions.scopes();
    ok_json(&Me {
        org: caller.org.to_string(),
        user: caller.user.as_deref().map(str::to_owned),
        api_key_id: caller.api_key_id,
        permissions: palermo_core::Permissions::NAMED
            .iter()
            .filter(|(_, name)| scopes.split(',').any(|s| s == *name))
            .map(|(_, name)| *name)
            .collect(),
    })
}

#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "sessions",
    responses((status = 204), (status = 401, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn sign_out(
    State(state): State<AppState>,
    // Authenticated like every request (a bad token is counted and throttled), then ended.
    Authed(_caller): Authed,
    parts: Parts,
) -> ApiResult<StatusCode> {
    let token = bearer(&parts).unwrap_or_default().to_owned();
    if !blocking(&state.hub, move |hub| hub.sign_out(&token)).await? {
        return Err(ApiError::new(
            Code::Unauthenticated,
            "no such session (signed out or expired)",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Longest text an audit filter takes.
const AUDIT_FILTER_MAX_CHARS: usize = 200;

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    entries: Vec<AuditEntryView>,
    /// Pass as `after` for the next page; absent on the last page.
    next_after: Option<i64>,
}

/// Parses `YYYY-MM-DD` (from the start of the day, UTC) or milliseconds since the epoch.
pub(crate) fn parse_instant(name: &str, text: &str, end_of_day: bool) -> ApiResult<Timestamp> {
    if let Ok(ms) = text.parse::<i64>() {
        return Ok(Timestamp(ms));
    }
    let date = parse_date(text).map_err(|detail| ApiError::field(name, detail))?;
    let midnight = date.midnight().assume_utc().unix_timestamp() * 1000;
    Ok(Timestamp(if end_of_day {
        midnight + 86_400_000 - 1
    } else {
        midnight
    }))
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(("after" = Option<i64>, Query, description = "entries with a larger sequence number"),
        ("from" = Option<String>, Query, description = "YYYY-MM-DD or epoch milliseconds"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD (inclusive) or epoch milliseconds"),
        ("org" = Option<String>, Query), ("user" = Option<String>, Query),
        ("action" = Option<String>, Query, description = "an action, or a prefix ending in '.' such as 'check.'"),
        ("outcome" = Option<String>, Query),
        ("limit" = Option<usize>, Query, description = "1 to 1000, default 100")),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn audit_entries(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let names = [
        "after", "from", "to", "org", "user", "action", "outcome", "limit",
    ];
    let mut values = query_params(params, &names)?.into_iter();
    let mut next = || values.next().flatten();
    let after = integer_param("after", next())?;
    let from = next()
        .map(|text| parse_instant("from", &text, false))
        .transpose()?;
    let to = next()
        .map(|text| parse_instant("to", &text, true))
        .transpose()?;
    // Text filters are bounded like every input.
    let mut text = |name: &str| -> ApiResult<Option<String>> {
        match next() {
            Some(value) if value.chars().count() > AUDIT_FILTER_MAX_CHARS => Err(ApiError::field(
                name,
                format!("is longer than {AUDIT_FILTER_MAX_CHARS} characters"),
            )),
            other => Ok(other),
        }
    };
    let filter = AuditFilter {
        after,
        from,
        to,
        org: text("org")?,
        user: text("user")?,
        action: text("action")?,
        outcome: text("outcome")?,
        visible_to: None,
    };
    let limit = integer_param("limit", next())?.unwrap_or(100);
    let entries = blocking(&state.hub, move |hub| {
        hub.audit_entries(&caller, &filter, limit)
    })
    .await?;
    let next_after = (entries.len() == limit)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(ok_json(&AuditPage {
        entries,
        next_after,
    }))
}

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    params(("expect_head" = Option<String>, Query,
        description = "a head kept by a witness, SEQ:HASH: the trail must hold that entry with that hash")),
    responses((status = 200, body = AuditVerification), (status = 403, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn verify_audit(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let mut values = query_params(params, &["expect_head"])?.into_iter();
    let expected = values
        .next()
        .flatten()
        .map(|text| {
            palermo_hub::parse_head(&text).map_err(|detail| ApiError::field("expect_head", detail))
        })
        .transpose()?;
    let verification = blocking(&state.hub, move |hub| hub.verify_audit(&caller, expected)).await?;
    Ok(ok_json(&verification))
}

#[utoipa::path(get, path = "/api/v1/audit/head", tag = "audit",
    responses((status = 200, body = AuditHead), (status = 404, body = crate::problem::Problem)))]
/// The latest signed head of the audit trail: public, so that anyone may witness it.
pub async fn audit_head(State(state): State<AppState>) -> ApiResult<Response> {
    let head = blocking(&state.hub, |hub| hub.latest_head()).await?;
    head.map(|head| ok_json(&head))
        .ok_or_else(|| ApiError::new(Code::NotFound, "no head has been signed yet"))
}

#[utoipa::path(post, path = "/api/v1/hits/{id}/answer", tag = "hits", params(("id" = i64, Path)),
    request_body = HitAnswerInput,
    responses((status = 200, body = HitView), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn answer_hit(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    Json(input): Json<HitAnswerInput>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let view = blocking(&state.hub, move |hub| hub.answer_hit(&caller, id, &input)).await?;
    Ok(ok_json(&view))
}

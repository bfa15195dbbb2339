//! Notices and diffusions: requests, dry-run evaluations, lists, details, histories and
//! moves. Notices and diffusions share one id space and one set of use cases; each path lists
//! and takes requests of its own channel only.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use palermo_core::notice::{NoticeInput, RequestKind};
use palermo_hub::notices::{EvaluationView, NoticeEventView, NoticeListQuery, NoticeMoveInput};
use palermo_hub::{Caller, NoticeView};
use serde::{Deserialize, Serialize};

use crate::extract::{Authed, Json};
use crate::problem::ApiError;
use crate::{
    ApiResult, AppState, blocking, created, integer_param, ok_json, parse_id, query_params,
};

/// A notice's request as a bureau submits it: what each kind requires is in the schema
/// (`oneOf` by `kind`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct NoticeRequestInput(#[schema(inline)] NoticeInput);

/// A diffusion's request: as a notice's, with its recipients.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct DiffusionRequestInput(#[schema(inline)] NoticeInput);

/// A request being written, to evaluate: any part may be missing or wrong (the answer lists
/// what is).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct NoticeDraftInput(NoticeInput);

#[derive(Serialize, utoipa::ToSchema)]
pub struct NoticeList {
    /// Newest first.
    notices: Vec<NoticeView>,
    /// Pass as `before` for the next page; absent on the last page.
    next_before: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DiffusionList {
    /// Newest first.
    diffusions: Vec<NoticeView>,
    next_before: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NoticeHistory {
    /// Oldest first.
    events: Vec<NoticeEventView>,
}

/// The request's kind must be of the path's channel: `/notices` takes notices,
/// `/diffusions` diffusions.
fn of_channel(input: &NoticeInput, diffusion: bool) -> ApiResult<()> {
    let Some(kind) = input.kind.as_deref().and_then(RequestKind::parse) else {
        return Ok(()); // the hub lists a missing or unknown kind with every other problem
    };
    match (kind.is_diffusion(), diffusion) {
        (true, false) => Err(ApiError::field(
            "kind",
            format!(
                "{} is a diffusion: POST it to /api/v1/diffusions",
                kind.as_str()
            ),
        )),
        (false, true) => Err(ApiError::field(
            "kind",
            format!("{} is a notice: POST it to /api/v1/notices", kind.as_str()),
        )),
        _ => Ok(()),
    }
}

fn channel(diffusion: bool) -> &'static str {
    if diffusion { "diffusions" } else { "notices" }
}

async fn request(
    state: AppState,
    caller: Caller,
    input: NoticeInput,
    diffusion: bool,
) -> ApiResult<Response> {
    of_channel(&input, diffusion)?;
    let view = blocking(&state.hub, move |hub| hub.request_notice(&caller, &input)).await?;
    Ok(created(
        format!("/api/v1/{}/{}", channel(diffusion), view.id),
        &view,
    ))
}

async fn evaluate(
    state: AppState,
    caller: Caller,
    input: NoticeInput,
    diffusion: bool,
) -> ApiResult<Response> {
    of_channel(&input, diffusion)?;
    let view = blocking(&state.hub, move |hub| hub.evaluate_notice(&caller, &input)).await?;
    Ok(ok_json(&view))
}

const LIST_PARAMS: [&str; 6] = ["owner", "kind", "state", "person", "before", "limit"];

async fn list(
    state: AppState,
    caller: Caller,
    params: HashMap<String, String>,
    diffusion: bool,
) -> ApiResult<(Vec<NoticeView>, Option<i64>)> {
    let mut values = query_params(params, &LIST_PARAMS)?.into_iter();
    let mut next = || values.next().flatten();
    let (owner, kind, notice_state) = (next(), next(), next());
    let query = NoticeListQuery {
        owner,
        kind,
        state: notice_state,
        person: integer_param("person", next())?,
        diffusion: Some(diffusion),
        before: integer_param("before", next())?,
        limit: integer_param("limit", next())?,
    };
    let limit = query
        .limit
        .unwrap_or(palermo_hub::notices::NOTICES_PAGE_DEFAULT);
    let views = blocking(&state.hub, move |hub| hub.notices(&caller, &query)).await?;
    let next_before = (views.len() == limit)
        .then(|| views.last().map(|view| view.id))
        .flatten();
    Ok((views, next_before))
}

async fn show(state: AppState, caller: Caller, id: String) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let view = blocking(&state.hub, move |hub| hub.notice(&caller, id)).await?;
    Ok(ok_json(&view))
}

async fn history(state: AppState, caller: Caller, id: String) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let events = blocking(&state.hub, move |hub| hub.notice_history(&caller, id)).await?;
    Ok(ok_json(&NoticeHistory { events }))
}

async fn transition(
    state: AppState,
    caller: Caller,
    id: String,
    input: NoticeMoveInput,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let view = blocking(&state.hub, move |hub| hub.move_notice(&caller, id, &input)).await?;
    Ok(ok_json(&view))
}

#[utoipa::path(post, path = "/api/v1/notices", tag = "notices", request_body = NoticeRequestInput,
    responses((status = 201, body = NoticeView), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Requests a notice: stored as a draft of the caller's bureau (submit it for review with the
/// `submit` transition). Every part its kind requires that is missing is listed with its path.
pub async fn request_notice(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<NoticeRequestInput>,
) -> ApiResult<Response> {
    request(state, caller, body.0, false).await
}

#[utoipa::path(post, path = "/api/v1/diffusions", tag = "notices", request_body = DiffusionRequestInput,
    responses((status = 201, body = NoticeView), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Sends a diffusion: its recipients see it at once and their checks hit it; the secretariat
/// reviews it afterwards.
pub async fn request_diffusion(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<DiffusionRequestInput>,
) -> ApiResult<Response> {
    request(state, caller, body.0, true).await
}

#[utoipa::path(post, path = "/api/v1/notices/evaluate", tag = "notices", request_body = NoticeDraftInput,
    responses((status = 200, body = EvaluationView)),
    security(("api_key" = [])))]
/// Evaluates a notice's request without storing it (a dry run): every field problem with its
/// path and every rule's verdict with its evidence, for a form to show while the operator
/// types.
pub async fn evaluate_notice(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<NoticeDraftInput>,
) -> ApiResult<Response> {
    evaluate(state, caller, body.0, false).await
}

#[utoipa::path(post, path = "/api/v1/diffusions/evaluate", tag = "notices", request_body = NoticeDraftInput,
    responses((status = 200, body = EvaluationView)),
    security(("api_key" = [])))]
/// Evaluates a diffusion's request without sending it.
pub async fn evaluate_diffusion(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<NoticeDraftInput>,
) -> ApiResult<Response> {
    evaluate(state, caller, body.0, true).await
}

#[utoipa::path(get, path = "/api/v1/notices", tag = "notices",
    params(("owner" = Option<String>, Query, description = "the owner bureau (ISO 3166-1 alpha-3)"),
        ("kind" = Option<String>, Query), ("state" = Option<String>, Query),
        ("person" = Option<i64>, Query, description = "notices about this person"),
        ("before" = Option<i64>, Query, description = "only requests with a smaller id"),
        ("limit" = Option<usize>, Query, description = "1 to 200, default 50")),
    responses((status = 200, body = NoticeList), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Notices the caller may see, newest first: its own in every state, others' while they hit
/// and as their restrictions allow (the secretariat: all).
pub async fn list_notices(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let (notices, next_before) = list(state, caller, params, false).await?;
    Ok(ok_json(&NoticeList {
        notices,
        next_before,
    }))
}

#[utoipa::path(get, path = "/api/v1/diffusions", tag = "notices",
    params(("owner" = Option<String>, Query), ("kind" = Option<String>, Query),
        ("state" = Option<String>, Query), ("person" = Option<i64>, Query),
        ("before" = Option<i64>, Query), ("limit" = Option<usize>, Query)),
    responses((status = 200, body = DiffusionList), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Diffusions the caller may see: its own, those sent to its country while they hit.
pub async fn list_diffusions(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let (diffusions, next_before) = list(state, caller, params, true).await?;
    Ok(ok_json(&DiffusionList {
        diffusions,
        next_before,
    }))
}

#[utoipa::path(get, path = "/api/v1/notices/{id}", tag = "notices", params(("id" = i64, Path)),
    responses((status = 200, body = NoticeView), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// One notice or diffusion (they share ids), with the rules' checklist for its owner and the
/// secretariat.
pub async fn get_notice(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    show(state, caller, id).await
}

#[utoipa::path(get, path = "/api/v1/diffusions/{id}", tag = "notices", params(("id" = i64, Path)),
    responses((status = 200, body = NoticeView), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn get_diffusion(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    show(state, caller, id).await
}

#[utoipa::path(get, path = "/api/v1/notices/{id}/history", tag = "notices", params(("id" = i64, Path)),
    responses((status = 200, body = NoticeHistory), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Every move of the request, oldest first, with who, when and why (its owner and the
/// secretariat only).
pub async fn notice_history(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    history(state, caller, id).await
}

#[utoipa::path(get, path = "/api/v1/diffusions/{id}/history", tag = "notices", params(("id" = i64, Path)),
    responses((status = 200, body = NoticeHistory), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn diffusion_history(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    history(state, caller, id).await
}

#[utoipa::path(post, path = "/api/v1/notices/{id}/transitions", tag = "notices",
    params(("id" = i64, Path)), request_body = NoticeMoveInput,
    responses((status = 200, body = NoticeView), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem, description = "The move is not allowed from the request's state (`current_state`) or to the caller"),
        (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Moves a request: its owner submits, updates, suspends, resumes, confirms and cancels it;
/// a reviewer starts the review and publishes or refuses (overriding a failed rule only with a
/// written justification) or finds a diffusion compliant or not; the secretariat suspends,
/// resumes and cancels.
pub async fn move_notice(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    Json(input): Json<NoticeMoveInput>,
) -> ApiResult<Response> {
    transition(state, caller, id, input).await
}

#[utoipa::path(post, path = "/api/v1/diffusions/{id}/transitions", tag = "notices",
    params(("id" = i64, Path)), request_body = NoticeMoveInput,
    responses((status = 200, body = NoticeView), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn move_diffusion(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    Json(input): Json<NoticeMoveInput>,
) -> ApiResult<Response> {
    transition(state, caller, id, input).await
}

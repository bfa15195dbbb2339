//! The frontline's inputs: machine-readable zones and passenger manifests.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use palermo_hub::frontline::{ManifestReport, ManifestSummary, MrzCheckInput, MrzCheckResult};
use palermo_hub::travel::{TravelWarningInput, TravelWarningView};

use crate::extract::{Authed, Json};
use crate::problem::ApiError;
use crate::{ApiResult, AppState, blocking, integer_param, ok_json, parse_id, query_params};

#[utoipa::path(post, path = "/api/v1/checks/mrz", tag = "checks",
    request_body = MrzCheckInput,
    responses((status = 200, body = MrzCheckResult), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Reads a document's machine-readable zone (TD1, TD2, TD3, MRV-A, MRV-B) and checks the
/// document and its holder in one call: the answer carries the fields as read, every problem
/// found (line, column, field), and what the check found.
pub async fn check_mrz(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<MrzCheckInput>,
) -> ApiResult<Response> {
    let metrics = state.metrics.clone();
    blocking(&state.hub, move |hub| {
        let result = hub.check_mrz(&caller, &body)?;
        metrics.count_checks("mrz", 1, usize::from(result.result.hit));
        Ok(ok_json(&result))
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/checks/manifests", tag = "checks",
    request_body(content = String, content_type = "application/edifact",
        description = "A UN/EDIFACT PAXLST interchange (UNA … UNZ) as the airline sent it"),
    responses((status = 200, body = ManifestReport, description = "JSON; with `Accept: text/plain`, the summary as text"),
        (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Screens a passenger manifest: every traveller's documents against the travel documents,
/// every traveller against the persons, notices and diffusions. The report lists the hits
/// and possible hits, each with its reasons, as JSON and as a readable summary.
pub async fn screen_manifest(
    State(state): State<AppState>,
    Authed(caller): Authed,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let text = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/plain") && !accept.contains("json"));
    let metrics = state.metrics.clone();
    blocking(&state.hub, move |hub| {
        let report = hub.screen_manifest(&caller, &body)?;
        metrics.count_checks("manifest", report.travellers, report.hits);
        if text {
            let mut body = report.summary.join("\n");
            body.push('\n');
            return Ok((
                [(
                    axum::http::header::CONTENT_TYPE,
                    "text/plain; charset=utf-8",
                )],
                body,
            )
                .into_response());
        }
        Ok(ok_json(&report))
    })
    .await
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ManifestList {
    manifests: Vec<ManifestSummary>,
}

#[utoipa::path(get, path = "/api/v1/manifests", tag = "checks",
    params(("before" = Option<i64>, Query), ("limit" = Option<usize>, Query)),
    responses((status = 200, body = ManifestList)),
    security(("api_key" = [])))]
/// The manifests the caller's organisation screened, newest first.
pub async fn manifests(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let (before, limit) = page(params)?;
    let manifests = blocking(&state.hub, move |hub| hub.manifests(&caller, before, limit)).await?;
    Ok(ok_json(&ManifestList { manifests }))
}

#[utoipa::path(get, path = "/api/v1/manifests/{id}", tag = "checks", params(("id" = i64, Path)),
    responses((status = 200, body = ManifestReport), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// A screened manifest's report, as it was answered (the screening organisation's only).
pub async fn manifest(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let report = blocking(&state.hub, move |hub| hub.manifest(&caller, id)).await?;
    Ok(ok_json(&report))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TravelWarningList {
    warnings: Vec<TravelWarningView>,
}

#[utoipa::path(get, path = "/api/v1/travel-warnings", tag = "messages",
    params(("before" = Option<i64>, Query), ("limit" = Option<usize>, Query)),
    responses((status = 200, body = TravelWarningList)),
    security(("api_key" = [])))]
/// The travel warnings the caller's organisation sent, received as the country warned, or of
/// the notices it owns; newest first.
pub async fn warnings(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let (before, limit) = page(params)?;
    let warnings = blocking(&state.hub, move |hub| {
        hub.travel_warnings(&caller, before, limit)
    })
    .await?;
    Ok(ok_json(&TravelWarningList { warnings }))
}

#[utoipa::path(post, path = "/api/v1/travel-warnings", tag = "messages",
    request_body = TravelWarningInput,
    responses((status = 201, body = TravelWarningList), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Warns chosen countries of a traveller (and the notice's owner, when a Green notice or a
/// warning diffusion is named): one warning per country, each carried by a message.
pub async fn send_warning(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(input): Json<TravelWarningInput>,
) -> ApiResult<Response> {
    let warnings = blocking(&state.hub, move |hub| {
        hub.send_travel_warning(&caller, &input)
    })
    .await?;
    let mut response = ok_json(&TravelWarningList { warnings });
    *response.status_mut() = axum::http::StatusCode::CREATED;
    Ok(response)
}

/// `before` and `limit` of a list; nothing else.
fn page(params: HashMap<String, String>) -> ApiResult<(Option<i64>, usize)> {
    let mut values = query_params(params, &["before", "limit"])?.into_iter();
    let before = integer_param("before", values.next().flatten())?;
    let limit: Option<usize> = integer_param("limit", values.next().flatten())?;
    match limit {
        Some(limit) if !(1..=PAGE_MAX).contains(&limit) => Err(ApiError::field(
            "limit",
            format!("{limit} is out of range: 1 to {PAGE_MAX}"),
        )),
        _ => Ok((before, limit.unwrap_or(50))),
    }
}

/// Most manifests or warnings listed at once.
const PAGE_MAX: usize = 200;

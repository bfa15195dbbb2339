//! The frontline's inputs: machine-readable zones and passenger manifests.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use palermo_hub::frontline::{ManifestReport, MrzCheckInput, MrzCheckResult};

use crate::extract::{Authed, Json};
use crate::{ApiResult, AppState, blocking, ok_json};

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
        let checked = hub.check_mrz(&caller, &body)?;
        metrics.count_checks("mrz", 1, checked.hit_count());
        let mut results = checked.record(hub)?;
        Ok(ok_json(&results.pop()))
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
        let checked = hub.screen_manifest(&caller, &body)?;
        let hits = checked.hit_count();
        let mut reports = checked.record(hub)?;
        let report = reports.pop().expect("one manifest, one report");
        metrics.count_checks("manifest", report.travellers, hits);
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

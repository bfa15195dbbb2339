//! The frontline's inputs: machine-readable zones and passenger manifests.

use axum::extract::State;
use axum::response::Response;
use palermo_hub::frontline::{MrzCheckInput, MrzCheckResult};

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

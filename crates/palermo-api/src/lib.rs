//! The HTTP API: the only crate that knows JSON over HTTP. Handlers translate requests into
//! hub use cases and results into JSON or RFC 9457 problem details; they hold no rules.

mod admin;
mod cases;
mod extract;
mod frontline;
pub use extract::Peer;
mod messages;
mod metrics;
mod notices;
mod openapi;
mod persons;
mod public;
mod schemas;
mod security;
pub mod tls;
mod web;
pub use openapi::document as openapi_document;
pub mod problem;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRef, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, middleware};
use palermo_core::{DocumentInput, VehicleInput};
use palermo_hub::{
    BatchWritten, Checked, DocumentCheckResult, DocumentQuery, DocumentView, HitView, Hub,
    VehicleCheckResult, VehicleQuery, VehicleView,
};
use serde::{Deserialize, Serialize};

use crate::extract::{Authed, Json};
use crate::metrics::Metrics;
use crate::problem::{ApiError, Code};

/// Largest request body: a batch of 1,000 records or queries fits well within it.
pub const BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;
const HITS_PAGE_DEFAULT: usize = 100;

#[derive(Clone)]
pub struct AppState {
    pub hub: Arc<Hub>,
    metrics: Arc<Metrics>,
    options: Arc<RouterOptions>,
}

/// How the hub is reached, for the absolute links of the public notices service.
#[derive(Clone, Debug, Default)]
pub struct RouterOptions {
    /// Whether the API is served over TLS (links say `https://`).
    pub https: bool,
    /// The public service's own address (`https://notices.example.org`), when it is served
    /// behind a proxy or a name: links then never take the request's `Host`.
    pub public_url: Option<String>,
}

impl FromRef<AppState> for Arc<Metrics> {
    fn from_ref(state: &AppState) -> Arc<Metrics> {
        state.metrics.clone()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Sends a JSON body with `200 OK` (the crate's `Json` is the request extractor).
fn ok_json<T: Serialize>(value: &T) -> Response {
    json_response(StatusCode::OK, value)
}

fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => {
            let mut response = (status, body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(error) => ApiError::new(
            Code::Internal,
            format!("could not encode the response: {error}"),
        )
        .into_response(),
    }
}

/// Runs blocking hub work (a durable write, a record read) off the async executor.
async fn blocking<T: Send + 'static>(
    hub: &Arc<Hub>,
    work: impl FnOnce(&Hub) -> palermo_hub::Result<T> + Send + 'static,
) -> ApiResult<T> {
    let hub = hub.clone();
    tokio::task::spawn_blocking(move || work(&hub))
        .await
        .map_err(|error| ApiError::new(Code::Internal, format!("worker failed: {error}")))?
        .map_err(ApiError::from)
}

/// Releases check results once their audit entry and hits are durable (the group commit).
async fn release<R: Send + 'static>(hub: &Arc<Hub>, checked: Checked<R>) -> ApiResult<Vec<R>> {
    Ok(checked.submit(hub)?.durable().await?)
}

/// Batches larger than this are checked on a blocking thread: a batch of 1,000 takes about a
/// millisecond of CPU, too long to hold an async worker that other requests wait for.
const INLINE_CHECKS_MAX: usize = 16;

type CheckFn<Q, R> = fn(&Hub, &palermo_hub::Caller, &[Q]) -> palermo_hub::Result<Checked<R>>;

/// Runs a batch of checks (inline when small, on a blocking thread when large), records the
/// hits, counts them, and renders the results with `render`.
async fn run_checks<Q, R>(
    state: AppState,
    caller: palermo_hub::Caller,
    kind: &'static str,
    queries: Vec<Q>,
    check: CheckFn<Q, R>,
    render: fn(Vec<R>) -> Response,
) -> ApiResult<Response>
where
    Q: Send + 'static,
    R: Send + 'static,
{
    if queries.len() <= INLINE_CHECKS_MAX {
        let checked = check(&state.hub, &caller, &queries)?;
        state
            .metrics
            .count_checks(kind, queries.len(), checked.hit_count());
        return Ok(render(release(&state.hub, checked).await?));
    }
    let metrics = state.metrics.clone();
    blocking(&state.hub, move |hub| {
        let checked = check(hub, &caller, &queries)?;
        metrics.count_checks(kind, queries.len(), checked.hit_count());
        Ok(render(checked.record(hub)?))
    })
    .await
}

/// The API, and the Prometheus metrics of its traffic, served apart: metrics count records
/// hidden from all but their owners and administrative activity, so they belong on an
/// operator's address (`serve --metrics-listen`), never beside the API.
pub struct Routers {
    pub api: Router,
    pub metrics: Router,
}

/// The API alone (its metrics are not served).
pub fn router(hub: Arc<Hub>) -> Router {
    routers(hub).api
}

pub fn routers(hub: Arc<Hub>) -> Routers {
    routers_with(hub, RouterOptions::default())
}

pub fn routers_with(hub: Arc<Hub>, options: RouterOptions) -> Routers {
    let state = AppState {
        hub,
        metrics: Arc::new(Metrics::new()),
        options: Arc::new(options),
    };
    let metrics = Router::new()
        .route("/metrics", get(render_metrics))
        .fallback(|| async { ApiError::new(Code::NotFound, "no such endpoint") })
        .with_state(state.clone());
    let api = Router::new()
        .route(
            "/checks/documents",
            get(check_document).post(check_documents),
        )
        .route("/checks/vehicles", get(check_vehicle).post(check_vehicles))
        .route("/checks/mrz", axum::routing::post(frontline::check_mrz))
        .route("/manifests", get(frontline::manifests))
        .route("/manifests/{id}", get(frontline::manifest))
        .route(
            "/travel-warnings",
            get(frontline::warnings).post(frontline::send_warning),
        )
        .route(
            "/checks/manifests",
            axum::routing::post(frontline::screen_manifest).layer(DefaultBodyLimit::max(
                palermo_hub::frontline::MANIFEST_BYTES_MAX,
            )),
        )
        .route(
            "/checks/persons",
            get(persons::screen_one).post(persons::screen),
        )
        .route("/persons", axum::routing::post(persons::create))
        .route("/persons/batch", axum::routing::post(persons::batch))
        .route(
            "/persons/{id}",
            get(persons::get)
                .put(persons::update)
                .delete(persons::withdraw),
        )
        .route(
            "/persons/{id}/photos",
            axum::routing::post(persons::add_photo)
                .layer(DefaultBodyLimit::max(persons::PHOTO_BODY_LIMIT_BYTES))
                .get(persons::photos),
        )
        .route("/persons/{id}/photos/{photo}", get(persons::photo))
        .route(
            "/notices",
            get(notices::list_notices).post(notices::request_notice),
        )
        .route(
            "/notices/evaluate",
            axum::routing::post(notices::evaluate_notice),
        )
        .route("/notices/{id}", get(notices::get_notice))
        .route("/notices/{id}/history", get(notices::notice_history))
        .route(
            "/notices/{id}/transitions",
            axum::routing::post(notices::move_notice),
        )
        .route(
            "/diffusions",
            get(notices::list_diffusions).post(notices::request_diffusion),
        )
        .route(
            "/diffusions/evaluate",
            axum::routing::post(notices::evaluate_diffusion),
        )
        .route("/diffusions/{id}", get(notices::get_diffusion))
        .route("/diffusions/{id}/history", get(notices::diffusion_history))
        .route(
            "/diffusions/{id}/transitions",
            axum::routing::post(notices::move_diffusion),
        )
        .route(
            "/cases",
            axum::routing::post(cases::submit)
                .layer(DefaultBodyLimit::max(cases::CASE_BODY_LIMIT_BYTES))
                .get(cases::list),
        )
        .route("/cases/{id}", get(cases::get))
        .route("/cases/{id}/versions", get(cases::versions))
        .route("/cases/{id}/links", get(cases::links))
        .route("/cases/{id}/network", get(cases::network))
        .route("/cases/{id}/records", get(cases::records))
        .route(
            "/cases/{id}/checklist",
            get(cases::checklist).post(cases::tick),
        )
        .route("/cases/{id}/grants", get(cases::grants).post(cases::grant))
        .route(
            "/cases/{id}/grants/{username}",
            axum::routing::delete(cases::revoke),
        )
        .route("/cases/{id}/ftm", get(cases::ftm))
        .route("/statistics/routes", get(cases::routes))
        .route("/statistics/victims.csv", get(cases::victims))
        .route("/schemas/case-report-v1.json", get(cases::schema))
        .route("/documents", axum::routing::post(create_document))
        .route("/documents/batch", axum::routing::post(write_documents))
        .route(
            "/documents/{id}",
            get(get_document)
                .put(update_document)
                .delete(withdraw_document),
        )
        .route("/vehicles", axum::routing::post(create_vehicle))
        .route("/vehicles/batch", axum::routing::post(write_vehicles))
        .route(
            "/vehicles/{id}",
            get(get_vehicle)
                .put(update_vehicle)
                .delete(withdraw_vehicle),
        )
        .route("/hits", get(list_hits))
        .route(
            "/hits/{id}/answer",
            axum::routing::post(security::answer_hit),
        )
        .route("/sessions", axum::routing::post(security::sign_in))
        .route(
            "/sessions/current",
            get(security::current_session).delete(security::sign_out),
        )
        .route(
            "/messages",
            axum::routing::post(messages::send)
                .layer(DefaultBodyLimit::max(messages::MESSAGE_BODY_LIMIT_BYTES))
                .get(messages::list),
        )
        .route("/messages/{id}", get(messages::read))
        .route(
            "/messages/{id}/acknowledge",
            axum::routing::post(messages::acknowledge),
        )
        .route("/messages/{id}/thread", get(messages::thread))
        .route(
            "/messages/{id}/attachments/{attachment}",
            get(messages::attachment),
        )
        .route(
            "/admin/organisations",
            axum::routing::post(admin::add_organisation),
        )
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route(
            "/admin/users/{username}/password",
            axum::routing::post(admin::set_password),
        )
        .route(
            "/admin/users/{username}/{action}",
            axum::routing::post(admin::user_action),
        )
        .route("/admin/keys", axum::routing::post(admin::create_key))
        .route("/admin/keys/{id}", axum::routing::delete(admin::revoke_key))
        .route(
            "/admin/webhooks/{org}",
            axum::routing::put(admin::set_webhook),
        )
        .route("/audit", get(security::audit_entries))
        .route("/audit/verify", get(security::verify_audit))
        .route("/audit/head", get(security::audit_head))
        .route("/openapi.json", get(openapi::serve));
    let api = Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(healthz))
        .route("/notices/v1/un/persons", get(public::un_list))
        .route("/notices/v1/un/persons/{id}", get(public::un_one))
        .route("/notices/v1/un/persons/{id}/images", get(public::un_images))
        .route(
            "/notices/v1/un/persons/{id}/images/{picture}",
            get(public::un_picture),
        )
        .route("/notices/v1/{colour}", get(public::colour_list))
        .route("/notices/v1/{colour}/{id}", get(public::colour_one))
        .route(
            "/notices/v1/{colour}/{id}/images",
            get(public::colour_images),
        )
        .route(
            "/notices/v1/{colour}/{id}/images/{picture}",
            get(public::colour_picture),
        )
        .route("/notices/v1", get(public::unknown))
        .route("/problems/{slug}", get(problem_page))
        .merge(web::router())
        .fallback(|| async { ApiError::new(Code::NotFound, "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(Code::MethodNotAllowed, "method not allowed here")
        })
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(state);
    Routers { api, metrics }
}

async fn healthz() -> Response {
    ok_json(&serde_json::json!({"status": "ok"}))
}

async fn render_metrics(State(state): State<AppState>) -> Response {
    let body = state.metrics.render(state.hub.index_stats());
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

async fn problem_page(Path(slug): Path<String>) -> Response {
    format!("Palermo problem type {slug}: see the `detail` and `errors` members of the response.\n")
        .into_response()
}

/// A batch of travel documents to check.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentChecks {
    /// 1 to 1,000 queries.
    documents: Vec<DocumentQuery>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DocumentCheckResults {
    /// One result per query, in query order.
    results: Vec<DocumentCheckResult>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleChecks {
    vehicles: Vec<VehicleQuery>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VehicleCheckResults {
    results: Vec<VehicleCheckResult>,
}

/// An integer query parameter (`before`, `after`, `limit`), if given.
fn integer_param<T: std::str::FromStr>(name: &str, value: Option<String>) -> ApiResult<Option<T>> {
    value
        .map(|text| {
            text.trim()
                .parse::<T>()
                .map_err(|_| ApiError::field(name, "must be a non-negative integer"))
        })
        .transpose()
}

/// Takes the named query parameters; any other is an error, so typos do not pass silently.
/// A parameter given blank (`?limit=`) is as if not given.
fn query_params(
    mut params: HashMap<String, String>,
    names: &[&str],
) -> ApiResult<Vec<Option<String>>> {
    let taken = names
        .iter()
        .map(|name| {
            params
                .remove(*name)
                .filter(|value| !value.trim().is_empty())
        })
        .collect();
    if let Some(unknown) = params.keys().next() {
        return Err(ApiError::field(
            unknown.clone(),
            format!("unknown parameter; expected one of {}", names.join(", ")),
        ));
    }
    Ok(taken)
}

#[utoipa::path(post, path = "/api/v1/checks/documents", tag = "checks",
    request_body = DocumentChecks,
    responses((status = 200, body = DocumentCheckResults), (status = 422, body = problem::Problem)),
    security(("api_key" = [])))]
async fn check_documents(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<DocumentChecks>,
) -> ApiResult<Response> {
    run_checks(
        state,
        caller,
        "documents",
        body.documents,
        Hub::check_documents,
        |results| ok_json(&DocumentCheckResults { results }),
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/checks/documents", tag = "checks",
    params(("number" = String, Query), ("country" = String, Query, description = "issuing country"),
        ("type" = Option<String>, Query),
        ("holder_name" = Option<String>, Query, description = "the holder's name: also screens persons"),
        ("holder_birth_date" = Option<String>, Query)),
    responses((status = 200, body = DocumentCheckResult), (status = 422, body = problem::Problem)),
    security(("api_key" = [])))]
async fn check_document(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let mut values = query_params(
        params,
        &[
            "number",
            "country",
            "type",
            "holder_name",
            "holder_birth_date",
        ],
    )?
    .into_iter();
    let query = DocumentQuery {
        number: values.next().flatten(),
        issuing_country: values.next().flatten(),
        document_type: values.next().flatten(),
        holder_name: values.next().flatten(),
        holder_birth_date: values.next().flatten(),
    };
    let checked = state
        .hub
        .check_documents(&caller, std::slice::from_ref(&query))
        .map_err(rename_single_query)?;
    state
        .metrics
        .count_checks("documents", 1, checked.hit_count());
    let mut results = release(&state.hub, checked).await?;
    Ok(ok_json(&results.remove(0)))
}

#[utoipa::path(post, path = "/api/v1/checks/vehicles", tag = "checks",
    request_body = VehicleChecks,
    responses((status = 200, body = VehicleCheckResults), (status = 422, body = problem::Problem)),
    security(("api_key" = [])))]
async fn check_vehicles(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<VehicleChecks>,
) -> ApiResult<Response> {
    run_checks(
        state,
        caller,
        "vehicles",
        body.vehicles,
        Hub::check_vehicles,
        |results| ok_json(&VehicleCheckResults { results }),
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/checks/vehicles", tag = "checks",
    params(("vin" = Option<String>, Query), ("plate" = Option<String>, Query),
        ("country" = Option<String>, Query, description = "country of the plate")),
    responses((status = 200, body = VehicleCheckResult), (status = 422, body = problem::Problem)),
    security(("api_key" = [])))]
async fn check_vehicle(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let mut values = query_params(params, &["vin", "plate", "country"])?.into_iter();
    let query = VehicleQuery {
        vin: values.next().flatten(),
        plate: values.next().flatten(),
        plate_country: values.next().flatten(),
    };
    let checked = state
        .hub
        .check_vehicles(&caller, std::slice::from_ref(&query))
        .map_err(rename_single_query)?;
    state
        .metrics
        .count_checks("vehicles", 1, checked.hit_count());
    let mut results = release(&state.hub, checked).await?;
    Ok(ok_json(&results.remove(0)))
}

/// A GET check has query parameters, not a batch: name them as such in errors.
fn rename_single_query(error: palermo_hub::HubError) -> ApiError {
    let mut error = ApiError::from(error);
    for field_error in &mut error.errors {
        let name = field_error.field.rsplit('.').next().unwrap_or_default();
        field_error.field = match name {
            "issuing_country" | "plate_country" => "country".to_owned(),
            other => other.to_owned(),
        };
    }
    if let [one] = error.errors.as_slice() {
        error.detail = format!("{}: {}", one.field, one.detail);
    }
    error
}

fn parse_id(id: &str) -> ApiResult<i64> {
    id.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(ApiError::not_found)
}

fn created<T: Serialize>(location: String, value: &T) -> Response {
    let mut response = json_response(StatusCode::CREATED, value);
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentBatch {
    /// 1 to 1,000 documents, written in one transaction.
    documents: Vec<DocumentInput>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleBatch {
    vehicles: Vec<VehicleInput>,
}

#[utoipa::path(post, path = "/api/v1/documents", tag = "documents", request_body = DocumentInput,
    responses((status = 201, body = DocumentView), (status = 422, body = problem::Problem)),
    security(("api_key" = [])))]
async fn create_document(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(input): Json<DocumentInput>,
) -> ApiResult<Response> {
    let view = blocking(&state.hub, move |hub| hub.create_document(&caller, &input)).await?;
    Ok(created(format!("/api/v1/documents/{}", view.id), &view))
}

#[utoipa::path(post, path = "/api/v1/documents/batch", tag = "documents", request_body = DocumentBatch,
    responses((status = 200, body = BatchWritten), (status = 422, body = problem::Problem)),
    security(("api_key" = [])))]
async fn write_documents(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<DocumentBatch>,
) -> ApiResult<Response> {
    let written = blocking(&state.hub, move |hub| {
        hub.write_documents(&caller, &body.documents, "documents")
    })
    .await?;
    Ok(ok_json(&written))
}

#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, body = DocumentView), (status = 404, body = problem::Problem)),
    security(("api_key" = [])))]
async fn get_document(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    Ok(ok_json(
        &blocking(&state.hub, move |hub| hub.document(&caller, id)).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = i64, Path)),
    request_body = DocumentInput,
    responses((status = 200, body = DocumentView), (status = 404, body = problem::Problem), (status = 409, body = problem::Problem, description = "the record is withdrawn"), (status = 422, body = problem::Problem)),
    security(("api_key" = [])))]
async fn update_document(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    Json(input): Json<DocumentInput>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    Ok(ok_json(
        &blocking(&state.hub, move |hub| {
            hub.update_document(&caller, id, &input)
        })
        .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = problem::Problem)),
    security(("api_key" = [])))]
async fn withdraw_document(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    blocking(&state.hub, move |hub| hub.withdraw_document(&caller, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/vehicles", tag = "vehicles", request_body = VehicleInput,
    responses((status = 201, body = VehicleView), (status = 422, body = problem::Problem)),
    security(("api_key" = [])))]
async fn create_vehicle(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(input): Json<VehicleInput>,
) -> ApiResult<Response> {
    let view = blocking(&state.hub, move |hub| hub.create_vehicle(&caller, &input)).await?;
    Ok(created(format!("/api/v1/vehicles/{}", view.id), &view))
}

#[utoipa::path(post, path = "/api/v1/vehicles/batch", tag = "vehicles", request_body = VehicleBatch,
    responses((status = 200, body = BatchWritten), (status = 422, body = problem::Problem)),
    security(("api_key" = [])))]
async fn write_vehicles(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<VehicleBatch>,
) -> ApiResult<Response> {
    let written = blocking(&state.hub, move |hub| {
        hub.write_vehicles(&caller, &body.vehicles, "vehicles")
    })
    .await?;
    Ok(ok_json(&written))
}

#[utoipa::path(get, path = "/api/v1/vehicles/{id}", tag = "vehicles", params(("id" = i64, Path)),
    responses((status = 200, body = VehicleView), (status = 404, body = problem::Problem)),
    security(("api_key" = [])))]
async fn get_vehicle(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    Ok(ok_json(
        &blocking(&state.hub, move |hub| hub.vehicle(&caller, id)).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/vehicles/{id}", tag = "vehicles", params(("id" = i64, Path)),
    request_body = VehicleInput,
    responses((status = 200, body = VehicleView), (status = 404, body = problem::Problem), (status = 409, body = problem::Problem, description = "the record is withdrawn"), (status = 422, body = problem::Problem)),
    security(("api_key" = [])))]
async fn update_vehicle(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    Json(input): Json<VehicleInput>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    Ok(ok_json(
        &blocking(&state.hub, move |hub| {
            hub.update_vehicle(&caller, id, &input)
        })
        .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/vehicles/{id}", tag = "vehicles", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = problem::Problem)),
    security(("api_key" = [])))]
async fn withdraw_vehicle(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    blocking(&state.hub, move |hub| hub.withdraw_vehicle(&caller, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HitList {
    /// Newest first.
    hits: Vec<HitView>,
    /// Pass as `before` for the next page; absent on the last page.
    next_before: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/hits", tag = "hits",
    params(("limit" = Option<usize>, Query, description = "1 to 1000, default 100"),
        ("before" = Option<i64>, Query, description = "only hits with a smaller id"),
        ("state" = Option<String>, Query, description = "open, overdue or answered")),
    responses((status = 200, body = HitList)),
    security(("api_key" = [])))]
async fn list_hits(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let mut values = query_params(params, &["limit", "before", "state"])?.into_iter();
    let limit = integer_param("limit", values.next().flatten())?.unwrap_or(HITS_PAGE_DEFAULT);
    let before = integer_param("before", values.next().flatten())?;
    let hit_state = values.next().flatten();
    let hits = blocking(&state.hub, move |hub| {
        hub.hits(&caller, hit_state.as_deref(), before, limit)
    })
    .await?;
    let next_before = (hits.len() == limit)
        .then(|| hits.last().map(|hit| hit.id))
        .flatten();
    Ok(ok_json(&HitList { hits, next_before }))
}

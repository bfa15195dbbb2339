//! Trafficking case reports: submitting (format version 1, its JSON Schema published), lists,
//! a case as the caller may see it, its versions and its links to other bureaus' cases.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use palermo_hub::case_records::RecordLink;
use palermo_hub::case_work::{CaseChecklistView, CaseGrantView, GrantInput, TickInput};
use palermo_hub::cases::{
    CaseLink, CaseSummary, CaseVersionView, CaseView, NetworkView, RouteStatistics,
};
use serde::{Deserialize, Serialize};

use crate::extract::{Authed, Json};
use crate::{
    ApiResult, AppState, blocking, created, integer_param, ok_json, parse_id, query_params,
};

/// The largest body `POST /api/v1/cases` takes: the report's own limit.
pub const CASE_BODY_LIMIT_BYTES: usize = palermo_core::case::REPORT_BYTES_MAX;

/// A case report, format version 1: its exact schema is the one published at
/// `/api/v1/schemas/case-report-v1.json` (see docs/case-report.md).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct CaseReportInput(serde_json::Value);

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseList {
    /// Newest first.
    cases: Vec<CaseSummary>,
    /// Pass as `before` for the next page; absent on the last page.
    next_before: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseVersions {
    /// Oldest first.
    versions: Vec<CaseVersionView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseLinks {
    /// One per linked case.
    links: Vec<CaseLink>,
}

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseReportInput,
    responses((status = 201, body = CaseView), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Submits a case report: a new case of the caller's bureau, or, when the bureau already has
/// a case with the report's reference, that case's next version (the earlier ones are kept).
/// Every problem is listed at once with its JSON pointer; nothing is stored unless the whole
/// report is valid.
pub async fn submit(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<CaseReportInput>,
) -> ApiResult<Response> {
    let view = blocking(&state.hub, move |hub| {
        hub.submit_case_json(&caller, &body.0)
    })
    .await?;
    Ok(created(format!("/api/v1/cases/{}", view.id), &view))
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    params(("owner" = Option<String>, Query, description = "the reporting bureau (ISO 3166-1 alpha-3)"),
        ("before" = Option<i64>, Query, description = "only cases with a smaller id"),
        ("limit" = Option<usize>, Query, description = "1 to 200, default 50")),
    responses((status = 200, body = CaseList), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Cases the caller may see, newest first: its own, and others' as their restrictions allow
/// (the secretariat: all; partners: none).
pub async fn list(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let mut values = query_params(params, &["owner", "before", "limit"])?.into_iter();
    let mut next = || values.next().flatten();
    let owner = next();
    let before: Option<i64> = integer_param("before", next())?;
    let limit: Option<usize> = integer_param("limit", next())?;
    if let Some(limit) = limit
        && !(1..=palermo_hub::cases::CASES_PAGE_MAX).contains(&limit)
    {
        return Err(crate::problem::ApiError::field(
            "limit",
            format!(
                "{limit} is out of range: 1 to {}",
                palermo_hub::cases::CASES_PAGE_MAX
            ),
        ));
    }
    let limit = limit.unwrap_or(50);
    let cases = blocking(&state.hub, move |hub| {
        hub.cases(&caller, owner.as_deref(), before, limit)
    })
    .await?;
    let next_before = (cases.len() == limit)
        .then(|| cases.last().map(|case| case.id))
        .flatten();
    Ok(ok_json(&CaseList { cases, next_before }))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// A case as the caller may see it: whole for the reporting bureau; for others, without the
/// victims' identities (counts and non-identifying attributes).
pub async fn get(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let view = blocking(&state.hub, move |hub| hub.case(&caller, id)).await?;
    Ok(ok_json(&view))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/versions", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseVersions), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Every version of a case as reported, oldest first (its owner and the secretariat only).
pub async fn versions(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let versions = blocking(&state.hub, move |hub| hub.case_versions(&caller, id)).await?;
    Ok(ok_json(&CaseVersions { versions }))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/links", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseLinks), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// The other cases this case shares identifiers with (phones, e-mail addresses, handles,
/// accounts, documents, vehicles, addresses, organisations, suspects), one link per case: the
/// bureau to contact always, the other case and its entities where the caller may see it.
/// Victims are never matched.
pub async fn links(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let links = blocking(&state.hub, move |hub| hub.case_links(&caller, id)).await?;
    Ok(ok_json(&CaseLinks { links }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseRecordLinks {
    /// One per record and entity of the case.
    records: Vec<RecordLink>,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/records", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseRecordLinks), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// The records of the hub's databases the case's entities match: its suspects screened
/// against the persons by the name engine (with birth date and nationality) or named by id,
/// its documents against the travel documents, its vehicles by VIN and plate. Victims are
/// never matched. The record's bureau (whom to contact) always; the record where the caller
/// may see it.
pub async fn records(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let records = blocking(&state.hub, move |hub| hub.case_record_links(&caller, id)).await?;
    Ok(ok_json(&CaseRecordLinks { records }))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/checklist", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseChecklistView), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// The case's investigation checklist: the general list and one per form of exploitation its
/// victims suffered (sexual exploitation, forced labour, domestic servitude, organ removal,
/// child sexual exploitation in travel and tourism), each item with where it stands. The
/// reporting bureau's, the secretariat's and the users granted.
pub async fn checklist(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let view = blocking(&state.hub, move |hub| hub.case_checklist(&caller, id)).await?;
    Ok(ok_json(&view))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/checklist", tag = "cases", params(("id" = i64, Path)),
    request_body = TickInput,
    responses((status = 200, body = CaseChecklistView), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Ticks (or, with `done: false`, unticks) one item of the case's checklist, with a note: the
/// reporting bureau only. Answers the checklist as it now stands.
pub async fn tick(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    Json(input): Json<TickInput>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let view = blocking(&state.hub, move |hub| {
        hub.tick_case_item(&caller, id, &input)
    })
    .await?;
    Ok(ok_json(&view))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseGrants {
    grants: Vec<CaseGrantView>,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/grants", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CaseGrants), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// The users of other organisations the reporting bureau lets see the case's victims'
/// identities: the bureau's and the secretariat's to read.
pub async fn grants(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let grants = blocking(&state.hub, move |hub| hub.case_grants(&caller, id)).await?;
    Ok(ok_json(&CaseGrants { grants }))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/grants", tag = "cases", params(("id" = i64, Path)),
    request_body = GrantInput,
    responses((status = 201, body = CaseGrantView), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Lets a named user of another member bureau, or of the secretariat, see the case's victims'
/// identities (the reporting bureau only; the user's organisation must be one the case's
/// restriction lets see the case). Audited; the user's organisation is told in its trail.
pub async fn grant(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    Json(input): Json<GrantInput>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let view = blocking(&state.hub, move |hub| hub.grant_case(&caller, id, &input)).await?;
    Ok(created(
        format!("/api/v1/cases/{id}/grants/{}", view.username),
        &view,
    ))
}

#[utoipa::path(delete, path = "/api/v1/cases/{id}/grants/{username}", tag = "cases",
    params(("id" = i64, Path), ("username" = String, Path)),
    responses((status = 204), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Withdraws a user's grant (the reporting bureau only).
pub async fn revoke(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path((id, username)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    blocking(&state.hub, move |hub| {
        hub.revoke_case_grant(&caller, id, &username)
    })
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/ftm", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/x-ndjson", body = String,
        description = "FollowTheMoney entities, one JSON object per line"),
        (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// The case as FollowTheMoney entities (JSON lines: Project, Person, Organization, Passport,
/// Identification, Vehicle, Address, UserAccount, BankAccount, Payment, ProjectParticipant,
/// Membership, Ownership), for investigative tools that read that model; what the caller may
/// see of the case only (victims' identities for the reporting bureau and the users granted).
pub async fn ftm(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let entities = blocking(&state.hub, move |hub| hub.case_ftm(&caller, id)).await?;
    let mut body = String::new();
    for entity in &entities {
        body.push_str(&entity.to_string());
        body.push('\n');
    }
    let mut response = body.into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/x-ndjson"),
    );
    Ok(response)
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/network", tag = "cases",
    params(("id" = i64, Path), ("hops" = Option<usize>, Query, description = "1 to 3, default 2")),
    responses((status = 200, body = NetworkView), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// The graph of cases and entities within `hops` links of the case that the caller may see,
/// shaped for drawing: nodes (cases, suspects, organisations, phones, accounts …, victims only
/// for their reporting bureau) and edges (within a case; between cases, the identifier they
/// share). A linked case the caller may not see is a node naming only whom to contact, and is
/// not followed further. At most 1,000 nodes (`truncated` says when more were left out).
pub async fn network(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let mut values = query_params(params, &["hops"])?.into_iter();
    let hops: Option<usize> = integer_param("hops", values.next().flatten())?;
    let hops = hops.unwrap_or(2);
    let view = blocking(&state.hub, move |hub| hub.case_network(&caller, id, hops)).await?;
    Ok(ok_json(&view))
}

#[utoipa::path(get, path = "/api/v1/statistics/routes", tag = "cases",
    params(("year" = Option<i32>, Query, description = "the year of the reports"),
        ("exploitation" = Option<String>, Query, description = "a type of exploitation")),
    responses((status = 200, body = RouteStatistics), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Flows of people over the routes of the cases the caller may see: source, transit and
/// destination countries, by type of exploitation and year, with the cases and victims each
/// counts, largest first.
pub async fn routes(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let mut values = query_params(params, &["year", "exploitation"])?.into_iter();
    let year: Option<i32> = integer_param("year", values.next().flatten())?;
    let exploitation = values.next().flatten();
    let view = blocking(&state.hub, move |hub| {
        hub.route_statistics(&caller, year, exploitation.as_deref())
    })
    .await?;
    Ok(ok_json(&view))
}

#[utoipa::path(get, path = "/api/v1/statistics/victims.csv", tag = "cases",
    params(("k" = Option<usize>, Query, description = "the least group size, 2 to 1000, default 11")),
    responses((status = 200, content_type = "text/csv", body = String,
        description = "One row per victim, k-anonymised; `X-Victims`, `X-Generalised` and `X-Suppressed` give the counts"),
        (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// The anonymised victims dataset, in the style of the Counter Trafficking Data Collaborative's
/// public one: one row per victim of every case (year, gender, age band, citizenship, country
/// of exploitation, recruiter relation, a flag per type of exploitation and method of
/// control), no identity, no case, no bureau, k-anonymised. Partners may read it.
pub async fn victims(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let mut values = query_params(params, &["k"])?.into_iter();
    let k: Option<usize> = integer_param("k", values.next().flatten())?;
    let k = k.unwrap_or(palermo_hub::cases::K_DEFAULT);
    let dataset = blocking(&state.hub, move |hub| hub.victim_dataset(&caller, k)).await?;
    let mut response = dataset.to_csv().into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    for (name, value) in [
        ("x-victims", dataset.victims),
        ("x-generalised", dataset.generalised),
        ("x-suppressed", dataset.suppressed),
    ] {
        headers.insert(name, axum::http::HeaderValue::from(value as u64));
    }
    Ok(response)
}

/// The case report's JSON Schema (2020-12), version 1; public, like the API's description.
pub async fn schema() -> Response {
    static DOCUMENT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let body = DOCUMENT
        .get_or_init(|| {
            serde_json::to_vec_pretty(&palermo_core::case::schema::report_schema())
                .unwrap_or_default()
        })
        .clone();
    let mut response = body.into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/schema+json"),
    );
    response
}

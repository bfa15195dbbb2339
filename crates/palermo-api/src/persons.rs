//! Persons and person screening.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use palermo_core::PersonInput;
use palermo_hub::{BatchWritten, PersonQuery, PersonScreenResult, PersonView};
use serde::{Deserialize, Serialize};

use crate::extract::{Authed, Json};
use crate::problem::ApiError;
use crate::{ApiResult, AppState, blocking, created, ok_json, parse_id, query_params};

#[utoipa::path(post, path = "/api/v1/persons", tag = "persons", request_body = PersonInput,
    responses((status = 201, body = PersonView), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(input): Json<PersonInput>,
) -> ApiResult<Response> {
    let view = blocking(&state.hub, move |hub| hub.create_person(&caller, &input)).await?;
    Ok(created(format!("/api/v1/persons/{}", view.id), &view))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBatch {
    /// 1 to 1,000 persons, written in one transaction.
    persons: Vec<PersonInput>,
}

#[utoipa::path(post, path = "/api/v1/persons/batch", tag = "persons", request_body = PersonBatch,
    responses((status = 200, body = BatchWritten), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn batch(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<PersonBatch>,
) -> ApiResult<Response> {
    let written = blocking(&state.hub, move |hub| {
        hub.write_persons(&caller, &body.persons, "persons")
    })
    .await?;
    Ok(ok_json(&written))
}

#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "persons", params(("id" = i64, Path)),
    responses((status = 200, body = PersonView), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn get(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    Ok(ok_json(
        &blocking(&state.hub, move |hub| hub.person(&caller, id)).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/persons/{id}", tag = "persons", params(("id" = i64, Path)),
    request_body = PersonInput,
    responses((status = 200, body = PersonView), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem, description = "the record is withdrawn")),
    security(("api_key" = [])))]
pub async fn update(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    Json(input): Json<PersonInput>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    Ok(ok_json(
        &blocking(&state.hub, move |hub| {
            hub.update_person(&caller, id, &input)
        })
        .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/persons/{id}", tag = "persons", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    blocking(&state.hub, move |hub| hub.withdraw_person(&caller, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonScreening {
    /// 1 to 1,000 persons to screen.
    persons: Vec<PersonQuery>,
    /// The score from which a candidate is a hit (default 0.8).
    threshold: Option<f64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PersonScreenResults {
    /// One result per query, in query order.
    results: Vec<PersonScreenResult>,
}

#[utoipa::path(post, path = "/api/v1/checks/persons", tag = "checks",
    request_body = PersonScreening,
    responses((status = 200, body = PersonScreenResults), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Screens persons: ranked candidates, each with a score and its explanation.
pub async fn screen(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<PersonScreening>,
) -> ApiResult<Response> {
    let metrics = state.metrics.clone();
    blocking(&state.hub, move |hub| {
        let checked = hub.screen_persons(&caller, &body.persons, body.threshold)?;
        metrics.count_checks("persons", body.persons.len(), checked.hit_count());
        Ok(ok_json(&PersonScreenResults {
            results: checked.record(hub)?,
        }))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/checks/persons", tag = "checks",
    params(("name" = String, Query), ("birth_date" = Option<String>, Query),
        ("nationality" = Option<String>, Query), ("sex" = Option<String>, Query),
        ("threshold" = Option<f64>, Query)),
    responses((status = 200, body = PersonScreenResult), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn screen_one(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let mut values = query_params(
        params,
        &["name", "birth_date", "nationality", "sex", "threshold"],
    )?
    .into_iter();
    let query = PersonQuery {
        qid: None,
        name: values.next().flatten(),
        names: Vec::new(),
        birth_date: values.next().flatten(),
        nationality: values.next().flatten(),
        sex: values.next().flatten(),
    };
    let threshold = values
        .next()
        .flatten()
        .map(|t| {
            t.parse::<f64>()
                .map_err(|_| ApiError::field("threshold", "must be a number"))
        })
        .transpose()?;
    let metrics = state.metrics.clone();
    let mut results = blocking(&state.hub, move |hub| {
        let checked = hub
            .screen_persons(&caller, std::slice::from_ref(&query), threshold)
            .map_err(|error| match error {
                palermo_hub::HubError::Invalid(errors) => {
                    palermo_hub::HubError::Invalid(palermo_core::FieldErrors(
                        errors
                            .0
                            .into_iter()
                            .map(|mut e| {
                                e.field = e.field.trim_start_matches("persons[0].").to_owned();
                                e
                            })
                            .collect(),
                    ))
                }
                other => other,
            })?;
        metrics.count_checks("persons", 1, checked.hit_count());
        checked.record(hub)
    })
    .await?;
    Ok(ok_json(&results.remove(0)))
}

/// Largest body of a photo upload (the hub refuses photos over 2 MiB with a clear error).
pub const PHOTO_BODY_LIMIT_BYTES: usize = 3 * 1024 * 1024;

#[utoipa::path(post, path = "/api/v1/persons/{id}/photos", tag = "persons", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 201, body = palermo_hub::PhotoView), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Adds a photo (the body: a JPEG or PNG image, at most 2 MiB).
pub async fn add_photo(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let photo = blocking(&state.hub, move |hub| {
        hub.add_person_photo(&caller, id, &body)
    })
    .await?;
    Ok(created(
        format!("/api/v1/persons/{id}/photos/{}", photo.id),
        &photo,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PhotoList {
    photos: Vec<palermo_hub::PhotoView>,
}

#[utoipa::path(get, path = "/api/v1/persons/{id}/photos", tag = "persons", params(("id" = i64, Path)),
    responses((status = 200, body = PhotoList), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn photos(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let photos = blocking(&state.hub, move |hub| hub.person_photos(&caller, id)).await?;
    Ok(ok_json(&PhotoList { photos }))
}

#[utoipa::path(get, path = "/api/v1/persons/{id}/photos/{photo}", tag = "persons",
    params(("id" = i64, Path), ("photo" = i64, Path)),
    responses((status = 200, description = "the image"), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn photo(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path((id, photo)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (id, photo) = (parse_id(&id)?, parse_id(&photo)?);
    let (view, data) =
        blocking(&state.hub, move |hub| hub.person_photo(&caller, id, photo)).await?;
    let mut response = axum::response::IntoResponse::into_response((StatusCode::OK, data));
    let headers = response.headers_mut();
    if let Ok(value) = axum::http::HeaderValue::from_str(&view.content_type) {
        headers.insert(axum::http::header::CONTENT_TYPE, value);
    }
    if let Ok(value) = axum::http::HeaderValue::from_str(&format!("sha-256={}", view.sha256)) {
        headers.insert("x-checksum", value);
    }
    headers.insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

//! The public notices service: `/notices/v1/red`, `/notices/v1/yellow`, `/notices/v1/un/persons`,
//! unauthenticated and rate-limited per address, in the shape of the international public
//! notices web service (HAL `_links`, `entity_id` like `2026/12` and `2026-12` in paths, its
//! field names and its 404 body), so that clients written for it work unchanged. The hub makes
//! the extracts; this module only lays them out.

use std::collections::HashMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use palermo_hub::public::{Extract, PublicKind, PublicPage, PublicRefusal};
use serde_json::{Value, json};

use crate::AppState;

/// An answer in the public service's own error shape.
fn error(status: StatusCode, name: &str, message: &str) -> Response {
    let body = json!({"status": status.as_u16(), "name": name, "message": message});
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "NotFoundError", "Not Found")
}

fn refused(refusal: PublicRefusal) -> Response {
    error(StatusCode::BAD_REQUEST, "BadRequestError", &refusal.message)
}

fn json_ok(body: &Value) -> Response {
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// The service's address, for absolute links: the operator's (`serve --public-url`), or the
/// one the client reached (its `Host`, when it is a plain host name or address).
fn base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.options.public_url {
        return format!("{}/notices/v1", url.trim_end_matches('/'));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if state.options.https { "https" } else { "http" };
    format!("{scheme}://{host}/notices/v1")
}

fn link(href: String) -> Value {
    json!({"href": href})
}

/// The parts of a request every public endpoint shares: the rate limit (the seconds to wait
/// when over it), the base address.
fn admitted(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<std::net::IpAddr>,
) -> Result<String, u64> {
    state.hub.admit_public(peer)?;
    Ok(base(state, headers))
}

fn too_many(seconds: u64) -> Response {
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequestsError",
        &format!("Too many requests; try again in {seconds} s"),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

fn path_id(extract: &Extract) -> String {
    extract.entity_id.replace('/', "-")
}

fn notice_links(base: &str, extract: &Extract) -> Value {
    let own = format!("{base}/{}/{}", extract.kind.path(), path_id(extract));
    let mut links = json!({"self": link(own.clone()), "images": link(format!("{own}/images"))});
    if let Some(first) = extract.pictures.first() {
        links["thumbnail"] = link(format!("{own}/images/{first}"));
    }
    links
}

/// A list's entry.
fn summary(base: &str, extract: &Extract) -> Value {
    let mut entry = json!({
        "forename": extract.forename,
        "date_of_birth": extract.date_of_birth,
        "entity_id": extract.entity_id,
        "nationalities": extract.nationalities,
        "name": extract.name,
        "_links": notice_links(base, extract),
    });
    if extract.kind == PublicKind::UnPersons {
        entry["un_reference"] = json!(extract.un_reference);
    }
    entry
}

fn or_null<T: serde::Serialize>(list: &[T]) -> Value {
    if list.is_empty() {
        Value::Null
    } else {
        json!(list)
    }
}

/// A notice's detail, with the fields of its list.
fn detail(base: &str, extract: &Extract) -> Value {
    let mut body = json!({
        "forename": extract.forename,
        "name": extract.name,
        "date_of_birth": extract.date_of_birth,
        "entity_id": extract.entity_id,
        "nationalities": extract.nationalities,
        "sex_id": extract.sex_id,
        "place_of_birth": extract.place_of_birth,
        "country_of_birth_id": extract.country_of_birth_id,
        "languages_spoken_ids": or_null(&extract.languages_spoken_ids),
        "_embedded": {"links": []},
        "_links": notice_links(base, extract),
    });
    let fields: Vec<(&str, Value)> = match extract.kind {
        PublicKind::Red => vec![
            (
                "arrest_warrants",
                extract
                    .arrest_warrants
                    .iter()
                    .map(|w| {
                        json!({"charge": w.charge, "issuing_country_id": w.issuing_country_id,
                            "charge_translation": null})
                    })
                    .collect(),
            ),
            ("weight", Value::Null),
            ("height", Value::Null),
            ("distinguishing_marks", json!(extract.distinguishing_marks)),
            ("eyes_colors_id", Value::Null),
            ("hairs_id", Value::Null),
        ],
        PublicKind::Yellow => vec![
            ("weight", Value::Null),
            ("height", Value::Null),
            ("birth_name", json!(extract.birth_name)),
            ("eyes_colors_id", Value::Null),
            ("hairs_id", Value::Null),
            ("distinguishing_marks", json!(extract.distinguishing_marks)),
            ("place", json!(extract.place)),
            ("date_of_event", json!(extract.date_of_event)),
            ("country", json!(extract.country)),
            ("father_forename", Value::Null),
            ("father_name", Value::Null),
            ("mother_forename", Value::Null),
            ("mother_name", Value::Null),
        ],
        PublicKind::UnPersons => vec![
            ("summary", json!(extract.summary)),
            ("un_reference", json!(extract.un_reference)),
            ("un_resolution", json!(extract.un_resolution)),
            ("un_reference_date", Value::Null),
            (
                "aliases",
                extract
                    .aliases
                    .iter()
                    .map(|(name, forename)| {
                        json!({"name": name, "forename": forename,
                            "name_in_original_script": null, "forename_in_original_script": null})
                    })
                    .collect(),
            ),
            ("name_at_birth", Value::Null),
            ("name_in_original_script", Value::Null),
            ("forename_in_original_script", Value::Null),
            ("father_forename", Value::Null),
            ("father_name", Value::Null),
            ("mother_forename", Value::Null),
            ("mother_name", Value::Null),
            ("weight", Value::Null),
            ("profession", Value::Null),
            ("purposes", json!([])),
            ("identity_documents", json!([])),
            ("associates", json!([])),
            ("adresses", json!([])),
        ],
    };
    for (name, value) in fields {
        body[name] = value;
    }
    body
}

/// A list's page, with `self`, `first`, `next` (but on the last page) and `last` links that
/// carry the filters as given, then `resultPerPage` and `page`.
fn page_body(base: &str, kind: PublicKind, page: &PublicPage) -> Value {
    let href = |number: usize| {
        let mut parts: Vec<String> = page
            .filters
            .iter()
            .map(|(name, value)| format!("{name}={}", encode(value)))
            .collect();
        let lead = if parts.is_empty() { "&" } else { "" };
        parts.push(format!("resultPerPage={}", page.result_per_page));
        parts.push(format!("page={number}"));
        link(format!("{base}/{}?{lead}{}", kind.path(), parts.join("&")))
    };
    let mut query = json!({"page": page.page, "resultPerPage": page.result_per_page});
    for (name, value) in &page.filters {
        query[*name] = json!(value);
    }
    let mut links =
        json!({"self": href(page.page), "first": href(1), "last": href(page.last_page)});
    if page.page < page.last_page {
        links["next"] = href(page.page + 1);
    }
    json!({
        "total": page.total,
        "query": query,
        "_embedded": {"notices": page.notices.iter().map(|e| summary(base, e)).collect::<Vec<_>>()},
        "_links": links,
    })
}

/// Percent-encodes a query value (unreserved characters kept).
fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The query string's pairs, in order, decoded (`+` is a space).
fn pairs(query: Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn kind_of(segment: &str) -> Option<PublicKind> {
    match segment {
        "red" => Some(PublicKind::Red),
        "yellow" => Some(PublicKind::Yellow),
        _ => None,
    }
}

async fn list(
    state: AppState,
    headers: HeaderMap,
    peer: Option<std::net::IpAddr>,
    kind: PublicKind,
    query: Option<String>,
) -> Response {
    let base = match admitted(&state, &headers, peer) {
        Ok(base) => base,
        Err(seconds) => return too_many(seconds),
    };
    match state.hub.public_notices(kind, &pairs(query)) {
        Ok(page) => json_ok(&page_body(&base, kind, &page)),
        Err(refusal) => refused(refusal),
    }
}

async fn one(
    state: AppState,
    headers: HeaderMap,
    peer: Option<std::net::IpAddr>,
    kind: PublicKind,
    id: &str,
) -> Response {
    let base = match admitted(&state, &headers, peer) {
        Ok(base) => base,
        Err(seconds) => return too_many(seconds),
    };
    match state.hub.public_notice(kind, id) {
        Some(extract) => json_ok(&detail(&base, &extract)),
        None => not_found(),
    }
}

async fn images(
    state: AppState,
    headers: HeaderMap,
    peer: Option<std::net::IpAddr>,
    kind: PublicKind,
    id: &str,
) -> Response {
    let base = match admitted(&state, &headers, peer) {
        Ok(base) => base,
        Err(seconds) => return too_many(seconds),
    };
    let Some(extract) = state.hub.public_notice(kind, id) else {
        return not_found();
    };
    let own = format!("{base}/{}/{}", kind.path(), path_id(&extract));
    let images: Vec<Value> = extract
        .pictures
        .iter()
        .map(|picture| {
            json!({"picture_id": picture.to_string(),
                "_links": {"self": link(format!("{own}/images/{picture}"))}})
        })
        .collect();
    let mut links = json!({"self": link(format!("{own}/images")), "notice": link(own.clone())});
    if let Some(first) = extract.pictures.first() {
        links["thumbnail"] = link(format!("{own}/images/{first}"));
    }
    json_ok(&json!({"_embedded": {"images": images}, "_links": links}))
}

async fn picture(
    state: AppState,
    headers: HeaderMap,
    peer: Option<std::net::IpAddr>,
    kind: PublicKind,
    id: &str,
    picture: &str,
) -> Response {
    if let Err(seconds) = admitted(&state, &headers, peer) {
        return too_many(seconds);
    }
    let hub = state.hub.clone();
    let (id, picture) = (id.to_owned(), picture.to_owned());
    let found = tokio::task::spawn_blocking(move || hub.public_picture(kind, &id, &picture)).await;
    match found {
        Ok(Ok(Some((content_type, data)))) => {
            let mut response = (StatusCode::OK, data).into_response();
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&content_type) {
                headers.insert(header::CONTENT_TYPE, value);
            }
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            response
        }
        Ok(Ok(None)) => not_found(),
        Ok(Err(palermo_hub::HubError::NotFound)) => not_found(),
        _ => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "Internal Server Error",
        ),
    }
}

/// The peer's address of a request, when the server records it (for the rate limit).
pub struct PeerAddr(Option<std::net::IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(crate::extract::peer(parts)))
    }
}

fn peer_of(info: PeerAddr) -> Option<std::net::IpAddr> {
    info.0
}

type ConnectInfo = PeerAddr;

/// `/notices/v1/{red|yellow}`
pub async fn colour_list(
    State(state): State<AppState>,
    info: ConnectInfo,
    headers: HeaderMap,
    Path(colour): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    match kind_of(&colour) {
        Some(kind) => list(state, headers, peer_of(info), kind, query).await,
        None => not_found(),
    }
}

pub async fn colour_one(
    State(state): State<AppState>,
    info: ConnectInfo,
    headers: HeaderMap,
    Path((colour, id)): Path<(String, String)>,
) -> Response {
    match kind_of(&colour) {
        Some(kind) => one(state, headers, peer_of(info), kind, &id).await,
        None => not_found(),
    }
}

pub async fn colour_images(
    State(state): State<AppState>,
    info: ConnectInfo,
    headers: HeaderMap,
    Path((colour, id)): Path<(String, String)>,
) -> Response {
    match kind_of(&colour) {
        Some(kind) => images(state, headers, peer_of(info), kind, &id).await,
        None => not_found(),
    }
}

pub async fn colour_picture(
    State(state): State<AppState>,
    info: ConnectInfo,
    headers: HeaderMap,
    Path(parts): Path<HashMap<String, String>>,
) -> Response {
    let (Some(colour), Some(id), Some(number)) =
        (parts.get("colour"), parts.get("id"), parts.get("picture"))
    else {
        return not_found();
    };
    match kind_of(colour) {
        Some(kind) => picture(state, headers, peer_of(info), kind, id, number).await,
        None => not_found(),
    }
}

/// `/notices/v1/un/persons`
pub async fn un_list(
    State(state): State<AppState>,
    info: ConnectInfo,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    list(state, headers, peer_of(info), PublicKind::UnPersons, query).await
}

pub async fn un_one(
    State(state): State<AppState>,
    info: ConnectInfo,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    one(state, headers, peer_of(info), PublicKind::UnPersons, &id).await
}

pub async fn un_images(
    State(state): State<AppState>,
    info: ConnectInfo,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    images(state, headers, peer_of(info), PublicKind::UnPersons, &id).await
}

pub async fn un_picture(
    State(state): State<AppState>,
    info: ConnectInfo,
    headers: HeaderMap,
    Path((id, number)): Path<(String, String)>,
) -> Response {
    picture(
        state,
        headers,
        peer_of(info),
        PublicKind::UnPersons,
        &id,
        &number,
    )
    .await
}

/// Anything else under `/notices/v1`: the service's 404.
pub async fn unknown() -> Response {
    not_found()
}

//! The web application: server-rendered pages over the same hub use cases as the API (every
//! rule and every audit entry is the hub's; a page can do nothing the API cannot). Sessions
//! are the hub's, carried in a `__Host-` cookie (HttpOnly, Secure, SameSite=Strict); every
//! form carries a token derived from the session (CSRF), and every page a strict
//! Content-Security-Policy: scripts, styles and images come from this server only, and no
//! inline script or style runs. See `docs/web.md`.

mod admin;
mod assets;
mod audit;
mod cases;
mod check;
mod graph;
mod hits;
mod html;
mod import;
mod messages;
mod notices;
mod public;
mod records;
mod signin;
mod statistics;

use std::net::IpAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use palermo_core::Permissions;
use palermo_hub::{Caller, HubError};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::problem::ApiError;

pub(crate) use html::layout;

/// The session cookie: `__Host-` binds it to this origin, path `/`, Secure.
const SESSION_COOKIE: &str = "__Host-palermo";
/// The sign-in form's own token cookie (a sign-in is posted before any session exists).
const SIGNIN_COOKIE: &str = "__Host-palermo-signin";
/// The hidden field every form sends its CSRF token in.
const CSRF_FIELD: &str = "csrf";
/// Largest form body, its files included: a message's attachments (5 MiB each at the hub),
/// a manifest, a case report.
const FORM_LIMIT_BYTES: usize = 8 * 1024 * 1024;

/// The pages, mounted at `/`; the API stays at `/api/v1`.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/signin", get(signin::form).post(signin::submit))
        .route("/signout", post(signin::signout))
        .route("/account", get(signin::account))
        .route("/account/authenticator", post(signin::begin_enrolment))
        .route(
            "/account/authenticator/confirm",
            post(signin::finish_enrolment),
        )
        .route("/check", get(check::page).post(check::submit))
        .route("/check/manifest", post(check::manifest))
        .route("/manifests/{id}", get(check::manifest_report))
        .route("/warnings", get(check::warnings))
        .route("/hits", get(hits::page))
        .route("/hits/{id}/answer", post(hits::answer))
        .route("/messages", get(messages::mailbox))
        .route("/messages/new", get(messages::compose).post(messages::send))
        .route("/messages/{id}", get(messages::thread))
        .route(
            "/messages/{id}/attachments/{attachment}",
            get(messages::attachment),
        )
        .route("/records", get(records::page))
        .route("/records/open", get(records::open))
        .route("/records/import", post(import::submit))
        .route("/records/documents", post(records::create_document))
        .route("/records/documents/{id}", get(records::document))
        .route(
            "/records/documents/{id}/withdraw",
            post(records::withdraw_document),
        )
        .route("/records/documents/{id}/edit", post(records::edit_document))
        .route("/records/vehicles", post(records::create_vehicle))
        .route("/records/vehicles/{id}", get(records::vehicle))
        .route(
            "/records/vehicles/{id}/withdraw",
            post(records::withdraw_vehicle),
        )
        .route("/records/vehicles/{id}/edit", post(records::edit_vehicle))
        .route("/records/persons", post(records::create_person))
        .route("/records/persons/{id}", get(records::person))
        .route("/records/persons/{id}/photos", post(records::add_photo))
        .route(
            "/records/persons/{id}/withdraw",
            post(records::withdraw_person),
        )
        .route("/records/persons/{id}/photos/{photo}", get(records::photo))
        .route("/notices", get(notices::list))
        .route("/notices/new", get(notices::form).post(notices::request))
        .route("/notices/evaluate", post(notices::evaluate))
        .route("/notices/{id}", get(notices::page))
        .route("/notices/{id}/move", post(notices::move_notice))
        .route("/cases", get(cases::list))
        .route("/cases/new", get(cases::form).post(cases::submit))
        .route("/cases/{id}", get(cases::page))
        .route("/cases/{id}/network.svg", get(cases::network_svg))
        .route("/cases/{id}/checklist", post(cases::tick))
        .route("/public", get(public::search))
        .route("/statistics", get(statistics::page))
        .route("/statistics/flows.csv", get(statistics::flows_csv))
        .route("/statistics/hits.csv", get(statistics::hits_csv))
        .route("/statistics/victims.csv", get(statistics::victims_csv))
        .route("/audit", get(audit::page))
        .route("/admin", get(admin::page))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/users/{username}", post(admin::user_action))
        .route("/admin/keys", post(admin::create_key))
        .route("/admin/keys/revoke", post(admin::revoke_key))
        .route("/admin/organisations", post(admin::add_organisation))
        .route("/assets/{name}", get(assets::serve))
        .layer(middleware::from_fn(headers))
        // Over the API's own limit (2 MiB of JSON): a form carries files.
        .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT_BYTES))
}

/// Every page's security headers: no framing, no sniffing, no referrer, nothing cached, and a
/// policy that lets only this server's own scripts, styles and images run.
async fn headers(request: Request, next: Next) -> Response {
    let asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn home(user: Option<WebUser>) -> Response {
    match user {
        Some(user) if user.caller.permissions.contains(Permissions::CHECK) => {
            Redirect::to("/check").into_response()
        }
        Some(user) if user.caller.permissions.contains(Permissions::HITS) => {
            Redirect::to("/hits").into_response()
        }
        Some(user) if user.caller.permissions.contains(Permissions::READ_AUDIT) => {
            Redirect::to("/audit").into_response()
        }
        Some(user) if user.caller.permissions.contains(Permissions::ADMINISTER) => {
            Redirect::to("/admin").into_response()
        }
        Some(_) => Redirect::to("/account").into_response(),
        None => Redirect::to("/signin").into_response(),
    }
}

/// A signed-in person, from the session cookie. Pages that need one redirect to the sign-in
/// page without it (and come back after).
pub(crate) struct WebUser {
    pub caller: Caller,
    token: String,
    pub idle_seconds: i64,
}

impl WebUser {
    /// The token every form of this session carries: bound to the session, unguessable
    /// without its cookie, and never the session token itself.
    pub fn csrf(&self) -> String {
        csrf_of(&self.token)
    }

    pub fn username(&self) -> &str {
        self.caller.user.as_deref().unwrap_or_default()
    }

    pub fn may(&self, permission: Permissions) -> bool {
        self.caller.permissions.contains(permission)
    }
}

fn csrf_of(token: &str) -> String {
    let digest = Sha256::digest(format!("palermo-csrf\0{token}").as_bytes());
    hex::encode(&digest[..16])
}

/// The value of cookie `name`, if the request sends it.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Where a request's page is, for coming back to it after signing in.
fn back_to(parts: &Parts) -> String {
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    if parts.method == axum::http::Method::GET && html::is_local_path(path) {
        path.to_owned()
    } else {
        "/".to_owned()
    }
}

/// Why a page sent the person to sign in.
pub(crate) struct SignInFirst(String);

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        let mut target = String::from("/signin?next=");
        target.extend(url::form_urlencoded::byte_serialize(self.0.as_bytes()));
        Redirect::to(&target).into_response()
    }
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = SignInFirst;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE)
            .ok_or_else(|| SignInFirst(back_to(parts)))?
            .to_owned();
        let source = crate::extract::peer(parts);
        let caller = state
            .hub
            .authenticate_session(&token, source)
            .ok_or_else(|| SignInFirst(back_to(parts)))?;
        Ok(WebUser {
            caller,
            token,
            idle_seconds: state.hub.policy().session_idle_ms / 1000,
        })
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for WebUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(
            <WebUser as FromRequestParts<AppState>>::from_request_parts(parts, state)
                .await
                .ok(),
        )
    }
}

/// A form's fields in the order sent, and its files (`multipart/form-data`).
#[derive(Default)]
pub(crate) struct Form {
    fields: Vec<(String, String)>,
    files: Vec<Upload>,
}

pub(crate) struct Upload {
    pub field: String,
    pub name: String,
    pub content_type: String,
    pub bytes: Bytes,
}

impl Form {
    /// The field's value, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    }

    /// The field's value as typed (line breaks and spaces kept).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn owned(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    pub fn files(&self, field: &str) -> impl Iterator<Item = &Upload> {
        self.files
            .iter()
            .filter(move |file| file.field == field && !file.bytes.is_empty())
    }
}

/// A form posted by a signed-in person: the session, then the CSRF token, then the fields.
/// A form without its session's token is refused (403) before anything is done.
pub(crate) struct Posted {
    pub user: WebUser,
    pub form: Form,
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let user = <WebUser as FromRequestParts<AppState>>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if !same_origin(&parts.headers) {
            return Err(refused_form("the form was sent from another site"));
        }
        let request = Request::from_parts(parts, body);
        let form = read_form(request, state).await?;
        if form.get(CSRF_FIELD) != Some(user.csrf().as_str()) {
            return Err(refused_form(
                "the form's token does not belong to this session: reload the page and send it again",
            ));
        }
        Ok(Posted { user, form })
    }
}

/// Whether a form comes from this site's own pages: a browser says so in `Sec-Fetch-Site`,
/// older ones name the page's origin in `Origin`. One from another site is refused (besides
/// SameSite cookies, a second line against a forged form); a client that sends neither (not a
/// browser) gets no cookie from another site anyway.
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return true;
    };
    let host = text(header::HOST.as_str()).unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest == host)
}

fn refused_form(detail: &str) -> Response {
    html::error_page(StatusCode::FORBIDDEN, "Form refused", detail)
}

/// Reads a `application/x-www-form-urlencoded` or `multipart/form-data` body.
async fn read_form(request: Request, state: &AppState) -> Result<Form, Response> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let too_large = || {
        html::error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Too large",
            "the form and its files are larger than 8 MiB",
        )
    };
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|rejection| {
                html::error_page(StatusCode::BAD_REQUEST, "Bad form", &rejection.body_text())
            })?;
        let mut form = Form::default();
        let mut total = 0usize;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(too_large());
                }
                Err(error) => {
                    return Err(html::error_page(
                        StatusCode::BAD_REQUEST,
                        "Bad form",
                        &error.body_text(),
                    ));
                }
            };
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let file_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let bytes = field.bytes().await.map_err(|error| {
                if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    html::error_page(StatusCode::BAD_REQUEST, "Bad form", &error.body_text())
                }
            })?;
            total += bytes.len();
            if total > FORM_LIMIT_BYTES {
                return Err(too_large());
            }
            match file_name {
                Some(file_name) => form.files.push(Upload {
                    field: name,
                    name: file_name,
                    content_type: file_type,
                    bytes,
                }),
                None => form
                    .fields
                    .push((name, String::from_utf8_lossy(&bytes).into_owned())),
            }
        }
        return Ok(form);
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(html::error_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Bad form",
            "send the form as a browser does (urlencoded or multipart)",
        ));
    }
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|_| too_large())?;
    Ok(Form {
        fields: url::form_urlencoded::parse(&bytes).into_owned().collect(),
        files: Vec::new(),
    })
}

/// What a page answers when the hub refuses: a form's invalid fields are shown beside the
/// fields by the page itself; everything else is a page of its own with the API's status.
pub(crate) fn failure(user: Option<&WebUser>, error: HubError) -> Response {
    if let HubError::Unauthenticated(_) = error {
        return SignInFirst("/".into()).into_response();
    }
    let error = ApiError::from(error);
    let status = error.code.status();
    // One invalid field is the detail itself; several are listed after it.
    let mut detail = error.detail.clone();
    if error.errors.len() > 1 {
        for field in &error.errors {
            detail.push_str(&format!("; {}: {}", field.field, field.detail));
        }
    }
    let title = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::CONFLICT => "Not possible now",
        StatusCode::TOO_MANY_REQUESTS => "Too many requests",
        StatusCode::UNPROCESSABLE_ENTITY => "Invalid input",
        _ => error.code.title(),
    };
    let detail = if status == StatusCode::NOT_FOUND {
        "There is no such record, or it is not yours to see.".to_owned()
    } else {
        detail
    };
    match user {
        Some(user) => (
            status,
            layout(user, title, "", html::problem(title, &detail)),
        )
            .into_response(),
        None => html::error_page(status, title, &detail),
    }
}

/// An input read from a form's fields gathered as a JSON object, exactly as the API reads its
/// bodies (the same types, the same errors naming the same fields). An error that is no
/// field's (there is none for an object built here) is put on `fallback`.
pub(crate) fn input_from<T: serde::de::DeserializeOwned>(
    object: &serde_json::Map<String, serde_json::Value>,
    fallback: &str,
) -> Result<T, palermo_core::FieldError> {
    let bytes = serde_json::to_vec(object).unwrap_or_default();
    palermo_hub::json::parse(&bytes).map_err(|error| match error {
        palermo_hub::json::JsonError::Data { path, message } => palermo_core::FieldError {
            field: path,
            detail: message,
        },
        palermo_hub::json::JsonError::Syntax { message, .. } => palermo_core::FieldError {
            field: fallback.to_owned(),
            detail: message,
        },
    })
}

/// A record's id in a page's path, read as the API reads it (a positive integer); anything
/// else is a page that does not exist.
pub(crate) fn id_of(text: &str) -> Option<i64> {
    crate::parse_id(text).ok()
}

/// A page with another status (a form sent back with its errors: 422).
pub(crate) fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

/// Runs blocking hub work off the async executor, as the API does.
pub(crate) async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&palermo_hub::Hub) -> palermo_hub::Result<T> + Send + 'static,
) -> palermo_hub::Result<T> {
    let hub = state.hub.clone();
    tokio::task::spawn_blocking(move || work(&hub))
        .await
        .map_err(|error| HubError::Internal(format!("worker failed: {error}")))?
}

/// The peer's address of a request (for sign-ins, before any session).
pub(crate) struct Source(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Source(crate::extract::peer(parts)))
    }
}

/// A redirect after a form (303: the browser then GETs the page).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

//! The OpenAPI 3.1 description, generated from the handlers' annotations and the types.

use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Palermo hub API", description = "Checks and records of the Palermo hub: travel documents, vehicles, persons, notices and diffusions, trafficking case reports, hits, messages, sessions, the audit trail."),
    paths(
        super::check_documents, super::check_document, super::check_vehicles, super::check_vehicle,
        super::create_document, super::write_documents, super::get_document, super::update_document,
        super::withdraw_document, super::create_vehicle, super::write_vehicles, super::get_vehicle,
        super::update_vehicle, super::withdraw_vehicle, super::list_hits,
        super::security::answer_hit, super::security::sign_in, super::security::current_session,
        super::security::sign_out, super::security::audit_entries, super::security::verify_audit,
        super::security::audit_head, super::messages::send, super::messages::list,
        super::messages::read, super::messages::acknowledge, super::messages::thread,
        super::messages::attachment, super::admin::add_organisation, super::admin::users,
        super::admin::add_user, super::admin::user_action, super::admin::set_password,
        super::admin::create_key, super::admin::revoke_key, super::admin::set_webhook,
        super::persons::create, super::persons::batch, super::persons::get,
        super::persons::update, super::persons::withdraw, super::persons::screen,
        super::persons::screen_one, super::persons::add_photo, super::persons::photos,
        super::persons::photo, super::notices::request_notice, super::notices::request_diffusion,
        super::notices::evaluate_notice, super::notices::evaluate_diffusion,
        super::notices::list_notices, super::notices::list_diffusions, super::notices::get_notice,
        super::notices::get_diffusion, super::notices::notice_history,
        super::notices::diffusion_history, super::notices::move_notice,
        super::notices::move_diffusion, super::cases::submit, super::cases::list,
        super::cases::get, super::cases::versions, super::cases::links, super::cases::network, super::cases::routes, super::cases::victims,
        super::cases::records, super::cases::checklist, super::cases::tick, super::cases::grants,
        super::cases::grant, super::cases::revoke, super::cases::ftm,
        super::frontline::check_mrz, super::frontline::screen_manifest,
        super::frontline::manifests, super::frontline::manifest, super::frontline::warnings,
        super::frontline::send_warning,
    ),
    modifiers(&BearerKey),
)]
pub struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key (plm_…) or a person's session token (pls_…)",
                    ))
                    .build(),
            ),
        );
    }
}

pub async fn serve() -> Response {
    static DOCUMENT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let body = DOCUMENT
        .get_or_init(|| serde_json::to_vec_pretty(&document()).unwrap_or_default())
        .clone();
    let mut response = body.into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    response
}

/// The description as served: the annotations' document, with every error response the hub
/// can give declared as it gives it (RFC 9457 `application/problem+json`), and the input
/// schemas' exact constraints ([`crate::schemas`]).
pub fn document() -> serde_json::Value {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    declare_problems(&mut document);
    crate::schemas::constrain(&mut document);
    document
}

/// Why each error status is given, for the responses every operation of a kind can give.
const ERRORS: &[(&str, &str)] = &[
    (
        "400",
        "The body is not well-formed JSON (the problem names line and column).",
    ),
    (
        "401",
        "No credential, or an unknown, revoked or expired one.",
    ),
    ("403", "The caller's roles or key scopes do not allow this."),
    (
        "404",
        "No such resource, or one the caller may not see (the two read alike).",
    ),
    ("409", "The request conflicts with stored data."),
    ("413", "The body is larger than this endpoint takes."),
    (
        "415",
        "The body is not of the media type this endpoint takes.",
    ),
    (
        "422",
        "The input is invalid; `errors` names each field (by its path) and why.",
    ),
    (
        "429",
        "Over a rate or concurrency limit; retry after `Retry-After` seconds.",
    ),
    ("500", "The hub failed; the detail is in its log, not here."),
    (
        "503",
        "The hub is busy (its audit trail is behind) or shutting down.",
    ),
];

/// Declares every error response as the hub sends it: RFC 9457 problem details.
fn declare_problems(document: &mut serde_json::Value) {
    use serde_json::json;
    let problem =
        json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}});
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let secured = operation.get("security").is_some();
            let json_body = operation["requestBody"]["content"]
                .get("application/json")
                .is_some();
            let any_body = operation.get("requestBody").is_some();
            let parameters = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let in_path = parameters.iter().any(|p| p["in"] == "path");
            let in_query = parameters.iter().any(|p| p["in"] == "query");
            let mut statuses: Vec<&str> = vec!["500", "503"];
            // Every change can meet stored data it conflicts with (a name taken, a record
            // changed meanwhile).
            if method != "get" {
                statuses.push("409");
            }
            if secured {
                statuses.extend(["401", "403", "429"]);
            }
            if json_body {
                statuses.extend(["400", "413", "415", "422"]);
            } else if any_body {
                statuses.extend(["413", "422"]);
            }
            if in_query {
                statuses.push("422");
            }
            if in_path {
                statuses.push("404");
            }
            let responses = operation["responses"]
                .as_object_mut()
                .expect("every operation has responses");
            for status in statuses {
                responses.entry(status).or_insert_with(|| {
                    let description = ERRORS
                        .iter()
                        .find(|(code, _)| *code == status)
                        .map_or("An error.", |(_, why)| *why);
                    json!({"description": description})
                });
            }
            for (status, response) in responses.iter_mut() {
                if status.as_str() < "400" {
                    continue;
                }
                response["content"] = problem.clone();
                let headers = match status.as_str() {
                    "401" => Some(json!({"WWW-Authenticate": {
                        "description": "`Bearer`", "schema": {"type": "string"}}})),
                    "429" => Some(json!({"Retry-After": {
                        "description": "Seconds to wait before trying again.",
                        "required": true, "schema": {"type": "integer", "minimum": 1}}})),
                    _ => None,
                };
                if let Some(headers) = headers {
                    response["headers"] = headers;
                }
            }
        }
    }
}

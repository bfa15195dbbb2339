//! The OpenAPI 3.1 description, generated from the handlers' annotations and the types.

use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Palermo hub API", description = "Checks and records of the Palermo hub: travel documents, vehicles, hits, sessions, the audit trail."),
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
        super::persons::photo,
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
    let mut response = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_default()
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    response
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

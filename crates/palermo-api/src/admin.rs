//! Administration over the API, for administrators (the `admin` permission): organisations,
//! people, keys and webhooks on a running hub, without stopping it. Every call is audited by
//! the hub like the same command on the console.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use palermo_core::{OrgCode, OrgKind, Permissions, Role};
use palermo_hub::{DEFAULT_KEY_SCOPES, NewSecrets, UserView};
use serde::{Deserialize, Serialize};

use crate::extract::{Authed, Json};
use crate::problem::ApiError;
use crate::{ApiResult, AppState, blocking, created, ok_json, parse_id};

fn org(field: &str, text: &str) -> ApiResult<OrgCode> {
    OrgCode::parse(text).map_err(|detail| ApiError::field(field, detail))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    code: String,
    /// `member`, `secretariat` or `partner`.
    kind: String,
    name: String,
}

#[utoipa::path(post, path = "/api/v1/admin/organisations", tag = "admin",
    request_body = NewOrganisation,
    responses((status = 204), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn add_organisation(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<NewOrganisation>,
) -> ApiResult<StatusCode> {
    let code = org("code", &body.code)?;
    let kind = OrgKind::parse(&body.kind)
        .ok_or_else(|| ApiError::field("kind", "must be member, secretariat or partner"))?;
    blocking(&state.hub, move |hub| {
        hub.add_organisation(&caller, code, kind, &body.name)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    username: String,
    org: String,
    roles: Vec<String>,
    display_name: Option<String>,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserList {
    users: Vec<UserView>,
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    responses((status = 200, body = UserList), (status = 403, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn users(State(state): State<AppState>, Authed(caller): Authed) -> ApiResult<Response> {
    let users = blocking(&state.hub, move |hub| hub.users(&caller)).await?;
    Ok(ok_json(&UserList { users }))
}

#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", request_body = NewUser,
    responses((status = 201, body = NewSecrets), (status = 403, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Adds a person; answers their second-factor secrets, shown once.
pub async fn add_user(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<NewUser>,
) -> ApiResult<Response> {
    let org = org("org", &body.org)?;
    let roles = body
        .roles
        .iter()
        .enumerate()
        .map(|(i, role)| {
            Role::parse(role).map_err(|detail| ApiError::field(format!("roles[{i}]"), detail))
        })
        .collect::<ApiResult<Vec<Role>>>()?;
    let secrets = blocking(&state.hub, move |hub| {
        let name = body.display_name.as_deref().unwrap_or(&body.username);
        hub.add_user(&caller, org, &body.username, name, &roles, &body.password)
    })
    .await?;
    Ok(created(
        format!("/api/v1/admin/users/{}", secrets.username),
        &secrets,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    password: String,
}

#[utoipa::path(post, path = "/api/v1/admin/users/{username}/{action}", tag = "admin",
    params(("username" = String, Path),
        ("action" = String, Path, description = "unlock, disable, enable or reset-second-factor")),
    responses((status = 200, body = NewSecrets, description = "for reset-second-factor"),
        (status = 204), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
/// Unlocks, disables or enables an account, or resets its second factor.
pub async fn user_action(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path((username, action)): Path<(String, String)>,
) -> ApiResult<Response> {
    let hub = &state.hub;
    match action.as_str() {
        "reset-second-factor" => {
            let secrets =
                blocking(hub, move |hub| hub.reset_second_factor(&caller, &username)).await?;
            Ok(ok_json(&secrets))
        }
        "unlock" | "disable" | "enable" => {
            blocking(hub, move |hub| match action.as_str() {
                "unlock" => hub.unlock_user(&caller, &username),
                "disable" => hub.disable_user(&caller, &username),
                _ => hub.enable_user(&caller, &username),
            })
            .await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(ApiError::new(
            crate::problem::Code::NotFound,
            "no such endpoint",
        )),
    }
}

#[utoipa::path(post, path = "/api/v1/admin/users/{username}/password", tag = "admin",
    params(("username" = String, Path)), request_body = NewPassword,
    responses((status = 204), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn set_password(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(username): Path<String>,
    Json(body): Json<NewPassword>,
) -> ApiResult<StatusCode> {
    blocking(&state.hub, move |hub| {
        hub.set_password(&caller, &username, &body.password)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    org: String,
    label: Option<String>,
    /// Scopes, e.g. `["check", "records:read"]`; default `check` only (least privilege).
    /// The organisation's kind bounds them: a partner's keys hold only check and messages.
    scopes: Option<Vec<String>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedKey {
    id: i64,
    org: String,
    scopes: String,
    /// The key: shown once, stored only as its hash.
    key: String,
}

#[utoipa::path(post, path = "/api/v1/admin/keys", tag = "admin", request_body = NewKey,
    responses((status = 201, body = CreatedKey), (status = 403, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn create_key(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Json(body): Json<NewKey>,
) -> ApiResult<Response> {
    let org = org("org", &body.org)?;
    let scopes = match &body.scopes {
        None => DEFAULT_KEY_SCOPES,
        Some(names) => Permissions::parse_scopes(&names.join(","))
            .map_err(|detail| ApiError::field("scopes", detail))?,
    };
    let key = blocking(&state.hub, move |hub| {
        hub.create_api_key(&caller, org, body.label.as_deref().unwrap_or("api"), scopes)
    })
    .await?;
    Ok(created(
        format!("/api/v1/admin/keys/{}", key.id),
        &CreatedKey {
            id: key.id,
            org: key.org.to_string(),
            scopes: key.scopes.scopes(),
            key: key.secret,
        },
    ))
}

#[utoipa::path(delete, path = "/api/v1/admin/keys/{id}", tag = "admin", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn revoke_key(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    if blocking(&state.hub, move |hub| hub.revoke_api_key(&caller, id)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            crate::problem::Code::NotFound,
            "no active key with that id",
        ))
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    url: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookSecret {
    /// The HMAC-SHA256 signing secret, hex: shown once.
    secret: String,
}

#[utoipa::path(put, path = "/api/v1/admin/webhooks/{org}", tag = "admin",
    params(("org" = String, Path)), request_body = NewWebhook,
    responses((status = 200, body = WebhookSecret), (status = 422, body = crate::problem::Problem)),
    security(("api_key" = [])))]
pub async fn set_webhook(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(code): Path<String>,
    Json(body): Json<NewWebhook>,
) -> ApiResult<Response> {
    // The organisation is the resource the path names: an invalid code names none.
    let org = OrgCode::parse(&code).map_err(|_| ApiError::not_found())?;
    let secret = blocking(&state.hub, move |hub| {
        hub.set_webhook(&caller, org, &body.url)
    })
    .await?;
    Ok(ok_json(&WebhookSecret { secret }))
}

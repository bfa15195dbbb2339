//! Administration, for administrators: people (add, unlock, disable, enable, a new second
//! factor), API keys (create, shown once; revoke), organisations (add). The hub decides who
//! may administer whom (a bureau's administrator its own people only) and audits every act.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use palermo_core::{FieldErrors, OrgCode, OrgKind, Permissions, Role};
use palermo_hub::{HubError, NewSecrets};

use super::html::{csrf, field_error, layout, other_errors, time};
use super::{Form, Posted, WebUser, blocking, failure};
use crate::AppState;

fn secrets(secrets: &NewSecrets) -> Markup {
    html! {
        div.notice role="status" #new-secrets {
            p { "Hand these to " strong { (secrets.username) } " in person; they are shown only now." }
            dl.fields {
                dt { "authenticator secret" } dd { code { (secrets.totp_secret) } }
                dt { "recovery codes" } dd { ul.codes { @for code in &secrets.recovery_codes { li { code { (code) } } } } }
            }
        }
    }
}

async fn admin_page(
    state: &AppState,
    user: &WebUser,
    done: Option<Markup>,
    errors: Option<&FieldErrors>,
) -> Response {
    let caller = user.caller.clone();
    let users = match blocking(state, move |hub| hub.users(&caller)).await {
        Ok(users) => users,
        Err(error) => return failure(Some(user), error),
    };
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let scopes: Vec<&str> = Permissions::NAMED.iter().map(|(_, s)| *s).collect();
    let content = html! {
        @if let Some(done) = done { (done) }
        (other_errors(errors, &["username", "org", "roles", "password", "label", "scopes", "code", "kind", "name", "key"]))
        section {
            h2 { "People (" (users.len()) ")" }
            div.scroll { table {
                thead { tr { th { "User" } th { "Organisation" } th { "Roles" } th { "State" } th { "Last active" } th { "" } } }
                tbody { @for u in &users { tr id={"user-" (u.username)} {
                    td { (u.username) br; small { (u.display_name) } }
                    td { (u.org) }
                    td { (u.roles.join(", ")) }
                    td { @if u.disabled { "disabled" } @else if u.locked { strong { "locked" } } @else { "active" } }
                    td { @if let Some(at) = u.last_active_at { (time(at)) } @else { "never" } }
                    td {
                        form.row method="post" action={"/admin/users/" (u.username)} {
                            (csrf(user))
                            @if u.locked { button type="submit" name="action" value="unlock" { "Unlock" } }
                            @if u.disabled { button type="submit" name="action" value="enable" { "Enable" } }
                            @else { button.danger type="submit" name="action" value="disable" { "Disable" } }
                            button type="submit" name="action" value="reset-second-factor" { "New second factor" }
                        }
                    }
                } } }
            } }
        }
        div.columns {
            form.stack method="post" action="/admin/users" {
                (csrf(user))
                fieldset {
                    legend { "Add a person" }
                    label for="username" { "User name" small { " (a-z, 0-9, . _ -)" } }
                    input #username name="username" required aria-describedby="username-error";
                    (field_error(errors, &["username"], "username"))
                    label for="display_name" { "Full name" }
                    input #display_name name="display_name";
                    label for="org" { "Organisation" }
                    input #org name="org" required value=(user.caller.org.as_str()) aria-describedby="org-error";
                    (field_error(errors, &["org"], "org"))
                    label for="roles" { "Roles" small { " (" (roles.join(", ")) ")" } }
                    input #roles name="roles" required aria-describedby="roles-error";
                    (field_error(errors, &["roles"], "roles"))
                    label for="password" { "First password" }
                    input #password type="password" name="password" autocomplete="new-password" required aria-describedby="password-error";
                    (field_error(errors, &["password"], "password"))
                    button.primary type="submit" { "Add" }
                }
            }
            form.stack method="post" action="/admin/keys" {
                (csrf(user))
                fieldset {
                    legend { "Create an API key" }
                    label for="key-org" { "Organisation" }
                    input #key-org name="org" required value=(user.caller.org.as_str());
                    label for="label" { "What it is for" }
                    input #label name="label" required aria-describedby="label-error";
                    (field_error(errors, &["label"], "label"))
                    label for="scopes" { "Scopes" small { " (" (scopes.join(", ")) ")" } }
                    input #scopes name="scopes" value=(palermo_hub::DEFAULT_KEY_SCOPES.scopes()) aria-describedby="scopes-error";
                    (field_error(errors, &["scopes"], "scopes"))
                    button.primary type="submit" { "Create" }
                }
            }
            form.stack method="post" action="/admin/keys/revoke" {
                (csrf(user))
                fieldset {
                    legend { "Revoke an API key" }
                    label for="key" { "Key number" }
                    input #key name="key" inputmode="numeric" required aria-describedby="key-error";
                    (field_error(errors, &["key"], "key"))
                    button.danger type="submit" { "Revoke" }
                }
            }
            form.stack method="post" action="/admin/organisations" {
                (csrf(user))
                fieldset {
                    legend { "Add an organisation" }
                    label for="code" { "Code" small { " (ISO 3166-1 alpha-3 for a bureau)" } }
                    input #code name="code" required aria-describedby="code-error";
                    (field_error(errors, &["code"], "code"))
                    label for="kind" { "Kind" }
                    select #kind name="kind" { option value="member" { "member bureau" } option value="partner" { "partner" } option value="secretariat" { "secretariat" } }
                    label for="name" { "Name" }
                    input #name name="name" required aria-describedby="name-error";
                    (field_error(errors, &["name"], "name"))
                    button.primary type="submit" { "Add" }
                }
            }
        }
    };
    let mut response = layout(user, "Administration", "/admin", content);
    if errors.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub(crate) async fn page(State(state): State<AppState>, user: WebUser) -> Response {
    admin_page(&state, &user, None, None).await
}

/// After an act: the page again, with what was done or what was wrong.
async fn after(state: &AppState, user: &WebUser, outcome: palermo_hub::Result<Markup>) -> Response {
    match outcome {
        Ok(done) => admin_page(state, user, Some(done), None).await,
        Err(HubError::Invalid(errors)) => admin_page(state, user, None, Some(&errors)).await,
        Err(other) => failure(Some(user), other),
    }
}

fn org_of(form: &Form, field: &str) -> palermo_hub::Result<OrgCode> {
    OrgCode::parse(form.get(field).unwrap_or_default())
        .map_err(|detail| HubError::Invalid(FieldErrors::single(field, detail)))
}

pub(crate) async fn user_action(
    State(state): State<AppState>,
    Path(username): Path<String>,
    posted: Posted,
) -> Response {
    let Posted { user, form } = posted;
    let action = form.owned("action").unwrap_or_default();
    let caller = user.caller.clone();
    let name = username.clone();
    let outcome = blocking(&state, move |hub| match action.as_str() {
        "reset-second-factor" => hub.reset_second_factor(&caller, &name).map(|s| secrets(&s)),
        "unlock" => hub
            .unlock_user(&caller, &name)
            .map(|()| html! { p.notice role="status" { (name) " is unlocked." } }),
        "disable" => hub.disable_user(&caller, &name).map(
            |()| html! { p.notice role="status" { (name) " is disabled; their sessions ended." } },
        ),
        "enable" => hub
            .enable_user(&caller, &name)
            .map(|()| html! { p.notice role="status" { (name) " is enabled." } }),
        _ => Err(HubError::Invalid(FieldErrors::single(
            "action",
            "is not one of unlock, disable, enable, reset-second-factor",
        ))),
    })
    .await;
    after(&state, &user, outcome).await
}

pub(crate) async fn add_user(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { user, form } = posted;
    let caller = user.caller.clone();
    let outcome = async {
        let org = org_of(&form, "org")?;
        let roles = Role::parse_list(form.get("roles").unwrap_or_default())
            .map_err(|detail| HubError::Invalid(FieldErrors::single("roles", detail)))?;
        let username = form.owned("username").unwrap_or_default();
        let display = form
            .owned("display_name")
            .unwrap_or_else(|| username.clone());
        let password = form.raw("password").unwrap_or_default().to_owned();
        blocking(&state, move |hub| {
            hub.add_user(&caller, org, &username, &display, &roles, &password)
        })
        .await
    }
    .await;
    after(&state, &user, outcome.map(|s| secrets(&s))).await
}

pub(crate) async fn create_key(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { user, form } = posted;
    let caller = user.caller.clone();
    let outcome = async {
        let org = org_of(&form, "org")?;
        let scopes = match form.get("scopes") {
            Some(text) => Permissions::parse_scopes(text)
                .map_err(|detail| HubError::Invalid(FieldErrors::single("scopes", detail)))?,
            None => palermo_hub::DEFAULT_KEY_SCOPES,
        };
        let label = form.owned("label").unwrap_or_default();
        blocking(&state, move |hub| {
            hub.create_api_key(&caller, org, &label, scopes)
        })
        .await
    }
    .await;
    after(
        &state,
        &user,
        outcome.map(|key| {
            html! {
                div.notice role="status" #new-key {
                    p { "The key of " (key.org.as_str()) ", shown only now: " code { (key.secret) } }
                    p { "Its number (to revoke it): " (key.id) "; scopes: " (key.scopes.scopes()) }
                }
            }
        }),
    )
    .await
}

pub(crate) async fn revoke_key(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { user, form } = posted;
    let caller = user.caller.clone();
    let outcome = async {
        let id = form
            .get("key")
            .and_then(|k| k.parse::<i64>().ok())
            .ok_or_else(|| {
                HubError::Invalid(FieldErrors::single("key", "must be a key's number"))
            })?;
        let revoked = blocking(&state, move |hub| hub.revoke_api_key(&caller, id)).await?;
        if !revoked {
            return Err(HubError::Invalid(FieldErrors::single(
                "key",
                "no such key, or already revoked",
            )));
        }
        Ok(html! { p.notice role="status" { "Key " (id) " is revoked." } })
    }
    .await;
    after(&state, &user, outcome).await
}

pub(crate) async fn add_organisation(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { user, form } = posted;
    let caller = user.caller.clone();
    let outcome = async {
        let code = org_of(&form, "code")?;
        let kind = OrgKind::parse(form.get("kind").unwrap_or_default()).ok_or_else(|| {
            HubError::Invalid(FieldErrors::single(
                "kind",
                "must be member, secretariat or partner",
            ))
        })?;
        let name = form.owned("name").unwrap_or_default();
        blocking(&state, move |hub| {
            hub.add_organisation(&caller, code, kind, &name)
        })
        .await?;
        Ok(html! { p.notice role="status" { "Organisation " (code.as_str()) " is added." } })
    }
    .await;
    after(&state, &user, outcome).await
}

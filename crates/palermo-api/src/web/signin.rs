//! Signing in with password and second factor, signing out, and enrolling a new
//! authenticator. The hub decides every attempt (throttles, lockout, audit); these pages only
//! carry the session in its cookie.

use std::collections::HashMap;

use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use palermo_core::FieldErrors;
use palermo_hub::HubError;

use super::html::{bare, csrf, field_error, is_local_path, layout, problem};
use super::{Posted, SESSION_COOKIE, SIGNIN_COOKIE, Source, WebUser, blocking, cookie, read_form};
use crate::AppState;

fn signin_page(
    status: StatusCode,
    token: &str,
    next: &str,
    username: &str,
    message: Option<&str>,
) -> Response {
    let content = html! {
        @if let Some(message) = message { (problem("Not signed in", message)) }
        form.stack method="post" action="/signin" {
            input type="hidden" name="signin" value=(token);
            input type="hidden" name="next" value=(next);
            label for="username" { "User name" }
            input #username type="text" name="username" value=(username) autocomplete="username"
                autocapitalize="none" spellcheck="false" required autofocus;
            label for="password" { "Password" }
            input #password type="password" name="password" autocomplete="current-password" required;
            label for="code" { "Code from your authenticator, or a recovery code" }
            input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code"
                required;
            button.primary type="submit" { "Sign in" }
        }
        p.hint { "Public notices: " a href="/public" { "search without signing in" } "." }
    };
    let mut response = (status, bare("Sign in", content)).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{SIGNIN_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=3600"
    )) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn fresh_token() -> String {
    let mut bytes = [0u8; 16];
    // Without randomness the form carries an empty token, which no sign-in accepts.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    hex::encode(bytes)
}

fn next_of(value: Option<&str>) -> String {
    value
        .filter(|next| is_local_path(next) && !next.starts_with("/signin"))
        .unwrap_or("/")
        .to_owned()
}

pub(crate) async fn form(
    user: Option<WebUser>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let next = next_of(query.get("next").map(String::as_str));
    if user.is_some() {
        return super::see_other(&next);
    }
    let message = query
        .get("reason")
        .filter(|r| *r == "idle")
        .map(|_| "Your session ended after a time without use.");
    signin_page(StatusCode::OK, &fresh_token(), &next, "", message)
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    Source(source): Source,
    request: Request,
) -> Response {
    let expected = cookie(request.headers(), SIGNIN_COOKIE).map(str::to_owned);
    let same_origin = super::same_origin(request.headers());
    let form = match read_form(request, &state).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let next = next_of(form.get("next"));
    let username = form.get("username").unwrap_or_default().to_owned();
    let token_ok = same_origin
        && expected
            .as_deref()
            .is_some_and(|token| !token.is_empty() && form.get("signin") == Some(token));
    if !token_ok {
        return signin_page(
            StatusCode::FORBIDDEN,
            &fresh_token(),
            &next,
            &username,
            Some("The sign-in form had expired. Sign in again."),
        );
    }
    let password = form.raw("password").unwrap_or_default().to_owned();
    let code = form.get("code").unwrap_or_default().to_owned();
    let name = username.clone();
    let outcome = blocking(&state, move |hub| {
        hub.sign_in(&name, &password, &code, source)
    })
    .await;
    match outcome {
        Ok(session) => {
            let mut response = super::see_other(&next);
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Strict",
                session.token
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            if let Ok(value) = HeaderValue::from_str(&format!(
                "{SIGNIN_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
            )) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(HubError::Throttled {
            retry_after_seconds,
            ..
        }) => signin_page(
            StatusCode::TOO_MANY_REQUESTS,
            &fresh_token(),
            &next,
            &username,
            Some(&format!(
                "Too many attempts. Try again in {retry_after_seconds} seconds."
            )),
        ),
        Err(HubError::Unauthenticated(message)) => signin_page(
            StatusCode::UNAUTHORIZED,
            &fresh_token(),
            &next,
            &username,
            Some(&message),
        ),
        Err(other) => super::failure(None, other),
    }
}

pub(crate) async fn signout(State(state): State<AppState>, posted: Posted) -> Response {
    let token = posted.user.token.clone();
    let _ = blocking(&state, move |hub| hub.sign_out(&token)).await;
    let mut response = super::see_other("/signin");
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
    )) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub(crate) async fn account(user: WebUser) -> Response {
    let roles: Vec<&str> = palermo_core::Permissions::NAMED
        .iter()
        .filter(|(p, _)| user.may(*p))
        .map(|(_, name)| *name)
        .collect();
    let content = html! {
        dl.fields {
            dt { "User" } dd { (user.username()) }
            dt { "Organisation" } dd { (user.caller.org.as_str()) }
            dt { "May" } dd { (roles.join(", ")) }
        }
        h2 { "Second factor" }
        p { "To move to a new phone or authenticator app, enrol it here. The one you use now keeps working until the new one is confirmed." }
        form method="post" action="/account/authenticator" {
            (csrf(&user))
            button type="submit" { "Enrol a new authenticator" }
        }
    };
    layout(&user, "Your account", "/account", content)
}

fn enrolment_page(
    user: &WebUser,
    secret: &str,
    uri: &str,
    errors: Option<&FieldErrors>,
) -> Response {
    let qr = qrcode::QrCode::new(uri.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(220, 220)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    let content = html! {
        ol.steps {
            li {
                "Scan this code with your authenticator app:"
                figure.qr aria-label="QR code of the new authenticator's secret" { (super::html::svg(qr)) }
                "or type its secret: " code #totp-secret { (secret) }
            }
            li { "Type your password and the code the app shows now." }
        }
        form.stack method="post" action="/account/authenticator/confirm" {
            (csrf(user))
            input type="hidden" name="secret" value=(secret);
            input type="hidden" name="uri" value=(uri);
            label for="password" { "Password" }
            input #password type="password" name="password" autocomplete="current-password" required
                aria-describedby="password-error";
            (field_error(errors, &["password"], "password"))
            label for="code" { "Code from the new authenticator" }
            input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required
                aria-describedby="code-error";
            (field_error(errors, &["code"], "code"))
            button.primary type="submit" { "Confirm the new authenticator" }
        }
    };
    layout(user, "Enrol a new authenticator", "/account", content)
}

pub(crate) async fn begin_enrolment(State(state): State<AppState>, posted: Posted) -> Response {
    let user = posted.user;
    match state.hub.begin_enrolment(&user.token) {
        Ok(pending) => enrolment_page(&user, &pending.totp_secret, &pending.totp_uri, None),
        Err(error) => super::failure(Some(&user), error),
    }
}

pub(crate) async fn finish_enrolment(State(state): State<AppState>, posted: Posted) -> Response {
    let Posted { user, form } = posted;
    let password = form.raw("password").unwrap_or_default().to_owned();
    let code = form.get("code").unwrap_or_default().to_owned();
    let token = user.token.clone();
    let outcome = blocking(&state, move |hub| {
        hub.finish_enrolment(&token, &password, &code)
    })
    .await;
    match outcome {
        Ok(codes) => {
            let content = html! {
                p.notice role="status" { "Your new authenticator is enrolled. The old one no longer works." }
                h2 { "Recovery codes" }
                p { "Keep these where you keep your passport. Each signs you in once if you lose the authenticator. They are shown only now; the old codes no longer work." }
                ul.codes #recovery-codes { @for code in &codes { li { code { (code) } } } }
                p { a.button href="/" { "Go on" } }
            };
            layout(&user, "Authenticator enrolled", "/account", content)
        }
        Err(HubError::Invalid(errors)) => {
            let secret = form.get("secret").unwrap_or_default();
            let uri = form.get("uri").unwrap_or_default();
            super::with_status(
                enrolment_page(&user, secret, uri, Some(&errors)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(other) => super::failure(Some(&user), other),
    }
}

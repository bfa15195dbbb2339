//! Request extractors: the authenticated caller, and JSON bodies whose errors name the field.

use axum::body::Bytes;
use std::net::{IpAddr, SocketAddr};

use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::serve::IncomingStream;
use palermo_hub::Caller;
use palermo_hub::json::JsonError;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::problem::{ApiError, Code};

/// The caller of an authenticated endpoint, from `Authorization: Bearer TOKEN`: an API key
/// (`plm_…`) or a person's session (`pls_…`).
pub struct Authed(pub Caller);

/// The address of a connection's peer, for the audit trail: the server makes its service
/// with `into_make_service_with_connect_info::<Peer>()`, over plain TCP or TLS alike.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, crate::tls::TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, crate::tls::TlsListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

/// The peer's address, when the server records it.
pub fn peer(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<Peer>>()
        .map(|info| info.0.0.ip())
}

/// The bearer token of a request, if it sends one.
pub fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
}

impl<S: Send + Sync> FromRequestParts<S> for Authed
where
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let source = peer(parts);
        let Some(token) = bearer(parts) else {
            return Err(ApiError::new(
                Code::Unauthenticated,
                "send an API key or a session token as Authorization: Bearer TOKEN",
            ));
        };
        // The token itself is never logged.
        Ok(Authed(state.hub.authenticate_bearer(token, source)?))
    }
}

/// A JSON body. Syntax errors are 400 with line and column; a value of the wrong type or an
/// unknown field is 422 with the field's path; a body over the limit is 413.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let is_json = content_type.is_some_and(|ct| {
            let essence = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        });
        if !is_json {
            return Err(ApiError::new(
                Code::UnsupportedMediaType,
                "send Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        Code::PayloadTooLarge,
                        "the body is too large for this endpoint",
                    )
                } else {
                    ApiError::new(Code::BadRequest, rejection.body_text())
                }
            })?;
        parse_json(&bytes).map(Json)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    palermo_hub::json::parse(bytes).map_err(|error| match error {
        JsonError::Data { path, message } => ApiError::field(path, message),
        JsonError::Syntax {
            line,
            column,
            message,
        } => ApiError::new(
            Code::MalformedJson,
            format!("malformed JSON at line {line} column {column}: {message}"),
        ),
    })
}

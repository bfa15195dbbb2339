//! Errors as RFC 9457 problem details. One table maps each error code to its HTTP status and
//! title, so every error the API returns has a stable `type`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use palermo_core::{FieldError, FieldErrors};
use palermo_hub::HubError;
use serde::Serialize;

macro_rules! problem_codes {
    ($($variant:ident => ($status:ident, $slug:literal, $title:literal)),+ $(,)?) => {
        /// The kinds of problem the API reports.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Code { $($variant),+ }

        impl Code {
            pub fn status(self) -> StatusCode {
                match self { $(Code::$variant => StatusCode::$status),+ }
            }
            pub fn slug(self) -> &'static str {
                match self { $(Code::$variant => $slug),+ }
            }
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title),+ }
            }
        }
    };
}

problem_codes! {
    MalformedJson => (BAD_REQUEST, "malformed-json", "The body is not well-formed JSON"),
    BadRequest => (BAD_REQUEST, "bad-request", "The request is malformed"),
    Unauthenticated => (UNAUTHORIZED, "unauthenticated", "Valid credentials are required"),
    Forbidden => (FORBIDDEN, "forbidden", "The caller may not do this"),
    NotFound => (NOT_FOUND, "not-found", "No such resource"),
    MethodNotAllowed => (METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
    Conflict => (CONFLICT, "conflict", "The request conflicts with stored data"),
    PayloadTooLarge => (PAYLOAD_TOO_LARGE, "payload-too-large", "The body is too large"),
    UnsupportedMediaType => (UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "The body must be application/json"),
    Invalid => (UNPROCESSABLE_ENTITY, "invalid-input", "The input is invalid"),
    TooManyRequests => (TOO_MANY_REQUESTS, "too-many-requests", "Too many requests; try again later"),
    Internal => (INTERNAL_SERVER_ERROR, "internal", "Internal error"),
    Unavailable => (SERVICE_UNAVAILABLE, "unavailable", "The hub is busy or shutting down"),
}

/// An RFC 9457 problem: `type`, `title`, `status`, `detail`, and the field errors when the
/// input was invalid.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// A refused move of a notice or a diffusion: the state it is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
}

#[derive(Debug)]
pub struct ApiError {
    pub code: Code,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Seconds to send in `Retry-After`.
    pub retry_after: Option<u64>,
    pub current_state: Option<String>,
}

impl ApiError {
    pub fn new(code: Code, detail: impl Into<String>) -> ApiError {
        ApiError {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            current_state: None,
        }
    }

    pub fn invalid(errors: FieldErrors) -> ApiError {
        let detail = match errors.0.as_slice() {
            [one] => format!("{}: {}", one.field, one.detail),
            many => format!("{} fields are invalid", many.len()),
        };
        ApiError {
            code: Code::Invalid,
            detail,
            errors: errors.0,
            retry_after: None,
            current_state: None,
        }
    }

    pub fn field(field: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError::invalid(FieldErrors::single(field, detail))
    }

    pub fn not_found() -> ApiError {
        ApiError::new(Code::NotFound, "no such record")
    }
}

impl From<HubError> for ApiError {
    fn from(error: HubError) -> ApiError {
        match error {
            HubError::Invalid(errors) => ApiError::invalid(errors),
            HubError::NotFound => ApiError::not_found(),
            HubError::Forbidden(detail) => ApiError::new(Code::Forbidden, detail),
            HubError::Conflict(detail) => ApiError::new(Code::Conflict, detail),
            HubError::Refused { state, detail } => ApiError {
                current_state: Some(state),
                ..ApiError::new(Code::Conflict, detail)
            },
            HubError::Unauthenticated(detail) => ApiError::new(Code::Unauthenticated, detail),
            HubError::Throttled {
                retry_after_seconds,
                detail,
            } => ApiError {
                retry_after: Some(retry_after_seconds),
                ..ApiError::new(Code::TooManyRequests, detail)
            },
            HubError::Unavailable(detail) => {
                tracing::warn!(%detail, "refused a request");
                ApiError {
                    retry_after: Some(1),
                    ..ApiError::new(Code::Unavailable, detail)
                }
            }
            HubError::Internal(detail) => {
                tracing::error!(%detail, "a request failed");
                ApiError::new(Code::Internal, "the hub could not complete the request")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let problem = Problem {
            problem_type: format!("/problems/{}", self.code.slug()),
            title: self.code.title(),
            status: status.as_u16(),
            detail: self.detail,
            errors: self.errors,
            current_state: self.current_state,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.code == Code::Unauthenticated {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

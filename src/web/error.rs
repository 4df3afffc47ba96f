//! `AppError`: every failure a handler can return, as a status code and
//! `{"error": "...", "field"?: "...", "code": "...", "params": {...}}`. `error` is English (for
//! curl users); `field` names the request field at fault, so a page can show the message next
//! to it; `code` and `params` let the page show the catalog's `err.<code>` in its language.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::i18n::{Coded, ErrorCode};
use crate::run::RunError;

#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    /// The request field at fault, if one is.
    field: Option<String>,
    coded: Coded,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.coded.message)
    }
}

impl std::error::Error for AppError {}

impl AppError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            status,
            field: None,
            coded: Coded::new(code, message),
        }
    }

    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The same error with another status (a limit that waiting does not lift: 403).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// A bad request field (400): the message as the trainee reads it, `params.field` set.
    pub fn field(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        let field = field.into();
        AppError {
            status: StatusCode::BAD_REQUEST,
            coded: Coded::new(code, message).with("field", field.as_str()),
            field: Some(field),
        }
    }

    /// Adds a placeholder value for the page's text.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.coded = self.coded.with(name, value);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> ErrorCode {
        self.coded.code
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut body = serde_json::json!({
            "error": self.coded.message,
            "code": self.coded.code.as_str(),
            "params": self.coded.params,
        });
        if let Some(field) = self.field {
            body["field"] = field.into();
        }
        (self.status, Json(body)).into_response()
    }
}

impl From<RunError> for AppError {
    fn from(e: RunError) -> Self {
        let status = match e {
            RunError::NoSuchConsumer(_) => StatusCode::NOT_FOUND,
            RunError::BadField(..) => StatusCode::BAD_REQUEST,
            RunError::OverLimit(..) => StatusCode::FORBIDDEN,
            RunError::Conflict(_) => StatusCode::CONFLICT,
            RunError::Limit(_) => StatusCode::TOO_MANY_REQUESTS,
            RunError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            RunError::Broker(_) => StatusCode::BAD_GATEWAY,
            RunError::Spawn(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let field = match &e {
            RunError::BadField(field, _) | RunError::OverLimit(field, _) => Some(field.to_string()),
            _ => None,
        };
        AppError {
            status,
            field,
            coded: e.coded(),
        }
    }
}

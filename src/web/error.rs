//! `AppError`: every failure a handler can return, as a status code and
//! `{"error": "...", "field"?: "..."}` (`field` names the request field at fault, so a page
//! can show the message next to it without reading the text).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::run::RunError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// A bad request field: `message` says what is wrong, `field` which one.
    #[error("{message}")]
    BadField { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooMany(String),
    #[error("{0}")]
    Upstream(String),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) | AppError::BadField { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Upstream(_) => StatusCode::BAD_GATEWAY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl AppError {
    /// A bad field, with the message as the trainee reads it.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadField {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = match &self {
            AppError::BadField { field, message } => {
                serde_json::json!({ "error": message, "field": field })
            }
            _ => serde_json::json!({ "error": self.to_string() }),
        };
        (status, Json(body)).into_response()
    }
}

impl From<RunError> for AppError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::NoSuchConsumer(_) => AppError::NotFound(e.to_string()),
            RunError::BadField(field, _) => AppError::field(field, e.to_string()),
            RunError::Conflict(_) => AppError::Conflict(e.to_string()),
            RunError::Limit(_) => AppError::TooMany(e.to_string()),
            RunError::Broker(_) => AppError::Upstream(e.to_string()),
            RunError::Spawn(_) => AppError::Internal(e.to_string()),
        }
    }
}

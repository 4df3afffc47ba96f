//! Every error under the API is JSON. axum's own rejections (a path segment that is not UTF-8,
//! a query it cannot read, a method a route does not take) are plain text or empty, and a path
//! that leaves the API router (`/api/`) meets the pages' HTML 404: here they become an
//! `AppError` under `/api/` (`bad_request`, or `no_endpoint` for a 404) and Burrow's envelope
//! under `/v3/`.

use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::AppError;
use crate::i18n::ErrorCode;

/// The longest rejection text kept (axum's are one line).
const MAX_TEXT: usize = 4096;

pub async fn json_rejections(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let (api, burrow) = (path.starts_with("/api/"), path.starts_with("/v3/"));
    let response = next.run(request).await;
    let content_type = response.headers().get(CONTENT_TYPE).cloned();
    let json = content_type
        .as_ref()
        .is_some_and(|c| c.as_bytes().starts_with(b"application/json"));
    if !(api || burrow) || !response.status().is_client_error() || json {
        return response;
    }
    let status = response.status();
    let plain = content_type.is_none_or(|c| c.as_bytes().starts_with(b"text/plain"));
    let text = if plain {
        axum::body::to_bytes(response.into_body(), MAX_TEXT)
            .await
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let text = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("bad request")
            .to_string()
    } else {
        text
    };
    if burrow {
        let body = serde_json::json!({ "error": true, "message": text, "result": {} });
        return (status, Json(body)).into_response();
    }
    if status == StatusCode::NOT_FOUND {
        return AppError::not_found(ErrorCode::NoEndpoint, "no such API endpoint").into_response();
    }
    AppError::new(
        status,
        ErrorCode::BadRequest,
        format!("the request is not valid: {text}"),
    )
    .with("detail", text)
    .into_response()
}

//! The JSON API, one file per concern: `labs` (the lab definitions), `runs` (create, list,
//! read, delete a run, its ledger), `consumers` (start one, stop / kill / pause / step it),
//! `topic` (what goes to the run's topic and broker: produce, the background producer, the
//! offset reset, faults). Here: the JSON body extractor every handler shares, and the
//! answers for unknown endpoints and methods.

mod consumers;
mod labs;
mod runs;
mod topic;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::AppError;
use crate::i18n::ErrorCode;

pub use consumers::{add_consumer, consumer_action};
pub use labs::{get_lab, list_labs};
pub use runs::{create_run, delete_run, get_run, ledger, list_runs, BurrowSettings};
pub use topic::{inject_fault, produce, reset_offsets, set_producer};

/// The body limit of the JSON control routes (bytes): their bodies are a few fields.
pub const CONTROL_BODY_BYTES: usize = 16 * 1024;
/// The body limit of `POST /api/runs/{id}/produce` (bytes): many records in one request.
pub const PRODUCE_BODY_BYTES: usize = 2 * 1024 * 1024;

/// A route's body limit (a request extension set beside axum's `DefaultBodyLimit`, which
/// enforces it), so the 413 can name it.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// How long a request's whole body may take to arrive (a request extension).
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

/// A JSON body whose errors are 400s naming the field (axum's `Json` answers 422 and
/// rejects a missing body). An empty body reads as `T::default()`.
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Default,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .map_or(CONTROL_BODY_BYTES, |l| l.0);
        let timeout = req.extensions().get::<BodyTimeout>().map(|t| t.0);
        let read = Bytes::from_request(req, state);
        let read = match timeout {
            Some(timeout) => tokio::time::timeout(timeout, read).await.map_err(|_| {
                AppError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    ErrorCode::BodyTimeout,
                    format!(
                        "the request body did not arrive within {} ms",
                        timeout.as_millis()
                    ),
                )
                .with("ms", timeout.as_millis() as u64)
            })?,
            None => read.await,
        };
        let bytes = read.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                return AppError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::BodyTooLarge,
                    format!("the request body is larger than {limit} bytes"),
                )
                .with("max", limit);
            }
            AppError::bad_request(
                ErrorCode::BodyUnreadable,
                format!("cannot read the request body: {e}"),
            )
            .with("detail", e.to_string())
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(T::default()));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map(Body).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." || path.is_empty() {
                AppError::bad_request(
                    ErrorCode::InvalidJson,
                    format!("invalid JSON body: {inner}"),
                )
                .with("detail", inner.to_string())
            } else {
                AppError::field(
                    path.clone(),
                    ErrorCode::InvalidField,
                    format!("invalid JSON body: field `{path}`: {inner}"),
                )
                .with("detail", inner.to_string())
            }
        })
    }
}

pub async fn method_not_allowed() -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "this endpoint does not take that method",
    )
}

pub async fn not_found() -> AppError {
    AppError::not_found(ErrorCode::NoEndpoint, "no such API endpoint")
}

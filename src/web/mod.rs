//! The web app: `app(state) -> Router` with pages, the JSON API and the SSE event stream.

mod access;
mod api;
mod burrow;
mod classroom;
mod error;
mod export;
mod guard;
mod home_page;
mod instructor_page;
mod metrics;
mod pages;
mod rejection;
mod replay_page;
mod sink;
mod sse;
mod watch;

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::{Extension, Router};
use tokio_util::sync::CancellationToken;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::broker::Broker;
use crate::classroom::Classroom;
use crate::i18n::Catalog;
use crate::lab::LabCatalog;
use crate::run::RunRegistry;
use crate::watch::WatchRegistry;
pub use access::ClientAddr;
pub use error::AppError;

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub labs: Arc<LabCatalog>,
    pub runs: Arc<RunRegistry>,
    /// Sessions, the instructor, the demo, and progress that lasts.
    pub classroom: Arc<Classroom>,
    /// Groups the app did not start, watched from outside (`/watch`).
    pub watches: Arc<WatchRegistry>,
    pub broker: Broker,
    /// Cancelled on server shutdown: event streams end.
    pub shutdown: CancellationToken,
    pub static_dir: PathBuf,
    /// The server listens on loopback only: only loopback host names are answered.
    pub loopback_only: bool,
    /// A request's whole body must arrive within this time (else 408).
    pub body_timeout: std::time::Duration,
    /// HTTP responses by status, for `/metrics`.
    pub http_responses: metrics::HttpResponses,
    /// The UI texts of both languages (checked at start).
    pub texts: Arc<Catalog>,
}

pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/labs", get(api::list_labs))
        .route("/labs/{lab}", get(api::get_lab))
        .route("/runs", post(api::create_run).get(api::list_runs))
        .route("/runs/{run}", get(api::get_run).delete(api::delete_run))
        .route(
            "/runs/{run}/produce",
            post(api::produce)
                .layer::<_, Infallible>(DefaultBodyLimit::max(api::PRODUCE_BODY_BYTES))
                .layer::<_, Infallible>(Extension(api::BodyLimit(api::PRODUCE_BODY_BYTES))),
        )
        .route("/runs/{run}/ledger", get(api::ledger))
        .route("/runs/{run}/export", get(export::export))
        .route("/runs/{run}/sink", get(sink::contents))
        .route("/runs/{run}/sink/{file}", get(sink::download))
        .route("/runs/{run}/faults", post(api::inject_fault))
        .route("/runs/{run}/offsets", post(api::reset_offsets))
        .route("/runs/{run}/producer", post(api::set_producer))
        .route("/runs/{run}/events", get(sse::events))
        .route("/runs/{run}/consumers", post(api::add_consumer))
        .route(
            "/runs/{run}/consumers/{consumer}/{action}",
            post(api::consumer_action),
        )
        .route(
            "/session",
            get(classroom::get_session).put(classroom::set_name),
        )
        .route("/demo", get(classroom::get_demo))
        .route("/instructor/login", post(classroom::login))
        .route("/instructor/class", get(classroom::class))
        .route("/instructor/events", get(classroom::events))
        .route("/instructor/demo", put(classroom::set_demo))
        .route(
            "/instructor/trainees/{trainee}/stop",
            post(classroom::stop_trainee),
        )
        .route("/watch", post(watch::create).get(watch::list))
        .route("/watch/{watch}", get(watch::get).delete(watch::delete))
        .route("/watch/{watch}/events", get(watch::events))
        .method_not_allowed_fallback(api::method_not_allowed)
        .fallback(api::not_found);
    Router::new()
        .route("/", get(pages::home))
        .route("/labs/{lab}", get(pages::lab_page))
        .route("/watch", get(watch::page))
        .route("/instructor", get(instructor_page::page))
        .route("/replay", get(replay_page::page))
        .nest("/api", api)
        .nest("/v3/kafka", burrow::routes(state.clone()))
        .route("/metrics", get(metrics::metrics))
        .nest(
            "/static",
            Router::new()
                .fallback_service(ServeDir::new(&state.static_dir).not_found_service(
                    axum::handler::HandlerWithoutStateExt::into_service(no_such_file),
                ))
                .layer(axum::middleware::from_fn(static_guard)),
        )
        .method_not_allowed_fallback(pages::method_not_allowed)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(rejection::json_rejections))
        // Every other body is a few fields of JSON: a small limit (produce sets its own).
        .layer(DefaultBodyLimit::max(api::CONTROL_BODY_BYTES))
        .layer(Extension(api::BodyLimit(api::CONTROL_BODY_BYTES)))
        .layer(Extension(api::BodyTimeout(state.body_timeout)))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::classroom::session_layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_responses,
        ))
        // The default predicate leaves `text/event-stream` uncompressed: SSE is never buffered.
        .layer(CompressionLayer::new())
        // One span per request (method, path; status and latency at debug level).
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A missing static file: a 404 that says so (ServeDir's own has no body).
async fn no_such_file() -> (axum::http::StatusCode, &'static str) {
    (axum::http::StatusCode::NOT_FOUND, "no such file")
}

/// Static files are only read: another method gets a 405 that says so. A file name longer than
/// any file system allows (255 bytes a segment) cannot be one of ours: 404 at once, instead of
/// the file system's "name too long" surfacing as a 500.
async fn static_guard(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header::ALLOW, HeaderValue, Method, StatusCode};
    use axum::response::IntoResponse;
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        // ServeDir's own 405 has no body.
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(ALLOW, HeaderValue::from_static("GET, HEAD"))],
            "static files are only read (GET, HEAD)",
        )
            .into_response();
    }
    if request
        .uri()
        .path()
        .split('/')
        .any(|segment| segment.len() > 255)
    {
        return no_such_file().await.into_response();
    }
    next.run(request).await
}

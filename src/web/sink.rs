//! The sinks lab's files over HTTP: `GET /api/runs/{id}/sink` reads both tables and both CSV
//! files from disk now (not from memory), and `GET /api/runs/{id}/sink/{file}` downloads one.
//! File and SQLite reads run on the blocking pool.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;

use super::access::find_run;
use super::{AppError, AppState};
use crate::classroom::{Need, Viewer};
use crate::domain::sink::{FILES, SQLITE_FILE};
use crate::i18n::ErrorCode;
use crate::run::LabRun;
use crate::sinks;

fn sink_run(state: &AppState, id: &str, viewer: &Viewer) -> Result<Arc<LabRun>, AppError> {
    let run = find_run(state, id, viewer, Need::Read)?;
    if !run.defaults.sink {
        return Err(AppError::not_found(
            ErrorCode::NoSink,
            format!(
                "run {id} is a {} run: it writes no sink files",
                run.lab.lab.id
            ),
        ));
    }
    Ok(run)
}

fn join_error(e: tokio::task::JoinError) -> AppError {
    AppError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Sink,
        format!("cannot read the sink files: {e}"),
    )
    .with("detail", e.to_string())
}

/// Both tables (rows with duplicates marked, counts), both CSV files (counts) and the files.
pub async fn contents(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let run = sink_run(&state, &id, &viewer)?;
    let dir = run.sink_dir();
    let back = tokio::task::spawn_blocking(move || sinks::read_back(&dir))
        .await
        .map_err(join_error)?;
    Ok(Json(back))
}

/// One sink file as an attachment: `payments.csv`, `payments_idempotent.csv` or
/// `payments.sqlite` (a consistent image of the database).
pub async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, file)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    let run = sink_run(&state, &id, &viewer)?;
    let not_found = || {
        AppError::not_found(
            ErrorCode::NoSinkFile,
            format!(
                "no sink file {file:?} in run {id} (one of {}, once written)",
                FILES.join(", ")
            ),
        )
        .with("file", file.as_str())
    };
    let Some(&name) = FILES.iter().find(|&&f| f == file) else {
        return Err(not_found());
    };
    let dir = run.sink_dir();
    let bytes = tokio::task::spawn_blocking(move || sinks::file_bytes(&dir, name))
        .await
        .map_err(join_error)?
        .map_err(|e| {
            AppError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Sink,
                format!("cannot read the sink files: {e}"),
            )
            .with("detail", e.to_string())
        })?
        .ok_or_else(not_found)?;
    let content_type = if name == SQLITE_FILE {
        "application/vnd.sqlite3"
    } else {
        "text/csv; charset=utf-8"
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-{name}\"", run.id),
            ),
        ],
        bytes,
    ))
}

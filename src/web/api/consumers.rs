//! A run's consumers: start one, and stop / kill / pause / resume / step it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;

use super::Body;
use crate::classroom::{Need, Viewer};
use crate::domain::protocol::Control;
use crate::i18n::ErrorCode;
use crate::run::options::ConsumerOptions;
use crate::web::access::find_run;
use crate::web::{AppError, AppState};

pub async fn add_consumer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Body(options): Body<ConsumerOptions>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id, &viewer, Need::Control)?;
    let cid = run.add_consumer(&options).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": cid }))))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    records: Option<u64>,
    /// Step the rest of the current poll batch instead of a number of records.
    #[serde(default)]
    batch: bool,
}

pub async fn consumer_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, cid, action)): Path<(String, String, String)>,
    Body(step): Body<StepBody>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id, &viewer, Need::Control)?;
    match action.as_str() {
        "stop" => run.stop_consumer(&cid)?,
        "kill" => run.kill_consumer(&cid)?,
        "pause" => run.control(&cid, Control::Pause)?,
        "resume" => run.control(&cid, Control::Resume)?,
        "step" if step.batch => {
            if step.records.is_some() {
                return Err(AppError::bad_request(
                    ErrorCode::StepBoth,
                    "give either `records` or `batch`, not both",
                ));
            }
            run.control(&cid, Control::StepBatch)?
        }
        "step" => {
            let records = step.records.unwrap_or(1);
            if !(1..=100_000).contains(&records) {
                return Err(AppError::field(
                    "records",
                    ErrorCode::Range,
                    "field `records`: must be between 1 and 100000",
                )
                .with("min", 1)
                .with("max", 100_000));
            }
            run.control(&cid, Control::Step { records })?
        }
        other => {
            return Err(AppError::not_found(
                ErrorCode::NoAction,
                format!("no consumer action {other:?} (stop, kill, pause, resume, step)"),
            )
            .with("action", other))
        }
    }
    Ok(StatusCode::ACCEPTED)
}

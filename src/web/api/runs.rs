//! Runs: create one (with its Burrow settings), list them, read one, delete it, its ledger.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;

use super::labs::no_lab;
use super::Body;
use crate::classroom::{Need, Session, Viewer};
use crate::i18n::{ErrorCode, Lang};
use crate::run::options::ConsumerOptions;
use crate::run::EndReason;
use crate::web::access::find_run;
use crate::web::ClientAddr;
use crate::web::{AppError, AppState};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CreateRun {
    lab: String,
    #[serde(default)]
    params: ConsumerOptions,
    /// Burrow's settings for the run's group, at the classroom's timescale.
    #[serde(default)]
    burrow: BurrowSettings,
}

/// `intervals` (commits in the window, 2–50) and `min_distance_ms` (0–60000) of Burrow.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BurrowSettings {
    intervals: Option<usize>,
    min_distance_ms: Option<i64>,
}

impl BurrowSettings {
    pub(crate) fn config(&self) -> Result<crate::domain::burrow::EvaluatorConfig, AppError> {
        let mut cfg = crate::run::BURROW_CLASSROOM;
        let range = |field: &str, v: i64, min: i64, max: i64| {
            if (min..=max).contains(&v) {
                Ok(())
            } else {
                Err(AppError::field(
                    field,
                    ErrorCode::Range,
                    format!("field `{field}`: must be between {min} and {max}"),
                )
                .with("min", min)
                .with("max", max))
            }
        };
        if let Some(n) = self.intervals {
            range("burrow.intervals", n as i64, 2, 50)?;
            cfg.intervals = n;
        }
        if let Some(ms) = self.min_distance_ms {
            range("burrow.min_distance_ms", ms, 0, 60_000)?;
            cfg.min_distance_ms = ms;
        }
        Ok(cfg)
    }
}

pub async fn create_run(
    State(state): State<AppState>,
    session: Session,
    address: Option<Extension<ClientAddr>>,
    Body(body): Body<CreateRun>,
) -> Result<impl IntoResponse, AppError> {
    if body.lab.is_empty() {
        return Err(AppError::field(
            "lab",
            ErrorCode::FieldRequired,
            "field `lab` is required",
        ));
    }
    let lab = state.labs.get(&body.lab).ok_or_else(|| no_lab(&body.lab))?;
    let burrow = body.burrow.config()?;
    let run = state
        .runs
        .create(
            lab,
            &body.params,
            burrow,
            &session.id,
            address.map(|Extension(ClientAddr(ip))| ip),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "id": run.id,
            "topic": run.topic,
            "group": run.group,
            "page": format!("/labs/{}?run={}", run.lab.lab.id, run.id),
        })),
    ))
}

/// The requester's runs (the instructor's: every run), oldest first, with their consumers and
/// ledger totals.
pub async fn list_runs(State(state): State<AppState>, viewer: Viewer) -> impl IntoResponse {
    let runs = if viewer.instructor {
        state.runs.list()
    } else {
        state.runs.list_of(&viewer.session)
    };
    let runs: Vec<serde_json::Value> = runs
        .iter()
        .map(|run| {
            let v = run.view();
            serde_json::json!({
                "id": v.id,
                "lab": v.lab,
                "topic": v.topic,
                "page": format!("/labs/{}?run={}", v.lab, v.id),
                "consumers": v.consumers.iter().map(|c| serde_json::json!({"id": c.id, "status": c.status, "processed": c.processed})).collect::<Vec<_>>(),
                "duplicates": v.duplicates,
                "lost": v.lost,
                "last_seq": v.last_seq,
            })
        })
        .collect();
    Json(serde_json::json!({ "count": runs.len(), "runs": runs }))
}

/// The run's state; its checkpoints' texts in the requester's language (cookie or
/// `Accept-Language`, as the page that asks was rendered).
pub async fn get_run(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    lang: Lang,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id, &viewer, Need::Read)?;
    let mut view = run.view();
    for cp in &mut view.checkpoints {
        if let Some(c) = run.lab.lab.checkpoints.iter().find(|c| c.id == cp.id) {
            cp.text = c.text.get(lang).to_string();
        }
    }
    Ok(Json(view))
}

pub async fn delete_run(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id, &viewer, Need::Control)?;
    let reason = if run.owner == viewer.session {
        EndReason::Stopped
    } else {
        EndReason::Instructor
    };
    if state.runs.remove(&id, reason).await {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found(ErrorCode::NoRun, format!("no run {id:?}")).with("run", id))
    }
}

pub async fn ledger(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(find_run(&state, &id, &viewer, Need::Read)?.ledger()))
}

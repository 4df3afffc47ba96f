//! The JSON API: labs, runs, producing, consumers and their controls, the ledger.

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{AppError, AppState};
use crate::domain::protocol::Control;
use crate::i18n::{ErrorCode, Lang, Text};
use crate::lab::LoadedLab;
use crate::run::options::ConsumerOptions;
use crate::run::LabRun;

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
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                return AppError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::BodyTooLarge,
                    format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
                )
                .with("max", MAX_BODY_BYTES);
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

/// A lab as the API lists it: its texts in both languages (`title: {"en", "ko"}`).
#[derive(Serialize)]
pub struct LabSummary<'a> {
    id: &'a str,
    title: &'a Text,
    course: &'a str,
    java_class: &'a str,
    summary: &'a Text,
    point: &'a Text,
    order: u32,
    topic: &'a crate::lab::TopicDef,
    consumer: &'a crate::domain::settings::ConsumerSettings,
    controls: &'a crate::lab::Controls,
}

fn summary(l: &LoadedLab) -> LabSummary<'_> {
    LabSummary {
        id: &l.lab.id,
        title: &l.lab.title,
        course: &l.lab.course,
        java_class: &l.lab.java_class,
        summary: &l.lab.summary,
        point: &l.lab.point,
        order: l.lab.order,
        topic: &l.lab.topic,
        consumer: &l.lab.consumer,
        controls: &l.lab.controls,
    }
}

pub async fn list_labs(State(state): State<AppState>) -> impl IntoResponse {
    let labs = state.labs.list();
    Json(
        serde_json::to_value(labs.iter().map(|l| summary(l)).collect::<Vec<_>>())
            .unwrap_or_default(),
    )
}

pub async fn get_lab(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let lab = state.labs.get(&id).ok_or_else(|| no_lab(&id))?;
    Ok(Json(
        serde_json::to_value(summary(&lab)).unwrap_or_default(),
    ))
}

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
pub(super) struct BurrowSettings {
    intervals: Option<usize>,
    min_distance_ms: Option<i64>,
}

impl BurrowSettings {
    pub(super) fn config(&self) -> Result<crate::domain::burrow::EvaluatorConfig, AppError> {
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
    let run = state.runs.create(lab, &body.params, burrow).await?;
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

/// The instructor's overview: every run with its consumers and ledger totals.
pub async fn list_runs(State(state): State<AppState>) -> impl IntoResponse {
    let runs: Vec<serde_json::Value> = state
        .runs
        .list()
        .iter()
        .map(|run| {
            let v = run.view();
            serde_json::json!({
                "id": v.id,
                "lab": v.lab,
                "topic": v.topic,
                "consumers": v.consumers.iter().map(|c| serde_json::json!({"id": c.id, "status": c.status, "processed": c.processed})).collect::<Vec<_>>(),
                "duplicates": v.duplicates,
                "lost": v.lost,
                "last_seq": v.last_seq,
            })
        })
        .collect();
    Json(serde_json::json!({ "count": runs.len(), "runs": runs }))
}

pub fn find_run(state: &AppState, id: &str) -> Result<std::sync::Arc<LabRun>, AppError> {
    let run = state.runs.get(id).ok_or_else(|| {
        AppError::not_found(
            ErrorCode::NoRun,
            format!("no run {id:?} (it may have expired)"),
        )
        .with("run", id)
    })?;
    run.touch();
    Ok(run)
}

/// The run's state; its checkpoints' texts in the requester's language (cookie or
/// `Accept-Language`, as the page that asks was rendered).
pub async fn get_run(
    State(state): State<AppState>,
    Path(id): Path<String>,
    lang: Lang,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id)?;
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
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    if state.runs.remove(&id).await {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found(ErrorCode::NoRun, format!("no run {id:?}")).with("run", id))
    }
}

pub async fn ledger(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(find_run(&state, &id)?.ledger()))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ProduceBody {
    values: Vec<String>,
    #[serde(default)]
    keys: Option<Vec<Option<String>>>,
}

const MAX_PRODUCE: usize = 10_000;
const MAX_VALUE_BYTES: usize = 10_000;
/// A record key's limit (bytes).
const MAX_KEY_BYTES: usize = 1_000;
/// axum's default request body limit (bytes).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

pub async fn produce(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Body(body): Body<ProduceBody>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id)?;
    if body.values.is_empty() || body.values.len() > MAX_PRODUCE {
        return Err(AppError::field(
            "values",
            ErrorCode::ValuesCount,
            format!("field `values`: give 1 to {MAX_PRODUCE} values"),
        )
        .with("max", MAX_PRODUCE));
    }
    if body.values.iter().any(|v| v.len() > MAX_VALUE_BYTES) {
        return Err(AppError::field(
            "values",
            ErrorCode::ValueTooLong,
            format!("field `values`: a value is longer than {MAX_VALUE_BYTES} bytes"),
        )
        .with("max", MAX_VALUE_BYTES));
    }
    if body
        .keys
        .iter()
        .flatten()
        .flatten()
        .any(|k| k.len() > MAX_KEY_BYTES)
    {
        return Err(AppError::field(
            "keys",
            ErrorCode::KeyTooLong,
            format!("field `keys`: a key is longer than {MAX_KEY_BYTES} bytes"),
        )
        .with("max", MAX_KEY_BYTES));
    }
    let keys = match body.keys {
        Some(keys) if keys.len() != body.values.len() => {
            return Err(AppError::field(
                "keys",
                ErrorCode::KeysCount,
                "field `keys`: give one key (or null) per value",
            ))
        }
        Some(keys) => keys,
        None => vec![None; body.values.len()],
    };
    let records: Vec<(Option<String>, String)> = keys.into_iter().zip(body.values).collect();
    let delivered = run.produce(&records).await?;
    Ok(Json(serde_json::json!({ "records": delivered })))
}

pub async fn add_consumer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Body(options): Body<ConsumerOptions>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id)?;
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
    Path((id, cid, action)): Path<(String, String, String)>,
    Body(step): Body<StepBody>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id)?;
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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ProducerBody {
    rate_per_sec: Option<u32>,
}

/// Starts, changes or stops the run's background producer (records per second).
pub async fn set_producer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Body(body): Body<ProducerBody>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id)?;
    let rate = body.rate_per_sec.ok_or_else(|| {
        AppError::field(
            "rate_per_sec",
            ErrorCode::FieldRequired,
            "field `rate_per_sec` is required (0 stops)",
        )
    })?;
    run.set_producer_rate(rate)?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OffsetsBody {
    /// Where to: only `"earliest"` (every partition's first offset).
    reset: Option<String>,
}

/// Resets the run's group's committed offsets (the admin's `--reset-offsets --to-earliest`):
/// the next consumer reads everything again, and Burrow sees the offsets go back (REWIND).
pub async fn reset_offsets(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Body(body): Body<OffsetsBody>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id)?;
    if body.reset.as_deref() != Some("earliest") {
        return Err(AppError::field(
            "reset",
            ErrorCode::FieldRequired,
            "field `reset` is required and must be \"earliest\"",
        ));
    }
    run.reset_offsets_to_earliest().await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FaultBody {
    /// The next N OffsetCommit requests are rejected (a non-retriable error).
    commit_errors: Option<usize>,
    /// Every request to the broker takes this much longer (0 clears it).
    rtt_ms: Option<u64>,
}

pub async fn inject_fault(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Body(body): Body<FaultBody>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id)?;
    if !state.broker.is_embedded() {
        return Err(AppError::conflict(
            ErrorCode::FaultsNeedEmbedded,
            "fault injection needs the embedded broker (a real cluster cannot be told to fail)",
        ));
    }
    if body.commit_errors.is_none() && body.rtt_ms.is_none() {
        return Err(AppError::bad_request(
            ErrorCode::FaultRequired,
            "give `commit_errors` or `rtt_ms`",
        ));
    }
    // What happened, in both languages (the event stream is shared by readers of either).
    let both = |key: &str, name: &str, value: u64| {
        let [en, ko] = [Lang::En, Lang::Ko].map(|l| state.texts.texts(l).with(key, name, value));
        (en, ko)
    };
    let mut said: Vec<(String, String)> = vec![];
    if let Some(n) = body.commit_errors {
        if !(1..=100).contains(&n) {
            return Err(AppError::field(
                "commit_errors",
                ErrorCode::Range,
                "field `commit_errors`: must be between 1 and 100",
            )
            .with("min", 1)
            .with("max", 100));
        }
        state.broker.inject_commit_errors(
            rdkafka::types::RDKafkaRespErr::RD_KAFKA_RESP_ERR_INVALID_COMMIT_OFFSET_SIZE,
            n,
        );
        said.push(both("event.fault.commit_errors", "n", n as u64));
    }
    if let Some(ms) = body.rtt_ms {
        if ms > 10_000 {
            return Err(AppError::field(
                "rtt_ms",
                ErrorCode::Range,
                "field `rtt_ms`: must be at most 10000",
            )
            .with("min", 0)
            .with("max", 10_000));
        }
        state
            .broker
            .set_round_trip_time(std::time::Duration::from_millis(ms));
        said.push(both("event.fault.rtt", "ms", ms));
    }
    run.record(
        None,
        crate::domain::event::LabEvent::Fault {
            description: Text::new(
                said.iter()
                    .map(|s| s.0.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                said.iter()
                    .map(|s| s.1.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        },
    );
    Ok(StatusCode::ACCEPTED)
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

fn no_lab(id: &str) -> AppError {
    AppError::not_found(ErrorCode::NoLab, format!("no lab {id:?}")).with("lab", id)
}

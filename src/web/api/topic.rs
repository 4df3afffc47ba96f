//! What goes to a run's topic and broker: produced records, the background producer, the
//! group's offset reset, and broker faults.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;

use super::Body;
use crate::classroom::{Need, Viewer};
use crate::domain::event::LabEvent;
use crate::i18n::{ErrorCode, Lang, Text};
use crate::run::RunError;
use crate::web::access::find_run;
use crate::web::{AppError, AppState};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ProduceBody {
    values: Vec<String>,
    #[serde(default)]
    keys: Option<Vec<Option<String>>>,
}

const MAX_VALUE_BYTES: usize = 10_000;
/// A record key's limit (bytes).
const MAX_KEY_BYTES: usize = 1_000;

pub async fn produce(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Body(body): Body<ProduceBody>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id, &viewer, Need::Control)?;
    let max = state.runs.settings().max_produce_records;
    if body.values.is_empty() || body.values.len() > max {
        let error = AppError::field(
            "values",
            ErrorCode::ValuesCount,
            format!("field `values`: give 1 to {max} values (the limit per produce call)"),
        )
        .with("max", max);
        return Err(if body.values.is_empty() {
            error
        } else {
            error.with_status(axum::http::StatusCode::FORBIDDEN)
        });
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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ProducerBody {
    rate_per_sec: Option<u32>,
}

/// Starts, changes or stops the run's background producer (records per second).
pub async fn set_producer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Body(body): Body<ProducerBody>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id, &viewer, Need::Control)?;
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
    viewer: Viewer,
    Path(id): Path<String>,
    Body(body): Body<OffsetsBody>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id, &viewer, Need::Control)?;
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
    /// `"down"`: the broker closes its connections and refuses new ones; `"up"`: it is back.
    broker: Option<BrokerState>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BrokerState {
    Down,
    Up,
}

pub async fn inject_fault(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Body(body): Body<FaultBody>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id, &viewer, Need::Control)?;
    if state.classroom.has_instructor() && !viewer.instructor {
        return Err(AppError::new(
            axum::http::StatusCode::FORBIDDEN,
            ErrorCode::FaultsInstructorOnly,
            "broker faults act on the whole embedded broker, for every run on this server: only the instructor injects them",
        ));
    }
    if !state.broker.is_embedded() {
        return Err(AppError::conflict(
            ErrorCode::FaultsNeedEmbedded,
            "fault injection needs the embedded broker (a real cluster cannot be told to fail)",
        ));
    }
    if body.commit_errors.is_none() && body.rtt_ms.is_none() && body.broker.is_none() {
        return Err(AppError::bad_request(
            ErrorCode::FaultRequired,
            "give `commit_errors`, `rtt_ms` or `broker`",
        ));
    }
    if let Some(to) = body.broker {
        let broker = state.broker.clone();
        let down = to == BrokerState::Down;
        tokio::task::spawn_blocking(move || broker.set_down_blocking(down))
            .await
            .map_err(|e| RunError::Broker(crate::broker::BrokerError::Other(e.to_string())))?
            .map_err(RunError::Broker)?;
        // Every run loses (or gets back) the broker: every run's log says so.
        let key = if down {
            "event.fault.broker_down"
        } else {
            "event.fault.broker_up"
        };
        let description = Text::new(
            state.texts.texts(Lang::En).get(key),
            state.texts.texts(Lang::Ko).get(key),
        );
        for other in state.runs.list() {
            other.record(
                None,
                LabEvent::Fault {
                    description: description.clone(),
                },
            );
        }
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

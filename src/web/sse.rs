//! `GET /api/runs/{id}/events`: the run's event log, from `Last-Event-ID` (or `?after=`), then live.
//!
//! A subscriber that falls behind the live broadcast is resynced from the log; if the log
//! itself no longer holds what it missed, it gets a `gap` event naming the missing range.
//! Streams end (with an `end` event) when the run is torn down or the server shuts down.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use serde::Deserialize;
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

use super::api::find_run;
use super::{AppError, AppState};
use crate::i18n::ErrorCode;
use crate::run::log::{Gap, LogEntry};

#[derive(Deserialize)]
pub struct EventsQuery {
    after: Option<String>,
}

fn parse_id(what: &str, raw: &str) -> Result<u64, AppError> {
    raw.trim().parse::<u64>().map_err(|_| {
        AppError::bad_request(
            ErrorCode::BadEventId,
            format!("{what} must be a non-negative integer, got {raw:?}"),
        )
        .with("what", what)
        .with("value", raw)
    })
}

fn entry_event(e: &LogEntry) -> Event {
    Event::default().id(e.seq.to_string()).data(&*e.json)
}

fn gap_event(gap: Gap) -> Event {
    Event::default()
        .event("gap")
        .data(serde_json::to_string(&gap).expect("gap serializes"))
}

pub async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<EventsQuery>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id)?;
    // The browser sends Last-Event-ID on reconnect; `?after=` is for scripts and fresh pages.
    let after = match (headers.get("last-event-id"), &query.after) {
        (Some(h), _) => parse_id(
            "Last-Event-ID",
            h.to_str().map_err(|_| {
                AppError::bad_request(ErrorCode::BadEventId, "Last-Event-ID is not text")
                    .with("what", "Last-Event-ID")
                    .with("value", "?")
            })?,
        )?,
        (None, Some(a)) => parse_id("after", a)?,
        (None, None) => 0,
    };
    let last = run.last_seq();
    if after > last {
        return Err(AppError::bad_request(
            ErrorCode::EventIdAhead,
            format!("event id {after} is ahead of this run's log (last id {last})"),
        )
        .with("after", after)
        .with("last", last));
    }
    let (replay, mut live) = run.subscribe(after);
    let server_down = state.shutdown.clone();
    let run_down = run.cancelled();
    let stream = async_stream::stream! {
        let mut last = after;
        if let Some(gap) = replay.gap {
            yield gap_event(gap);
        }
        for e in replay.entries {
            last = e.seq;
            yield entry_event(&e);
        }
        loop {
            let received = tokio::select! {
                biased;
                _ = server_down.cancelled() => {
                    yield Event::default().event("end").data("server shutting down");
                    break;
                }
                _ = run_down.cancelled() => {
                    yield Event::default().event("end").data("run ended");
                    break;
                }
                r = live.recv() => r,
            };
            match received {
                Ok(e) => {
                    if e.seq > last {
                        last = e.seq;
                        yield entry_event(&e);
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    // Too slow for the live buffer: catch up from the log instead.
                    let replay = run.replay(last);
                    if let Some(gap) = replay.gap {
                        yield gap_event(gap);
                    }
                    for e in replay.entries {
                        last = e.seq;
                        yield entry_event(&e);
                    }
                }
                Err(RecvError::Closed) => break,
            }
        }
    };
    use futures::StreamExt;
    Ok(Sse::new(stream.map(Ok::<_, Infallible>)).keep_alive(KeepAlive::default()))
}

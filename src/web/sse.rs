//! `GET /api/runs/{id}/events`: the run's event log, from `Last-Event-ID` (or `?after=`), then live.
//!
//! A subscriber that falls behind the live broadcast is resynced from the log; if the log
//! itself no longer holds what it missed, it gets a `gap` event naming the missing range.
//! Streams end (with an `end` event) when the run is torn down or the server shuts down.

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

use super::access::find_run;
use super::{AppError, AppState};
use crate::classroom::{Need, Viewer};
use crate::i18n::ErrorCode;
use crate::run::log::{EventSource, Gap, LogEntry, Replay};
use std::sync::Arc;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// The stream's query: `?after=N`, at most once (a repeated `after` is a 400 in JSON, not
/// axum's plain-text rejection).
pub struct EventsQuery {
    pub(super) after: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for EventsQuery {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                AppError::bad_request(ErrorCode::BadEventId, format!("bad query string: {e}"))
                    .with("what", "query")
                    .with("value", e.body_text())
            })?;
        let mut after = pairs
            .into_iter()
            .filter(|(k, _)| k == "after")
            .map(|(_, v)| v);
        let first = after.next();
        if after.next().is_some() {
            return Err(AppError::bad_request(
                ErrorCode::DuplicateParam,
                "give the query parameter `after` once",
            )
            .with("param", "after"));
        }
        Ok(EventsQuery { after: first })
    }
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

/// Where a reader resumes: the browser's `Last-Event-ID` on reconnect, or `?after=` (scripts and
/// fresh pages), else the start.
pub(super) fn after_id(headers: &HeaderMap, query: &EventsQuery) -> Result<u64, AppError> {
    // The browser sends Last-Event-ID on reconnect; `?after=` is for scripts and fresh pages.
    Ok(match (headers.get("last-event-id"), &query.after) {
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
    })
}

pub async fn events(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    query: EventsQuery,
    headers: HeaderMap,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id, &viewer, Need::Read)?;
    let max = state.classroom.limits.max_streams_per_session;
    let place = state
        .classroom
        .open_stream(&viewer.session)
        .ok_or_else(|| {
            AppError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::MaxStreams,
                format!("this browser already has {max} live views open (the limit per trainee); close a tab first"),
            )
            .with("max", max)
        })?;
    follow(run, &headers, &query, &state, "run", place)
}

/// Follows `source`'s log from where the reader resumes: the replay, then live events.
/// `what` names the source in messages ("run", "watch").
pub(super) fn follow<S: EventSource>(
    source: Arc<S>,
    headers: &HeaderMap,
    query: &EventsQuery,
    state: &AppState,
    what: &'static str,
    place: impl Send + 'static,
) -> Result<impl IntoResponse, AppError> {
    let after = after_id(headers, query)?;
    let last = source.last_seq();
    if after > last {
        return Err(AppError::bad_request(
            ErrorCode::EventIdAhead,
            format!("event id {after} is ahead of this {what}'s log (last id {last})"),
        )
        .with("after", after)
        .with("last", last));
    }
    let (replay, live) = source.subscribe(after);
    let ended = if what == "run" {
        "run ended"
    } else {
        "watch ended"
    };
    Ok(log_stream(
        after,
        replay,
        live,
        state.shutdown.clone(),
        source.cancelled(),
        ended,
        // The closure lives as long as the stream: it holds the stream's place.
        move |last| {
            let _held = &place;
            source.replay(last)
        },
    ))
}

/// The SSE stream of an event log: `replay` (with its gap), then `live` events, resynced with
/// `resync(last)` when the subscriber falls behind; `end` when the server shuts down or
/// `source_down` (the run or watch) is cancelled, saying `ended`.
fn log_stream(
    after: u64,
    replay: Replay,
    mut live: broadcast::Receiver<Arc<LogEntry>>,
    server_down: CancellationToken,
    source_down: CancellationToken,
    ended: &'static str,
    resync: impl Fn(u64) -> Replay + Send + 'static,
) -> impl IntoResponse {
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
                _ = source_down.cancelled() => {
                    yield Event::default().event("end").data(ended);
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
                    let replay = resync(last);
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
    Sse::new(stream.map(Ok::<_, Infallible>)).keep_alive(KeepAlive::default())
}

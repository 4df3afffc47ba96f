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
/// axum's plain-text rejection), and `?batch=1` (see [`MAX_BATCH`]).
pub struct EventsQuery {
    pub(super) after: Option<String>,
    pub(super) batch: bool,
}

/// With `?batch=1` (the lab page), events that are already waiting when the stream writes go
/// out as one `batch` message — a JSON array of the events, its id the last one's seq — of at
/// most this many events. A single waiting event is sent as itself: nothing waits for a batch
/// to fill, so batching adds no latency; it only spares a fast stream's reader (10,000 events
/// a second) a message, a task and a parse per event. Without it, one message per event.
const MAX_BATCH: usize = 512;

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
        let once = |name: &'static str| {
            let mut values = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
            let first = values.next().cloned();
            if values.next().is_some() {
                return Err(AppError::bad_request(
                    ErrorCode::DuplicateParam,
                    format!("give the query parameter `{name}` once"),
                )
                .with("param", name));
            }
            Ok(first)
        };
        let after = once("after")?;
        let batch = match once("batch")?.as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(other) => {
                let detail = format!("batch must be 0 or 1, got {other:?}");
                return Err(AppError::bad_request(
                    ErrorCode::BadRequest,
                    format!("bad query: {detail}"),
                )
                .with("detail", detail));
            }
        };
        Ok(EventsQuery { after, batch })
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

/// Events as SSE messages: one each, or (batching) `batch` messages of up to [`MAX_BATCH`].
fn entry_events(entries: &[Arc<LogEntry>], batching: bool) -> Vec<Event> {
    if !batching {
        return entries.iter().map(|e| entry_event(e)).collect();
    }
    entries
        .chunks(MAX_BATCH)
        .map(|chunk| match chunk {
            [one] => entry_event(one),
            many => {
                let len = many.iter().map(|e| e.json.len() + 1).sum::<usize>() + 1;
                let mut data = String::with_capacity(len);
                data.push('[');
                for (i, e) in many.iter().enumerate() {
                    if i > 0 {
                        data.push(',');
                    }
                    data.push_str(&e.json);
                }
                data.push(']');
                let last = many.last().expect("a chunk is never empty");
                Event::default()
                    .event("batch")
                    .id(last.seq.to_string())
                    .data(data)
            }
        })
        .collect()
}

/// A replay's messages: its gap (if the log let go of some events), then its events; `last`
/// moves to the last one.
fn replay_events(replay: Replay, last: &mut u64, batching: bool) -> Vec<Event> {
    if let Some(e) = replay.entries.last() {
        *last = e.seq;
    }
    replay
        .gap
        .map(gap_event)
        .into_iter()
        .chain(entry_events(&replay.entries, batching))
        .collect()
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
        query.batch,
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
/// `resync(last)` when the subscriber falls behind; `end` once `source_down` (the run or
/// watch) is cancelled, saying `ended`, or that the server shut down if `server_down` came
/// first (a shutdown tears runs down before their tokens go, so their last events still
/// reach the stream).
#[allow(clippy::too_many_arguments)]
fn log_stream(
    after: u64,
    batching: bool,
    replay: Replay,
    mut live: broadcast::Receiver<Arc<LogEntry>>,
    server_down: CancellationToken,
    source_down: CancellationToken,
    ended: &'static str,
    resync: impl Fn(u64) -> Replay + Send + 'static,
) -> impl IntoResponse {
    let stream = async_stream::stream! {
        let mut last = after;
        for event in replay_events(replay, &mut last, batching) {
            yield event;
        }
        let mut server_stopping = false;
        loop {
            let received = tokio::select! {
                biased;
                _ = server_down.cancelled(), if !server_stopping => {
                    server_stopping = true;
                    continue;
                }
                _ = source_down.cancelled() => {
                    // The log is complete by now (a run is cancelled after its workers' last
                    // lines are recorded), but the live buffer may still hold some of it: the
                    // reader gets the rest from the log before `end`.
                    for event in replay_events(resync(last), &mut last, batching) {
                        yield event;
                    }
                    let why = if server_stopping { "server shutting down" } else { ended };
                    yield Event::default().event("end").data(why);
                    break;
                }
                r = live.recv() => r,
            };
            let mut lagged = matches!(received, Err(RecvError::Lagged(_)));
            match received {
                Ok(e) => {
                    // Batching, what else is already waiting goes in the same message.
                    let mut ready = vec![e];
                    let most = if batching { MAX_BATCH } else { 1 };
                    while ready.len() < most {
                        match live.try_recv() {
                            Ok(next) => ready.push(next),
                            Err(broadcast::error::TryRecvError::Lagged(_)) => {
                                lagged = true;
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    ready.retain(|e| e.seq > last);
                    if let Some(e) = ready.last() {
                        last = e.seq;
                    }
                    for event in entry_events(&ready, batching) {
                        yield event;
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break,
            }
            if lagged {
                // Too slow for the live buffer: catch up from the log instead.
                for event in replay_events(resync(last), &mut last, batching) {
                    yield event;
                }
            }
        }
    };
    use futures::StreamExt;
    Sse::new(stream.map(Ok::<_, Infallible>)).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests;

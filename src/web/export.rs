//! `GET /api/runs/{id}/export`: a run's whole event log as one JSON file, with its lab, topic,
//! group, consumer defaults and ledger, for the replay page (`/replay`) to play back offline.
//!
//! The format (`"format": "kafka-consumer-labs/run"`, `"version": 1`) is documented in the
//! README. `events` holds each logged event exactly as the SSE stream carries it, in sequence
//! order; `complete` is false when the bounded log already dropped the run's first events;
//! `consumers` gives each incarnation's settings (the page shows them on its card).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;

use super::access::find_run;
use super::{AppError, AppState};
use crate::classroom::{Need, Viewer};
use crate::domain::event::now_ms;

/// The `format` field of an export.
pub const FORMAT: &str = "kafka-consumer-labs/run";
/// The `version` field; a reader refuses versions it does not know.
pub const VERSION: u32 = 1;

/// Whoever may read the run (its trainee, the instructor; anyone for the demo) may export it.
pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let run = find_run(&state, &id, &viewer, Need::Read)?;
    // The lock is held only to copy the entries' pointers and compute the ledger.
    let snapshot = run.snapshot();
    let replay = snapshot.replay;
    let first_seq = replay.gap.map_or(1, |g| g.to + 1);
    let head = serde_json::json!({
        "format": FORMAT,
        "version": VERSION,
        "exported_at_ms": now_ms() as u64,
        "lab": { "id": run.lab.lab.id, "title": run.lab.lab.title },
        "run": {
            "id": run.id,
            "topic": run.topic,
            "group": run.group,
            "partitions": run.lab.lab.topic.partitions,
        },
        "options": run.defaults,
        "consumers": snapshot.consumers.iter().map(|(id, config)| {
            serde_json::json!({ "id": id, "config": config })
        }).collect::<Vec<_>>(),
        "first_seq": first_seq,
        "complete": replay.gap.is_none(),
    });
    let ledger = serde_json::to_string(&snapshot.ledger).expect("the ledger serializes");
    // The events are spliced in as logged (each entry is already the SSE stream's JSON): no
    // second serialization of a log that may hold tens of thousands of them.
    let head = serde_json::to_string(&head).expect("the export serializes");
    let events_len: usize = replay.entries.iter().map(|e| e.json.len() + 1).sum();
    let mut body = String::with_capacity(head.len() + events_len + ledger.len() + 32);
    body.push_str(&head[..head.len() - 1]);
    body.push_str(",\"events\":[");
    for (i, e) in replay.entries.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&e.json);
    }
    body.push_str("],\"ledger\":");
    body.push_str(&ledger);
    body.push('}');
    let filename = format!("{}-{}.json", run.lab.lab.id, run.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    ))
}

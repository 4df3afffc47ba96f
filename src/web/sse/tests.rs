//! The SSE stream of an event log: what comes before `end`, and `batch` messages.

use super::*;
use crate::run::log::EventLog;
use std::sync::Mutex;

/// The ids of the lab events in an SSE body, and the name of its last event.
fn ids_and_last(body: &str) -> (Vec<u64>, String) {
    let ids = body
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .map(|id| id.parse().unwrap())
        .collect();
    let last = body
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .next_back()
        .unwrap_or_default()
        .to_string();
    (ids, last)
}

/// The SSE response for `log` from the start, subscribed now, resynced from `log` itself.
fn stream_log(
    log: &Arc<Mutex<EventLog>>,
    batching: bool,
    source_down: CancellationToken,
) -> axum::response::Response {
    let (replay, live) = log.lock().unwrap().subscribe_since(0);
    let resync_log = log.clone();
    log_stream(
        0,
        batching,
        replay,
        live,
        CancellationToken::new(),
        source_down,
        "run ended",
        move |last| resync_log.lock().unwrap().since(last),
    )
    .into_response()
}

/// A source that ends while its reader has not yet taken its last events from the live
/// buffer: they still come, from the log, before `end` (found by the SIGTERM test, where a
/// member's last events went missing under load).
#[tokio::test]
async fn events_still_buffered_when_the_source_ends_come_before_end() {
    let log = Arc::new(Mutex::new(EventLog::new(100, 100)));
    let source_down = CancellationToken::new();
    let response = stream_log(&log, false, source_down.clone());
    for i in 0..3 {
        log.lock()
            .unwrap()
            .append(|seq| format!(r#"{{"seq":{seq},"i":{i}}}"#));
    }
    source_down.cancel();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let (ids, last) = ids_and_last(std::str::from_utf8(&body).unwrap());
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(last, "end");
}

/// The events of `batch` messages and single messages of an SSE body, in order, with each
/// message's id.
fn batched(body: &str) -> Vec<(u64, Vec<u64>)> {
    let mut out = vec![];
    for message in body.split("\n\n") {
        let field = |name: &str| {
            message
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(str::to_string)
        };
        let (Some(id), Some(data)) = (field("id: "), field("data: ")) else {
            continue;
        };
        let seqs = match serde_json::from_str::<serde_json::Value>(&data).unwrap() {
            serde_json::Value::Array(events) => {
                assert_eq!(field("event: ").as_deref(), Some("batch"));
                events.iter().map(|e| e["seq"].as_u64().unwrap()).collect()
            }
            one => vec![one["seq"].as_u64().unwrap()],
        };
        out.push((id.parse().unwrap(), seqs));
    }
    out
}

/// `?batch=1`: a replay of 600 events is two messages (512 and 88 events), each with the id
/// of its last event; events that wait in the live buffer together are one message.
#[tokio::test]
async fn batching_sends_waiting_events_in_one_message_with_the_last_id() {
    let log = Arc::new(Mutex::new(EventLog::new(1000, 100)));
    let append = |log: &Mutex<EventLog>, n: usize| {
        for _ in 0..n {
            log.lock()
                .unwrap()
                .append(|seq| format!(r#"{{"seq":{seq}}}"#));
        }
    };
    append(&log, 600);
    let source_down = CancellationToken::new();
    let response = stream_log(&log, true, source_down.clone());
    let mut body = response.into_body().into_data_stream();
    let mut text = String::new();
    use futures::StreamExt;
    while !text.contains("id: 600\n") {
        let chunk = body.next().await.expect("more").expect("a chunk");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    // Three events arrive while the stream waits on the live buffer: one message.
    append(&log, 3);
    while !text.contains("id: 603\n") {
        let chunk = body.next().await.expect("more").expect("a chunk");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    source_down.cancel();
    while let Some(chunk) = body.next().await {
        text.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
    }
    let messages = batched(&text);
    let ids: Vec<u64> = messages.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [512, 600, 603]);
    let seqs: Vec<u64> = messages.into_iter().flat_map(|(_, s)| s).collect();
    assert_eq!(
        seqs,
        (1..=603).collect::<Vec<_>>(),
        "every event once, in order"
    );
    assert!(
        text.ends_with("event: end\ndata: run ended\n\n"),
        "{text:?}"
    );
}

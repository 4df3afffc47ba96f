//! Readers that do not keep up (issue 16, "Slow readers"): a stream nobody reads for a while
//! is caught up from the run's log — with an exact `gap` where the bounded log let go — and
//! never silently truncated; streams opened and dropped by the thousand leave no descriptor,
//! subscriber or task behind.

mod common;

use std::time::Duration;

use common::*;
use eventsource_stream::Eventsource;
use futures::StreamExt;

/// Descriptors this (test) process holds: the server lives in it.
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_reader_is_caught_up_with_an_exact_gap_and_no_hole() {
    let mut settings = test_settings();
    // A few MiB: the stalled reader's place falls out of the log while it does not read.
    settings.log_max_bytes = 4 << 20;
    let app = spawn_app_with(settings).await;
    let run = app.create_run("simple-consumer").await;
    // Opened, then not read: the server's writes fill the socket and stop.
    let stalled = app
        .client
        .get(app.url(&format!("/api/runs/{run}/events")))
        .send()
        .await
        .expect("stream");
    assert_eq!(stalled.status(), 200);
    let value = "v".repeat(2_000);
    let values = vec![value.as_str(); 900];
    for _ in 0..12 {
        app.produce(&run, &values).await;
    }
    // 10,800 produced events of ~2 kB, ~22 MB: more than the live buffer (1,024 events), the
    // sockets' buffers and the log's 4 MiB.
    let last = app.run_view(&run).await["last_seq"].as_u64().unwrap();
    assert!(last > 10_800, "{last}");

    let mut events = stalled.bytes_stream().eventsource();
    let mut expected = 1;
    let mut gaps = vec![];
    let read = tokio::time::timeout(DEADLINE, async {
        while expected <= last {
            let event = events
                .next()
                .await
                .expect("the stream goes on")
                .expect("an event");
            match event.event.as_str() {
                "gap" => {
                    let gap: serde_json::Value = serde_json::from_str(&event.data).unwrap();
                    let (from, to) = (gap["from"].as_u64().unwrap(), gap["to"].as_u64().unwrap());
                    assert_eq!(from, expected, "a gap starts where the reader was");
                    assert!(to >= from, "{gap}");
                    gaps.push((from, to));
                    expected = to + 1;
                }
                "lab" | "message" | "" => {
                    let id: u64 = event.id.parse().expect("an event id");
                    assert_eq!(id, expected, "no hole and no repeat: after {gaps:?}");
                    expected += 1;
                }
                other => panic!("unexpected {other:?} event before the end: {}", event.data),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "read up to {expected} of {last} in time");
    assert!(
        !gaps.is_empty(),
        "the log let go of the stalled reader's place"
    );
    eprintln!("stalled reader: {last} events, gaps {gaps:?}");
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_streams_opened_and_dropped_leave_nothing_behind() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    app.produce(&run, &["a", "b", "c"]).await;
    let registry = &app.server.as_ref().unwrap().state.runs;
    let lab_run = registry.get(&run).expect("the run");
    // Warm up (connection pool, lazily made tasks), then take the baseline.
    let warm = app.events(&run).await;
    warm.wait_until("the replay", |evs| evs.len() >= 3).await;
    drop(warm);
    let tasks = || {
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
    };
    let settle = |what: &'static str, done: Box<dyn Fn() -> bool + Send>| async move {
        // Descriptors, subscribers and tasks have no event to wait on: a bounded check.
        let deadline = tokio::time::Instant::now() + DEADLINE;
        let mut probe = tokio::time::interval(Duration::from_millis(20));
        while !done() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out: {what} ({} descriptors, {} tasks)",
                open_fds(),
                tokio::runtime::Handle::current()
                    .metrics()
                    .num_alive_tasks()
            );
            probe.tick().await;
        }
    };
    let lr = lab_run.clone();
    settle(
        "the warm-up stream is gone",
        Box::new(move || lr.gauges().streams == 0),
    )
    .await;
    let (fds, alive) = (open_fds(), tasks());
    eprintln!("before: {fds} descriptors, {alive} tasks");

    for _ in 0..1_000 {
        let response = app
            .client
            .get(app.url(&format!("/api/runs/{run}/events")))
            .send()
            .await
            .expect("stream");
        assert_eq!(response.status(), 200);
        let mut events = response.bytes_stream().eventsource();
        // Read the first event, then hang up.
        events.next().await.expect("an event").expect("parsed");
    }

    let lr = lab_run.clone();
    settle(
        "every stream's subscriber is gone",
        Box::new(move || lr.gauges().streams == 0),
    )
    .await;
    // A leak would be one per stream (1,000); the run's sampler and the blocking pool come and
    // go by a few.
    settle(
        "the descriptors are back",
        Box::new(move || open_fds() <= fds + 10),
    )
    .await;
    settle(
        "the tasks are back",
        Box::new(move || {
            tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks()
                <= alive + 10
        }),
    )
    .await;
    eprintln!(
        "1,000 streams: {fds} descriptors and {alive} tasks before, {} and {} after",
        open_fds(),
        tasks()
    );
    app.shutdown().await;
}

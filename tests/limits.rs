//! Limits hold under concurrency (issue 16, finding 6): the run limit is checked and taken in
//! one step, so concurrent creates at the limit cannot overshoot it.

#[macro_use]
mod common;

use common::*;
use serde_json::json;

async fn concurrent_creates_never_pass_the_run_limit() {
    let mut settings = test_settings();
    settings.max_runs = 5;
    let app = spawn_app_with(settings).await;
    // One trainee (the session exists before the concurrent creates, so they share it).
    app.get_json("/api/session").await;
    let creates = (0..20).map(|_| app.post("/api/runs", json!({ "lab": "simple-consumer" })));
    let statuses: Vec<u16> = futures::future::join_all(creates)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let created = statuses.iter().filter(|&&s| s == 201).count();
    let refused = statuses.iter().filter(|&&s| s == 429).count();
    assert_eq!((created, refused), (5, 15), "{statuses:?}");
    assert_eq!(app.get_json("/api/runs").await["count"], 5);
    app.shutdown().await;
}

/// A consumer started while its run is being deleted is refused (409 `run_ending`) or torn
/// down with the run: no worker outlives its run.
async fn a_consumer_started_during_delete_does_not_outlive_the_run() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let run = app.create_run("rebalance").await;
        app.start_consumer(&run, json!({})).await;
        let consumers = format!("/api/runs/{run}/consumers");
        let (deleted, started) = tokio::join!(
            app.client
                .delete(app.url(&format!("/api/runs/{run}")))
                .send(),
            app.post(&consumers, json!({})),
        );
        assert_eq!(deleted.unwrap().status(), 204);
        assert!(
            [201, 404, 409].contains(&started.status().as_u16()),
            "{}",
            started.status()
        );
        // Workers exit on their own schedule: wait (with a deadline) until none is left.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let left = worker_pids(&run);
            if left.is_empty() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "workers outlived run {run}: {left:?}"
            );
            tokio::task::yield_now().await;
            tokio::time::sleep(std::time::Duration::from_millis(50)).await; // polling interval
        }
    }
    app.shutdown().await;
}

/// Finding 5: a client holding a half-sent request kept the server, and every worker, alive
/// after a shutdown; now the graceful wait is bounded and the workers are stopped.
async fn shutdown_is_bounded_by_a_half_sent_request() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    app.start_consumer(&run, json!({})).await;
    let addr = app
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    // One connection stops in the middle of its headers, another in the middle of its body.
    let mut headers = tokio::net::TcpStream::connect(&addr).await.unwrap();
    headers
        .write_all(b"GET /api/labs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
        .await
        .unwrap();
    let mut body = tokio::net::TcpStream::connect(&addr).await.unwrap();
    body.write_all(
        b"POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    let bound = kafka_consumer_labs::server::SHUTDOWN_GRACE + std::time::Duration::from_secs(20);
    tokio::time::timeout(bound, app.shutdown())
        .await
        .expect("the server shut down in bounded time");
    assert!(worker_pids(&run).is_empty(), "every worker was stopped");
    drop((headers, body));
}

on_each_broker!(
    shutdown_is_bounded_by_a_half_sent_request,
    concurrent_creates_never_pass_the_run_limit,
    a_consumer_started_during_delete_does_not_outlive_the_run,
);

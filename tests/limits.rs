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
            reqwest::Client::new()
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

on_each_broker!(
    concurrent_creates_never_pass_the_run_limit,
    a_consumer_started_during_delete_does_not_outlive_the_run,
);

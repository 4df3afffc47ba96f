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

on_each_broker!(concurrent_creates_never_pass_the_run_limit);

//! Limits hold under concurrency (issue 16, finding 6): the run limit is checked and taken in
//! one step, so concurrent creates at the limit cannot overshoot it.

#[macro_use]
mod common;

use common::*;
use kafka_consumer_labs::run::EndReason;
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

/// A client that keeps no cookie gets a new session with every request, so the per-session
/// limit never binds it (finding 8: one such client made 101 runs); the per-address limit
/// does, and a trainee at the same address shares it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_per_address_bind_a_client_that_drops_its_cookie() {
    let mut settings = test_settings();
    settings.max_runs_per_address = 3;
    let app = spawn_app_with(settings).await;
    let cookieless = reqwest::Client::new();
    let create = || {
        cookieless
            .post(app.url("/api/runs"))
            .json(&json!({ "lab": "simple-consumer" }))
            .send()
    };
    let mut statuses = vec![];
    for _ in 0..5 {
        statuses.push(create().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [201, 201, 201, 429, 429]);
    let refused = create().await.unwrap();
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "max_runs_per_address", "{body}");
    assert_eq!(body["params"]["max"], 3, "{body}");
    assert!(body["error"].as_str().unwrap().contains('3'), "{body}");
    // A trainee with a cookie at the same address is refused too, until a run is gone.
    let trainee = app
        .post("/api/runs", json!({ "lab": "simple-consumer" }))
        .await;
    assert_eq!(trainee.status(), 429);
    // The idle reaper (or the instructor) ends one of the cookieless client's runs.
    let registry = &app.server.as_ref().unwrap().state.runs;
    let gone = registry.list().first().expect("a run").id.clone();
    assert!(registry.remove(&gone, EndReason::Idle).await);
    let trainee = app
        .post("/api/runs", json!({ "lab": "simple-consumer" }))
        .await;
    assert_eq!(trainee.status(), 201);
    app.shutdown().await;
}

/// Once the server is stopping, a create that got in (an in-flight request) is refused with
/// 503 `shutting_down` instead of making a run the shutdown would never tear down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_run_is_made_once_the_server_is_stopping() {
    let app = spawn_app().await;
    let server = app.server.as_ref().unwrap();
    let lab = server.state.labs.get("simple-consumer").expect("lab");
    server.shutdown_token().cancel();
    let refused = server
        .state
        .runs
        .create(
            lab,
            &Default::default(),
            kafka_consumer_labs::run::BURROW_CLASSROOM,
            &kafka_consumer_labs::classroom::SessionId::new(),
            None,
        )
        .await
        .err()
        .expect("refused");
    let refused = kafka_consumer_labs::web::AppError::from(refused);
    assert_eq!(refused.status().as_u16(), 503);
    assert_eq!(refused.code().as_str(), "shutting_down");
    assert!(server.state.runs.list().is_empty());
    app.shutdown().await;
}

on_each_broker!(
    shutdown_is_bounded_by_a_half_sent_request,
    concurrent_creates_never_pass_the_run_limit,
    a_consumer_started_during_delete_does_not_outlive_the_run,
);

//! What one client can make the server hold (issue 16, findings 5 and 7): a run's event log is
//! bounded in bytes as well as in events, record keys and values are capped, request bodies
//! are capped per route, and a half-sent request is cut off after a bounded time.

mod common;

use common::*;
use serde_json::{json, Value};

/// Finding 7: a full log of 10 kB values took 212 MiB per run. With a byte bound the log keeps
/// only the newest events that fit, and a reader from the start is told the exact gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_log_of_large_values_stays_within_its_byte_bound() {
    let mut settings = test_settings();
    let max_bytes = 200 * 1024;
    settings.log_max_bytes = max_bytes;
    let app = spawn_app_with(settings).await;
    let run = app.create_run("simple-consumer").await;
    let value = "v".repeat(9_000);
    for _ in 0..4 {
        let values = vec![value.as_str(); 25];
        app.produce(&run, &values).await;
    }
    // 100 produced events of ~9 kB: about 900 kB logged, far over the bound.
    let last = app.run_view(&run).await["last_seq"].as_u64().unwrap();
    assert!(last >= 100);
    let stream = app.events(&run).await;
    stream
        .wait_until("the kept tail", |evs| evs.iter().any(|e| seq(e) >= last))
        .await;
    let all = stream.all();
    assert_eq!(all[0].name, "gap", "{:?}", all[0]);
    let (from, to) = (
        all[0].data["from"].as_u64().unwrap(),
        all[0].data["to"].as_u64().unwrap(),
    );
    assert_eq!(from, 1);
    let kept: Vec<u64> = all[1..]
        .iter()
        .filter_map(|r| r.id)
        .filter(|&s| s <= last)
        .collect();
    assert_eq!(
        kept,
        (to + 1..=last).collect::<Vec<_>>(),
        "no hole after the gap"
    );
    // The kept events' JSON fits the bound (each event is about 9 kB: at most ~22 fit).
    let kept_bytes: usize = all[1..]
        .iter()
        .filter(|r| r.id.is_some_and(|s| s <= last))
        .map(|r| r.data.to_string().len())
        .sum();
    assert!(kept_bytes <= max_bytes, "{kept_bytes} bytes kept");
    assert!(kept.len() < 30, "{} events kept", kept.len());
    app.shutdown().await;
}

/// Keys and values are capped on produce, each refusal naming the field and the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_keys_and_values_are_capped() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let produce = format!("/api/runs/{run}/produce");
    let cases = [
        (
            json!({ "values": ["v".repeat(10_001)] }),
            "value_too_long",
            "values",
            10_000,
        ),
        (
            json!({ "values": ["v"], "keys": ["k".repeat(1_001)] }),
            "key_too_long",
            "keys",
            1_000,
        ),
    ];
    for (body, code, field, max) in cases {
        let r = app.post(&produce, body).await;
        assert_eq!(r.status(), 400);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["field"], field, "{body}");
        assert_eq!(body["params"]["max"], max, "{body}");
    }
    // At the limits, the records go through.
    let r = app
        .post(
            &produce,
            json!({ "values": ["v".repeat(10_000)], "keys": ["k".repeat(1_000)] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    app.shutdown().await;
}

/// Bodies are capped per route: the JSON control routes take a few fields (16 KiB), only
/// produce takes many records (2 MiB). Each 413 names the route's limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_capped_per_route() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let padding = "p".repeat(17 * 1024);
    for path in [
        "/api/runs".to_string(),
        format!("/api/runs/{run}/consumers"),
        format!("/api/runs/{run}/faults"),
        format!("/api/runs/{run}/producer"),
        format!("/api/runs/{run}/offsets"),
        format!("/api/runs/{run}/consumers/c1/stop"),
        "/api/watch".to_string(),
    ] {
        let r = app.post(&path, json!({ "padding": padding })).await;
        assert_eq!(r.status(), 413, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "body_too_large", "{path}: {body}");
        assert_eq!(body["params"]["max"], 16 * 1024, "{path}: {body}");
    }
    // Produce takes the same size (and more): 20 values of 9 kB is 180 kB.
    let values = vec!["v".repeat(9_000); 20];
    let r = app
        .post(
            &format!("/api/runs/{run}/produce"),
            json!({ "values": values }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post(
            &format!("/api/runs/{run}/produce"),
            json!({ "values": ["v".repeat(3 * 1024 * 1024)] }),
        )
        .await;
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["params"]["max"], 2 * 1024 * 1024, "{body}");
    app.shutdown().await;
}

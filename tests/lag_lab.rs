//! The lag lab: Burrow's statuses from broker-side samples, with a background producer.

#[macro_use]
mod common;

use common::*;
use serde_json::{json, Value};

fn lag_status(e: &Value) -> Option<&str> {
    is(e, "lag").then(|| e["status"].as_str().unwrap())
}

async fn slow_consumer_warns_and_dead_consumer_errors() {
    let app = spawn_app().await;
    let run = app.create_run("consumer-lag").await;
    let events = app.events(&run).await;
    let r = app
        .post(
            &format!("/api/runs/{run}/producer"),
            json!({ "rate_per_sec": 30 }),
        )
        .await;
    assert_eq!(r.status(), 202);
    // 5 records per second against 30 produced: it commits, but falls behind.
    let slow = app
        .start_consumer(&run, json!({ "session_timeout_ms": 2000, "processing_delay_ms": 200, "max_poll_records": 5 }))
        .await;
    let warning = events
        .wait_for("WARNING", |e| lag_status(e) == Some("warning"))
        .await;
    assert!(warning["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["status"] == "warning"));
    app.consumer_action(&run, &slow, "kill").await;
    // A partition that stopped moving while others still committed is `stall`; once the
    // window holds no commit at all, the frozen partitions are `stop`.
    let stopped = |e: &Value| {
        lag_status(e) == Some("error")
            && e["partitions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["status"] == "stop")
    };
    events
        .wait_until("ERROR (stop) after the kill", |evs| {
            let killed = evs.iter().position(|e| of(e, "killed", &slow));
            killed.is_some_and(|k| evs[k..].iter().any(stopped))
        })
        .await;
    let view = app.run_view(&run).await;
    assert_eq!(view["lag"]["status"], "error");
    assert_eq!(view["producer_rate"], 30);
    assert_eq!(
        reached_checkpoints(&view),
        vec!["falling-behind", "stopped"]
    );

    // Stop the producer; a fast consumer catches up: OK.
    let r = app
        .post(
            &format!("/api/runs/{run}/producer"),
            json!({ "rate_per_sec": 0 }),
        )
        .await;
    assert_eq!(r.status(), 202);
    let fast = app
        .start_consumer(&run, json!({ "session_timeout_ms": 2000 }))
        .await;
    let evs = events
        .wait_until("OK once caught up", |evs| {
            let started = evs.iter().position(|e| of(e, "spawned", &fast));
            started.is_some_and(|s| evs[s..].iter().any(|e| lag_status(e) == Some("ok")))
        })
        .await;
    assert!(evs.iter().any(|e| of(e, "record", &fast)));
    let r = app
        .post(
            &format!("/api/runs/{run}/producer"),
            json!({ "rate_per_sec": 100000 }),
        )
        .await;
    assert_eq!(r.status(), 400);
    app.shutdown().await;
    assert!(worker_pids(&run).is_empty());
}

on_each_broker!(slow_consumer_warns_and_dead_consumer_errors);

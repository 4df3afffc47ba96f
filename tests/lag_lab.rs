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
        .wait_for("WARN", |e| lag_status(e) == Some("WARN"))
        .await;
    // Burrow's rule, with its numbers: the lag at each commit in the window never went down.
    let warned = warning["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "WARN")
        .expect("a partition is WARN");
    assert_eq!(warned["reason"]["rule"], "lag_not_decreasing", "{warned}");
    let lags: Vec<u64> = warned["reason"]["lags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_u64().unwrap())
        .collect();
    assert!(
        lags.len() >= 2 && lags.windows(2).all(|w| w[1] >= w[0]),
        "{lags:?}"
    );
    assert!(!warned["window"].as_array().unwrap().is_empty());
    app.consumer_action(&run, &slow, "kill").await;
    // Burrow's STOP: the time since the last commit exceeds the window's span; the group is ERR.
    let stopped = |e: &Value| {
        lag_status(e) == Some("ERR")
            && e["partitions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["status"] == "STOP" && p["reason"]["rule"] == "stopped")
    };
    events
        .wait_until("ERR (STOP) after the kill", |evs| {
            let killed = evs.iter().position(|e| of(e, "killed", &slow));
            killed.is_some_and(|k| evs[k..].iter().any(stopped))
        })
        .await;
    let view = app.run_view(&run).await;
    assert_eq!(view["lag"]["status"], "ERR");
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
            started.is_some_and(|s| evs[s..].iter().any(|e| lag_status(e) == Some("OK")))
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

/// The course's p.117: the consumer's own `records-lag-max` dies with it, while the broker's
/// side (the outside view, Burrow's input) goes on.
async fn inside_view_stops_with_the_consumer_and_the_outside_view_goes_on() {
    let app = spawn_app().await;
    let run = app.create_run("consumer-lag").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 300).await;
    let slow = app
        .start_consumer(
            &run,
            json!({ "session_timeout_ms": 2000, "processing_delay_ms": 20, "max_poll_records": 10 }),
        )
        .await;
    // Two statistics emits: rates need a pair, and the lag of prefetched records shows.
    let evs = events
        .wait_until("two client metrics with a lag", |evs| {
            let m: Vec<&Value> = evs
                .iter()
                .filter(|e| of(e, "client_metrics", &slow))
                .collect();
            m.len() >= 2 && m.iter().any(|e| e["records_lag_max"].as_i64() > Some(0))
        })
        .await;
    let last = evs
        .iter()
        .rfind(|e| of(e, "client_metrics", &slow))
        .unwrap();
    assert!(last["fetch_rate"].as_f64().is_some(), "{last}");
    assert!(
        last["records_consumed_rate"].as_f64().unwrap() > 0.0,
        "{last}"
    );
    assert!(
        last["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["position_lag"].is_i64()),
        "{last}"
    );
    let view = app.run_view(&run).await;
    assert!(
        view["consumers"][0]["metrics"]["records_lag_max"].is_i64(),
        "{view}"
    );

    app.consumer_action(&run, &slow, "kill").await;
    let killed = seq(&events.wait_for("killed", |e| of(e, "killed", &slow)).await);
    // The broker keeps being sampled: new offsets appear after the kill (a producer moves
    // the log end), but no metrics come from the dead consumer.
    app.produce_n(&run, 10).await;
    let evs = events
        .wait_until("an offsets sample after the kill", |evs| {
            evs.iter().any(|e| is(e, "offsets") && seq(e) > killed)
        })
        .await;
    let exited = events.wait_for("exited", |e| of(e, "exited", &slow)).await;
    let evs2 = events.lab_events();
    assert!(
        !evs2
            .iter()
            .any(|e| of(e, "client_metrics", &slow) && seq(e) > seq(&exited)),
        "no metrics after the process is gone"
    );
    assert!(evs.len() <= evs2.len());
    let view = app.run_view(&run).await;
    assert!(
        view["consumers"][0]["metrics"].is_object(),
        "the last report stays, frozen: {view}"
    );
    app.shutdown().await;
}

on_each_broker!(
    slow_consumer_warns_and_dead_consumer_errors,
    inside_view_stops_with_the_consumer_and_the_outside_view_goes_on,
);

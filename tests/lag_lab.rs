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
    assert_eq!(r.status(), 403);
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

/// The admin's `--reset-offsets --to-earliest` while the group is empty: Burrow sees the
/// committed offsets go back and says REWIND (the group ERR); refused while a member runs.
async fn offsets_reset_backwards_is_rewind() {
    let app = spawn_app().await;
    // Without min-distance, the reset right after the final commit is its own ring entry
    // (with Burrow's 1 s it would replace that commit).
    let r = app
        .post(
            "/api/runs",
            json!({ "lab": "consumer-lag", "burrow": { "min_distance_ms": 0 } }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let run = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            "/api/runs",
            json!({ "lab": "consumer-lag", "burrow": { "intervals": 1 } }),
        )
        .await;
    assert_eq!(r.status(), 400);
    let events = app.events(&run).await;
    app.produce_n(&run, 30).await;
    let c1 = app
        .start_consumer(&run, json!({ "session_timeout_ms": 2000 }))
        .await;
    events
        .wait_until("30 processed and committed", |evs| {
            count(evs, "record", &c1) == 30 && evs.iter().any(|e| lag_status(e) == Some("OK"))
        })
        .await;
    let r = app
        .post(
            &format!("/api/runs/{run}/offsets"),
            json!({ "reset": "earliest" }),
        )
        .await;
    assert_eq!(r.status(), 409, "a member is running");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "group_active", "{body}");
    app.consumer_action(&run, &c1, "stop").await;
    events
        .wait_until("stopped", |evs| count(evs, "exited", &c1) == 1)
        .await;
    let r = app
        .post(
            &format!("/api/runs/{run}/offsets"),
            json!({ "reset": "latest" }),
        )
        .await;
    assert_eq!(r.status(), 400);
    let r = app
        .post(
            &format!("/api/runs/{run}/offsets"),
            json!({ "reset": "earliest" }),
        )
        .await;
    let status = r.status();
    assert_eq!(status, 202, "{}", r.text().await.unwrap());
    let rewound = events
        .wait_for("REWIND", |e| {
            lag_status(e) == Some("ERR")
                && e["partitions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["status"] == "REWIND" && p["reason"]["rule"] == "rewound")
        })
        .await;
    let p = rewound["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "REWIND")
        .unwrap();
    assert_eq!(p["reason"]["to"], 0, "{p}");
    assert!(p["reason"]["from"].as_i64().unwrap() > 0, "{p}");
    assert!(events.lab_events().iter().any(|e| is(e, "offsets_reset")));
    // The broker agrees: the group's committed offsets are back at 0.
    events
        .wait_for("committed 0 on the broker", |e| {
            is(e, "offsets")
                && e["partitions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|p| p["committed"] == 0)
        })
        .await;
    app.shutdown().await;
}

on_each_broker!(
    offsets_reset_backwards_is_rewind,
    slow_consumer_warns_and_dead_consumer_errors,
    inside_view_stops_with_the_consumer_and_the_outside_view_goes_on,
);

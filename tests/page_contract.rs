//! What the page reads from the server instead of computing it again: the field named in an
//! error body, the group an event counts in, the lag of each broker sample, and the rules
//! (option ranges, limits, timings) embedded in the lab page.

mod common;

use common::*;
use serde_json::{json, Value};

async fn errors_name_the_field_at_fault() {
    let app = spawn_app().await;
    let run = app.create_run("consumer-lag").await;
    let body = |r: reqwest::Response| async move { r.json::<Value>().await.unwrap() };
    let r = app
        .post(
            &format!("/api/runs/{run}/producer"),
            json!({ "rate_per_sec": 9999 }),
        )
        .await;
    // Over the server's limit: 403, with the field named.
    assert_eq!(r.status(), 403);
    let b = body(r).await;
    assert_eq!(b["field"], "rate_per_sec", "{b}");
    assert!(b["error"].as_str().unwrap().contains("9999"), "{b}");
    let r = app
        .post(
            &format!("/api/runs/{run}/consumers"),
            json!({ "session_timeout_ms": 5 }),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(body(r).await["field"], "session_timeout_ms");
    let r = app
        .post(
            &format!("/api/runs/{run}/consumers"),
            json!({ "threads": "two" }),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(body(r).await["field"], "threads");
    // An error about no field in particular has none.
    let r = app.get("/api/runs/nope").await;
    assert_eq!(r.status(), 404);
    assert!(body(r).await.get("field").is_none());
    app.shutdown().await;
}

async fn events_carry_the_group_only_when_it_is_not_the_runs() {
    let app = spawn_app().await;
    let run = app.create_run("thread-strategies").await;
    let group = app.run_view(&run).await["group"]
        .as_str()
        .unwrap()
        .to_string();
    let events = app.events(&run).await;
    app.produce_n(&run, 10).await;
    let c1 = app
        .start_consumer(
            &run,
            json!({ "session_timeout_ms": 2000, "threads": 2, "thread_groups": "distinct" }),
        )
        .await;
    let evs = events
        .wait_until("both threads read", |evs| {
            ["t1", "t2"].iter().all(|t| {
                evs.iter()
                    .any(|e| of(e, "record", &c1) && e["thread"] == *t)
            })
        })
        .await;
    for e in evs.iter().filter(|e| of(e, "record", &c1)) {
        let thread = e["thread"].as_str().unwrap();
        assert_eq!(e["group"], format!("{group}-{thread}"), "{e}");
    }
    // The page's commands for the trainee's own clients use a group of their own.
    let outside = app.run_view(&run).await["outside_group"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(outside.starts_with(&group) && outside != group, "{outside}");
    assert!(
        evs.iter()
            .filter(|e| is(e, "produced"))
            .all(|e| e.get("group").is_none()),
        "run events are in the run's own group"
    );
    app.shutdown().await;
}

async fn broker_samples_carry_their_lag() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let events = app.events(&run).await;
    app.produce(&run, &["1", "2", "3"]).await;
    let sample = events
        .wait_for("a sample with the records", |e| {
            is(e, "offsets")
                && e["partitions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["log_end"].as_i64() > Some(0))
        })
        .await;
    for p in sample["partitions"].as_array().unwrap() {
        let committed = p["committed"].as_i64().unwrap_or(0).max(0);
        assert_eq!(
            p["lag"].as_i64().unwrap(),
            p["log_end"].as_i64().unwrap() - committed
        );
    }
    // The run view (what a page opening the run reads first) has it too.
    let view = app.run_view(&run).await;
    for p in view["partitions"].as_array().unwrap() {
        let committed = p["committed"].as_i64().unwrap_or(0).max(0);
        assert_eq!(
            p["lag"].as_i64().unwrap(),
            p["log_end"].as_i64().unwrap() - committed
        );
    }
    app.shutdown().await;
}

async fn the_lab_page_embeds_the_servers_rules() {
    let app = spawn_app().await;
    let html = app.get("/labs/consumer-lag").await.text().await.unwrap();
    let start = html
        .find(r#"<script type="application/json" id="page-rules">"#)
        .expect("the page has its rules");
    let json = &html[html[start..].find('>').unwrap() + start + 1..];
    let json = &json[..json.find("</script>").unwrap()];
    let rules: Value = serde_json::from_str(json).unwrap();
    assert_eq!(rules["max_producer_rate"], 500);
    assert_eq!(rules["burrow"]["intervals"], 10);
    assert_eq!(rules["burrow"]["min_distance_ms"], 1000);
    assert!(rules["sample_interval_ms"].as_u64().unwrap() > 0);
    assert_eq!(
        rules["options"]["session_timeout_ms"],
        json!({ "min": 1000, "max": 300000 })
    );
    app.shutdown().await;
}

on_each_broker!(
    errors_name_the_field_at_fault,
    events_carry_the_group_only_when_it_is_not_the_runs,
    broker_samples_carry_their_lag,
    the_lab_page_embeds_the_servers_rules,
);

//! Burrow's HTTP API v3 and `/metrics`, read as a Burrow client and Prometheus would, against
//! a run whose consumer commits on a real broker.

#[macro_use]
mod common;

use common::*;
use serde_json::{json, Value};

/// A run of the per-batch sync-commit lab whose consumer committed once.
async fn committed_run(app: &TestApp) -> (String, String, String) {
    let run = app.create_run("sync-commit-batch").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 20).await;
    let c1 = app.start_consumer(&run, json!({})).await;
    events
        .wait_for("a commit", |e| {
            of(e, "commit_completed", &c1) && e["error"].is_null()
        })
        .await;
    let view = app.run_view(&run).await;
    let group = view["group"].as_str().unwrap().to_string();
    let topic = view["topic"].as_str().unwrap().to_string();
    (run, group, topic)
}

fn envelope(v: &Value, message: &str, url: &str) {
    assert_eq!(v["error"], false, "{v}");
    assert_eq!(v["message"], message, "{v}");
    assert_eq!(v["request"]["url"], url, "{v}");
    assert!(v["request"]["host"].is_string(), "{v}");
}

async fn burrow_v3_answers_in_burrows_shapes() {
    let app = spawn_app().await;
    let (_run, group, topic) = committed_run(&app).await;

    let v = app.get_json("/v3/kafka").await;
    envelope(&v, "cluster list returned", "/v3/kafka");
    let cluster = v["clusters"][0].as_str().unwrap().to_string();
    assert_eq!(v["clusters"].as_array().unwrap().len(), 1);
    let base = format!("/v3/kafka/{cluster}");

    let v = app.get_json(&format!("{base}/consumer")).await;
    envelope(&v, "consumer list returned", &format!("{base}/consumer"));
    assert_eq!(v["consumers"], json!([group]));

    for (path, all) in [("status", false), ("lag", true)] {
        let url = format!("{base}/consumer/{group}/{path}");
        let r = app.get(&url).await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        envelope(&v, "consumer status returned", &url);
        let s = &v["status"];
        assert_eq!(
            (s["cluster"].as_str(), s["group"].as_str()),
            (Some(cluster.as_str()), Some(group.as_str()))
        );
        assert!(
            ["OK", "WARN", "ERR"].contains(&s["status"].as_str().unwrap()),
            "{s}"
        );
        assert_eq!(s["partition_count"], 1, "one partition committed: {s}");
        assert!(s["complete"].as_f64().unwrap() >= 0.0);
        assert!(s["totallag"].is_u64());
        let maxlag = &s["maxlag"];
        for key in [
            "topic",
            "partition",
            "owner",
            "client_id",
            "status",
            "start",
            "end",
            "current_lag",
            "complete",
        ] {
            assert!(maxlag.get(key).is_some(), "maxlag.{key}: {maxlag}");
        }
        assert_eq!(maxlag["topic"], topic);
        assert!(maxlag["end"]["offset"].as_i64().unwrap() > 0);
        for key in ["timestamp", "observedAt", "lag"] {
            assert!(maxlag["end"].get(key).is_some(), "end.{key}: {maxlag}");
        }
        let listed = s["partitions"].as_array().unwrap().len();
        if all {
            assert_eq!(listed, 1, "/lag lists every partition: {s}");
        } else {
            let worse = (s["status"] != "OK") as usize;
            assert!(
                listed <= 1 && (listed > 0) == (worse > 0),
                "/status lists only what is worse than OK: {s}"
            );
        }
    }

    // An unknown group: 404 with error false and NOTFOUND, as Burrow.
    let url = format!("{base}/consumer/no-such-group/status");
    let r = app.get(&url).await;
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    envelope(&v, "consumer status returned", &url);
    assert_eq!(v["status"]["status"], "NOTFOUND");
    assert_eq!(v["status"]["partitions"], json!([]));

    let v = app.get_json(&format!("{base}/topic")).await;
    assert!(
        v["topics"].as_array().unwrap().contains(&json!(topic)),
        "{v}"
    );
    let v = app.get_json(&format!("{base}/topic/{topic}")).await;
    envelope(
        &v,
        "topic offsets returned",
        &format!("{base}/topic/{topic}"),
    );
    assert_eq!(v["offsets"].as_array().unwrap().len(), 1);

    let v = app.get_json(&format!("{base}/consumer/{group}")).await;
    let ring = v["topics"][&topic][0]["offsets"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(ring.len(), 10, "the ring has `intervals` slots: {v}");
    assert!(ring.last().unwrap()["offset"].as_i64().unwrap() > 0);
    assert!(v["topics"][&topic][0].get("current-lag").is_some());

    // Errors in Burrow's shape.
    let r = app.get("/v3/kafka/no-such-cluster/consumer").await;
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["error"].as_bool(), v["message"].as_str()),
        (Some(true), Some("cluster not found"))
    );
    let r = app.get(&format!("{base}/nothing/here/at/all")).await;
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"error": true, "message": "invalid request type", "result": {}})
    );
    app.shutdown().await;
}

async fn metrics_parse_as_prometheus_text() {
    let app = spawn_app().await;
    let (_run, group, topic) = committed_run(&app).await;
    let r = app.get("/metrics").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let text = r.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text parses");
    let find = |name: &str, labels: &[(&str, &str)]| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
    };
    let gp = [
        ("consumergroup", group.as_str()),
        ("topic", topic.as_str()),
        ("partition", "0"),
    ];
    let committed = find("kafka_consumergroup_current_offset", &gp).expect(&text);
    let lag = find("kafka_consumergroup_lag", &gp).expect(&text);
    let end = find(
        "kafka_topic_partition_current_offset",
        &[("topic", topic.as_str()), ("partition", "0")],
    )
    .expect(&text);
    assert!(committed >= -1.0 && lag >= -1.0 && end >= 0.0, "{text}");
    let cluster = app.get_json("/v3/kafka").await["clusters"][0]
        .as_str()
        .unwrap()
        .to_string();
    let bg = [
        ("cluster", cluster.as_str()),
        ("consumer_group", group.as_str()),
    ];
    let status = find("burrow_kafka_consumer_status", &bg).expect(&text);
    assert!((1.0..=3.0).contains(&status), "{text}");
    assert!(find("burrow_kafka_consumer_lag_total", &bg).is_some());
    assert_eq!(find("labs_runs", &[]), Some(1.0));
    assert!(find("labs_worker_processes", &[]).unwrap() >= 1.0);
    assert!(find("labs_events_total", &[]).unwrap() > 0.0, "{text}");
    assert!(
        find("labs_http_responses_total", &[("status", "200")]).unwrap() > 0.0,
        "{text}"
    );
    app.shutdown().await;
}

on_each_broker!(
    burrow_v3_answers_in_burrows_shapes,
    metrics_parse_as_prometheus_text,
);

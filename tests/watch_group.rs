//! Watching a group the app did not start: a plain rdkafka `BaseConsumer` stands in for the
//! trainee's Java project, consuming a topic in its own group and committing; `POST /api/watch`
//! then gives the outside view, Burrow's evaluation (OK, then STOP / ERR once the stand-in
//! stops while records keep coming), Burrow's API v3 and `/metrics` for that group. Bad names
//! are 400s with a code, an unknown topic is a 404, and the number of watches is bounded.

#[macro_use]
mod common;

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{ClientConfig, Message};
use serde_json::{json, Value};

/// The trainee's consumer: its own group, manual commits after every poll that returned
/// records (as the course's `commitSync()` per batch), until told to stop.
struct StandIn {
    stop: Arc<AtomicBool>,
    /// The next offset it committed last (−1 before its first commit).
    committed: Arc<AtomicI64>,
    task: tokio::task::JoinHandle<()>,
}

impl StandIn {
    fn start(bootstrap: &str, topic: &str, group: &str) -> StandIn {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", "6000")
            .create()
            .expect("stand-in consumer");
        consumer.subscribe(&[topic]).expect("subscribe");
        let stop = Arc::new(AtomicBool::new(false));
        let committed = Arc::new(AtomicI64::new(-1));
        let (stop2, committed2) = (stop.clone(), committed.clone());
        // Polling and closing block: a blocking thread owns the consumer, and drops it there.
        let task = tokio::task::spawn_blocking(move || {
            let mut next = -1;
            while !stop2.load(Ordering::SeqCst) {
                let mut got = false;
                if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
                    next = m.offset() + 1;
                    got = true;
                    while let Some(Ok(m)) = consumer.poll(Duration::ZERO) {
                        next = m.offset() + 1;
                    }
                }
                if got && consumer.commit_consumer_state(CommitMode::Sync).is_ok() {
                    committed2.store(next, Ordering::SeqCst);
                }
            }
            consumer.unsubscribe();
            drop(consumer);
        });
        StandIn {
            stop,
            committed,
            task,
        }
    }

    /// Stops polling and committing, leaves the group, closes.
    async fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        self.task.await.expect("stand-in thread");
    }
}

/// A topic with one partition and `n` records in it (a run's topic; the run's own consumers
/// are never started).
async fn topic_with_records(app: &TestApp, n: usize) -> (String, String) {
    let run = app.create_run("sync-commit-batch").await;
    app.produce_n(&run, n).await;
    let topic = app.run_view(&run).await["topic"]
        .as_str()
        .unwrap()
        .to_string();
    (run, topic)
}

async fn post_watch(app: &TestApp, body: Value) -> (u16, Value) {
    let r = app.post("/api/watch", body).await;
    let status = r.status().as_u16();
    (status, r.json().await.expect("json"))
}

fn metric(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text parses");
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
}

/// The last `lag` event's status and its partition 0's status.
fn last_lag(events: &[Value]) -> Option<(String, String)> {
    events.iter().rev().find(|e| is(e, "lag")).map(|e| {
        (
            e["status"].as_str().unwrap_or_default().to_string(),
            e["partitions"][0]["status"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    })
}

async fn an_outside_group_is_rated_ok_then_err_stop() {
    let app = spawn_app().await;
    let (run, topic) = topic_with_records(&app, 20).await;
    let group = format!("java-standin-{run}");
    let stand_in = StandIn::start(&app.bootstrap, &topic, &group);

    let (status, created) = post_watch(
        &app,
        json!({"group": group, "topic": topic, "burrow": {"intervals": 3, "min_distance_ms": 0}}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["group"], group);
    assert_eq!(created["created"], true);
    // The same group and topic again: the same watch.
    let (status, again) = post_watch(&app, json!({"group": group, "topic": topic})).await;
    assert_eq!((status, again["id"].as_str()), (200, Some(id.as_str())));
    let listed = app.get_json("/api/watch").await;
    assert!(
        listed["watches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["id"] == id.as_str()),
        "{listed}"
    );

    let events = EventStream::open(
        &app.client,
        &app.url(&format!("/api/watch/{id}/events")),
        None,
    )
    .await;
    events
        .wait_until("the stand-in's commit of all 20 records, rated OK", |evs| {
            evs.iter()
                .any(|e| is(e, "offsets") && e["partitions"][0]["committed"] == 20)
                && last_lag(evs).is_some_and(|(g, _)| g == "OK")
        })
        .await;
    assert_eq!(stand_in.committed.load(Ordering::SeqCst), 20);

    let view = app.get_json(&format!("/api/watch/{id}")).await;
    assert_eq!(view["group"], group, "{view}");
    assert_eq!(view["burrow"]["intervals"], 3, "{view}");
    let p0 = &view["partitions"][0];
    assert_eq!(
        (
            p0["log_end"].as_i64(),
            p0["committed"].as_i64(),
            p0["lag"].as_i64()
        ),
        (Some(20), Some(20), Some(0)),
        "{view}"
    );
    assert_eq!(view["lag"]["status"], "OK", "{view}");
    let window = view["lag"]["partitions"][0]["window"].as_array().unwrap();
    assert_eq!(window.last().unwrap()["offset"], 20, "{view}");
    assert!(view["lag"]["partitions"][0]["reason"]["rule"].is_string());

    // Burrow's API knows the group, in Burrow's shapes.
    let cluster = app.get_json("/v3/kafka").await["clusters"][0]
        .as_str()
        .unwrap()
        .to_string();
    let base = format!("/v3/kafka/{cluster}");
    let consumers = app.get_json(&format!("{base}/consumer")).await;
    assert!(
        consumers["consumers"]
            .as_array()
            .unwrap()
            .contains(&json!(group)),
        "{consumers}"
    );
    for path in ["status", "lag"] {
        let v = app
            .get_json(&format!("{base}/consumer/{group}/{path}"))
            .await;
        assert_eq!(v["error"], false, "{v}");
        assert_eq!(v["message"], "consumer status returned", "{v}");
        let s = &v["status"];
        assert_eq!(
            (
                s["cluster"].as_str(),
                s["group"].as_str(),
                s["status"].as_str()
            ),
            (Some(cluster.as_str()), Some(group.as_str()), Some("OK")),
            "{v}"
        );
        assert_eq!(s["partition_count"], 1, "{v}");
        assert_eq!(s["maxlag"]["topic"], topic.as_str(), "{v}");
        assert_eq!(s["maxlag"]["end"]["offset"], 20, "{v}");
    }
    let detail = app.get_json(&format!("{base}/consumer/{group}")).await;
    let ring = detail["topics"][&topic][0]["offsets"].as_array().unwrap();
    assert_eq!(ring.len(), 3, "the ring has the watch's 3 slots: {detail}");
    let topics = app
        .get_json(&format!("{base}/topic/{topic}/consumers"))
        .await;
    assert!(
        topics["consumers"]
            .as_array()
            .unwrap()
            .contains(&json!(group)),
        "{topics}"
    );

    // /metrics: kafka_exporter's and Burrow's families for the watched group.
    let text = app.get("/metrics").await.text().await.unwrap();
    let gp = [
        ("consumergroup", group.as_str()),
        ("topic", topic.as_str()),
        ("partition", "0"),
    ];
    assert_eq!(
        metric(&text, "kafka_consumergroup_lag", &gp),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        metric(&text, "kafka_consumergroup_current_offset", &gp),
        Some(20.0),
        "{text}"
    );
    let bg = [
        ("cluster", cluster.as_str()),
        ("consumer_group", group.as_str()),
    ];
    assert_eq!(
        metric(&text, "burrow_kafka_consumer_status", &bg),
        Some(1.0),
        "{text}"
    );

    // The stand-in stops while records keep coming: its committed offset freezes, and after
    // a window's span Burrow says STOP for the partition, ERR for the group.
    stand_in.stop().await;
    app.produce_n(&run, 10).await;
    let evs = events
        .wait_until("ERR with partition 0 in STOP", |evs| {
            last_lag(evs).is_some_and(|(g, p)| g == "ERR" && p == "STOP")
        })
        .await;
    let stop = evs.iter().rev().find(|e| is(e, "lag")).unwrap();
    assert_eq!(stop["partitions"][0]["reason"]["rule"], "stopped", "{stop}");
    assert_eq!(stop["partitions"][0]["current_lag"], 10, "{stop}");
    let v = app
        .get_json(&format!("{base}/consumer/{group}/status"))
        .await;
    assert_eq!(v["status"]["status"], "ERR", "{v}");
    assert_eq!(v["status"]["partitions"][0]["status"], "STOP", "{v}");
    let text = app.get("/metrics").await.text().await.unwrap();
    assert_eq!(
        metric(&text, "kafka_consumergroup_lag", &gp),
        Some(10.0),
        "{text}"
    );
    assert_eq!(
        metric(&text, "burrow_kafka_consumer_status", &bg),
        Some(3.0),
        "{text}"
    );

    // Stopped: the stream ends, the watch is gone, and so is the group from Burrow's list.
    let r = app
        .client
        .delete(app.url(&format!("/api/watch/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    events.wait_end().await;
    let r = app.get(&format!("/api/watch/{id}")).await;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "no_watch", "{body}");
    let consumers = app.get_json(&format!("{base}/consumer")).await;
    assert!(
        !consumers["consumers"]
            .as_array()
            .unwrap()
            .contains(&json!(group)),
        "{consumers}"
    );
    app.shutdown().await;
}

async fn bad_names_and_unknown_topics_are_refused_with_codes() {
    let app = spawn_app().await;
    let (_run, topic) = topic_with_records(&app, 1).await;
    let cases = [
        (
            json!({"group": "my group", "topic": topic}),
            "group",
            "bad_name",
        ),
        (json!({"group": "g", "topic": "a/b"}), "topic", "bad_name"),
        (
            json!({"group": "그룹", "topic": topic}),
            "group",
            "bad_name",
        ),
        (
            json!({"group": "g", "topic": "t".repeat(250)}),
            "topic",
            "bad_name",
        ),
        (
            json!({"group": "", "topic": topic}),
            "group",
            "field_required",
        ),
        (json!({"group": "g"}), "topic", "field_required"),
        (
            json!({"group": "g", "topic": topic, "burrow": {"intervals": 99}}),
            "burrow.intervals",
            "range",
        ),
        (
            json!({"group": "g", "topic": topic, "partitions": 3}),
            "",
            "invalid_field",
        ),
    ];
    for (body, field, code) in cases {
        let (status, answer) = post_watch(&app, body.clone()).await;
        assert_eq!(status, 400, "{body} → {answer}");
        assert_eq!(answer["code"], code, "{body} → {answer}");
        if !field.is_empty() {
            assert_eq!(answer["field"], field, "{body} → {answer}");
        }
        assert!(answer["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let (status, answer) = post_watch(
        &app,
        json!({"group": "g", "topic": "no-such-topic-for-watching"}),
    )
    .await;
    assert_eq!(status, 404, "{answer}");
    assert_eq!(answer["code"], "no_topic", "{answer}");
    assert_eq!(answer["params"]["topic"], "no-such-topic-for-watching");
    let r = app.get("/api/watch/w-nope").await;
    assert_eq!(r.status(), 404);
    let r = app.get("/api/watch/w-nope/events").await;
    assert_eq!(r.status(), 404);
    assert_eq!(app.get_json("/api/watch").await["count"], 0);
    app.shutdown().await;
}

on_each_broker!(
    an_outside_group_is_rated_ok_then_err_stop,
    bad_names_and_unknown_topics_are_refused_with_codes,
);

/// At most 50 watches: the 51st is a 429 with a code and the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_number_of_watches_is_bounded() {
    let app = spawn_app().await;
    let (_run, topic) = topic_with_records(&app, 1).await;
    let mut ids = vec![];
    for i in 0..50 {
        let (status, answer) =
            post_watch(&app, json!({"group": format!("g{i}"), "topic": topic})).await;
        assert_eq!(status, 201, "{answer}");
        ids.push(answer["id"].as_str().unwrap().to_string());
    }
    let (status, answer) = post_watch(&app, json!({"group": "g50", "topic": topic})).await;
    assert_eq!(status, 429, "{answer}");
    assert_eq!(answer["code"], "max_watches", "{answer}");
    assert_eq!(answer["params"]["max"], 50, "{answer}");
    // An existing one is still answered, and a stopped one makes room.
    let (status, _) = post_watch(&app, json!({"group": "g0", "topic": topic})).await;
    assert_eq!(status, 200);
    let r = app
        .client
        .delete(app.url(&format!("/api/watch/{}", ids[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (status, answer) = post_watch(&app, json!({"group": "g50", "topic": topic})).await;
    assert_eq!(status, 201, "{answer}");
    app.shutdown().await;
}

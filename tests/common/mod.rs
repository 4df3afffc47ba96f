//! Test harness: `spawn_app()` starts the whole server on port 0 with its own embedded broker
//! (or the broker in `LABS_TEST_BOOTSTRAP_SERVERS`), and `TestApp` drives it over HTTP + SSE.
#![allow(dead_code)]

pub mod group;
pub mod nisshi;

use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use futures::StreamExt;
use kafka_consumer_labs::config::Settings;
use kafka_consumer_labs::server::Server;
use serde_json::{json, Value};
use tokio::sync::Notify;

/// How long any wait in a test may take before it fails with what it saw.
pub const DEADLINE: Duration = Duration::from_secs(40);

static TRACING: Once = Once::new();

fn init_tracing() {
    TRACING.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_test_writer()
                .init();
        }
    });
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub server: Option<Server>,
    pub bootstrap: String,
}

tokio::task_local! {
    /// The external broker the current test runs against (`None`: the embedded one).
    pub static BROKER: Option<String>;
}

pub fn test_settings() -> Settings {
    let mut settings = Settings::for_tests();
    settings.worker_exe = Some(env!("CARGO_BIN_EXE_kafka-consumer-labs").into());
    settings.bootstrap_servers = BROKER
        .try_with(Clone::clone)
        .ok()
        .flatten()
        .or_else(|| std::env::var("LABS_TEST_BOOTSTRAP_SERVERS").ok());
    settings
}

/// Runs each listed scenario (a plain `async fn()`) twice: against the embedded broker
/// (`embedded::name`) and against a standalone nisshi broker process (`nisshi::name`) that
/// the app reaches through `KAFKA_BOOTSTRAP_SERVERS`, as it would a compose-provided Kafka.
#[macro_export]
macro_rules! on_each_broker {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name().await
                }
            )*
        }
        mod nisshi {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(broker) = $crate::common::nisshi::NisshiBroker::start().await else {
                        return;
                    };
                    $crate::common::BROKER
                        .scope(Some(broker.bootstrap.clone()), super::$name())
                        .await;
                    drop(broker);
                }
            )*
        }
    };
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(test_settings()).await
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    init_tracing();
    let server = Server::start(settings).await.expect("server starts");
    let base = format!("http://{}", server.addr);
    let bootstrap = server.state.broker.bootstrap_servers().to_string();
    TestApp {
        base,
        client: reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("http client"),
        server: Some(server),
        bootstrap,
    }
}

/// Worker processes of `run` that exist right now (by their `--run-id` argument).
pub fn worker_pids(run: &str) -> Vec<u32> {
    let needle = format!("worker\0--run-id\0{run}\0");
    let mut pids = vec![];
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            if String::from_utf8_lossy(&cmdline).contains(&needle) {
                pids.push(pid);
            }
        }
    }
    pids
}

pub fn process_exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.expect("json")
    }

    pub async fn create_run(&self, lab: &str) -> String {
        self.create_run_with(lab, json!({})).await
    }

    pub async fn create_run_with(&self, lab: &str, params: Value) -> String {
        let r = self
            .post("/api/runs", json!({ "lab": lab, "params": params }))
            .await;
        let status = r.status();
        let body: Value = r.json().await.expect("json");
        assert_eq!(status, 201, "create run: {body}");
        body["id"].as_str().expect("id").to_string()
    }

    /// Produces values; returns (partition, offset) of each.
    pub async fn produce(&self, run: &str, values: &[&str]) -> Vec<(i64, i64)> {
        self.produce_body(run, json!({ "values": values })).await
    }

    /// Produces `n` records with keys and values "0".."n-1": the same keys land on the same
    /// partitions every run (keyless records go wherever the sticky partitioner's batches fall,
    /// one partition sometimes getting only a few).
    pub async fn produce_keyed_n(&self, run: &str, n: usize) -> Vec<(i64, i64)> {
        let values: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        self.produce_body(run, json!({ "values": values, "keys": values }))
            .await
    }

    /// POST …/produce with `body`; (partition, offset) of each record.
    async fn produce_body(&self, run: &str, body: Value) -> Vec<(i64, i64)> {
        let r = self.post(&format!("/api/runs/{run}/produce"), body).await;
        let status = r.status();
        let body: Value = r.json().await.expect("json");
        assert_eq!(status, 200, "produce: {body}");
        body["records"]
            .as_array()
            .expect("records")
            .iter()
            .map(|d| {
                (
                    d["partition"].as_i64().unwrap(),
                    d["offset"].as_i64().unwrap(),
                )
            })
            .collect()
    }

    /// Produces `n` records with values "0".."n-1" to a run (in chunks).
    pub async fn produce_n(&self, run: &str, n: usize) -> Vec<(i64, i64)> {
        let values: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        let mut out = vec![];
        for chunk in values.chunks(1000) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            out.extend(self.produce(run, &refs).await);
        }
        out
    }

    pub async fn start_consumer(&self, run: &str, options: Value) -> String {
        let r = self
            .post(&format!("/api/runs/{run}/consumers"), options)
            .await;
        let status = r.status();
        let body: Value = r.json().await.expect("json");
        assert_eq!(status, 201, "start consumer: {body}");
        body["id"].as_str().expect("id").to_string()
    }

    /// Starts a consumer and waits until it has processed `last_offset` (of a one-partition
    /// topic); returns its id and the events so far.
    pub async fn start_and_read_through(
        &self,
        run: &str,
        events: &EventStream,
        options: Value,
        last_offset: i64,
    ) -> (String, Vec<Value>) {
        let cid = self.start_consumer(run, options).await;
        let evs = events
            .wait_until(
                &format!("{cid} reads through offset {last_offset}"),
                |evs| records_of(evs, &cid).iter().any(|(_, o)| *o == last_offset),
            )
            .await;
        (cid, evs)
    }

    pub async fn consumer_action(&self, run: &str, cid: &str, action: &str) {
        let r = self
            .post(
                &format!("/api/runs/{run}/consumers/{cid}/{action}"),
                json!({}),
            )
            .await;
        assert_eq!(
            r.status(),
            202,
            "{action} {cid}: {}",
            r.text().await.unwrap_or_default()
        );
    }

    pub async fn ledger(&self, run: &str) -> Value {
        self.get_json(&format!("/api/runs/{run}/ledger")).await
    }

    pub async fn run_view(&self, run: &str) -> Value {
        self.get_json(&format!("/api/runs/{run}")).await
    }

    /// Opens the run's SSE stream (from the start) and collects every event in the background.
    pub async fn events(&self, run: &str) -> EventStream {
        EventStream::open(
            &self.client,
            &self.url(&format!("/api/runs/{run}/events")),
            None,
        )
        .await
    }

    /// Another trainee on the same server: its own client, so its own session cookie.
    pub fn another_trainee(&self) -> TestApp {
        TestApp {
            base: self.base.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("http client"),
            server: None,
            bootstrap: self.bootstrap.clone(),
        }
    }

    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

/// One SSE event as received: its `event` name, `id` and parsed data.
#[derive(Debug, Clone)]
pub struct Received {
    pub name: String,
    pub id: Option<u64>,
    pub data: Value,
}

/// Every event of one SSE connection, collected as it arrives.
pub struct EventStream {
    received: Arc<Mutex<Vec<Received>>>,
    notify: Arc<Notify>,
    ended: Arc<std::sync::atomic::AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl EventStream {
    pub async fn open(
        client: &reqwest::Client,
        url: &str,
        last_event_id: Option<u64>,
    ) -> EventStream {
        let mut req = client.get(url);
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let response = req.send().await.expect("sse request");
        assert_eq!(response.status(), 200, "sse status");
        let received = Arc::new(Mutex::new(Vec::new()));
        let notify = Arc::new(Notify::new());
        let ended = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (r, n, e) = (received.clone(), notify.clone(), ended.clone());
        let task = tokio::spawn(async move {
            use eventsource_stream::Eventsource;
            let mut stream = response.bytes_stream().eventsource();
            while let Some(Ok(event)) = stream.next().await {
                let data =
                    serde_json::from_str(&event.data).unwrap_or(Value::String(event.data.clone()));
                r.lock().unwrap().push(Received {
                    name: event.event.clone(),
                    id: event.id.parse().ok(),
                    data,
                });
                n.notify_waiters();
            }
            e.store(true, std::sync::atomic::Ordering::SeqCst);
            n.notify_waiters();
        });
        EventStream {
            received,
            notify,
            ended,
            task,
        }
    }

    /// All events so far.
    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Data of the lab events (default SSE event name) so far.
    pub fn lab_events(&self) -> Vec<Value> {
        self.all()
            .into_iter()
            .filter(|r| r.name == "message")
            .map(|r| r.data)
            .collect()
    }

    pub fn has_ended(&self) -> bool {
        self.ended.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits until `pred` holds over the lab events received so far; fails after the deadline
    /// showing the last events.
    pub async fn wait_until(&self, what: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let notified = self.notify.notified();
            let events = self.lab_events();
            if pred(&events) {
                return events;
            }
            if self.has_ended() {
                panic!(
                    "stream ended while waiting for {what}; last events:\n{}",
                    tail(&events)
                );
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "timed out waiting for {what}; last events:\n{}",
                    tail(&self.lab_events())
                );
            }
        }
    }

    /// Waits for the first event matching `pred` and returns it.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let events = self.wait_until(what, |evs| evs.iter().any(&pred)).await;
        events.into_iter().find(|e| pred(e)).unwrap()
    }

    /// Waits for the first event of any name matching `pred` (e.g. the instructor's `update`s).
    pub async fn wait_received(&self, what: &str, pred: impl Fn(&Received) -> bool) -> Received {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let notified = self.notify.notified();
            if let Some(r) = self.all().into_iter().find(|r| pred(r)) {
                return r;
            }
            assert!(!self.has_ended(), "stream ended while waiting for {what}");
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let names: Vec<String> = self.all().iter().map(|r| r.name.clone()).collect();
                panic!("timed out waiting for {what}; received {names:?}");
            }
        }
    }

    /// Waits until the stream ends (an `end` event, then EOF).
    pub async fn wait_end(&self) {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        while !self.has_ended() {
            let notified = self.notify.notified();
            if self.has_ended() {
                break;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("stream did not end");
            }
        }
    }
}

/// The last events worth reading (polls and records are too many to show).
pub fn tail(events: &[Value]) -> String {
    let interesting: Vec<&Value> = events
        .iter()
        .filter(|e| {
            // (Samples every second or so: they would push out the events that tell the story.)
            ![
                "poll",
                "record",
                "record_range",
                "produced",
                "client_metrics",
                "offsets",
            ]
            .iter()
            .any(|ty| is(e, ty))
        })
        .collect();
    let start = interesting.len().saturating_sub(30);
    let records = events.iter().filter(|e| is(e, "record")).count();
    let mut out: Vec<String> = interesting[start..].iter().map(|e| e.to_string()).collect();
    out.push(format!("({records} record events in all)"));
    out.join("\n")
}

/// Ids of the run's checkpoints that are reached, in the lab file's order.
pub fn reached_checkpoints(view: &Value) -> Vec<String> {
    view["checkpoints"]
        .as_array()
        .expect("checkpoints")
        .iter()
        .filter(|c| c["reached"] == true)
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// Event-matching helpers.
pub fn is(e: &Value, ty: &str) -> bool {
    e["type"] == ty
}

pub fn of(e: &Value, ty: &str, consumer: &str) -> bool {
    e["type"] == ty && e["consumer"] == consumer
}

pub fn count(events: &[Value], ty: &str, consumer: &str) -> usize {
    events.iter().filter(|e| of(e, ty, consumer)).count()
}

pub fn seq(e: &Value) -> u64 {
    e["seq"].as_u64().expect("seq")
}

/// (partition, offset) of every record a consumer processed, in order: each `record`, and
/// each offset of a `record_range` (a fast consumer's coalesced records).
pub fn records_of(events: &[Value], consumer: &str) -> Vec<(i64, i64)> {
    let mut out = vec![];
    for e in events {
        let partition = || e["partition"].as_i64().unwrap();
        if of(e, "record", consumer) {
            out.push((partition(), e["offset"].as_i64().unwrap()));
        } else if of(e, "record_range", consumer) {
            let (first, last) = range_of(e);
            out.extend((first..=last).map(|o| (partition(), o)));
        }
    }
    out
}

/// First and last offset of a `record_range` event.
pub fn range_of(e: &Value) -> (i64, i64) {
    (
        e["first_offset"].as_i64().unwrap(),
        e["last_offset"].as_i64().unwrap(),
    )
}

/// How many records a consumer processed so far: its `record`s and its ranges' offsets.
pub fn processed_by(events: &[Value], consumer: &str) -> u64 {
    events
        .iter()
        .map(|e| {
            if of(e, "record", consumer) {
                1
            } else if of(e, "record_range", consumer) {
                let (first, last) = range_of(e);
                (last - first + 1).max(0) as u64
            } else {
                0
            }
        })
        .sum()
}

/// Waits for `cid`'s first pause and returns its `paused` event, resting inside a poll batch:
/// a busy machine can hand a poll its records in pieces (librdkafka moves fetched records to
/// the application while it parses the response), so if the pause fell exactly at the end of
/// a batch, it steps one record at a time until the consumer pauses with records held.
pub async fn paused_inside_a_batch(
    app: &TestApp,
    run: &str,
    events: &EventStream,
    cid: &str,
) -> Value {
    let last_paused = |evs: &[Value]| {
        evs.iter()
            .rfind(|e| of(e, "paused", cid))
            .cloned()
            .expect("paused")
    };
    let evs = events
        .wait_until("paused", |evs| count(evs, "paused", cid) == 1)
        .await;
    let mut paused = last_paused(&evs);
    let mut steps = 0;
    while paused["held"] == 0 {
        steps += 1;
        assert!(steps <= 20, "never paused inside a poll batch");
        app.post(
            &format!("/api/runs/{run}/consumers/{cid}/step"),
            json!({ "records": 1 }),
        )
        .await;
        let evs = events
            .wait_until("paused again", |evs| count(evs, "paused", cid) == steps + 1)
            .await;
        paused = last_paused(&evs);
    }
    paused
}

//! What the benches share: a server on the embedded broker, an HTTP client that keeps the
//! session cookie, JSON requests, percentiles and the machine's load.

#![allow(dead_code)]

use std::time::Duration;

use kafka_consumer_labs::config::Settings;
use kafka_consumer_labs::server::Server;
use serde_json::Value;

/// The benches' runtime: two worker threads, as on the 2-core classroom server.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

pub fn settings() -> Settings {
    let mut s = Settings::for_tests();
    s.worker_exe = Some(env!("CARGO_BIN_EXE_kafka-consumer-labs").into());
    s.log_capacity = 5_000;
    s
}

pub async fn start() -> (Server, String, reqwest::Client) {
    start_with(settings()).await
}

pub async fn start_with(settings: Settings) -> (Server, String, reqwest::Client) {
    let server = Server::start(settings).await.expect("server");
    let base = format!("http://{}", server.addr);
    (server, base, client())
}

/// Keeps cookies: creating a run needs the session cookie the server hands out.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

pub async fn post(client: &reqwest::Client, url: String, body: Value) -> Value {
    let r = client.post(url).json(&body).send().await.expect("request");
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

/// Creates a run of `lab`; returns its id and topic.
pub async fn create_run(client: &reqwest::Client, base: &str, lab: &str) -> (String, String) {
    let run = post(
        client,
        format!("{base}/api/runs"),
        serde_json::json!({ "lab": lab }),
    )
    .await;
    (
        run["id"].as_str().expect("id").to_string(),
        run["topic"].as_str().expect("topic").to_string(),
    )
}

/// Waits (polling the run's view, 10 ms apart, at most `limit`) until `ready` holds.
pub async fn wait_view(
    server: &Server,
    id: &str,
    limit: Duration,
    ready: impl Fn(&kafka_consumer_labs::run::RunView) -> bool,
) {
    let run = server.state.runs.get(id).expect("run");
    let deadline = tokio::time::Instant::now() + limit;
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    loop {
        tick.tick().await;
        if ready(&run.view()) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting");
    }
}

/// The `q`-quantile of sorted `xs` (nearest rank).
pub fn quantile(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
    xs[rank - 1]
}

pub fn sorted(mut xs: Vec<f64>) -> Vec<f64> {
    xs.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    xs
}

/// The load average and the cores, for the report.
pub fn machine() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "{cores} cores, load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

/// Unix time in milliseconds (the events' `ts` clock).
pub fn now_ms() -> f64 {
    kafka_consumer_labs::domain::event::now_ms()
}

/// A small deterministic generator for jitter (no dependency for one number).
pub struct Jitter(u64);

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Jitter(seed | 1)
    }
    /// Uniform in `0..max_ms` milliseconds.
    pub fn next(&mut self, max_ms: u64) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_micros(self.0 % (max_ms * 1000).max(1))
    }
}

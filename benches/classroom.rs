//! `cargo bench`: side-by-side measurements printed as ratios.
//!
//! 1. Consumer throughput: bare librdkafka (a `BaseConsumer` loop in this process) against a
//!    lab consumer (worker process, every record an event, read by the server, logged and
//!    counted in the ledger), both reading the same records from the same embedded broker.
//! 2. Classroom scale: event latency (produce → record event seen on an SSE stream) with one
//!    run and one stream, then with 100 runs (each with a live consumer) and 1,000 streams.

use std::time::{Duration, Instant};

use futures::StreamExt;
use kafka_consumer_labs::config::Settings;
use kafka_consumer_labs::run::log::EventSource;
use kafka_consumer_labs::server::Server;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use serde_json::{json, Value};

const RECORDS: usize = 200_000;
const RUNS: usize = 100;
const STREAMS: usize = 1_000;

fn settings() -> Settings {
    let mut s = Settings::for_tests();
    s.worker_exe = Some(env!("CARGO_BIN_EXE_kafka-consumer-labs").into());
    s.log_capacity = 5_000;
    s
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> Value {
    let r = client.post(url).json(&body).send().await.expect("request");
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

async fn produce(server: &Server, topic: &str, n: usize) {
    let records: Vec<(Option<String>, String)> =
        (0..n).map(|i| (None, format!("value-{i}"))).collect();
    for chunk in records.chunks(20_000) {
        server
            .state
            .broker
            .produce(topic, chunk)
            .await
            .expect("produce");
    }
}

fn bare_consume(bootstrap: &str, topic: &str, n: usize) -> Duration {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("bare-{topic}"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    consumer.subscribe(&[topic]).expect("subscribe");
    let started = Instant::now();
    let mut seen = 0;
    while seen < n {
        if let Some(Ok(_)) = consumer.poll(Duration::from_millis(100)) {
            seen += 1;
        }
    }
    started.elapsed()
}

async fn throughput() {
    let server = Server::start(settings()).await.expect("server");
    let base = format!("http://{}", server.addr);
    // One session (a cookie jar): the runs it creates are its own.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let bootstrap = server.state.broker.bootstrap_servers().to_string();

    // Bare librdkafka on its own topic.
    let bare_run = post(
        &client,
        format!("{base}/api/runs"),
        json!({"lab": "wakeup-vs-kill"}),
    )
    .await;
    let bare_topic = bare_run["topic"].as_str().unwrap().to_string();
    produce(&server, &bare_topic, RECORDS).await;
    let b = bootstrap.clone();
    let bare = tokio::task::spawn_blocking(move || bare_consume(&b, &bare_topic, RECORDS))
        .await
        .unwrap();

    // The lab consumer: a worker process, every record an event through the server.
    let run = post(
        &client,
        format!("{base}/api/runs"),
        json!({"lab": "wakeup-vs-kill"}),
    )
    .await;
    let id = run["id"].as_str().unwrap().to_string();
    produce(&server, run["topic"].as_str().unwrap(), RECORDS).await;
    let started = Instant::now();
    post(
        &client,
        format!("{base}/api/runs/{id}/consumers"),
        json!({"commit_mode": "none", "pause_after_records": 100_000_000, "commit_every_records": null}),
    )
    .await;
    let run_handle = server.state.runs.get(&id).unwrap();
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    loop {
        tick.tick().await;
        let processed = run_handle.view().consumers[0].processed;
        if processed as usize >= RECORDS {
            break;
        }
    }
    let lab = started.elapsed();
    let rate = |d: Duration| RECORDS as f64 / d.as_secs_f64();
    println!("consumer throughput, {RECORDS} records, one partition, embedded broker:");
    println!(
        "  bare librdkafka BaseConsumer     {:>10.0} records/s  ({:.2?})",
        rate(bare),
        bare
    );
    println!("  lab consumer (process + events)  {:>10.0} records/s  ({:.2?}, incl. process start and group join)", rate(lab), lab);
    println!(
        "  ratio lab / bare                 {:>10.2}",
        rate(lab) / rate(bare)
    );
    server.shutdown().await;
}

/// Opens an SSE stream from the end of the run's log and resolves when a record event with
/// `value` arrives; returns how long after `t0` that was.
async fn stream_until(
    client: reqwest::Client,
    url: String,
    value: String,
    ready: tokio::sync::mpsc::Sender<()>,
) -> Instant {
    use eventsource_stream::Eventsource;
    let r = client.get(url).send().await.expect("sse");
    let _ = ready.send(()).await;
    let mut events = r.bytes_stream().eventsource();
    while let Some(Ok(e)) = events.next().await {
        if e.data.contains("\"type\":\"record\"") && e.data.contains(&value) {
            return Instant::now();
        }
    }
    panic!("stream ended");
}

async fn latency(runs: usize, streams_per_run: usize) -> (Duration, Duration, Duration) {
    let server = Server::start(settings()).await.expect("server");
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .cookie_store(true)
        .build()
        .unwrap();
    let setup = Instant::now();
    let mut ids = vec![];
    for _ in 0..runs {
        let run = post(
            &client,
            format!("{base}/api/runs"),
            json!({"lab": "simple-consumer"}),
        )
        .await;
        let id = run["id"].as_str().unwrap().to_string();
        post(
            &client,
            format!("{base}/api/runs/{id}/consumers"),
            json!({"session_timeout_ms": 2000}),
        )
        .await;
        ids.push(id);
    }
    // Wait until every consumer is in its group (it must be assigned before records count).
    for id in &ids {
        let run = server.state.runs.get(id).unwrap();
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        while run.view().consumers[0].assigned.is_empty() {
            tick.tick().await;
        }
    }
    let setup = setup.elapsed();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(runs * streams_per_run);
    let mut waiters = vec![];
    for id in &ids {
        let last = server.state.runs.get(id).unwrap().last_seq();
        for _ in 0..streams_per_run {
            let url = format!("{base}/api/runs/{id}/events?after={last}");
            waiters.push(tokio::spawn(stream_until(
                client.clone(),
                url,
                "marker".into(),
                ready_tx.clone(),
            )));
        }
    }
    for _ in 0..runs * streams_per_run {
        ready_rx.recv().await;
    }
    let t0 = Instant::now();
    for id in &ids {
        post(
            &client,
            format!("{base}/api/runs/{id}/produce"),
            json!({"values": ["marker"]}),
        )
        .await;
    }
    let mut arrivals: Vec<Duration> = futures::future::join_all(waiters)
        .await
        .into_iter()
        .map(|t| t.unwrap().duration_since(t0))
        .collect();
    arrivals.sort();
    let p50 = arrivals[arrivals.len() / 2];
    let max = *arrivals.last().unwrap();
    server.shutdown().await;
    (setup, p50, max)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        throughput().await;
        let (_, one_p50, one_max) = latency(1, 1).await;
        let (setup, p50, max) = latency(RUNS, STREAMS / RUNS).await;
        println!("event latency, produce → record event on an SSE stream (poll timeout 1 s):");
        println!("  1 run, 1 stream                  p50 {one_p50:>8.1?}   max {one_max:>8.1?}");
        println!("  {RUNS} runs, {STREAMS} streams          p50 {p50:>8.1?}   max {max:>8.1?}   ({RUNS} consumers started and joined in {setup:.1?})");
        println!("  ratio p50 at scale / alone       {:>8.2}", p50.as_secs_f64() / one_p50.as_secs_f64());
    });
}

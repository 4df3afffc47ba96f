//! `cargo bench --bench classroom_sessions`: a class on one server. Thirty simulated trainees
//! (each its own HTTP client with its own cookie jar, so its own session) work through labs at
//! once on the embedded broker — a name, then round after round: a run, its event stream,
//! records produced, a consumer, the lab's first checkpoint, the run deleted — while the
//! instructor's live table (`/api/instructor/events`) is open.
//!
//! Printed: no interference (each run's stream carried only that run's records, each ledger
//! lost nothing, another trainee's run answered 404) and the dashboard's latency: from a
//! trainee's `checkpoint` event on their run's stream to the instructor's `update` for it,
//! p50 / p95 / max over every run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eventsource_stream::Eventsource;
use futures::StreamExt;
use kafka_consumer_labs::config::Settings;
use kafka_consumer_labs::server::Server;
use serde_json::{json, Value};

const TRAINEES: usize = 30;
/// Runs each trainee makes, one after the other, going round `LABS`.
const ROUNDS: usize = 6;
const RECORDS: usize = 20;
/// Labs whose first checkpoint a consumer reaches by itself: (lab, checkpoint).
const LABS: [(&str, &str); 2] = [
    ("sync-commit-batch", "sync-commit-seen"),
    ("sync-commit-record", "per-record-commits"),
];
const TOKEN: &str = "bench-instructor-token";
/// One trainee's whole run (worker start, group join, records, commit, checkpoint).
const TRAINEE_DEADLINE: Duration = Duration::from_secs(90);

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

async fn send(request: reqwest::RequestBuilder) -> Value {
    let r = request.send().await.expect("request");
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// What one trainee saw of one run.
struct RunResult {
    tag: String,
    run: String,
    topic: String,
    own_records: usize,
    foreign_records: usize,
    lost: u64,
    duplicates: u64,
    /// When the `checkpoint` event arrived on the trainee's run stream.
    checkpoint_at: Instant,
    /// Another trainee's run, asked for with this trainee's cookie: its status.
    neighbour_status: u16,
}

/// The instructor stream's `checkpoint` updates: by run id, the trainee's tag and when it
/// arrived; `more` is told each time one is added.
#[derive(Default)]
struct Dashboard {
    seen: Mutex<HashMap<String, (String, Instant)>>,
    more: tokio::sync::Notify,
}

type Arrivals = Arc<Dashboard>;

async fn instructor(base: String, arrivals: Arrivals, ready: tokio::sync::oneshot::Sender<()>) {
    let c = client();
    let r = c
        .post(format!("{base}/api/instructor/login"))
        .json(&json!({ "token": TOKEN }))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 204, "instructor sign-in");
    let r = c
        .get(format!("{base}/api/instructor/events"))
        .send()
        .await
        .expect("instructor stream");
    assert!(r.status().is_success(), "instructor stream: {}", r.status());
    let mut events = r.bytes_stream().eventsource();
    let mut ready = Some(ready);
    while let Some(Ok(e)) = events.next().await {
        match e.event.as_str() {
            "class" => {
                if let Some(tx) = ready.take() {
                    let _ = tx.send(());
                }
            }
            "update" => {
                let now = Instant::now();
                let u: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
                let first_of_lab = LABS
                    .iter()
                    .any(|(lab, cp)| u["lab"] == *lab && u["checkpoint"] == *cp);
                if u["type"] == "checkpoint" && first_of_lab {
                    let run = u["run"].as_str().unwrap_or_default().to_string();
                    let tag = u["trainee"].as_str().unwrap_or_default().to_string();
                    arrivals
                        .seen
                        .lock()
                        .unwrap()
                        .entry(run)
                        .or_insert((tag, now));
                    arrivals.more.notify_one();
                }
            }
            "end" => break,
            _ => {}
        }
    }
}

async fn trainee(base: String, i: usize, runs: Arc<Mutex<Vec<String>>>) -> Vec<RunResult> {
    let c = client();
    send(
        c.put(format!("{base}/api/session"))
            .json(&json!({ "name": format!("수강생 {i:02}") })),
    )
    .await;
    let me = send(c.get(format!("{base}/api/session"))).await;
    let tag = me["tag"].as_str().unwrap_or_default().to_string();
    let mut results = vec![];
    for round in 0..ROUNDS {
        let (lab, checkpoint) = LABS[(i + round) % LABS.len()];
        results.push(one_run(&c, &base, i, round, lab, checkpoint, &tag, &runs).await);
    }
    results
}

#[allow(clippy::too_many_arguments)]
async fn one_run(
    c: &reqwest::Client,
    base: &str,
    i: usize,
    round: usize,
    lab: &str,
    checkpoint: &str,
    tag: &str,
    runs: &Mutex<Vec<String>>,
) -> RunResult {
    let prefix = format!("t{i:02}-r{round}-");
    let run = send(
        c.post(format!("{base}/api/runs"))
            .json(&json!({ "lab": lab })),
    )
    .await;
    let id = run["id"].as_str().expect("run id").to_string();
    let topic = run["topic"].as_str().unwrap_or_default().to_string();
    runs.lock().unwrap().push(id.clone());
    let stream = c
        .get(format!("{base}/api/runs/{id}/events"))
        .send()
        .await
        .expect("run stream");
    assert!(
        stream.status().is_success(),
        "run stream {}",
        stream.status()
    );
    let values: Vec<String> = (0..RECORDS).map(|n| format!("{prefix}{n}")).collect();
    send(
        c.post(format!("{base}/api/runs/{id}/produce"))
            .json(&json!({ "values": values })),
    )
    .await;
    send(
        c.post(format!("{base}/api/runs/{id}/consumers"))
            .json(&json!({})),
    )
    .await;

    let mut events = stream.bytes_stream().eventsource();
    let (mut own, mut foreign, mut checkpoint_at) = (0, 0, None);
    let read = async {
        while let Some(Ok(e)) = events.next().await {
            let v: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
            match v["type"].as_str() {
                Some("record") => {
                    if v["value"].as_str().is_some_and(|s| s.starts_with(&prefix)) {
                        own += 1;
                    } else {
                        foreign += 1;
                    }
                }
                Some("checkpoint") if v["id"] == checkpoint => {
                    checkpoint_at.get_or_insert_with(Instant::now);
                }
                _ => {}
            }
            if own >= RECORDS && checkpoint_at.is_some() {
                break;
            }
        }
    };
    tokio::time::timeout(TRAINEE_DEADLINE, read)
        .await
        .unwrap_or_else(|_| panic!("{prefix}: {own} records, checkpoint {checkpoint_at:?}"));
    let ledger = send(c.get(format!("{base}/api/runs/{id}/ledger"))).await;
    // Someone else's run, with this trainee's cookie.
    let neighbour = runs
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|r| **r != id)
        .cloned();
    let neighbour_status = match neighbour {
        Some(other) => c
            .get(format!("{base}/api/runs/{other}"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0),
        None => 404,
    };
    let r = c
        .delete(format!("{base}/api/runs/{id}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 204, "delete {id}");
    RunResult {
        tag: tag.to_string(),
        run: id,
        topic,
        own_records: own,
        foreign_records: foreign,
        lost: ledger["lost"].as_u64().unwrap_or(u64::MAX),
        duplicates: ledger["duplicates"].as_u64().unwrap_or(u64::MAX),
        checkpoint_at: checkpoint_at.expect("checkpoint seen"),
        neighbour_status,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn class() {
    let mut settings = Settings::for_tests();
    settings.worker_exe = Some(env!("CARGO_BIN_EXE_kafka-consumer-labs").into());
    settings.instructor_token = Some(TOKEN.into());
    let server = Server::start(settings).await.expect("server");
    let base = format!("http://{}", server.addr);

    let arrivals: Arrivals = Arc::default();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let dashboard = tokio::spawn(instructor(base.clone(), arrivals.clone(), ready_tx));
    ready_rx.await.expect("the instructor's stream opened");

    let started = Instant::now();
    let runs = Arc::new(Mutex::new(Vec::new()));
    let trainees: Vec<_> = (0..TRAINEES)
        .map(|i| tokio::spawn(trainee(base.clone(), i, runs.clone())))
        .collect();
    let mut results = vec![];
    for t in futures::future::join_all(trainees).await {
        results.extend(t.expect("trainee task"));
    }
    let total_runs = results.len();
    let class_time = started.elapsed();

    // Every checkpoint reaches the dashboard (waited for, with a deadline).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while arrivals.seen.lock().unwrap().len() < total_runs {
        if tokio::time::timeout_at(deadline, arrivals.more.notified())
            .await
            .is_err()
        {
            break;
        }
    }
    let arrivals = arrivals.seen.lock().unwrap().clone();
    let mut latencies_ms = vec![];
    let mut wrong_trainee = 0;
    let mut missing = 0;
    for r in &results {
        match arrivals.get(&r.run) {
            Some((tag, at)) => {
                if *tag != r.tag {
                    wrong_trainee += 1;
                }
                let ms = if *at >= r.checkpoint_at {
                    at.duration_since(r.checkpoint_at).as_secs_f64() * 1e3
                } else {
                    -(r.checkpoint_at.duration_since(*at).as_secs_f64() * 1e3)
                };
                latencies_ms.push(ms);
            }
            None => missing += 1,
        }
    }
    latencies_ms.sort_by(|a, b| a.total_cmp(b));

    let foreign: usize = results.iter().map(|r| r.foreign_records).sum();
    let own: usize = results.iter().map(|r| r.own_records).sum();
    let lost: u64 = results.iter().map(|r| r.lost).sum();
    let duplicates: u64 = results.iter().map(|r| r.duplicates).sum();
    let not_404 = results.iter().filter(|r| r.neighbour_status != 404).count();
    let mut topics: Vec<&str> = results.iter().map(|r| r.topic.as_str()).collect();
    topics.sort();
    topics.dedup();

    let labs: Vec<&str> = LABS.iter().map(|(lab, _)| *lab).collect();
    println!(
        "classroom: {TRAINEES} trainees (one session each) at once, {ROUNDS} runs each (labs {}), the instructor's stream open",
        labs.join(", ")
    );
    println!(
        "  whole class: {total_runs} runs of {RECORDS} records, each with a consumer and a checkpoint, in {class_time:.1?}"
    );
    println!("interference:");
    println!(
        "  distinct topics                        {:>5} of {total_runs}",
        topics.len()
    );
    println!(
        "  records on their own run's stream      {own:>5} (expected {})",
        total_runs * RECORDS
    );
    println!("  foreign records on a run's stream      {foreign:>5} (must be 0)");
    println!("  lost records (ledgers)                 {lost:>5} (must be 0)");
    println!("  duplicates (ledgers)                   {duplicates:>5}");
    println!("  another trainee's run not answered 404 {not_404:>5} (must be 0)");
    println!(
        "dashboard latency, a trainee's checkpoint event → the instructor's `update` (over {} runs):",
        latencies_ms.len()
    );
    if latencies_ms.is_empty() {
        println!("  no checkpoint reached the dashboard");
    } else {
        println!(
            "  p50 {:>7.1} ms   p95 {:>7.1} ms   max {:>7.1} ms   (min {:.1} ms; below 0: the dashboard heard it first)",
            percentile(&latencies_ms, 0.5),
            percentile(&latencies_ms, 0.95),
            latencies_ms.last().unwrap(),
            latencies_ms[0]
        );
    }
    println!("  checkpoints missing on the dashboard   {missing:>5} (must be 0)");
    println!("  attributed to the wrong trainee        {wrong_trainee:>5} (must be 0)");

    server.shutdown().await;
    let _ = tokio::time::timeout(Duration::from_secs(5), dashboard).await;
    assert_eq!(foreign, 0, "a trainee saw another trainee's records");
    assert_eq!(lost, 0, "a ledger lost records");
    assert_eq!(not_404, 0, "a trainee could read another trainee's run");
    assert_eq!(
        missing + wrong_trainee,
        0,
        "the dashboard missed or misattributed a checkpoint"
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(class());
}

//! `cargo bench --bench classroom`: issue 15's goal 3, a class on this machine. 100 runs of the
//! rebalance lab, 2 consumers each (200 worker processes), 10 SSE clients per run (1,000
//! streams), the background producer on each run at 10 records/s. Prints:
//! - the idle cost: CPU of this process (server, embedded broker, proxy, SSE clients) and of
//!   the 200 workers over 5 s with no producer (the consumers' empty fetches),
//! - event latency: 10 rounds of one marker produced through the API into every run at once
//!   → the `record` on each of the run's 10 streams (10,000 samples), p50/p99,
//! - `GET /api/labs` p50/p99 during the rounds,
//! - resident memory of this process and per worker process.
//!
//! `LABS_FETCH_WAIT_MS` sets every consumer's `fetch.wait.max.ms` (unset: the server's default).

mod common;
#[path = "common/threads.rs"]
mod threads;

use std::time::{Duration, Instant};

use common::{now_ms, post, quantile, sorted};
use futures::StreamExt;
use serde_json::json;

const RUNS: usize = 100;
const CONSUMERS: usize = 2;
const STREAMS_PER_RUN: usize = 10;
const ROUNDS: usize = 10;
const RATE: u32 = 10;
const GOAL_EVENT_P99_MS: f64 = 100.0;
const GOAL_LABS_P99_MS: f64 = 50.0;

fn proc_field(pid: &str, file: &str, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// CPU seconds (user + system) from `/proc/<pid>/stat`.
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let t = |i: usize| {
        f.get(i - 3)
            .and_then(|x| x.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (t(14) + t(15)) / 100.0
}

/// Follows a run's stream from `after`; sends the arrival time of every `marker-<round>` record.
async fn follow(
    client: reqwest::Client,
    url: String,
    run: usize,
    tx: tokio::sync::mpsc::UnboundedSender<(usize, String, f64)>,
    ready: tokio::sync::mpsc::Sender<()>,
) {
    use eventsource_stream::Eventsource;
    let r = client.get(url).send().await.expect("sse");
    assert!(r.status().is_success(), "stream: {}", r.status());
    let _ = ready.send(()).await;
    let mut events = r.bytes_stream().eventsource();
    while let Some(Ok(e)) = events.next().await {
        if e.data.contains("\"type\":\"record\"") && e.data.contains("marker-") {
            let arrived = now_ms();
            let v: serde_json::Value = serde_json::from_str(&e.data).unwrap_or_default();
            let value = v["value"].as_str().unwrap_or_default().to_string();
            let _ = tx.send((run, value, arrived));
        }
    }
}

fn main() {
    let rt = common::runtime();
    threads::mark_runtime_workers(2);
    rt.block_on(bench());
}

async fn bench() {
    // `LABS_FETCH_WAIT_MS=100 cargo bench --bench classroom`: the consumers' old fixed wait.
    let mut settings = common::settings();
    settings.fetch_wait_ms = std::env::var("LABS_FETCH_WAIT_MS")
        .ok()
        .and_then(|v| v.parse().ok());
    let (server, base, client) = common::start_with(settings).await;
    let me = std::process::id().to_string();
    let setup = Instant::now();
    let mut ids = vec![];
    for _ in 0..RUNS {
        let (id, _) = common::create_run(&client, &base, "rebalance").await;
        for _ in 0..CONSUMERS {
            post(
                &client,
                format!("{base}/api/runs/{id}/consumers"),
                json!({}),
            )
            .await;
        }
        ids.push(id);
    }
    for id in &ids {
        common::wait_view(&server, id, Duration::from_secs(300), |v| {
            v.consumers.len() == CONSUMERS && v.consumers.iter().all(|c| !c.assigned.is_empty())
        })
        .await;
    }
    let setup = setup.elapsed();
    let pids: Vec<String> = ids
        .iter()
        .flat_map(|id| server.state.runs.get(id).expect("run").view().consumers)
        .filter_map(|c| c.pid.map(|p| p.to_string()))
        .collect();
    let workers_cpu = || pids.iter().map(|p| cpu_secs(p)).sum::<f64>();
    // The empty fetches/s the consumers ask the embedded broker for at most: the proxy gives
    // every Fetch the class's wait now (`run::class_fetch_wait_ms`, by the workers running).
    let fixed_wait = std::env::var("LABS_FETCH_WAIT_MS")
        .ok()
        .and_then(|v| v.parse().ok());
    let idle_fetches = pids.len() as f64 * 1000.0
        / f64::from(kafka_consumer_labs::run::class_fetch_wait_ms(fixed_wait).max(1));

    // The idle cost: nothing produced, every consumer polling.
    let (me0, w0, t0) = (cpu_secs(&me), workers_cpu(), Instant::now());
    let (me_threads0, w_threads0) = (threads::by_family(&me), threads::by_family_of(&pids));
    // `CLASSROOM_IDLE_SECS` lengthens the idle window (e.g. to profile it: the line below
    // says when it starts).
    let idle_for = std::env::var("CLASSROOM_IDLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    eprintln!("idle window: {idle_for} s from now (pid {me})");
    tokio::time::sleep(Duration::from_secs(idle_for)).await;
    let idle_secs = t0.elapsed().as_secs_f64();
    let mock_port: Option<u16> = server
        .state
        .broker
        .internal_address()
        .and_then(|a| a.rsplit_once(':')?.1.parse().ok());
    let mock_connections = mock_port.map_or(0, threads::connections_to);
    let idle_threads = (
        threads::split(&me_threads0, &threads::by_family(&me), idle_secs, 8),
        threads::split(&w_threads0, &threads::by_family_of(&pids), idle_secs, 6),
    );
    let idle_me = (cpu_secs(&me) - me0) / idle_secs;
    let idle_workers = (workers_cpu() - w0) / idle_secs;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(RUNS * STREAMS_PER_RUN);
    let mut streams = vec![];
    for (run, id) in ids.iter().enumerate() {
        let last = kafka_consumer_labs::run::log::EventSource::last_seq(
            &*server.state.runs.get(id).expect("run"),
        );
        for _ in 0..STREAMS_PER_RUN {
            streams.push(tokio::spawn(follow(
                client.clone(),
                format!("{base}/api/runs/{id}/events?after={last}"),
                run,
                tx.clone(),
                ready_tx.clone(),
            )));
        }
    }
    for _ in 0..RUNS * STREAMS_PER_RUN {
        ready_rx.recv().await;
    }
    for id in &ids {
        post(
            &client,
            format!("{base}/api/runs/{id}/producer"),
            json!({ "rate_per_sec": RATE }),
        )
        .await;
    }

    // GET /api/labs, one after another, while the rounds run.
    let labs_client = client.clone();
    let labs_url = format!("{base}/api/labs");
    let labs = tokio::spawn(async move {
        let mut took = vec![];
        for _ in 0..200 {
            let t = Instant::now();
            let r = labs_client.get(&labs_url).send().await.expect("labs");
            let _ = r.bytes().await;
            took.push(t.elapsed().as_secs_f64() * 1000.0);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        took
    });

    let mut latency = vec![];
    let (me_threads0, w_threads0, busy0) = (
        threads::by_family(&me),
        threads::by_family_of(&pids),
        Instant::now(),
    );
    let (me_busy0, w_busy0) = (cpu_secs(&me), workers_cpu());
    for round in 0..ROUNDS {
        let marker = format!("marker-{round}");
        let sends = ids.iter().map(|id| {
            let (client, url, marker) = (
                client.clone(),
                format!("{base}/api/runs/{id}/produce"),
                marker.clone(),
            );
            async move {
                let sent = now_ms();
                post(&client, url, json!({ "values": [marker] })).await;
                sent
            }
        });
        let sent: Vec<f64> = futures::future::join_all(sends).await;
        let mut seen = 0;
        while seen < RUNS * STREAMS_PER_RUN {
            let (run, value, arrived) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .expect("every marker within 30 s")
                .expect("streams open");
            if value == marker {
                latency.push(arrived - sent[run]);
                seen += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let busy_secs = busy0.elapsed().as_secs_f64();
    let busy = (
        (cpu_secs(&me) - me_busy0) / busy_secs,
        (workers_cpu() - w_busy0) / busy_secs,
    );
    let busy_threads = (
        threads::split(&me_threads0, &threads::by_family(&me), busy_secs, 8),
        threads::split(&w_threads0, &threads::by_family_of(&pids), busy_secs, 6),
    );
    let labs = sorted(labs.await.expect("labs task"));
    let latency = sorted(latency);
    let rss_me = proc_field(&me, "status", "VmRSS:") / 1024.0;
    let rss_workers: Vec<f64> = pids
        .iter()
        .map(|p| proc_field(p, "status", "VmRSS:") / 1024.0)
        .collect();
    for s in &streams {
        s.abort();
    }
    let p = |xs: &[f64], q| quantile(xs, q);
    println!(
        "classroom, {RUNS} runs × {CONSUMERS} consumers, {} SSE streams, producer {RATE}/s per run, fetch.wait.max.ms {} ({})",
        RUNS * STREAMS_PER_RUN,
        std::env::var("LABS_FETCH_WAIT_MS").unwrap_or_else(|_| "default".into()),
        common::machine()
    );
    println!(
        "  {} consumers started and assigned in {setup:.1?}",
        pids.len()
    );
    println!(
        "  idle (no producer) CPU       this process {:.0}% of a core, all workers {:.0}% ({:.2}% each)",
        idle_me * 100.0,
        idle_workers * 100.0,
        idle_workers * 100.0 / pids.len().max(1) as f64
    );
    println!(
        "    this process by thread: {} (the embedded broker's thread polls {mock_connections} connections; the consumers' empty fetches: up to {idle_fetches:.0}/s)",
        idle_threads.0
    );
    println!("    workers by thread:      {}", idle_threads.1);
    println!(
        "  rounds (producers on) CPU    this process {:.0}% of a core, all workers {:.0}% over {busy_secs:.1} s",
        busy.0 * 100.0,
        busy.1 * 100.0
    );
    println!("    this process by thread: {}", busy_threads.0);
    println!("    workers by thread:      {}", busy_threads.1);
    println!(
        "  produce → record on SSE      p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms  ratio p99 / goal {:.2} (goal ≤ {GOAL_EVENT_P99_MS} ms, {} samples)",
        p(&latency, 0.5),
        p(&latency, 0.99),
        p(&latency, 1.0),
        p(&latency, 0.99) / GOAL_EVENT_P99_MS,
        latency.len()
    );
    println!(
        "  GET /api/labs                p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms  ratio p99 / goal {:.2} (goal ≤ {GOAL_LABS_P99_MS} ms)",
        p(&labs, 0.5),
        p(&labs, 0.99),
        p(&labs, 1.0),
        p(&labs, 0.99) / GOAL_LABS_P99_MS
    );
    println!(
        "  RSS                          this process (server, broker, proxy and the 1,000 SSE clients) {rss_me:.0} MiB; per worker p50 {:.1} MiB, max {:.1} MiB",
        quantile(&sorted(rss_workers.clone()), 0.5),
        quantile(&sorted(rss_workers), 1.0)
    );
    server.shutdown().await;
}

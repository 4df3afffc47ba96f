//! `cargo bench --bench throughput`: issue 15's goal 2. 1,000,000 small records on 8 partitions
//! of the embedded broker, read in one run by a bare rdkafka `BaseConsumer` loop in this process
//! and by a lab consumer through the full machinery (worker process, one event per record on
//! stdout, the server's reader, run state and ledger, event log, one SSE client following the
//! run). Prints both rates and their ratio, checks the ledger is exact (every offset processed
//! once), and says where the CPU went (the worker process, and this process: server, broker,
//! proxy and the SSE client).

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kafka_consumer_labs::server::Server;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use serde_json::{json, Value};

const RECORDS: usize = 1_000_000;
const PARTITIONS: i32 = 8;
const GOAL_RATIO: f64 = 0.9;

/// CPU seconds (user + system) a process has used so far, from `/proc/<pid>/stat`.
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command's closing parenthesis: state is field 3; utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i - 3).and_then(|f| f.parse::<f64>().ok());
    (ticks(14).unwrap_or(0.0) + ticks(15).unwrap_or(0.0)) / 100.0
}

/// A lab like simple-consumer, with 8 partitions: the labs directory the bench's server reads.
fn labs_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("labs-throughput-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("labs dir");
    let lab = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/labs/simple-consumer.toml"
    ))
    .expect("simple-consumer lab");
    let lab = lab.replace("partitions = 3", &format!("partitions = {PARTITIONS}"));
    std::fs::write(dir.join("simple-consumer.toml"), lab).expect("write lab");
    dir
}

async fn produce(server: &Server, topic: &str) {
    let records: Vec<(Option<String>, String)> =
        (0..RECORDS).map(|i| (None, format!("v{i}"))).collect();
    for chunk in records.chunks(50_000) {
        server
            .state
            .broker
            .produce(topic, chunk)
            .await
            .expect("produce");
    }
}

/// The bare loop: poll until every record was returned. Returns the time from subscribe.
fn bare_consume(bootstrap: &str, topic: &str) -> Duration {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("bare-{topic}"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let started = Instant::now();
    consumer.subscribe(&[topic]).expect("subscribe");
    let mut seen = 0;
    while seen < RECORDS {
        if let Some(Ok(_)) = consumer.poll(Duration::from_millis(100)) {
            seen += 1;
        }
    }
    started.elapsed()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(bench());
}

async fn bench() {
    let mut settings = common::settings();
    settings.labs_dir = Some(labs_dir());
    let (server, base, client) = common::start_with(settings).await;
    let bootstrap = server.state.broker.bootstrap_servers().to_string();
    let me = std::process::id().to_string();

    // Bare librdkafka on a run's topic of its own (no consumer of the run reads it).
    let (_, bare_topic) = common::create_run(&client, &base, "simple-consumer").await;
    produce(&server, &bare_topic).await;
    let cpu0 = cpu_secs(&me);
    let b = bootstrap.clone();
    let bare = tokio::task::spawn_blocking(move || bare_consume(&b, &bare_topic))
        .await
        .expect("bare consumer");
    let bare_cpu = cpu_secs(&me) - cpu0;

    // The lab consumer, with one SSE client following the run.
    let (id, topic) = common::create_run(&client, &base, "simple-consumer").await;
    produce(&server, &topic).await;
    let streamed = Arc::new(AtomicU64::new(0));
    let gaps = Arc::new(AtomicU64::new(0));
    let sse = {
        use eventsource_stream::Eventsource;
        let r = client
            .get(format!("{base}/api/runs/{id}/events"))
            .send()
            .await
            .expect("sse");
        let mut events = r.bytes_stream().eventsource();
        let (streamed, gaps) = (streamed.clone(), gaps.clone());
        tokio::spawn(async move {
            while let Some(Ok(e)) = events.next().await {
                if e.event == "gap" {
                    gaps.fetch_add(1, Ordering::Relaxed);
                } else if e.data.contains("\"type\":\"record\"") {
                    streamed.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    let cpu0 = cpu_secs(&me);
    let started = Instant::now();
    common::post(
        &client,
        format!("{base}/api/runs/{id}/consumers"),
        json!({}),
    )
    .await;
    let run = server.state.runs.get(&id).expect("run");
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let mut worker_pid = None;
    let mut worker_cpu = 0.0;
    loop {
        tick.tick().await;
        let view = run.view();
        let consumer = &view.consumers[0];
        if let Some(pid) = consumer.pid {
            worker_pid = Some(pid.to_string());
        }
        if let Some(pid) = &worker_pid {
            worker_cpu = cpu_secs(pid).max(worker_cpu);
        }
        if consumer.processed as usize >= RECORDS {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "lab consumer too slow"
        );
    }
    let lab = started.elapsed();
    let server_cpu = cpu_secs(&me) - cpu0;
    let ledger: Value = client
        .get(format!("{base}/api/runs/{id}/ledger"))
        .send()
        .await
        .expect("ledger")
        .json()
        .await
        .expect("ledger json");
    let processed: u64 = ledger["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .map(|p| p["processed"].as_u64().unwrap_or(0))
        .sum();
    sse.abort();

    let rate = |d: Duration| RECORDS as f64 / d.as_secs_f64();
    let ratio = rate(lab) / rate(bare);
    println!(
        "consumer throughput, {RECORDS} records on {PARTITIONS} partitions, embedded broker ({})",
        common::machine()
    );
    println!(
        "  bare rdkafka BaseConsumer    {:>9.0} records/s  ({:.2?} from subscribe; this process {bare_cpu:.2} s CPU)",
        rate(bare),
        bare
    );
    println!(
        "  lab consumer (full path)     {:>9.0} records/s  ({:.2?} from the POST, process start and group join included)",
        rate(lab),
        lab
    );
    println!(
        "  ratio lab / bare             {ratio:>9.2}   (goal ≥ {GOAL_RATIO}; ratio to goal {:.2})",
        ratio / GOAL_RATIO
    );
    println!(
        "  CPU during the lab run       worker process {worker_cpu:.2} s, this process (server, broker, proxy, SSE client) {server_cpu:.2} s"
    );
    println!(
        "  ledger                       processed {processed} of {RECORDS}, duplicates {}, lost {}; SSE client saw {} record events and {} gaps",
        ledger["duplicates"],
        ledger["lost"],
        streamed.load(Ordering::Relaxed),
        gaps.load(Ordering::Relaxed)
    );
    server.shutdown().await;
}

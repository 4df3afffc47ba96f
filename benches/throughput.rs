//! `cargo bench --bench throughput`: issue 15's goal 2. 1,000,000 small records on 8 partitions
//! of the embedded broker, read in one run by a bare rdkafka `BaseConsumer` loop in this process
//! and by a lab consumer through the full machinery (worker process, its events on stdout —
//! above 250 records a poll batch, consecutive records of a partition as one `record_range` —
//! the server's reader, run state and ledger, event log, one SSE client following the run).
//! Three rounds (`ROUNDS=<n>`: n) of bare then lab, each pair on fresh topics, side by side in
//! one run: prints
//! each round, the median rates and ratio, checks the ledger is exact (every offset processed
//! once), says how long each took to its first record (group join and first fetch) and where
//! the CPU went (the worker process, and this process: server, broker, proxy and SSE client).
//! `WORKER_B=<a kafka-consumer-labs binary>` adds a lab leg per round with that build as the
//! worker (e.g. the binary of the commit before a change), on the same server and broker.

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

/// The bare loop (librdkafka's defaults but the lab's `fetch.queue.backoff.ms`): poll until
/// every record was returned. Returns the time from subscribe to
/// the last record, and to the first (the group join and first fetch).
fn bare_consume(bootstrap: &str, topic: &str) -> (Duration, Duration) {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("bare-{topic}"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        // The lab consumer's fetch setting (see its doc): with librdkafka's 1 s default the
        // bare loop too stalls for a second whenever its queue fills, at random rounds.
        .set(
            "fetch.queue.backoff.ms",
            kafka_consumer_labs::worker::FETCH_QUEUE_BACKOFF_MS.to_string(),
        )
        .create()
        .expect("consumer");
    let started = Instant::now();
    consumer.subscribe(&[topic]).expect("subscribe");
    let mut seen = 0;
    let mut first = None;
    while seen < RECORDS {
        if let Some(Ok(_)) = consumer.poll(Duration::from_millis(100)) {
            first.get_or_insert_with(|| started.elapsed());
            seen += 1;
        }
    }
    (started.elapsed(), first.unwrap_or_default())
}

fn main() {
    let rt = common::runtime();
    rt.block_on(bench());
}

/// Rounds of bare then lab, each on topics of their own: the figures are the medians (a busy
/// 2-core machine moves single runs by 2×), and each round is printed.
/// `ROUNDS=<n>` runs more (this machine's speed moves by 2× within minutes: more rounds make
/// a steadier median).
const ROUNDS: usize = 3;

fn rounds() -> usize {
    std::env::var("ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(ROUNDS)
}

/// One round's figures.
struct Round {
    bare: Duration,
    bare_first: Duration,
    bare_cpu: f64,
    lab: LabLeg,
    /// The same lab leg with the worker binary `WORKER_B` names (another build), when set.
    lab_b: Option<LabLeg>,
}

/// One lab consumer's read of the records, through the full machinery.
struct LabLeg {
    took: Duration,
    first: Duration,
    worker_cpu: f64,
    server_cpu: f64,
    processed: u64,
    duplicates: Value,
    lost: Value,
    /// Records seen on the SSE stream as `record` events and inside `record_range` events,
    /// the `record_range` events, and the gaps (resyncs) the client was told of.
    singles: u64,
    in_ranges: u64,
    ranges: u64,
    gaps: u64,
}

impl Round {
    fn ratio(&self) -> f64 {
        self.bare.as_secs_f64() / self.lab.took.as_secs_f64()
    }

    fn ratio_b(&self) -> Option<f64> {
        let b = self.lab_b.as_ref()?;
        Some(self.bare.as_secs_f64() / b.took.as_secs_f64())
    }
}

/// The worker executable the server spawns: a symlink the bench points at this build's binary
/// or at `WORKER_B`, so two builds of the worker are measured in one run on one server.
struct WorkerLink {
    link: std::path::PathBuf,
    this: std::path::PathBuf,
    other: Option<std::path::PathBuf>,
}

impl WorkerLink {
    fn new(dir: &std::path::Path) -> Self {
        let this = std::path::PathBuf::from(env!("CARGO_BIN_EXE_kafka-consumer-labs"));
        let other = std::env::var_os("WORKER_B").map(std::path::PathBuf::from);
        if let Some(b) = &other {
            assert!(b.is_file(), "WORKER_B={} is not a file", b.display());
        }
        let link = dir.join("worker");
        let w = WorkerLink { link, this, other };
        w.point(false);
        w
    }

    /// Points the link at this build's binary, or at `WORKER_B` (`b`).
    fn point(&self, b: bool) {
        let target = if b {
            self.other.as_ref().expect("WORKER_B")
        } else {
            &self.this
        };
        let tmp = self.link.with_extension("new");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(target, &tmp).expect("symlink");
        std::fs::rename(&tmp, &self.link).expect("swap symlink");
    }
}

async fn bench() {
    let mut settings = common::settings();
    let dir = labs_dir();
    let worker = WorkerLink::new(&dir);
    settings.labs_dir = Some(dir);
    settings.worker_exe = Some(worker.link.clone());
    let (server, base, client) = common::start_with(settings).await;
    if let Some(b) = &worker.other {
        println!(
            "  each round also runs the lab leg with WORKER_B={} (after this build's in odd rounds, before it in even ones)",
            b.display()
        );
    }
    let n = rounds();
    println!(
        "consumer throughput, {RECORDS} records on {PARTITIONS} partitions, embedded broker, {n} rounds of bare then lab ({})",
        common::machine()
    );
    let mut rounds = vec![];
    for i in 1..=n {
        let r = round(&server, &base, &client, &worker, i % 2 == 0).await;
        let rate = |d: Duration| RECORDS as f64 / d.as_secs_f64();
        println!(
            "  round {i}: bare {:>7.0} records/s ({:.2?}, first record {:.0?}, {:.2} s CPU); ratio {:.2}{}",
            rate(r.bare), r.bare, r.bare_first, r.bare_cpu, r.ratio(),
            r.ratio_b().map(|b| format!(", WORKER_B {b:.2}")).unwrap_or_default()
        );
        for (name, leg) in [("lab", Some(&r.lab)), ("WORKER_B", r.lab_b.as_ref())] {
            let Some(l) = leg else { continue };
            println!(
                "           {name}: {:>7.0} records/s ({:.2?}, first record {:.0?}; CPU worker {:.2} s, server process {:.2} s); ledger processed {} of {RECORDS}, duplicates {}, lost {}; SSE client saw {} records ({} in {} record_range events) and {} gaps",
                rate(l.took), l.took, l.first, l.worker_cpu, l.server_cpu,
                l.processed, l.duplicates, l.lost, l.singles + l.in_ranges, l.in_ranges, l.ranges, l.gaps
            );
            assert_eq!(l.processed, RECORDS as u64, "the ledger is exact");
        }
        rounds.push(r);
    }
    let median = |f: &dyn Fn(&Round) -> f64| {
        common::quantile(&common::sorted(rounds.iter().map(f).collect()), 0.5)
    };
    let ratio = median(&|r| r.ratio());
    println!(
        "  median bare                  {:>9.0} records/s  (from subscribe; this process {:.2} s CPU)",
        median(&|r| RECORDS as f64 / r.bare.as_secs_f64()),
        median(&|r| r.bare_cpu)
    );
    println!(
        "  median lab (full path)       {:>9.0} records/s  (from the POST, process start and group join included)",
        median(&|r| RECORDS as f64 / r.lab.took.as_secs_f64())
    );
    println!(
        "  median ratio lab / bare      {ratio:>9.2}   (goal ≥ {GOAL_RATIO}; ratio to goal {:.2}; rounds {})",
        ratio / GOAL_RATIO,
        rounds
            .iter()
            .map(|r| format!("{:.2}", r.ratio()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  median CPU                   bare {:.2} s; lab: worker process {:.2} s, this process (server, broker, proxy, SSE client) {:.2} s",
        median(&|r| r.bare_cpu),
        median(&|r| r.lab.worker_cpu),
        median(&|r| r.lab.server_cpu)
    );
    if worker.other.is_some() {
        let b = median(&|r| r.ratio_b().unwrap_or(0.0));
        println!(
            "  WORKER_B: median ratio {b:.2} (rounds {}); this build / WORKER_B {:.2}; worker CPU {:.2} s against this build's {:.2} s",
            rounds
                .iter()
                .map(|r| format!("{:.2}", r.ratio_b().unwrap_or(0.0)))
                .collect::<Vec<_>>()
                .join(", "),
            ratio / b,
            median(&|r| r.lab_b.as_ref().map_or(0.0, |l| l.worker_cpu)),
            median(&|r| r.lab.worker_cpu)
        );
    }
    server.shutdown().await;
}

async fn round(
    server: &Server,
    base: &str,
    client: &reqwest::Client,
    worker: &WorkerLink,
    b_first: bool,
) -> Round {
    let bootstrap = server.state.broker.bootstrap_servers().to_string();
    let me = std::process::id().to_string();

    // Bare librdkafka on a run's topic of its own (no consumer of the run reads it).
    let (bare_run, bare_topic) = common::create_run(client, base, "simple-consumer").await;
    produce(server, &bare_topic).await;
    let cpu0 = cpu_secs(&me);
    let b = bootstrap.clone();
    let (bare, bare_first) = tokio::task::spawn_blocking(move || bare_consume(&b, &bare_topic))
        .await
        .expect("bare consumer");
    let bare_cpu = cpu_secs(&me) - cpu0;
    let _ = client
        .delete(format!("{base}/api/runs/{bare_run}"))
        .send()
        .await;
    // With WORKER_B, the two builds take turns going first (the broker warms up, the
    // machine's load moves).
    let mut lab_b = None;
    if b_first {
        lab_b = other_leg(server, base, client, worker).await;
    }
    let lab = lab_leg(server, base, client).await;
    if !b_first {
        lab_b = other_leg(server, base, client, worker).await;
    }
    Round {
        bare,
        bare_first,
        bare_cpu,
        lab,
        lab_b,
    }
}

/// The lab leg with `WORKER_B` as the worker, when it is set.
async fn other_leg(
    server: &Server,
    base: &str,
    client: &reqwest::Client,
    worker: &WorkerLink,
) -> Option<LabLeg> {
    worker.other.as_ref()?;
    worker.point(true);
    let leg = lab_leg(server, base, client).await;
    worker.point(false);
    Some(leg)
}

/// The lab consumer on a run of its own, with one SSE client following the run.
async fn lab_leg(server: &Server, base: &str, client: &reqwest::Client) -> LabLeg {
    let me = std::process::id().to_string();
    let (id, topic) = common::create_run(client, base, "simple-consumer").await;
    produce(server, &topic).await;
    // Records seen on the stream: as `record` events, and inside `record_range` events.
    let singles = Arc::new(AtomicU64::new(0));
    let in_ranges = Arc::new(AtomicU64::new(0));
    let gaps = Arc::new(AtomicU64::new(0));
    let ranges = Arc::new(AtomicU64::new(0));
    let sse = {
        use eventsource_stream::Eventsource;
        let r = client
            .get(format!("{base}/api/runs/{id}/events"))
            .send()
            .await
            .expect("sse");
        let mut events = r.bytes_stream().eventsource();
        let (singles, in_ranges) = (singles.clone(), in_ranges.clone());
        let (gaps, ranges) = (gaps.clone(), ranges.clone());
        tokio::spawn(async move {
            while let Some(Ok(e)) = events.next().await {
                if e.event == "gap" {
                    gaps.fetch_add(1, Ordering::Relaxed);
                } else if e.data.contains("\"type\":\"record\"") {
                    singles.fetch_add(1, Ordering::Relaxed);
                } else if e.data.contains("\"type\":\"record_range\"") {
                    let range: Value = serde_json::from_str(&e.data).unwrap_or_default();
                    let n = range["last_offset"].as_i64().unwrap_or(0)
                        - range["first_offset"].as_i64().unwrap_or(0)
                        + 1;
                    in_ranges.fetch_add(n.max(0) as u64, Ordering::Relaxed);
                    ranges.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    let cpu0 = cpu_secs(&me);
    let started = Instant::now();
    common::post(client, format!("{base}/api/runs/{id}/consumers"), json!({})).await;
    let run = server.state.runs.get(&id).expect("run");
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let mut worker_pid = None;
    let mut worker_cpu = 0.0;
    let mut lab_first = None;
    loop {
        tick.tick().await;
        let view = run.view();
        let consumer = &view.consumers[0];
        if consumer.processed > 0 {
            lab_first.get_or_insert_with(|| started.elapsed());
        }
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
    // What the stream carried by the time the consumer was done.
    sse.abort();
    let _ = client.delete(format!("{base}/api/runs/{id}")).send().await;
    LabLeg {
        took: lab,
        first: lab_first.unwrap_or_default(),
        worker_cpu,
        server_cpu,
        processed,
        duplicates: ledger["duplicates"].clone(),
        lost: ledger["lost"].clone(),
        singles: singles.load(Ordering::Relaxed),
        in_ranges: in_ranges.load(Ordering::Relaxed),
        ranges: ranges.load(Ordering::Relaxed),
        gaps: gaps.load(Ordering::Relaxed),
    }
}

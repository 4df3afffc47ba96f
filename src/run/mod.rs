//! `LabRun`: one trainee's run of a lab — its topic and group, its worker processes, its event
//! log and its offset ledger — and `RunRegistry`, which owns every run.

pub mod ledger;
pub mod log;
pub mod options;
mod sampler;
mod worker_process;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::broker::{Broker, BrokerError};
use crate::event::{now_ms, LabEvent, StampedEvent, WorkerLine};
use crate::lab::LoadedLab;
use crate::lag::{GroupStatus, LagReport, LagWindow};
use crate::worker::{ConsumerSettings, Control, ThreadGroups, WorkerSpec};
use ledger::{LedgerReport, OffsetLedger};
use log::{EventLog, LogEntry, Replay};
use options::ConsumerOptions;
use worker_process::WorkerHandle;

/// Why a run operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no consumer {0} in this run")]
    NoSuchConsumer(String),
    #[error("field `{0}`: {1}")]
    BadField(&'static str, String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Limit(String),
    #[error("broker: {0}")]
    Broker(#[from] BrokerError),
    #[error("cannot start the worker process: {0}")]
    Spawn(std::io::Error),
}

/// Limits and paths every run shares.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// The binary that runs `worker` (this executable, unless tests say otherwise).
    pub worker_exe: PathBuf,
    pub max_runs: usize,
    pub log_capacity: usize,
    pub live_buffer: usize,
    pub idle_timeout: Duration,
    /// How long a graceful stop may take at teardown before SIGKILL.
    pub stop_grace: Duration,
    pub sample_interval: Duration,
}

/// A consumer's lifecycle as the page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsumerStatus {
    Starting,
    Running,
    Stopping,
    Closed,
    Killed,
    Exited,
}

impl ConsumerStatus {
    fn is_live(self) -> bool {
        matches!(
            self,
            ConsumerStatus::Starting | ConsumerStatus::Running | ConsumerStatus::Stopping
        )
    }
}

/// One consumer incarnation (a worker process), as `GET /api/runs/{id}` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct ConsumerView {
    pub id: String,
    pub pid: Option<u32>,
    pub status: ConsumerStatus,
    pub processed: u64,
    pub paused: bool,
    pub assigned: BTreeSet<i32>,
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    pub config: ConsumerSettings,
}

/// One partition: broker offsets and the consumer that owns it (from the group's callbacks).
#[derive(Debug, Clone, Serialize)]
pub struct PartitionView {
    pub partition: i32,
    pub log_end: i64,
    pub committed: Option<i64>,
    pub owner: Option<String>,
    /// The owning consumer's thread, when it runs several (`t1`, `t2`, …).
    pub owner_thread: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    pub id: String,
    pub lab: String,
    pub topic: String,
    pub group: String,
    pub bootstrap_servers: String,
    pub embedded_broker: bool,
    pub last_seq: u64,
    pub consumers: Vec<ConsumerView>,
    pub partitions: Vec<PartitionView>,
    pub duplicates: u64,
    pub lost: u64,
    pub checkpoints: Vec<CheckpointView>,
    /// Burrow-style lag status (after the first full window of samples).
    pub lag: Option<LagReport>,
    /// The background producer's rate (0: not running).
    pub producer_rate: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckpointView {
    pub id: String,
    pub text: String,
    pub reached: bool,
}

struct ConsumerSlot {
    view: ConsumerView,
    handle: Option<WorkerHandle>,
}

struct RunInner {
    log: EventLog,
    consumers: BTreeMap<u32, ConsumerSlot>,
    next_consumer: u32,
    partitions: Vec<PartitionView>,
    ledger: OffsetLedger,
    /// How many events of each type happened (checkpoints test these).
    kind_counts: HashMap<&'static str, u64>,
    /// Checkpoints already reached.
    reached: BTreeSet<String>,
    /// Burrow-style lag evaluation over the sampler's last samples.
    lag: LagWindow,
    lag_report: Option<LagReport>,
    /// A commit completed since the sampler's last sample.
    committed_since_sample: bool,
    /// The background producer, while one runs.
    producer: Option<CancellationToken>,
}

pub struct LabRun {
    pub id: String,
    pub lab: Arc<LoadedLab>,
    pub topic: String,
    pub group: String,
    /// The lab's consumer defaults with the run's own parameters applied.
    pub defaults: ConsumerSettings,
    broker: Broker,
    settings: Arc<RunSettings>,
    inner: Mutex<RunInner>,
    cancel: CancellationToken,
    last_activity: Mutex<Instant>,
    producer_rate: std::sync::atomic::AtomicU32,
}

/// Samples in Burrow's sliding window (at the sampler's interval, 500 ms: 5 s).
const LAG_WINDOW_SAMPLES: usize = 10;

/// The background producer's ceiling, records per second.
pub const MAX_PRODUCER_RATE: u32 = 500;

fn consumer_key(id: &str) -> Option<u32> {
    id.strip_prefix('c')?.parse().ok()
}

impl LabRun {
    fn lock(&self) -> MutexGuard<'_, RunInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks the run as in use (API calls and open streams keep it from idling out).
    pub fn touch(&self) {
        *self.last_activity.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    fn idle_for(&self) -> Duration {
        self.last_activity
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed()
    }

    /// Cancelled when the run is torn down: its streams and tasks end.
    pub fn cancelled(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Records a server-side event (about a consumer, or the run when `consumer` is None).
    pub fn record(&self, consumer: Option<&str>, event: LabEvent) -> u64 {
        let mut inner = self.lock();
        Self::apply(&mut inner, &self.group, consumer, None, &event);
        inner.log.append(|seq| {
            let stamped = StampedEvent {
                seq,
                ts: now_ms(),
                consumer: consumer.map(str::to_string),
                thread: None,
                event,
            };
            serde_json::to_string(&stamped).expect("events serialize")
        })
    }

    /// Records a line a worker wrote. Its JSON is kept as written, with the sequence number
    /// and the consumer spliced in front (no second serialization on the hot path).
    fn record_worker_line(&self, consumer: &str, line: &str) {
        match serde_json::from_str::<WorkerLine>(line) {
            Ok(parsed) if line.starts_with('{') => {
                let mut inner = self.lock();
                Self::apply(
                    &mut inner,
                    &self.group,
                    Some(consumer),
                    parsed.thread.as_deref(),
                    &parsed.event,
                );
                inner.log.append(|seq| {
                    format!("{{\"seq\":{seq},\"consumer\":\"{consumer}\",{}", &line[1..])
                });
            }
            _ => {
                self.record(
                    Some(consumer),
                    LabEvent::Error {
                        message: format!(
                            "worker wrote an unreadable line: {}",
                            line.chars().take(200).collect::<String>()
                        ),
                    },
                );
            }
        }
    }

    /// Updates the run's state from an event (before it is logged, so a reader that sees the
    /// event and then asks for the state sees the state after it).
    fn apply(
        inner: &mut RunInner,
        base_group: &str,
        consumer: Option<&str>,
        thread: Option<&str>,
        event: &LabEvent,
    ) {
        let key = consumer.and_then(consumer_key);
        *inner.kind_counts.entry(event.kind()).or_default() += 1;
        match event {
            LabEvent::CommitCompleted { error: Some(_), .. } => {
                *inner.kind_counts.entry("commit_failed").or_default() += 1;
            }
            LabEvent::CommitCompleted { error: None, .. } => inner.committed_since_sample = true,
            LabEvent::Lag { status, .. } => match status {
                GroupStatus::Warning => *inner.kind_counts.entry("lag_warning").or_default() += 1,
                GroupStatus::Error => *inner.kind_counts.entry("lag_error").or_default() += 1,
                GroupStatus::Ok => {}
            },
            _ => {}
        }
        // The group the event's consumer thread belongs to (threads may each have their own).
        // An `assign()`ed consumer is in no group: its reads never duplicate another's.
        let config = key
            .and_then(|k| inner.consumers.get(&k))
            .map(|s| &s.view.config);
        let distinct = config.is_some_and(|c| c.thread_groups == ThreadGroups::Distinct);
        let assigned = config.is_some_and(|c| c.assign_partition.is_some());
        let group = match (thread, consumer) {
            (Some(t), _) if distinct && t.starts_with('t') => format!("{base_group}-{t}"),
            (_, Some(cid)) if assigned => format!("{base_group} (assign, {cid})"),
            _ => base_group.to_string(),
        };
        if let (
            Some(cid),
            LabEvent::Record {
                partition, offset, ..
            },
        ) = (consumer, event)
        {
            inner.ledger.processed(&group, cid, *partition, *offset);
        }
        match event {
            LabEvent::Produced {
                partition, offset, ..
            } => {
                if let Some(p) = inner.partitions.get_mut(*partition as usize) {
                    p.log_end = p.log_end.max(offset + 1);
                }
            }
            LabEvent::CommitCompleted {
                offsets,
                error: None,
                ..
            } => {
                for po in offsets {
                    inner.ledger.committed(&group, po.partition, po.offset);
                }
            }
            LabEvent::PartitionsAssigned { partitions } => {
                for p in partitions {
                    if let Some(view) = inner.partitions.get_mut(*p as usize) {
                        view.owner = consumer.map(str::to_string);
                        view.owner_thread = thread.map(str::to_string);
                    }
                }
            }
            LabEvent::PartitionsRevoked { partitions } => {
                for p in partitions {
                    if let Some(view) = inner.partitions.get_mut(*p as usize) {
                        if view.owner.as_deref() == consumer
                            && view.owner_thread.as_deref() == thread
                        {
                            view.owner = None;
                            view.owner_thread = None;
                        }
                    }
                }
            }
            LabEvent::Offsets { partitions } => {
                for s in partitions {
                    if let Some(view) = inner.partitions.get_mut(s.partition as usize) {
                        view.log_end = s.log_end;
                        view.committed = s.committed;
                    }
                }
            }
            _ => {}
        }
        let Some(slot) = key.and_then(|k| inner.consumers.get_mut(&k)) else {
            return;
        };
        let view = &mut slot.view;
        match event {
            LabEvent::Spawned { pid } => view.pid = Some(*pid),
            LabEvent::Subscribed {
                assigned_partition, ..
            } => {
                view.status = ConsumerStatus::Running;
                view.assigned.extend(*assigned_partition);
            }
            LabEvent::Record { .. } => view.processed += 1,
            LabEvent::Paused { .. } => view.paused = true,
            LabEvent::Resumed => view.paused = false,
            LabEvent::PartitionsAssigned { partitions } => view.assigned.extend(partitions),
            LabEvent::PartitionsRevoked { partitions } => {
                for p in partitions {
                    view.assigned.remove(p);
                }
            }
            LabEvent::Wakeup => view.status = ConsumerStatus::Stopping,
            LabEvent::Closed => {
                view.status = ConsumerStatus::Closed;
                view.assigned.clear();
            }
            LabEvent::Killed => view.status = ConsumerStatus::Killed,
            LabEvent::Exited { code, signal } => {
                view.exit_code = *code;
                view.exit_signal = *signal;
                if view.status.is_live() {
                    view.status = ConsumerStatus::Exited;
                }
                view.paused = false;
                slot.handle = None;
            }
            _ => {}
        }
    }

    /// Starts a consumer (a new worker process) with the run's defaults and `options`.
    pub async fn add_consumer(
        self: &Arc<Self>,
        options: &ConsumerOptions,
    ) -> Result<String, RunError> {
        let config = options
            .apply(&self.defaults)
            .map_err(|(field, why)| RunError::BadField(field, why))?;
        if config.assignment_strategy != self.defaults.assignment_strategy {
            // One group, one strategy: real brokers refuse a mix, and librdkafka's mock
            // broker aborts the whole process on it (members live on after a kill, too).
            return Err(RunError::BadField(
                "assignment_strategy",
                format!(
                    "this run's group uses {:?}; choose the strategy when creating the run (params.assignment_strategy)",
                    self.defaults.assignment_strategy.librdkafka_name()
                ),
            ));
        }
        if let Some(p) = config.assign_partition {
            if p >= self.lab.lab.topic.partitions {
                return Err(RunError::BadField(
                    "assign_partition",
                    format!(
                        "the topic has partitions 0..{}",
                        self.lab.lab.topic.partitions - 1
                    ),
                ));
            }
        }
        let (cid, key) = {
            let mut inner = self.lock();
            let live = inner
                .consumers
                .values()
                .filter(|s| s.view.status.is_live())
                .count();
            let max = self.lab.lab.controls.max_consumers as usize;
            if live >= max {
                return Err(RunError::Limit(format!(
                    "this lab runs at most {max} consumer(s) at once; stop or kill one first"
                )));
            }
            inner.next_consumer += 1;
            let key = inner.next_consumer;
            let cid = format!("c{key}");
            inner.consumers.insert(
                key,
                ConsumerSlot {
                    view: ConsumerView {
                        id: cid.clone(),
                        pid: None,
                        status: ConsumerStatus::Starting,
                        processed: 0,
                        paused: false,
                        assigned: BTreeSet::new(),
                        exit_code: None,
                        exit_signal: None,
                        config: config.clone(),
                    },
                    handle: None,
                },
            );
            (cid, key)
        };
        let spec = WorkerSpec {
            run_id: self.id.clone(),
            consumer_id: cid.clone(),
            bootstrap_servers: self.broker.bootstrap_servers().to_string(),
            topic: self.topic.clone(),
            group_id: self.group.clone(),
            heartbeat_interval_ms: (config.session_timeout_ms / 3).clamp(100, 3000),
            consumer: config.clone(),
        };
        match worker_process::spawn(self.clone(), &spec, &self.settings.worker_exe) {
            Ok(handle) => {
                let pid = handle.pid;
                self.lock()
                    .consumers
                    .get_mut(&key)
                    .expect("just inserted")
                    .handle = Some(handle);
                self.record(Some(&cid), LabEvent::Spawned { pid });
                Ok(cid)
            }
            Err(e) => {
                self.lock().consumers.remove(&key);
                Err(RunError::Spawn(e))
            }
        }
    }

    fn with_handle<T>(
        &self,
        cid: &str,
        f: impl FnOnce(&WorkerHandle) -> T,
    ) -> Result<Option<T>, RunError> {
        let inner = self.lock();
        let slot = consumer_key(cid)
            .and_then(|k| inner.consumers.get(&k))
            .ok_or_else(|| RunError::NoSuchConsumer(cid.to_string()))?;
        Ok(slot.handle.as_ref().map(f))
    }

    /// Graceful stop: SIGTERM, the worker's shutdown hook (wakeup → commitSync → close).
    pub fn stop_consumer(&self, cid: &str) -> Result<(), RunError> {
        self.with_handle(cid, |h| h.signal(libc::SIGTERM))?
            .ok_or_else(|| RunError::Conflict(format!("consumer {cid} is not running")))
    }

    /// Crash: SIGKILL. No commit, no leave-group; the group notices after the session timeout.
    pub fn kill_consumer(&self, cid: &str) -> Result<(), RunError> {
        let alive = self.with_handle(cid, |_| ())?.is_some();
        if !alive {
            return Err(RunError::Conflict(format!("consumer {cid} is not running")));
        }
        // Logged before the signal, so the page sees "killed" before "exited".
        self.record(Some(cid), LabEvent::Killed);
        self.with_handle(cid, |h| h.signal(libc::SIGKILL))?;
        Ok(())
    }

    /// Sends a step control (pause / resume / step) to a consumer.
    pub fn control(&self, cid: &str, control: Control) -> Result<(), RunError> {
        let line = serde_json::to_string(&control).expect("controls serialize");
        let sent = self.with_handle(cid, |h| h.send_line(line))?;
        match sent {
            Some(true) => Ok(()),
            _ => Err(RunError::Conflict(format!("consumer {cid} is not running"))),
        }
    }

    /// Produces records for the trainee and logs where they landed.
    pub async fn produce(
        &self,
        records: &[(Option<String>, String)],
    ) -> Result<Vec<crate::broker::Delivery>, RunError> {
        let delivered = self.broker.produce(&self.topic, records).await?;
        for (d, (key, value)) in delivered.iter().zip(records) {
            self.record(
                None,
                LabEvent::Produced {
                    partition: d.partition,
                    offset: d.offset,
                    key: key.clone(),
                    value: value.clone(),
                },
            );
        }
        Ok(delivered)
    }

    /// Logs a `checkpoint` event for every checkpoint reached since the last look.
    pub fn check_checkpoints(&self) {
        let newly: Vec<(String, String)> = {
            let mut inner = self.lock();
            if inner.reached.len() == self.lab.lab.checkpoints.len() {
                return;
            }
            let report = inner.ledger.report();
            let consumers = inner.next_consumer as u64;
            let processed: u64 = report.partitions.iter().map(|p| p.processed).sum();
            let mut newly = vec![];
            for c in &self.lab.lab.checkpoints {
                if inner.reached.contains(&c.id) {
                    continue;
                }
                let at_least = |min: Option<u64>, v: u64| min.is_none_or(|m| v >= m);
                let at_most = |max: Option<u64>, v: u64| max.is_none_or(|m| v <= m);
                let ok = c
                    .after
                    .iter()
                    .all(|t| inner.kind_counts.get(t.as_str()).copied().unwrap_or(0) > 0)
                    && at_least(c.min_consumers, consumers)
                    && at_least(c.min_processed, processed)
                    && at_least(c.min_duplicates, report.duplicates)
                    && at_most(c.max_duplicates, report.duplicates)
                    && at_least(c.min_lost, report.lost)
                    && at_most(c.max_lost, report.lost);
                if ok {
                    inner.reached.insert(c.id.clone());
                    newly.push((c.id.clone(), c.text.clone()));
                }
            }
            newly
        };
        for (id, text) in newly {
            self.record(None, LabEvent::Checkpoint { id, text });
        }
    }

    pub fn view(&self) -> RunView {
        self.check_checkpoints();
        let inner = self.lock();
        let report = inner.ledger.report();
        RunView {
            id: self.id.clone(),
            lab: self.lab.lab.id.clone(),
            topic: self.topic.clone(),
            group: self.group.clone(),
            bootstrap_servers: self.broker.bootstrap_servers().to_string(),
            embedded_broker: self.broker.is_embedded(),
            last_seq: inner.log.next_seq() - 1,
            consumers: inner.consumers.values().map(|s| s.view.clone()).collect(),
            partitions: inner.partitions.clone(),
            duplicates: report.duplicates,
            lost: report.lost,
            checkpoints: self
                .lab
                .lab
                .checkpoints
                .iter()
                .map(|c| CheckpointView {
                    id: c.id.clone(),
                    text: c.text.clone(),
                    reached: inner.reached.contains(&c.id),
                })
                .collect(),
            lag: inner.lag_report.clone(),
            producer_rate: self.producer_rate(),
        }
    }

    /// A broker-side sample from the sampler: feeds the lag window and logs a `lag` event
    /// when the evaluation changes.
    pub fn observe_sample(&self, sample: Vec<crate::event::PartitionSample>) {
        let report = {
            let mut inner = self.lock();
            let committed = std::mem::take(&mut inner.committed_since_sample);
            inner.lag.push(sample, committed);
            let Some(report) = inner.lag.evaluate() else {
                return;
            };
            let changed = inner.lag_report.as_ref().is_none_or(|last| {
                last.status != report.status
                    || last
                        .partitions
                        .iter()
                        .zip(&report.partitions)
                        .any(|(a, b)| a.status != b.status)
            });
            inner.lag_report = Some(report.clone());
            if !changed {
                return;
            }
            report
        };
        self.record(
            None,
            LabEvent::Lag {
                status: report.status,
                partitions: report.partitions,
            },
        );
    }

    fn producer_rate(&self) -> u32 {
        self.producer_rate
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Starts, changes or (with 0) stops the run's background producer: `rate` keyless records
    /// per second, in batches every 100 ms, until the run ends.
    pub fn set_producer_rate(self: &Arc<Self>, rate: u32) -> Result<(), RunError> {
        if rate > MAX_PRODUCER_RATE {
            return Err(RunError::BadField(
                "rate_per_sec",
                format!("{rate} is more than {MAX_PRODUCER_RATE}"),
            ));
        }
        let token = self.cancel.child_token();
        if let Some(old) = self.lock().producer.replace(token.clone()) {
            old.cancel();
        }
        self.producer_rate
            .store(rate, std::sync::atomic::Ordering::Relaxed);
        self.record(None, LabEvent::ProducerRate { rate_per_sec: rate });
        if rate == 0 {
            token.cancel();
            return Ok(());
        }
        let run = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            let (mut sent, started) = (0u64, Instant::now());
            loop {
                tokio::select! {
                    _ = token.cancelled() => break,
                    _ = tick.tick() => {}
                }
                // Keep the average exact: what should have been sent by now, minus what was.
                let due = (started.elapsed().as_secs_f64() * f64::from(rate)) as u64;
                let values: Vec<(Option<String>, String)> =
                    (sent..due).map(|i| (None, format!("auto-{i}"))).collect();
                sent = due;
                if values.is_empty() {
                    continue;
                }
                if let Err(e) = run.produce(&values).await {
                    run.record(
                        None,
                        LabEvent::Error {
                            message: format!("background producer: {e}"),
                        },
                    );
                }
            }
        });
        Ok(())
    }

    pub fn ledger(&self) -> LedgerReport {
        self.lock().ledger.report()
    }

    /// The last sequence number logged so far.
    pub fn last_seq(&self) -> u64 {
        self.lock().log.next_seq() - 1
    }

    /// Replay after `after` plus a live subscription, with nothing missed in between.
    pub fn subscribe(
        &self,
        after: u64,
    ) -> (Replay, tokio::sync::broadcast::Receiver<Arc<LogEntry>>) {
        self.lock().log.subscribe_since(after)
    }

    /// What the log still holds after `after` (used to resync a subscriber that lagged).
    pub fn replay(&self, after: u64) -> Replay {
        self.lock().log.since(after)
    }

    fn subscriber_count(&self) -> usize {
        self.lock().log.subscriber_count()
    }

    /// Stops every worker (SIGTERM, then SIGKILL after the grace period), ends the run's tasks
    /// and streams. Idempotent.
    pub async fn teardown(&self) {
        let handles: Vec<(String, WorkerHandle)> = {
            let inner = self.lock();
            inner
                .consumers
                .values()
                .filter_map(|s| s.handle.as_ref().map(|h| (s.view.id.clone(), h.clone())))
                .collect()
        };
        for (_, h) in &handles {
            h.signal(libc::SIGTERM);
        }
        let grace = self.settings.stop_grace;
        for (cid, h) in &handles {
            if tokio::time::timeout(grace, h.exited()).await.is_err() {
                tracing::warn!(run = %self.id, consumer = %cid, "worker ignored SIGTERM; killing it");
                self.record(Some(cid), LabEvent::Killed);
                h.signal(libc::SIGKILL);
                let _ = tokio::time::timeout(Duration::from_secs(10), h.exited()).await;
            }
        }
        self.cancel.cancel();
    }
}

/// Every run on this server.
pub struct RunRegistry {
    runs: Mutex<HashMap<String, Arc<LabRun>>>,
    broker: Broker,
    settings: Arc<RunSettings>,
    shutdown: CancellationToken,
    id_seed: u64,
    next_id: Mutex<u64>,
}

impl RunRegistry {
    pub fn new(broker: Broker, settings: RunSettings, shutdown: CancellationToken) -> Arc<Self> {
        // Run ids differ between server starts, so a stale page cannot resume another run.
        let id_seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
            & 0x00ff_ffff;
        Arc::new(RunRegistry {
            runs: Mutex::new(HashMap::new()),
            broker,
            settings: Arc::new(settings),
            shutdown,
            id_seed,
            next_id: Mutex::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<LabRun>>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a run of `lab`: its own topic and group, so runs never see each other's data.
    pub async fn create(
        &self,
        lab: Arc<LoadedLab>,
        params: &ConsumerOptions,
    ) -> Result<Arc<LabRun>, RunError> {
        let defaults = params
            .apply(&lab.lab.consumer)
            .map_err(|(field, why)| RunError::BadField(field, why))?;
        if self.lock().len() >= self.settings.max_runs {
            return Err(RunError::Limit(format!(
                "the server already runs {} labs; delete one or wait for idle runs to expire",
                self.settings.max_runs
            )));
        }
        let id = {
            let mut n = self.next_id.lock().unwrap_or_else(|e| e.into_inner());
            *n += 1;
            format!("r{:06x}{}", self.id_seed, *n)
        };
        let topic = format!("{}-{id}", lab.lab.topic.name);
        let group = format!("{}-{id}", defaults.group);
        let partitions = lab.lab.topic.partitions;
        self.broker.create_topic(&topic, partitions).await?;
        let run = Arc::new(LabRun {
            id: id.clone(),
            lab,
            topic,
            group: group.clone(),
            defaults,
            broker: self.broker.clone(),
            settings: self.settings.clone(),
            inner: Mutex::new(RunInner {
                log: EventLog::new(self.settings.log_capacity, self.settings.live_buffer),
                consumers: BTreeMap::new(),
                next_consumer: 0,
                partitions: (0..partitions)
                    .map(|partition| PartitionView {
                        partition,
                        log_end: 0,
                        committed: None,
                        owner: None,
                        owner_thread: None,
                    })
                    .collect(),
                ledger: OffsetLedger::with_partitions(&group, partitions),
                kind_counts: HashMap::new(),
                reached: BTreeSet::new(),
                lag: LagWindow::new(LAG_WINDOW_SAMPLES),
                lag_report: None,
                committed_since_sample: false,
                producer: None,
            }),
            cancel: self.shutdown.child_token(),
            last_activity: Mutex::new(Instant::now()),
            producer_rate: std::sync::atomic::AtomicU32::new(0),
        });
        sampler::spawn(
            run.clone(),
            self.broker.clone(),
            self.settings.sample_interval,
        );
        self.lock().insert(id, run.clone());
        Ok(run)
    }

    pub fn get(&self, id: &str) -> Option<Arc<LabRun>> {
        self.lock().get(id).cloned()
    }

    pub fn idle_timeout(&self) -> Duration {
        self.settings.idle_timeout
    }

    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// Every run, oldest first (ids carry a counter, so they sort by creation).
    pub fn list(&self) -> Vec<Arc<LabRun>> {
        let mut runs: Vec<Arc<LabRun>> = self.lock().values().cloned().collect();
        runs.sort_by_key(|r| (r.id.len(), r.id.clone()));
        runs
    }

    /// Removes a run and tears it down.
    pub async fn remove(&self, id: &str) -> bool {
        // Torn down while still listed, so its last events and state stay readable until the
        // streams end; then it is gone.
        let Some(run) = self.get(id) else {
            return false;
        };
        run.teardown().await;
        self.lock().remove(id).is_some()
    }

    /// Tears down runs nobody has used for the idle timeout (no API calls, no open streams).
    pub async fn reap_idle(&self) {
        let idle: Vec<String> = self
            .lock()
            .values()
            .filter(|r| r.subscriber_count() == 0 && r.idle_for() > self.settings.idle_timeout)
            .map(|r| r.id.clone())
            .collect();
        for id in idle {
            tracing::info!(run = %id, "tearing down idle run");
            self.remove(&id).await;
        }
    }

    /// Server shutdown: every run torn down, concurrently.
    pub async fn shutdown_all(&self) {
        let runs: Vec<Arc<LabRun>> = self.lock().drain().map(|(_, r)| r).collect();
        futures::future::join_all(runs.iter().map(|r| r.teardown())).await;
    }
}

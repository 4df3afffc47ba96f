//! The consumer process: a Java-style poll loop over librdkafka with commit modes, step
//! controls, and the course's shutdown hook (SIGTERM → wakeup → commitSync → close).

pub mod context;
pub mod emit;
mod pool;
pub mod spec;

use std::collections::VecDeque;
use std::io::BufRead;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde::{Deserialize, Serialize};

use crate::event::{LabEvent, PartitionOffset};
use context::LabContext;
use emit::EventSink;
use pool::WorkerPool;
pub use spec::{
    check_consumer, AssignmentStrategy, CommitMode, ConsumerSettings, ThreadGroups, WorkerSpec,
};

/// A command the server writes to a worker's stdin, one JSON object per line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Control {
    Pause,
    Resume,
    /// Process this many records, then pause again.
    Step {
        records: u64,
    },
    /// Process the rest of the current poll batch (or the next batch), then pause again.
    StepBatch,
}

/// How long one blocking poll may run before the loop looks at signals and controls again:
/// this is how fast `wakeup()` takes effect.
const POLL_SLICE: Duration = Duration::from_millis(50);

/// Values longer than this are cut in events (the ledger needs offsets, not payloads).
const MAX_VALUE_CHARS: usize = 200;

/// A record the application has received but not yet processed.
pub(crate) struct HeldRecord {
    partition: i32,
    offset: i64,
    key: Option<String>,
    value: String,
}

fn text(bytes: Option<&[u8]>) -> Option<String> {
    bytes.map(|b| {
        let s = String::from_utf8_lossy(b);
        if s.chars().count() > MAX_VALUE_CHARS {
            s.chars().take(MAX_VALUE_CHARS).collect::<String>() + "…"
        } else {
            s.into_owned()
        }
    })
}

/// Entry point of `kafka-consumer-labs worker`: runs the consumer thread(s) until SIGTERM,
/// stdin EOF or a fatal error. Returns the process exit code.
pub fn run(spec: WorkerSpec) -> i32 {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        if let Err(e) = signal_hook::flag::register(signal, stop.clone()) {
            eprintln!("worker: cannot install signal handler: {e}");
            return 2;
        }
    }
    let threads = spec.consumer.threads.max(1) as usize;
    let mut inboxes = Vec::with_capacity(threads);
    let mut outboxes = Vec::with_capacity(threads);
    for _ in 0..threads {
        let (tx, rx) = std::sync::mpsc::channel();
        let wake = Arc::new(AtomicBool::new(false));
        outboxes.push((tx, wake.clone()));
        inboxes.push((rx, wake));
    }
    spawn_stdin_reader(stop.clone(), outboxes);
    let root = EventSink::stdout(None);
    let code = if threads == 1 {
        let (rx, wake) = inboxes.pop().expect("one inbox");
        run_consumer(spec, root.clone(), stop, wake, rx)
    } else {
        // The course's "1 process + n threads": each thread is its own consumer.
        let handles: Vec<_> = inboxes
            .into_iter()
            .enumerate()
            .map(|(i, (rx, wake))| {
                let name = format!("t{}", i + 1);
                let mut thread_spec = spec.clone();
                if spec.consumer.thread_groups == ThreadGroups::Distinct {
                    thread_spec.group_id = format!("{}-{name}", spec.group_id);
                }
                let sink = root.for_thread(name.clone());
                let stop = stop.clone();
                std::thread::Builder::new()
                    .name(name)
                    .spawn(move || run_consumer(thread_spec, sink, stop, wake, rx))
                    .expect("spawn consumer thread")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(4))
            .max()
            .unwrap_or(0)
    };
    root.flush();
    code
}

fn run_consumer(
    spec: WorkerSpec,
    sink: Arc<EventSink>,
    stop: Arc<AtomicBool>,
    wake: Arc<AtomicBool>,
    controls: Receiver<Control>,
) -> i32 {
    match PollLoop::new(spec, sink.clone(), stop, wake, controls) {
        Ok(mut poll_loop) => poll_loop.run(),
        Err(e) => {
            sink.emit(LabEvent::Error {
                message: format!("cannot create consumer: {e}"),
            });
            sink.flush();
            3
        }
    }
}

/// Reads control lines from stdin and hands each to every consumer thread. EOF means the
/// server is gone: stop gracefully.
fn spawn_stdin_reader(stop: Arc<AtomicBool>, outboxes: Vec<(Sender<Control>, Arc<AtomicBool>)>) {
    std::thread::Builder::new()
        .name("controls".into())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                match serde_json::from_str::<Control>(&line) {
                    Ok(control) => {
                        for (tx, wake) in &outboxes {
                            let _ = tx.send(control.clone());
                            wake.store(true, Ordering::SeqCst);
                        }
                    }
                    Err(e) => eprintln!("worker: ignoring control line {line:?}: {e}"),
                }
            }
            stop.store(true, Ordering::SeqCst);
        })
        .expect("spawn control reader thread");
}

pub fn consumer_config(spec: &WorkerSpec) -> ClientConfig {
    let mut config = ClientConfig::new();
    // librdkafka's own debug contexts (e.g. `cgrp,fetch`), logged on the worker's stderr.
    if let Ok(debug) = std::env::var("LABS_RDKAFKA_DEBUG") {
        config.set("debug", debug);
    }
    config
        .set("bootstrap.servers", &spec.bootstrap_servers)
        .set("group.id", &spec.group_id)
        .set("client.id", format!("{}-{}", spec.run_id, spec.consumer_id))
        .set("auto.offset.reset", &spec.consumer.auto_offset_reset)
        .set(
            "session.timeout.ms",
            spec.consumer.session_timeout_ms.to_string(),
        )
        .set(
            "heartbeat.interval.ms",
            spec.heartbeat_interval_ms.to_string(),
        )
        .set(
            "partition.assignment.strategy",
            spec.consumer.assignment_strategy.librdkafka_name(),
        )
        // A paused lab consumer still polls (to serve the group), so a long pause is fine;
        // this only bounds a consumer stuck in processing.
        .set("max.poll.interval.ms", "3600000")
        .set("enable.partition.eof", "false")
        .set("fetch.wait.max.ms", "100")
        .set(
            "enable.auto.commit",
            if spec.consumer.commit_mode.is_auto() {
                "true"
            } else {
                "false"
            },
        )
        .set(
            "auto.commit.interval.ms",
            spec.consumer.auto_commit_interval_ms.to_string(),
        )
        // Only the naive lesson lets librdkafka treat "returned by poll" as "consumed".
        .set(
            "enable.auto.offset.store",
            if spec.consumer.commit_mode == CommitMode::AutoNaive {
                "true"
            } else {
                "false"
            },
        );
    config
}

struct PollLoop {
    spec: WorkerSpec,
    sink: Arc<EventSink>,
    stop: Arc<AtomicBool>,
    wake: Arc<AtomicBool>,
    controls: Receiver<Control>,
    consumer: BaseConsumer<LabContext>,
    held: VecDeque<HeldRecord>,
    processed: u64,
    /// Records processed since the last every-N commit.
    since_commit: u64,
    /// Paused, unless `step_budget` records may still be processed.
    paused: bool,
    step_budget: u64,
    /// A "step one batch" arrived with nothing held: the next poll's batch is the step.
    step_next_batch: bool,
    /// The records of the current poll batch are all processed and the batch commit is due.
    batch_open: bool,
    /// The worker-pool design: records go to these threads instead of being processed here.
    pool: Option<WorkerPool>,
}

impl PollLoop {
    fn new(
        spec: WorkerSpec,
        sink: Arc<EventSink>,
        stop: Arc<AtomicBool>,
        wake: Arc<AtomicBool>,
        controls: Receiver<Control>,
    ) -> Result<Self, KafkaError> {
        let context = LabContext::new(
            sink.clone(),
            spec.topic.clone(),
            spec.consumer.commit_mode,
            spec.consumer.commit_on_revoke,
            spec.consumer.retry_failed_commits,
        );
        let consumer: BaseConsumer<LabContext> =
            consumer_config(&spec).create_with_context(context)?;
        match spec.consumer.assign_partition {
            // `assign()`: this consumer reads exactly this partition; the group coordinator
            // is only used for committed offsets, so nothing ever rebalances.
            Some(partition) => {
                let mut tpl = TopicPartitionList::new();
                tpl.add_partition_offset(&spec.topic, partition, Offset::Stored)?;
                consumer.assign(&tpl)?;
                consumer.context().progress().assigned.insert(partition);
            }
            None => consumer.subscribe(&[&spec.topic])?,
        }
        sink.emit(LabEvent::Subscribed {
            topic: spec.topic.clone(),
            group: Some(spec.group_id.clone()),
            commit_mode: spec.consumer.commit_mode.as_str().to_string(),
            assigned_partition: spec.consumer.assign_partition,
        });
        sink.flush();
        let pool = (spec.consumer.worker_pool > 0).then(|| {
            WorkerPool::start(
                spec.consumer.worker_pool,
                spec.consumer.processing_delay_ms,
                &sink,
            )
        });
        Ok(PollLoop {
            spec,
            sink,
            stop,
            wake,
            controls,
            consumer,
            held: VecDeque::new(),
            processed: 0,
            since_commit: 0,
            paused: false,
            step_budget: 0,
            step_next_batch: false,
            batch_open: false,
            pool,
        })
    }

    fn ctx(&self) -> &LabContext {
        self.consumer.context()
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.sink.is_broken()
    }

    fn run(&mut self) -> i32 {
        while !self.stopping() {
            self.apply_controls();
            if self.paused && self.step_budget == 0 && !self.step_next_batch {
                self.serve_while_paused();
                continue;
            }
            match self.held.pop_front() {
                Some(record) => self.process(record),
                None => {
                    if self.batch_open {
                        self.batch_open = false;
                        self.commit_after_batch();
                    }
                    self.poll_batch();
                }
            }
        }
        self.shutdown()
    }

    fn apply_controls(&mut self) {
        loop {
            match self.controls.try_recv() {
                Ok(Control::Pause) => self.pause(),
                Ok(Control::Resume) => {
                    self.step_budget = 0;
                    self.step_next_batch = false;
                    if self.paused {
                        self.paused = false;
                        self.set_fetching(true);
                        self.sink.emit(LabEvent::Resumed);
                    }
                }
                Ok(Control::StepBatch) => {
                    if !self.paused {
                        self.pause();
                    }
                    if self.held.is_empty() {
                        self.step_next_batch = true;
                    } else {
                        self.step_budget += self.held.len() as u64;
                    }
                    self.set_fetching(true);
                }
                Ok(Control::Step { records }) => {
                    if !self.paused {
                        self.pause();
                    }
                    self.step_budget += records;
                    self.set_fetching(true);
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return,
            }
        }
    }

    fn pause(&mut self) {
        if !self.paused {
            self.paused = true;
            self.step_budget = 0;
            self.set_fetching(false);
            self.sink.emit(LabEvent::Paused {
                processed: self.processed,
                held: self.held.len() as u32,
            });
            self.sink.flush();
        }
    }

    /// Pause or resume fetching on the assigned partitions, so a paused consumer can keep
    /// polling (heartbeats, rebalance callbacks) without receiving more records.
    fn set_fetching(&self, on: bool) {
        if let Ok(assignment) = self.consumer.assignment() {
            let _ = if on {
                self.consumer.resume(&assignment)
            } else {
                self.consumer.pause(&assignment)
            };
        }
    }

    fn serve_while_paused(&mut self) {
        self.sink.flush();
        // Serves the group (rebalance callbacks, async commit results); records that were
        // already on their way are held, never processed while paused.
        let polled = self
            .consumer
            .poll(Duration::from_millis(100))
            .map(|r| r.map(|message| Self::hold(&message)));
        self.drop_revoked();
        if let Some(Ok(record)) = polled {
            self.held.push_back(record);
        }
        self.retry_failed_commits();
    }

    fn hold(message: &rdkafka::message::BorrowedMessage<'_>) -> HeldRecord {
        HeldRecord {
            partition: message.partition(),
            offset: message.offset(),
            key: text(message.key()),
            value: text(message.payload()).unwrap_or_default(),
        }
    }

    /// Records of partitions the group took away are not ours to process any more.
    fn drop_revoked(&mut self) {
        let revoked = std::mem::take(&mut self.ctx().progress().revoked_since_poll);
        if !revoked.is_empty() {
            self.held.retain(|r| !revoked.contains(&r.partition));
        }
    }

    /// `poll(Duration.ofMillis(poll_timeout_ms))`: wait up to the timeout for the first record,
    /// then take what is ready, up to `max_poll_records`.
    fn poll_batch(&mut self) {
        self.sink.flush();
        let started = Instant::now();
        let deadline = started + Duration::from_millis(self.spec.consumer.poll_timeout_ms);
        let mut count = 0u32;
        loop {
            if self.stopping() || self.controls_pending() {
                break;
            }
            let now = Instant::now();
            let wait = if count > 0 {
                Duration::ZERO
            } else {
                deadline.saturating_duration_since(now).min(POLL_SLICE)
            };
            let polled = self
                .consumer
                .poll(wait)
                .map(|r| r.map(|message| Self::hold(&message)));
            // A rebalance callback may have run inside that poll: records collected before it
            // for revoked partitions are not ours any more (records after it are).
            self.drop_revoked();
            match polled {
                Some(Ok(record)) => {
                    self.held.push_back(record);
                    count += 1;
                    if count >= self.spec.consumer.max_poll_records {
                        break;
                    }
                }
                Some(Err(e)) => {
                    self.sink.emit(LabEvent::Error {
                        message: format!("poll: {e}"),
                    });
                }
                None => {
                    if count > 0 || Instant::now() >= deadline {
                        break;
                    }
                }
            }
        }
        self.retry_failed_commits();
        let count = self.held.len() as u32;
        if self.step_next_batch && count > 0 {
            self.step_next_batch = false;
            self.step_budget += u64::from(count);
        }
        self.sink.emit(LabEvent::Poll {
            count,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        });
        self.batch_open = count > 0;
    }

    /// The naive retry: send a failed commit again, even if a later one already succeeded.
    fn retry_failed_commits(&mut self) {
        let retries = std::mem::take(&mut self.ctx().progress().retry);
        for offsets in retries {
            self.ctx().commit_async(&self.consumer, offsets, "retry");
        }
    }

    /// True when a control line arrived since the last look (set by the stdin reader).
    fn controls_pending(&self) -> bool {
        self.wake.swap(false, Ordering::SeqCst)
    }

    fn process(&mut self, record: HeldRecord) {
        if self.spec.consumer.processing_delay_ms > 0 && self.pool.is_none() {
            self.sink.flush();
            let until =
                Instant::now() + Duration::from_millis(self.spec.consumer.processing_delay_ms);
            while Instant::now() < until {
                if self.stopping() {
                    // Shut down before this record is processed: it stays unprocessed.
                    self.held.push_front(record);
                    return;
                }
                std::thread::sleep(
                    until
                        .saturating_duration_since(Instant::now())
                        .min(POLL_SLICE),
                );
            }
        }
        if let Some(pool) = &self.pool {
            pool.dispatch(record);
            self.processed += 1;
            if self.spec.consumer.pause_after_records == Some(self.processed) {
                self.pause();
            }
            return;
        }
        let (partition, offset) = (record.partition, record.offset);
        self.sink.emit(LabEvent::Record {
            partition,
            offset,
            key: record.key,
            value: record.value,
        });
        self.processed += 1;
        self.since_commit += 1;
        self.ctx()
            .progress()
            .processed_next
            .insert(partition, offset + 1);
        self.after_record(partition, offset);
        if self.step_budget > 0 {
            self.step_budget -= 1;
            if self.step_budget == 0 {
                // A step that finished the batch ends like the loop body does: with its commit.
                if self.held.is_empty() && self.batch_open {
                    self.batch_open = false;
                    self.commit_after_batch();
                }
                self.set_fetching(false);
                self.sink.emit(LabEvent::Paused {
                    processed: self.processed,
                    held: self.held.len() as u32,
                });
            }
        }
        if self.spec.consumer.pause_after_records == Some(self.processed) {
            self.pause();
        }
    }

    /// Per-record offset handling of each commit mode.
    fn after_record(&mut self, partition: i32, offset: i64) {
        let next = PartitionOffset {
            partition,
            offset: offset + 1,
        };
        match self.spec.consumer.commit_mode {
            CommitMode::Auto => {
                // Store only what was processed; the auto-commit timer commits stored offsets.
                let mut tpl = TopicPartitionList::new();
                let _ = tpl.add_partition_offset(
                    &self.spec.topic,
                    partition,
                    Offset::Offset(offset + 1),
                );
                if let Err(e) = self.consumer.store_offsets(&tpl) {
                    self.sink.emit(LabEvent::Error {
                        message: format!("store offset {partition}@{offset}: {e}"),
                    });
                }
            }
            CommitMode::SyncRecord => {
                self.ctx().commit_sync(&self.consumer, vec![next], "record");
                self.since_commit = 0;
            }
            CommitMode::SyncBatch | CommitMode::Async => {
                if let Some(n) = self.spec.consumer.commit_every_records {
                    if self.since_commit >= n {
                        self.since_commit = 0;
                        let offsets = self.ctx().progress().uncommitted(None);
                        if self.spec.consumer.commit_mode == CommitMode::Async {
                            self.ctx().commit_async(&self.consumer, offsets, "every-n");
                        } else {
                            self.ctx().commit_sync(&self.consumer, offsets, "every-n");
                        }
                    }
                }
            }
            CommitMode::AutoNaive | CommitMode::None => {}
        }
    }

    /// The commit after the loop's `for (record : records)` finished a batch.
    fn commit_after_batch(&mut self) {
        if self.spec.consumer.commit_every_records.is_some() {
            return;
        }
        match self.spec.consumer.commit_mode {
            CommitMode::SyncBatch => {
                let offsets = self.ctx().progress().uncommitted(None);
                self.ctx().commit_sync(&self.consumer, offsets, "batch");
            }
            CommitMode::Async => {
                let offsets = self.ctx().progress().uncommitted(None);
                self.ctx().commit_async(&self.consumer, offsets, "batch");
            }
            _ => {}
        }
    }

    /// The course's `finally { consumer.commitSync(); consumer.close(); }` after `wakeup()`.
    fn shutdown(&mut self) -> i32 {
        self.sink.emit(LabEvent::Wakeup);
        if let Some(pool) = &mut self.pool {
            self.sink.flush();
            pool.drain();
        }
        match self.spec.consumer.commit_mode {
            CommitMode::None => {}
            _ if !self.spec.consumer.commit_on_shutdown => {}
            CommitMode::AutoNaive => {
                // What close() does with auto commit: commit the stored offsets, which here
                // include records that were returned by poll but never processed.
                let id_offsets: Vec<PartitionOffset> = self
                    .consumer
                    .position()
                    .map(|tpl| {
                        tpl.elements()
                            .iter()
                            .filter_map(|e| match e.offset() {
                                Offset::Offset(o) => Some(PartitionOffset {
                                    partition: e.partition(),
                                    offset: o,
                                }),
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                self.ctx().commit_sync(&self.consumer, id_offsets, "close");
            }
            _ => {
                // Like the course's `finally { consumer.commitSync(); }`: commit everything
                // processed, even if an earlier commit already covered it.
                let offsets: Vec<PartitionOffset> = self
                    .ctx()
                    .progress()
                    .processed_next
                    .iter()
                    .map(|(&partition, &offset)| PartitionOffset { partition, offset })
                    .collect();
                self.ctx().commit_sync(&self.consumer, offsets, "shutdown");
            }
        }
        self.sink.flush();
        // close(): leave the group (the revoke callback runs inside).
        if let Err(e) = self.consumer.close_queue() {
            self.sink.emit(LabEvent::Error {
                message: format!("close: {e}"),
            });
        } else {
            let deadline = Instant::now() + Duration::from_secs(30);
            while !self.consumer.closed() && Instant::now() < deadline {
                self.consumer.poll(Duration::from_millis(100));
            }
        }
        self.sink.emit(LabEvent::Closed);
        self.sink.flush();
        0
    }
}

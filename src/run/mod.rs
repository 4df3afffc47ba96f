//! `LabRun`: one trainee's run of a lab — its topic and group, its worker processes, its event
//! log and its state. Events go one way: a worker's line (or a server-side event) → the
//! [`RunState`] reducer → the log → subscribers.
//!
//! Here: `LabRun`, recording and the event source. Beside it: `consumers.rs` (start, stop,
//! kill, teardown), `lag.rs` (Burrow's view of the group, the offset reset), `view.rs` (what
//! the API and `/metrics` read), `producer.rs`, `sampler.rs`, `registry.rs`.

mod consumers;
#[cfg(test)]
mod fuzz_tests;
pub mod idle;
mod lag;
pub mod log;
pub mod notice;
pub mod options;
mod process;
mod producer;
mod registry;
mod sampler;
pub mod state;
mod view;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::broker::{Broker, BrokerError};
use crate::classroom::SessionId;
use crate::domain::burrow::{GroupWindows, LagReport};
use crate::domain::event::{now_ms, LabEvent, StampedEvent, WorkerLine};
use crate::domain::ledger::LedgerReport;
use crate::domain::settings::ConsumerSettings;
use crate::i18n::{Coded, ErrorCode, Text};
use crate::lab::LoadedLab;
pub use consumers::class_fetch_wait_ms;
use idle::LastActivity;
pub use lag::BURROW_CLASSROOM;
use log::{EventLog, EventSource, LogEntry, Replay};
pub use notice::{EndReason, NoticeSender, RunNotice, RunSummary};
use process::WorkerHandle;
pub use producer::MAX_PRODUCER_RATE;
pub use registry::RunRegistry;
use state::RunState;
pub use state::{ConsumerStatus, ConsumerView, PartitionView};
pub use view::{CheckpointView, RunGauges, RunView};

/// Why a run operation was refused. Each has an error code (`code()`): the page shows the
/// catalog's `err.<code>` with `params()`.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no consumer {0} in this run")]
    NoSuchConsumer(String),
    #[error("field `{0}`: {1}")]
    BadField(&'static str, Coded),
    /// A field over one of the server's limits (which waiting does not lift).
    #[error("field `{0}`: {1}")]
    OverLimit(&'static str, Coded),
    #[error("{0}")]
    Conflict(Coded),
    #[error("{0}")]
    Limit(Coded),
    /// The server cannot take more now (a resource it needs is used up).
    #[error("{0}")]
    Unavailable(Coded),
    #[error("broker: {0}")]
    Broker(#[from] BrokerError),
    #[error("cannot start the worker process: {0}")]
    Spawn(std::io::Error),
}

impl RunError {
    /// The error as its code and placeholder values (`field` included for a bad field).
    pub fn coded(&self) -> Coded {
        match self {
            RunError::NoSuchConsumer(cid) => {
                Coded::new(ErrorCode::NoConsumer, self.to_string()).with("consumer", cid.as_str())
            }
            RunError::BadField(field, why) | RunError::OverLimit(field, why) => Coded {
                message: self.to_string(),
                ..why.clone().with("field", *field)
            },
            RunError::Conflict(c) | RunError::Limit(c) | RunError::Unavailable(c) => c.clone(),
            RunError::Broker(e) => {
                Coded::new(ErrorCode::Broker, self.to_string()).with("detail", e.to_string())
            }
            RunError::Spawn(e) => {
                Coded::new(ErrorCode::Spawn, self.to_string()).with("detail", e.to_string())
            }
        }
    }
}

/// "consumer c1 is not running", coded.
fn not_running(cid: &str) -> RunError {
    RunError::Conflict(
        Coded::new(
            ErrorCode::NotRunning,
            format!("consumer {cid} is not running"),
        )
        .with("consumer", cid),
    )
}

/// Limits and paths every run shares.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// The binary that runs `worker` (this executable, unless tests say otherwise).
    pub worker_exe: PathBuf,
    pub max_runs: usize,
    /// Runs one trainee (session) may have at once.
    pub max_runs_per_session: usize,
    /// Runs open at once from one client address; 0: no limit.
    pub max_runs_per_address: usize,
    /// Consumers one run may have at once (a lab may allow fewer).
    pub max_consumers_per_run: usize,
    /// Records one produce call may send.
    pub max_produce_records: usize,
    /// The background producer's ceiling, records per second.
    pub max_producer_rate: u32,
    pub log_capacity: usize,
    /// Bytes of events kept per run (`EventLog::with_max_bytes`).
    pub log_max_bytes: usize,
    /// Silence after which a running consumer counts as hung (see `LabRun::kill_hung`).
    pub hung_after: Duration,
    pub live_buffer: usize,
    pub idle_timeout: Duration,
    /// How long a graceful stop may take at teardown before SIGKILL.
    pub stop_grace: Duration,
    pub sample_interval: Duration,
    /// `fetch.wait.max.ms` for every consumer; `None`: chosen per consumer at its start.
    pub fetch_wait_ms: Option<u64>,
    /// Where runs keep their sink files (`<data_dir>/runs/<run id>/`).
    pub data_dir: PathBuf,
}

/// A run's log, ledger and consumers at one instant (see [`LabRun::snapshot`]).
pub struct RunSnapshot {
    pub replay: Replay,
    pub ledger: LedgerReport,
    /// Each consumer incarnation's id and settings.
    pub consumers: Vec<(String, ConsumerSettings)>,
}

struct RunInner {
    log: EventLog,
    state: RunState,
    /// The worker processes still running, by consumer id.
    handles: BTreeMap<String, WorkerHandle>,
    /// The background producer, while one runs.
    producer: Option<CancellationToken>,
    /// What Burrow would store for the run's group: its commits and the broker's end offsets.
    burrow: GroupWindows,
    /// Burrow's last evaluation, as the page was told.
    lag: Option<LagReport>,
    /// The teardown has begun: no new consumer may start.
    closing: bool,
    /// When each worker last wrote a line (or started).
    heard: std::collections::HashMap<String, std::time::Instant>,
}

pub struct LabRun {
    /// 96 random bits: not guessable, and not in creation order.
    pub id: String,
    /// The session that created the run: only it (and the instructor) may see or drive it.
    pub owner: SessionId,
    /// The client address that created it (none when the server does not know it).
    pub address: Option<std::net::IpAddr>,
    /// When the run was created (ms since the epoch).
    pub created_ms: i64,
    pub lab: Arc<LoadedLab>,
    pub topic: String,
    pub group: String,
    /// The lab's consumer defaults with the run's own parameters applied.
    pub defaults: ConsumerSettings,
    broker: Broker,
    settings: Arc<RunSettings>,
    inner: Mutex<RunInner>,
    cancel: CancellationToken,
    last_activity: LastActivity,
    producer_rate: AtomicU32,
    notices: NoticeSender,
}

impl LabRun {
    fn lock(&self) -> MutexGuard<'_, RunInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks the run as in use (API calls and open streams keep it from idling out).
    pub fn touch(&self) {
        self.last_activity.touch();
    }

    fn idle_for(&self) -> Duration {
        self.last_activity.idle_for()
    }

    /// Records a server-side event (about a consumer, or the run when `consumer` is None).
    pub fn record(&self, consumer: Option<&str>, event: LabEvent) -> u64 {
        let mut inner = self.lock();
        let group = inner.apply(consumer, None, &event);
        inner.log.append(|seq| {
            let stamped = StampedEvent {
                seq,
                ts: now_ms(),
                consumer: consumer.map(str::to_string),
                thread: None,
                group,
                event,
            };
            serde_json::to_string(&stamped).expect("events serialize")
        })
    }

    /// Records a line a worker wrote. Its JSON is kept as written, with the sequence number,
    /// the consumer (and its group, when not the run's) spliced in front: no second
    /// serialization on the hot path.
    fn record_worker_line(&self, consumer: &str, line: &str) {
        match serde_json::from_str::<WorkerLine>(line) {
            Ok(parsed) if line.starts_with('{') => {
                let mut inner = self.lock();
                inner
                    .heard
                    .insert(consumer.to_string(), std::time::Instant::now());
                let thread = parsed.thread.as_deref();
                let group = inner
                    .apply(Some(consumer), thread, &parsed.event)
                    .map(|g| format!("\"group\":{},", serde_json::Value::from(g)))
                    .unwrap_or_default();
                inner.log.append(|seq| {
                    format!(
                        "{{\"seq\":{seq},\"consumer\":\"{consumer}\",{group}{}",
                        &line[1..]
                    )
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
        let newly: Vec<(String, Text)> = self
            .lock()
            .state
            .newly_reached(&self.lab.lab.checkpoints)
            .into_iter()
            .map(|c| (c.id.clone(), c.text.clone()))
            .collect();
        for (id, text) in newly {
            self.notices.send(RunNotice::Checkpoint {
                run: self.id.clone(),
                owner: self.owner.clone(),
                lab: self.lab.lab.id.clone(),
                checkpoint: id.clone(),
                ts: now_ms() as i64,
            });
            self.record(None, LabEvent::Checkpoint { id, text });
        }
    }

    pub fn ledger(&self) -> LedgerReport {
        self.lock().state.ledger()
    }

    /// Every logged event (and the gap before them, if the bounded log dropped some) with the
    /// ledger and the consumers' settings as of the last of them, taken together under one
    /// lock: what an export holds.
    pub fn snapshot(&self) -> RunSnapshot {
        let inner = self.lock();
        RunSnapshot {
            replay: inner.log.since(0),
            ledger: inner.state.ledger(),
            consumers: inner
                .state
                .consumers()
                .map(|c| (c.id.clone(), c.config.clone()))
                .collect(),
        }
    }

    /// The ledger's numbers now (what the classroom keeps of a run).
    pub fn summary(&self) -> RunSummary {
        let inner = self.lock();
        let report = inner.state.ledger_totals();
        RunSummary {
            processed: inner.state.consumers().map(|c| c.processed).sum(),
            duplicates: report.duplicates,
            lost: report.lost,
        }
    }

    fn subscriber_count(&self) -> usize {
        self.lock().log.subscriber_count()
    }
}

impl RunInner {
    /// The state learns of the event before it is logged, so a reader that sees the event
    /// and then asks for the state sees the state after it.
    /// Returns the event's group when it is not the run's own (see `RunState::apply`).
    fn apply(
        &mut self,
        consumer: Option<&str>,
        thread: Option<&str>,
        event: &LabEvent,
    ) -> Option<String> {
        let group = self.state.apply(consumer, thread, event);
        match event {
            LabEvent::Exited { .. } => {
                if let Some(cid) = consumer {
                    self.handles.remove(cid);
                }
            }
            // Burrow reads the run's group's commits (from `__consumer_offsets`).
            LabEvent::CommitCompleted {
                error: None,
                offsets,
                ..
            } if group.is_none() => {
                self.burrow.commit(
                    offsets.iter().map(|o| (o.partition, o.offset)),
                    now_ms() as i64,
                );
            }
            _ => {}
        }
        group
    }
}

impl EventSource for LabRun {
    fn last_seq(&self) -> u64 {
        self.lock().log.next_seq() - 1
    }

    fn subscribe(&self, after: u64) -> (Replay, tokio::sync::broadcast::Receiver<Arc<LogEntry>>) {
        self.lock().log.subscribe_since(after)
    }

    fn replay(&self, after: u64) -> Replay {
        self.lock().log.since(after)
    }

    fn cancelled(&self) -> CancellationToken {
        self.cancel.clone()
    }
}

//! `LabEvent`: the one contract between worker processes, the server and the pages.
//!
//! Workers write one [`WorkerLine`] per line of JSON on stdout; the server stamps each
//! with the run's sequence number and the consumer that sent it ([`StampedEvent`]),
//! appends it to the run's event log and broadcasts it to SSE subscribers.

use serde::{Deserialize, Serialize};

use super::burrow::LagReport;
use super::client_metrics::ClientMetrics;
use super::lag::PartitionSample;
use super::settings::CommitMode;
use crate::i18n::Text;

/// A partition and an offset: for commits, the offset is the *next* offset to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOffset {
    pub partition: i32,
    pub offset: i64,
}

/// How a commit was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitKind {
    /// `commitSync()`: the poll loop blocks until the broker answers.
    Sync,
    /// `commitAsync()`: the poll loop goes on; the answer arrives on a later poll.
    Async,
    /// `enable.auto.commit=true`: librdkafka commits stored offsets on a timer.
    Auto,
}

/// Why the application asked for a commit (the line of the course's code that did).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommitReason {
    /// `commitSync(Map)` after one record.
    Record,
    /// After every `commit_every_records` records.
    EveryN,
    /// After a whole poll batch.
    Batch,
    /// A failed async commit, retried (the naive retry of the async lab).
    Retry,
    /// `close()` with auto commit: the stored offsets (with the naive store, whatever poll
    /// returned, processed or not).
    Close,
    /// The shutdown hook: wakeup → commitSync → close.
    Shutdown,
    /// Inside `onPartitionsRevoked`.
    Revoke,
    /// librdkafka's auto commit timer.
    Auto,
}

/// Which rebalance callback ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RebalanceKind {
    /// `onPartitionsAssigned`.
    Assign,
    /// `onPartitionsRevoked`.
    Revoke,
    /// The group reported a rebalance error.
    Error,
}

/// Everything that can happen in a lab run.
///
/// The `type` tag of each variant is its snake_case name, written once here: `kind()`, the
/// list of tags (`LabEvent::VARIANTS`) and the page's `static/lab/event-kinds.js` come from it.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum LabEvent {
    /// The server produced a record for the trainee.
    Produced {
        partition: i32,
        offset: i64,
        key: Option<String>,
        value: String,
    },
    /// The worker process exists (server side, right after spawn).
    Spawned { pid: u32 },
    /// The consumer is created and has subscribed (or assigned) to the topic.
    Subscribed {
        topic: String,
        group: Option<String>,
        commit_mode: CommitMode,
        /// Set when the consumer `assign()`ed this one partition instead of subscribing.
        #[serde(default)]
        assigned_partition: Option<i32>,
    },
    /// One `poll(timeout)`: how many records it returned and how long it blocked.
    Poll { count: u32, duration_ms: f64 },
    /// One record processed by the application (the ledger's ground truth).
    Record {
        partition: i32,
        offset: i64,
        key: Option<String>,
        value: String,
    },
    /// The sinks lab: the consumer wrote a record to the run's sinks (CSV files and SQLite
    /// tables) as its processing, before any commit covers it. A kill between this and that
    /// commit is the course's duplicate: the next consumer writes the record again.
    SinkWritten {
        partition: i32,
        offset: i64,
        /// Rows of `payments_naive` holding this record now (2 or more: a double charge).
        naive_rows: u64,
        /// False when the idempotent sinks already held the record and skipped it.
        idempotent_inserted: bool,
    },
    /// The application asked for a commit.
    CommitRequested {
        commit_id: u64,
        mode: CommitKind,
        reason: CommitReason,
        offsets: Vec<PartitionOffset>,
    },
    /// The broker answered a commit (or librdkafka reported an auto commit).
    CommitCompleted {
        commit_id: Option<u64>,
        mode: CommitKind,
        reason: CommitReason,
        offsets: Vec<PartitionOffset>,
        latency_ms: Option<f64>,
        error: Option<String>,
    },
    /// The group gave this consumer partitions (rebalance listener: onPartitionsAssigned).
    PartitionsAssigned { partitions: Vec<i32> },
    /// The group took partitions away (rebalance listener: onPartitionsRevoked).
    PartitionsRevoked { partitions: Vec<i32> },
    /// A rebalance callback finished; how long it ran (commits inside it included).
    RebalanceDone {
        kind: RebalanceKind,
        duration_ms: f64,
    },
    /// Processing paused (by the trainee, or after N records).
    Paused { processed: u64, held: u32 },
    /// Processing resumed.
    Resumed,
    /// SIGTERM reached the worker: the shutdown hook's `wakeup()`.
    Wakeup,
    /// The shutdown hook's final commit is done, and the consumer waits for the other members
    /// of its group to finish theirs before it leaves: a member that left first would start a
    /// rebalance, and the others' final commits would fail (`RebalanceInProgress`).
    ReadyToLeave,
    /// `close()` returned: the consumer left the group.
    Closed,
    /// The server sent SIGKILL: no commit, no leave-group.
    Killed,
    /// The worker process ended.
    Exited {
        code: Option<i32>,
        signal: Option<i32>,
    },
    /// Broker-side partition state changed (log-end and committed offsets).
    Offsets { partitions: Vec<PartitionSample> },
    /// Burrow's evaluation of the run's group changed (a status, a rule or a commit window);
    /// see `domain::burrow`.
    Lag {
        #[serde(flatten)]
        report: LagReport,
    },
    /// The consumer's own metrics, as Java's `consumer.metrics()` would report them, from
    /// librdkafka's statistics once a second (see `domain::client_metrics`). They stop with the
    /// consumer: nothing reports them for a dead one.
    ClientMetrics {
        #[serde(flatten)]
        metrics: ClientMetrics,
    },
    /// The group's committed offsets were reset from outside (the admin API's reset, as
    /// `kafka-consumer-groups.sh --reset-offsets`), while no member was running.
    OffsetsReset { offsets: Vec<PartitionOffset> },
    /// The run's background producer changed its rate (0: stopped).
    ProducerRate { rate_per_sec: u32 },
    /// A fault was injected into the embedded broker.
    Fault { description: Text },
    /// The server could (again) or could not reach the broker when it sampled the run's
    /// offsets; `detail` says what failed.
    Broker {
        reachable: bool,
        detail: Option<String>,
    },
    /// A lab checkpoint was reached for the first time.
    /// (Its text in both languages: a stream is shared by readers of either.)
    Checkpoint { id: String, text: Text },
    /// Something went wrong; the message says what.
    Error { message: String },
}

impl LabEvent {
    /// The `type` tag, for logs and counters.
    pub fn kind(&self) -> &'static str {
        self.into()
    }
}

/// What a worker writes: one event, when it happened, and on which thread.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerLine {
    /// Unix time in milliseconds, taken in the worker when the event happened.
    pub ts: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    #[serde(flatten)]
    pub event: LabEvent,
}

/// An event as stored in a run's log and sent to pages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StampedEvent {
    /// Position in the run's log, from 1; the SSE `id`.
    pub seq: u64,
    /// Unix time in milliseconds.
    pub ts: f64,
    /// The consumer (worker incarnation) the event is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    /// The consumer group the event's thread reads in, when it is not the run's own group
    /// (see `domain::group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(flatten)]
    pub event: LabEvent,
}

/// Unix time now, in milliseconds.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use strum::VariantNames;

    use super::*;
    use crate::domain::burrow::{ConsumerOffset, LagPartition, Reason, Status};

    #[test]
    fn worker_line_round_trips_with_flat_type_tag() {
        let line = WorkerLine {
            ts: 1.5,
            thread: None,
            event: LabEvent::Record {
                partition: 2,
                offset: 7,
                key: None,
                value: "3".into(),
            },
        };
        let json = serde_json::to_string(&line).unwrap();
        assert!(json.contains(r#""type":"record""#), "{json}");
        let back: WorkerLine = serde_json::from_str(&json).unwrap();
        assert_eq!(back.event, line.event);
    }

    /// One event of every kind.
    fn one_of_each() -> Vec<LabEvent> {
        let offsets = vec![PartitionOffset {
            partition: 0,
            offset: 1,
        }];
        vec![
            LabEvent::Produced {
                partition: 0,
                offset: 0,
                key: None,
                value: "1".into(),
            },
            LabEvent::Spawned { pid: 1 },
            LabEvent::Subscribed {
                topic: "t".into(),
                group: Some("g".into()),
                commit_mode: CommitMode::SyncBatch,
                assigned_partition: None,
            },
            LabEvent::Poll {
                count: 1,
                duration_ms: 1.0,
            },
            LabEvent::Record {
                partition: 0,
                offset: 0,
                key: None,
                value: "1".into(),
            },
            LabEvent::SinkWritten {
                partition: 0,
                offset: 0,
                naive_rows: 2,
                idempotent_inserted: false,
            },
            LabEvent::CommitRequested {
                commit_id: 1,
                mode: CommitKind::Sync,
                reason: CommitReason::EveryN,
                offsets: offsets.clone(),
            },
            LabEvent::CommitCompleted {
                commit_id: Some(1),
                mode: CommitKind::Sync,
                reason: CommitReason::EveryN,
                offsets,
                latency_ms: Some(1.0),
                error: None,
            },
            LabEvent::PartitionsAssigned {
                partitions: vec![0],
            },
            LabEvent::PartitionsRevoked {
                partitions: vec![0],
            },
            LabEvent::RebalanceDone {
                kind: RebalanceKind::Revoke,
                duration_ms: 1.0,
            },
            LabEvent::Paused {
                processed: 1,
                held: 0,
            },
            LabEvent::Resumed,
            LabEvent::Wakeup,
            LabEvent::ReadyToLeave,
            LabEvent::Closed,
            LabEvent::Killed,
            LabEvent::Exited {
                code: Some(0),
                signal: None,
            },
            LabEvent::Offsets {
                partitions: vec![PartitionSample::new(0, 5, Some(2))],
            },
            LabEvent::Lag {
                report: LagReport {
                    status: Status::Warn,
                    complete: 0.5,
                    totallag: 3,
                    partitions: vec![LagPartition {
                        partition: 0,
                        status: Status::Warn,
                        current_lag: 3,
                        complete: 0.5,
                        reason: Reason::LagNotDecreasing { lags: vec![1, 3] },
                        window: vec![ConsumerOffset {
                            offset: 5,
                            timestamp: 1,
                            observed_at: 1,
                            lag: Some(1),
                        }],
                    }],
                },
            },
            LabEvent::ClientMetrics {
                metrics: ClientMetrics {
                    records_lag_max: Some(3),
                    fetch_rate: Some(1.5),
                    fetch_size_avg: None,
                    records_consumed_rate: Some(10.0),
                    partitions: vec![],
                },
            },
            LabEvent::OffsetsReset {
                offsets: vec![PartitionOffset {
                    partition: 0,
                    offset: 0,
                }],
            },
            LabEvent::ProducerRate { rate_per_sec: 1 },
            LabEvent::Fault {
                description: Text::new("x", "엑스"),
            },
            LabEvent::Broker {
                reachable: false,
                detail: Some("timed out".into()),
            },
            LabEvent::Checkpoint {
                id: "a".into(),
                text: Text::new("b", "비"),
            },
            LabEvent::Error {
                message: "m".into(),
            },
        ]
    }

    #[test]
    fn each_kind_is_its_serde_tag_and_round_trips() {
        let events = one_of_each();
        let kinds: Vec<&str> = events.iter().map(LabEvent::kind).collect();
        assert_eq!(
            kinds,
            LabEvent::VARIANTS,
            "one_of_each lists every variant in order"
        );
        for event in events {
            let json = serde_json::to_value(&event).unwrap();
            assert_eq!(json["type"], event.kind(), "{json}");
            let back: LabEvent = serde_json::from_value(json).unwrap();
            assert_eq!(back, event);
        }
    }

    #[test]
    fn enum_values_travel_as_the_course_words() {
        let json = |v: serde_json::Value| v.to_string();
        assert_eq!(
            json(serde_json::json!(CommitReason::EveryN)),
            r#""every-n""#
        );
        assert_eq!(
            json(serde_json::json!(RebalanceKind::Revoke)),
            r#""revoke""#
        );
        assert_eq!(
            json(serde_json::json!(CommitMode::AutoNaive)),
            r#""auto-naive""#
        );
    }

    /// The page's copy of the tag list (`static/lab/event-kinds.js`) is generated from the
    /// enum; `UPDATE_EVENT_KINDS=1 cargo test --lib event_kinds` rewrites it.
    #[test]
    fn event_kinds_js_is_generated_from_the_enum() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/lab/event-kinds.js");
        let mut want = String::from(
            "// Generated from `LabEvent` (src/domain/event.rs); `cargo test` fails when it is out of date\n\
             // and `UPDATE_EVENT_KINDS=1 cargo test --lib event_kinds` rewrites it. Do not edit by hand.\n\
             export const EVENT_KINDS = Object.freeze([\n",
        );
        for kind in LabEvent::VARIANTS {
            want.push_str(&format!("  '{kind}',\n"));
        }
        want.push_str("]);\n");
        if std::env::var_os("UPDATE_EVENT_KINDS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            have,
            want,
            "{} is out of date: run `UPDATE_EVENT_KINDS=1 cargo test --lib event_kinds`",
            path.display()
        );
    }
}

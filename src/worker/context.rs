//! `LabContext`: the consumer's rebalance listener and commit callback, forwarding both as events.
//!
//! Callbacks run on the polling thread, inside `poll()`: they only emit events, update the
//! shared progress and (with `commit_on_revoke`) do the listener's synchronous commit.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaResult;
use rdkafka::{ClientContext, Offset, Statistics, TopicPartitionList};

use super::emit::EventSink;
use crate::domain::client_metrics::{MetricsWindow, PartitionStats, StatsSnapshot};
use crate::domain::event::{CommitKind, CommitReason, LabEvent, PartitionOffset, RebalanceKind};
use crate::domain::settings::CommitMode;

/// What the application has processed and what it believes is committed, per partition.
#[derive(Debug, Default)]
pub struct Progress {
    /// Next offset to process per partition (last processed + 1).
    pub processed_next: BTreeMap<i32, i64>,
    /// Last offset this consumer successfully committed per partition.
    pub committed: BTreeMap<i32, i64>,
    /// Partitions this consumer owns now.
    pub assigned: BTreeSet<i32>,
    /// Partitions revoked since the poll loop last looked (held records for them are dropped).
    pub revoked_since_poll: Vec<i32>,
    /// Failed async commits to send again (only with `retry_failed_commits`).
    pub retry: Vec<Vec<PartitionOffset>>,
}

impl Progress {
    /// Every processed partition's next offset, committed already or not.
    pub fn processed(&self) -> Vec<PartitionOffset> {
        self.processed_next
            .iter()
            .map(|(&partition, &offset)| PartitionOffset { partition, offset })
            .collect()
    }

    /// Processed offsets not yet committed, limited to `partitions` when given.
    pub fn uncommitted(&self, partitions: Option<&[i32]>) -> Vec<PartitionOffset> {
        self.processed_next
            .iter()
            .filter(|(p, _)| partitions.is_none_or(|ps| ps.contains(p)))
            .filter(|(p, next)| self.committed.get(p) != Some(next))
            .map(|(&partition, &offset)| PartitionOffset { partition, offset })
            .collect()
    }
}

/// An async commit waiting for its answer.
struct PendingAsync {
    id: u64,
    started: Instant,
    reason: CommitReason,
}

pub struct LabContext {
    pub sink: Arc<EventSink>,
    pub topic: String,
    pub commit_mode: CommitMode,
    pub commit_on_revoke: bool,
    pub retry_failed_commits: bool,
    pub progress: Mutex<Progress>,
    /// Set when `revoked_since_poll` got partitions: the poll loop looks at the list (under
    /// its lock) only then, not after every record `poll` returns.
    pub revoked_pending: AtomicBool,
    next_commit_id: AtomicU64,
    pending_async: Mutex<VecDeque<PendingAsync>>,
    rebalance_started: Mutex<Option<Instant>>,
    /// Records `poll` handed to the application (for `records-consumed-rate`).
    pub delivered: AtomicU64,
    /// The last statistics emits, for the consumer's own metrics.
    metrics: Mutex<MetricsWindow>,
}

impl LabContext {
    pub fn new(
        sink: Arc<EventSink>,
        topic: String,
        commit_mode: CommitMode,
        commit_on_revoke: bool,
        retry_failed_commits: bool,
    ) -> Self {
        LabContext {
            sink,
            topic,
            commit_mode,
            commit_on_revoke,
            retry_failed_commits,
            progress: Mutex::new(Progress::default()),
            revoked_pending: AtomicBool::new(false),
            next_commit_id: AtomicU64::new(1),
            pending_async: Mutex::new(VecDeque::new()),
            rebalance_started: Mutex::new(None),
            delivered: AtomicU64::new(0),
            metrics: Mutex::new(MetricsWindow::new(METRICS_WINDOW)),
        }
    }

    pub fn progress(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A partition list of this consumer's topic with these offsets.
    pub fn tpl(&self, offsets: &[PartitionOffset]) -> TopicPartitionList {
        let mut tpl = TopicPartitionList::new();
        for po in offsets {
            // Cannot fail for a valid offset; the partition list owns its own copy.
            let _ = tpl.add_partition_offset(&self.topic, po.partition, Offset::Offset(po.offset));
        }
        tpl
    }

    /// `commitSync(offsets)`: blocks this thread until the broker answers, reporting both ends.
    pub fn commit_sync(
        &self,
        consumer: &BaseConsumer<LabContext>,
        offsets: Vec<PartitionOffset>,
        reason: CommitReason,
    ) -> bool {
        if offsets.is_empty() {
            return true;
        }
        let id = self.next_commit_id.fetch_add(1, Ordering::Relaxed);
        self.sink.emit(LabEvent::CommitRequested {
            commit_id: id,
            mode: CommitKind::Sync,
            reason,
            offsets: offsets.clone(),
        });
        self.sink.flush();
        let started = Instant::now();
        let result = consumer.commit(&self.tpl(&offsets), rdkafka::consumer::CommitMode::Sync);
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        if result.is_ok() {
            let mut progress = self.progress();
            for po in &offsets {
                progress.committed.insert(po.partition, po.offset);
            }
        }
        self.sink.emit(LabEvent::CommitCompleted {
            commit_id: Some(id),
            mode: CommitKind::Sync,
            reason,
            offsets,
            latency_ms: Some(latency_ms),
            error: result.as_ref().err().map(|e| e.to_string()),
        });
        result.is_ok()
    }

    /// `commitAsync(offsets)`: returns at once; the answer comes back through `commit_callback`
    /// on a later poll. rust-rdkafka's `commit(.., Async)` never reports manual commits to the
    /// callback (rust-rdkafka #856), so the request goes through `rd_kafka_commit_queue` with the
    /// consumer's own queue as the reply queue.
    pub fn commit_async(
        &self,
        consumer: &BaseConsumer<LabContext>,
        offsets: Vec<PartitionOffset>,
        reason: CommitReason,
    ) {
        if offsets.is_empty() {
            return;
        }
        let id = self.next_commit_id.fetch_add(1, Ordering::Relaxed);
        self.sink.emit(LabEvent::CommitRequested {
            commit_id: id,
            mode: CommitKind::Async,
            reason,
            offsets: offsets.clone(),
        });
        self.pending_async
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(PendingAsync {
                id,
                started: Instant::now(),
                reason,
            });
        let tpl = self.tpl(&offsets);
        let rk = consumer.client().native_ptr();
        // SAFETY: `rk` is a live consumer handle; the queue reference we take is released
        // right after the call, and librdkafka copies the partition list.
        let err = unsafe {
            let queue = rdkafka::bindings::rd_kafka_queue_get_consumer(rk);
            let err = rdkafka::bindings::rd_kafka_commit_queue(
                rk,
                tpl.ptr(),
                queue,
                None,
                std::ptr::null_mut(),
            );
            rdkafka::bindings::rd_kafka_queue_destroy(queue);
            err
        };
        if err != rdkafka::bindings::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            let _ = self
                .pending_async
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop_back();
            let code: rdkafka::types::RDKafkaErrorCode = err.into();
            self.sink.emit(LabEvent::CommitCompleted {
                commit_id: Some(id),
                mode: CommitKind::Async,
                reason,
                offsets,
                latency_ms: None,
                error: Some(code.to_string()),
            });
        }
    }

    fn partitions_of(tpl: &TopicPartitionList) -> Vec<i32> {
        tpl.elements().iter().map(|e| e.partition()).collect()
    }
}

/// The offsets of a partition list (partitions without a concrete offset left out).
pub fn offsets_of(tpl: &TopicPartitionList) -> Vec<PartitionOffset> {
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
}

impl ClientContext for LabContext {
    /// librdkafka's log lines go to stderr, which the server keeps in its own log.
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, log_message: &str) {
        eprintln!("rdkafka {level:?} {fac}: {log_message}");
    }

    /// librdkafka's statistics (every `statistics.interval.ms`, on the polling thread): the
    /// consumer's own metrics, sent as one event.
    fn stats(&self, stats: Statistics) {
        let snapshot = self.snapshot(&stats);
        let metrics = self
            .metrics
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(snapshot);
        self.sink.emit(LabEvent::ClientMetrics { metrics });
    }
}

/// Statistics emits kept for `records-lag-max` (30 at the lab's 1 s interval).
const METRICS_WINDOW: usize = 30;

impl LabContext {
    /// The numbers of one statistics emit that the metrics need, for this consumer's topic.
    fn snapshot(&self, stats: &Statistics) -> StatsSnapshot {
        let mut partitions: Vec<PartitionStats> = stats
            .topics
            .get(&self.topic)
            .map(|t| {
                t.partitions
                    .values()
                    // −1 is librdkafka's internal UA partition; `desired` = assigned to us.
                    .filter(|p| p.partition >= 0 && p.desired)
                    .map(|p| PartitionStats {
                        partition: p.partition,
                        // librdkafka's default isolation.level=read_committed reads up to
                        // the last stable offset.
                        end: if p.ls_offset >= 0 {
                            p.ls_offset
                        } else {
                            p.hi_offset
                        },
                        app_offset: p.app_offset,
                        committed_offset: p.committed_offset,
                        fetchq_cnt: p.fetchq_cnt,
                    })
                    .collect()
            })
            .unwrap_or_default();
        partitions.sort_by_key(|p| p.partition);
        StatsSnapshot {
            ts_us: stats.ts,
            fetch_requests: stats
                .brokers
                .values()
                .filter_map(|b| b.req.get("Fetch"))
                .sum(),
            fetched_bytes: stats.rxmsg_bytes,
            delivered: self.delivered.load(Ordering::Relaxed),
            partitions,
        }
    }
}

impl ConsumerContext for LabContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        *self
            .rebalance_started
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        match rebalance {
            Rebalance::Revoke(tpl) => {
                let partitions = Self::partitions_of(tpl);
                self.sink.emit(LabEvent::PartitionsRevoked {
                    partitions: partitions.clone(),
                });
                // The rebalance listener's lesson: commit what was processed before giving
                // the partitions away, so the next owner starts exactly after it.
                if self.commit_on_revoke && self.commit_mode != CommitMode::None {
                    let offsets = self.progress().uncommitted(Some(&partitions));
                    self.commit_sync(consumer, offsets, CommitReason::Revoke);
                }
                // Forget them: a later commit must never cover partitions we no longer own
                // (it would move another member's committed offset).
                let mut progress = self.progress();
                for p in &partitions {
                    progress.assigned.remove(p);
                    progress.processed_next.remove(p);
                    progress.committed.remove(p);
                }
                progress.revoked_since_poll.extend(partitions);
                self.revoked_pending.store(true, Ordering::Release);
            }
            Rebalance::Assign(_) => {}
            Rebalance::Error(e) => self.sink.emit(LabEvent::Error {
                message: format!("rebalance error: {e}"),
            }),
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let kind = match rebalance {
            Rebalance::Assign(tpl) => {
                let partitions = Self::partitions_of(tpl);
                self.progress().assigned.extend(partitions.iter().copied());
                self.sink.emit(LabEvent::PartitionsAssigned { partitions });
                RebalanceKind::Assign
            }
            Rebalance::Revoke(_) => RebalanceKind::Revoke,
            Rebalance::Error(_) => RebalanceKind::Error,
        };
        if let Some(started) = self
            .rebalance_started
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            self.sink.emit(LabEvent::RebalanceDone {
                kind,
                duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            });
        }
        self.sink.flush();
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        let offsets = offsets_of(offsets);
        let pending = self
            .pending_async
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front();
        let (commit_id, mode, reason, latency_ms) = match pending {
            Some(p) => (
                Some(p.id),
                CommitKind::Async,
                p.reason,
                Some(p.started.elapsed().as_secs_f64() * 1000.0),
            ),
            None if self.commit_mode.is_auto() => {
                (None, CommitKind::Auto, CommitReason::Auto, None)
            }
            // Sync commits report their own result; nothing else is expected here.
            None => return,
        };
        // librdkafka reports "no offset to commit" for an idle auto-commit tick: not news.
        if let Err(rdkafka::error::KafkaError::ConsumerCommit(
            rdkafka::types::RDKafkaErrorCode::NoOffset,
        )) = result
        {
            if mode == CommitKind::Auto {
                return;
            }
        }
        if result.is_ok() {
            let mut progress = self.progress();
            for po in &offsets {
                progress.committed.insert(po.partition, po.offset);
            }
        } else if mode == CommitKind::Async && self.retry_failed_commits {
            self.progress().retry.push(offsets.clone());
        }
        self.sink.emit(LabEvent::CommitCompleted {
            commit_id,
            mode,
            reason,
            offsets,
            latency_ms,
            error: result.err().map(|e| e.to_string()),
        });
    }
}

//! `RunState`: what a run looks like, computed from its events alone. A pure reducer: the
//! server feeds it every event before logging it, and tests feed it events by hand.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::domain::checkpoint::{Checkpoint, FactCounts, Progress};
use crate::domain::client_metrics::ClientMetrics;
use crate::domain::event::LabEvent;
use crate::domain::group;
use crate::domain::lag::lag_of;
use crate::domain::ledger::{LedgerReport, LedgerTotals, OffsetLedger};
use crate::domain::settings::ConsumerSettings;

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
    pub fn is_live(self) -> bool {
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
    /// The consumer's own last metrics report (frozen once it is gone).
    pub metrics: Option<ClientMetrics>,
    /// Its threads that made their final commit and wait to leave with the group.
    #[serde(skip)]
    pub ready_to_leave: u32,
}

impl ConsumerView {
    /// Gone, or every thread has made its final commit and waits to leave.
    pub fn may_leave(&self) -> bool {
        !self.status.is_live() || self.ready_to_leave >= self.config.threads.max(1)
    }
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
    /// Log-end minus committed (see `domain::lag::lag_of`).
    pub lag: i64,
}

/// Consumer ids are `c1`, `c2`, …: the number orders them.
fn consumer_key(id: &str) -> Option<u32> {
    let digits = id.strip_prefix('c')?;
    let n: u32 = digits.parse().ok()?;
    // Only the canonical spelling: `c01` or `c+1` is not `c1`.
    (n.to_string() == digits).then_some(n)
}

/// Everything a run's events say about it.
#[derive(Debug)]
pub struct RunState {
    /// The run's own consumer group.
    group: String,
    consumers: BTreeMap<u32, ConsumerView>,
    next_consumer: u32,
    partitions: Vec<PartitionView>,
    ledger: OffsetLedger,
    /// How many events of each kind happened (checkpoints test these).
    facts: FactCounts,
    /// Checkpoints already reached.
    reached: BTreeSet<String>,
}

impl RunState {
    pub fn new(group: &str, partitions: i32) -> Self {
        RunState {
            group: group.to_string(),
            consumers: BTreeMap::new(),
            next_consumer: 0,
            partitions: (0..partitions)
                .map(|partition| PartitionView {
                    partition,
                    log_end: 0,
                    committed: None,
                    owner: None,
                    owner_thread: None,
                    lag: 0,
                })
                .collect(),
            ledger: OffsetLedger::with_partitions(group, partitions),
            facts: FactCounts::default(),
            reached: BTreeSet::new(),
        }
    }

    /// Registers the next consumer incarnation (`c1`, `c2`, …), starting.
    pub fn add_consumer(&mut self, config: ConsumerSettings) -> String {
        self.next_consumer += 1;
        let id = format!("c{}", self.next_consumer);
        self.consumers.insert(
            self.next_consumer,
            ConsumerView {
                id: id.clone(),
                pid: None,
                status: ConsumerStatus::Starting,
                processed: 0,
                paused: false,
                assigned: BTreeSet::new(),
                exit_code: None,
                exit_signal: None,
                config,
                metrics: None,
                ready_to_leave: 0,
            },
        );
        id
    }

    /// Forgets a consumer that never started (its process could not be spawned).
    pub fn remove_consumer(&mut self, id: &str) {
        if let Some(k) = consumer_key(id) {
            self.consumers.remove(&k);
        }
    }

    pub fn consumer(&self, id: &str) -> Option<&ConsumerView> {
        self.consumers.get(&consumer_key(id)?)
    }

    pub fn consumers(&self) -> impl Iterator<Item = &ConsumerView> {
        self.consumers.values()
    }

    /// Consumers that count against the lab's limit: starting or running, not those stopping.
    pub fn counted_consumers(&self) -> usize {
        self.consumers
            .values()
            .filter(|c| matches!(c.status, ConsumerStatus::Starting | ConsumerStatus::Running))
            .count()
    }

    /// A stop was sent (SIGTERM): the consumer is stopping, whatever it has said so far.
    pub fn stop_requested(&mut self, cid: &str) {
        if let Some(view) = consumer_key(cid).and_then(|k| self.consumers.get_mut(&k)) {
            if view.status.is_live() {
                view.status = ConsumerStatus::Stopping;
            }
        }
    }

    pub fn live_consumers(&self) -> usize {
        self.consumers
            .values()
            .filter(|c| c.status.is_live())
            .count()
    }

    pub fn partitions(&self) -> &[PartitionView] {
        &self.partitions
    }

    pub fn ledger(&self) -> LedgerReport {
        self.ledger.report()
    }

    /// The ledger's totals, without listing offsets (cheap: called on every view and sample).
    pub fn ledger_totals(&self) -> LedgerTotals {
        self.ledger.totals()
    }

    pub fn is_reached(&self, checkpoint: &str) -> bool {
        self.reached.contains(checkpoint)
    }

    /// The group an event of `consumer`'s `thread` counts in, when it is not the run's own.
    pub fn group_of(&self, consumer: Option<&str>, thread: Option<&str>) -> Option<String> {
        let settings = consumer.and_then(|c| self.consumer(c)).map(|c| &c.config);
        let group = group::ledger_group(&self.group, settings, consumer, thread);
        (group != self.group).then_some(group)
    }

    /// Updates the state from one event of `consumer` (None: about the run) on `thread`.
    /// Returns the group the event counts in when it is not the run's own (the page is told).
    pub fn apply(
        &mut self,
        consumer: Option<&str>,
        thread: Option<&str>,
        event: &LabEvent,
    ) -> Option<String> {
        let group = self.group_of(consumer, thread);
        self.facts.observe(event);
        Self::apply_to_ledger(
            &mut self.ledger,
            group.as_deref().unwrap_or(&self.group),
            consumer,
            event,
        );
        self.apply_to_partitions(consumer, thread, event);
        if let Some(view) = consumer
            .and_then(consumer_key)
            .and_then(|k| self.consumers.get_mut(&k))
        {
            Self::apply_to_consumer(view, event);
        }
        group
    }

    fn apply_to_ledger(
        ledger: &mut OffsetLedger,
        group: &str,
        consumer: Option<&str>,
        event: &LabEvent,
    ) {
        match (consumer, event) {
            (
                Some(cid),
                LabEvent::Record {
                    partition, offset, ..
                },
            ) => ledger.processed(group, cid, *partition, *offset),
            (
                Some(cid),
                LabEvent::RecordRange {
                    partition,
                    first_offset,
                    last_offset,
                    ..
                },
            ) => ledger.processed_range(group, cid, *partition, *first_offset, *last_offset),
            (
                _,
                LabEvent::CommitCompleted {
                    offsets,
                    error: None,
                    ..
                },
            ) => {
                for po in offsets {
                    ledger.committed(group, po.partition, po.offset);
                }
            }
            _ => {}
        }
    }

    fn apply_to_partitions(
        &mut self,
        consumer: Option<&str>,
        thread: Option<&str>,
        event: &LabEvent,
    ) {
        fn partition(partitions: &mut [PartitionView], p: i32) -> Option<&mut PartitionView> {
            usize::try_from(p).ok().and_then(|i| partitions.get_mut(i))
        }
        match event {
            LabEvent::Produced {
                partition: p,
                offset,
                ..
            } => {
                if let Some(view) = partition(&mut self.partitions, *p) {
                    view.log_end = view.log_end.max(offset.saturating_add(1));
                    view.lag = lag_of(view.log_end, view.committed);
                }
            }
            LabEvent::PartitionsAssigned { partitions } => {
                for p in partitions {
                    if let Some(view) = partition(&mut self.partitions, *p) {
                        view.owner = consumer.map(str::to_string);
                        view.owner_thread = thread.map(str::to_string);
                    }
                }
            }
            LabEvent::PartitionsRevoked { partitions } => {
                for p in partitions {
                    if let Some(view) = partition(&mut self.partitions, *p) {
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
                    if let Some(view) = partition(&mut self.partitions, s.partition) {
                        view.log_end = s.log_end;
                        view.committed = s.committed;
                        view.lag = s.lag;
                    }
                }
            }
            _ => {}
        }
    }

    fn apply_to_consumer(view: &mut ConsumerView, event: &LabEvent) {
        match event {
            LabEvent::Spawned { pid } => view.pid = Some(*pid),
            LabEvent::Subscribed {
                assigned_partition, ..
            } => {
                // (A stop may already have been asked for.)
                if view.status == ConsumerStatus::Starting {
                    view.status = ConsumerStatus::Running;
                }
                view.assigned.extend(*assigned_partition);
            }
            LabEvent::Record { .. } | LabEvent::RecordRange { .. } => {
                view.processed = view.processed.saturating_add(event.records_processed());
            }
            LabEvent::ClientMetrics { metrics } => view.metrics = Some(metrics.clone()),
            LabEvent::Paused { .. } => view.paused = true,
            LabEvent::Resumed => view.paused = false,
            LabEvent::PartitionsAssigned { partitions } => view.assigned.extend(partitions),
            LabEvent::PartitionsRevoked { partitions } => {
                for p in partitions {
                    view.assigned.remove(p);
                }
            }
            LabEvent::Wakeup => view.status = ConsumerStatus::Stopping,
            LabEvent::ReadyToLeave => view.ready_to_leave += 1,
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
            }
            _ => {}
        }
    }

    /// The checkpoints of `all` that hold now for the first time (marked reached).
    pub fn newly_reached<'c>(&mut self, all: &'c [Checkpoint]) -> Vec<&'c Checkpoint> {
        if self.reached.len() == all.len() {
            return vec![];
        }
        let totals = self.ledger.totals();
        let progress = Progress {
            facts: &self.facts,
            consumers: u64::from(self.next_consumer),
            processed: totals.processed,
            duplicates: totals.duplicates,
            lost: totals.lost,
        };
        let newly: Vec<&Checkpoint> = all
            .iter()
            .filter(|c| !self.reached.contains(&c.id) && c.holds(&progress))
            .collect();
        self.reached.extend(newly.iter().map(|c| c.id.clone()));
        newly
    }
}

#[cfg(test)]
mod tests;

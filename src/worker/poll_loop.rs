//! `PollLoop`: the course's consumer loop on one thread —
//! `while (true) { records = poll(timeout); for (record : records) process(record); commit }` —
//! with the trainee's pause / step controls ([`Flow`]), the commit mode's decisions
//! ([`CommitPolicy`]) and the shutdown hook (wakeup → commitSync → close).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

mod client_config;
mod commits;
mod shutdown;

use super::commit::{CommitAction, CommitPolicy};
use super::context::LabContext;
use super::control::{Flow, FlowChange};
use super::emit::{EventSink, PolledRecord};
use super::pool::WorkerPool;
use super::{text, Payload, COALESCE_ABOVE_RECORDS, POLL_SLICE};
use crate::domain::event::{CommitReason, LabEvent, PartitionOffset};
use crate::domain::protocol::{Control, WorkerSpec};
use crate::sinks::PaymentSinks;
use client_config::consumer_config;
use commits::Deferred;

/// The sinks lab's files, opened at the first write (and again after a failed open).
enum Sinks {
    /// This consumer writes no sinks (every other lab).
    Off,
    Closed,
    Open(Box<PaymentSinks>),
}

pub struct PollLoop {
    spec: WorkerSpec,
    sink: Arc<EventSink>,
    stop: Arc<AtomicBool>,
    wake: Arc<AtomicBool>,
    controls: Receiver<Control>,
    consumer: BaseConsumer<LabContext>,
    /// Records `poll` returned that are not processed yet.
    held: VecDeque<PolledRecord>,
    processed: u64,
    flow: Flow,
    commits: CommitPolicy,
    /// The worker-pool design: records go to these threads instead of being processed here.
    pool: Option<WorkerPool>,
    sinks: Sinks,
    /// The server stops this consumer with the rest of its group ([`Control::StopAndHold`]).
    leave_with_group: bool,
    /// The last poll batch was large enough to report its records coalesced (while running).
    coalescing: bool,
    /// What coalesced records changed, not yet handed on (`commits::Deferred`).
    deferred: Deferred,
}

impl PollLoop {
    pub fn new(
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
            commit_mode: spec.consumer.commit_mode,
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
        let spec_sink = spec.consumer.sink && spec.sink_dir.is_some();
        Ok(PollLoop {
            commits: CommitPolicy::new(&spec.consumer),
            spec,
            sink,
            stop,
            wake,
            controls,
            consumer,
            held: VecDeque::new(),
            processed: 0,
            flow: Flow::Running,
            leave_with_group: false,
            coalescing: false,
            deferred: Deferred::default(),
            pool,
            sinks: if spec_sink { Sinks::Closed } else { Sinks::Off },
        })
    }

    fn ctx(&self) -> &LabContext {
        self.consumer.context()
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.sink.is_broken()
    }

    /// Runs until SIGTERM (or stdin EOF), then the shutdown hook. Returns the exit code.
    pub fn run(&mut self) -> i32 {
        while !self.stopping() {
            self.apply_controls();
            if !self.flow.may_process() {
                self.serve_while_paused();
                continue;
            }
            match self.held.pop_front() {
                Some(record) => self.process(record),
                None => {
                    self.finish_batch();
                    self.poll_batch();
                }
            }
        }
        self.shutdown()
    }

    fn apply_controls(&mut self) {
        // Runs before every record: the channel is read only when the reader said it sent.
        if !self.controls_pending() || !self.wake.swap(false, Ordering::AcqRel) {
            return;
        }
        loop {
            match self.controls.try_recv() {
                Ok(control) => {
                    self.leave_with_group |= control == Control::StopAndHold;
                    for change in self.flow.control(&control, self.held.len()) {
                        self.carry_out(change);
                    }
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return,
            }
        }
    }

    fn carry_out(&mut self, change: FlowChange) {
        match change {
            FlowChange::Nothing => {}
            FlowChange::Paused => {
                self.set_fetching(false);
                self.sink.emit(LabEvent::Paused {
                    processed: self.processed,
                    held: self.held.len() as u32,
                });
                self.sink.flush();
            }
            FlowChange::Resumed => {
                self.set_fetching(true);
                self.sink.emit(LabEvent::Resumed);
            }
            FlowChange::Fetch => self.set_fetching(true),
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
        self.settle_deferred();
        self.sink.flush();
        // Serves the group (rebalance callbacks, async commit results); records that were
        // already on their way are held, never processed while paused.
        let polled = self
            .consumer
            .poll(Duration::from_millis(100))
            .map(|r| r.map(|message| Self::hold(&message)));
        self.drop_revoked();
        if let Some(Ok(record)) = polled {
            self.ctx().delivered.fetch_add(1, Ordering::Relaxed);
            self.held.push_back(record);
        }
        self.retry_failed_commits();
    }

    fn hold(message: &rdkafka::message::BorrowedMessage<'_>) -> PolledRecord {
        PolledRecord {
            partition: message.partition(),
            offset: message.offset(),
            key: message.key().map(Payload::from_slice),
            value: Payload::from_slice(message.payload().unwrap_or_default()),
        }
    }

    /// Records of partitions the group took away are not ours to process any more.
    fn drop_revoked(&mut self) {
        // A plain load first: this runs after every record `poll` returns.
        let flag = &self.ctx().revoked_pending;
        if !flag.load(Ordering::Relaxed) || !flag.swap(false, Ordering::Acquire) {
            return;
        }
        let revoked = std::mem::take(&mut self.ctx().progress().revoked_since_poll);
        if !revoked.is_empty() {
            self.held.retain(|r| !revoked.contains(&r.partition));
        }
    }

    /// `poll(Duration.ofMillis(poll_timeout_ms))`: wait up to the timeout for the first record,
    /// then take what is ready, up to `max_poll_records`.
    fn poll_batch(&mut self) {
        self.settle_deferred();
        self.sink.flush();
        let started = Instant::now();
        let deadline = started + Duration::from_millis(self.spec.consumer.poll_timeout_ms);
        let mut count = 0u32;
        loop {
            if self.stopping() || self.controls_pending() {
                break;
            }
            let wait = if count > 0 {
                Duration::ZERO
            } else {
                deadline
                    .saturating_duration_since(Instant::now())
                    .min(POLL_SLICE)
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
        self.ctx()
            .delivered
            .fetch_add(u64::from(count), Ordering::Relaxed);
        self.retry_failed_commits();
        let held = self.held.len();
        self.coalescing = held > COALESCE_ABOVE_RECORDS
            && self.spec.consumer.processing_delay_ms == 0
            && matches!(self.sinks, Sinks::Off)
            && self.pool.is_none();
        self.flow.polled(held);
        self.commits.batch_polled(held);
        self.sink.emit(LabEvent::Poll {
            count: held as u32,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        });
    }

    /// The naive retry: send a failed commit again, even if a later one already succeeded.
    fn retry_failed_commits(&mut self) {
        let retries = std::mem::take(&mut self.ctx().progress().retry);
        for offsets in retries {
            self.ctx()
                .commit_async(&self.consumer, offsets, CommitReason::Retry);
        }
    }

    /// True when a control line arrived that `apply_controls` has not taken yet (set by the
    /// stdin reader after it sent the control).
    fn controls_pending(&self) -> bool {
        self.wake.load(Ordering::Acquire)
    }

    fn process(&mut self, record: PolledRecord) {
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
            self.pause_after_records();
            return;
        }
        let (partition, offset) = (record.partition, record.offset);
        if !self.write_sinks(&record) {
            // Not processed: kept for a retry once the trainee resumes.
            self.held.push_front(record);
            // Paused outright, steps included: nothing more is processed until a resume.
            let was_paused = self.flow.is_paused();
            self.flow = Flow::Paused;
            if !was_paused {
                self.carry_out(FlowChange::Paused);
            }
            self.sink.flush();
            return;
        }
        // Stepping or paused (a step), the trainee watches each record.
        let coalesce = self.coalescing && self.flow == Flow::Running;
        self.sink.record(record, coalesce);
        if !matches!(self.sinks, Sinks::Off) {
            // What is on disk and what the ledger counts stay in step.
            self.sink.flush();
        }
        self.processed += 1;
        let next = PartitionOffset {
            partition,
            offset: offset + 1,
        };
        if coalesce {
            self.deferred.processed(next);
        } else {
            self.ctx()
                .progress()
                .processed_next
                .insert(partition, next.offset);
        }
        match self.commits.record_processed(partition, offset) {
            Some(CommitAction::Store(next)) if coalesce => self.deferred.store(next),
            Some(action) => self.commit(action),
            None => {}
        }
        if self.flow.processed_one() {
            // A step that finished the batch ends like the loop body does: with its commit.
            if self.held.is_empty() {
                self.finish_batch();
            }
            self.carry_out(FlowChange::Paused);
        }
        self.pause_after_records();
    }

    /// The sinks lab's processing: the record into the CSV files and the SQLite tables.
    /// False (with an `error` event naming the path) when a write failed.
    fn write_sinks(&mut self, record: &PolledRecord) -> bool {
        if matches!(self.sinks, Sinks::Off) {
            return true;
        }
        if matches!(self.sinks, Sinks::Closed) {
            let dir = self.spec.sink_dir.clone().unwrap_or_default();
            match PaymentSinks::open(&dir, &self.spec.topic, &self.spec.consumer_id) {
                Ok(sinks) => self.sinks = Sinks::Open(Box::new(sinks)),
                Err(e) => {
                    self.sink.emit(LabEvent::Error {
                        message: format!("sink: cannot open {e}"),
                    });
                    return false;
                }
            }
        }
        let Sinks::Open(sinks) = &mut self.sinks else {
            return false;
        };
        match sinks.write(record.partition, record.offset, &text(&record.value)) {
            Ok(written) => {
                self.sink.emit(LabEvent::SinkWritten {
                    partition: record.partition,
                    offset: record.offset,
                    naive_rows: written.naive_rows,
                    idempotent_inserted: written.idempotent_inserted,
                });
                true
            }
            Err(e) => {
                self.sink.emit(LabEvent::Error {
                    message: format!("sink: cannot write {e}"),
                });
                // Opened again at the next try (the files may have been fixed meanwhile).
                self.sinks = Sinks::Closed;
                false
            }
        }
    }

    fn pause_after_records(&mut self) {
        if self.spec.consumer.pause_after_records == Some(self.processed) {
            let change = self.flow.pause();
            self.carry_out(change);
        }
    }

    /// The end of the loop body's `for (record : records)`: the batch commit, if one is due.
    fn finish_batch(&mut self) {
        if let Some(action) = self.commits.batch_finished() {
            self.commit(action);
        }
    }
}

//! One watched group: its Burrow windows, its outside view and its event log.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{WatchSettings, WatchView};
use crate::domain::burrow::{EvaluatorConfig, GroupWindows, LagReport, PartitionWindow};
use crate::domain::event::{now_ms, LabEvent, StampedEvent};
use crate::domain::lag::PartitionSample;
use crate::run::idle::LastActivity;
use crate::run::log::{EventLog, EventSource, LogEntry, Replay};

struct WatchInner {
    windows: GroupWindows,
    partitions: Vec<PartitionSample>,
    /// The committed offset each partition had at the last sample (a change is a commit).
    last_committed: BTreeMap<i32, i64>,
    sampled_at: Option<f64>,
    report: Option<LagReport>,
    error: Option<String>,
    log: EventLog,
}

impl WatchInner {
    fn append(&mut self, event: LabEvent) {
        self.log.append(|seq| {
            serde_json::to_string(&StampedEvent {
                seq,
                ts: now_ms(),
                consumer: None,
                thread: None,
                group: None,
                event,
            })
            .expect("events serialize")
        });
    }
}

/// One watched group on one topic.
pub struct Watch {
    pub id: String,
    pub group: String,
    pub topic: String,
    pub(super) cfg: EvaluatorConfig,
    sample_interval: Duration,
    inner: Mutex<WatchInner>,
    pub(super) cancel: CancellationToken,
    last_activity: LastActivity,
}

impl Watch {
    pub(super) fn new(
        id: String,
        group: String,
        topic: String,
        cfg: EvaluatorConfig,
        settings: &WatchSettings,
        cancel: CancellationToken,
    ) -> Watch {
        Watch {
            inner: Mutex::new(WatchInner {
                windows: GroupWindows::new(topic.clone(), cfg),
                partitions: vec![],
                last_committed: BTreeMap::new(),
                sampled_at: None,
                report: None,
                error: None,
                log: EventLog::new(settings.log_capacity, settings.live_buffer),
            }),
            id,
            group,
            topic,
            cfg,
            sample_interval: settings.sample_interval,
            cancel,
            last_activity: LastActivity::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, WatchInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks the watch as read (API calls and open streams keep it from idling out).
    pub fn touch(&self) {
        self.last_activity.touch();
    }

    pub(super) fn idle_for(&self) -> Duration {
        self.last_activity.idle_for()
    }

    /// A sample taken at `at_ms`: broker offsets into Burrow's window every time, and a commit
    /// for each partition whose committed offset changed since the last sample (the first
    /// sample counts as a change: Burrow, reading `__consumer_offsets` from its start, would
    /// know the group's existing commits). Logs `offsets` when the sample differs from the last
    /// one and `lag` when the evaluation or a partition's lag changed.
    pub fn observe(&self, sample: Vec<PartitionSample>, at_ms: i64) {
        let mut inner = self.lock();
        inner
            .windows
            .broker_offsets(sample.iter().map(|p| (p.partition, p.log_end)));
        let changed: Vec<(i32, i64)> = sample
            .iter()
            .filter_map(|p| {
                let c = p.committed?;
                (inner.last_committed.get(&p.partition) != Some(&c)).then_some((p.partition, c))
            })
            .collect();
        for &(p, c) in &changed {
            inner.last_committed.insert(p, c);
        }
        if !changed.is_empty() {
            inner.windows.commit(changed, at_ms);
        }
        inner.sampled_at = Some(at_ms as f64);
        if inner.error.take().is_some() || inner.partitions != sample {
            inner.partitions = sample.clone();
            inner.append(LabEvent::Offsets { partitions: sample });
        }
        let report = inner.windows.report(at_ms);
        let news = match (&inner.report, &report) {
            (None, None) => false,
            (Some(last), Some(now)) => {
                !last.same_verdict(now)
                    || last
                        .partitions
                        .iter()
                        .zip(&now.partitions)
                        .any(|(a, b)| a.current_lag != b.current_lag)
            }
            _ => true,
        };
        inner.report = report.clone();
        if let (true, Some(report)) = (news, report) {
            inner.append(LabEvent::Lag { report });
        }
    }

    /// A sample that failed: logged once per distinct message.
    pub fn observe_error(&self, message: String) {
        let mut inner = self.lock();
        if inner.error.as_deref() != Some(message.as_str()) {
            inner.error = Some(message.clone());
            inner.append(LabEvent::Error { message });
        }
    }

    pub fn view(&self) -> WatchView {
        let inner = self.lock();
        WatchView {
            id: self.id.clone(),
            group: self.group.clone(),
            topic: self.topic.clone(),
            burrow: self.cfg,
            sample_interval_ms: self.sample_interval.as_millis() as u64,
            partitions: inner.partitions.clone(),
            sampled_at: inner.sampled_at,
            // Evaluated now, so the rules that read the clock (STOP) are current.
            lag: inner.windows.report(now_ms() as i64),
            error: inner.error.clone(),
            last_seq: inner.log.next_seq() - 1,
        }
    }

    /// The outside view's partitions (log-end, committed, lag) as last sampled.
    pub fn partitions(&self) -> Vec<PartitionSample> {
        self.lock().partitions.clone()
    }

    /// Whether Burrow would know the group: it has committed on this topic.
    pub fn has_commits(&self) -> bool {
        self.lock().windows.has_commits()
    }

    /// This watch's windows of partitions with commits (for a group watched on several topics).
    pub(super) fn committed_windows(&self) -> Vec<PartitionWindow> {
        self.lock()
            .windows
            .committed_windows()
            .into_iter()
            .cloned()
            .collect()
    }

    pub(super) fn detail(&self) -> BTreeMap<String, Vec<crate::domain::burrow::ConsumerPartition>> {
        self.lock().windows.detail()
    }

    pub(super) fn subscriber_count(&self) -> usize {
        self.lock().log.subscriber_count()
    }
}

impl EventSource for Watch {
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

#[cfg(test)]
mod tests;

//! What Burrow stores (`inmemory.go`): per partition the ring of commits (with min-distance
//! merging) and the ring of broker end offsets, and per group a window per partition.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use super::*;

/// What Burrow stores for one partition of one group: the commit ring and the broker ring.
#[derive(Debug, Clone)]
pub struct PartitionWindow {
    pub topic: String,
    pub partition: i32,
    pub owner: String,
    pub client_id: String,
    /// Oldest first, at most `intervals`.
    commits: VecDeque<ConsumerOffset>,
    /// Broker end offsets, oldest first, at most `intervals`.
    broker: VecDeque<i64>,
}

impl PartitionWindow {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        PartitionWindow {
            topic: topic.into(),
            partition,
            owner: String::new(),
            client_id: String::new(),
            commits: VecDeque::new(),
            broker: VecDeque::new(),
        }
    }

    /// The commits in the window, oldest first.
    pub fn commits(&self) -> impl ExactSizeIterator<Item = &ConsumerOffset> {
        self.commits.iter()
    }

    /// The broker end offsets in the window, oldest first.
    pub fn broker_offsets(&self) -> impl ExactSizeIterator<Item = &i64> {
        self.broker.iter()
    }

    /// A broker end offset, polled from the cluster.
    pub fn add_broker_offset(&mut self, end: i64, cfg: &EvaluatorConfig) {
        if self.broker.len() >= cfg.intervals.max(1) {
            self.broker.pop_front();
        }
        self.broker.push_back(end);
    }

    /// A commit of the group (`timestamp` and `observed_at` in ms). Its lag is taken against
    /// the newest broker offset (0 when the commit is ahead of it); a commit within
    /// min-distance of the stored one replaces it and keeps the stored timestamp.
    pub fn add_commit(
        &mut self,
        offset: i64,
        timestamp: i64,
        observed_at: i64,
        cfg: &EvaluatorConfig,
    ) {
        let lag = self.broker.back().map(|&end| {
            if end < offset {
                0
            } else {
                // (Not `end - offset`: a worker's absurd offsets overflow it; found by fuzzing.)
                end.abs_diff(offset)
            }
        });
        let mut entry = ConsumerOffset {
            offset,
            timestamp,
            observed_at,
            lag,
        };
        if let Some(last) = self.commits.back() {
            if timestamp - last.timestamp < cfg.min_distance_ms {
                entry.timestamp = last.timestamp;
                self.commits.pop_back();
            }
        }
        if self.commits.len() >= cfg.intervals.max(1) {
            self.commits.pop_front();
        }
        self.commits.push_back(entry);
    }

    /// Newest broker end offset minus the newest commit, floored at 0 (0 without either).
    pub fn current_lag(&self) -> u64 {
        match (self.broker.back(), self.commits.back()) {
            (Some(&end), Some(last)) if end > last.offset => end.abs_diff(last.offset),
            _ => 0,
        }
    }

    /// Burrow's `evaluatePartitionStatus` at `now_ms`.
    pub fn evaluate(&self, now_ms: i64, cfg: &EvaluatorConfig) -> PartitionStatus {
        let current_lag = self.current_lag();
        let offsets: Vec<ConsumerOffset> = self.commits.iter().copied().collect();
        let complete = if offsets.is_empty() {
            0.0
        } else {
            offsets.len() as f32 / cfg.intervals.max(1) as f32
        };
        let (status, reason) = if offsets.is_empty() {
            (Status::Ok, Reason::NoCommits)
        } else if complete < cfg.minimum_complete {
            (
                Status::Ok,
                Reason::Incomplete {
                    complete,
                    minimum: cfg.minimum_complete,
                },
            )
        } else {
            let broker: Vec<i64> = self.broker.iter().copied().collect();
            partition_status(&offsets, &broker, current_lag, now_ms, cfg.allowed_lag)
        };
        PartitionStatus {
            topic: self.topic.clone(),
            partition: self.partition,
            owner: self.owner.clone(),
            client_id: self.client_id.clone(),
            status,
            start: offsets.first().copied(),
            end: offsets.last().copied(),
            current_lag,
            complete,
            reason,
        }
    }
}

/// One partition in Burrow's consumer detail (note `current-lag` with a hyphen, as Burrow).
#[derive(Debug, Clone, Serialize)]
pub struct ConsumerPartition {
    pub offsets: Vec<Option<ConsumerOffset>>,
    pub owner: String,
    pub client_id: String,
    #[serde(rename = "current-lag")]
    pub current_lag: u64,
}

/// Everything Burrow stores for one group on one topic: a window per partition.
#[derive(Debug, Clone)]
pub struct GroupWindows {
    pub cfg: EvaluatorConfig,
    pub topic: String,
    windows: BTreeMap<i32, PartitionWindow>,
}

impl GroupWindows {
    pub fn new(topic: impl Into<String>, cfg: EvaluatorConfig) -> Self {
        GroupWindows {
            cfg,
            topic: topic.into(),
            windows: BTreeMap::new(),
        }
    }

    fn window(&mut self, partition: i32) -> &mut PartitionWindow {
        let topic = &self.topic;
        self.windows
            .entry(partition)
            .or_insert_with(|| PartitionWindow::new(topic.clone(), partition))
    }

    /// The broker's end offsets, one per partition, polled at `at_ms`.
    pub fn broker_offsets(&mut self, ends: impl IntoIterator<Item = (i32, i64)>) {
        let cfg = self.cfg;
        for (partition, end) in ends {
            self.window(partition).add_broker_offset(end, &cfg);
        }
    }

    /// A commit of the group: `(partition, next offset)` pairs, made at `at_ms`.
    pub fn commit(&mut self, offsets: impl IntoIterator<Item = (i32, i64)>, at_ms: i64) {
        let cfg = self.cfg;
        for (partition, offset) in offsets {
            self.window(partition)
                .add_commit(offset, at_ms, at_ms, &cfg);
        }
    }

    /// Whether the group has committed anything (Burrow knows only groups that commit).
    pub fn has_commits(&self) -> bool {
        self.windows.values().any(|w| !w.commits.is_empty())
    }

    /// The windows of partitions with commits (Burrow's partition_count counts only those).
    pub fn committed_windows(&self) -> Vec<&PartitionWindow> {
        self.windows
            .values()
            .filter(|w| !w.commits.is_empty())
            .collect()
    }

    /// Burrow's consumer detail: per topic, each partition's ring (empty slots first, as
    /// `null`), owner and current lag.
    pub fn detail(&self) -> BTreeMap<String, Vec<ConsumerPartition>> {
        let slots = self.cfg.intervals.max(1);
        let partitions = self
            .windows
            .values()
            .map(|w| {
                let mut offsets: Vec<Option<ConsumerOffset>> =
                    vec![None; slots.saturating_sub(w.commits.len())];
                offsets.extend(w.commits.iter().copied().map(Some));
                ConsumerPartition {
                    offsets,
                    owner: w.owner.clone(),
                    client_id: w.client_id.clone(),
                    current_lag: w.current_lag(),
                }
            })
            .collect();
        BTreeMap::from([(self.topic.clone(), partitions)])
    }

    /// Burrow's evaluation of the group at `now_ms` (NOTFOUND before its first commit).
    pub fn evaluate(&self, cluster: &str, group: &str, now_ms: i64, show_all: bool) -> GroupStatus {
        let windows: Vec<PartitionWindow> = self.committed_windows().into_iter().cloned().collect();
        evaluate_group(cluster, group, &windows, now_ms, &self.cfg, show_all)
    }
}

impl GroupWindows {
    /// The lab's report at `now_ms` (every partition with commits); `None` before the first
    /// commit, when Burrow does not know the group.
    pub fn report(&self, now_ms: i64) -> Option<LagReport> {
        if !self.has_commits() {
            return None;
        }
        let windows = self.committed_windows();
        let owned: Vec<PartitionWindow> = windows.iter().map(|w| (*w).clone()).collect();
        let group = evaluate_group("", "", &owned, now_ms, &self.cfg, true);
        Some(LagReport {
            status: group.status,
            complete: group.complete,
            totallag: group.totallag,
            partitions: group
                .partitions
                .into_iter()
                .zip(windows)
                .map(|(p, w)| LagPartition {
                    partition: p.partition,
                    status: p.status,
                    current_lag: p.current_lag,
                    complete: p.complete,
                    reason: p.reason,
                    window: w.commits.iter().copied().collect(),
                })
                .collect(),
        })
    }
}

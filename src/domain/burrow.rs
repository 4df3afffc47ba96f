//! Burrow's consumer-lag evaluation, rule for rule (linkedin/Burrow v1.9.5:
//! `core/internal/evaluator/caching.go` for the rules, `core/internal/storage/inmemory.go` for
//! the windows). Pure: commits and broker offsets in, statuses out — with the rule that
//! decided each partition and the numbers that made it fire, so a page can show *why*.
//!
//! Per partition Burrow keeps two rings of `intervals` entries: the group's commits, each with
//! the lag at the time of the commit, and the broker's end offsets. The window is counted in
//! commits, not in time: a consumer that commits every 20 s has a 200 s window with the default
//! ten intervals. A commit that arrives less than `min_distance` after the stored one replaces
//! it (keeping the older timestamp), so a fast committer cannot flush the window.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

/// How Burrow is configured: storage `intervals` / `min-distance`, evaluator `allowed-lag` /
/// `minimum-complete`. The classroom runs these at a shorter timescale than production.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvaluatorConfig {
    /// Length of the commit ring (Burrow's default 10).
    pub intervals: usize,
    /// A commit within this many milliseconds of the stored one replaces it (Burrow: seconds).
    pub min_distance_ms: i64,
    /// A lag at or below this counts as zero.
    pub allowed_lag: u64,
    /// A partition whose ring is less full than this is OK without evaluation.
    pub minimum_complete: f32,
}

impl Default for EvaluatorConfig {
    /// Burrow's defaults: 10 intervals, no min-distance, no allowed lag, no minimum.
    fn default() -> Self {
        EvaluatorConfig {
            intervals: 10,
            min_distance_ms: 0,
            allowed_lag: 0,
            minimum_complete: 0.0,
        }
    }
}

/// One stored commit (Burrow's `ConsumerOffset`, same JSON names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerOffset {
    pub offset: i64,
    /// When the commit was made, ms since the epoch.
    pub timestamp: i64,
    /// When it was seen, ms since the epoch.
    #[serde(rename = "observedAt")]
    pub observed_at: i64,
    /// Broker end offset minus this offset when it was committed (never updated); `None` when
    /// no broker offset was known yet.
    pub lag: Option<u64>,
}

/// A partition's status, Burrow's names and numbers (`NOTFOUND`=0 … `REWIND`=6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Notfound = 0,
    Ok = 1,
    Warn = 2,
    Err = 3,
    Stop = 4,
    Stall = 5,
    Rewind = 6,
}

impl Status {
    /// The integer Burrow exports to Prometheus.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Which rule decided a partition's status, with the numbers it looked at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Reason {
    /// No commit stored for the partition.
    NoCommits,
    /// The ring is less full than `minimum-complete`.
    Incomplete { complete: f32, minimum: f32 },
    /// The current lag is within `allowed-lag`.
    LagWithinAllowed { current_lag: u64, allowed_lag: u64 },
    /// Lag > allowed and the newest commit is older than the window's span
    /// (`now − last > last − first`), and no recent broker offset was at or below it.
    Stopped {
        since_last_commit_ms: i64,
        window_span_ms: i64,
    },
    /// Commit `index` went below the one before it and never climbed back.
    Rewound { index: usize, from: i64, to: i64 },
    /// Every commit in the window has the same offset while the lag was never zero.
    Stalled { offset: i64 },
    /// The lag at commit time never went down over the window (and was never zero).
    LagNotDecreasing { lags: Vec<u64> },
    /// Lag > allowed, but some commit's lag was zero or the lag went down somewhere.
    Keeping { lags: Vec<u64> },
    /// A stop that Burrow forgives: a recent broker end offset was at or below the last commit.
    RecentLagZero { last_offset: i64 },
}

/// One partition of a group: Burrow's `PartitionStatus`, same JSON names, plus the rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionStatus {
    pub topic: String,
    pub partition: i32,
    pub owner: String,
    pub client_id: String,
    pub status: Status,
    pub start: Option<ConsumerOffset>,
    pub end: Option<ConsumerOffset>,
    pub current_lag: u64,
    pub complete: f32,
    /// Not in Burrow's JSON: why the status is what it is.
    pub reason: Reason,
}

/// A group's evaluation: Burrow's `ConsumerGroupStatus`, same JSON names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStatus {
    pub cluster: String,
    pub group: String,
    pub status: Status,
    pub complete: f32,
    pub partitions: Vec<PartitionStatus>,
    pub partition_count: usize,
    pub maxlag: Option<PartitionStatus>,
    pub totallag: u64,
}

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
                (end - offset) as u64
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
            (Some(&end), Some(last)) if end > last.offset => (end - last.offset) as u64,
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

/// Burrow's `calculatePartitionStatus`; the order of the rules matters.
pub fn partition_status(
    offsets: &[ConsumerOffset],
    broker: &[i64],
    current_lag: u64,
    now_ms: i64,
    allowed_lag: u64,
) -> (Status, Reason) {
    let lags = || offsets.iter().filter_map(|o| o.lag).collect::<Vec<u64>>();
    if current_lag <= allowed_lag {
        return (
            Status::Ok,
            Reason::LagWithinAllowed {
                current_lag,
                allowed_lag,
            },
        );
    }
    let (first, last) = match (offsets.first(), offsets.last()) {
        (Some(f), Some(l)) => (f, l),
        _ => return (Status::Ok, Reason::NoCommits),
    };
    if offsets_stopped(offsets, now_ms) {
        if recent_lag_zero(offsets, broker) {
            // Falls through to the other rules, like Burrow; remembered in case none fires.
        } else {
            return (
                Status::Stop,
                Reason::Stopped {
                    since_last_commit_ms: now_ms - last.timestamp,
                    window_span_ms: last.timestamp - first.timestamp,
                },
            );
        }
    }
    if let Some(index) = rewind_index(offsets) {
        if !rewind_recovered(offsets, index) {
            return (
                Status::Rewind,
                Reason::Rewound {
                    index,
                    from: offsets[index - 1].offset,
                    to: offsets[index].offset,
                },
            );
        }
    }
    if lag_always_not_zero(offsets, allowed_lag) {
        if offsets_stalled(offsets) {
            return (
                Status::Stall,
                Reason::Stalled {
                    offset: last.offset,
                },
            );
        }
        if lag_not_decreasing(offsets) {
            return (Status::Warn, Reason::LagNotDecreasing { lags: lags() });
        }
    }
    if offsets_stopped(offsets, now_ms) {
        return (
            Status::Ok,
            Reason::RecentLagZero {
                last_offset: last.offset,
            },
        );
    }
    (Status::Ok, Reason::Keeping { lags: lags() })
}

/// `isLagAlwaysNotZero`: no commit's lag is at or below the allowed lag (unknown lags skipped).
pub fn lag_always_not_zero(offsets: &[ConsumerOffset], allowed_lag: u64) -> bool {
    !offsets
        .iter()
        .any(|o| o.lag.is_some_and(|lag| lag <= allowed_lag))
}

/// `checkIfOffsetsRewind`: the first index whose offset is below its predecessor's.
pub fn rewind_index(offsets: &[ConsumerOffset]) -> Option<usize> {
    (1..offsets.len()).find(|&i| offsets[i].offset < offsets[i - 1].offset)
}

/// `checkIfRewindRecovered`: a later commit is back at or above the offset before the rewind.
pub fn rewind_recovered(offsets: &[ConsumerOffset], index: usize) -> bool {
    let before = offsets[index - 1].offset;
    offsets[index..].iter().any(|o| o.offset >= before)
}

/// `checkIfOffsetsStopped`: the time since the newest commit exceeds the window's span.
pub fn offsets_stopped(offsets: &[ConsumerOffset], now_ms: i64) -> bool {
    match (offsets.first(), offsets.last()) {
        (Some(first), Some(last)) => now_ms - last.timestamp > last.timestamp - first.timestamp,
        _ => false,
    }
}

/// `checkIfOffsetsStalled`: every commit in the window has the same offset.
pub fn offsets_stalled(offsets: &[ConsumerOffset]) -> bool {
    offsets.windows(2).all(|w| w[0].offset == w[1].offset)
}

/// `checkIfLagNotDecreasing`: over the known lags, none is below the one before it.
pub fn lag_not_decreasing(offsets: &[ConsumerOffset]) -> bool {
    let lags: Vec<u64> = offsets.iter().filter_map(|o| o.lag).collect();
    lags.windows(2).all(|w| w[1] >= w[0])
}

/// `checkIfRecentLagZero`: some broker end offset in its window is at or below the newest commit.
pub fn recent_lag_zero(offsets: &[ConsumerOffset], broker: &[i64]) -> bool {
    offsets
        .last()
        .is_some_and(|last| broker.iter().any(|&end| end <= last.offset))
}

/// Burrow's `evaluateConsumerStatus`: the group's status is the worst partition's, with
/// STOP / STALL / REWIND reported as ERR; `complete` is the share of partitions whose ring is
/// full. `show_all` is `/lag` (every partition) versus `/status` (only those worse than OK).
pub fn evaluate_group(
    cluster: &str,
    group: &str,
    windows: &[PartitionWindow],
    now_ms: i64,
    cfg: &EvaluatorConfig,
    show_all: bool,
) -> GroupStatus {
    if windows.is_empty() {
        return GroupStatus {
            cluster: cluster.into(),
            group: group.into(),
            status: Status::Notfound,
            complete: 1.0,
            partitions: vec![],
            partition_count: 0,
            maxlag: None,
            totallag: 0,
        };
    }
    let evaluated: Vec<PartitionStatus> = windows.iter().map(|w| w.evaluate(now_ms, cfg)).collect();
    let complete_partitions = evaluated.iter().filter(|p| p.complete >= 1.0).count();
    let status = evaluated
        .iter()
        .map(|p| {
            if p.status > Status::Err {
                Status::Err
            } else {
                p.status
            }
        })
        .max()
        .unwrap_or(Status::Ok)
        .max(Status::Ok);
    let mut maxlag: Option<&PartitionStatus> = None;
    for p in &evaluated {
        if maxlag.is_none_or(|m| p.current_lag > m.current_lag) {
            maxlag = Some(p);
        }
    }
    GroupStatus {
        cluster: cluster.into(),
        group: group.into(),
        status,
        complete: complete_partitions as f32 / evaluated.len() as f32,
        partition_count: evaluated.len(),
        maxlag: maxlag.cloned(),
        totallag: evaluated.iter().map(|p| p.current_lag).sum(),
        partitions: evaluated
            .iter()
            .filter(|p| show_all || p.status > Status::Ok)
            .cloned()
            .collect(),
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

/// One partition in the lab's `lag` event: its status, the rule that decided it, and the
/// window of commits the rule looked at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LagPartition {
    pub partition: i32,
    pub status: Status,
    pub current_lag: u64,
    pub complete: f32,
    pub reason: Reason,
    /// The commits in the window, oldest first (offset, time, lag at commit time).
    pub window: Vec<ConsumerOffset>,
}

/// The lab's view of Burrow's evaluation of the run's group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LagReport {
    pub status: Status,
    pub complete: f32,
    pub totallag: u64,
    pub partitions: Vec<LagPartition>,
}

impl LagReport {
    /// Whether `other` tells the trainee something new: another status or rule anywhere, or
    /// another window. (The numbers a rule reads, such as the time since the last commit,
    /// move every second; the lag itself is in every `offsets` sample.)
    pub fn same_verdict(&self, other: &LagReport) -> bool {
        self.status == other.status
            && self.partitions.len() == other.partitions.len()
            && self.partitions.iter().zip(&other.partitions).all(|(a, b)| {
                a.partition == b.partition
                    && a.status == b.status
                    && std::mem::discriminant(&a.reason) == std::mem::discriminant(&b.reason)
                    && a.window == b.window
            })
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

#[cfg(test)]
mod tests;

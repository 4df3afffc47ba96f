//! Watched groups: a consumer group the app did not start — the trainee's own Java project on
//! the connected cluster — read from outside, as Burrow reads a group it was pointed at.
//!
//! A [`Watch`] samples the topic's log-end offsets and the group's committed offsets every
//! sample interval (blocking librdkafka calls on a blocking thread) and feeds Burrow's
//! windows ([`GroupWindows`]): the broker's end offsets on every sample, and a commit for each
//! partition whose committed offset *changed*, stamped with the time of the sample that saw
//! it. Burrow reads every commit from `__consumer_offsets`; polling cannot see a group that
//! commits the same offset again, so a stalled group (STALL in Burrow) reads as STOP here.
//!
//! Each watch keeps an [`EventLog`] of `offsets`, `lag` and `error` events (the lab's shapes)
//! for the page's event stream. Watches end on server shutdown, on `DELETE`, and after the
//! idle timeout without readers (no API call, no open stream), like idle runs.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::broker::{Broker, BrokerError, GroupProbe};
use crate::domain::burrow::{
    evaluate_group, EvaluatorConfig, GroupStatus, GroupWindows, LagReport, PartitionWindow,
};
use crate::domain::event::{now_ms, LabEvent, StampedEvent};
use crate::domain::lag::PartitionSample;
use crate::i18n::{Coded, ErrorCode};
use crate::run::log::{EventLog, EventSource, LogEntry, Replay};

/// At most this many groups are watched at once (a 429 beyond it).
pub const MAX_WATCHES: usize = 50;

/// Kafka's longest legal topic name (and the longest group id the page takes).
pub const MAX_NAME_LEN: usize = 249;

/// Why a watch was refused. Each carries its code and the values its text needs.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// A request field is empty or not a legal Kafka name (400).
    #[error("{1}")]
    BadField(&'static str, Coded),
    /// The cluster does not know the topic (404).
    #[error("{0}")]
    NoTopic(Coded),
    /// Too many watches (429).
    #[error("{0}")]
    Limit(Coded),
    /// The broker failed (502).
    #[error("broker: {0}")]
    Broker(#[from] BrokerError),
}

impl WatchError {
    pub fn coded(&self) -> Coded {
        match self {
            WatchError::BadField(field, c) => c.clone().with("field", *field),
            WatchError::NoTopic(c) | WatchError::Limit(c) => c.clone(),
            WatchError::Broker(e) => {
                Coded::new(ErrorCode::Broker, self.to_string()).with("detail", e.to_string())
            }
        }
    }
}

/// Checks a topic name or group id against Kafka's legal characters (`a-z A-Z 0-9 . _ -`,
/// 1 to 249 of them; `.` and `..` are not names).
pub fn check_name(field: &'static str, value: &str) -> Result<(), WatchError> {
    if value.is_empty() {
        return Err(WatchError::BadField(
            field,
            Coded::new(
                ErrorCode::FieldRequired,
                format!("field `{field}` is required"),
            ),
        ));
    }
    let legal = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !legal || value.len() > MAX_NAME_LEN || value == "." || value == ".." {
        return Err(WatchError::BadField(
            field,
            Coded::new(
                ErrorCode::BadName,
                format!(
                    "field `{field}`: {value:?} is not a Kafka name: use 1 to {MAX_NAME_LEN} of the characters a-z A-Z 0-9 . _ -"
                ),
            )
            .with("value", value.chars().take(60).collect::<String>())
            .with("max", MAX_NAME_LEN),
        ));
    }
    Ok(())
}

/// Limits and timings every watch shares.
#[derive(Debug, Clone)]
pub struct WatchSettings {
    pub max_watches: usize,
    pub sample_interval: Duration,
    pub idle_timeout: Duration,
    pub log_capacity: usize,
    pub live_buffer: usize,
}

/// One partition as the outside view shows it.
pub type WatchPartition = PartitionSample;

/// What `GET /api/watch/{id}` answers.
#[derive(Debug, Clone, Serialize)]
pub struct WatchView {
    pub id: String,
    pub group: String,
    pub topic: String,
    /// Burrow's settings for this group.
    pub burrow: EvaluatorConfig,
    pub sample_interval_ms: u64,
    /// Per partition: log-end, committed offset, committed lag (log-end − committed).
    pub partitions: Vec<WatchPartition>,
    /// When the last sample was taken (ms since the epoch), `None` before the first.
    pub sampled_at: Option<f64>,
    /// Burrow's evaluation now (`None` until the group's first commit is seen).
    pub lag: Option<LagReport>,
    /// The last sampling error, cleared by the next good sample.
    pub error: Option<String>,
    pub last_seq: u64,
}

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
    cfg: EvaluatorConfig,
    sample_interval: Duration,
    inner: Mutex<WatchInner>,
    cancel: CancellationToken,
    last_activity: Mutex<Instant>,
}

impl Watch {
    fn new(
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
            last_activity: Mutex::new(Instant::now()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, WatchInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks the watch as read (API calls and open streams keep it from idling out).
    pub fn touch(&self) {
        *self.last_activity.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    fn idle_for(&self) -> Duration {
        self.last_activity
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed()
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
    fn committed_windows(&self) -> Vec<PartitionWindow> {
        self.lock()
            .windows
            .committed_windows()
            .into_iter()
            .cloned()
            .collect()
    }

    fn detail(&self) -> BTreeMap<String, Vec<crate::domain::burrow::ConsumerPartition>> {
        self.lock().windows.detail()
    }

    fn subscriber_count(&self) -> usize {
        self.lock().log.subscriber_count()
    }
}

/// Every watched group on this server.
pub struct WatchRegistry {
    watches: Mutex<BTreeMap<String, Arc<Watch>>>,
    broker: Broker,
    settings: WatchSettings,
    shutdown: CancellationToken,
    id_seed: u64,
    next_id: AtomicU64,
}

impl WatchRegistry {
    /// A registry whose idle watches are reaped in the background until `shutdown`.
    pub fn start(
        broker: Broker,
        settings: WatchSettings,
        shutdown: CancellationToken,
    ) -> Arc<WatchRegistry> {
        let id_seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
            & 0x00ff_ffff;
        let registry = Arc::new(WatchRegistry {
            watches: Mutex::new(BTreeMap::new()),
            broker,
            settings,
            shutdown: shutdown.clone(),
            id_seed,
            next_id: AtomicU64::new(0),
        });
        let reaper = Arc::downgrade(&registry);
        let every = (registry.settings.idle_timeout / 2)
            .clamp(Duration::from_millis(200), Duration::from_secs(30));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tick.tick() => {}
                }
                let Some(registry) = reaper.upgrade() else {
                    break;
                };
                registry.reap_idle();
            }
        });
        registry
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Arc<Watch>>> {
        self.watches.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn sample_interval(&self) -> Duration {
        self.settings.sample_interval
    }

    /// Starts watching `group` on `topic`, or returns the watch that already does (`false`:
    /// not created; its Burrow settings stay as they were).
    pub async fn watch(
        &self,
        group: &str,
        topic: &str,
        cfg: EvaluatorConfig,
    ) -> Result<(Arc<Watch>, bool), WatchError> {
        check_name("group", group)?;
        check_name("topic", topic)?;
        if let Some(existing) = self.find(group, topic) {
            existing.touch();
            return Ok((existing, false));
        }
        self.check_limit()?;
        let broker = self.broker.clone();
        let name = topic.to_string();
        let partitions =
            tokio::task::spawn_blocking(move || broker.partition_count_blocking(&name))
                .await
                .map_err(|e| BrokerError::Other(e.to_string()))??;
        if partitions.is_none() {
            return Err(no_topic(topic));
        }
        let id = format!(
            "w{:06x}{}",
            self.id_seed,
            self.next_id.fetch_add(1, Ordering::Relaxed) + 1
        );
        let watch = Arc::new(Watch::new(
            id.clone(),
            group.to_string(),
            topic.to_string(),
            cfg,
            &self.settings,
            self.shutdown.child_token(),
        ));
        {
            let mut watches = self.lock();
            // Another request may have started the same watch meanwhile.
            if let Some(existing) = watches
                .values()
                .find(|w| w.group == group && w.topic == topic)
            {
                return Ok((existing.clone(), false));
            }
            if watches.len() >= self.settings.max_watches {
                return Err(self.limit_error());
            }
            watches.insert(id, watch.clone());
        }
        spawn_sampler(
            watch.clone(),
            self.broker.clone(),
            self.settings.sample_interval,
        );
        Ok((watch, true))
    }

    fn check_limit(&self) -> Result<(), WatchError> {
        if self.lock().len() >= self.settings.max_watches {
            return Err(self.limit_error());
        }
        Ok(())
    }

    fn limit_error(&self) -> WatchError {
        let max = self.settings.max_watches;
        WatchError::Limit(
            Coded::new(
                ErrorCode::MaxWatches,
                format!("the server already watches {max} groups; stop one (DELETE /api/watch/<id>) or wait for idle watches to end"),
            )
            .with("max", max),
        )
    }

    fn find(&self, group: &str, topic: &str) -> Option<Arc<Watch>> {
        self.lock()
            .values()
            .find(|w| w.group == group && w.topic == topic)
            .cloned()
    }

    pub fn get(&self, id: &str) -> Option<Arc<Watch>> {
        self.lock().get(id).cloned()
    }

    /// Every watch, oldest first.
    pub fn list(&self) -> Vec<Arc<Watch>> {
        let mut all: Vec<Arc<Watch>> = self.lock().values().cloned().collect();
        all.sort_by_key(|w| (w.id.len(), w.id.clone()));
        all
    }

    /// Stops a watch: its task ends and its streams get `end`.
    pub fn remove(&self, id: &str) -> bool {
        match self.lock().remove(id) {
            Some(watch) => {
                watch.cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// Ends watches nobody read for the idle timeout (no API calls, no open streams).
    pub fn reap_idle(&self) {
        let idle: Vec<String> = self
            .lock()
            .values()
            .filter(|w| w.subscriber_count() == 0 && w.idle_for() > self.settings.idle_timeout)
            .map(|w| w.id.clone())
            .collect();
        for id in idle {
            tracing::info!(watch = %id, "ending idle watch");
            self.remove(&id);
        }
    }

    /// The watched groups Burrow would know (they committed), sorted, each once.
    pub fn known_groups(&self) -> Vec<String> {
        let groups: BTreeSet<String> = self
            .list()
            .iter()
            .filter(|w| w.has_commits())
            .map(|w| w.group.clone())
            .collect();
        groups.into_iter().collect()
    }

    fn of_group(&self, group: &str) -> Vec<Arc<Watch>> {
        self.list()
            .into_iter()
            .filter(|w| w.group == group && w.has_commits())
            .collect()
    }

    /// Burrow's evaluation of a watched group over every topic it is watched on; `None` when
    /// no watch of it has seen a commit.
    pub fn burrow_status(&self, cluster: &str, group: &str, show_all: bool) -> Option<GroupStatus> {
        let watches = self.of_group(group);
        let first = watches.first()?;
        let windows: Vec<PartitionWindow> =
            watches.iter().flat_map(|w| w.committed_windows()).collect();
        Some(evaluate_group(
            cluster,
            group,
            &windows,
            now_ms() as i64,
            &first.cfg,
            show_all,
        ))
    }

    /// Burrow's consumer detail of a watched group: every watched topic's rings.
    pub fn burrow_detail(&self, group: &str) -> Option<serde_json::Value> {
        let watches = self.of_group(group);
        if watches.is_empty() {
            return None;
        }
        let mut topics = BTreeMap::new();
        for w in &watches {
            topics.extend(w.detail());
        }
        Some(serde_json::json!(topics))
    }

    /// A Burrow client read the group: its watches are in use (a `/metrics` scrape is not).
    pub fn touch_group(&self, group: &str) {
        for w in self.list().iter().filter(|w| w.group == group) {
            w.touch();
        }
    }

    /// The watched topics, sorted, each once.
    pub fn topics(&self) -> Vec<String> {
        let topics: BTreeSet<String> = self.list().iter().map(|w| w.topic.clone()).collect();
        topics.into_iter().collect()
    }

    /// A watched topic's log-end offsets, by partition, as last sampled.
    pub fn topic_offsets(&self, topic: &str) -> Option<Vec<i64>> {
        self.list()
            .iter()
            .find(|w| w.topic == topic)
            .map(|w| w.partitions().iter().map(|p| p.log_end).collect())
    }

    /// The watched groups on `topic` that Burrow would know.
    pub fn topic_consumers(&self, topic: &str) -> Vec<String> {
        self.list()
            .iter()
            .filter(|w| w.topic == topic && w.has_commits())
            .map(|w| w.group.clone())
            .collect()
    }
}

fn no_topic(topic: &str) -> WatchError {
    WatchError::NoTopic(
        Coded::new(
            ErrorCode::NoTopic,
            format!("the cluster has no topic {topic:?} (create it, or produce to it once)"),
        )
        .with("topic", topic),
    )
}

/// The watch's sampler: every `every`, the topic's partition count and log-end offsets and the
/// group's committed offsets, read on a blocking thread.
fn spawn_sampler(watch: Arc<Watch>, broker: Broker, every: Duration) {
    let cancel = watch.cancelled();
    tokio::spawn(async move {
        let probe: Arc<Mutex<Option<GroupProbe>>> = Arc::new(Mutex::new(None));
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = ticker.tick() => {}
            }
            let (broker, probe, group, topic) = (
                broker.clone(),
                probe.clone(),
                watch.group.clone(),
                watch.topic.clone(),
            );
            let sample = tokio::task::spawn_blocking(move || {
                let Some(partitions) = broker.partition_count_blocking(&topic)? else {
                    return Err(BrokerError::Other(format!(
                        "the cluster no longer has topic {topic:?}"
                    )));
                };
                let log_end = broker.log_end_offsets_blocking(&topic, partitions)?;
                let mut probe = probe.lock().unwrap_or_else(|e| e.into_inner());
                if probe.is_none() {
                    *probe = Some(broker.group_probe(&group)?);
                }
                let committed = probe
                    .as_ref()
                    .expect("just set")
                    .committed_blocking(&topic, partitions)?;
                Ok(log_end
                    .into_iter()
                    .zip(committed)
                    .enumerate()
                    .map(|(p, (end, committed))| PartitionSample::new(p as i32, end, committed))
                    .collect::<Vec<_>>())
            })
            .await;
            if cancel.is_cancelled() {
                break;
            }
            match sample {
                Ok(Ok(sample)) => watch.observe(sample, now_ms() as i64),
                Ok(Err(e)) => {
                    tracing::debug!(watch = %watch.id, error = %e, "watch sample failed");
                    watch.observe_error(e.to_string());
                }
                Err(e) => tracing::warn!(watch = %watch.id, error = %e, "watch sampler failed"),
            }
        }
        // Dropping a group client blocks while it closes.
        tokio::task::spawn_blocking(move || drop(probe));
    });
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
mod tests {
    use super::*;
    use crate::domain::burrow::Status;

    #[test]
    fn names_are_kafkas_legal_characters() {
        assert!(check_name("topic", "orders-v2.events_1").is_ok());
        let code = |v: &str| match check_name("group", v) {
            Err(e) => Some(e.coded().code),
            Ok(()) => None,
        };
        assert_eq!(code(""), Some(ErrorCode::FieldRequired));
        assert_eq!(code("my group"), Some(ErrorCode::BadName));
        assert_eq!(code("그룹"), Some(ErrorCode::BadName));
        assert_eq!(code(".."), Some(ErrorCode::BadName));
        assert_eq!(code(&"a".repeat(249)), None);
        assert_eq!(code(&"a".repeat(250)), Some(ErrorCode::BadName));
        let e = check_name("group", "a/b").unwrap_err().coded();
        assert_eq!(e.params["field"], "group");
        assert_eq!(e.params["max"], 249);
    }

    fn settings() -> WatchSettings {
        WatchSettings {
            max_watches: 2,
            sample_interval: Duration::from_millis(500),
            idle_timeout: Duration::from_secs(60),
            log_capacity: 100,
            live_buffer: 16,
        }
    }

    fn sample(parts: &[(i64, Option<i64>)]) -> Vec<PartitionSample> {
        parts
            .iter()
            .enumerate()
            .map(|(p, &(end, c))| PartitionSample::new(p as i32, end, c))
            .collect()
    }

    fn events(w: &Watch) -> Vec<serde_json::Value> {
        w.replay(0)
            .entries
            .iter()
            .map(|e| serde_json::from_str(&e.json).unwrap())
            .collect()
    }

    #[test]
    fn a_changed_committed_offset_is_a_commit_and_a_repeated_one_is_not() {
        let cfg = EvaluatorConfig {
            intervals: 3,
            ..EvaluatorConfig::default()
        };
        let w = Watch::new(
            "w1".into(),
            "g".into(),
            "t".into(),
            cfg,
            &settings(),
            CancellationToken::new(),
        );
        // Before any commit: outside view only, Burrow does not know the group.
        w.observe(sample(&[(10, None)]), 1_000);
        assert!(w.view().lag.is_none() && !w.has_commits());
        w.observe(sample(&[(10, Some(10))]), 2_000);
        w.observe(sample(&[(20, Some(20))]), 3_000);
        // The same committed offset again: nothing new for Burrow.
        w.observe(sample(&[(30, Some(20))]), 4_000);
        w.observe(sample(&[(30, Some(20))]), 5_000);
        // Once the broker's ring no longer holds an end offset at the last commit (Burrow's
        // "recent lag zero" forgiveness), the stop counts.
        w.observe(sample(&[(30, Some(20))]), 6_000);
        let report = w.lock().windows.report(6_000).unwrap();
        let offsets: Vec<i64> = report.partitions[0]
            .window
            .iter()
            .map(|c| c.offset)
            .collect();
        assert_eq!(offsets, vec![10, 20]);
        assert_eq!(report.partitions[0].window[1].timestamp, 3_000);
        // Lag 10 with no commit for longer than the window's span: STOP, the group ERR.
        assert_eq!(report.partitions[0].status, Status::Stop);
        assert_eq!(report.status, Status::Err);
        let kinds: Vec<String> = events(&w)
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_string())
            .collect();
        // offsets ×4 (the last sample repeats the one before), lag on the first commit and
        // whenever a partition's lag or the verdict moved.
        assert_eq!(
            kinds.iter().filter(|k| *k == "offsets").count(),
            4,
            "{kinds:?}"
        );
        assert!(kinds.contains(&"lag".to_string()), "{kinds:?}");
        assert_eq!(w.view().partitions[0].lag, 10);
    }

    #[test]
    fn a_sampling_error_is_logged_once() {
        let w = Watch::new(
            "w1".into(),
            "g".into(),
            "t".into(),
            EvaluatorConfig::default(),
            &settings(),
            CancellationToken::new(),
        );
        w.observe_error("gone".into());
        w.observe_error("gone".into());
        assert_eq!(w.view().error.as_deref(), Some("gone"));
        assert_eq!(events(&w).len(), 1);
        w.observe(sample(&[(1, None)]), 1);
        assert!(w.view().error.is_none());
    }
}

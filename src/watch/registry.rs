//! Every watched group on the server: start (or find), list, read, stop, reap when idle.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::broker::{Broker, BrokerError};
use crate::domain::burrow::{evaluate_group, EvaluatorConfig, GroupStatus, PartitionWindow};
use crate::domain::event::now_ms;
use crate::i18n::{Coded, ErrorCode};

use super::sampler::spawn_sampler;
use super::{check_name, no_topic, Watch, WatchError, WatchSettings};

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

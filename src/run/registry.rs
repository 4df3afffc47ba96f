//! `RunRegistry`: every run on this server — creating (with its own topic and group),
//! finding, listing, idle reaping and tearing down.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::log::EventLog;
use super::options::ConsumerOptions;
use super::state::RunState;
use super::{sampler, LabRun, RunError, RunInner, RunSettings};
use crate::broker::Broker;
use crate::domain::burrow::{EvaluatorConfig, GroupWindows};
use crate::domain::group;
use crate::i18n::{Coded, ErrorCode};
use crate::lab::LoadedLab;

/// Every run on this server.
pub struct RunRegistry {
    runs: Mutex<HashMap<String, Arc<LabRun>>>,
    broker: Broker,
    settings: Arc<RunSettings>,
    shutdown: CancellationToken,
    id_seed: u64,
    next_id: Mutex<u64>,
    /// Events logged by runs that are gone (so the total only grows).
    retired_events: AtomicU64,
    /// Runs being created (counted against the limit until they are listed or fail).
    creating: AtomicUsize,
}

/// A place under the run limit, held while a run is being created; given back when dropped
/// (the run is listed by then, or its creation failed or was abandoned).
struct Reservation<'a>(&'a AtomicUsize);

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl RunRegistry {
    pub fn new(broker: Broker, settings: RunSettings, shutdown: CancellationToken) -> Arc<Self> {
        // Run ids differ between server starts, so a stale page cannot resume another run.
        let id_seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
            & 0x00ff_ffff;
        Arc::new(RunRegistry {
            runs: Mutex::new(HashMap::new()),
            broker,
            settings: Arc::new(settings),
            shutdown,
            id_seed,
            next_id: Mutex::new(0),
            retired_events: AtomicU64::new(0),
            creating: AtomicUsize::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<LabRun>>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a run of `lab`: its own topic and group, so runs never see each other's data.
    pub async fn create(
        &self,
        lab: Arc<LoadedLab>,
        params: &ConsumerOptions,
        burrow: EvaluatorConfig,
    ) -> Result<Arc<LabRun>, RunError> {
        let defaults = params
            .apply(&lab.lab.consumer)
            .map_err(|(field, why)| RunError::BadField(field, why))?;
        // The check and the reservation are one step under the runs' lock: concurrent creates
        // cannot all pass the check while the first is still creating its topic.
        let reservation = {
            let runs = self.lock();
            let creating = self.creating.load(Ordering::SeqCst);
            (runs.len() + creating < self.settings.max_runs).then(|| {
                self.creating.fetch_add(1, Ordering::SeqCst);
                Reservation(&self.creating)
            })
        };
        let Some(_reservation) = reservation else {
            let max = self.settings.max_runs;
            return Err(RunError::Limit(
                Coded::new(
                    ErrorCode::MaxRuns,
                    format!(
                        "the server already runs {max} labs; delete one or wait for idle runs to expire"
                    ),
                )
                .with("max", max),
            ));
        };
        let id = {
            let mut n = self.next_id.lock().unwrap_or_else(|e| e.into_inner());
            *n += 1;
            format!("r{:06x}{}", self.id_seed, *n)
        };
        let topic = group::run_topic(&lab.lab.topic.name, &id);
        let group = group::run_group(&defaults.group, &id);
        let partitions = lab.lab.topic.partitions;
        self.broker.create_topic(&topic, partitions).await?;
        let burrow = GroupWindows::new(topic.clone(), burrow);
        let run = Arc::new(LabRun {
            id: id.clone(),
            lab,
            topic,
            group: group.clone(),
            defaults,
            broker: self.broker.clone(),
            settings: self.settings.clone(),
            inner: Mutex::new(RunInner {
                log: EventLog::new(self.settings.log_capacity, self.settings.live_buffer),
                state: RunState::new(&group, partitions),
                handles: BTreeMap::new(),
                producer: None,
                burrow,
                lag: None,
                closing: false,
            }),
            cancel: self.shutdown.child_token(),
            last_activity: super::idle::LastActivity::default(),
            producer_rate: AtomicU32::new(0),
        });
        sampler::spawn(
            run.clone(),
            self.broker.clone(),
            self.settings.sample_interval,
        );
        self.lock().insert(id, run.clone());
        Ok(run)
    }

    pub fn get(&self, id: &str) -> Option<Arc<LabRun>> {
        self.lock().get(id).cloned()
    }

    /// How often each run's offsets are sampled (the lag window's step).
    pub fn sample_interval(&self) -> Duration {
        self.settings.sample_interval
    }

    pub fn idle_timeout(&self) -> Duration {
        self.settings.idle_timeout
    }

    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// Every run, oldest first (ids carry a counter, so they sort by creation).
    pub fn list(&self) -> Vec<Arc<LabRun>> {
        let mut runs: Vec<Arc<LabRun>> = self.lock().values().cloned().collect();
        runs.sort_by_key(|r| (r.id.len(), r.id.clone()));
        runs
    }

    /// Removes a run and tears it down.
    pub async fn remove(&self, id: &str) -> bool {
        // Torn down while still listed, so its last events and state stay readable until the
        // streams end; then it is gone.
        let Some(run) = self.get(id) else {
            return false;
        };
        run.teardown().await;
        let removed = self.lock().remove(id).is_some();
        if removed {
            self.retired_events
                .fetch_add(run.gauges().events, Ordering::Relaxed);
        }
        removed
    }

    /// Events logged by every run since the server started, gone runs included.
    pub fn events_total(&self, live: &[crate::run::RunGauges]) -> u64 {
        self.retired_events.load(Ordering::Relaxed) + live.iter().map(|g| g.events).sum::<u64>()
    }

    /// Tears down runs nobody has used for the idle timeout (no API calls, no open streams).
    pub async fn reap_idle(&self) {
        let idle: Vec<String> = self
            .lock()
            .values()
            .filter(|r| r.subscriber_count() == 0 && r.idle_for() > self.settings.idle_timeout)
            .map(|r| r.id.clone())
            .collect();
        for id in idle {
            tracing::info!(run = %id, "tearing down idle run");
            self.remove(&id).await;
        }
    }

    /// Server shutdown: every run torn down, concurrently.
    pub async fn shutdown_all(&self) {
        let runs: Vec<Arc<LabRun>> = self.lock().drain().map(|(_, r)| r).collect();
        futures::future::join_all(runs.iter().map(|r| r.teardown())).await;
    }
}

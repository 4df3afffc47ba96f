//! `RunRegistry`: every run on this server — creating (with its own topic and group),
//! finding, listing, idle reaping and tearing down.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::log::EventLog;
use super::notice::{EndReason, NoticeSender, RunNotice};
use super::options::ConsumerOptions;
use super::state::RunState;
use super::{sampler, LabRun, RunError, RunInner, RunSettings};
use crate::broker::Broker;
use crate::classroom::{random_hex, SessionId};
use crate::domain::burrow::{EvaluatorConfig, GroupWindows};
use crate::domain::event::now_ms;
use crate::domain::group;
use crate::i18n::{Coded, ErrorCode};
use crate::lab::LoadedLab;

/// Every run on this server.
pub struct RunRegistry {
    runs: Mutex<HashMap<String, Arc<LabRun>>>,
    broker: Broker,
    settings: Arc<RunSettings>,
    shutdown: CancellationToken,
    /// Events logged by runs that are gone (so the total only grows).
    retired_events: AtomicU64,
    /// The owners of runs being created (counted against the limits until the run is listed
    /// or its creation fails).
    creating: Mutex<Vec<Creator>>,
    /// The classroom hears of runs started and ended, and checkpoints reached.
    notices: NoticeSender,
}

/// A place under the run limits, held while a run is being created; given back when dropped
/// (the run is listed by then, or its creation failed or was abandoned).
struct Reservation<'a> {
    creating: &'a Mutex<Vec<Creator>>,
    creator: Creator,
}

/// Who is creating a run: the limits count runs per session and per client address.
#[derive(Clone, PartialEq)]
struct Creator {
    owner: SessionId,
    address: Option<IpAddr>,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let mut creating = self.creating.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = creating.iter().position(|c| *c == self.creator) {
            creating.swap_remove(i);
        }
    }
}

impl RunRegistry {
    pub fn new(
        broker: Broker,
        settings: RunSettings,
        shutdown: CancellationToken,
        notices: NoticeSender,
    ) -> Arc<Self> {
        Arc::new(RunRegistry {
            runs: Mutex::new(HashMap::new()),
            broker,
            settings: Arc::new(settings),
            shutdown,
            retired_events: AtomicU64::new(0),
            creating: Mutex::new(Vec::new()),
            notices,
        })
    }

    /// The limits every run shares.
    pub fn settings(&self) -> &RunSettings {
        &self.settings
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<LabRun>>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a run of `lab` for `owner`: its own topic and group (named after the run's
    /// unguessable id), so runs never see each other's data.
    pub async fn create(
        &self,
        lab: Arc<LoadedLab>,
        params: &ConsumerOptions,
        burrow: EvaluatorConfig,
        owner: &SessionId,
        address: Option<IpAddr>,
    ) -> Result<Arc<LabRun>, RunError> {
        let defaults = params
            .apply(&lab.lab.consumer)
            .map_err(|(field, why)| RunError::BadField(field, why))?;
        // The check and the reservation are one step under the runs' lock: concurrent creates
        // cannot all pass the check while the first is still creating its topic.
        let reservation = {
            let runs = self.lock();
            if self.shutdown.is_cancelled() {
                return Err(shutting_down());
            }
            let mut creating = self.creating.lock().unwrap_or_else(|e| e.into_inner());
            let (max, per_session) = (self.settings.max_runs, self.settings.max_runs_per_session);
            if runs.len() + creating.len() >= max {
                return Err(RunError::Limit(
                    Coded::new(
                        ErrorCode::MaxRuns,
                        format!(
                            "the server already runs {max} labs; delete one or wait for idle runs to expire"
                        ),
                    )
                    .with("max", max),
                ));
            }
            let mine = runs.values().filter(|r| r.owner == *owner).count()
                + creating.iter().filter(|c| c.owner == *owner).count();
            if mine >= per_session {
                return Err(RunError::Limit(
                    Coded::new(
                        ErrorCode::MaxRunsPerSession,
                        format!(
                            "you already have {per_session} runs open (the limit per trainee); delete one first"
                        ),
                    )
                    .with("max", per_session),
                ));
            }
            let per_address = self.settings.max_runs_per_address;
            if let Some(address) = address.filter(|_| per_address > 0) {
                let from_there = runs.values().filter(|r| r.address == Some(address)).count()
                    + creating
                        .iter()
                        .filter(|c| c.address == Some(address))
                        .count();
                if from_there >= per_address {
                    return Err(RunError::Limit(
                        Coded::new(
                            ErrorCode::MaxRunsPerAddress,
                            format!(
                                "{per_address} runs are already open from your address {address} (the limit per computer); delete one first"
                            ),
                        )
                        .with("max", per_address),
                    ));
                }
            }
            let creator = Creator {
                owner: owner.clone(),
                address,
            };
            creating.push(creator.clone());
            Reservation {
                creating: &self.creating,
                creator,
            }
        };
        // 96 random bits: another trainee cannot guess it, and ids do not sort by creation.
        let id = format!("r{}", random_hex::<12>());
        let topic = group::run_topic(&lab.lab.topic.name, &id);
        let group = group::run_group(&defaults.group, &id);
        let partitions = lab.lab.topic.partitions;
        self.broker.create_topic(&topic, partitions).await?;
        let burrow = GroupWindows::new(topic.clone(), burrow);
        let created_ms = now_ms() as i64;
        let run = Arc::new(LabRun {
            id: id.clone(),
            owner: owner.clone(),
            address,
            created_ms,
            lab,
            topic,
            group: group.clone(),
            defaults,
            broker: self.broker.clone(),
            settings: self.settings.clone(),
            inner: Mutex::new(RunInner {
                log: EventLog::new(self.settings.log_capacity, self.settings.live_buffer)
                    .with_max_bytes(self.settings.log_max_bytes),
                state: RunState::new(&group, partitions),
                handles: BTreeMap::new(),
                producer: None,
                burrow,
                lag: None,
                closing: false,
                heard: Default::default(),
            }),
            // Not a child of the server's token: a shutdown tears each run down first (its
            // members' final commits reach its streams), and that ends the run's tasks.
            cancel: CancellationToken::new(),
            last_activity: super::idle::LastActivity::default(),
            producer_rate: AtomicU32::new(0),
            notices: self.notices.clone(),
        });
        sampler::spawn(
            run.clone(),
            self.broker.clone(),
            self.settings.sample_interval,
        );
        {
            // Checked under the lock `shutdown_all` drains: a run made while the server
            // stops is either drained with the others or not listed at all.
            let mut runs = self.lock();
            if self.shutdown.is_cancelled() {
                drop(runs);
                run.teardown().await;
                return Err(shutting_down());
            }
            runs.insert(id.clone(), run.clone());
        }
        drop(reservation);
        self.notices.send(RunNotice::Started {
            run: id,
            owner: owner.clone(),
            lab: run.lab.lab.id.clone(),
            ts: created_ms,
        });
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

    /// Every run, oldest first.
    pub fn list(&self) -> Vec<Arc<LabRun>> {
        let mut runs: Vec<Arc<LabRun>> = self.lock().values().cloned().collect();
        runs.sort_by(|a, b| (a.created_ms, &a.id).cmp(&(b.created_ms, &b.id)));
        runs
    }

    /// The runs of one trainee, oldest first.
    pub fn list_of(&self, owner: &SessionId) -> Vec<Arc<LabRun>> {
        let mut runs = self.list();
        runs.retain(|r| r.owner == *owner);
        runs
    }

    /// Removes a run and tears it down; the classroom hears why it ended.
    pub async fn remove(&self, id: &str, reason: EndReason) -> bool {
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
            self.notices.send(ended(&run, reason));
            // Its topic would hold memory (or disk) for as long as the broker runs.
            if let Err(e) = self
                .broker
                .discard_topic(&run.topic, run.lab.lab.topic.partitions)
                .await
            {
                tracing::warn!(run = %run.id, topic = %run.topic, error = %e, "could not discard a gone run's topic");
            }
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
            self.remove(&id, EndReason::Idle).await;
        }
    }

    /// Server shutdown: every run torn down, concurrently.
    pub async fn shutdown_all(&self) {
        let runs: Vec<Arc<LabRun>> = self.lock().drain().map(|(_, r)| r).collect();
        futures::future::join_all(runs.iter().map(|r| r.teardown())).await;
        for run in &runs {
            self.notices.send(ended(run, EndReason::ServerRestart));
        }
    }
}

fn shutting_down() -> RunError {
    RunError::Unavailable(Coded::new(
        ErrorCode::ShuttingDown,
        "the server is shutting down; start again once it is back",
    ))
}

fn ended(run: &LabRun, reason: EndReason) -> RunNotice {
    RunNotice::Ended {
        run: run.id.clone(),
        owner: run.owner.clone(),
        lab: run.lab.lab.id.clone(),
        reason,
        summary: run.summary(),
        ts: now_ms() as i64,
    }
}

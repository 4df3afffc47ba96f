//! A run's consumers: starting worker processes, stopping (SIGTERM: the shutdown hook),
//! killing (SIGKILL), step controls, and tearing them all down.

use std::sync::Arc;
use std::time::Duration;

use super::options::ConsumerOptions;
use super::process::{self, WorkerHandle};
use super::{not_running, ConsumerStatus, LabRun, RunError};
use crate::domain::event::LabEvent;
use crate::domain::protocol::{fetch_wait_max_ms, Control, WorkerSpec};
use crate::fd_budget;
use crate::i18n::{Coded, ErrorCode};

/// How long a run's teardown waits for every member's final commit before all leave (the
/// workers themselves wait a little longer for the word).
const LEAVE_BARRIER: Duration = Duration::from_secs(4);

/// The embedded broker's fetch wait for the class now, the least its proxy lets each Fetch
/// request wait: `LABS_FETCH_WAIT_MS` when set, else by how many worker processes run now (one
/// floor for the whole class, following its size; see `broker::FetchWait`).
pub fn class_fetch_wait_ms(fixed: Option<u64>) -> i32 {
    let ms = fixed.unwrap_or_else(|| fetch_wait_max_ms(true, process::live_workers()));
    i32::try_from(ms).unwrap_or(i32::MAX)
}

impl LabRun {
    /// Starts a consumer (a new worker process) with the run's defaults and `options`.
    pub async fn add_consumer(
        self: &Arc<Self>,
        options: &ConsumerOptions,
    ) -> Result<String, RunError> {
        let config = options
            .apply(&self.defaults)
            .map_err(|(field, why)| RunError::BadField(field, why))?;
        if config.assignment_strategy != self.defaults.assignment_strategy {
            // One group, one strategy: real brokers refuse a mix, and librdkafka's mock
            // broker aborts the whole process on it (members live on after a kill, too).
            let strategy = self.defaults.assignment_strategy.librdkafka_name();
            return Err(RunError::BadField(
                "assignment_strategy",
                Coded::new(
                    ErrorCode::StrategyPerRun,
                    format!(
                        "this run's group uses {strategy:?}; choose the strategy when creating the run (params.assignment_strategy)"
                    ),
                )
                .with("strategy", strategy),
            ));
        }
        if let Some(p) = config.assign_partition {
            if p >= self.lab.lab.topic.partitions {
                let max = self.lab.lab.topic.partitions - 1;
                return Err(RunError::BadField(
                    "assign_partition",
                    Coded::new(
                        ErrorCode::PartitionRange,
                        format!("the topic has partitions 0..{max}"),
                    )
                    .with("max", max),
                ));
            }
        }
        let cid = {
            let mut inner = self.lock();
            if inner.closing {
                return Err(run_ending());
            }
            let (open, limit) = (fd_budget::open_now(), fd_budget::soft_limit());
            if !fd_budget::worker_fits(open, limit) {
                return Err(RunError::Unavailable(
                    Coded::new(
                        ErrorCode::FdBudget,
                        format!(
                            "the server is out of file descriptors for another consumer ({open} of {limit} in use); stop consumers or runs first"
                        ),
                    )
                    .with("open", open)
                    .with("limit", limit),
                ));
            }
            let lab_max = self.lab.lab.controls.max_consumers as usize;
            let max = lab_max.min(self.settings.max_consumers_per_run);
            if inner.state.counted_consumers() >= max {
                return Err(RunError::Limit(
                    Coded::new(
                        ErrorCode::MaxConsumers,
                        format!(
                            "this lab runs at most {max} consumer(s) at once; stop or kill one first"
                        ),
                    )
                    .with("max", max),
                ));
            }
            inner.state.add_consumer(config.clone())
        };
        let spec = WorkerSpec {
            run_id: self.id.clone(),
            consumer_id: cid.clone(),
            bootstrap_servers: self.broker.bootstrap_servers().to_string(),
            topic: self.topic.clone(),
            group_id: self.group.clone(),
            heartbeat_interval_ms: crate::domain::settings::heartbeat_interval_ms(
                config.session_timeout_ms,
            ),
            sink_dir: config.sink.then(|| self.sink_dir()),
            consumer: config,
            fetch_wait_max_ms: self.settings.fetch_wait_ms.unwrap_or_else(|| {
                fetch_wait_max_ms(self.broker.is_embedded(), process::live_workers())
            }),
        };
        match process::spawn(self.clone(), &spec, &self.settings.worker_exe) {
            Ok(handle) => {
                let pid = handle.pid;
                {
                    let mut inner = self.lock();
                    if inner.closing {
                        // The run began its teardown while this worker started: it would be
                        // missed by it, so it goes now.
                        drop(inner);
                        handle.signal(libc::SIGKILL);
                        return Err(run_ending());
                    }
                    inner.handles.insert(cid.clone(), handle);
                    inner.heard.insert(cid.clone(), std::time::Instant::now());
                }
                self.record(Some(&cid), LabEvent::Spawned { pid });
                Ok(cid)
            }
            Err(e) => {
                self.lock().state.remove_consumer(&cid);
                Err(RunError::Spawn(e))
            }
        }
    }

    fn with_handle<T>(
        &self,
        cid: &str,
        f: impl FnOnce(&WorkerHandle) -> T,
    ) -> Result<Option<T>, RunError> {
        let inner = self.lock();
        if inner.state.consumer(cid).is_none() {
            return Err(RunError::NoSuchConsumer(cid.to_string()));
        }
        Ok(inner.handles.get(cid).map(f))
    }

    /// Graceful stop: SIGTERM, the worker's shutdown hook (wakeup → commitSync → close).
    pub fn stop_consumer(&self, cid: &str) -> Result<(), RunError> {
        self.with_handle(cid, |h| h.signal(libc::SIGTERM))?
            .ok_or_else(|| not_running(cid))?;
        // It is on its way out: it no longer counts against the lab's consumer limit, so the
        // trainee can start the next one at once.
        self.lock().state.stop_requested(cid);
        Ok(())
    }

    /// Crash: SIGKILL. No commit, no leave-group; the group notices after the session timeout.
    pub fn kill_consumer(&self, cid: &str) -> Result<(), RunError> {
        let alive = self.with_handle(cid, |_| ())?.is_some();
        if !alive {
            return Err(not_running(cid));
        }
        // Logged before the signal, so the page sees "killed" before "exited".
        self.record(Some(cid), LabEvent::Killed);
        self.with_handle(cid, |h| h.signal(libc::SIGKILL))?;
        Ok(())
    }

    /// Kills the running consumers that stopped reporting: a worker's poll loop writes at
    /// least its metrics every second, even paused, so silence longer than the hung limit
    /// (plus twice its poll timeout and processing delay) means it is stuck. Each is reported
    /// (`error`), then killed (`killed`, `exited`); the run goes on.
    pub fn kill_hung(&self) {
        let hung: Vec<(String, u64)> = {
            let inner = self.lock();
            inner
                .state
                .consumers()
                .filter(|c| {
                    matches!(c.status, ConsumerStatus::Starting | ConsumerStatus::Running)
                        && inner.handles.contains_key(&c.id)
                })
                .filter_map(|c| {
                    let limit = self.settings.hung_after
                        + 2 * Duration::from_millis(
                            c.config.poll_timeout_ms + c.config.processing_delay_ms,
                        );
                    let silent = inner.heard.get(&c.id)?.elapsed();
                    (silent > limit).then(|| (c.id.clone(), silent.as_secs()))
                })
                .collect()
        };
        for (cid, secs) in hung {
            tracing::warn!(run = %self.id, consumer = %cid, "worker hung; killing it");
            self.record(
                Some(&cid),
                LabEvent::Error {
                    message: format!(
                        "consumer {cid} has said nothing for {secs} s: it is hung, so the server kills it"
                    ),
                },
            );
            let _ = self.kill_consumer(&cid);
        }
    }

    /// Sends a step control (pause / resume / step) to a consumer.
    pub fn control(&self, cid: &str, control: Control) -> Result<(), RunError> {
        let line = serde_json::to_string(&control).expect("controls serialize");
        let sent = self.with_handle(cid, |h| h.send_line(line))?;
        match sent {
            Some(true) => Ok(()),
            _ => Err(not_running(cid)),
        }
    }

    /// Stops every worker (SIGTERM, then SIGKILL after the grace period), ends the run's tasks
    /// and streams. Idempotent.
    pub async fn teardown(&self) {
        let handles: Vec<(String, WorkerHandle)> = {
            let mut inner = self.lock();
            // No consumer starts from now on (see `add_consumer`).
            inner.closing = true;
            inner
                .handles
                .iter()
                .map(|(cid, h)| (cid.clone(), h.clone()))
                .collect()
        };
        if handles.len() > 1 {
            self.leave_together(&handles).await;
        } else {
            for (_, h) in &handles {
                h.signal(libc::SIGTERM);
            }
        }
        let grace = self.settings.stop_grace;
        for (cid, h) in &handles {
            if tokio::time::timeout(grace, h.exited()).await.is_err() {
                tracing::warn!(run = %self.id, consumer = %cid, "worker ignored SIGTERM; killing it");
                self.record(Some(cid), LabEvent::Killed);
                h.signal(libc::SIGKILL);
                let _ = tokio::time::timeout(Duration::from_secs(10), h.exited()).await;
            }
        }
        self.cancel.cancel();
        if self.defaults.sink {
            self.remove_sink_dir().await;
        }
    }

    /// Stops every member at once, commit before leave: each makes its final commit and waits;
    /// once all have (or [`LEAVE_BARRIER`] passed), all leave. A member that left first would
    /// start a rebalance in which the others' final commits fail (`RebalanceInProgress`).
    async fn leave_together(&self, handles: &[(String, WorkerHandle)]) {
        let mut live = {
            let inner = self.lock();
            inner.log.subscribe_since(inner.log.next_seq() - 1).1
        };
        let stop = serde_json::to_string(&Control::StopAndHold).expect("controls serialize");
        for (_, h) in handles {
            if !h.send_line(stop.clone()) {
                h.signal(libc::SIGTERM);
            }
        }
        let cids: Vec<&str> = handles.iter().map(|(cid, _)| cid.as_str()).collect();
        let deadline = tokio::time::Instant::now() + LEAVE_BARRIER;
        loop {
            let all_ready = {
                let inner = self.lock();
                cids.iter().all(|cid| {
                    inner
                        .state
                        .consumers()
                        .find(|c| c.id == *cid)
                        .is_none_or(|c| c.may_leave())
                })
            };
            if all_ready {
                break;
            }
            tokio::select! {
                r = live.recv() => {
                    if matches!(r, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                        break;
                    }
                }
                _ = tokio::time::sleep_until(deadline) => {
                    tracing::warn!(run = %self.id, "not every member made its final commit in time; leaving anyway");
                    break;
                }
            }
        }
        let leave = serde_json::to_string(&Control::Leave).expect("controls serialize");
        for (_, h) in handles {
            h.send_line(leave.clone());
        }
    }

    /// The run's sink directory: `<data>/runs/<run id>`.
    pub fn sink_dir(&self) -> std::path::PathBuf {
        self.settings.data_dir.join("runs").join(&self.id)
    }

    /// Deletes the run's sink files with the run (after its workers are gone).
    async fn remove_sink_dir(&self) {
        let dir = self.sink_dir();
        let removed = tokio::task::spawn_blocking(move || match std::fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("{}: {e}", dir.display()))
            }
            _ => Ok(()),
        })
        .await;
        if let Ok(Err(e)) = removed {
            tracing::warn!(run = %self.id, error = %e, "cannot delete the run's sink files");
        }
    }
}

/// The run is being torn down (deleted, reaped or the server stops): no new consumer.
fn run_ending() -> RunError {
    RunError::Conflict(Coded::new(
        ErrorCode::RunEnding,
        "this run is ending: start a new run",
    ))
}

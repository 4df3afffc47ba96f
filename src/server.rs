//! `Server`: starts the broker, the run registry and the web app; shuts them down in order.
//! The HTTP connection loop is in `http.rs`.

mod http;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::broker::Broker;
use crate::classroom::{ClassLimits, Classroom};
use crate::config::Settings;
use crate::i18n::Catalog;
use crate::lab::LabCatalog;
use crate::run::{RunRegistry, RunSettings};
use crate::watch::{WatchRegistry, WatchSettings, MAX_WATCHES};
use crate::web::{app, AppState};

/// A running server: its address, its state, and the means to stop it.
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: CancellationToken,
    task: JoinHandle<()>,
}

/// How long open connections may delay a shutdown before they are dropped.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

impl Server {
    /// Loads the labs (a bad file refuses to start), starts the broker and serves.
    pub async fn start(settings: Settings) -> anyhow::Result<Server> {
        let fds = crate::fd_budget::raise_soft_limit();
        tracing::info!(limit = fds, "file descriptors");
        let texts = Catalog::builtin()?;
        let labs = LabCatalog::load_dir(&settings.labs_dir())?;
        let broker = match &settings.bootstrap_servers {
            Some(bootstrap) => Broker::external(bootstrap).await?,
            None => {
                let fixed = settings.fetch_wait_ms;
                let fetch_wait = move || Some(crate::run::class_fetch_wait_ms(fixed));
                Broker::embedded(settings.broker_bind, Arc::new(fetch_wait)).await?
            }
        };
        let listener = tokio::net::TcpListener::bind(settings.bind)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        let addr = listener.local_addr()?;
        let shutdown = CancellationToken::new();
        let worker_exe = match &settings.worker_exe {
            Some(p) => p.clone(),
            None => std::env::current_exe()?,
        };
        let data_dir = std::path::absolute(&settings.data_dir)?;
        let (classroom, notices) = Classroom::start(
            &data_dir,
            ClassLimits {
                max_streams_per_session: settings.max_streams_per_session,
            },
            settings.instructor_token.clone(),
        )?;
        let runs = RunRegistry::new(
            broker.clone(),
            RunSettings {
                worker_exe,
                max_runs: settings.max_runs,
                max_runs_per_session: settings.max_runs_per_session,
                max_runs_per_address: settings.max_runs_per_address,
                max_consumers_per_run: settings.max_consumers_per_run,
                max_produce_records: settings.max_produce_records,
                max_producer_rate: settings.max_producer_rate,
                log_capacity: settings.log_capacity,
                log_max_bytes: settings.log_max_bytes,
                hung_after: Duration::from_secs(settings.hung_after_secs),
                live_buffer: 1024,
                idle_timeout: settings.idle_timeout(),
                stop_grace: Duration::from_secs(10),
                sample_interval: Duration::from_millis(500),
                fetch_wait_ms: settings.fetch_wait_ms,
                // Absolute: workers and the server must agree whatever their directories.
                data_dir,
            },
            shutdown.clone(),
            notices,
        );
        let watches = WatchRegistry::start(
            broker.clone(),
            WatchSettings {
                max_watches: MAX_WATCHES,
                sample_interval: runs.sample_interval(),
                idle_timeout: settings.idle_timeout(),
                log_capacity: 2_000,
                live_buffer: 256,
            },
            shutdown.clone(),
        );
        let state = AppState {
            labs: Arc::new(labs),
            runs,
            classroom,
            watches,
            broker,
            shutdown: shutdown.clone(),
            static_dir: settings.static_dir(),
            http_responses: Default::default(),
            loopback_only: settings.bind.ip().is_loopback(),
            body_timeout: settings.body_timeout(),
            texts: Arc::new(texts),
        };

        // Idle runs are torn down in the background.
        let reaper_runs = state.runs.clone();
        let reaper_stop = shutdown.clone();
        tokio::spawn(async move {
            let every = (reaper_runs.idle_timeout() / 2)
                .clamp(Duration::from_millis(200), Duration::from_secs(30));
            let mut tick = tokio::time::interval(every);
            loop {
                tokio::select! {
                    _ = reaper_stop.cancelled() => break,
                    _ = tick.tick() => reaper_runs.reap_idle().await,
                }
            }
        });

        let router = app(state.clone());
        let stop = shutdown.clone();
        let runs = state.runs.clone();
        let header_timeout = settings.header_timeout();
        let task = tokio::spawn(async move {
            // Graceful, but bounded: a client holding a half-sent request must not keep the
            // server (and every worker) alive. Meanwhile every run is torn down: its streams
            // show its members' final commits and leaving, then end.
            let serving = http::serve(
                listener,
                router,
                header_timeout,
                stop.clone(),
                SHUTDOWN_GRACE,
            );
            let stopping = async {
                stop.cancelled().await;
                runs.shutdown_all().await;
            };
            tokio::join!(serving, stopping);
        });
        Ok(Server {
            addr,
            state,
            shutdown,
            task,
        })
    }

    /// Stops serving, stops every worker (SIGTERM, bounded, then SIGKILL) and waits.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        let _ = self.task.await;
    }

    /// Waits until the server stops (after `shutdown_token().cancel()`).
    pub async fn wait(self) {
        let _ = self.task.await;
    }

    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }
}

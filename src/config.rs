//! `Settings`: command line and environment (bind address, broker choice, limits).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kafka-consumer-labs",
    version,
    about = "Kafka consumer course labs in the browser"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve(Box<Settings>),
    /// Run one lab consumer (spawned by the server; not for people).
    Worker {
        /// Only there so `ps` and tests can tell which run a worker belongs to.
        #[arg(long)]
        run_id: String,
        /// The consumer's `WorkerSpec` as JSON.
        #[arg(long)]
        spec: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address of the web server.
    #[arg(long, env = "LABS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Fixed address of the embedded broker (ignored with KAFKA_BOOTSTRAP_SERVERS).
    #[arg(long, env = "LABS_BROKER_BIND", default_value = "127.0.0.1:9092")]
    pub broker_bind: SocketAddr,
    /// Use this Kafka cluster instead of the embedded broker.
    #[arg(long, env = "KAFKA_BOOTSTRAP_SERVERS")]
    pub bootstrap_servers: Option<String>,
    /// Directory of lab definitions (`*.toml`).
    #[arg(long, env = "LABS_DIR")]
    pub labs_dir: Option<PathBuf>,
    /// Directory of static assets (JS, CSS).
    #[arg(long, env = "LABS_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Most concurrent lab runs.
    #[arg(long, env = "LABS_MAX_RUNS", default_value_t = 200)]
    pub max_runs: usize,
    /// A run nobody uses for this long is torn down.
    #[arg(long, env = "LABS_IDLE_TIMEOUT_SECS", default_value_t = 1800)]
    pub idle_timeout_secs: u64,
    /// Runs one trainee (browser session) may have at once.
    #[arg(long, env = "LABS_MAX_RUNS_PER_SESSION", default_value_t = 6)]
    pub max_runs_per_session: usize,
    /// Runs open at once from one client address (IP), whatever its sessions: a script that
    /// drops its cookie gets a new session per request. 0: no limit (behind a reverse proxy,
    /// where every trainee has the proxy's address).
    #[arg(long, env = "LABS_MAX_RUNS_PER_ADDRESS", default_value_t = 12)]
    pub max_runs_per_address: usize,
    /// Consumers one run may have at once (a lab may allow fewer).
    #[arg(long, env = "LABS_MAX_CONSUMERS_PER_RUN", default_value_t = 8)]
    pub max_consumers_per_run: usize,
    /// Records one produce call may send.
    #[arg(long, env = "LABS_MAX_PRODUCE_RECORDS", default_value_t = 10_000)]
    pub max_produce_records: usize,
    /// The background producer's ceiling, records per second.
    #[arg(long, env = "LABS_MAX_PRODUCER_RATE", default_value_t = crate::run::MAX_PRODUCER_RATE)]
    pub max_producer_rate: u32,
    /// Event streams (open lab pages) one trainee may hold at once.
    #[arg(long, env = "LABS_MAX_STREAMS_PER_SESSION", default_value_t = 16)]
    pub max_streams_per_session: usize,
    /// The instructor's token (`/instructor`); without it there is no instructor.
    #[arg(long, env = "LABS_INSTRUCTOR_TOKEN", hide_env_values = true)]
    pub instructor_token: Option<String>,
    /// Events kept per run for replay.
    #[arg(long, env = "LABS_RUN_LOG_CAPACITY", default_value_t = 20_000)]
    pub log_capacity: usize,
    /// Bytes of events kept per run for replay (the oldest go first, readers get a gap).
    #[arg(long, env = "LABS_RUN_LOG_MAX_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub log_max_bytes: usize,
    /// A running consumer that says nothing for this long (plus twice its poll timeout and
    /// processing delay) is hung: the server reports it and kills it.
    #[arg(long, env = "LABS_HUNG_AFTER_SECS", default_value_t = 30)]
    pub hung_after_secs: u64,
    /// A client must send a request's whole header within this time (ms), else the
    /// connection is closed; an idle keep-alive connection is closed after it too.
    #[arg(long, env = "LABS_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,
    /// A client must send a request's whole body within this time (ms), else 408.
    #[arg(long, env = "LABS_BODY_TIMEOUT_MS", default_value_t = 30_000)]
    pub body_timeout_ms: u64,
    /// Where the sinks lab keeps each run's files (`<dir>/runs/<run id>/`).
    #[arg(long, env = "LABS_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The worker executable (default: this binary).
    #[arg(long, env = "LABS_WORKER_EXE")]
    pub worker_exe: Option<PathBuf>,
    /// librdkafka's `fetch.wait.max.ms` for every lab consumer. Unset: 100 ms on a real
    /// cluster; on the embedded broker, which holds an empty fetch that long even when a record
    /// arrives, 5 ms growing with the consumers running (see `protocol::fetch_wait_max_ms`).
    #[arg(long, env = "LABS_FETCH_WAIT_MS")]
    pub fetch_wait_ms: Option<u64>,
}

impl Settings {
    /// Settings for tests and embedding: everything on port 0, defaults otherwise.
    pub fn for_tests() -> Settings {
        Settings {
            bind: "127.0.0.1:0".parse().expect("valid"),
            broker_bind: "127.0.0.1:0".parse().expect("valid"),
            bootstrap_servers: None,
            labs_dir: None,
            static_dir: None,
            max_runs: 200,
            max_runs_per_session: 200,
            // Every test client is 127.0.0.1; the test of this limit sets it.
            max_runs_per_address: 0,
            max_consumers_per_run: 16,
            max_produce_records: 10_000,
            max_producer_rate: crate::run::MAX_PRODUCER_RATE,
            max_streams_per_session: 2_000,
            instructor_token: None,
            idle_timeout_secs: 1800,
            log_capacity: 20_000,
            log_max_bytes: 16 * 1024 * 1024,
            hung_after_secs: 30,
            header_timeout_ms: 10_000,
            body_timeout_ms: 30_000,
            // Each server its own: the classroom's database is not shared between tests.
            data_dir: std::env::temp_dir()
                .join("kafka-consumer-labs-test-data")
                .join(crate::classroom::random_hex::<8>()),
            worker_exe: None,
            fetch_wait_ms: None,
        }
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms)
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_millis(self.body_timeout_ms)
    }

    /// `name` in the working directory, else next to the sources this binary was built from.
    fn resolve(explicit: &Option<PathBuf>, name: &str) -> PathBuf {
        if let Some(p) = explicit {
            return p.clone();
        }
        let local = PathBuf::from(name);
        if local.is_dir() {
            local
        } else {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
        }
    }

    pub fn labs_dir(&self) -> PathBuf {
        Self::resolve(&self.labs_dir, "labs")
    }

    pub fn static_dir(&self) -> PathBuf {
        Self::resolve(&self.static_dir, "static")
    }
}

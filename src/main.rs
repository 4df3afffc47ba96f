use clap::Parser;
use kafka_consumer_labs::config::{Cli, Command};
use kafka_consumer_labs::domain::protocol::WorkerSpec;
use kafka_consumer_labs::server::Server;
use kafka_consumer_labs::worker;

fn main() {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Worker { spec, .. }) => {
            // A worker is a plain thread-per-consumer program: no async runtime.
            let spec: WorkerSpec = match serde_json::from_str(&spec) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("worker: bad --spec: {e}");
                    std::process::exit(2);
                }
            };
            std::process::exit(worker::run(spec));
        }
        Some(Command::Serve(settings)) => serve(*settings),
        None => serve(cli.serve),
    }
}

fn serve(settings: kafka_consumer_labs::config::Settings) {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,librdkafka=warn,rdkafka=warn".into()),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let code = runtime.block_on(async move {
        let server = match Server::start(settings).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e:#}");
                return 1;
            }
        };
        let bootstrap = server.state.broker.bootstrap_servers().to_string();
        let which = if server.state.broker.is_embedded() {
            "embedded broker"
        } else {
            "external cluster"
        };
        // The handlers exist before the address is announced, and the same ones see both
        // signals: a second signal sent right after the first is never missed.
        let mut signals = Signals::new();
        tracing::info!("Kafka Consumer Labs: open http://{}", server.addr);
        tracing::info!("{which} at {bootstrap}");
        let stop = server.shutdown_token();
        tokio::spawn(async move {
            signals.next().await;
            tracing::info!("shutting down: stopping every lab consumer (a second signal: at once)");
            stop.cancel();
            // A second SIGTERM / Ctrl-C does not wait: the process exits now, and every worker
            // dies with it (each has PR_SET_PDEATHSIG = SIGKILL).
            signals.next().await;
            tracing::warn!("second signal: exiting now; workers are killed with the server");
            std::process::exit(130);
        });
        server.wait().await;
        0
    });
    std::process::exit(code);
}

/// SIGTERM and SIGINT (Ctrl-C), registered once: each `next` sees one more delivery.
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Signals {
        use tokio::signal::unix::{signal, SignalKind};
        Signals {
            term: signal(SignalKind::terminate()).expect("SIGTERM handler"),
            int: signal(SignalKind::interrupt()).expect("SIGINT handler"),
        }
    }

    async fn next(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

//! The server binary under SIGTERM (issue 16, finding 12 and "Shutdown"): with 20 consumers in
//! 5 runs every member takes the graceful path — its final commit lands, then it leaves — and
//! the process exits in bounded time with no worker left; a second SIGTERM does not wait.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::group::balanced;
use common::*;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tokio::sync::mpsc;

const RUNS: usize = 5;
const MEMBERS: usize = 4;

/// The server as a trainee's classroom runs it: this binary, its own embedded broker, and a
/// channel of its log lines (the shutdown's progress is read there).
struct ServerProcess {
    child: Child,
    app: TestApp,
    log: mpsc::UnboundedReceiver<String>,
    _data: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn forward(out: ChildStdout) -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut lines = BufReader::new(out).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl ServerProcess {
    async fn start() -> ServerProcess {
        let data = TempDir(std::env::temp_dir().join(format!(
            "labs-signals-{}-{}",
            std::process::id(),
            kafka_consumer_labs::classroom::random_hex::<4>()
        )));
        let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-consumer-labs"))
            .env("LABS_BIND", "127.0.0.1:0")
            .env("LABS_BROKER_BIND", "127.0.0.1:0")
            .env("LABS_DATA_DIR", &data.0)
            .env("LABS_MAX_RUNS_PER_ADDRESS", "0")
            .env("RUST_LOG", "info,librdkafka=warn,rdkafka=warn")
            .env("NO_COLOR", "1")
            .env_remove("KAFKA_BOOTSTRAP_SERVERS")
            .stdin(Stdio::null())
            // The server logs (tracing) to stdout.
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the server binary starts");
        let mut log = forward(child.stdout.take().unwrap());
        let base = wait_line(&mut log, "open http://").await;
        let base = base[base.find("http://").unwrap()..].trim().to_string();
        let bootstrap = wait_line(&mut log, " at ").await;
        let bootstrap = bootstrap.rsplit(" at ").next().unwrap().trim().to_string();
        let app = TestApp {
            base,
            client: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            server: None,
            bootstrap,
        };
        ServerProcess {
            child,
            app,
            log,
            _data: data,
        }
    }

    fn signal(&self, signal: i32) {
        let pid = self.child.id().expect("still running") as i32;
        // SAFETY: kill(2) on our own child's pid.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits (bounded) for the process to exit; its exit code and how long it took.
    async fn exited(&mut self, since: Instant) -> (Option<i32>, Duration) {
        let status = tokio::time::timeout(DEADLINE, self.child.wait())
            .await
            .expect("the server exits in time")
            .expect("wait");
        (status.code(), since.elapsed())
    }
}

/// The next log line containing `needle` (bounded); the lines before it are dropped.
async fn wait_line(log: &mut mpsc::UnboundedReceiver<String>, needle: &str) -> String {
    tokio::time::timeout(DEADLINE, async {
        while let Some(line) = log.recv().await {
            if line.contains(needle) {
                return line;
            }
        }
        panic!("the server's log ended before {needle:?}");
    })
    .await
    .unwrap_or_else(|_| panic!("no {needle:?} in the server's log in time"))
}

/// A run of the rebalance lab with `MEMBERS` consumers that share its partitions, each of
/// which has processed records.
async fn busy_group(app: &TestApp) -> (String, EventStream, Vec<String>) {
    let run = app.create_run("rebalance").await;
    let partitions = app.run_view(&run).await["partitions"]
        .as_array()
        .unwrap()
        .len() as i64;
    let events = app.events(&run).await;
    let mut consumers = vec![];
    for _ in 0..MEMBERS {
        consumers.push(
            app.start_consumer(&run, json!({ "session_timeout_ms": 2000 }))
                .await,
        );
    }
    events
        .wait_until("the members share all partitions", |evs| {
            balanced(evs, partitions, MEMBERS)
        })
        .await;
    app.produce_n(&run, 120).await;
    events
        .wait_until("every member processed records", |evs| {
            consumers
                .iter()
                .all(|c| evs.iter().any(|e| of(e, "record", c)))
        })
        .await;
    (run, events, consumers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_20_consumers_in_5_runs_commits_every_member_then_exits() {
    let mut server = ServerProcess::start().await;
    // One trainee: the session exists before the concurrent creates, so they share it.
    server.app.get_json("/api/session").await;
    let groups = futures::future::join_all((0..RUNS).map(|_| busy_group(&server.app))).await;
    assert_eq!(
        groups.iter().map(|(_, _, c)| c.len()).sum::<usize>(),
        RUNS * MEMBERS
    );

    let t0 = Instant::now();
    server.signal(libc::SIGTERM);
    let (code, took) = server.exited(t0).await;
    eprintln!(
        "SIGTERM with {} consumers in {RUNS} runs: exit {code:?} after {took:?}",
        RUNS * MEMBERS
    );
    assert_eq!(code, Some(0));

    for (run, events, consumers) in &groups {
        events.wait_end().await;
        let evs = events.lab_events();
        assert!(
            events.all().iter().any(|r| r.name == "end"),
            "{run}: the stream ended with `end`\n{}",
            tail(&evs)
        );
        for c in consumers {
            let finals: Vec<&Value> = evs
                .iter()
                .filter(|e| of(e, "commit_completed", c) && e["reason"] == "shutdown")
                .collect();
            assert_eq!(
                finals.len(),
                1,
                "{run}/{c}: one final commit\n{}",
                tail(&evs)
            );
            assert_eq!(finals[0]["error"], Value::Null, "{run}/{c}: {}", finals[0]);
            for ty in ["ready_to_leave", "closed"] {
                assert_eq!(count(&evs, ty, c), 1, "{run}/{c}: {ty}\n{}", tail(&evs));
            }
        }
        assert!(
            worker_pids(run).is_empty(),
            "{run}: a worker outlived the server"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sigterm_exits_at_once_and_the_workers_die_with_the_server() {
    let mut server = ServerProcess::start().await;
    let (run, _events, _consumers) = busy_group(&server.app).await;
    let pids = worker_pids(&run);
    assert_eq!(pids.len(), MEMBERS);
    // A half-sent request: the graceful shutdown would wait up to its 5 s grace for it.
    let addr = server.app.base.trim_start_matches("http://").to_string();
    let mut half = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();

    server.signal(libc::SIGTERM);
    wait_line(&mut server.log, "shutting down").await;
    let t0 = Instant::now();
    server.signal(libc::SIGTERM);
    let (code, took) = server.exited(t0).await;
    eprintln!("second SIGTERM: exit {code:?} after {took:?}");
    assert_eq!(code, Some(130), "the second signal's exit");
    assert!(
        took < kafka_consumer_labs::server::SHUTDOWN_GRACE,
        "it did not wait for the grace period: {took:?}"
    );
    // PR_SET_PDEATHSIG: each worker gets SIGKILL when the server dies.
    for pid in pids {
        tokio::time::timeout(DEADLINE, process_exit(pid))
            .await
            .unwrap_or_else(|_| panic!("worker {pid} outlived the server"));
    }
    drop(half);
}

/// Resolves when process `pid` (not our child) has exited: its pidfd becomes readable.
async fn process_exit(pid: u32) {
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: pidfd_open(2) takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    if fd < 0 {
        // ESRCH: it is gone already.
        return;
    }
    // SAFETY: a descriptor pidfd_open just returned, owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    // SAFETY: the AsyncFd owns the descriptor, so it stays open for as long as it is
    // registered.
    let fd = unsafe {
        tokio::io::unix::AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE)
    }
    .expect("a pidfd can be polled");
    let _ = fd.readable().await.expect("pidfd readiness");
}

//! A worker process: spawned with its spec, read line by line, signalled, and reaped.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::sync::{mpsc, watch};

use super::LabRun;
use crate::domain::event::LabEvent;
use crate::domain::protocol::WorkerSpec;

/// The server's grip on one worker process. Cheap to clone.
#[derive(Clone)]
pub struct WorkerHandle {
    pub pid: u32,
    stdin: mpsc::UnboundedSender<String>,
    exited: watch::Receiver<bool>,
}

impl WorkerHandle {
    /// Sends `signal` unless the process has already been reaped (its pid could be reused).
    pub fn signal(&self, signal: libc::c_int) {
        if !*self.exited.borrow() {
            // SAFETY: plain kill(2) on our own, not yet reaped, child.
            unsafe {
                libc::kill(self.pid as libc::pid_t, signal);
            }
        }
    }

    /// Writes one control line to the worker's stdin; false if it is gone.
    pub fn send_line(&self, line: String) -> bool {
        !*self.exited.borrow() && self.stdin.send(line).is_ok()
    }

    /// Resolves once the process has exited and been reaped.
    pub async fn exited(&self) {
        let mut rx = self.exited.clone();
        let _ = rx.wait_for(|done| *done).await;
    }
}

/// Worker processes spawned and not yet reaped, over all runs.
static LIVE_WORKERS: AtomicUsize = AtomicUsize::new(0);

/// How many worker processes run now (all runs).
pub fn live_workers() -> usize {
    LIVE_WORKERS.load(Ordering::Relaxed)
}

pub fn spawn(run: Arc<LabRun>, spec: &WorkerSpec, exe: &Path) -> std::io::Result<WorkerHandle> {
    let spec_json = serde_json::to_string(spec).expect("spec serializes");
    let mut command = Command::new(exe);
    command
        .arg("worker")
        .arg("--run-id")
        .arg(&spec.run_id)
        .arg("--spec")
        .arg(spec_json)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // SAFETY: prctl is async-signal-safe. If the server dies without tearing down (even by
    // SIGKILL), the kernel kills its workers: no orphan consumers, ever.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn()?;
    LIVE_WORKERS.fetch_add(1, Ordering::Relaxed);
    let pid = child.id().unwrap_or_default();
    let mut stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let (stdin_tx, mut stdin_rx) = mpsc::unbounded_channel::<String>();
    let (exited_tx, exited_rx) = watch::channel(false);
    let cid = spec.consumer_id.clone();

    // Controls: one JSON line each. When the handle (and so this sender) is gone, stdin
    // closes and the worker stops gracefully.
    tokio::spawn(async move {
        while let Some(mut line) = stdin_rx.recv().await {
            line.push('\n');
            if stdin.write_all(line.as_bytes()).await.is_err() || stdin.flush().await.is_err() {
                break;
            }
        }
    });

    // librdkafka's own log lines: useful when something goes wrong, too noisy for the page.
    let stderr_cid = cid.clone();
    let run_id = spec.run_id.clone();
    // With LABS_WORKER_LOG_DIR set, each worker's stderr is also kept in a file of its own.
    let log_file = std::env::var_os("LABS_WORKER_LOG_DIR").map(|dir| {
        std::path::PathBuf::from(dir).join(format!("{}-{}.log", spec.run_id, spec.consumer_id))
    });
    tokio::spawn(async move {
        let mut file = match log_file {
            Some(path) => tokio::fs::File::create(path).await.ok(),
            None => None,
        };
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::debug!(run = %run_id, consumer = %stderr_cid, "worker stderr: {line}");
            if let Some(f) = file.as_mut() {
                let _ = f.write_all(format!("{line}\n").as_bytes()).await;
            }
        }
    });

    tokio::spawn(async move {
        let mut lines = BufReader::new(stdout).lines();
        loop {
            match lines.next_line().await {
                Ok(Some(line)) => run.record_worker_line(&cid, &line),
                Ok(None) => break,
                Err(e) => {
                    run.record(
                        Some(&cid),
                        LabEvent::Error {
                            message: format!("reading worker output: {e}"),
                        },
                    );
                    break;
                }
            }
        }
        let (code, signal) = match child.wait().await {
            Ok(status) => (status.code(), status.signal()),
            Err(_) => (None, None),
        };
        LIVE_WORKERS.fetch_sub(1, Ordering::Relaxed);
        run.record(Some(&cid), LabEvent::Exited { code, signal });
        let _ = exited_tx.send(true);
    });

    Ok(WorkerHandle {
        pid,
        stdin: stdin_tx,
        exited: exited_rx,
    })
}

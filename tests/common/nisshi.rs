//! A standalone Kafka-API broker process (nisshi, from crates.io) for the external-cluster path.
//!
//! Each test gets its own broker on a free loopback port, in a clean temporary directory
//! (nisshi reads a `.env` from its working directory), killed when the test ends.

use std::path::PathBuf;
use std::time::Duration;

pub const INSTALL: &str = "cargo install nisshi@0.8.1 --locked --ignore-rust-version --no-default-features --features dynostore";

pub struct NisshiBroker {
    pub bootstrap: String,
    child: std::process::Child,
    dir: PathBuf,
}

impl Drop for NisshiBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NISSHI_BIN") {
        return Some(PathBuf::from(p));
    }
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("nisshi"))
                .collect()
        })
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(PathBuf::from(home).join(".cargo/bin/nisshi"));
    }
    candidates.into_iter().find(|p| p.is_file())
}

impl NisshiBroker {
    /// Starts a broker, or returns `None` (test skipped, with a message) when nisshi is not
    /// installed. In CI (`CI` set) a missing or broken broker fails the test instead.
    pub async fn start() -> Option<NisshiBroker> {
        let in_ci = std::env::var_os("CI").is_some();
        let Some(bin) = binary() else {
            if in_ci {
                panic!("nisshi is not installed; CI must install it: {INSTALL}");
            }
            eprintln!("skipped: no nisshi broker on this machine (install it with: {INSTALL})");
            return None;
        };
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().unwrap().port()
        };
        let dir = std::env::temp_dir().join(format!("nisshi-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("tcp://127.0.0.1:{port}");
        let child = std::process::Command::new(&bin)
            .current_dir(&dir)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "memory://nisshi/",
                "--cluster-id",
                "labs",
                "--group-initial-rebalance-delay",
                "0s",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let broker = NisshiBroker {
            bootstrap: format!("127.0.0.1:{port}"),
            child,
            dir,
        };
        // Readiness of another process has no event to wait for: probe its port, bounded.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        let mut probe = tokio::time::interval(Duration::from_millis(20));
        loop {
            probe.tick().await;
            if tokio::net::TcpStream::connect(&broker.bootstrap)
                .await
                .is_ok()
            {
                return Some(broker);
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "nisshi did not start listening on {}",
                broker.bootstrap
            );
        }
    }
}

//! `cargo bench --bench startup`: issue 15's goal 5. The built server binary (`serve`, embedded
//! broker) started 10 times; from the spawn to the first `200` for `GET /` (the home page) and
//! for `GET /labs/simple-consumer`. `cargo run --release` on a built tree adds only cargo's own
//! freshness check to this.

mod common;

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{quantile, sorted};

const STARTS: usize = 10;
const GOAL_MS: f64 = 1000.0;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Polls `url` every 2 ms until it answers 200; the time since `t0`.
async fn first_ok(client: &reqwest::Client, url: &str, t0: Instant) -> f64 {
    loop {
        if let Ok(r) = client.get(url).send().await {
            if r.status().is_success() {
                return t0.elapsed().as_secs_f64() * 1000.0;
            }
        }
        assert!(t0.elapsed() < Duration::from_secs(30), "no answer in 30 s");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let client = common::client();
        let data = std::env::temp_dir().join(format!("labs-startup-{}", std::process::id()));
        let (mut home, mut lab) = (vec![], vec![]);
        for _ in 0..STARTS {
            let port = free_port();
            let t0 = Instant::now();
            let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-consumer-labs"))
                .arg("serve")
                .env("LABS_BIND", format!("127.0.0.1:{port}"))
                .env("LABS_BROKER_BIND", "127.0.0.1:0")
                .env("LABS_DATA_DIR", &data)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("server binary");
            home.push(first_ok(&client, &format!("http://127.0.0.1:{port}/"), t0).await);
            lab.push(
                first_ok(
                    &client,
                    &format!("http://127.0.0.1:{port}/labs/simple-consumer"),
                    t0,
                )
                .await,
            );
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&data);
        let (home, lab) = (sorted(home), sorted(lab));
        println!(
            "start-up, {STARTS} starts of the built binary, embedded broker ({})",
            common::machine()
        );
        for (name, xs) in [("spawn → GET / 200", &home), ("spawn → lab page 200", &lab)] {
            println!(
                "  {name:<22} p50 {:>7.1} ms  max {:>7.1} ms  ratio max / goal {:.2} (goal ≤ {GOAL_MS} ms)",
                quantile(xs, 0.5),
                quantile(xs, 1.0),
                quantile(xs, 1.0) / GOAL_MS
            );
        }
    });
}

//! File descriptors (issue 16, finding 2): near the process's limit a new consumer is refused
//! with a clear 503 naming the budget, instead of a 500 and hung connections; with
//! descriptors free again it starts. This binary lowers its own limit, so it holds one test.

#[macro_use]
mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_is_refused_with_503_when_descriptors_run_short() {
    // A low hard limit, so the server's raise at start cannot lift it (as on a small machine).
    let low = libc::rlimit {
        rlim_cur: 400,
        rlim_max: 400,
    };
    // SAFETY: setrlimit only reads the struct we pass; lowering a limit needs no privilege.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &low) }, 0);
    let app = spawn_app().await;
    let run = app.create_run("rebalance").await;
    // Idle connections to the server hold two descriptors each in this process.
    let addr = app
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut held = vec![];
    for _ in 0..100 {
        held.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    let r = app
        .post(&format!("/api/runs/{run}/consumers"), json!({}))
        .await;
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "fd_budget", "{body}");
    assert!(body["params"]["limit"] == 400, "{body}");
    drop(held);
    // Descriptors come back as the server closes its side; a consumer starts again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = app
            .post(&format!("/api/runs/{run}/consumers"), json!({}))
            .await;
        if r.status() == 201 {
            break;
        }
        assert_eq!(r.status(), 503);
        assert!(
            std::time::Instant::now() < deadline,
            "descriptors never came back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await; // polling interval
    }
    app.shutdown().await;
}

//! A worker that stops reporting (here: stopped with SIGSTOP, as a deadlock would leave it)
//! is found, reported and killed; its run stays usable (issue 16).

mod common;

use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_worker_is_reported_and_killed_and_the_run_goes_on() {
    let mut settings = test_settings();
    // Hung after 3 s + twice the 1 s poll: 5 s of silence (a busy CI machine stays well within).
    settings.hung_after_secs = 3;
    let app = spawn_app_with(settings).await;
    let run = app.create_run("simple-consumer").await;
    let events = app.events(&run).await;
    let cid = app.start_consumer(&run, json!({})).await;
    let spawned = events
        .wait_for("the worker's pid", |e| of(e, "spawned", &cid))
        .await;
    events
        .wait_for("its first poll", |e| of(e, "poll", &cid))
        .await;
    let pid = spawned["pid"].as_i64().unwrap() as i32;
    // SAFETY: a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGSTOP) }, 0);

    let error = events
        .wait_for("the hung worker reported", |e| {
            of(e, "error", &cid) && e["message"].as_str().unwrap_or("").contains("hung")
        })
        .await;
    let evs = events
        .wait_until("the hung worker killed and gone", |evs| {
            evs.iter().any(|e| of(e, "killed", &cid)) && evs.iter().any(|e| of(e, "exited", &cid))
        })
        .await;
    let exited = evs.iter().find(|e| of(e, "exited", &cid)).unwrap();
    assert_eq!(exited["signal"], libc::SIGKILL, "{exited}");
    assert!(seq(&error) < seq(exited));
    assert!(!process_exists(pid as u32));

    // The run goes on: a new consumer starts and reads.
    app.produce(&run, &["1", "2"]).await;
    let next = app.start_consumer(&run, json!({})).await;
    events
        .wait_until("the new consumer reads", |evs| {
            records_of(evs, &next).len() >= 2
        })
        .await;
    app.shutdown().await;
    assert!(worker_pids(&run).is_empty());
}

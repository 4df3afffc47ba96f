//! The embedded broker down and up again (issue 16): every run hears of it, a run says the
//! broker is unreachable within a bounded time, its consumer recovers when the broker returns,
//! and the ledger stays exact.

mod common;

use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_survives_the_broker_going_down_and_up() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let bystander = app.create_run("simple-consumer").await;
    let events = app.events(&run).await;
    let others = app.events(&bystander).await;
    app.produce(&run, &["1", "2", "3", "4"]).await;
    let cid = app.start_consumer(&run, json!({})).await;
    events
        .wait_until("the first 4 records", |evs| {
            records_of(evs, &cid).len() >= 4
        })
        .await;

    let r = app
        .post(
            &format!("/api/runs/{run}/faults"),
            json!({"broker": "down"}),
        )
        .await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap_or_default());
    // Every run on the server is told: the broker is everyone's.
    others
        .wait_for("the bystander run hears of it", |e| is(e, "fault"))
        .await;
    let down = events
        .wait_for("the run says the broker is unreachable", |e| {
            is(e, "broker") && e["reachable"] == false
        })
        .await;
    assert!(down["detail"].is_string(), "{down}");

    let r = app
        .post(&format!("/api/runs/{run}/faults"), json!({"broker": "up"}))
        .await;
    assert_eq!(r.status(), 202);
    events
        .wait_for("the broker is reachable again", |e| {
            is(e, "broker") && e["reachable"] == true
        })
        .await;
    // The first produce after the broker returns may time out while the server's producer
    // reconnects (a 502 naming the broker): the trainee's next press goes through.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let r = app
            .post(
                &format!("/api/runs/{run}/produce"),
                json!({"values": ["5", "6", "7", "8"]}),
            )
            .await;
        if r.status() == 200 {
            break;
        }
        assert_eq!(r.status(), 502, "{}", r.text().await.unwrap_or_default());
        assert!(
            tokio::time::Instant::now() < deadline,
            "produce never worked again"
        );
    }
    // Everything the topic holds (a produce that timed out may have been written anyway: the
    // broker's log-end is the truth) is processed exactly once.
    let view = app.run_view(&run).await;
    let log_end: i64 = view["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["log_end"].as_i64().unwrap())
        .sum();
    assert!(log_end >= 8, "{view}");
    let evs = events
        .wait_until("the consumer goes on to the end of the topic", |evs| {
            let mut seen = records_of(evs, &cid);
            seen.sort_unstable();
            seen.dedup();
            seen.len() as i64 >= log_end
        })
        .await;
    let all = records_of(&evs, &cid);
    let mut distinct = all.clone();
    distinct.sort_unstable();
    distinct.dedup();
    // The outage may outlast the session timeout: the group rebalances and what was not
    // committed yet is read again. The ledger counts exactly that, and loses nothing.
    let twice = (all.len() - distinct.len()) as u64;
    let ledger = app.ledger(&run).await;
    assert_eq!(
        (ledger["duplicates"].as_u64(), ledger["lost"].as_u64()),
        (Some(twice), Some(0)),
        "{ledger}"
    );
    app.shutdown().await;
    assert!(worker_pids(&run).is_empty());
}

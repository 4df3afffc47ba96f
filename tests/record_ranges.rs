//! A fast consumer's records, coalesced (`record_range`): above 250 records in one poll batch
//! the worker reports consecutive offsets of a partition as one event, and the ledger still
//! counts every offset exactly — processed, read again after a crash, around a pause and a step.

mod common;

use common::*;
use serde_json::{json, Value};

/// More than a poll batch's threshold on each of the lab's 3 partitions.
const BACKLOG: usize = 3_000;

/// No commit happens on its own during the test: what is committed is what the test did.
fn no_auto_commit() -> Value {
    json!({ "auto_commit_interval_ms": 3_600_000 })
}

/// Every produced offset, per partition, as the ledger's run of `consumer` should cover it.
fn produced_runs(produced: &[(i64, i64)], consumer: &str) -> Vec<Value> {
    let mut ends = std::collections::BTreeMap::<i64, i64>::new();
    for &(p, o) in produced {
        let end = ends.entry(p).or_insert(-1);
        *end = (*end).max(o);
    }
    ends.values()
        .map(|&last| json!([{ "consumer": consumer, "first": 0, "last": last }]))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_is_reported_in_ranges_and_the_ledger_counts_every_offset_even_across_a_kill() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    let produced = app.produce_n(&run, BACKLOG).await;
    let events = app.events(&run).await;

    let c1 = app.start_consumer(&run, no_auto_commit()).await;
    let evs = events
        .wait_until("c1 processed the backlog", |evs| {
            processed_by(evs, &c1) == BACKLOG as u64
        })
        .await;
    assert!(
        evs.iter().any(|e| of(e, "record_range", &c1)),
        "a backlog of {BACKLOG} is polled in batches of up to 500: some are ranges\n{}",
        tail(&evs)
    );
    // Every offset once: the events say so, and the ledger does.
    let mut seen = records_of(&evs, &c1);
    seen.sort_unstable();
    let mut want = produced.clone();
    want.sort_unstable();
    assert_eq!(seen, want);
    let ledger = app.ledger(&run).await;
    assert_eq!(ledger["duplicates"], 0);
    assert_eq!(ledger["lost"], 0);
    let runs: Vec<Value> = ledger["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["runs"].clone())
        .collect();
    assert_eq!(runs, produced_runs(&produced, &c1));
    let view = app.run_view(&run).await;
    assert_eq!(view["consumers"][0]["processed"], BACKLOG);

    // A crash before any commit: the next consumer reads the whole backlog again, and each
    // offset of it is a duplicate.
    app.consumer_action(&run, &c1, "kill").await;
    let c2 = app.start_consumer(&run, no_auto_commit()).await;
    events
        .wait_until("c2 processed the backlog again", |evs| {
            processed_by(evs, &c2) == BACKLOG as u64
        })
        .await;
    let ledger = app.ledger(&run).await;
    assert_eq!(ledger["duplicates"], BACKLOG, "{ledger}");
    assert_eq!(ledger["lost"], 0);
    let processed: u64 = ledger["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["processed"].as_u64().unwrap())
        .sum();
    assert_eq!(processed, 2 * BACKLOG as u64);
    app.shutdown().await;
}

/// A pause in the middle of a coalesced batch ends its range, and a step is one `record`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_ends_a_range_and_a_step_is_one_record() {
    let app = spawn_app().await;
    let run = app.create_run("simple-consumer").await;
    app.produce_n(&run, BACKLOG).await;
    let events = app.events(&run).await;
    let mut options = no_auto_commit();
    options["pause_after_records"] = json!(150);
    let c1 = app.start_consumer(&run, options).await;
    let evs = events
        .wait_until("c1 paused", |evs| count(evs, "paused", &c1) == 1)
        .await;
    let paused = evs.iter().position(|e| of(e, "paused", &c1)).unwrap();
    assert_eq!(evs[paused]["processed"], 150);
    assert_eq!(
        processed_by(&evs[..paused], &c1),
        150,
        "every record processed before the pause is reported before it\n{}",
        tail(&evs)
    );
    assert_eq!(processed_by(&evs[paused..], &c1), 0);

    app.post(
        &format!("/api/runs/{run}/consumers/{c1}/step"),
        json!({ "records": 1 }),
    )
    .await;
    let evs = events
        .wait_until("c1 paused after its step", |evs| {
            count(evs, "paused", &c1) == 2
        })
        .await;
    let step: Vec<&Value> = evs[paused + 1..]
        .iter()
        .filter(|e| of(e, "record", &c1) || of(e, "record_range", &c1))
        .collect();
    assert_eq!(step.len(), 1, "{step:?}");
    assert!(
        is(step[0], "record"),
        "a step shows its record: {}",
        step[0]
    );

    app.consumer_action(&run, &c1, "resume").await;
    events
        .wait_until("c1 processed the rest", |evs| {
            processed_by(evs, &c1) == BACKLOG as u64
        })
        .await;
    let ledger = app.ledger(&run).await;
    assert_eq!(
        (ledger["duplicates"].clone(), ledger["lost"].clone()),
        (json!(0), json!(0))
    );
    app.shutdown().await;
}

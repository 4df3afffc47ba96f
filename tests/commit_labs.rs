//! The commit labs with exact numbers: auto, sync per batch, sync per record, async, and the
//! naive auto commit's losses. Every ledger is recounted independently from the raw events.

#[macro_use]
mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use serde_json::{json, Value};

/// The ledger recounted from the event stream alone: duplicates are offsets with more than
/// one `record` event; losses are offsets below the last successful commit with none.
fn recount(events: &[Value]) -> (u64, u64) {
    let mut processed: BTreeMap<(i64, i64), u32> = BTreeMap::new();
    let mut committed: BTreeMap<i64, i64> = BTreeMap::new();
    for e in events {
        if is(e, "record") {
            *processed
                .entry((
                    e["partition"].as_i64().unwrap(),
                    e["offset"].as_i64().unwrap(),
                ))
                .or_default() += 1;
        }
        if is(e, "commit_completed") && e["error"].is_null() {
            for po in e["offsets"].as_array().unwrap() {
                committed.insert(
                    po["partition"].as_i64().unwrap(),
                    po["offset"].as_i64().unwrap(),
                );
            }
        }
    }
    let duplicates = processed.values().filter(|&&n| n > 1).count() as u64;
    let lost = committed
        .iter()
        .map(|(&p, &end)| {
            (0..end)
                .filter(|&o| !processed.contains_key(&(p, o)))
                .count() as u64
        })
        .sum();
    (duplicates, lost)
}

async fn assert_ledger_matches_recount(app: &TestApp, run: &str, events: &EventStream) -> Value {
    // Everything the ledger has seen is in the log; wait until the stream caught up with it.
    let last = app.run_view(run).await["last_seq"].as_u64().unwrap();
    let evs = events
        .wait_until("stream caught up", |evs| {
            evs.last().is_some_and(|e| seq(e) >= last)
        })
        .await;
    let ledger = app.ledger(run).await;
    let (dups, lost) = recount(&evs);
    assert_eq!(
        ledger["duplicates"].as_u64().unwrap(),
        dups,
        "ledger vs recount (duplicates): {ledger}"
    );
    assert_eq!(
        ledger["lost"].as_u64().unwrap(),
        lost,
        "ledger vs recount (lost): {ledger}"
    );
    ledger
}

fn with(base: Value, extra: Value) -> Value {
    let mut v = base;
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn fast() -> Value {
    json!({ "session_timeout_ms": 2000 })
}

/// The last committed offset of partition 0 in successful commits by `cid` before `before_seq`.
fn last_commit_before(events: &[Value], cid: &str, before_seq: u64) -> i64 {
    events
        .iter()
        .filter(|e| of(e, "commit_completed", cid) && e["error"].is_null() && seq(e) < before_seq)
        .filter_map(|e| {
            e["offsets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|po| po["partition"] == 0)
                .map(|po| po["offset"].as_i64().unwrap())
        })
        .next_back()
        .unwrap_or(0)
}

async fn kill_and_wait(app: &TestApp, run: &str, events: &EventStream, cid: &str) -> u64 {
    app.consumer_action(run, cid, "kill").await;
    let evs = events
        .wait_until("killed consumer exited", |evs| {
            count(evs, "exited", cid) == 1
        })
        .await;
    seq(evs.iter().find(|e| of(e, "killed", cid)).unwrap())
}

async fn auto_commit_long_interval_kill_duplicates_everything() {
    let app = spawn_app().await;
    let run = app.create_run("auto-commit").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 100).await;
    let opts = with(fast(), json!({ "auto_commit_interval_ms": 60000 }));
    let c1 = app.start_consumer(&run, opts.clone()).await;
    events
        .wait_until("100 processed", |evs| count(evs, "record", &c1) == 100)
        .await;
    kill_and_wait(&app, &run, &events, &c1).await;
    let c2 = app.start_consumer(&run, opts).await;
    let evs = events
        .wait_until("100 reprocessed", |evs| count(evs, "record", &c2) == 100)
        .await;
    assert_eq!(
        count(&evs, "commit_completed", &c1),
        0,
        "no auto commit within 60 s"
    );
    let ledger = assert_ledger_matches_recount(&app, &run, &events).await;
    assert_eq!(ledger["duplicates"], 100);
    assert_eq!(ledger["lost"], 0);
    assert_eq!(
        ledger["partitions"][0]["duplicate_offsets"],
        json!((0..100).collect::<Vec<_>>())
    );
    app.shutdown().await;
    assert!(worker_pids(&run).is_empty());
}

async fn auto_commit_kill_duplicates_what_was_processed_after_the_last_commit() {
    let app = spawn_app().await;
    let run = app.create_run("auto-commit").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 100).await;
    let opts = with(
        fast(),
        json!({ "auto_commit_interval_ms": 1000, "pause_after_records": 40 }),
    );
    let c1 = app.start_consumer(&run, opts).await;
    // Paused at 40; the timer commits the 40 stored offsets.
    events
        .wait_for("auto commit of 40", |e| {
            of(e, "commit_completed", &c1) && e["mode"] == "auto" && e["offsets"][0]["offset"] == 40
        })
        .await;
    // Right after a tick, process 7 more and kill before the next tick (1 s later).
    app.post(
        &format!("/api/runs/{run}/consumers/{c1}/step"),
        json!({ "records": 7 }),
    )
    .await;
    events
        .wait_until("47 processed", |evs| count(evs, "record", &c1) == 47)
        .await;
    let killed_at = kill_and_wait(&app, &run, &events, &c1).await;
    let evs = events.lab_events();
    let committed = last_commit_before(&evs, &c1, killed_at);
    let after_commit = records_of(&evs, &c1)
        .iter()
        .filter(|(_, o)| *o >= committed)
        .count() as u64;

    let opts = with(fast(), json!({ "auto_commit_interval_ms": 1000 }));
    let (c2, evs) = app.start_and_read_through(&run, &events, opts, 99).await;
    // The restart begins exactly at the last committed offset.
    assert_eq!(records_of(&evs, &c2)[0], (0, committed));
    let ledger = assert_ledger_matches_recount(&app, &run, &events).await;
    assert_eq!(
        ledger["duplicates"].as_u64().unwrap(),
        after_commit,
        "{ledger}"
    );
    assert_eq!(after_commit, 47 - committed as u64);
    assert_eq!(ledger["lost"], 0);
    app.shutdown().await;
}

async fn sync_batch_kill_mid_batch_duplicates_the_uncommitted_window() {
    let app = spawn_app().await;
    let run = app.create_run("sync-commit-batch").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 200).await;
    let opts = with(
        fast(),
        json!({ "max_poll_records": 50, "pause_after_records": 70 }),
    );
    let c1 = app.start_consumer(&run, opts).await;
    let paused = paused_inside_a_batch(&app, &run, &events, &c1).await;
    assert!(paused["processed"].as_u64().unwrap() >= 70, "{paused}");
    let killed_at = kill_and_wait(&app, &run, &events, &c1).await;
    let evs = events.lab_events();
    let committed = last_commit_before(&evs, &c1, killed_at);
    let window = records_of(&evs, &c1)
        .iter()
        .filter(|(_, o)| *o >= committed)
        .count() as u64;
    assert!(
        window > 0 && committed > 0,
        "committed {committed}, window {window}"
    );

    let (c2, evs) = app.start_and_read_through(&run, &events, fast(), 199).await;
    assert_eq!(records_of(&evs, &c2)[0], (0, committed));
    let ledger = assert_ledger_matches_recount(&app, &run, &events).await;
    assert_eq!(ledger["duplicates"].as_u64().unwrap(), window);
    assert_eq!(ledger["lost"], 0);
    // The blocking commit is visible: requested, then completed with a latency.
    let done = evs.iter().find(|e| of(e, "commit_completed", &c1)).unwrap();
    assert_eq!(done["mode"], "sync");
    assert!(done["latency_ms"].as_f64().unwrap() > 0.0);
    app.shutdown().await;
}

async fn sync_record_kill_at_any_step_at_most_one_duplicate() {
    let app = spawn_app().await;
    let run = app.create_run("sync-commit-record").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 60).await;
    let c1 = app
        .start_consumer(&run, with(fast(), json!({ "pause_after_records": 25 })))
        .await;
    events
        .wait_until("paused at 25", |evs| count(evs, "paused", &c1) == 1)
        .await;
    kill_and_wait(&app, &run, &events, &c1).await;
    let evs = events.lab_events();
    // One commit per record, each of offset + 1.
    let commits: Vec<i64> = evs
        .iter()
        .filter(|e| of(e, "commit_completed", &c1))
        .map(|e| e["offsets"][0]["offset"].as_i64().unwrap())
        .collect();
    assert_eq!(commits, (1..=25).collect::<Vec<_>>());

    let (c2, evs) = app.start_and_read_through(&run, &events, fast(), 59).await;
    assert_eq!(records_of(&evs, &c2)[0], (0, 25));
    let ledger = assert_ledger_matches_recount(&app, &run, &events).await;
    assert!(ledger["duplicates"].as_u64().unwrap() <= 1, "{ledger}");
    assert_eq!(
        ledger["duplicates"], 0,
        "killed while paused after a commit: {ledger}"
    );
    assert_eq!(ledger["lost"], 0);
    app.shutdown().await;
}

/// The course project's `commitSync()` with no argument inside the record loop: the first
/// record's commit already covers the whole poll, so a kill in the middle of the batch loses
/// the rest of it (the ledger shows each lost offset).
async fn course_commit_sync_in_the_record_loop_kill_mid_batch_loses_the_rest() {
    let app = spawn_app().await;
    let run = app.create_run("sync-commit-record").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 60).await;
    let opts = with(
        fast(),
        json!({ "commit_mode": "sync-record-poll", "max_poll_records": 30, "pause_after_records": 5 }),
    );
    let c1 = app.start_consumer(&run, opts).await;
    let paused = paused_inside_a_batch(&app, &run, &events, &c1).await;
    let processed = paused["processed"].as_i64().unwrap();
    let held = paused["held"].as_i64().unwrap();
    let evs = events.lab_events();
    // Every record's commitSync() commits the poll's positions: the last one already covers
    // the records still held, unprocessed.
    let committed = evs
        .iter()
        .filter(|e| of(e, "commit_completed", &c1) && e["error"].is_null())
        .map(|e| e["offsets"][0]["offset"].as_i64().unwrap())
        .next_back()
        .expect("commits");
    assert_eq!(committed, processed + held, "the whole poll was committed");
    kill_and_wait(&app, &run, &events, &c1).await;

    let (c2, evs) = app.start_and_read_through(&run, &events, fast(), 59).await;
    assert_eq!(records_of(&evs, &c2)[0], (0, committed));
    let ledger = assert_ledger_matches_recount(&app, &run, &events).await;
    assert_eq!(ledger["lost"].as_i64().unwrap(), held, "{ledger}");
    assert_eq!(
        ledger["partitions"][0]["lost_offsets"],
        json!((processed..committed).collect::<Vec<_>>())
    );
    assert_eq!(ledger["duplicates"], 0);
    app.shutdown().await;
}

async fn naive_auto_commit_close_with_prefetched_records_loses_them() {
    let app = spawn_app().await;
    let run = app.create_run("auto-commit").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 100).await;
    let opts = with(
        fast(),
        json!({ "commit_mode": "auto-naive", "auto_commit_interval_ms": 60000, "pause_after_records": 10 }),
    );
    let c1 = app.start_consumer(&run, opts).await;
    let paused = paused_inside_a_batch(&app, &run, &events, &c1).await;
    let (processed, held) = (
        paused["processed"].as_i64().unwrap(),
        paused["held"].as_u64().unwrap(),
    );
    app.consumer_action(&run, &c1, "stop").await;
    let evs = events
        .wait_until("closed", |evs| count(evs, "exited", &c1) == 1)
        .await;
    let close_commit = evs
        .iter()
        .find(|e| of(e, "commit_completed", &c1) && e["reason"] == "close")
        .expect("close commit");
    let committed = close_commit["offsets"][0]["offset"].as_i64().unwrap();
    assert_eq!(
        committed as u64,
        processed as u64 + held,
        "close committed every record poll returned"
    );

    let ledger = assert_ledger_matches_recount(&app, &run, &events).await;
    assert_eq!(ledger["lost"].as_u64().unwrap(), held, "{ledger}");
    assert_eq!(
        ledger["partitions"][0]["lost_offsets"],
        json!((processed..committed).collect::<Vec<_>>())
    );
    assert_eq!(ledger["duplicates"], 0);
    let view = app.run_view(&run).await;
    assert!(
        reached_checkpoints(&view).contains(&"loss-with-naive-auto-commit".to_string()),
        "{view}"
    );
    // The stream is shared by readers of either language: the event carries both texts.
    let reached = events
        .wait_for("the checkpoint event", |e| {
            is(e, "checkpoint") && e["id"] == "loss-with-naive-auto-commit"
        })
        .await;
    assert!(
        reached["text"]["en"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
            && reached["text"]["ko"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
        "{reached}"
    );
    app.shutdown().await;
}

async fn auto_commit_graceful_stop_mid_batch_loses_nothing() {
    let app = spawn_app().await;
    let run = app.create_run("auto-commit").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 100).await;
    let opts = with(
        fast(),
        json!({ "auto_commit_interval_ms": 60000, "pause_after_records": 10 }),
    );
    let c1 = app.start_consumer(&run, opts).await;
    events
        .wait_until("paused at 10", |evs| count(evs, "paused", &c1) == 1)
        .await;
    app.consumer_action(&run, &c1, "stop").await;
    events
        .wait_until("exited", |evs| count(evs, "exited", &c1) == 1)
        .await;
    let (c2, evs) = app.start_and_read_through(&run, &events, fast(), 99).await;
    assert_eq!(records_of(&evs, &c2)[0], (0, 10));
    let ledger = assert_ledger_matches_recount(&app, &run, &events).await;
    assert_eq!(ledger["lost"], 0);
    assert_eq!(ledger["duplicates"], 0);
    app.shutdown().await;
}

async fn async_commits_complete_through_the_callback() {
    let app = spawn_app().await;
    let run = app.create_run("async-commit").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 120).await;
    let c1 = app.start_consumer(&run, fast()).await;
    let evs = events
        .wait_until("commit of 120", |evs| {
            evs.iter()
                .any(|e| of(e, "commit_completed", &c1) && e["offsets"][0]["offset"] == 120)
        })
        .await;
    let requested: BTreeSet<u64> = evs
        .iter()
        .filter(|e| of(e, "commit_requested", &c1))
        .map(|e| e["commit_id"].as_u64().unwrap())
        .collect();
    let completed: Vec<&Value> = evs
        .iter()
        .filter(|e| of(e, "commit_completed", &c1))
        .collect();
    assert!(requested.len() >= 2, "a commit per batch of 50");
    for c in &completed {
        assert_eq!(c["mode"], "async");
        assert!(requested.contains(&c["commit_id"].as_u64().unwrap()), "{c}");
        assert!(c["error"].is_null(), "{c}");
    }
    app.shutdown().await;
}

/// A failed async commit (the embedded broker's injected OffsetCommit error) reaches the
/// callback as an error; the committed offset stays behind, so a kill duplicates exactly
/// what was processed since the last successful commit. With `retry_failed_commits`, the
/// failed commit is sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_commit_failure_is_reported_and_retried() {
    let app = spawn_app().await;
    if !app.server.as_ref().unwrap().state.broker.is_embedded() {
        // Only the mock broker can be told to fail a request.
        return app.shutdown().await;
    }
    let run = app.create_run("async-commit").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 100).await;
    let r = app
        .post(
            &format!("/api/runs/{run}/faults"),
            json!({ "commit_errors": 1 }),
        )
        .await;
    assert_eq!(r.status(), 202);
    let opts = with(
        fast(),
        json!({ "max_poll_records": 50, "pause_after_records": 75, "retry_failed_commits": true }),
    );
    let c1 = app.start_consumer(&run, opts).await;
    let evs = events
        .wait_until("failed commit retried", |evs| {
            evs.iter().any(|e| {
                of(e, "commit_completed", &c1) && e["reason"] == "retry" && e["error"].is_null()
            })
        })
        .await;
    let failed = evs
        .iter()
        .find(|e| of(e, "commit_completed", &c1) && !e["error"].is_null())
        .expect("a failed commit");
    assert_eq!(failed["mode"], "async");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("offset"),
        "{failed}"
    );
    events
        .wait_until("paused", |evs| count(evs, "paused", &c1) == 1)
        .await;
    let killed_at = kill_and_wait(&app, &run, &events, &c1).await;
    let evs = events.lab_events();
    let committed = last_commit_before(&evs, &c1, killed_at);
    let (c2, evs) = app.start_and_read_through(&run, &events, fast(), 99).await;
    assert_eq!(records_of(&evs, &c2)[0], (0, committed));
    let ledger = assert_ledger_matches_recount(&app, &run, &events).await;
    assert_eq!(
        ledger["duplicates"].as_u64().unwrap(),
        75 - committed as u64
    );
    let view = app.run_view(&run).await;
    assert!(
        reached_checkpoints(&view).contains(&"commit-failed".to_string()),
        "{view}"
    );
    app.shutdown().await;
}

/// Step controls: pause mid-batch, step one record, then the rest of the batch — which ends,
/// like the loop body, with the batch's commitSync.
///
/// How many records one poll returns depends on what librdkafka's fetcher has queued at that
/// moment (a busy machine splits the 60 records into several polls), so every expectation is
/// derived from the `paused` (`held`) and `poll` (`count`) events instead of a batch size.
async fn step_one_record_then_the_rest_of_the_batch() {
    let app = spawn_app().await;
    let run = app.create_run("sync-commit-batch").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 60).await;
    let c1 = app
        .start_consumer(
            &run,
            with(
                fast(),
                json!({ "pause_after_records": 3, "max_poll_records": 60 }),
            ),
        )
        .await;
    let evs = events
        .wait_until("paused at 3", |evs| count(evs, "paused", &c1) == 1)
        .await;
    let held = |evs: &[Value], nth: usize| {
        evs.iter()
            .filter(|e| of(e, "paused", &c1))
            .nth(nth)
            .unwrap()["held"]
            .as_u64()
            .unwrap()
    };
    let held_at_3 = held(&evs, 0);
    // Batches finished before the pause were each committed at their end.
    let commits_at_3 = count(&evs, "commit_completed", &c1);
    let r = app
        .post(
            &format!("/api/runs/{run}/consumers/{c1}/step"),
            json!({ "records": 1 }),
        )
        .await;
    assert_eq!(r.status(), 202);
    let evs = events
        .wait_until("4 processed, paused again", |evs| {
            count(evs, "record", &c1) == 4 && count(evs, "paused", &c1) == 2
        })
        .await;
    // With two or more records still held, the step stays inside the batch: no commit. With
    // one, the step finishes the batch; with none, the loop body ends before the next poll:
    // either way, with the batch's commit.
    let batch_ended = usize::from(held_at_3 <= 1);
    assert_eq!(
        count(&evs, "commit_completed", &c1),
        commits_at_3 + batch_ended,
        "mid-batch: no commit yet (held at the pause: {held_at_3})"
    );
    let commits_at_4 = count(&evs, "commit_completed", &c1);
    let r = app
        .post(
            &format!("/api/runs/{run}/consumers/{c1}/step"),
            json!({ "batch": true }),
        )
        .await;
    assert_eq!(r.status(), 202);
    let evs = events
        .wait_until("the batch's commit", |evs| {
            count(evs, "commit_completed", &c1) == commits_at_4 + 1
        })
        .await;
    // The step processed the rest of the batch (or, with nothing held, the next poll's whole
    // batch), and nothing more.
    let rest = match held(&evs, 1) {
        0 => evs.iter().rfind(|e| of(e, "poll", &c1)).unwrap()["count"]
            .as_u64()
            .unwrap(),
        held => held,
    };
    assert_eq!(count(&evs, "record", &c1) as u64, 4 + rest);
    let commit = evs
        .iter()
        .rfind(|e| of(e, "commit_completed", &c1))
        .unwrap();
    assert_eq!(commit["reason"], "batch");
    assert!(app.run_view(&run).await["consumers"][0]["paused"] == true);
    let r = app
        .post(
            &format!("/api/runs/{run}/consumers/{c1}/step"),
            json!({ "batch": true, "records": 2 }),
        )
        .await;
    assert_eq!(r.status(), 400);
    app.shutdown().await;
}

on_each_broker!(
    auto_commit_long_interval_kill_duplicates_everything,
    auto_commit_kill_duplicates_what_was_processed_after_the_last_commit,
    sync_batch_kill_mid_batch_duplicates_the_uncommitted_window,
    sync_record_kill_at_any_step_at_most_one_duplicate,
    course_commit_sync_in_the_record_loop_kill_mid_batch_loses_the_rest,
    naive_auto_commit_close_with_prefetched_records_loses_them,
    auto_commit_graceful_stop_mid_batch_loses_nothing,
    async_commits_complete_through_the_callback,
    step_one_record_then_the_rest_of_the_batch,
);

//! Group labs with exact numbers: the course's 101–150 case (SIGKILL vs SIGTERM), rebalances
//! with 1→2→3 consumers and a kill, the rebalance listener, thread strategies, exact partition.

#[macro_use]
mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::group::{balanced, ownership};
use common::*;
use serde_json::{json, Value};

fn fast(extra: Value) -> Value {
    let mut v = json!({ "session_timeout_ms": 2000 });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn duplicate_offsets(ledger: &Value) -> Vec<i64> {
    ledger["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["duplicate_offsets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o.as_i64().unwrap())
        })
        .collect()
}

async fn sigkill_at_150_with_100_committed_gives_exactly_50_duplicates() {
    let app = spawn_app().await;
    let run = app.create_run("wakeup-vs-kill").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 200).await;
    let c1 = app.start_consumer(&run, fast(json!({}))).await;
    let evs = events
        .wait_until("paused after 150", |evs| count(evs, "paused", &c1) == 1)
        .await;
    let commits: Vec<i64> = evs
        .iter()
        .filter(|e| of(e, "commit_completed", &c1) && e["error"].is_null())
        .map(|e| e["offsets"][0]["offset"].as_i64().unwrap())
        .collect();
    assert_eq!(commits, vec![100], "one commit, after offsets 0–99");
    assert_eq!(app.run_view(&run).await["consumers"][0]["processed"], 150);

    app.consumer_action(&run, &c1, "kill").await;
    events
        .wait_until("c1 gone", |evs| count(evs, "exited", &c1) == 1)
        .await;
    let (c2, evs) = app
        .start_and_read_through(&run, &events, fast(json!({})), 199)
        .await;
    assert_eq!(
        records_of(&evs, &c2)[0],
        (0, 100),
        "the restart re-reads from the committed 100"
    );
    let ledger = app.ledger(&run).await;
    assert_eq!(ledger["duplicates"], 50, "{ledger}");
    assert_eq!(duplicate_offsets(&ledger), (100..150).collect::<Vec<_>>());
    assert_eq!(ledger["lost"], 0);
    let view = app.run_view(&run).await;
    assert_eq!(reached_checkpoints(&view), vec!["fifty-duplicates"]);
    app.shutdown().await;
    assert!(worker_pids(&run).is_empty());
}

async fn sigterm_at_150_runs_the_shutdown_hook_and_gives_no_duplicates() {
    let app = spawn_app().await;
    let run = app.create_run("wakeup-vs-kill").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 200).await;
    let c1 = app.start_consumer(&run, fast(json!({}))).await;
    events
        .wait_until("paused after 150", |evs| count(evs, "paused", &c1) == 1)
        .await;
    app.consumer_action(&run, &c1, "stop").await;
    let evs = events
        .wait_until("c1 exits", |evs| count(evs, "exited", &c1) == 1)
        .await;
    let kinds: Vec<&str> = evs
        .iter()
        .filter(|e| e["consumer"] == c1.as_str())
        .map(|e| e["type"].as_str().unwrap())
        .skip_while(|t| *t != "wakeup")
        .filter(|t| ["wakeup", "commit_completed", "closed", "exited"].contains(t))
        .collect();
    assert_eq!(
        kinds,
        vec!["wakeup", "commit_completed", "closed", "exited"]
    );
    let shutdown_commit = evs
        .iter()
        .find(|e| of(e, "commit_completed", &c1) && e["reason"] == "shutdown")
        .unwrap();
    assert_eq!(shutdown_commit["offsets"][0]["offset"], 150);

    let (c2, evs) = app
        .start_and_read_through(&run, &events, fast(json!({})), 199)
        .await;
    assert_eq!(
        records_of(&evs, &c2)[0],
        (0, 150),
        "the restart begins at 150"
    );
    let ledger = app.ledger(&run).await;
    assert_eq!(ledger["duplicates"], 0, "{ledger}");
    assert_eq!(ledger["lost"], 0);
    app.shutdown().await;
}

/// Starts `n` consumers one at a time, each once the group has shared all partitions among
/// the ones before; `check` sees the run view after each.
async fn start_members(
    app: &TestApp,
    run: &str,
    events: &EventStream,
    partitions: i64,
    n: usize,
    check: impl Fn(&Value),
) -> Vec<String> {
    let mut consumers = vec![];
    for members in 1..=n {
        consumers.push(app.start_consumer(run, fast(json!({}))).await);
        events
            .wait_until(
                &format!("{members} consumer(s) share all partitions"),
                |evs| balanced(evs, partitions, members),
            )
            .await;
        check(&app.run_view(run).await);
    }
    consumers
}

async fn rebalance_one_two_three_then_kill_one() {
    let app = spawn_app().await;
    let run = app.create_run("rebalance").await;
    let partitions = app.run_view(&run).await["partitions"]
        .as_array()
        .unwrap()
        .len() as i64;
    let events = app.events(&run).await;
    let consumers = start_members(&app, &run, &events, partitions, 3, |view| {
        // The server's view agrees: every partition has a live owner.
        for p in view["partitions"].as_array().unwrap() {
            assert!(p["owner"].is_string(), "{view}");
        }
    })
    .await;
    let victim = consumers[2].clone();
    let before = ownership(&events.lab_events())[&victim].clone();
    app.consumer_action(&run, &victim, "kill").await;
    // The dead member is evicted after the session timeout; its partitions move.
    let evs = events
        .wait_until("the survivors own everything", |evs| {
            balanced(evs, partitions, 2)
        })
        .await;
    let owned = ownership(&evs);
    for p in &before {
        assert!(
            owned.values().any(|s| s.contains(p)),
            "partition {p} reassigned"
        );
    }
    let view = app.run_view(&run).await;
    for p in view["partitions"].as_array().unwrap() {
        assert!(
            p["owner"] == consumers[0].as_str() || p["owner"] == consumers[1].as_str(),
            "{view}"
        );
    }
    app.shutdown().await;
    assert!(worker_pids(&run).is_empty());
}

async fn one_strategy_per_group_and_cooperative_sticky_works() {
    let app = spawn_app().await;
    let run = app
        .create_run_with(
            "rebalance",
            json!({ "assignment_strategy": "cooperative-sticky" }),
        )
        .await;
    let r = app
        .post(
            &format!("/api/runs/{run}/consumers"),
            json!({ "assignment_strategy": "range" }),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("assignment_strategy"));
    let events = app.events(&run).await;
    app.start_consumer(&run, fast(json!({}))).await;
    app.start_consumer(&run, fast(json!({}))).await;
    events
        .wait_until("two consumers share", |evs| balanced(evs, 6, 2))
        .await;
    app.shutdown().await;
}

/// Two members share the partitions; A pauses mid-batch (20 processed, none committed) and
/// leaves gracefully, but its own shutdown does not commit: only the listener can.
///
/// Both join before any record exists: librdkafka's mock broker refuses commits while a
/// rebalance is in progress (REBALANCE_IN_PROGRESS), so a commit in the revoke callback of a
/// *join* rebalance fails there, while Apache Kafka accepts it. The leave is the lesson here:
/// A's revoke callback runs inside `close()`, before LeaveGroup, on every broker.
async fn leaver_duplicates(commit_on_revoke: bool) -> (u64, u64, String) {
    let app = spawn_app().await;
    let run = app.create_run("rebalance-listener").await;
    let events = app.events(&run).await;
    let opts = fast(json!({ "commit_on_revoke": commit_on_revoke }));
    let mut first = opts.clone();
    first["pause_after_records"] = json!(10);
    let a = app.start_consumer(&run, first).await;
    let b = app.start_consumer(&run, opts).await;
    events
        .wait_until("A and B share the partitions", |evs| balanced(evs, 3, 2))
        .await;
    // Keyed, so that every partition holds more than 10 records whichever A owns (keyless ones
    // once left A's partition with 9: A never paused).
    let produced = app.produce_keyed_n(&run, 120).await;
    for p in 0..3 {
        let n = produced.iter().filter(|(q, _)| *q == p).count();
        assert!(n > 10, "partition {p} got {n} of the 120 keyed records");
    }
    let owned_by_b = ownership(&events.lab_events())[&b].clone();
    let b_share: BTreeSet<(i64, i64)> = produced
        .iter()
        .copied()
        .filter(|(p, _)| owned_by_b.contains(p))
        .collect();
    events
        .wait_until("A paused, B done and committed", |evs| {
            let b_done: BTreeSet<(i64, i64)> = records_of(evs, &b).into_iter().collect();
            let b_committed =
                b_share.iter().all(|(p, o)| {
                    evs.iter().any(|e| {
                        of(e, "commit_completed", &b)
                            && e["error"].is_null()
                            && e["offsets"].as_array().unwrap().iter().any(|po| {
                                po["partition"] == *p && po["offset"].as_i64().unwrap() > *o
                            })
                    })
                });
            count(evs, "paused", &a) == 1 && b_done == b_share && b_committed
        })
        .await;
    app.consumer_action(&run, &a, "stop").await;
    let all: BTreeSet<(i64, i64)> = produced.into_iter().collect();
    let evs = events
        .wait_until("every record processed after A left", |evs| {
            let done: BTreeSet<(i64, i64)> = records_of(evs, &a)
                .into_iter()
                .chain(records_of(evs, &b))
                .collect();
            count(evs, "exited", &a) == 1 && done == all
        })
        .await;
    // A's uncommitted window: what it processed past its last successful commit.
    let mut committed: BTreeMap<i64, i64> = BTreeMap::new();
    for e in evs
        .iter()
        .filter(|e| of(e, "commit_completed", &a) && e["error"].is_null())
    {
        for po in e["offsets"].as_array().unwrap() {
            committed.insert(
                po["partition"].as_i64().unwrap(),
                po["offset"].as_i64().unwrap(),
            );
        }
    }
    let window = records_of(&evs, &a)
        .iter()
        .filter(|(p, o)| *o >= committed.get(p).copied().unwrap_or(0))
        .count() as u64;
    if commit_on_revoke {
        assert!(
            evs.iter().any(|e| of(e, "commit_completed", &a)
                && e["reason"] == "revoke"
                && e["error"].is_null()),
            "the listener committed in onPartitionsRevoked\n{}",
            tail(&evs)
        );
    }
    let ledger = app.ledger(&run).await;
    app.shutdown().await;
    (ledger["duplicates"].as_u64().unwrap(), window, tail(&evs))
}

async fn without_the_listener_a_leaver_leaves_its_window_as_duplicates() {
    let (duplicates, window, tail) = leaver_duplicates(false).await;
    assert!(
        window > 0 && window <= 10,
        "A paused after 10 mid-batch: {window}\n{tail}"
    );
    assert_eq!(duplicates, window, "B reprocessed A's window\n{tail}");
}

async fn with_the_listener_committing_on_revoke_there_are_no_duplicates() {
    let (duplicates, window, tail) = leaver_duplicates(true).await;
    assert_eq!(window, 0, "{tail}");
    assert_eq!(duplicates, 0, "{tail}");
}

async fn n_threads_in_one_group_split_the_partitions() {
    let app = spawn_app().await;
    let run = app.create_run("thread-strategies").await;
    let events = app.events(&run).await;
    let c1 = app
        .start_consumer(&run, fast(json!({ "threads": 2 })))
        .await;
    // Records come after both threads joined: a rebalance mid-stream may duplicate (the
    // course's point about rebalances), which is not what this test is about.
    events
        .wait_until("both threads own partitions", |evs| balanced(evs, 4, 2))
        .await;
    let produced: BTreeSet<(i64, i64)> = app.produce_n(&run, 100).await.into_iter().collect();
    let evs = events
        .wait_until("all is read", |evs| {
            records_of(evs, &c1).len() >= produced.len()
        })
        .await;
    let owned = ownership(&evs);
    assert_eq!(
        owned.keys().cloned().collect::<Vec<_>>(),
        vec![format!("{c1}/t1"), format!("{c1}/t2")]
    );
    let got: BTreeSet<(i64, i64)> = records_of(&evs, &c1).into_iter().collect();
    assert_eq!(got, produced);
    assert_eq!(app.ledger(&run).await["duplicates"], 0);
    app.shutdown().await;
    assert!(worker_pids(&run).is_empty());
}

async fn n_threads_in_distinct_groups_each_read_everything() {
    let app = spawn_app().await;
    let run = app.create_run("thread-strategies").await;
    let events = app.events(&run).await;
    let produced: BTreeSet<(i64, i64)> = app.produce_n(&run, 100).await.into_iter().collect();
    let c1 = app
        .start_consumer(
            &run,
            fast(json!({ "threads": 2, "thread_groups": "distinct" })),
        )
        .await;
    let per_thread = |evs: &[Value], t: &str| -> Vec<(i64, i64)> {
        evs.iter()
            .filter(|e| of(e, "record", &c1) && e["thread"] == t)
            .map(|e| {
                (
                    e["partition"].as_i64().unwrap(),
                    e["offset"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let evs = events
        .wait_until("each thread read all 100", |evs| {
            per_thread(evs, "t1").len() >= 100 && per_thread(evs, "t2").len() >= 100
        })
        .await;
    for t in ["t1", "t2"] {
        let got = per_thread(&evs, t);
        assert_eq!(got.len(), 100, "{t} read each record once");
        assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), produced);
    }
    let ledger = app.ledger(&run).await;
    assert_eq!(
        ledger["duplicates"], 0,
        "two groups reading the same record is no duplicate"
    );
    let groups: BTreeSet<&str> = ledger["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["group"].as_str().unwrap())
        .collect();
    assert!(groups.len() >= 2, "{ledger}");
    app.shutdown().await;
}

async fn worker_pool_with_auto_commit_loses_queued_records_on_kill() {
    let app = spawn_app().await;
    let run = app.create_run("thread-strategies").await;
    let events = app.events(&run).await;
    app.produce_n(&run, 100).await;
    let opts = fast(json!({
        "worker_pool": 2, "commit_mode": "auto-naive", "auto_commit_interval_ms": 200,
        "processing_delay_ms": 100
    }));
    let c1 = app.start_consumer(&run, opts).await;
    // Auto commit has committed more than the pool processed.
    events
        .wait_until("an auto commit ahead of processing", |evs| {
            let committed: i64 = evs
                .iter()
                .filter(|e| of(e, "commit_completed", &c1) && e["error"].is_null())
                .flat_map(|e| {
                    e["offsets"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|po| po["offset"].as_i64().unwrap())
                })
                .sum();
            committed > count(evs, "record", &c1) as i64 + 10
        })
        .await;
    app.consumer_action(&run, &c1, "kill").await;
    events
        .wait_until("gone", |evs| count(evs, "exited", &c1) == 1)
        .await;
    let evs = events.lab_events();
    assert!(evs
        .iter()
        .filter(|e| of(e, "record", &c1))
        .all(|e| e["thread"].as_str().unwrap().starts_with("pool-")));
    let ledger = app.ledger(&run).await;
    assert!(ledger["lost"].as_u64().unwrap() > 0, "{ledger}");
    app.shutdown().await;
    assert!(worker_pids(&run).is_empty());
}

async fn exact_partition_consumers_never_rebalance() {
    let app = spawn_app().await;
    let run = app.create_run("exact-partition").await;
    let events = app.events(&run).await;
    let produced = app.produce_n(&run, 30).await;
    let p0: BTreeSet<(i64, i64)> = produced.into_iter().filter(|(p, _)| *p == 0).collect();
    assert!(!p0.is_empty());
    let a = app.start_consumer(&run, fast(json!({}))).await;
    let b = app.start_consumer(&run, fast(json!({}))).await;
    let evs = events
        .wait_until("both read partition 0", |evs| {
            records_of(evs, &a).len() >= p0.len() && records_of(evs, &b).len() >= p0.len()
        })
        .await;
    for c in [&a, &b] {
        let got: BTreeSet<(i64, i64)> = records_of(&evs, c).into_iter().collect();
        assert_eq!(got, p0, "{c} reads exactly partition 0");
    }
    for kind in [
        "partitions_assigned",
        "partitions_revoked",
        "rebalance_done",
    ] {
        assert!(!evs.iter().any(|e| is(e, kind)), "no {kind} with assign()");
    }
    let view = app.run_view(&run).await;
    assert_eq!(view["consumers"][0]["assigned"], json!([0]));
    assert_eq!(app.ledger(&run).await["duplicates"], 0);
    app.shutdown().await;
}

/// The run's end stops every member at once (issue 16, finding 12): each makes its final
/// commit before any of them leaves, so none of those commits meets a rebalance.
async fn every_member_commits_before_any_leaves_when_the_run_ends() {
    let app = spawn_app().await;
    let run = app.create_run("rebalance").await;
    let partitions = app.run_view(&run).await["partitions"]
        .as_array()
        .unwrap()
        .len() as i64;
    let events = app.events(&run).await;
    let consumers = start_members(&app, &run, &events, partitions, 4, |_| {}).await;
    app.produce_n(&run, 400).await;
    events
        .wait_until("every member processed records", |evs| {
            consumers.iter().all(|c| processed_by(evs, c) > 0)
        })
        .await;
    let r = app.delete(&format!("/api/runs/{run}")).await;
    assert_eq!(r.status(), 204);
    events.wait_end().await;
    let evs = events.lab_events();
    for c in &consumers {
        let finals: Vec<&Value> = evs
            .iter()
            .filter(|e| of(e, "commit_completed", c) && e["reason"] == "shutdown")
            .collect();
        assert_eq!(finals.len(), 1, "{c}: one final commit\n{}", tail(&evs));
        assert_eq!(finals[0]["error"], Value::Null, "{c}: {}", finals[0]);
        assert_eq!(count(&evs, "ready_to_leave", c), 1, "{c}");
        assert_eq!(count(&evs, "closed", c), 1, "{c}");
        // Its final commit came before anyone left the group.
        let committed = seq(finals[0]);
        let first_close = evs
            .iter()
            .filter(|e| is(e, "closed"))
            .map(seq)
            .min()
            .unwrap();
        assert!(committed < first_close, "{c} committed after a member left");
    }
    assert!(worker_pids(&run).is_empty());
    app.shutdown().await;
}

on_each_broker!(
    every_member_commits_before_any_leaves_when_the_run_ends,
    sigkill_at_150_with_100_committed_gives_exactly_50_duplicates,
    sigterm_at_150_runs_the_shutdown_hook_and_gives_no_duplicates,
    rebalance_one_two_three_then_kill_one,
    one_strategy_per_group_and_cooperative_sticky_works,
    without_the_listener_a_leaver_leaves_its_window_as_duplicates,
    with_the_listener_committing_on_revoke_there_are_no_duplicates,
    n_threads_in_one_group_split_the_partitions,
    n_threads_in_distinct_groups_each_read_everything,
    worker_pool_with_auto_commit_loses_queued_records_on_kill,
    exact_partition_consumers_never_rebalance,
);

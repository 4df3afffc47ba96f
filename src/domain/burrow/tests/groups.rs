//! The group scenarios of `TestCachingEvaluator_*` (lines 97–171) with the storage fixture
//! of `core/internal/storage/fixtures.go` (intervals 10, min-distance 0, broker offset 4321),
//! min-distance merging, the classroom's slow consumer, and Burrow's JSON names.

use super::*;

/// The storage fixture: one partition of `testtopic` with broker offset 4321, and commits of
/// `offsets` every 10 s from `start` (now − 100 s).
fn fixture_group(offsets: &[i64], now_ms: i64, cfg: &EvaluatorConfig) -> PartitionWindow {
    let start = now_ms - 100_000;
    let mut w = PartitionWindow::new("testtopic", 0);
    w.add_broker_offset(4321, cfg);
    for (i, &o) in offsets.iter().enumerate() {
        let ts = start + 10_000 * i as i64;
        w.add_commit(o, ts, ts, cfg);
    }
    w
}

#[test]
fn burrows_group_scenarios() {
    let cfg = EvaluatorConfig::default();
    let now = 1_700_000_000_000;
    // testgroup: ten commits 1000..1900 → OK, complete, totallag 4321 − 1900.
    let full: Vec<i64> = (0..10).map(|i| 1000 + 100 * i).collect();
    let g = evaluate_group(
        "local",
        "testgroup",
        &[fixture_group(&full, now, &cfg)],
        now,
        &cfg,
        false,
    );
    assert_eq!(
        (g.status, g.complete, g.partition_count, g.totallag),
        (Status::Ok, 1.0, 1, 2421)
    );
    assert!(
        g.partitions.is_empty(),
        "/status lists only partitions worse than OK"
    );
    let lag = evaluate_group(
        "local",
        "testgroup",
        &[fixture_group(&full, now, &cfg)],
        now,
        &cfg,
        true,
    );
    assert_eq!(lag.partitions.len(), 1, "/lag lists every partition");

    // testgroup2: five commits 1000..1400 in a ring of ten, the last 60 s ago.
    let half: Vec<i64> = (0..5).map(|i| 1000 + 100 * i).collect();
    let g = evaluate_group(
        "local",
        "testgroup2",
        &[fixture_group(&half, now, &cfg)],
        now,
        &cfg,
        false,
    );
    assert_eq!(g.status, Status::Err);
    assert_eq!(g.complete, 0.0);
    assert_eq!(g.totallag, 2921);
    let p = &g.partitions[0];
    assert_eq!((p.status, p.complete), (Status::Stop, 0.5));
    let maxlag = g.maxlag.unwrap();
    assert_eq!(
        (maxlag.start.unwrap().offset, maxlag.end.unwrap().offset),
        (1000, 1400)
    );

    // nosuchgroup
    let g = evaluate_group("local", "nosuchgroup", &[], now, &cfg, false);
    assert_eq!(
        (g.status, g.complete, g.partition_count, g.totallag),
        (Status::Notfound, 1.0, 0, 0)
    );
    assert!(g.maxlag.is_none() && g.partitions.is_empty());
}

#[test]
fn min_distance_merges_fast_commits_and_keeps_the_older_timestamp() {
    let cfg = EvaluatorConfig {
        min_distance_ms: 1000,
        intervals: 3,
        ..Default::default()
    };
    let mut w = PartitionWindow::new("t", 0);
    w.add_broker_offset(100, &cfg);
    w.add_commit(10, 0, 0, &cfg);
    w.add_commit(20, 500, 500, &cfg); // within 1 s: replaces, keeps timestamp 0
    w.add_commit(30, 1500, 1500, &cfg);
    let c: Vec<(i64, i64, Option<u64>)> = w
        .commits()
        .map(|c| (c.offset, c.timestamp, c.lag))
        .collect();
    assert_eq!(c, vec![(20, 0, Some(80)), (30, 1500, Some(70))]);
    // The ring keeps the last `intervals` commits.
    w.add_commit(40, 3000, 3000, &cfg);
    w.add_commit(50, 4500, 4500, &cfg);
    let offsets: Vec<i64> = w.commits().map(|c| c.offset).collect();
    assert_eq!(offsets, vec![30, 40, 50]);
    // A commit ahead of the known broker offset has lag 0; none known → no lag.
    let mut fresh = PartitionWindow::new("t", 1);
    fresh.add_commit(5, 0, 0, &cfg);
    assert_eq!(fresh.commits().next().unwrap().lag, None);
    fresh.add_broker_offset(3, &cfg);
    fresh.add_commit(7, 2000, 2000, &cfg);
    assert_eq!(fresh.commits().last().unwrap().lag, Some(0));
    assert_eq!(fresh.current_lag(), 0);
}

#[test]
fn the_classroom_slow_consumer_is_warn_not_stop() {
    // The lab's step 2: the producer at 20/s, a consumer committing every ~20 s while its
    // lag grows 35 → 70 → 150 (the numbers): Burrow says WARN.
    let cfg = EvaluatorConfig {
        intervals: 3,
        ..Default::default()
    };
    let mut w = PartitionWindow::new("lag", 0);
    for (i, (end, committed)) in [(135, 100), (270, 200), (450, 300)].into_iter().enumerate() {
        let ts = 20_000 * i as i64;
        w.add_broker_offset(end, &cfg);
        w.add_commit(committed, ts, ts, &cfg);
    }
    w.add_broker_offset(480, &cfg);
    let p = w.evaluate(45_000, &cfg);
    assert_eq!(p.status, Status::Warn, "{:?}", p.reason);
    assert_eq!(
        p.reason,
        Reason::LagNotDecreasing {
            lags: vec![35, 70, 150]
        }
    );
    // Killed: the broker keeps being polled (its ring forgets end offsets at or below the last
    // commit), and no commit comes for longer than the window's span (40 s) → STOP, group ERR.
    for end in [500, 520, 540] {
        w.add_broker_offset(end, &cfg);
    }
    let g = evaluate_group("local", "g", &[w.clone()], 81_000, &cfg, true);
    assert_eq!(
        (g.partitions[0].status, g.status),
        (Status::Stop, Status::Err)
    );
    // One second earlier the silence is not longer than the span: still WARN.
    assert_eq!(w.evaluate(80_000, &cfg).status, Status::Warn);
}

#[test]
fn status_json_has_burrows_names() {
    let cfg = EvaluatorConfig::default();
    let w = fixture_group(&[1000, 1100], 200_000, &cfg);
    let g = evaluate_group("local", "g", &[w], 200_000, &cfg, true);
    let v = serde_json::to_value(&g).unwrap();
    for key in [
        "cluster",
        "group",
        "status",
        "complete",
        "partitions",
        "partition_count",
        "maxlag",
        "totallag",
    ] {
        assert!(v.get(key).is_some(), "{key} in {v}");
    }
    let p = &v["partitions"][0];
    for key in [
        "topic",
        "partition",
        "owner",
        "client_id",
        "status",
        "start",
        "end",
        "current_lag",
        "complete",
    ] {
        assert!(p.get(key).is_some(), "{key} in {p}");
    }
    assert!(p["start"].get("observedAt").is_some());
    assert_eq!(
        v["status"], "ERR",
        "stopped: 90 s since the last commit, 10 s span"
    );
    assert_eq!(serde_json::to_value(Status::Notfound).unwrap(), "NOTFOUND");
}

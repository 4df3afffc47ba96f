//! Conformance with Burrow's own tests (linkedin/Burrow v1.9.5,
//! `core/internal/evaluator/caching_test.go`): `TestCachingEvaluator_CheckRules` (lines
//! 199–601), each rule function on its own and the status `calculatePartitionStatus` returns;
//! the group scenarios of `TestCachingEvaluator_*` (lines 97–171) with the storage fixture of
//! `core/internal/storage/fixtures.go` (intervals 10, min-distance 0, broker offset 4321).
//! Timestamps are in ms and `now` in s, as in Burrow's table.

use super::*;

/// `(offset, timestamp_ms, lag)`; `None` is Burrow's nil lag.
fn window(commits: &[(i64, i64, Option<u64>)]) -> Vec<ConsumerOffset> {
    commits
        .iter()
        .map(|&(offset, timestamp, lag)| ConsumerOffset {
            offset,
            timestamp,
            observed_at: timestamp,
            lag,
        })
        .collect()
}

struct Case {
    offsets: Vec<ConsumerOffset>,
    broker: Vec<i64>,
    current_lag: u64,
    now_s: i64,
    allowed: u64,
    // Expected: isLagAlwaysNotZero, checkIfOffsetsRewind, Stopped, Stalled,
    // LagNotDecreasing, RecentLagZero, and the status.
    always_not_zero: bool,
    rewind: Option<usize>,
    stopped: bool,
    stalled: bool,
    not_decreasing: bool,
    recent_zero: bool,
    status: Status,
}

fn five(offsets: [i64; 5], lags: [u64; 5]) -> Vec<ConsumerOffset> {
    let c: Vec<(i64, i64, Option<u64>)> = (0..5)
        .map(|i| (offsets[i], 100_000 * (i as i64 + 1), Some(lags[i])))
        .collect();
    window(&c)
}

fn fifteen() -> Vec<ConsumerOffset> {
    let ts = [
        1512224618356,
        1512224619362,
        1512224620366,
        1512224621367,
        1512224622370,
        1512224623373,
        1512224624378,
        1512224625379,
        1512224626383,
        1512224627383,
        1512224628383,
        1512224629388,
        1512224630391,
        1512224631394,
        1512224632397,
    ];
    let c: Vec<(i64, i64, Option<u64>)> = ts
        .iter()
        .enumerate()
        .map(|(i, &t)| (792748079 + i as i64, t, Some(0)))
        .collect();
    window(&c)
}

#[allow(clippy::too_many_arguments)]
fn case(
    offsets: Vec<ConsumerOffset>,
    broker: &[i64],
    current_lag: u64,
    now_s: i64,
    allowed: u64,
    flags: (bool, Option<usize>, bool, bool, bool, bool),
    status: Status,
) -> Case {
    Case {
        offsets,
        broker: broker.to_vec(),
        current_lag,
        now_s,
        allowed,
        always_not_zero: flags.0,
        rewind: flags.1,
        stopped: flags.2,
        stalled: flags.3,
        not_decreasing: flags.4,
        recent_zero: flags.5,
        status,
    }
}

fn check_rules_cases() -> Vec<Case> {
    use Status::*;
    const F: bool = false;
    const T: bool = true;
    let rising = || five([1000, 2000, 3000, 4000, 5000], [0, 50, 100, 150, 200]);
    let rising_from_50 = || five([1000, 2000, 3000, 4000, 5000], [50, 100, 150, 200, 250]);
    let stuck_from_0 = || five([1000; 5], [0, 50, 100, 150, 200]);
    let stuck_from_100 = || five([1000; 5], [100, 150, 200, 250, 300]);
    let rewound_and_back = || five([1000, 2000, 3000, 2000, 4000], [100, 150, 200, 1250, 300]);
    let every_other_nil = window(&[
        (1000, 100000, Some(0)),
        (1500, 150000, None),
        (2000, 200000, Some(50)),
        (2500, 250000, None),
        (3000, 300000, Some(100)),
        (3500, 350000, None),
        (4000, 400000, Some(150)),
        (4500, 450000, None),
        (5000, 500000, Some(200)),
        (5500, 550000, None),
    ]);
    vec![
        // 0: lag was zero once → OK.
        case(rising(), &[5200], 200, 600, 0, (F, None, F, F, T, F), Ok),
        // 1: 400 s since the last commit equals the 400 s span: not stopped.
        case(rising(), &[5200], 200, 900, 0, (F, None, F, F, T, F), Ok),
        // 2: 500 s > 400 s: stopped.
        case(rising(), &[5200], 200, 1000, 0, (F, None, T, F, T, F), Stop),
        // 3
        case(
            rising_from_50(),
            &[5250],
            250,
            1000,
            0,
            (T, None, T, F, T, F),
            Stop,
        ),
        // 4: offsets stuck, but the lag was zero once → OK.
        case(
            stuck_from_0(),
            &[1200],
            200,
            600,
            0,
            (F, None, F, T, T, F),
            Ok,
        ),
        // 5
        case(
            stuck_from_100(),
            &[1300],
            300,
            600,
            0,
            (T, None, F, T, T, F),
            Stall,
        ),
        // 6: same offset, same lag throughout.
        case(
            five([1000; 5], [100; 5]),
            &[1100],
            100,
            600,
            0,
            (T, None, F, T, T, F),
            Stall,
        ),
        // 7: rewound at index 3 but recovered; the lag went down once → OK.
        case(
            rewound_and_back(),
            &[4300],
            300,
            600,
            0,
            (T, Some(3), F, F, F, F),
            Ok,
        ),
        // 8: current lag 0 → OK before any rule.
        case(
            rising_from_50(),
            &[5250],
            0,
            1000,
            0,
            (T, None, T, F, T, F),
            Ok,
        ),
        // 9: fifteen commits at lag 0, then silence while the broker moves on.
        case(
            fifteen(),
            &[792749024, 792749000, 792748800, 792748600, 792748500],
            931,
            1512224650,
            0,
            (F, None, T, F, T, F),
            Stop,
        ),
        // 10: silent, but a recent broker offset is at the last commit → not STOP.
        case(
            fifteen(),
            &[792748094, 792748093, 792748093, 792748093],
            1,
            1512224650,
            0,
            (F, None, T, F, T, T),
            Ok,
        ),
        // 11: nil lags are skipped.
        case(
            every_other_nil,
            &[5700],
            200,
            600,
            0,
            (F, None, F, F, T, F),
            Ok,
        ),
        // 12: allowed lag 1 covers the current lag.
        case(
            window(&[
                (1000, 100000, Some(2)),
                (2000, 200000, Some(1)),
                (2000, 300000, Some(1)),
            ]),
            &[2001],
            1,
            550,
            1,
            (F, None, T, F, F, F),
            Ok,
        ),
        // 13
        case(
            stuck_from_100(),
            &[1300],
            300,
            600,
            99,
            (T, None, F, T, T, F),
            Stall,
        ),
        // 14
        case(
            rewound_and_back(),
            &[4300],
            300,
            600,
            99,
            (T, Some(3), F, F, F, F),
            Ok,
        ),
        // 15: rewound at index 3 and never back at 3000.
        case(
            five([1000, 2000, 3000, 2000, 2500], [100, 150, 200, 1250, 300]),
            &[4300],
            300,
            600,
            0,
            (T, Some(3), F, F, F, F),
            Rewind,
        ),
    ]
}

#[test]
fn burrows_check_rules_table() {
    for (i, c) in check_rules_cases().iter().enumerate() {
        let now_ms = c.now_s * 1000;
        assert_eq!(
            lag_always_not_zero(&c.offsets, c.allowed),
            c.always_not_zero,
            "case {i}: isLagAlwaysNotZero"
        );
        assert_eq!(
            rewind_index(&c.offsets),
            c.rewind,
            "case {i}: checkIfOffsetsRewind"
        );
        assert_eq!(
            offsets_stopped(&c.offsets, now_ms),
            c.stopped,
            "case {i}: checkIfOffsetsStopped"
        );
        assert_eq!(
            offsets_stalled(&c.offsets),
            c.stalled,
            "case {i}: checkIfOffsetsStalled"
        );
        assert_eq!(
            lag_not_decreasing(&c.offsets),
            c.not_decreasing,
            "case {i}: checkIfLagNotDecreasing"
        );
        assert_eq!(
            recent_lag_zero(&c.offsets, &c.broker),
            c.recent_zero,
            "case {i}: checkIfRecentLagZero"
        );
        let (status, reason) =
            partition_status(&c.offsets, &c.broker, c.current_lag, now_ms, c.allowed);
        assert_eq!(status, c.status, "case {i}: status ({reason:?})");
    }
}

#[test]
fn the_rule_that_fired_carries_its_numbers() {
    let cases = check_rules_cases();
    let reason = |i: usize| {
        let c = &cases[i];
        partition_status(
            &c.offsets,
            &c.broker,
            c.current_lag,
            c.now_s * 1000,
            c.allowed,
        )
        .1
    };
    assert_eq!(
        reason(2),
        Reason::Stopped {
            since_last_commit_ms: 500_000,
            window_span_ms: 400_000
        }
    );
    assert_eq!(reason(5), Reason::Stalled { offset: 1000 });
    assert_eq!(
        reason(15),
        Reason::Rewound {
            index: 3,
            from: 3000,
            to: 2000
        }
    );
    assert_eq!(
        reason(8),
        Reason::LagWithinAllowed {
            current_lag: 0,
            allowed_lag: 0
        }
    );
    assert_eq!(
        reason(10),
        Reason::RecentLagZero {
            last_offset: 792748093
        }
    );
    let c = &cases[3];
    // Without the stop (now within the window's span), case 3's lags only grow: WARN.
    let (status, reason) = partition_status(&c.offsets, &c.broker, c.current_lag, 600_000, 0);
    assert_eq!(status, Status::Warn);
    assert_eq!(
        reason,
        Reason::LagNotDecreasing {
            lags: vec![50, 100, 150, 200, 250]
        }
    );
}

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

//! `TestCachingEvaluator_CheckRules` (Burrow's `core/internal/evaluator/caching_test.go`,
//! lines 199–601): each case's window, broker offsets, current lag, `now` and allowed lag, with
//! what each rule function and `calculatePartitionStatus` return.

use super::*;

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

//! Watched groups without a broker: names, and the sample → commit → Burrow path.

use super::*;
use crate::domain::burrow::Status;
use crate::i18n::ErrorCode;
use crate::run::log::EventSource;
use crate::watch::check_name;

#[test]
fn names_are_kafkas_legal_characters() {
    assert!(check_name("topic", "orders-v2.events_1").is_ok());
    let code = |v: &str| match check_name("group", v) {
        Err(e) => Some(e.coded().code),
        Ok(()) => None,
    };
    assert_eq!(code(""), Some(ErrorCode::FieldRequired));
    assert_eq!(code("my group"), Some(ErrorCode::BadName));
    assert_eq!(code("그룹"), Some(ErrorCode::BadName));
    assert_eq!(code(".."), Some(ErrorCode::BadName));
    assert_eq!(code(&"a".repeat(249)), None);
    assert_eq!(code(&"a".repeat(250)), Some(ErrorCode::BadName));
    let e = check_name("group", "a/b").unwrap_err().coded();
    assert_eq!(e.params["field"], "group");
    assert_eq!(e.params["max"], 249);
}

fn settings() -> WatchSettings {
    WatchSettings {
        max_watches: 2,
        sample_interval: Duration::from_millis(500),
        idle_timeout: Duration::from_secs(60),
        log_capacity: 100,
        live_buffer: 16,
    }
}

fn sample(parts: &[(i64, Option<i64>)]) -> Vec<PartitionSample> {
    parts
        .iter()
        .enumerate()
        .map(|(p, &(end, c))| PartitionSample::new(p as i32, end, c))
        .collect()
}

fn events(w: &Watch) -> Vec<serde_json::Value> {
    w.replay(0)
        .entries
        .iter()
        .map(|e| serde_json::from_str(&e.json).unwrap())
        .collect()
}

#[test]
fn a_changed_committed_offset_is_a_commit_and_a_repeated_one_is_not() {
    let cfg = EvaluatorConfig {
        intervals: 3,
        ..EvaluatorConfig::default()
    };
    let w = Watch::new(
        "w1".into(),
        "g".into(),
        "t".into(),
        cfg,
        &settings(),
        CancellationToken::new(),
    );
    // Before any commit: outside view only, Burrow does not know the group.
    w.observe(sample(&[(10, None)]), 1_000);
    assert!(w.view().lag.is_none() && !w.has_commits());
    w.observe(sample(&[(10, Some(10))]), 2_000);
    w.observe(sample(&[(20, Some(20))]), 3_000);
    // The same committed offset again: nothing new for Burrow.
    w.observe(sample(&[(30, Some(20))]), 4_000);
    w.observe(sample(&[(30, Some(20))]), 5_000);
    // Once the broker's ring no longer holds an end offset at the last commit (Burrow's
    // "recent lag zero" forgiveness), the stop counts.
    w.observe(sample(&[(30, Some(20))]), 6_000);
    let report = w.lock().windows.report(6_000).unwrap();
    let offsets: Vec<i64> = report.partitions[0]
        .window
        .iter()
        .map(|c| c.offset)
        .collect();
    assert_eq!(offsets, vec![10, 20]);
    assert_eq!(report.partitions[0].window[1].timestamp, 3_000);
    // Lag 10 with no commit for longer than the window's span: STOP, the group ERR.
    assert_eq!(report.partitions[0].status, Status::Stop);
    assert_eq!(report.status, Status::Err);
    let kinds: Vec<String> = events(&w)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    // offsets ×4 (the last sample repeats the one before), lag on the first commit and
    // whenever a partition's lag or the verdict moved.
    assert_eq!(
        kinds.iter().filter(|k| *k == "offsets").count(),
        4,
        "{kinds:?}"
    );
    assert!(kinds.contains(&"lag".to_string()), "{kinds:?}");
    assert_eq!(w.view().partitions[0].lag, 10);
}

#[test]
fn a_sampling_error_is_logged_once() {
    let w = Watch::new(
        "w1".into(),
        "g".into(),
        "t".into(),
        EvaluatorConfig::default(),
        &settings(),
        CancellationToken::new(),
    );
    w.observe_error("gone".into());
    w.observe_error("gone".into());
    assert_eq!(w.view().error.as_deref(), Some("gone"));
    assert_eq!(events(&w).len(), 1);
    w.observe(sample(&[(1, None)]), 1);
    assert!(w.view().error.is_none());
}

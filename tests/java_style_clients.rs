//! The course's own clients on the embedded broker, with stand-ins for the Java client (no JVM):
//! kafka-python negotiates API versions the way the Java client does (ApiVersions v3+ first,
//! KIP-511), so it meets the same answers `kafka-console-producer.sh` and the course's Java
//! projects would; kafkajs picks the newest group API versions the broker advertises (the
//! mock's LeaveGroup v3+ is what it tripped over). Embedded broker only: the proxy in front of
//! the mock cluster is the subject.
//!
//! kafka-python lives in a virtual environment that `.ci/run` creates, kafkajs in the npm
//! lockfile (`npm ci`); without them the tests are skipped with the install command, and with
//! `CI` set they fail.

mod common;
#[path = "common/group_member.rs"]
mod group_member;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::*;
use group_member::Member;
use serde_json::{json, Value};

const KAFKA_PYTHON: &str = "kafka-python==3.0.12";

/// The virtual environment `.ci/run` creates, unless `LABS_TEST_PYTHON` names an interpreter.
fn default_venv() -> PathBuf {
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".cache/kafka-consumer-labs/pyenv")
}

/// A Python interpreter that has kafka-python, or `None` (skipped; a failure in CI).
fn kafka_python() -> Option<PathBuf> {
    let python = std::env::var_os("LABS_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| default_venv().join("bin/python"));
    let ok = std::process::Command::new(&python)
        .args(["-c", "import kafka"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(python);
    }
    let venv = default_venv();
    let install = format!(
        "python3 -m venv {v} && {v}/bin/pip install {KAFKA_PYTHON}",
        v = venv.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!(
            "kafka-python is missing at {}; CI must install it: {install}",
            python.display()
        );
    }
    eprintln!(
        "skipped: no kafka-python at {} (install it with: {install})",
        python.display()
    );
    None
}

fn client_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(name)
}

/// Whether kafkajs is installed from the npm lockfile (`npm ci`), or `false` (skipped; a
/// failure in CI).
fn kafkajs() -> bool {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    if manifest.join("node_modules/kafkajs/package.json").is_file() {
        return true;
    }
    let install = format!("cd {} && npm ci", manifest.display());
    if std::env::var_os("CI").is_some() {
        panic!("kafkajs is missing from node_modules; CI must install it: {install}");
    }
    eprintln!("skipped: no kafkajs in node_modules (install it with: {install})");
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_python_bootstraps_produces_consumes_commits_and_leaves() {
    let Some(python) = kafka_python() else {
        return;
    };
    let script = client_script("kafka_python_client.py");
    let report = client_round_trip("kafka-python", |bootstrap, topic, group| {
        let mut c = tokio::process::Command::new(&python);
        c.arg(&script).args([bootstrap, topic, group]);
        c
    })
    .await;
    // Bootstrapped: the broker's metadata named the run's partitions.
    assert!(
        !report["partitions"]
            .as_array()
            .expect("partitions")
            .is_empty(),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafkajs_produces_consumes_commits_and_leaves() {
    if !kafkajs() {
        return;
    }
    let script = client_script("kafkajs_client.mjs");
    client_round_trip("kafkajs", |bootstrap, topic, group| {
        let mut c = tokio::process::Command::new("node");
        c.arg(&script).args([bootstrap, topic, group]);
        c
    })
    .await;
}

/// Starts the app (embedded broker) and a run whose lab consumer reads the run's topic, then
/// runs the client `command(bootstrap, topic, group)`: it produces "1".."4" to the topic,
/// consumes them as its own group with manual commits, reads the committed offsets back and
/// closes, reporting on one JSON line. Checks the report and that the lab consumer recorded
/// the four records; returns the report.
async fn client_round_trip(
    name: &str,
    command: impl FnOnce(&str, &str, &str) -> tokio::process::Command,
) -> Value {
    let mut settings = test_settings();
    settings.bootstrap_servers = None;
    let app = spawn_app_with(settings).await;
    let created: Value = app
        .post("/api/runs", json!({ "lab": "simple-consumer" }))
        .await
        .json()
        .await
        .expect("json");
    let run = created["id"].as_str().expect("id").to_string();
    let topic = created["topic"].as_str().expect("topic").to_string();
    let events = app.events(&run).await;
    let c1 = app
        .start_consumer(&run, json!({ "session_timeout_ms": 2000 }))
        .await;

    let group = format!("{name}-{run}");
    let output = tokio::time::timeout(
        DEADLINE,
        command(&app.bootstrap, &topic, &group)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("{name} finishes within the deadline"))
    .unwrap_or_else(|e| panic!("{name} runs: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{name} failed ({}):\n{stderr}\n{stdout}",
        output.status
    );
    let report: Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("a JSON report from {name}:\n{stdout}\n{stderr}"));

    // Produced "1".."4"; consumed exactly those, as its own group.
    let produced: BTreeSet<(i64, i64)> = report["produced"]
        .as_array()
        .expect("produced")
        .iter()
        .map(|p| (p[0].as_i64().unwrap(), p[1].as_i64().unwrap()))
        .collect();
    assert_eq!(produced.len(), 4, "{report}");
    let consumed: BTreeSet<(i64, i64, String)> = report["consumed"]
        .as_array()
        .expect("consumed")
        .iter()
        .map(|c| {
            (
                c[0].as_i64().unwrap(),
                c[1].as_i64().unwrap(),
                c[2].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        consumed
            .iter()
            .map(|(p, o, _)| (*p, *o))
            .collect::<BTreeSet<_>>(),
        produced,
        "{report}"
    );
    let values: BTreeSet<&str> = consumed.iter().map(|(_, _, v)| v.as_str()).collect();
    assert_eq!(values, BTreeSet::from(["1", "2", "3", "4"]), "{report}");
    // Manual commit: the committed offsets read back are the next offsets to consume.
    assert_eq!(
        report["committed"], report["expected_committed"],
        "{report}"
    );
    // Closed (LeaveGroup) without a warning or error from the client.
    assert_eq!(report["problems"], json!([]), "{report}");

    // The lab's own consumer recorded what the outside client produced.
    let evs = events
        .wait_until("the lab consumer records the four records", |evs| {
            let seen: BTreeSet<(i64, i64)> = records_of(evs, &c1).into_iter().collect();
            produced.is_subset(&seen)
        })
        .await;
    let recorded: BTreeSet<&str> = evs
        .iter()
        .filter(|e| of(e, "record", &c1))
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(recorded, BTreeSet::from(["1", "2", "3", "4"]));
    app.shutdown().await;
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_kafka_python_consumers_of_one_group_rebalance_commit_and_close() {
    let Some(python) = kafka_python() else {
        return;
    };
    let script = client_script("kafka_python_member.py");
    group_of_two("kafka-python", |bootstrap, topic, group| {
        let mut c = tokio::process::Command::new(&python);
        c.arg(&script).args([bootstrap, topic, group]);
        c
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_kafkajs_consumers_of_one_group_rebalance_commit_and_close() {
    if !kafkajs() {
        return;
    }
    let script = client_script("kafkajs_member.mjs");
    group_of_two("kafkajs", |bootstrap, topic, group| {
        let mut c = tokio::process::Command::new("node");
        c.arg(&script).args([bootstrap, topic, group]);
        c
    })
    .await;
}

/// Two consumers of one group, each its own process as a trainee's two Java consumers would
/// be (`command(bootstrap, topic, group)` starts one: tests/clients/*_member.*). The first gets
/// every partition of a run's topic; when the second joins, the group rebalances until each
/// has a share (on the embedded broker the second often syncs after its leader, which the
/// proxy answers: `src/broker/sync_group.rs`). They consume and commit what is then produced;
/// the second closes, its commits read back; the first takes every partition again and closes
/// with the whole topic committed, read back. No client logs a protocol error.
async fn group_of_two(name: &str, command: impl Fn(&str, &str, &str) -> tokio::process::Command) {
    let mut settings = test_settings();
    settings.bootstrap_servers = None;
    let app = spawn_app_with(settings).await;
    let created: Value = app
        .post("/api/runs", json!({ "lab": "simple-consumer" }))
        .await
        .json()
        .await
        .expect("json");
    let run = created["id"].as_str().expect("id").to_string();
    let topic = created["topic"].as_str().expect("topic").to_string();
    let group = format!("{name}-pair-{run}");
    let start = |who: &str| Member::spawn(who, command(&app.bootstrap, &topic, &group));

    let mut a = start("a");
    let all = a
        .assigned("a alone gets partitions", |p| !p.is_empty())
        .await;
    let mut b = start("b");
    let (a_share, b_share) = Member::split(&mut a, &mut b, &all).await;
    assert!(!a_share.is_empty() && !b_share.is_empty());

    let values: Vec<String> = (1..=12).map(|i| i.to_string()).collect();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let produced: BTreeSet<(i64, i64)> = app.produce(&run, &refs).await.into_iter().collect();
    Member::consume_between(&mut a, &mut b, &produced).await;

    // Committed: one past the last record of each partition; 0 for a partition without
    // records (kafka-python commits its position 0 there, kafkajs nothing: read back as -1).
    let next = |p: i64| -> i64 {
        let last = produced.iter().filter(|(q, _)| *q == p).map(|(_, o)| o + 1);
        last.max().unwrap_or(0)
    };
    let read = |committed: &Value, p: i64| committed[p.to_string()].as_i64().map(|o| o.max(0));
    let b_consumed = b.consumed();
    let b_committed = b.close().await;
    for (p, _) in &b_consumed {
        assert_eq!(read(&b_committed, *p), Some(next(*p)), "b: {b_committed}");
    }
    a.assigned("a takes every partition again", |p| p == all.as_slice())
        .await;
    let a_consumed = a.consumed();
    let a_committed = a.close().await;
    let got: Vec<Option<i64>> = all.iter().map(|p| read(&a_committed, *p)).collect();
    let expected: Vec<Option<i64>> = all.iter().map(|p| Some(next(*p))).collect();
    assert_eq!(
        got, expected,
        "the group's commits {a_committed}; produced {produced:?}, a consumed {a_consumed:?}, \
         b {b_consumed:?}"
    );
    app.shutdown().await;
}

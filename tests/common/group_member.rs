//! A group member process driven by a test: lines on its stdin, JSON lines on its stdout
//! (`{"assigned": [..]}`, `{"consumed": [[partition, offset, value], ..]}`, `{"committed":
//! {..}}`, `{"closed": true, "problems": [..]}`), as tests/clients/*_member.* speak.

use std::collections::BTreeSet;
use std::process::Stdio;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::common::DEADLINE;

pub struct Member {
    pub name: String,
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    seen: Vec<Value>,
    /// The latest assignment it reported.
    assigned: Option<Vec<i64>>,
}

impl Member {
    pub fn spawn(name: &str, mut command: Command) -> Member {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("member {name} starts: {e}"));
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        Member {
            name: name.to_string(),
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
            seen: Vec::new(),
            assigned: None,
        }
    }

    /// The next line; `None` when its stdout ends.
    async fn next_line(&mut self) -> Option<Value> {
        let line = self.lines.next_line().await.ok()??;
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|_| panic!("{}: not a JSON line: {line}", self.name));
        if let Some(p) = v["assigned"].as_array() {
            let mut p: Vec<i64> = p.iter().filter_map(Value::as_i64).collect();
            p.sort_unstable();
            self.assigned = Some(p);
        }
        self.seen.push(v.clone());
        Some(v)
    }

    /// Fails the test with what the member said and its stderr.
    async fn fail(&mut self, what: &str) -> ! {
        let _ = self.child.start_kill();
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut stderr).await;
        }
        panic!(
            "{} never did: {what}\nits lines: {:?}\nits stderr:\n{stderr}",
            self.name, self.seen
        );
    }

    /// The next line that satisfies `pred`, within the deadline.
    async fn next_until(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let found = tokio::time::timeout(DEADLINE, async {
            while let Some(v) = self.next_line().await {
                if pred(&v) {
                    return Some(v);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(v)) => v,
            _ => self.fail(what).await,
        }
    }

    /// Waits until it reports an assignment that satisfies `pred`; returns it.
    pub async fn assigned(&mut self, what: &str, pred: impl Fn(&[i64]) -> bool) -> Vec<i64> {
        if let Some(p) = self.assigned.clone().filter(|p| pred(p)) {
            return p;
        }
        self.next_until(what, |v| {
            v["assigned"].as_array().is_some_and(|p| {
                let mut p: Vec<i64> = p.iter().filter_map(Value::as_i64).collect();
                p.sort_unstable();
                pred(&p)
            })
        })
        .await;
        self.assigned.clone().expect("an assignment")
    }

    /// Reads both members until their latest assignments split `all` between them, each a
    /// non-empty share; returns (a's, b's).
    pub async fn split(a: &mut Member, b: &mut Member, all: &[i64]) -> (Vec<i64>, Vec<i64>) {
        let settled = |a: &Member, b: &Member| -> Option<(Vec<i64>, Vec<i64>)> {
            let (x, y) = (a.assigned.clone()?, b.assigned.clone()?);
            let mut union: Vec<i64> = x.iter().chain(&y).copied().collect();
            union.sort_unstable();
            (!x.is_empty() && !y.is_empty() && union == all).then_some((x, y))
        };
        let done = tokio::time::timeout(DEADLINE, async {
            loop {
                if let Some(shares) = settled(a, b) {
                    return Some(shares);
                }
                let more = tokio::select! {
                    v = a.next_line() => v.is_some(),
                    v = b.next_line() => v.is_some(),
                };
                if !more {
                    return None;
                }
            }
        })
        .await;
        match done {
            Ok(Some(shares)) => shares,
            _ => {
                let what = format!("split {all:?} with {} ({:?})", b.name, b.seen);
                a.fail(&what).await
            }
        }
    }

    /// What it consumed so far: (partition, offset).
    pub fn consumed(&self) -> BTreeSet<(i64, i64)> {
        self.seen
            .iter()
            .filter_map(|v| v["consumed"].as_array())
            .flatten()
            .map(|r| (r[0].as_i64().unwrap(), r[1].as_i64().unwrap()))
            .collect()
    }

    /// Reads both members until, between them, they consumed (and committed) all of `want`.
    pub async fn consume_between(a: &mut Member, b: &mut Member, want: &BTreeSet<(i64, i64)>) {
        let done = tokio::time::timeout(DEADLINE, async {
            loop {
                let both: BTreeSet<(i64, i64)> =
                    a.consumed().union(&b.consumed()).copied().collect();
                if want.is_subset(&both) {
                    return true;
                }
                let more = tokio::select! {
                    v = a.next_line() => v.is_some(),
                    v = b.next_line() => v.is_some(),
                };
                if !more {
                    return false;
                }
            }
        })
        .await;
        if done != Ok(true) {
            let what = format!("consume {want:?} with {} ({:?})", b.name, b.seen);
            a.fail(&what).await
        }
    }

    /// Asks it to close; returns the committed offsets it read back first. It must close and
    /// exit cleanly, having logged no problem.
    pub async fn close(mut self) -> Value {
        self.stdin.write_all(b"close\n").await.expect("write close");
        let committed = self
            .next_until("read the committed offsets", |v| {
                v.get("committed").is_some()
            })
            .await;
        let closed = self
            .next_until("close", |v| v.get("closed").is_some())
            .await;
        assert_eq!(closed["problems"], json!([]), "{}: {closed}", self.name);
        let status = tokio::time::timeout(DEADLINE, self.child.wait())
            .await
            .expect("exits within the deadline")
            .expect("exit status");
        assert!(status.success(), "{} exited with {status}", self.name);
        committed["committed"].clone()
    }
}

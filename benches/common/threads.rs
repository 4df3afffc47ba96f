//! CPU by thread name, from `/proc/<pid>/task/*/stat`: where a process's CPU goes (tokio
//! workers, librdkafka's `rdk:*` threads, the mock broker, blocking threads), summed over the
//! threads that share a name once digits are dropped (`rdk:broker12` → `rdk:broker`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The tokio worker threads of this process, read right after the runtime was built (before
/// any blocking thread existed): tokio names its blocking threads the same way.
static WORKERS: OnceLock<BTreeSet<String>> = OnceLock::new();

/// Call right after building the runtime: the `tokio-r…` threads now are its workers;
/// later ones are counted as `tokio-blocking`.
pub fn mark_runtime_workers(workers: usize) {
    // Each thread names itself once it runs: wait (at most 1 s) until all of them did.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    loop {
        let tids: BTreeSet<String> = std::fs::read_dir("/proc/self/task")
            .map(|d| {
                d.flatten()
                    .filter(|t| {
                        std::fs::read_to_string(t.path().join("comm"))
                            .is_ok_and(|c| c.starts_with("tokio-r"))
                    })
                    .map(|t| t.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        if tids.len() >= workers || std::time::Instant::now() > deadline {
            let _ = WORKERS.set(tids);
            return;
        }
        std::thread::yield_now();
    }
}

/// Clock ticks per second of `/proc/*/stat` times (Linux: 100).
const TICKS: f64 = 100.0;

/// `(comm, user + system seconds)` of one `stat` file's contents.
fn parse_stat(stat: &str) -> Option<(String, f64)> {
    let (head, rest) = stat.rsplit_once(')')?;
    let comm = head.split_once('(')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After the comm: state is field 3, utime 14, stime 15.
    let t = |i: usize| f.get(i - 3).and_then(|x| x.parse::<f64>().ok());
    Some((comm.to_string(), (t(14)? + t(15)?) / TICKS))
}

fn family(comm: &str) -> String {
    comm.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '#')
        .to_string()
}

/// CPU seconds per thread family of `pid`'s live threads.
pub fn by_family(pid: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        if let Some((comm, secs)) = parse_stat(&stat) {
            let tid = task.file_name().to_string_lossy().into_owned();
            let name = match WORKERS.get() {
                Some(w) if comm.starts_with("tokio-r") && !w.contains(&tid) => {
                    "tokio-blocking".to_string()
                }
                _ => family(&comm),
            };
            *out.entry(name).or_insert(0.0) += secs;
        }
    }
    out
}

/// The families of several processes added together (e.g. every worker process).
pub fn by_family_of(pids: &[String]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for pid in pids {
        for (k, v) in by_family(pid) {
            *out.entry(k).or_insert(0.0) += v;
        }
    }
    out
}

/// `after − before` per family, as % of a core over `secs`, largest first; `top` entries
/// (threads that ended between the two reads are missing from `after` and not counted).
pub fn split(
    before: &BTreeMap<String, f64>,
    after: &BTreeMap<String, f64>,
    secs: f64,
    top: usize,
) -> String {
    let mut rows: Vec<(String, f64)> = after
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                (v - before.get(k).copied().unwrap_or(0.0)) / secs * 100.0,
            )
        })
        .filter(|(_, pct)| *pct >= 0.5)
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    rows.truncate(top);
    rows.iter()
        .map(|(k, pct)| format!("{k} {pct:.0}%"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Established TCP connections whose local port is `port` (e.g. the embedded broker's own
/// listener: every client connection the mock cluster's one thread polls), from
/// `/proc/net/tcp`.
pub fn connections_to(port: u16) -> usize {
    let want = format!(":{port:04X}");
    std::fs::read_to_string("/proc/net/tcp")
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3 && f[1].ends_with(&want) && f[3] == "01"
        })
        .count()
}

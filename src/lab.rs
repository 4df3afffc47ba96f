//! `Lab` definitions: `labs/*.toml` loaded and validated at start (file and field in every error).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::worker::{AssignmentStrategy, CommitMode, ThreadGroups};

/// A lab file that cannot be used; the message names the file and the field.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct LabFileError {
    pub file: PathBuf,
    pub message: String,
}

/// The topic a run creates (its name gets the run id appended, so runs never share data).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicDef {
    pub name: String,
    pub partitions: i32,
}

/// The consumer settings a lab starts with; the trainee may override them per consumer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerDefaults {
    pub group: String,
    #[serde(default = "default_poll_timeout")]
    pub poll_timeout_ms: u64,
    #[serde(default = "default_max_poll_records")]
    pub max_poll_records: u32,
    pub commit_mode: CommitMode,
    #[serde(default = "default_auto_commit_interval")]
    pub auto_commit_interval_ms: u64,
    #[serde(default)]
    pub commit_every_records: Option<u64>,
    #[serde(default)]
    pub processing_delay_ms: u64,
    #[serde(default)]
    pub pause_after_records: Option<u64>,
    #[serde(default = "default_session_timeout")]
    pub session_timeout_ms: u64,
    #[serde(default)]
    pub commit_on_revoke: bool,
    #[serde(default)]
    pub retry_failed_commits: bool,
    #[serde(default = "yes")]
    pub commit_on_shutdown: bool,
    #[serde(default = "one_u32")]
    pub threads: u32,
    #[serde(default)]
    pub thread_groups: ThreadGroups,
    #[serde(default)]
    pub worker_pool: u32,
    #[serde(default)]
    pub assign_partition: Option<i32>,
    #[serde(default = "default_strategy")]
    pub assignment_strategy: AssignmentStrategy,
    #[serde(default = "default_offset_reset")]
    pub auto_offset_reset: String,
}

fn default_poll_timeout() -> u64 {
    1000
}
fn default_max_poll_records() -> u32 {
    500
}
fn default_auto_commit_interval() -> u64 {
    5000
}
fn default_session_timeout() -> u64 {
    10000
}
fn default_strategy() -> AssignmentStrategy {
    AssignmentStrategy::Range
}
fn default_offset_reset() -> String {
    "earliest".into()
}

/// Which controls the lab page shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Controls {
    /// The "type a value, Enter" producer box.
    #[serde(default = "yes")]
    pub producer: bool,
    /// Values of the one-click produce button (e.g. the course's 1–4).
    #[serde(default)]
    pub produce_batch: Vec<String>,
    #[serde(default = "yes")]
    pub start: bool,
    #[serde(default = "yes")]
    pub stop: bool,
    #[serde(default = "yes")]
    pub kill: bool,
    /// Pause / Resume / Step controls.
    #[serde(default)]
    pub steps: bool,
    /// A "Produce N" button producing values 0..N-1 (e.g. the course's 200 records).
    #[serde(default)]
    pub produce_count: Option<u32>,
    /// Let the trainee choose the group's assignment strategy when starting the run.
    #[serde(default)]
    pub strategy: bool,
    /// Thread-strategy controls (threads, groups, worker pool) on "Start consumer".
    #[serde(default)]
    pub threads: bool,
    /// Show two runs side by side (A: kill, B: graceful stop).
    #[serde(default)]
    pub ab: bool,
    /// Broker fault injection (commit errors, slow broker); shown only on the embedded broker.
    #[serde(default)]
    pub faults: bool,
    #[serde(default = "one")]
    pub max_consumers: u32,
}

fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}
fn one_u32() -> u32 {
    1
}

/// One lab, as written in its file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    pub id: String,
    pub title: String,
    /// The course project or page this lab follows (e.g. `simple-kafka-consumer`).
    pub course: String,
    #[serde(default)]
    pub order: u32,
    pub summary: String,
    /// Markdown shown on the lab page.
    pub instructions: String,
    pub topic: TopicDef,
    pub consumer: ConsumerDefaults,
    pub controls: Controls,
    /// What the trainee should see, ticked on the page when reached.
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
}

/// A condition over the run's ledger and events; all given parts must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub id: String,
    /// What the trainee sees next to the tick.
    pub text: String,
    /// Event types that must each have happened (e.g. `["killed"]`).
    #[serde(default)]
    pub after: Vec<String>,
    /// At least this many consumer incarnations started.
    #[serde(default)]
    pub min_consumers: Option<u64>,
    #[serde(default)]
    pub min_processed: Option<u64>,
    #[serde(default)]
    pub min_duplicates: Option<u64>,
    #[serde(default)]
    pub max_duplicates: Option<u64>,
    #[serde(default)]
    pub min_lost: Option<u64>,
    #[serde(default)]
    pub max_lost: Option<u64>,
}

impl Lab {
    fn validate(&self, file_stem: &str) -> Result<(), String> {
        let field = |name: &str, why: &str| Err(format!("field `{name}`: {why}"));
        if self.id != file_stem {
            return field(
                "id",
                &format!("is {:?} but the file is named {file_stem}.toml", self.id),
            );
        }
        if !valid_name(&self.id) {
            return field("id", "use lowercase letters, digits and '-'");
        }
        if self.title.trim().is_empty() {
            return field("title", "must not be empty");
        }
        if !valid_name(&self.topic.name) {
            return field(
                "topic.name",
                "use lowercase letters, digits, '-', '.' or '_'",
            );
        }
        if !(1..=64).contains(&self.topic.partitions) {
            return field("topic.partitions", "must be between 1 and 64");
        }
        if !valid_name(&self.consumer.group) {
            return field(
                "consumer.group",
                "use lowercase letters, digits, '-', '.' or '_'",
            );
        }
        if let Some(p) = self.consumer.assign_partition {
            if p >= self.topic.partitions {
                return field(
                    "consumer.assign_partition",
                    "must be a partition of the topic",
                );
            }
        }
        if let Some(n) = self.controls.produce_count {
            if !(1..=100_000).contains(&n) {
                return field("controls.produce_count", "must be between 1 and 100000");
            }
        }
        check_consumer(&self.consumer)
            .map_err(|(name, why)| format!("field `consumer.{name}`: {why}"))?;
        if !(1..=16).contains(&self.controls.max_consumers) {
            return field("controls.max_consumers", "must be between 1 and 16");
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, c) in self.checkpoints.iter().enumerate() {
            if !valid_name(&c.id) || !ids.insert(c.id.as_str()) {
                return field(
                    &format!("checkpoints[{i}].id"),
                    "must be a unique lowercase name",
                );
            }
            if let Some(unknown) = c
                .after
                .iter()
                .find(|t| !crate::event::LabEvent::KINDS.contains(&t.as_str()))
            {
                return field(
                    &format!("checkpoints[{i}].after"),
                    &format!(
                        "unknown event type {unknown:?} (known: {})",
                        crate::event::LabEvent::KINDS.join(", ")
                    ),
                );
            }
        }
        Ok(())
    }
}

/// Range checks shared by lab files and per-consumer overrides: `(field, why)` on failure.
pub fn check_consumer(c: &ConsumerDefaults) -> Result<(), (&'static str, String)> {
    fn range(name: &'static str, v: u64, lo: u64, hi: u64) -> Result<(), (&'static str, String)> {
        if (lo..=hi).contains(&v) {
            Ok(())
        } else {
            Err((name, format!("{v} is out of range {lo}..={hi}")))
        }
    }
    range("poll_timeout_ms", c.poll_timeout_ms, 10, 60_000)?;
    range("max_poll_records", c.max_poll_records as u64, 1, 100_000)?;
    range(
        "auto_commit_interval_ms",
        c.auto_commit_interval_ms,
        100,
        3_600_000,
    )?;
    if let Some(n) = c.commit_every_records {
        range("commit_every_records", n, 1, 1_000_000)?;
    }
    range("processing_delay_ms", c.processing_delay_ms, 0, 60_000)?;
    if let Some(n) = c.pause_after_records {
        range("pause_after_records", n, 1, 100_000_000)?;
    }
    range("session_timeout_ms", c.session_timeout_ms, 1_000, 300_000)?;
    range("threads", c.threads as u64, 1, 8)?;
    range("worker_pool", c.worker_pool as u64, 0, 16)?;
    if let Some(p) = c.assign_partition {
        range("assign_partition", p.max(-1) as u64, 0, 63)
            .map_err(|_| ("assign_partition", format!("{p} is not a partition number")))?;
    }
    if c.worker_pool > 0 && c.commit_mode != CommitMode::AutoNaive {
        return Err((
            "worker_pool",
            "the worker-pool design hands records to threads and lets auto commit commit what poll returned: use commit_mode \"auto-naive\"".into(),
        ));
    }
    if c.worker_pool > 0 && c.threads > 1 {
        return Err((
            "worker_pool",
            "use either several consumer threads or a worker pool, not both".into(),
        ));
    }
    if c.assign_partition.is_some() && c.threads > 1 {
        return Err((
            "assign_partition",
            "one consumer thread reads an assigned partition".into(),
        ));
    }
    if !["earliest", "latest"].contains(&c.auto_offset_reset.as_str()) {
        return Err((
            "auto_offset_reset",
            "must be \"earliest\" or \"latest\"".into(),
        ));
    }
    Ok(())
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_'))
}

/// All labs, by id, with their instructions rendered to HTML once.
#[derive(Debug, Clone, Default)]
pub struct LabCatalog {
    labs: BTreeMap<String, Arc<LoadedLab>>,
}

#[derive(Debug)]
pub struct LoadedLab {
    pub lab: Lab,
    pub instructions_html: String,
}

impl LabCatalog {
    /// Loads every `*.toml` in `dir`. Any bad file fails the whole load.
    pub fn load_dir(dir: &Path) -> Result<LabCatalog, LabFileError> {
        let entries = std::fs::read_dir(dir).map_err(|e| LabFileError {
            file: dir.to_path_buf(),
            message: format!("cannot read the labs directory: {e}"),
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut catalog = LabCatalog::default();
        for path in paths {
            let lab = Self::load_file(&path)?;
            let html = render_markdown(&lab.instructions);
            catalog.labs.insert(
                lab.id.clone(),
                Arc::new(LoadedLab {
                    lab,
                    instructions_html: html,
                }),
            );
        }
        if catalog.labs.is_empty() {
            return Err(LabFileError {
                file: dir.to_path_buf(),
                message: "no lab files (*.toml) found".into(),
            });
        }
        Ok(catalog)
    }

    pub fn load_file(path: &Path) -> Result<Lab, LabFileError> {
        let err = |message: String| LabFileError {
            file: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let lab: Lab =
            toml::from_str(&text).map_err(|e| err(e.to_string().trim_end().to_string()))?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        lab.validate(stem).map_err(err)?;
        Ok(lab)
    }

    pub fn get(&self, id: &str) -> Option<Arc<LoadedLab>> {
        self.labs.get(id).cloned()
    }

    /// Labs in course order.
    pub fn list(&self) -> Vec<Arc<LoadedLab>> {
        let mut labs: Vec<_> = self.labs.values().cloned().collect();
        labs.sort_by_key(|l| (l.lab.order, l.lab.id.clone()));
        labs
    }
}

fn render_markdown(md: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    const GOOD: &str = r#"
id = "x"
title = "X"
course = "c"
summary = "s"
instructions = "i"
topic = { name = "test", partitions = 3 }
consumer = { group = "g", commit_mode = "auto" }
controls = {}
"#;

    #[test]
    fn shipped_labs_load() {
        let catalog =
            LabCatalog::load_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("labs").as_path())
                .unwrap();
        assert!(catalog.get("simple-consumer").is_some());
    }

    #[test]
    fn errors_name_file_and_field() {
        let dir = std::env::temp_dir().join(format!("labs-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ok = write(&dir, "x.toml", GOOD);
        assert!(LabCatalog::load_file(&ok).is_ok());

        let bad = write(
            &dir,
            "x.toml",
            &GOOD.replace("partitions = 3", "partitions = 0"),
        );
        let e = LabCatalog::load_file(&bad).unwrap_err().to_string();
        assert!(
            e.contains("x.toml") && e.contains("topic.partitions"),
            "{e}"
        );

        let bad = write(&dir, "x.toml", &GOOD.replace("\"auto\"", "\"sometimes\""));
        let e = LabCatalog::load_file(&bad).unwrap_err().to_string();
        assert!(
            e.contains("x.toml") && e.contains("sometimes") && e.contains("commit_mode"),
            "{e}"
        );

        let bad = write(&dir, "x.toml", &GOOD.replace("title = \"X\"\n", ""));
        let e = LabCatalog::load_file(&bad).unwrap_err().to_string();
        assert!(e.contains("title"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

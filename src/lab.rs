//! `Lab` definitions: `labs/*.toml` loaded and validated at start (file and field in every error).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::domain::checkpoint;
pub use crate::domain::checkpoint::Checkpoint;
use crate::domain::settings::{check_consumer, ConsumerSettings};

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
    /// A background producer with a rate (records per second) the trainee sets.
    #[serde(default)]
    pub producer_rate: bool,
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

/// One lab, as written in its file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    pub id: String,
    pub title: String,
    /// The course project or page this lab follows (e.g. `simple-kafka-consumer`).
    pub course: String,
    /// The Java class the lab's code panel shows (the course project's shape, e.g.
    /// `ConsumerWithWakeup`); the page varies it with the consumer's settings.
    pub java_class: String,
    #[serde(default)]
    pub order: u32,
    pub summary: String,
    /// Markdown shown on the lab page.
    pub instructions: String,
    pub topic: TopicDef,
    pub consumer: ConsumerSettings,
    pub controls: Controls,
    /// What the trainee should see, ticked on the page when reached.
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
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
        if !valid_java_class(&self.java_class) {
            return field(
                "java_class",
                "must be a Java class name such as ConsumerWithWakeup",
            );
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
            if let Some(unknown) = c.after.iter().find(|t| !checkpoint::is_known_tag(t)) {
                return field(
                    &format!("checkpoints[{i}].after"),
                    &format!(
                        "unknown event type {unknown:?} (known: {})",
                        checkpoint::known_tags().join(", ")
                    ),
                );
            }
        }
        Ok(())
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_'))
}

fn valid_java_class(s: &str) -> bool {
    s.len() <= 100
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
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
java_class = "SimpleConsumer"
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

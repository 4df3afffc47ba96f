//! Lab checkpoints: conditions over what happened in a run (event kinds, consumers started,
//! ledger counts), ticked on the page the first time they hold.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use strum::VariantNames;

use super::burrow::Status;
use super::event::LabEvent;
use crate::i18n::Text;

/// A condition over the run's ledger and events; all given parts must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub id: String,
    /// What the trainee sees next to the tick, in both languages.
    pub text: Text,
    /// Event types (or derived facts, see [`DerivedFact`]) that must each have happened
    /// (e.g. `["killed"]`).
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

/// Facts a checkpoint may wait for besides event kinds: read off an event's contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum DerivedFact {
    /// A `commit_completed` with an error.
    CommitFailed,
    /// A `lag` event rating the group WARN (Burrow).
    LagWarning,
    /// A `lag` event rating the group ERR (Burrow: a partition STOP, STALL or REWIND).
    LagError,
    /// A `sink_written` that made a second naive row of a record (the double charge).
    SinkDoubleWrite,
    /// A `sink_written` whose idempotent write found the record already stored and skipped it.
    SinkSkipped,
}

impl DerivedFact {
    /// The facts an event shows (a sink write can show two).
    fn of(event: &LabEvent) -> Vec<DerivedFact> {
        match event {
            LabEvent::CommitCompleted { error: Some(_), .. } => vec![DerivedFact::CommitFailed],
            LabEvent::SinkWritten {
                naive_rows,
                idempotent_inserted,
                ..
            } => {
                let mut facts = vec![];
                if *naive_rows > 1 {
                    facts.push(DerivedFact::SinkDoubleWrite);
                }
                if !idempotent_inserted {
                    facts.push(DerivedFact::SinkSkipped);
                }
                facts
            }
            LabEvent::Lag { report } => match report.status {
                Status::Warn => vec![DerivedFact::LagWarning],
                Status::Err => vec![DerivedFact::LagError],
                _ => vec![],
            },
            _ => vec![],
        }
    }
}

/// Whether `tag` names something a checkpoint can wait for.
pub fn is_known_tag(tag: &str) -> bool {
    LabEvent::VARIANTS.contains(&tag) || DerivedFact::VARIANTS.contains(&tag)
}

/// Every tag a checkpoint can wait for, for error messages.
pub fn known_tags() -> Vec<&'static str> {
    LabEvent::VARIANTS
        .iter()
        .chain(DerivedFact::VARIANTS)
        .copied()
        .collect()
}

/// How often each event kind and derived fact happened in a run.
#[derive(Debug, Default, Clone)]
pub struct FactCounts(HashMap<&'static str, u64>);

impl FactCounts {
    pub fn observe(&mut self, event: &LabEvent) {
        *self.0.entry(event.kind()).or_default() += 1;
        // A range is records processed: a checkpoint waiting for `record` holds after one.
        if matches!(event, LabEvent::RecordRange { .. }) {
            let record = LabEvent::Record {
                partition: 0,
                offset: 0,
                key: None,
                value: String::new(),
            };
            *self.0.entry(record.kind()).or_default() += 1;
        }
        for fact in DerivedFact::of(event) {
            *self.0.entry(fact.into()).or_default() += 1;
        }
    }

    pub fn happened(&self, tag: &str) -> bool {
        self.0.get(tag).is_some_and(|&n| n > 0)
    }
}

/// What a checkpoint is judged on.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub facts: &'a FactCounts,
    /// Consumer incarnations started so far.
    pub consumers: u64,
    pub processed: u64,
    pub duplicates: u64,
    pub lost: u64,
}

impl Checkpoint {
    pub fn holds(&self, p: &Progress<'_>) -> bool {
        let at_least = |min: Option<u64>, v: u64| min.is_none_or(|m| v >= m);
        let at_most = |max: Option<u64>, v: u64| max.is_none_or(|m| v <= m);
        self.after.iter().all(|t| p.facts.happened(t))
            && at_least(self.min_consumers, p.consumers)
            && at_least(self.min_processed, p.processed)
            && at_least(self.min_duplicates, p.duplicates)
            && at_most(self.max_duplicates, p.duplicates)
            && at_least(self.min_lost, p.lost)
            && at_most(self.max_lost, p.lost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{CommitKind, CommitReason};

    #[test]
    fn a_checkpoint_holds_when_every_part_holds() {
        let c = Checkpoint {
            id: "dup".into(),
            text: Text::new("killed, then duplicates", "강제 종료 후 중복"),
            after: vec!["killed".into(), "commit_failed".into()],
            min_duplicates: Some(1),
            max_lost: Some(0),
            ..Default::default()
        };
        let mut facts = FactCounts::default();
        let progress = |facts: &FactCounts, duplicates| {
            c.holds(&Progress {
                facts,
                consumers: 2,
                processed: 10,
                duplicates,
                lost: 0,
            })
        };
        facts.observe(&LabEvent::Killed);
        assert!(!progress(&facts, 3), "no failed commit yet");
        facts.observe(&LabEvent::CommitCompleted {
            commit_id: Some(1),
            mode: CommitKind::Async,
            reason: CommitReason::Batch,
            offsets: vec![],
            latency_ms: None,
            error: Some("x".into()),
        });
        assert!(facts.happened("commit_completed"));
        assert!(!progress(&facts, 0), "no duplicates yet");
        assert!(progress(&facts, 3));
    }

    #[test]
    fn tags_are_event_kinds_or_derived_facts() {
        assert!(is_known_tag("killed"));
        assert!(is_known_tag("lag_error"));
        assert!(!is_known_tag("kill"));
        assert!(known_tags().contains(&"commit_failed"));
    }
}

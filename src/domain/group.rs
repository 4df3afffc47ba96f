//! Names of a run's topic and consumer groups, in one place: the server names them, workers
//! join them, the ledger counts duplicates per group, and events carry the group when it is
//! not the run's own.

use super::settings::{ConsumerSettings, ThreadGroups};

/// The run's topic: the lab's topic name with the run id, so runs never see each other's data.
pub fn run_topic(lab_topic: &str, run_id: &str) -> String {
    format!("{lab_topic}-{run_id}")
}

/// The run's own consumer group: the lab's `consumer.group` with the run id.
pub fn run_group(lab_group: &str, run_id: &str) -> String {
    format!("{lab_group}-{run_id}")
}

/// The group the lab page suggests for the trainee's own clients (console consumer, the
/// course's Java projects): never the run's own group, whose members may use another
/// assignment strategy (the embedded broker aborts on a mix) and whose ledger it would upset.
pub fn outside_group(run_group: &str) -> String {
    format!("{run_group}-yours")
}

/// The group a consumer thread joins: the run's group, or with distinct thread groups
/// (`threads > 1`, `thread_groups = "distinct"`) one group per thread, `<group>-t1`, ….
pub fn thread_group(run_group: &str, settings: &ConsumerSettings, thread: &str) -> String {
    if settings.thread_groups == ThreadGroups::Distinct && thread.starts_with('t') {
        format!("{run_group}-{thread}")
    } else {
        run_group.to_string()
    }
}

/// The group whose ledger an event counts in. An `assign()`ed consumer is in no group: its
/// reads never duplicate another consumer's, so it gets a ledger of its own.
pub fn ledger_group(
    run_group: &str,
    settings: Option<&ConsumerSettings>,
    consumer: Option<&str>,
    thread: Option<&str>,
) -> String {
    match (settings, consumer, thread) {
        (Some(s), _, Some(t))
            if s.thread_groups == ThreadGroups::Distinct && t.starts_with('t') =>
        {
            thread_group(run_group, s, t)
        }
        (Some(s), Some(cid), _) if s.assign_partition.is_some() => {
            format!("{run_group} (assign, {cid})")
        }
        _ => run_group.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::CommitMode;

    fn settings(distinct: bool, assign: Option<i32>) -> ConsumerSettings {
        let mut s: ConsumerSettings = toml::from_str(
            r#"group = "g"
               commit_mode = "sync-batch""#,
        )
        .unwrap();
        assert_eq!(s.commit_mode, CommitMode::SyncBatch);
        s.thread_groups = if distinct {
            ThreadGroups::Distinct
        } else {
            ThreadGroups::Same
        };
        s.assign_partition = assign;
        s
    }

    #[test]
    fn groups_per_thread_and_per_assigned_consumer() {
        assert_eq!(run_group("test", "r1"), "test-r1");
        assert_eq!(run_topic("test", "r1"), "test-r1");
        assert_ne!(outside_group("test-r1"), "test-r1");
        let same = settings(false, None);
        let distinct = settings(true, None);
        let assigned = settings(false, Some(0));
        assert_eq!(thread_group("g-r1", &same, "t2"), "g-r1");
        assert_eq!(thread_group("g-r1", &distinct, "t2"), "g-r1-t2");
        assert_eq!(
            ledger_group("g-r1", Some(&distinct), Some("c1"), Some("t2")),
            "g-r1-t2"
        );
        assert_eq!(
            ledger_group("g-r1", Some(&same), Some("c1"), Some("t2")),
            "g-r1"
        );
        assert_eq!(
            ledger_group("g-r1", Some(&assigned), Some("c3"), None),
            "g-r1 (assign, c3)"
        );
        assert_eq!(ledger_group("g-r1", None, None, None), "g-r1");
    }
}

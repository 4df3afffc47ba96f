//! `ConsumerOptions`: the trainee's per-consumer overrides of a lab's consumer defaults.

use serde::Deserialize;

use crate::domain::settings::{
    check_consumer, AssignmentStrategy, CommitMode, ConsumerSettings, OptionError, ThreadGroups,
};

/// The JSON body of `POST /api/runs/{id}/consumers`; every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerOptions {
    pub commit_mode: Option<CommitMode>,
    pub auto_commit_interval_ms: Option<u64>,
    pub commit_every_records: Option<u64>,
    pub processing_delay_ms: Option<u64>,
    pub pause_after_records: Option<u64>,
    pub session_timeout_ms: Option<u64>,
    pub commit_on_revoke: Option<bool>,
    pub retry_failed_commits: Option<bool>,
    pub commit_on_shutdown: Option<bool>,
    pub threads: Option<u32>,
    pub thread_groups: Option<ThreadGroups>,
    pub worker_pool: Option<u32>,
    pub assign_partition: Option<i32>,
    pub poll_timeout_ms: Option<u64>,
    pub max_poll_records: Option<u32>,
    pub assignment_strategy: Option<AssignmentStrategy>,
}

impl ConsumerOptions {
    /// The lab's defaults with these overrides applied and range-checked: `(field, why)`.
    pub fn apply(&self, defaults: &ConsumerSettings) -> Result<ConsumerSettings, OptionError> {
        let mut c = defaults.clone();
        // Each given field replaces the default; `opt:` fields are optional in the settings too.
        macro_rules! overlay {
            ($($field:ident),* ; opt: $($opt:ident),*) => {
                $(if let Some(v) = self.$field { c.$field = v; })*
                $(if let Some(v) = self.$opt { c.$opt = Some(v); })*
            };
        }
        overlay!(
            commit_mode, auto_commit_interval_ms, processing_delay_ms, session_timeout_ms,
            commit_on_revoke, retry_failed_commits, commit_on_shutdown, threads, thread_groups,
            worker_pool, poll_timeout_ms, max_poll_records, assignment_strategy;
            opt: commit_every_records, pause_after_records, assign_partition
        );
        check_consumer(&c)?;
        Ok(c)
    }
}

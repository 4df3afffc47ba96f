//! `ConsumerOptions`: the trainee's per-consumer overrides of a lab's consumer defaults.

use serde::Deserialize;

use crate::worker::{
    check_consumer, AssignmentStrategy, CommitMode, ConsumerSettings, ThreadGroups,
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
    pub fn apply(
        &self,
        defaults: &ConsumerSettings,
    ) -> Result<ConsumerSettings, (&'static str, String)> {
        let mut c = defaults.clone();
        if let Some(v) = self.commit_mode {
            c.commit_mode = v;
        }
        if let Some(v) = self.auto_commit_interval_ms {
            c.auto_commit_interval_ms = v;
        }
        if let Some(v) = self.commit_every_records {
            c.commit_every_records = Some(v);
        }
        if let Some(v) = self.processing_delay_ms {
            c.processing_delay_ms = v;
        }
        if let Some(v) = self.pause_after_records {
            c.pause_after_records = Some(v);
        }
        if let Some(v) = self.session_timeout_ms {
            c.session_timeout_ms = v;
        }
        if let Some(v) = self.commit_on_revoke {
            c.commit_on_revoke = v;
        }
        if let Some(v) = self.retry_failed_commits {
            c.retry_failed_commits = v;
        }
        if let Some(v) = self.commit_on_shutdown {
            c.commit_on_shutdown = v;
        }
        if let Some(v) = self.threads {
            c.threads = v;
        }
        if let Some(v) = self.thread_groups {
            c.thread_groups = v;
        }
        if let Some(v) = self.worker_pool {
            c.worker_pool = v;
        }
        if let Some(v) = self.assign_partition {
            c.assign_partition = Some(v);
        }
        if let Some(v) = self.poll_timeout_ms {
            c.poll_timeout_ms = v;
        }
        if let Some(v) = self.max_poll_records {
            c.max_poll_records = v;
        }
        if let Some(v) = self.assignment_strategy {
            c.assignment_strategy = v;
        }
        check_consumer(&c)?;
        Ok(c)
    }
}

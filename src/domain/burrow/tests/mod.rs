//! Conformance with Burrow's own tests (linkedin/Burrow v1.9.5): `check_rules.rs` is
//! `TestCachingEvaluator_CheckRules` (every rule function on its own, and the status);
//! `groups.rs` the group scenarios with Burrow's storage fixture, min-distance, the classroom
//! case and the JSON names. Timestamps are in ms and `now` in s, as in Burrow's table.

mod check_rules;
mod groups;

use super::*;

/// `(offset, timestamp_ms, lag)`; `None` is Burrow's nil lag.
fn window(commits: &[(i64, i64, Option<u64>)]) -> Vec<ConsumerOffset> {
    commits
        .iter()
        .map(|&(offset, timestamp, lag)| ConsumerOffset {
            offset,
            timestamp,
            observed_at: timestamp,
            lag,
        })
        .collect()
}

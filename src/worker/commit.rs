//! `CommitPolicy`: the one place that decides, per commit mode, when the poll loop commits
//! and how (the course's auto commit, `commitSync()` per batch or per record, `commitAsync()`).
//! Pure decisions; the poll loop carries them out through `LabContext`.

use crate::domain::event::{CommitReason, PartitionOffset};
use crate::domain::settings::{CommitMode, ConsumerSettings};

/// Which offsets a commit covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offsets {
    /// Exactly these (`commitSync(Map{p: offset + 1})`).
    These(Vec<PartitionOffset>),
    /// Everything processed and not yet committed (`commitSync()` / `commitAsync()`).
    Uncommitted,
    /// Everything processed, committed already or not (the shutdown hook's `commitSync()`).
    Processed,
    /// The consumer's positions: what `poll` returned, processed or not (what `close()`
    /// commits with the naive auto-commit offset store).
    Positions,
}

/// What the poll loop must do about offsets now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitAction {
    /// Auto commit: store the processed record's offset; librdkafka's timer commits it.
    Store(PartitionOffset),
    /// `commitSync(..)`: block until the broker answers.
    Sync(Offsets, CommitReason),
    /// `commitAsync(..)`: the answer comes on a later poll.
    Async(Offsets, CommitReason),
}

#[derive(Debug)]
pub struct CommitPolicy {
    mode: CommitMode,
    /// Commit every this many records instead of after each batch.
    every_records: Option<u64>,
    commit_on_shutdown: bool,
    /// Records processed since the last every-N (or per-record) commit.
    since_commit: u64,
    /// The current poll batch has records whose batch commit is still due.
    batch_open: bool,
}

impl CommitPolicy {
    pub fn new(settings: &ConsumerSettings) -> Self {
        CommitPolicy {
            mode: settings.commit_mode,
            every_records: settings.commit_every_records,
            commit_on_shutdown: settings.commit_on_shutdown,
            since_commit: 0,
            batch_open: false,
        }
    }

    /// A poll returned `count` records: a batch whose commit is due once they are processed.
    pub fn batch_polled(&mut self, count: usize) {
        self.batch_open = count > 0;
    }

    /// One record processed: the commit (or offset store) its mode does now, if any.
    pub fn record_processed(&mut self, partition: i32, offset: i64) -> Option<CommitAction> {
        self.since_commit += 1;
        let next = PartitionOffset {
            partition,
            offset: offset + 1,
        };
        match self.mode {
            CommitMode::Auto => Some(CommitAction::Store(next)),
            CommitMode::SyncRecord => {
                self.since_commit = 0;
                Some(CommitAction::Sync(
                    Offsets::These(vec![next]),
                    CommitReason::Record,
                ))
            }
            // `commitSync()` without offsets commits what `poll` returned: the whole batch.
            CommitMode::SyncRecordPoll => {
                self.since_commit = 0;
                Some(CommitAction::Sync(Offsets::Positions, CommitReason::Record))
            }
            CommitMode::SyncBatch | CommitMode::Async => {
                let n = self.every_records?;
                if self.since_commit < n {
                    return None;
                }
                self.since_commit = 0;
                Some(self.commit(Offsets::Uncommitted, CommitReason::EveryN))
            }
            CommitMode::AutoNaive | CommitMode::None => None,
        }
    }

    /// Every record of the poll batch is processed: the loop body's commit, once per batch.
    pub fn batch_finished(&mut self) -> Option<CommitAction> {
        if !std::mem::take(&mut self.batch_open) || self.every_records.is_some() {
            return None;
        }
        match self.mode {
            CommitMode::SyncBatch | CommitMode::Async => {
                Some(self.commit(Offsets::Uncommitted, CommitReason::Batch))
            }
            _ => None,
        }
    }

    /// The shutdown hook's commit after `wakeup()`, before `close()`.
    pub fn shutdown(&self) -> Option<CommitAction> {
        match self.mode {
            CommitMode::None => None,
            _ if !self.commit_on_shutdown => None,
            CommitMode::AutoNaive => {
                Some(CommitAction::Sync(Offsets::Positions, CommitReason::Close))
            }
            // Like the course's `finally { consumer.commitSync(); }`: commit everything
            // processed, even if an earlier commit already covered it.
            _ => Some(CommitAction::Sync(
                Offsets::Processed,
                CommitReason::Shutdown,
            )),
        }
    }

    fn commit(&self, offsets: Offsets, reason: CommitReason) -> CommitAction {
        if self.mode == CommitMode::Async {
            CommitAction::Async(offsets, reason)
        } else {
            CommitAction::Sync(offsets, reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(mode: &str, every: Option<u64>) -> CommitPolicy {
        let mut s: ConsumerSettings =
            toml::from_str(&format!("group = \"g\"\ncommit_mode = \"{mode}\"")).unwrap();
        s.commit_every_records = every;
        CommitPolicy::new(&s)
    }

    const BATCH_SYNC: CommitAction = CommitAction::Sync(Offsets::Uncommitted, CommitReason::Batch);

    #[test]
    fn sync_batch_commits_once_after_the_batch() {
        let mut p = policy("sync-batch", None);
        p.batch_polled(2);
        assert_eq!(p.record_processed(0, 0), None);
        assert_eq!(p.record_processed(0, 1), None);
        assert_eq!(p.batch_finished(), Some(BATCH_SYNC));
        assert_eq!(p.batch_finished(), None, "once per batch");
        p.batch_polled(0);
        assert_eq!(p.batch_finished(), None, "an empty poll commits nothing");
    }

    #[test]
    fn sync_record_commits_offset_plus_one() {
        let mut p = policy("sync-record", None);
        assert_eq!(
            p.record_processed(3, 41),
            Some(CommitAction::Sync(
                Offsets::These(vec![PartitionOffset {
                    partition: 3,
                    offset: 42
                }]),
                CommitReason::Record
            ))
        );
    }

    #[test]
    fn the_course_projects_commit_sync_per_record_commits_the_poll() {
        let mut p = policy("sync-record-poll", None);
        p.batch_polled(3);
        for offset in 0..3 {
            assert_eq!(
                p.record_processed(0, offset),
                Some(CommitAction::Sync(Offsets::Positions, CommitReason::Record))
            );
        }
        assert_eq!(p.batch_finished(), None);
    }

    #[test]
    fn every_n_replaces_the_batch_commit() {
        let mut p = policy("async", Some(2));
        p.batch_polled(3);
        assert_eq!(p.record_processed(0, 0), None);
        assert_eq!(
            p.record_processed(0, 1),
            Some(CommitAction::Async(
                Offsets::Uncommitted,
                CommitReason::EveryN
            ))
        );
        assert_eq!(p.record_processed(0, 2), None);
        assert_eq!(p.batch_finished(), None);
    }

    #[test]
    fn auto_stores_and_the_shutdown_hook_commits_per_mode() {
        let mut p = policy("auto", None);
        assert!(matches!(
            p.record_processed(0, 5),
            Some(CommitAction::Store(PartitionOffset { offset: 6, .. }))
        ));
        assert_eq!(
            p.shutdown(),
            Some(CommitAction::Sync(
                Offsets::Processed,
                CommitReason::Shutdown
            ))
        );
        assert_eq!(
            policy("auto-naive", None).shutdown(),
            Some(CommitAction::Sync(Offsets::Positions, CommitReason::Close))
        );
        assert_eq!(policy("none", None).shutdown(), None);
        let mut no_hook: ConsumerSettings =
            toml::from_str("group = \"g\"\ncommit_mode = \"sync-batch\"").unwrap();
        no_hook.commit_on_shutdown = false;
        assert_eq!(CommitPolicy::new(&no_hook).shutdown(), None);
    }
}

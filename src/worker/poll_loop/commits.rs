//! Carrying out the commit mode's decisions ([`CommitAction`]) against librdkafka.

use rdkafka::consumer::Consumer;

use super::PollLoop;
use crate::domain::event::{LabEvent, PartitionOffset};
use crate::worker::commit::{CommitAction, Offsets};
use crate::worker::context::offsets_of;

impl PollLoop {
    /// Carries out a commit decision of the commit mode.
    pub(super) fn commit(&mut self, action: CommitAction) {
        // Offsets stored later than they were decided go first: the order stays true.
        self.store_pending();
        match action {
            CommitAction::Store(next) => self.store(&[next]),
            CommitAction::Sync(which, reason) => {
                let offsets = self.offsets(which);
                self.ctx().commit_sync(&self.consumer, offsets, reason);
            }
            CommitAction::Async(which, reason) => {
                let offsets = self.offsets(which);
                self.ctx().commit_async(&self.consumer, offsets, reason);
            }
        }
    }

    /// Auto commit's store of a record that was reported coalesced: kept (the latest per
    /// partition) and stored with the rest of its batch in one call, before the next poll,
    /// pause, commit or shutdown. The auto-commit timer can see it at most one coalesced batch
    /// later (under a millisecond); at the course's pace every record is stored at once.
    pub(super) fn defer_store(&mut self, next: PartitionOffset) {
        match self
            .pending_stores
            .iter_mut()
            .find(|p| p.partition == next.partition)
        {
            Some(pending) => pending.offset = next.offset,
            None => self.pending_stores.push(next),
        }
    }

    /// Stores the deferred offsets, one call for all of them.
    pub(super) fn store_pending(&mut self) {
        if !self.pending_stores.is_empty() {
            let pending = std::mem::take(&mut self.pending_stores);
            self.store(&pending);
        }
    }

    /// Store only what was processed; the auto-commit timer commits stored offsets.
    fn store(&self, next: &[PartitionOffset]) {
        if let Err(e) = self.consumer.store_offsets(&self.ctx().tpl(next)) {
            let offsets: Vec<String> = next
                .iter()
                .map(|n| format!("{}@{}", n.partition, n.offset - 1))
                .collect();
            self.sink.emit(LabEvent::Error {
                message: format!("store offset {}: {e}", offsets.join(", ")),
            });
        }
    }

    fn offsets(&self, which: Offsets) -> Vec<PartitionOffset> {
        match which {
            Offsets::These(offsets) => offsets,
            Offsets::Uncommitted => self.ctx().progress().uncommitted(None),
            Offsets::Processed => self.ctx().progress().processed(),
            Offsets::Positions => self.positions(),
        }
    }

    /// The consumer's positions: the next offset `poll` would return, per partition.
    fn positions(&self) -> Vec<PartitionOffset> {
        self.consumer
            .position()
            .map(|tpl| offsets_of(&tpl))
            .unwrap_or_default()
    }
}

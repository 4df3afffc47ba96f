//! Carrying out the commit mode's decisions ([`CommitAction`]) against librdkafka.

use rdkafka::consumer::Consumer;

use super::PollLoop;
use crate::domain::event::{LabEvent, PartitionOffset};
use crate::worker::commit::{CommitAction, Offsets};
use crate::worker::context::offsets_of;

impl PollLoop {
    /// Carries out a commit decision of the commit mode.
    pub(super) fn commit(&mut self, action: CommitAction) {
        match action {
            CommitAction::Store(next) => {
                // Store only what was processed; the auto-commit timer commits stored offsets.
                if let Err(e) = self.consumer.store_offsets(&self.ctx().tpl(&[next])) {
                    self.sink.emit(LabEvent::Error {
                        message: format!(
                            "store offset {}@{}: {e}",
                            next.partition,
                            next.offset - 1
                        ),
                    });
                }
            }
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

//! Carrying out the commit mode's decisions ([`CommitAction`]) against librdkafka.

use rdkafka::consumer::Consumer;

use super::PollLoop;
use crate::domain::event::{LabEvent, PartitionOffset};
use crate::worker::commit::{CommitAction, Offsets};
use crate::worker::context::offsets_of;

/// What coalesced records changed, kept (the latest offset per partition) instead of handed on
/// record by record: the next offsets processed, for the progress that commits and rebalance
/// callbacks read, and auto commit's offset stores. Settled in one go before anything that
/// reads them: the next poll (where callbacks run), a pause, a commit, shutdown. The auto-commit
/// timer sees a store at most one coalesced batch later (under a millisecond); at the course's
/// pace nothing is coalesced, so every record is stored and counted at once.
#[derive(Default)]
pub(super) struct Deferred {
    processed: Vec<PartitionOffset>,
    stores: Vec<PartitionOffset>,
}

impl Deferred {
    fn is_empty(&self) -> bool {
        self.processed.is_empty() && self.stores.is_empty()
    }

    pub(super) fn processed(&mut self, next: PartitionOffset) {
        Self::keep(&mut self.processed, next);
    }

    pub(super) fn store(&mut self, next: PartitionOffset) {
        Self::keep(&mut self.stores, next);
    }

    fn keep(list: &mut Vec<PartitionOffset>, next: PartitionOffset) {
        match list.iter_mut().find(|p| p.partition == next.partition) {
            Some(kept) => kept.offset = next.offset,
            None => list.push(next),
        }
    }
}

impl PollLoop {
    /// Carries out a commit decision of the commit mode.
    pub(super) fn commit(&mut self, action: CommitAction) {
        // Offsets stored later than they were decided go first: the order stays true.
        self.settle_deferred();
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

    /// Hands on what coalesced records changed (see [`Deferred`]): their processed offsets to
    /// the progress, then auto commit's stores to librdkafka in one call.
    pub(super) fn settle_deferred(&mut self) {
        if self.deferred.is_empty() {
            return;
        }
        let Deferred { processed, stores } = std::mem::take(&mut self.deferred);
        if !processed.is_empty() {
            let mut progress = self.ctx().progress();
            for p in processed {
                progress.processed_next.insert(p.partition, p.offset);
            }
        }
        if !stores.is_empty() {
            self.store(&stores);
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

#[cfg(test)]
mod tests {
    use super::Deferred;
    use crate::domain::event::PartitionOffset;

    fn po(partition: i32, offset: i64) -> PartitionOffset {
        PartitionOffset { partition, offset }
    }

    #[test]
    fn deferred_keeps_the_latest_offset_of_each_partition_in_first_seen_order() {
        let mut d = Deferred::default();
        assert!(d.is_empty());
        for (p, o) in [(1, 5), (0, 3), (1, 6), (1, 7), (0, 4)] {
            d.processed(po(p, o));
        }
        d.store(po(2, 9));
        assert!(!d.is_empty());
        assert_eq!(d.processed, vec![po(1, 7), po(0, 4)]);
        assert_eq!(d.stores, vec![po(2, 9)]);
    }
}

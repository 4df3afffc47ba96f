//! `OffsetLedger`: what was really processed (per offset, by which consumer incarnation) and
//! what was committed, per partition. Duplicates and losses are counted from it, never from
//! a formula.

use std::collections::BTreeMap;

use serde::Serialize;

/// Processing history of one partition.
/// Offsets from here on are not tracked: a partition's counts take 2 bytes an offset, and an
/// absurd offset in a worker's line (`i64::MAX`) must not make the server allocate without
/// bound. A lab topic gets nowhere near it (2.3 hours of the background producer at its
/// highest rate).
pub const MAX_TRACKED_OFFSET: i64 = 1 << 22;

#[derive(Debug, Default, Clone)]
struct PartitionLedger {
    /// How many times each offset was processed (index = offset).
    counts: Vec<u16>,
    /// Processing events in this partition.
    processed: u64,
    /// Runs of consecutive offsets processed by one incarnation: (consumer, first, last).
    runs: Vec<(String, i64, i64)>,
    /// The group's committed offset (the last successful commit's value).
    committed: Option<i64>,
    /// Offsets processed more than once, kept up to date as records arrive.
    duplicates: u64,
    /// Offsets below `committed` that were never processed, kept up to date as records and
    /// commits arrive (so the totals never need a scan of every offset).
    lost: u64,
}

impl PartitionLedger {
    /// Where the committed offset ends, within the tracked offsets (as the report counts it).
    fn committed_end(&self) -> i64 {
        self.committed.unwrap_or(0).clamp(0, MAX_TRACKED_OFFSET)
    }

    /// Offsets in `from..to` never processed: those past the last processed offset are
    /// counted, not visited.
    fn unprocessed(&self, from: i64, to: i64) -> u64 {
        let len = self.counts.len() as i64;
        let seen_end = to.min(len);
        let inside = if from < seen_end {
            self.counts[from as usize..seen_end as usize]
                .iter()
                .filter(|&&c| c == 0)
                .count() as u64
        } else {
            0
        };
        inside + (to - from.max(len)).max(0) as u64
    }
}

/// The ledger's totals over all partitions: what views, checkpoints and the class table need,
/// without the per-offset lists of [`LedgerReport`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LedgerTotals {
    pub processed: u64,
    pub duplicates: u64,
    pub lost: u64,
}

/// The ledger's view of one partition, as served by `GET /api/runs/{id}/ledger`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PartitionReport {
    /// The consumer group (a run has one, unless threads use distinct groups).
    pub group: String,
    pub partition: i32,
    pub processed: u64,
    pub committed: Option<i64>,
    /// Offsets processed more than once.
    pub duplicate_offsets: Vec<i64>,
    /// Offsets below the committed offset that no incarnation processed.
    pub lost_offsets: Vec<i64>,
    /// Which consumer processed which offsets, in order.
    pub runs: Vec<ProcessedRun>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProcessedRun {
    pub consumer: String,
    pub first: i64,
    pub last: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LedgerReport {
    /// Offsets processed more than once, over all partitions.
    pub duplicates: u64,
    /// Offsets committed past without being processed, over all partitions.
    pub lost: u64,
    pub partitions: Vec<PartitionReport>,
}

/// Duplicates only count within a group: two groups reading the same record is the point
/// of having two groups.
#[derive(Debug, Default, Clone)]
pub struct OffsetLedger {
    partitions: BTreeMap<(String, i32), PartitionLedger>,
}

impl OffsetLedger {
    pub fn with_partitions(group: &str, n: i32) -> Self {
        OffsetLedger {
            partitions: (0..n)
                .map(|p| ((group.to_string(), p), PartitionLedger::default()))
                .collect(),
        }
    }

    /// `consumer` (in `group`) processed `offset` of `partition`.
    pub fn processed(&mut self, group: &str, consumer: &str, partition: i32, offset: i64) {
        if !(0..MAX_TRACKED_OFFSET).contains(&offset) {
            return;
        }
        let p = self
            .partitions
            .entry((group.to_string(), partition))
            .or_default();
        let i = offset as usize;
        if p.counts.len() <= i {
            p.counts.resize(i + 1, 0);
        }
        let before = p.counts[i];
        p.counts[i] = before.saturating_add(1);
        p.processed += 1;
        if before == 1 {
            p.duplicates += 1;
        }
        if before == 0 && offset < p.committed_end() {
            p.lost -= 1;
        }
        match p.runs.last_mut() {
            Some((c, _, last)) if c == consumer && *last + 1 == offset => *last = offset,
            _ => p.runs.push((consumer.to_string(), offset, offset)),
        }
    }

    /// A commit of `offset` (the next offset to read) succeeded for `partition` of `group`.
    pub fn committed(&mut self, group: &str, partition: i32, offset: i64) {
        let p = self
            .partitions
            .entry((group.to_string(), partition))
            .or_default();
        let old_end = p.committed_end();
        let new_end = offset.clamp(0, MAX_TRACKED_OFFSET);
        if new_end > old_end {
            p.lost += p.unprocessed(old_end, new_end);
        } else {
            p.lost -= p.unprocessed(new_end, old_end);
        }
        p.committed = Some(offset);
    }

    /// Processed, duplicate and lost offsets over all partitions, in time proportional to the
    /// number of partitions (the report lists every offset; this only counts).
    pub fn totals(&self) -> LedgerTotals {
        self.partitions
            .values()
            .fold(LedgerTotals::default(), |t, p| LedgerTotals {
                processed: t.processed + p.processed,
                duplicates: t.duplicates + p.duplicates,
                lost: t.lost + p.lost,
            })
    }

    pub fn report(&self) -> LedgerReport {
        let mut duplicates = 0;
        let mut lost = 0;
        let partitions = self
            .partitions
            .iter()
            .map(|((group, partition), p)| {
                let duplicate_offsets: Vec<i64> = p
                    .counts
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 1)
                    .map(|(o, _)| o as i64)
                    .collect();
                let committed_end = p.committed.unwrap_or(0).clamp(0, MAX_TRACKED_OFFSET);
                let lost_offsets: Vec<i64> = (0..committed_end)
                    .filter(|&o| p.counts.get(o as usize).copied().unwrap_or(0) == 0)
                    .collect();
                duplicates += duplicate_offsets.len() as u64;
                lost += lost_offsets.len() as u64;
                PartitionReport {
                    group: group.clone(),
                    partition: *partition,
                    processed: p.processed,
                    committed: p.committed,
                    duplicate_offsets,
                    lost_offsets,
                    runs: p
                        .runs
                        .iter()
                        .map(|(consumer, first, last)| ProcessedRun {
                            consumer: consumer.clone(),
                            first: *first,
                            last: *last,
                        })
                        .collect(),
                }
            })
            .collect();
        LedgerReport {
            duplicates,
            lost,
            partitions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing worker lines: a record at offset `i64::MAX` made the server try to
    /// allocate exabytes (abort), and a commit there made the report loop for ever.
    #[test]
    fn absurd_offsets_are_not_tracked() {
        let mut l = OffsetLedger::with_partitions("g", 1);
        l.processed("g", "c1", 0, i64::MAX);
        l.processed("g", "c1", 0, MAX_TRACKED_OFFSET);
        l.processed("g", "c1", 0, 0);
        l.committed("g", 0, i64::MAX);
        let report = l.report();
        assert_eq!(report.partitions[0].processed, 1);
        assert_eq!(report.lost, MAX_TRACKED_OFFSET as u64 - 1);
        // The totals kept as it goes agree, and a commit back and forth stays bounded.
        assert_eq!(l.totals().lost, report.lost);
        l.committed("g", 0, 1);
        l.committed("g", 0, i64::MAX);
        assert_eq!(l.totals().lost, l.report().lost);
    }

    #[test]
    fn counts_duplicates_and_losses() {
        let mut l = OffsetLedger::with_partitions("g", 1);
        for o in 0..150 {
            l.processed("g", "c1", 0, o);
        }
        l.committed("g", 0, 100);
        for o in 100..200 {
            l.processed("g", "c2", 0, o);
        }
        // Another group reading the same records adds no duplicates.
        for o in 0..10 {
            l.processed("other", "c3", 0, o);
        }
        let r = l.report();
        assert_eq!(r.duplicates, 50);
        assert_eq!(
            r.partitions[0].duplicate_offsets,
            (100..150).collect::<Vec<_>>()
        );
        assert_eq!(r.lost, 0);
        assert_eq!(r.partitions[0].runs.len(), 2);
        assert_eq!(r.partitions.len(), 2);

        let mut l = OffsetLedger::with_partitions("g", 1);
        for o in 0..5 {
            l.processed("g", "c1", 0, o);
        }
        l.committed("g", 0, 9);
        let r = l.report();
        assert_eq!(r.partitions[0].lost_offsets, vec![5, 6, 7, 8]);
        assert_eq!(r.lost, 4);
    }

    /// What `totals` keeps as it goes equals what `report` counts from every offset.
    fn totals_of(r: &LedgerReport) -> LedgerTotals {
        LedgerTotals {
            processed: r.partitions.iter().map(|p| p.processed).sum(),
            duplicates: r.duplicates,
            lost: r.lost,
        }
    }

    proptest::proptest! {
        #[test]
        fn totals_match_the_report(
            ops in proptest::collection::vec((proptest::bool::ANY, 0i32..2, -1i64..40), 0..200)
        ) {
            let mut l = OffsetLedger::with_partitions("g", 2);
            for (commit, partition, offset) in ops {
                if commit {
                    l.committed("g", partition, offset);
                } else {
                    l.processed("g", "c1", partition, offset);
                }
                proptest::prop_assert_eq!(l.totals(), totals_of(&l.report()));
            }
        }
    }
}

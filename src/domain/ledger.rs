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
        self.processed_range(group, consumer, partition, offset, offset);
    }

    /// `consumer` (in `group`) processed each offset of `partition` from `first` to `last`
    /// inclusive, once (a `record_range`): counted offset by offset, as that many `record`s
    /// would be. Offsets outside the tracked ones are left out, as single records are.
    pub fn processed_range(
        &mut self,
        group: &str,
        consumer: &str,
        partition: i32,
        first: i64,
        last: i64,
    ) {
        let first = first.max(0);
        let last = last.min(MAX_TRACKED_OFFSET - 1);
        if first > last {
            return;
        }
        let p = self
            .partitions
            .entry((group.to_string(), partition))
            .or_default();
        let committed_end = p.committed_end();
        // Offsets processed before: each is looked at (a second time is a duplicate).
        let seen_end = (last + 1).min(p.counts.len() as i64);
        if first < seen_end {
            let seen = &mut p.counts[first as usize..seen_end as usize];
            for (offset, count) in (first..).zip(seen) {
                let before = *count;
                *count = before.saturating_add(1);
                if before == 1 {
                    p.duplicates += 1;
                }
                if before == 0 && offset < committed_end {
                    p.lost -= 1;
                }
            }
        }
        // Offsets past every one processed so far: processed once now, no longer lost.
        let fresh = first.max(seen_end);
        if fresh <= last {
            p.counts.resize(fresh as usize, 0);
            p.counts.resize(last as usize + 1, 1);
            p.lost -= (committed_end.min(last + 1) - fresh).max(0) as u64;
        }
        p.processed += (last - first + 1) as u64;
        match p.runs.last_mut() {
            Some((c, _, run_last)) if c == consumer && *run_last + 1 == first => *run_last = last,
            _ => p.runs.push((consumer.to_string(), first, last)),
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

    /// A consumer processes a poll batch as one range, is killed before any commit covers
    /// it; the next one reads from the committed offset: every offset of the range it read
    /// again is a duplicate, and a commit past what neither processed is a loss.
    #[test]
    fn ranges_count_duplicates_and_losses_across_a_crash() {
        let mut l = OffsetLedger::with_partitions("g", 2);
        l.processed_range("g", "c1", 0, 0, 499);
        l.committed("g", 0, 200);
        l.processed_range("g", "c1", 0, 500, 699);
        // c1 is killed; c2 starts at the committed 200 and goes on past it.
        l.processed_range("g", "c2", 0, 200, 799);
        let r = l.report();
        assert_eq!(r.duplicates, 500, "200..700 processed twice");
        assert_eq!(
            r.partitions[0].duplicate_offsets,
            (200..700).collect::<Vec<_>>()
        );
        assert_eq!(r.partitions[0].processed, 500 + 200 + 600);
        assert_eq!(
            r.partitions[0].runs,
            vec![
                ProcessedRun {
                    consumer: "c1".into(),
                    first: 0,
                    last: 699
                },
                ProcessedRun {
                    consumer: "c2".into(),
                    first: 200,
                    last: 799
                },
            ]
        );
        // A commit on the other partition past a range that stopped short loses the rest.
        l.processed_range("g", "c2", 1, 0, 9);
        l.committed("g", 1, 15);
        assert_eq!(
            l.report().partitions[1].lost_offsets,
            vec![10, 11, 12, 13, 14]
        );
        assert_eq!(l.totals(), totals_of(&l.report()));
        // Reading the lost offsets later finds them.
        l.processed_range("g", "c3", 1, 10, 14);
        assert_eq!(l.totals().lost, 0);
    }

    #[test]
    fn empty_and_absurd_ranges_count_only_tracked_offsets() {
        let mut l = OffsetLedger::with_partitions("g", 1);
        l.processed_range("g", "c1", 0, 5, 4);
        assert_eq!(l.totals(), LedgerTotals::default());
        l.processed_range("g", "c1", 0, -3, 2);
        l.processed_range("g", "c1", 0, MAX_TRACKED_OFFSET - 2, i64::MAX);
        let r = l.report();
        assert_eq!(r.partitions[0].processed, 3 + 2);
        assert_eq!(l.totals(), totals_of(&r));
    }

    proptest::proptest! {
        /// A range counts as the records it stands for, one `processed` each, in every total,
        /// list and run of the report.
        #[test]
        fn a_range_is_its_records(
            ops in proptest::collection::vec(
                (0u8..3, 0i32..2, 0i64..40, 0i64..12, 0u8..2),
                0..60,
            )
        ) {
            let mut ranged = OffsetLedger::with_partitions("g", 2);
            let mut single = OffsetLedger::with_partitions("g", 2);
            for (op, partition, first, len, who) in ops {
                let consumer = if who == 0 { "c1" } else { "c2" };
                if op == 0 {
                    ranged.committed("g", partition, first);
                    single.committed("g", partition, first);
                } else {
                    ranged.processed_range("g", consumer, partition, first, first + len);
                    for offset in first..=first + len {
                        single.processed("g", consumer, partition, offset);
                    }
                }
            }
            proptest::prop_assert_eq!(ranged.report(), single.report());
            proptest::prop_assert_eq!(ranged.totals(), single.totals());
        }

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

//! The course's concepts as plain data and pure functions: no I/O, no tokio, no librdkafka.
//! Everything else (workers, runs, web) builds on these.

/// Burrow's lag evaluator ported rule for rule: commit windows, statuses and the rule that fired.
pub mod burrow;
/// Lab checkpoints: conditions over events and ledger counts.
pub mod checkpoint;
/// The consumer's own metrics (Java's `records-lag-max`, …) from librdkafka's statistics.
pub mod client_metrics;
/// `LabEvent`, the one contract between workers, server and pages.
pub mod event;
/// Names of a run's topic and consumer groups.
pub mod group;
/// Consumer lag from broker-side samples: log-end minus committed.
pub mod lag;
/// `OffsetLedger`: what was processed and committed → duplicates and losses.
pub mod ledger;
/// What the server tells a worker process: its spec and control lines.
pub mod protocol;
/// `ConsumerSettings`: commit mode, timings, threads, and their allowed ranges.
pub mod settings;
/// The sinks lab: payments, stored rows, duplicates among them.
pub mod sink;

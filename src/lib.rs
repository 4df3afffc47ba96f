//! Kafka Consumer Labs: the Kafka consumer course, hands-on in a browser, against a real broker.

/// The Kafka cluster: embedded mock cluster behind a fixed address, or an external one.
pub mod broker;
/// The classroom: trainees' sessions, the instructor, the demo run, progress kept in SQLite.
pub mod classroom;
/// Command line and environment settings.
pub mod config;
/// The course's concepts without I/O: events, ledger, lag, checkpoints, settings, names.
pub mod domain;
/// File descriptors: the soft limit raised at start, and a budget checked before each worker.
pub mod fd_budget;
/// Korean and English: page language negotiation, the UI text catalogs, error codes.
pub mod i18n;
/// Lab definitions (`labs/*.toml`), loaded and validated.
pub mod lab;
/// Lab runs: worker processes, event log, offset ledger, and the registry of runs.
pub mod run;
/// Starting and stopping the whole server.
pub mod server;
/// The sinks lab's files: a CSV file and a SQLite database per run, written and read back.
pub mod sinks;
/// Watched groups: a group the app did not start, sampled from outside and rated by Burrow's rules.
pub mod watch;
/// The web app: pages, JSON API, SSE.
pub mod web;
/// The consumer process: poll loop, commit modes, step controls, shutdown hook.
pub mod worker;

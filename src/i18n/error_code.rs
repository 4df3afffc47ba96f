//! Error codes: every error the page can show has one; the page shows the catalog's
//! `err.<code>` with the error's `params`, and the API's `error` stays English for curl users.

use serde_json::{Map, Value};

/// The code of an error the API answers (`"code"` in the JSON); `err.<code>` in the catalogs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantNames, strum::EnumIter,
)]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    // Requests axum itself cannot read (a path segment, a query).
    BadRequest,
    // Request bodies.
    BodyUnreadable,
    BodyTooLarge,
    BodyTimeout,
    InvalidJson,
    InvalidField,
    FieldRequired,
    // Lookups.
    NoLab,
    NoRun,
    NoConsumer,
    NoAction,
    NoEndpoint,
    MethodNotAllowed,
    DuplicateParam,
    // The web surface's guards.
    HostNotAllowed,
    CrossOrigin,
    NoTopic,
    NoWatch,
    NoSink,
    NoSinkFile,
    // Consumer options (`check_consumer` and per-run rules).
    OptionRange,
    NotAPartition,
    PoolNeedsAutoNaive,
    PoolOrThreads,
    AssignOneThread,
    SinkOneThread,
    OffsetReset,
    StrategyPerRun,
    PartitionRange,
    // Other request fields.
    Range,
    ValuesCount,
    ValueTooLong,
    KeyTooLong,
    KeysCount,
    StepBoth,
    BadName,
    RateMax,
    FaultRequired,
    // Run state and limits.
    NotRunning,
    GroupActive,
    RunEnding,
    FdBudget,
    MaxConsumers,
    MaxRuns,
    MaxRunsPerSession,
    MaxRunsPerAddress,
    ShuttingDown,
    MaxStreams,
    // The classroom.
    ReadOnly,
    InstructorOnly,
    BadToken,
    NoInstructor,
    NoTrainee,
    DisplayName,
    FaultsNeedEmbedded,
    FaultsInstructorOnly,
    MaxWatches,
    // Event stream.
    BadEventId,
    EventIdAhead,
    // The server's side.
    Broker,
    Spawn,
    Sink,
    Classroom,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The catalog key of the message: `err.<code>`.
    pub fn key(self) -> String {
        format!("err.{}", self.as_str())
    }
}

/// An error message with its code and the values its catalog text needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Coded {
    pub code: ErrorCode,
    pub params: Map<String, Value>,
    /// English, as the API's `error` says it.
    pub message: String,
}

impl Coded {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Coded {
        Coded {
            code,
            params: Map::new(),
            message: message.into(),
        }
    }

    /// Adds a placeholder value (numbers stay numbers, so the page can format them).
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Coded {
        self.params.insert(name.to_string(), value.into());
        self
    }
}

impl std::fmt::Display for Coded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::super::{placeholders, Catalog, Lang};
    use super::*;

    #[test]
    fn every_code_has_a_text_and_every_text_a_code() {
        let catalog = Catalog::builtin().unwrap();
        let texts = catalog.texts(Lang::En);
        let keys: Vec<String> = ErrorCode::iter().map(ErrorCode::key).collect();
        for key in &keys {
            assert_ne!(texts.get(key), key.as_str(), "{key} is not in the catalogs");
        }
        for key in catalog.keys().filter(|k| k.starts_with("err.")) {
            assert!(keys.iter().any(|k| k == key), "{key} has no ErrorCode");
        }
    }

    #[test]
    fn codes_are_snake_case() {
        assert_eq!(ErrorCode::OptionRange.as_str(), "option_range");
        assert_eq!(ErrorCode::NotAPartition.as_str(), "not_a_partition");
        assert_eq!(ErrorCode::NoRun.key(), "err.no_run");
        let c = Coded::new(ErrorCode::NoRun, "no run").with("run", "r1");
        assert_eq!(c.params["run"], "r1");
        assert!(placeholders("{run}").contains("run"));
    }
}

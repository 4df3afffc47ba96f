//! `RunNotice`: what a run tells the classroom (`crate::classroom`) about itself — started,
//! a checkpoint reached, ended with its ledger's last numbers. Sent on an unbounded channel:
//! a run never waits for the classroom's database.

use tokio::sync::mpsc::UnboundedSender;

use crate::classroom::SessionId;

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, serde::Serialize)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Deleted by its trainee.
    Stopped,
    /// Nobody used it for the idle timeout.
    Idle,
    /// The server stopped (or restarted) while it ran.
    ServerRestart,
    /// The instructor stopped it.
    Instructor,
}

/// A run's ledger numbers at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunSummary {
    /// Records processed (by every consumer, repeats included).
    pub processed: u64,
    pub duplicates: u64,
    pub lost: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunNotice {
    Started {
        run: String,
        owner: SessionId,
        lab: String,
        ts: i64,
    },
    Checkpoint {
        run: String,
        owner: SessionId,
        lab: String,
        checkpoint: String,
        ts: i64,
    },
    Ended {
        run: String,
        owner: SessionId,
        lab: String,
        reason: EndReason,
        summary: RunSummary,
        ts: i64,
    },
}

/// Where a run's notices go (nowhere when the classroom is gone).
#[derive(Debug, Clone)]
pub struct NoticeSender(pub Option<UnboundedSender<RunNotice>>);

impl NoticeSender {
    pub fn send(&self, notice: RunNotice) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(notice);
        }
    }
}

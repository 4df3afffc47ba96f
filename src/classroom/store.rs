//! `ProgressStore`: what lasts across a restart — sessions and their display names, every
//! run's summary, and the checkpoints each trainee reached — in one SQLite file
//! (`<LABS_DATA_DIR>/classroom.sqlite`, schema in `migrations/classroom/`). Calls run on
//! tokio's blocking pool: SQLite never blocks the async runtime.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use rusqlite_migration::{Migrations, M};

use super::session::SessionId;
use crate::run::EndReason;

const MIGRATIONS: &[M<'static>] = &[M::up(include_str!(
    "../../migrations/classroom/001_progress.sql"
))];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("classroom database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("classroom database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("classroom database task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// One run as stored: its lab, when it started and ended, and its ledger's last numbers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunRecord {
    pub id: String,
    pub lab: String,
    pub created_ms: i64,
    pub ended_ms: Option<i64>,
    pub end_reason: Option<String>,
    pub processed: i64,
    pub duplicates: i64,
    pub lost: i64,
}

/// A checkpoint a trainee reached, in which run and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckpointRecord {
    pub id: String,
    pub run: String,
    pub reached_ms: i64,
}

/// One lab as one trainee has done it so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LabRecord {
    pub checkpoints: Vec<CheckpointRecord>,
    /// Newest first.
    pub runs: Vec<RunRecord>,
}

/// One trainee: name and progress by lab id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TraineeRecord {
    /// The trainee's cookie: never shown.
    #[serde(skip)]
    pub session: SessionId,
    /// What the instructor's table calls the trainee when there is no name (`None`: the
    /// session has not done anything yet).
    pub tag: Option<String>,
    pub name: Option<String>,
    pub labs: BTreeMap<String, LabRecord>,
}

/// The classroom's database. Cheap to clone.
#[derive(Clone)]
pub struct ProgressStore {
    conn: Arc<Mutex<Connection>>,
}

impl ProgressStore {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<ProgressStore, StoreError> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::ready(conn)
    }

    /// A database that lives as long as this value (unit tests).
    pub fn open_in_memory() -> Result<ProgressStore, StoreError> {
        Self::ready(Connection::open_in_memory()?)
    }

    fn ready(mut conn: Connection) -> Result<ProgressStore, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        Ok(ProgressStore {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on the connection, on the blocking pool.
    async fn call<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<R> + Send + 'static,
    {
        let conn = self.conn.clone();
        let r = tokio::task::spawn_blocking(move || {
            let mut c = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut c)
        })
        .await??;
        Ok(r)
    }

    /// Runs `f` on the connection here (start-up and unit tests).
    pub fn call_now<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<R>,
    ) -> Result<R, StoreError> {
        let mut c = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&mut c)?)
    }

    /// The session exists from now on (idempotent); `seen_ms` moves forward. Returns its tag.
    pub async fn touch_session(
        &self,
        session: &SessionId,
        now_ms: i64,
    ) -> Result<String, StoreError> {
        let id = session.to_string();
        self.call(move |c| touch(c, &id, now_ms)).await
    }

    /// Sets (or clears, with `None`) the session's display name.
    pub async fn set_name(
        &self,
        session: &SessionId,
        name: Option<String>,
        now_ms: i64,
    ) -> Result<String, StoreError> {
        let id = session.to_string();
        self.call(move |c| {
            let tag = touch(c, &id, now_ms)?;
            c.execute(
                "UPDATE sessions SET name = ?2 WHERE id = ?1",
                params![id, name],
            )?;
            Ok(tag)
        })
        .await
    }

    pub async fn name(&self, session: &SessionId) -> Result<Option<String>, StoreError> {
        let id = session.to_string();
        self.call(move |c| {
            Ok(
                c.query_row("SELECT name FROM sessions WHERE id = ?1", [id], |r| {
                    r.get::<_, Option<String>>(0)
                })
                .optional()?
                .flatten(),
            )
        })
        .await
    }

    pub async fn run_started(
        &self,
        run: &str,
        session: &SessionId,
        lab: &str,
        now_ms: i64,
    ) -> Result<String, StoreError> {
        let (run, id, lab) = (run.to_string(), session.to_string(), lab.to_string());
        self.call(move |c| {
            let tag = touch(c, &id, now_ms)?;
            c.execute(
                "INSERT OR IGNORE INTO runs (id, session, lab, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![run, id, lab, now_ms],
            )?;
            Ok(tag)
        })
        .await
    }

    /// Records a reached checkpoint; `true` when this trainee reached it for the first time in
    /// this lab (a later run that reaches it again keeps the first), and the trainee's tag.
    pub async fn checkpoint(
        &self,
        session: &SessionId,
        lab: &str,
        checkpoint: &str,
        run: &str,
        now_ms: i64,
    ) -> Result<(bool, String), StoreError> {
        let (id, lab, cp, run) = (
            session.to_string(),
            lab.to_string(),
            checkpoint.to_string(),
            run.to_string(),
        );
        self.call(move |c| {
            let tag = touch(c, &id, now_ms)?;
            let n = c.execute(
                "INSERT OR IGNORE INTO checkpoints (session, lab, checkpoint, run, reached_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, lab, cp, run, now_ms],
            )?;
            Ok((n == 1, tag))
        })
        .await
    }

    /// The run's ledger numbers as they are now.
    pub async fn run_summary(
        &self,
        run: &str,
        processed: u64,
        duplicates: u64,
        lost: u64,
    ) -> Result<(), StoreError> {
        let run = run.to_string();
        self.call(move |c| {
            c.execute(
                "UPDATE runs SET processed = ?2, duplicates = ?3, lost = ?4 WHERE id = ?1",
                params![run, processed as i64, duplicates as i64, lost as i64],
            )?;
            Ok(())
        })
        .await
    }

    /// Marks the run ended (the first end counts) and returns its trainee's tag.
    pub async fn run_ended(
        &self,
        run: &str,
        reason: EndReason,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        let run = run.to_string();
        let reason: &'static str = reason.into();
        self.call(move |c| {
            c.execute(
                "UPDATE runs SET ended_ms = ?2, end_reason = ?3 WHERE id = ?1 AND ended_ms IS NULL",
                params![run, now_ms, reason],
            )?;
            c.query_row(
                "SELECT s.tag FROM runs r JOIN sessions s ON s.id = r.session WHERE r.id = ?1",
                [run],
                |r| r.get(0),
            )
            .optional()
        })
        .await
    }

    /// At start: runs the last server left live ended with it. Returns how many.
    pub fn end_runs_left_live(&self, now_ms: i64) -> Result<usize, StoreError> {
        let reason: &'static str = EndReason::ServerRestart.into();
        self.call_now(|c| {
            c.execute(
                "UPDATE runs SET ended_ms = ?1, end_reason = ?2 WHERE ended_ms IS NULL",
                params![now_ms, reason],
            )
        })
    }

    /// One trainee's record (empty when the session never did anything).
    pub async fn trainee(&self, session: &SessionId) -> Result<TraineeRecord, StoreError> {
        let id = session.clone();
        self.call(move |c| {
            Ok(read_trainees(c, Some(id.as_str()))?
                .pop()
                .unwrap_or_else(|| TraineeRecord {
                    session: id,
                    tag: None,
                    name: None,
                    labs: BTreeMap::new(),
                }))
        })
        .await
    }

    /// Every trainee who did anything, oldest session first.
    pub async fn class(&self) -> Result<Vec<TraineeRecord>, StoreError> {
        self.call(|c| read_trainees(c, None)).await
    }
}

/// The session exists from now on; returns its tag (made once, when the session is first
/// stored).
fn touch(c: &Connection, id: &str, now_ms: i64) -> rusqlite::Result<String> {
    c.execute(
        "INSERT INTO sessions (id, tag, created_ms, seen_ms) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT(id) DO UPDATE SET seen_ms = max(seen_ms, excluded.seen_ms)",
        params![id, super::random_hex::<6>(), now_ms],
    )?;
    c.query_row("SELECT tag FROM sessions WHERE id = ?1", [id], |r| r.get(0))
}

/// Sessions (one, or all) with their runs and checkpoints, in three queries.
fn read_trainees(c: &Connection, only: Option<&str>) -> rusqlite::Result<Vec<TraineeRecord>> {
    let mut trainees: Vec<TraineeRecord> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut stmt = c.prepare(
        "SELECT id, tag, name FROM sessions WHERE ?1 IS NULL OR id = ?1 ORDER BY created_ms, id",
    )?;
    let rows = stmt.query_map([only], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })?;
    for row in rows {
        let (id, tag, name) = row?;
        let Some(session) = SessionId::parse(&id) else {
            continue;
        };
        index.insert(id, trainees.len());
        trainees.push(TraineeRecord {
            session,
            tag: Some(tag),
            name,
            labs: BTreeMap::new(),
        });
    }
    let mut stmt = c.prepare(
        "SELECT session, id, lab, created_ms, ended_ms, end_reason, processed, duplicates, lost
         FROM runs WHERE ?1 IS NULL OR session = ?1 ORDER BY created_ms DESC, id",
    )?;
    let rows = stmt.query_map([only], |r| {
        Ok((
            r.get::<_, String>(0)?,
            RunRecord {
                id: r.get(1)?,
                lab: r.get(2)?,
                created_ms: r.get(3)?,
                ended_ms: r.get(4)?,
                end_reason: r.get(5)?,
                processed: r.get(6)?,
                duplicates: r.get(7)?,
                lost: r.get(8)?,
            },
        ))
    })?;
    for row in rows {
        let (session, run) = row?;
        if let Some(&i) = index.get(&session) {
            trainees[i]
                .labs
                .entry(run.lab.clone())
                .or_default()
                .runs
                .push(run);
        }
    }
    let mut stmt = c.prepare(
        "SELECT session, lab, checkpoint, run, reached_ms FROM checkpoints
         WHERE ?1 IS NULL OR session = ?1 ORDER BY reached_ms, checkpoint",
    )?;
    let rows = stmt.query_map([only], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            CheckpointRecord {
                id: r.get(2)?,
                run: r.get(3)?,
                reached_ms: r.get(4)?,
            },
        ))
    })?;
    for row in rows {
        let (session, lab, cp) = row?;
        if let Some(&i) = index.get(&session) {
            trainees[i]
                .labs
                .entry(lab)
                .or_default()
                .checkpoints
                .push(cp);
        }
    }
    Ok(trainees)
}

#[cfg(test)]
mod tests;

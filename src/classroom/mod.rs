//! The classroom: trainees' sessions (each owns its runs), the instructor, the demo run, and
//! the progress that lasts across a restart (`ProgressStore`, SQLite).
//!
//! Runs tell the classroom what happens to them with [`RunNotice`]s; [`Classroom::start`]
//! writes them to the store and passes them on as [`ClassUpdate`]s to the instructor's live
//! table. Who may see or drive a run is decided in one place: [`Classroom::access`].

mod session;
pub mod store;

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use subtle::ConstantTimeEq;
use tokio::sync::{broadcast, mpsc};

pub use session::{random_hex, session_layer, Session, SessionId, SESSION_COOKIE};
pub use store::{ProgressStore, StoreError, TraineeRecord};

use crate::run::{LabRun, NoticeSender, RunNotice};

/// The instructor's cookie (its value is one of the server's instructor keys).
pub const INSTRUCTOR_COOKIE: &str = "labs_instructor";

/// The classroom's file under `LABS_DATA_DIR`.
pub const DATABASE_FILE: &str = "classroom.sqlite";

/// Limits that belong to a trainee rather than a run.
#[derive(Debug, Clone, Copy)]
pub struct ClassLimits {
    /// Event streams (SSE) one session may hold open at once.
    pub max_streams_per_session: usize,
}

/// What the instructor's table hears, live (after the store has it). `trainee` is the
/// trainee's tag (their session id is their cookie and is never shown).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClassUpdate {
    RunStarted {
        trainee: String,
        run: String,
        lab: String,
        ts: i64,
    },
    Checkpoint {
        trainee: String,
        run: String,
        lab: String,
        checkpoint: String,
        /// The first time this trainee reached it (later runs reaching it again say `false`).
        first: bool,
        ts: i64,
    },
    RunEnded {
        trainee: String,
        run: String,
        lab: String,
        reason: crate::run::EndReason,
        summary: crate::run::RunSummary,
        ts: i64,
    },
    /// A trainee typed (or changed) their display name.
    Name {
        trainee: String,
        name: Option<String>,
    },
    /// The demo run changed (`None`: no demo).
    Demo { run: Option<String> },
}

/// What a request wants to do with a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Read its state, events, ledger, export.
    Read,
    /// Change it: produce, consumers, faults, delete.
    Control,
}

/// Why a request may not touch a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Not yours (answered as if the run did not exist).
    NotFound,
    /// The demo: others may watch it, not drive it.
    ReadOnly,
}

/// Who asks: their session, and whether they hold an instructor cookie.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub session: SessionId,
    pub instructor: bool,
}

pub struct Classroom {
    pub store: ProgressStore,
    pub limits: ClassLimits,
    /// `LABS_INSTRUCTOR_TOKEN`; `None`: no instructor on this server.
    instructor_token: Option<String>,
    /// Cookies handed out for the token (they end with the server).
    instructor_keys: Mutex<HashSet<String>>,
    demo: Mutex<Option<String>>,
    updates: broadcast::Sender<ClassUpdate>,
    /// Open event streams by session.
    streams: Mutex<std::collections::HashMap<SessionId, usize>>,
    /// Each stored session's tag (what the instructor's table calls a trainee).
    tags: Mutex<std::collections::HashMap<SessionId, String>>,
}

impl Classroom {
    /// Opens the store under `data_dir` (runs the last server left live are marked ended) and
    /// starts the task that records runs' notices. Returns the classroom and the sender runs
    /// use.
    pub fn start(
        data_dir: &Path,
        limits: ClassLimits,
        instructor_token: Option<String>,
    ) -> Result<(Arc<Classroom>, NoticeSender), StoreError> {
        let store = ProgressStore::open(&data_dir.join(DATABASE_FILE))?;
        let ended = store.end_runs_left_live(crate::domain::event::now_ms() as i64)?;
        if ended > 0 {
            tracing::info!(
                runs = ended,
                "runs of the last server marked as ended by its restart"
            );
        }
        let classroom = Arc::new(Classroom {
            store,
            limits,
            instructor_token: instructor_token.filter(|t| !t.is_empty()),
            instructor_keys: Mutex::new(HashSet::new()),
            demo: Mutex::new(None),
            updates: broadcast::channel(4096).0,
            streams: Mutex::new(Default::default()),
            tags: Mutex::new(Default::default()),
        });
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(record_notices(classroom.clone(), rx));
        Ok((classroom, NoticeSender(Some(tx))))
    }

    /// The tag of a session that has been stored (it created a run or gave a name).
    pub fn tag_of(&self, session: &SessionId) -> Option<String> {
        self.tags
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(session)
            .cloned()
    }

    /// Remembers a session's tag (from the store).
    pub fn learn_tag(&self, session: &SessionId, tag: &str) {
        self.tags
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(session.clone(), tag.to_string());
    }

    /// Live updates for the instructor's table.
    pub fn subscribe(&self) -> broadcast::Receiver<ClassUpdate> {
        self.updates.subscribe()
    }

    pub fn publish(&self, update: ClassUpdate) {
        let _ = self.updates.send(update);
    }

    /// Whether `LABS_INSTRUCTOR_TOKEN` is set.
    pub fn has_instructor(&self) -> bool {
        self.instructor_token.is_some()
    }

    /// Exchanges the instructor token for a cookie value (`None`: wrong token or no
    /// instructor). Compared in constant time.
    pub fn instructor_login(&self, token: &str) -> Option<String> {
        let expected = self.instructor_token.as_ref()?;
        if !bool::from(expected.as_bytes().ct_eq(token.as_bytes())) {
            return None;
        }
        let key = random_hex::<16>();
        self.keys().insert(key.clone());
        Some(key)
    }

    /// Whether a cookie value is one handed out by [`Classroom::instructor_login`].
    pub fn is_instructor_key(&self, key: &str) -> bool {
        self.has_instructor()
            && self
                .keys()
                .iter()
                .any(|k| bool::from(k.as_bytes().ct_eq(key.as_bytes())))
    }

    pub fn instructor_logout(&self, key: &str) {
        self.keys().remove(key);
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.instructor_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The demo run's id, if the instructor marked one.
    pub fn demo(&self) -> Option<String> {
        self.demo.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Marks (or with `None` unmarks) the demo run.
    pub fn set_demo(&self, run: Option<String>) {
        *self.demo.lock().unwrap_or_else(|e| e.into_inner()) = run.clone();
        self.publish(ClassUpdate::Demo { run });
    }

    /// Who may do what with a run: its owner and the instructor anything; others may only
    /// watch the demo; every other run is answered as not found.
    pub fn access(&self, run: &LabRun, viewer: &Viewer, need: Need) -> Result<(), Denied> {
        if run.owner == viewer.session || viewer.instructor {
            return Ok(());
        }
        if self.demo().as_deref() == Some(run.id.as_str()) {
            return match need {
                Need::Read => Ok(()),
                Need::Control => Err(Denied::ReadOnly),
            };
        }
        Err(Denied::NotFound)
    }

    /// Takes a place for an event stream of `session`; `None` when it has the most it may.
    pub fn open_stream(self: &Arc<Self>, session: &SessionId) -> Option<StreamPlace> {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let n = streams.entry(session.clone()).or_default();
        if *n >= self.limits.max_streams_per_session {
            return None;
        }
        *n += 1;
        Some(StreamPlace {
            classroom: self.clone(),
            session: session.clone(),
        })
    }
}

/// One open event stream of a session; its place is given back when dropped.
pub struct StreamPlace {
    classroom: Arc<Classroom>,
    session: SessionId,
}

impl Drop for StreamPlace {
    fn drop(&mut self) {
        let mut streams = self
            .classroom
            .streams
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = streams.get_mut(&self.session) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                streams.remove(&self.session);
            }
        }
    }
}

/// Writes each run notice to the store, then tells the instructor's table. In order: a
/// checkpoint is never published before its run's start.
async fn record_notices(classroom: Arc<Classroom>, mut rx: mpsc::UnboundedReceiver<RunNotice>) {
    // Runs the server's life: the runs ended by a shutdown are still written.
    while let Some(notice) = rx.recv().await {
        let store = &classroom.store;
        let written = match notice {
            RunNotice::Started {
                run,
                owner,
                lab,
                ts,
            } => store
                .run_started(&run, &owner, &lab, ts)
                .await
                .inspect(|tag| classroom.learn_tag(&owner, tag))
                .map(|trainee| ClassUpdate::RunStarted {
                    trainee,
                    run,
                    lab,
                    ts,
                }),
            RunNotice::Checkpoint {
                run,
                owner,
                lab,
                checkpoint,
                ts,
            } => store
                .checkpoint(&owner, &lab, &checkpoint, &run, ts)
                .await
                .map(|(first, trainee)| ClassUpdate::Checkpoint {
                    trainee,
                    run,
                    lab,
                    checkpoint,
                    first,
                    ts,
                }),
            RunNotice::Ended {
                run,
                owner: _,
                lab,
                reason,
                summary,
                ts,
            } => {
                async {
                    store
                        .run_summary(&run, summary.processed, summary.duplicates, summary.lost)
                        .await?;
                    let trainee = store.run_ended(&run, reason, ts).await?.unwrap_or_default();
                    Ok(ClassUpdate::RunEnded {
                        trainee,
                        run,
                        lab,
                        reason,
                        summary,
                        ts,
                    })
                }
                .await
            }
        };
        match written {
            Ok(update) => classroom.publish(update),
            Err(e) => tracing::warn!(error = %e, "classroom progress not saved"),
        }
    }
}

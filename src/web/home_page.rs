//! What the home page shows a trainee, server-rendered so it works before any script: their
//! display name, their live runs (a link to each page, the ledger's numbers), their past runs
//! with how each ended ("ended: server restarted" after a restart), the checkpoints reached on
//! each lab's card, and the instructor's demo when there is one.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;

use super::pages::{json_island, Chrome};
use super::AppState;
use crate::classroom::{SessionId, TraineeRecord};
use crate::i18n::Lang;
use crate::lab::LoadedLab;

/// Past runs the page lists (newest first); older ones stay in the store.
const PAST_RUNS_SHOWN: usize = 20;

/// One checkpoint of a lab's card: its text and whether this trainee reached it.
pub(super) struct CheckpointMark {
    pub(super) text: String,
    pub(super) reached: bool,
}

/// A lab's card: the lab and this trainee's checkpoints in it.
pub(super) struct LabCard {
    pub(super) lab: Arc<LoadedLab>,
    pub(super) checkpoints: Vec<CheckpointMark>,
    pub(super) reached: usize,
}

/// A run of this trainee, live or ended.
pub(super) struct RunLine {
    pub(super) id: String,
    pub(super) lab_title: String,
    /// The run's page (live runs only).
    pub(super) page: String,
    pub(super) processed: u64,
    pub(super) duplicates: u64,
    pub(super) lost: u64,
    /// The catalog key of how it ended (`home.end.<reason>`), for past runs.
    pub(super) end_key: String,
}

/// The demo the instructor marked: where to watch it and its lab.
pub(super) struct DemoLink {
    pub(super) watch: String,
    pub(super) lab_title: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub(super) struct HomePage<'a> {
    pub(super) c: Chrome<'a>,
    pub(super) cards: Vec<LabCard>,
    pub(super) name: Option<String>,
    pub(super) live: Vec<RunLine>,
    pub(super) past: Vec<RunLine>,
    pub(super) demo: Option<DemoLink>,
    /// Lab titles by id in the page's language and the name's limit, for the page script.
    pub(super) page_json: String,
    pub(super) max_name: usize,
}

impl<'a> HomePage<'a> {
    /// The page for `session`, from its stored record (`None`: the store could not answer;
    /// the page then shows the labs without progress).
    pub(super) fn build(
        state: &'a AppState,
        c: Chrome<'a>,
        session: &SessionId,
        record: Option<TraineeRecord>,
    ) -> HomePage<'a> {
        let lang = c.t.lang;
        let labs = state.labs.list();
        let title = |id: &str| -> String {
            labs.iter()
                .find(|l| l.lab.id == id)
                .map(|l| l.lab.title.get(lang).to_string())
                .unwrap_or_else(|| id.to_string())
        };
        let record = record.unwrap_or_else(|| TraineeRecord {
            session: session.clone(),
            tag: None,
            name: None,
            labs: BTreeMap::new(),
        });
        let cards = labs
            .iter()
            .map(|l| lab_card(l.clone(), &record, lang))
            .collect();
        let live_runs = state.runs.list_of(session);
        let live: Vec<RunLine> = live_runs
            .iter()
            .rev()
            .map(|r| {
                let s = r.summary();
                RunLine {
                    id: r.id.clone(),
                    lab_title: r.lab.lab.title.get(lang).to_string(),
                    page: format!("/labs/{}?run={}", r.lab.lab.id, r.id),
                    processed: s.processed,
                    duplicates: s.duplicates,
                    lost: s.lost,
                    end_key: String::new(),
                }
            })
            .collect();
        let mut ended: Vec<_> = record
            .labs
            .values()
            .flat_map(|l| l.runs.iter())
            .filter(|r| r.ended_ms.is_some() && !live.iter().any(|l| l.id == r.id))
            .collect();
        ended.sort_by(|a, b| (b.created_ms, &b.id).cmp(&(a.created_ms, &a.id)));
        let past = ended
            .into_iter()
            .take(PAST_RUNS_SHOWN)
            .map(|r| RunLine {
                id: r.id.clone(),
                lab_title: title(&r.lab),
                page: String::new(),
                processed: r.processed.max(0) as u64,
                duplicates: r.duplicates.max(0) as u64,
                lost: r.lost.max(0) as u64,
                end_key: end_key(r.end_reason.as_deref()),
            })
            .collect();
        let demo = state
            .classroom
            .demo()
            .and_then(|id| state.runs.get(&id))
            .map(|run| DemoLink {
                watch: format!("/labs/{}?run={}&view=watch", run.lab.lab.id, run.id),
                lab_title: run.lab.lab.title.get(lang).to_string(),
            });
        let titles: BTreeMap<&str, &str> = labs
            .iter()
            .map(|l| (l.lab.id.as_str(), l.lab.title.get(lang)))
            .collect();
        let max_name = super::classroom::MAX_NAME_CHARS;
        HomePage {
            c,
            cards,
            name: record.name,
            live,
            past,
            demo,
            page_json: json_island(&serde_json::json!({ "labs": titles, "max_name": max_name })),
            max_name,
        }
    }
}

fn lab_card(lab: Arc<LoadedLab>, record: &TraineeRecord, lang: Lang) -> LabCard {
    let done = record.labs.get(&lab.lab.id);
    let checkpoints: Vec<CheckpointMark> = lab
        .lab
        .checkpoints
        .iter()
        .map(|c| CheckpointMark {
            text: c.text.get(lang).to_string(),
            reached: done.is_some_and(|d| d.checkpoints.iter().any(|r| r.id == c.id)),
        })
        .collect();
    let reached = checkpoints.iter().filter(|c| c.reached).count();
    LabCard {
        lab,
        checkpoints,
        reached,
    }
}

/// `home.end.<reason>` for a stored end reason (an unknown one reads as stopped).
fn end_key(reason: Option<&str>) -> String {
    let known = ["stopped", "idle", "server_restart", "instructor"];
    let reason = reason.filter(|r| known.contains(r)).unwrap_or("stopped");
    format!("home.end.{reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_end_reason_has_its_text() {
        let catalog = crate::i18n::Catalog::builtin().unwrap();
        let keys: Vec<&str> = catalog.keys().collect();
        for reason in [
            crate::run::EndReason::Stopped,
            crate::run::EndReason::Idle,
            crate::run::EndReason::ServerRestart,
            crate::run::EndReason::Instructor,
        ] {
            let stored: &'static str = reason.into();
            let key = end_key(Some(stored));
            assert_eq!(key, format!("home.end.{stored}"));
            assert!(keys.contains(&key.as_str()), "{key} is in the catalogs");
        }
        assert_eq!(end_key(None), "home.end.stopped");
    }
}

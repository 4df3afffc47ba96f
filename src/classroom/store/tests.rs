use super::*;

#[tokio::test]
async fn progress_is_kept_per_trainee_and_first_checkpoints_win() {
    let store = ProgressStore::open_in_memory().unwrap();
    let (a, b) = (SessionId::new(), SessionId::new());
    store.set_name(&a, Some("김하늘".into()), 1).await.unwrap();
    store.run_started("r1", &a, "auto-commit", 2).await.unwrap();
    store.run_started("r2", &b, "auto-commit", 3).await.unwrap();
    let (first, tag) = store
        .checkpoint(&a, "auto-commit", "poll", "r1", 4)
        .await
        .unwrap();
    assert!(first);
    assert_eq!(tag.len(), 12);
    let (again, same) = store
        .checkpoint(&a, "auto-commit", "poll", "r9", 5)
        .await
        .unwrap();
    assert!(!again);
    assert_eq!(same, tag);
    store.run_summary("r1", 10, 2, 1).await.unwrap();
    store.run_ended("r1", EndReason::Stopped, 6).await.unwrap();
    store.run_ended("r1", EndReason::Idle, 7).await.unwrap();

    let ta = store.trainee(&a).await.unwrap();
    assert_eq!(ta.name.as_deref(), Some("김하늘"));
    let lab = &ta.labs["auto-commit"];
    assert_eq!(lab.checkpoints.len(), 1);
    assert_eq!(lab.checkpoints[0].run, "r1");
    assert_eq!(lab.runs[0].duplicates, 2);
    assert_eq!(lab.runs[0].end_reason.as_deref(), Some("stopped"));
    assert_eq!(lab.runs[0].ended_ms, Some(6));

    let tb = store.trainee(&b).await.unwrap();
    assert!(tb.labs["auto-commit"].checkpoints.is_empty());
    assert_eq!(store.end_runs_left_live(8).unwrap(), 1);
    let class = store.class().await.unwrap();
    assert_eq!(class.len(), 2);
    assert_eq!(
        class[1].labs["auto-commit"].runs[0].end_reason.as_deref(),
        Some("server_restart")
    );
}

#[test]
fn a_file_keeps_everything_across_reopening() {
    let dir = std::env::temp_dir().join(format!("kcl-store-{}", SessionId::new()));
    let path = dir.join("classroom.sqlite");
    let a = SessionId::new();
    {
        let store = ProgressStore::open(&path).unwrap();
        store
            .call_now(|c| {
                touch(c, a.as_str(), 1)?;
                c.execute(
                    "UPDATE sessions SET name = 'Ana' WHERE id = ?1",
                    [a.as_str()],
                )
            })
            .unwrap();
    }
    let store = ProgressStore::open(&path).unwrap();
    let name: Option<String> = store
        .call_now(|c| {
            c.query_row(
                "SELECT name FROM sessions WHERE id = ?1",
                [a.as_str()],
                |r| r.get(0),
            )
        })
        .unwrap();
    assert_eq!(name.as_deref(), Some("Ana"));
    let _ = std::fs::remove_dir_all(dir);
}

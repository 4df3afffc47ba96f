-- Trainees' sessions, their runs' summaries and the checkpoints they reached.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    -- What the instructor's table shows instead of the id (the id is the trainee's cookie).
    tag         TEXT NOT NULL UNIQUE,
    name        TEXT,
    created_ms  INTEGER NOT NULL,
    seen_ms     INTEGER NOT NULL
) STRICT;

CREATE TABLE runs (
    id          TEXT PRIMARY KEY NOT NULL,
    session     TEXT NOT NULL REFERENCES sessions(id),
    lab         TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    ended_ms    INTEGER,
    -- stopped | idle | server_restart | instructor
    end_reason  TEXT,
    processed   INTEGER NOT NULL DEFAULT 0,
    duplicates  INTEGER NOT NULL DEFAULT 0,
    lost        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX runs_by_session ON runs(session);

CREATE TABLE checkpoints (
    session     TEXT NOT NULL REFERENCES sessions(id),
    lab         TEXT NOT NULL,
    checkpoint  TEXT NOT NULL,
    run         TEXT NOT NULL,
    reached_ms  INTEGER NOT NULL,
    PRIMARY KEY (session, lab, checkpoint)
) STRICT;

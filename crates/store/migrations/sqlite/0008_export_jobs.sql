-- Documents generated in the background (reports of the operations centre): the reader
-- asks, watches a progress page, downloads. Kept a week, then swept by the jobs loop.
CREATE TABLE export_jobs (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL,
    query       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    filename    TEXT,
    content     BLOB,
    error       TEXT,
    created_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX export_jobs_user ON export_jobs (user_id, id);
CREATE INDEX export_jobs_created ON export_jobs (created_at);

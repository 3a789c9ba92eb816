-- Evidence files of tasks and their progress reports. The bytes live on disk under
-- the data directory, named by their SHA-256, so the same file is stored once.
CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    task_id       INTEGER NOT NULL REFERENCES tasks (id),
    sha256        TEXT NOT NULL,
    size          BIGINT NOT NULL CHECK (size > 0),
    kind          TEXT NOT NULL,
    original_name TEXT NOT NULL,
    uploaded_by   INTEGER,
    uploader_name TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX attachments_task ON attachments (task_id, id);
CREATE INDEX attachments_sha ON attachments (sha256);

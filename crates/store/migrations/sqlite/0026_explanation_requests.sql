-- Explanation requests (yêu cầu giải trình, issue #19): a leader or the coordinator asks
-- a unit to explain a figure, a task or its work by a deadline; the unit answers with
-- text and evidence files; the one who asked accepts or asks again. Every question and
-- answer is a message of the request's thread, kept as written.
CREATE TABLE explanation_requests (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES org_units (id),
    -- figure | task | unit
    subject       TEXT NOT NULL,
    task_id       INTEGER REFERENCES tasks (id),
    indicator_id  INTEGER REFERENCES indicators (id),
    -- The figure's period (2026-Q3), for a figure.
    period        TEXT,
    -- What the request is about as it read when asked ("CQ-05 Tỷ lệ … — Quý III/2026"):
    -- it reads the same after the task or indicator is renamed.
    subject_title TEXT NOT NULL,
    -- The question now awaiting an answer (the last asked) and its deadline.
    question      TEXT NOT NULL,
    deadline      DATE NOT NULL,
    -- awaiting | answered | accepted | withdrawn
    status        TEXT NOT NULL,
    asked_by      INTEGER REFERENCES users (id),
    asked_by_name TEXT NOT NULL,
    asked_at      TEXT NOT NULL,
    -- Raised to the unit's head once the deadline passed unanswered (cleared when asked
    -- again, so a new deadline can be raised again).
    escalated_at  TEXT,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX explanation_requests_unit ON explanation_requests (unit_id, status, deadline);
CREATE INDEX explanation_requests_open ON explanation_requests (status, deadline, id);
CREATE INDEX explanation_requests_asker ON explanation_requests (asked_by, status, id);
CREATE INDEX explanation_requests_task ON explanation_requests (task_id) WHERE task_id IS NOT NULL;

CREATE TABLE explanation_messages (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES explanation_requests (id),
    -- question | answer | accept | ask_again | withdraw
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    -- A question's deadline.
    deadline    DATE,
    author_id   INTEGER REFERENCES users (id),
    author_name TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX explanation_messages_request ON explanation_messages (request_id, id);

CREATE TABLE explanation_files (
    id            INTEGER PRIMARY KEY,
    request_id    INTEGER NOT NULL REFERENCES explanation_requests (id),
    sha256        TEXT NOT NULL,
    size          BIGINT NOT NULL CHECK (size > 0),
    kind          TEXT NOT NULL,
    original_name TEXT NOT NULL,
    uploaded_by   INTEGER,
    uploader_name TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX explanation_files_request ON explanation_files (request_id, id);

-- Where a notice leads when it is about something other than a task (`/explanations/7`).
ALTER TABLE notifications ADD COLUMN path TEXT;

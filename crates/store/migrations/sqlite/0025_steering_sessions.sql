-- Steering committee sessions (phiên họp Ban Chỉ đạo, issue #19): each session has
-- numbered conclusions; a conclusion becomes one or more of the plan's tasks or is closed
-- with a note. The session's conclusion notice, once issued, gives its number to the
-- tasks that come from it.
CREATE TABLE steering_sessions (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans (id),
    -- Phiên họp thứ N of the plan, in the order recorded: its conclusions' task codes
    -- (KL2.3) name it, so it never changes.
    number          INTEGER NOT NULL,
    held_on         DATE NOT NULL,
    title           TEXT NOT NULL,
    chair           TEXT NOT NULL,
    attendees       TEXT NOT NULL,
    notice_number   TEXT,
    notice_date     DATE,
    created_by_name TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (plan_id, number)
);
CREATE INDEX steering_sessions_plan ON steering_sessions (plan_id, held_on, id);

CREATE TABLE steering_conclusions (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES steering_sessions (id),
    number      INTEGER NOT NULL,
    text        TEXT NOT NULL,
    closed_on   DATE,
    closed_note TEXT,
    UNIQUE (session_id, number)
);

ALTER TABLE tasks ADD COLUMN conclusion_id INTEGER REFERENCES steering_conclusions (id);
CREATE INDEX tasks_conclusion ON tasks (conclusion_id) WHERE conclusion_id IS NOT NULL;

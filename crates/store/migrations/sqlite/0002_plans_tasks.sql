-- Plans, pillars and task groups, tasks with their coordinating units, the workflow's
-- events, deadline extensions and periodic progress reports.

CREATE TABLE pillars (
    code     TEXT PRIMARY KEY,
    name_vi  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    position INTEGER NOT NULL
);
INSERT INTO pillars (code, name_vi, name_en, position) VALUES
    ('foundations', 'Nền tảng chung', 'Foundations', 1),
    ('digital_government', 'Chính quyền số', 'Digital government', 2),
    ('digital_economy', 'Kinh tế số', 'Digital economy', 3),
    ('digital_society', 'Xã hội số', 'Digital society', 4);

CREATE TABLE plans (
    id              INTEGER PRIMARY KEY,
    year            INTEGER NOT NULL,
    title           TEXT NOT NULL,
    legal_basis     TEXT,
    decision_number TEXT,
    decision_date   DATE,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX plans_year ON plans (year, id);

CREATE TABLE task_groups (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    pillar_code TEXT NOT NULL REFERENCES pillars (code),
    position    INTEGER NOT NULL,
    UNIQUE (plan_id, code)
);

CREATE TABLE tasks (
    id                  INTEGER PRIMARY KEY,
    plan_id             INTEGER NOT NULL REFERENCES plans (id),
    group_id            INTEGER REFERENCES task_groups (id),
    code                TEXT NOT NULL,
    code_sort           TEXT NOT NULL,
    title               TEXT NOT NULL,
    description         TEXT,
    deliverable         TEXT,
    search_folded       TEXT NOT NULL,
    lead_unit_id        INTEGER NOT NULL REFERENCES org_units (id),
    partners            TEXT,
    start_date          DATE,
    due_date            DATE NOT NULL,
    original_due_date   DATE NOT NULL,
    budget_planned      BIGINT NOT NULL DEFAULT 0 CHECK (budget_planned >= 0),
    budget_disbursed    BIGINT NOT NULL DEFAULT 0 CHECK (budget_disbursed >= 0),
    funding_source      TEXT,
    acquisition_mode    TEXT CHECK (acquisition_mode IN ('rent', 'buy', 'in_house')),
    progress            INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    status              TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'changes_requested', 'approved', 'in_progress', 'completed', 'cancelled')),
    completed_on        DATE,
    assigned_doc_number TEXT,
    assigned_doc_date   DATE,
    assigned_doc_signer TEXT,
    created_by          INTEGER REFERENCES users (id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, code)
);
CREATE INDEX tasks_plan_code ON tasks (plan_id, code_sort, id);
CREATE INDEX tasks_plan_due ON tasks (plan_id, due_date, id);
CREATE INDEX tasks_plan_status ON tasks (plan_id, status);
CREATE INDEX tasks_lead_unit ON tasks (lead_unit_id, status);
CREATE INDEX tasks_group ON tasks (group_id);

-- Coordinating units of a task.
CREATE TABLE task_units (
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    PRIMARY KEY (task_id, unit_id)
);
CREATE INDEX task_units_unit ON task_units (unit_id);

CREATE TABLE task_events (
    id          INTEGER PRIMARY KEY,
    task_id     INTEGER NOT NULL REFERENCES tasks (id),
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    comment     TEXT
);
CREATE INDEX task_events_task ON task_events (task_id, id);

CREATE TABLE task_extensions (
    id               INTEGER PRIMARY KEY,
    task_id          INTEGER NOT NULL REFERENCES tasks (id),
    requested_by     INTEGER,
    requested_name   TEXT NOT NULL,
    requested_at     TEXT NOT NULL,
    reason           TEXT NOT NULL,
    old_due          DATE NOT NULL,
    new_due          DATE NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    decided_by       INTEGER,
    decided_name     TEXT,
    decided_at       TEXT,
    decision_comment TEXT
);
CREATE INDEX task_extensions_task ON task_extensions (task_id, id);
CREATE INDEX task_extensions_status ON task_extensions (status);

CREATE TABLE progress_reports (
    id          INTEGER PRIMARY KEY,
    task_id     INTEGER NOT NULL REFERENCES tasks (id),
    period      TEXT NOT NULL,
    period_end  DATE NOT NULL,
    progress    INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    done        TEXT,
    obstacles   TEXT,
    proposals   TEXT,
    disbursed   BIGINT NOT NULL DEFAULT 0 CHECK (disbursed >= 0),
    author_id   INTEGER,
    author_name TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (task_id, period)
);
CREATE INDEX progress_reports_period ON progress_reports (period, task_id);

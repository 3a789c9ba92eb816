-- Foundation: org units and their lineage, accounts, role grants, sessions, audit log.
-- Timestamps are UTC; SQLite keeps them as text in one fixed format, so text order is time order.

CREATE TABLE org_units (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    short_name  TEXT,
    kind        TEXT NOT NULL CHECK (kind IN ('ministry', 'province', 'department', 'district', 'commune', 'other')),
    parent_id   INTEGER REFERENCES org_units (id),
    valid_from  DATE,
    valid_to    DATE,
    name_folded TEXT NOT NULL,
    sort_key    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX org_units_parent ON org_units (parent_id, sort_key);
CREATE INDEX org_units_code ON org_units (code);
CREATE INDEX org_units_sort ON org_units (sort_key, id);
CREATE INDEX org_units_kind ON org_units (kind, sort_key);

CREATE TABLE unit_lineage (
    predecessor_id INTEGER NOT NULL REFERENCES org_units (id),
    successor_id   INTEGER NOT NULL REFERENCES org_units (id),
    effective_on   DATE,
    PRIMARY KEY (predecessor_id, successor_id),
    CHECK (predecessor_id <> successor_id)
);
CREATE INDEX unit_lineage_successor ON unit_lineage (successor_id);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    display_folded TEXT NOT NULL,
    sort_key       TEXT NOT NULL,
    email          TEXT,
    unit_id        INTEGER REFERENCES org_units (id),
    password_hash  TEXT NOT NULL,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX users_sort ON users (sort_key, id);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE role_grants (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'unit_approver', 'unit_editor', 'viewer')),
    unit_id    INTEGER REFERENCES org_units (id),
    created_at TEXT NOT NULL
);
-- A grant with no unit is system-wide; COALESCE makes it unique like the others.
CREATE UNIQUE INDEX role_grants_unique ON role_grants (user_id, role, COALESCE(unit_id, 0));
CREATE INDEX role_grants_unit ON role_grants (unit_id);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    client_addr  TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    via         TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT,
    summary     TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    client_addr TEXT,
    request_id  TEXT
);
CREATE INDEX audit_events_at ON audit_events (at, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, at);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, at);
CREATE INDEX audit_events_action ON audit_events (action, at);

-- The audit log is append-only, whatever code runs against the database.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- Reorganisations: a reviewed change set of new units and lineage (old → new, with a split
-- weight), applied in one transaction on its effective date and undone before it.
CREATE TABLE reorg_changes (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    effective_on  DATE NOT NULL,
    -- draft | applied | undone
    status        TEXT NOT NULL CHECK (status IN ('draft', 'applied', 'undone')),
    -- The uploads as sent: the change set is re-planned from them against the units of
    -- the day it is applied, never from a stale preview.
    new_units_csv TEXT NOT NULL,
    lineage_csv   TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    applied_by    TEXT,
    applied_at    TEXT,
    undone_at     TEXT,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX reorg_changes_status ON reorg_changes (status, effective_on);

-- What applying a change set did, step by step, so undoing it puts everything back:
-- a unit created, a unit retired (with its former last day), a task, grant or account
-- moved from one unit to another, a task closed (with its former status).
CREATE TABLE reorg_steps (
    id           INTEGER PRIMARY KEY,
    change_id    INTEGER NOT NULL REFERENCES reorg_changes (id),
    -- unit_created | unit_retired | task_moved | grant_moved | user_moved | task_closed
    kind         TEXT NOT NULL,
    entity_id    INTEGER NOT NULL,
    from_unit_id INTEGER,
    to_unit_id   INTEGER,
    old_date     DATE,
    -- A closed task's former status.
    old_status   TEXT
);
CREATE INDEX reorg_steps_change ON reorg_steps (change_id, id);

-- A split's share of the predecessor (population share…); none for a whole merge.
ALTER TABLE unit_lineage ADD COLUMN weight REAL;
ALTER TABLE unit_lineage ADD COLUMN change_id INTEGER REFERENCES reorg_changes (id);

-- Index assessment frameworks (the DTI and sets modelled on it): a tree of pillars,
-- criteria and sub-criteria. Leaves carry their maximum and scoring rule (JSON of
-- domain::scoring::Rule); groups' maxima are computed from their children, never typed.
CREATE TABLE index_frameworks (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    year        BIGINT NOT NULL,
    -- Unit kinds assessed with it, comma-separated (department, district, commune).
    unit_kinds  TEXT NOT NULL,
    copied_from INTEGER REFERENCES index_frameworks (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX index_frameworks_year ON index_frameworks (year, id);

CREATE TABLE index_criteria (
    id               INTEGER PRIMARY KEY,
    framework_id     INTEGER NOT NULL REFERENCES index_frameworks (id),
    code             TEXT NOT NULL,
    parent_code      TEXT,
    name             TEXT NOT NULL,
    max_points       DOUBLE PRECISION NOT NULL CHECK (max_points >= 0),
    rule             TEXT,
    position         BIGINT NOT NULL,
    -- How to determine the points, and the evidence a unit must attach.
    guidance         TEXT,
    evidence         TEXT,
    -- The sector department that verifies this criterion for every unit.
    verifier_unit_id INTEGER REFERENCES org_units (id),
    -- An indicator reported in dxplan that feeds the criterion's value.
    indicator_id     INTEGER REFERENCES indicators (id),
    UNIQUE (framework_id, code)
);
CREATE INDEX index_criteria_framework ON index_criteria (framework_id, position);

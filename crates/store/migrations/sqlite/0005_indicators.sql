-- Indicators, reporting forms, targets and data values with their history.
CREATE TABLE indicators (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    name_folded       TEXT NOT NULL,
    description       TEXT,
    measure           TEXT NOT NULL CHECK (measure IN ('number', 'percent', 'ratio', 'money', 'yes_no')),
    unit_of_measure   TEXT,
    direction         TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
    aggregation       TEXT NOT NULL CHECK (aggregation IN ('sum', 'average', 'ratio_of_sums', 'min', 'max', 'latest')),
    period_type       TEXT NOT NULL CHECK (period_type IN ('month', 'quarter', 'year')),
    pillar_code       TEXT REFERENCES pillars (code),
    owner_unit_id     INTEGER REFERENCES org_units (id),
    min_value         DOUBLE PRECISION,
    max_value         DOUBLE PRECISION,
    evidence_required BOOLEAN NOT NULL DEFAULT FALSE,
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);

-- Which unit kinds report which indicators, how often, by when.
CREATE TABLE reporting_forms (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    period_type   TEXT NOT NULL CHECK (period_type IN ('month', 'quarter', 'year')),
    deadline_days INTEGER NOT NULL DEFAULT 10 CHECK (deadline_days BETWEEN 0 AND 365),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE form_indicators (
    form_id      INTEGER NOT NULL REFERENCES reporting_forms (id),
    indicator_id INTEGER NOT NULL REFERENCES indicators (id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (form_id, indicator_id)
);
CREATE INDEX form_indicators_indicator ON form_indicators (indicator_id);
CREATE TABLE form_unit_kinds (
    form_id INTEGER NOT NULL REFERENCES reporting_forms (id),
    kind    TEXT NOT NULL,
    PRIMARY KEY (form_id, kind)
);

CREATE TABLE targets (
    id           INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id),
    unit_id      INTEGER NOT NULL REFERENCES org_units (id),
    period       TEXT NOT NULL,
    value        DOUBLE PRECISION NOT NULL,
    set_by       TEXT NOT NULL,
    set_at       TEXT NOT NULL,
    UNIQUE (indicator_id, unit_id, period)
);
CREATE INDEX targets_unit ON targets (unit_id, period);

-- The current figure and, separately, the last approved one: roll-ups read the
-- approved figure, so a correction under review never hides the figure it corrects.
CREATE TABLE data_values (
    id                  INTEGER PRIMARY KEY,
    indicator_id        INTEGER NOT NULL REFERENCES indicators (id),
    unit_id             INTEGER NOT NULL REFERENCES org_units (id),
    period              TEXT NOT NULL,
    period_start        DATE NOT NULL,
    period_end          DATE NOT NULL,
    value               DOUBLE PRECISION NOT NULL,
    numerator           DOUBLE PRECISION,
    denominator         DOUBLE PRECISION,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected')),
    approved_value      DOUBLE PRECISION,
    approved_numerator  DOUBLE PRECISION,
    approved_denominator DOUBLE PRECISION,
    comment             TEXT,
    review_comment      TEXT,
    updated_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    UNIQUE (indicator_id, unit_id, period)
);
CREATE INDEX data_values_rollup ON data_values (indicator_id, period_start, period_end, unit_id);
CREATE INDEX data_values_unit ON data_values (unit_id, period_start);
CREATE INDEX data_values_status ON data_values (status, indicator_id);

CREATE TABLE data_value_history (
    id            INTEGER PRIMARY KEY,
    data_value_id INTEGER NOT NULL REFERENCES data_values (id),
    at            TEXT NOT NULL,
    actor_id      INTEGER,
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    status        TEXT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    numerator     DOUBLE PRECISION,
    denominator   DOUBLE PRECISION,
    comment       TEXT
);
CREATE INDEX data_value_history_value ON data_value_history (data_value_id, id);

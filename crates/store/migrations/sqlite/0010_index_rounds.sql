-- Assessment rounds: a framework applied to a set of units for a year, run by the
-- province (or by a district for its communes), with a deadline for self-assessments.
CREATE TABLE index_rounds (
    id             INTEGER PRIMARY KEY,
    framework_id   INTEGER NOT NULL REFERENCES index_frameworks (id),
    name           TEXT NOT NULL,
    year           BIGINT NOT NULL,
    run_by_unit_id INTEGER NOT NULL REFERENCES org_units (id),
    deadline       DATE NOT NULL,
    -- open | published
    status         TEXT NOT NULL,
    published_at   TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX index_rounds_year ON index_rounds (year, id);
CREATE INDEX index_rounds_run_by ON index_rounds (run_by_unit_id, year);

-- One unit's assessment in a round: draft → self_assessed → verifying → verified → published.
CREATE TABLE index_assessments (
    id             INTEGER PRIMARY KEY,
    round_id       INTEGER NOT NULL REFERENCES index_rounds (id),
    unit_id        INTEGER NOT NULL REFERENCES org_units (id),
    status         TEXT NOT NULL,
    -- The coordinator's reopening: submissions are accepted until this date.
    reopened_until DATE,
    submitted_at   TEXT,
    -- The unit's one response to the verification (giải trình).
    responded_at   TEXT,
    -- Corrections after publication, each an audited revision.
    revision       BIGINT NOT NULL DEFAULT 0,
    updated_at     TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    UNIQUE (round_id, unit_id)
);
CREATE INDEX index_assessments_unit ON index_assessments (unit_id, round_id);
CREATE INDEX index_assessments_status ON index_assessments (status, round_id);

-- A criterion's score in an assessment: the unit's answer and points, the verifier's
-- decision, the unit's response and the final points.
CREATE TABLE index_scores (
    id               INTEGER PRIMARY KEY,
    assessment_id    INTEGER NOT NULL REFERENCES index_assessments (id),
    criterion_code   TEXT NOT NULL,
    -- JSON of domain::scoring::Answer as the unit gave it.
    answer           TEXT,
    self_points      DOUBLE PRECISION,
    explanation      TEXT,
    -- accepted | adjusted
    verification     TEXT,
    verified_points  DOUBLE PRECISION,
    verifier_comment TEXT,
    verified_by      TEXT,
    verified_at      TEXT,
    response         TEXT,
    final_points     DOUBLE PRECISION,
    updated_at       TEXT NOT NULL,
    UNIQUE (assessment_id, criterion_code)
);

-- Evidence of a score: a stored file (by its hash) or a link to a published document.
CREATE TABLE index_evidence (
    id            INTEGER PRIMARY KEY,
    score_id      INTEGER NOT NULL REFERENCES index_scores (id),
    url           TEXT,
    sha256        TEXT,
    size          BIGINT,
    kind          TEXT,
    original_name TEXT NOT NULL,
    uploaded_by   INTEGER,
    uploader_name TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX index_evidence_score ON index_evidence (score_id, id);

-- What happened to an assessment, in order: moves, verifications, responses, corrections.
CREATE TABLE index_events (
    id             INTEGER PRIMARY KEY,
    assessment_id  INTEGER NOT NULL REFERENCES index_assessments (id),
    actor_id       INTEGER,
    actor_name     TEXT NOT NULL,
    action         TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT,
    criterion_code TEXT,
    points_before  DOUBLE PRECISION,
    points_after   DOUBLE PRECISION,
    revision       BIGINT NOT NULL DEFAULT 0,
    comment        TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX index_events_assessment ON index_events (assessment_id, id);

-- The criteria a task aims to improve.
CREATE TABLE task_criteria (
    task_id      INTEGER NOT NULL REFERENCES tasks (id),
    criterion_id INTEGER NOT NULL REFERENCES index_criteria (id),
    PRIMARY KEY (task_id, criterion_id)
);
CREATE INDEX task_criteria_criterion ON task_criteria (criterion_id, task_id);

-- Criteria fed by an indicator (the indicator page lists them).
CREATE INDEX index_criteria_indicator ON index_criteria (indicator_id);

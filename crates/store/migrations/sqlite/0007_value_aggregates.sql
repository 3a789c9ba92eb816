-- Approved figures pre-combined per indicator, unit and year or quarter ("2025",
-- "2025Q3"), so that rolling every indicator up over a subtree reads one row per unit
-- instead of every month. Each write of approved figures refreshes the rows it touches
-- in the same transaction; nothing here is ever stale.
CREATE TABLE value_aggregates (
    indicator_id      INTEGER NOT NULL REFERENCES indicators (id),
    unit_id           INTEGER NOT NULL REFERENCES org_units (id),
    bucket            TEXT NOT NULL,
    n                 BIGINT NOT NULL,
    total             DOUBLE PRECISION NOT NULL,
    total_numerator   DOUBLE PRECISION,
    total_denominator DOUBLE PRECISION,
    smallest          DOUBLE PRECISION NOT NULL,
    largest           DOUBLE PRECISION NOT NULL,
    last_end          DATE NOT NULL,
    -- The approved figure of the last period (the `latest` rule).
    last_value        DOUBLE PRECISION,
    last_numerator    DOUBLE PRECISION,
    last_denominator  DOUBLE PRECISION,
    PRIMARY KEY (bucket, unit_id, indicator_id)
);
CREATE INDEX value_aggregates_indicator ON value_aggregates (indicator_id, unit_id);

-- Figures approved before this table existed.
INSERT INTO value_aggregates (indicator_id, unit_id, bucket, n, total, total_numerator, total_denominator, smallest, largest, last_end)
SELECT indicator_id, unit_id, SUBSTR(period, 1, 4), COUNT(*), SUM(approved_value), SUM(approved_numerator),
       SUM(approved_denominator), MIN(approved_value), MAX(approved_value), MAX(period_end)
FROM data_values WHERE approved_value IS NOT NULL
GROUP BY indicator_id, unit_id, SUBSTR(period, 1, 4);
INSERT INTO value_aggregates (indicator_id, unit_id, bucket, n, total, total_numerator, total_denominator, smallest, largest, last_end)
SELECT indicator_id, unit_id,
       CASE WHEN LENGTH(period) = 6 THEN period
            ELSE SUBSTR(period, 1, 4) || 'Q' || CAST((CAST(SUBSTR(period, 6, 2) AS INTEGER) + 2) / 3 AS TEXT) END,
       COUNT(*), SUM(approved_value), SUM(approved_numerator),
       SUM(approved_denominator), MIN(approved_value), MAX(approved_value), MAX(period_end)
FROM data_values WHERE approved_value IS NOT NULL AND LENGTH(period) > 4
GROUP BY indicator_id, unit_id,
       CASE WHEN LENGTH(period) = 6 THEN period
            ELSE SUBSTR(period, 1, 4) || 'Q' || CAST((CAST(SUBSTR(period, 6, 2) AS INTEGER) + 2) / 3 AS TEXT) END;
UPDATE value_aggregates SET
    last_value = (SELECT d.approved_value FROM data_values d WHERE d.indicator_id = value_aggregates.indicator_id
                  AND d.unit_id = value_aggregates.unit_id AND d.period_end = value_aggregates.last_end),
    last_numerator = (SELECT d.approved_numerator FROM data_values d WHERE d.indicator_id = value_aggregates.indicator_id
                  AND d.unit_id = value_aggregates.unit_id AND d.period_end = value_aggregates.last_end),
    last_denominator = (SELECT d.approved_denominator FROM data_values d WHERE d.indicator_id = value_aggregates.indicator_id
                  AND d.unit_id = value_aggregates.unit_id AND d.period_end = value_aggregates.last_end);

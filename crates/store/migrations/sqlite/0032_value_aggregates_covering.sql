-- Every column a roll-up reads of the pre-combined figures, in the index it searches by,
-- so that a year's figures over a big subtree are read from the index alone (SQLite has
-- no INCLUDE: the columns are part of the key).
CREATE INDEX value_aggregates_covering ON value_aggregates (bucket, unit_id, indicator_id,
    n, total, total_numerator, total_denominator, smallest, largest, last_end,
    last_value, last_numerator, last_denominator);

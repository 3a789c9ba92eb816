-- Urging letters (công văn đôn đốc, issue #19): drafted for the units late on a plan's
-- tasks, marked sent with their number and date, and recorded against each unit so that
-- the next letter knows how many reminders the unit has had.
CREATE TABLE urging_letters (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans (id),
    created_by_name TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    number          TEXT,
    sent_on         DATE
);
CREATE INDEX urging_letters_plan ON urging_letters (plan_id, id);

CREATE TABLE urging_letter_units (
    letter_id INTEGER NOT NULL REFERENCES urging_letters (id),
    unit_id   INTEGER NOT NULL REFERENCES org_units (id),
    -- The how-manieth reminder this letter is for the unit.
    reminder  INTEGER NOT NULL,
    overdue   INTEGER NOT NULL,
    PRIMARY KEY (letter_id, unit_id)
);
CREATE INDEX urging_letter_units_unit ON urging_letter_units (unit_id, letter_id);

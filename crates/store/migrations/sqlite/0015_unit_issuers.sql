-- What a unit sets of the letterhead of its documents (Decree 30/2020/NĐ-CP): each
-- column NULL for the default derived from the unit's kind, name and place in the tree
-- on the document's date. Kept per unit row, so a unit that a reorganisation replaced
-- keeps the letterhead it had and its successor starts from the defaults.
CREATE TABLE unit_issuers (
    unit_id        INTEGER NOT NULL PRIMARY KEY REFERENCES org_units (id),
    -- '' for no governing body line.
    governing_body TEXT,
    -- The agency's name as printed, a line each.
    agency         TEXT,
    abbreviation   TEXT,
    place          TEXT,
    -- A line each.
    signer_title   TEXT,
    signer_name    TEXT,
    -- A recipient a line.
    recipients     TEXT,
    updated_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

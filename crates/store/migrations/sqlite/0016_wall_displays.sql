-- Wall displays: a screen in the operations centre shows one unit's dashboard through a
-- link that holds a secret, stored hashed. The link reads that dashboard and nothing else;
-- it does not expire with a session (a wall runs for months) and an administrator revokes it.
CREATE TABLE wall_displays (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    unit_id      INTEGER NOT NULL REFERENCES org_units (id),
    token_hash   TEXT NOT NULL UNIQUE,
    -- The first characters of the secret, so an administrator can tell links apart.
    prefix       TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT,
    revoked_by   TEXT
);
CREATE INDEX wall_displays_unit ON wall_displays (unit_id, id);

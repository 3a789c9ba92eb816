-- API tokens: shown once, stored hashed; each with a name, an expiry and a subset of its
-- owner's rights (read only or read-write, optionally narrowed to a unit's subtree).
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    -- The first characters of the token, so its owner can tell tokens apart.
    prefix       TEXT NOT NULL,
    -- read | read_write
    access       TEXT NOT NULL,
    unit_id      INTEGER REFERENCES org_units (id),
    expires_at   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT,
    revoked_by   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

-- Idempotency keys (issue #20): a phone that sent a change and lost the answer sends it
-- again with the same `Idempotency-Key`; the first answer is kept a day and given again,
-- so a retry never makes a second copy (nor meets its own first write as a conflict).
CREATE TABLE idempotency_keys (
    user_id      BIGINT NOT NULL REFERENCES users (id),
    idem_key     TEXT NOT NULL,
    -- The request the key was first used for: method, path and query.
    request      TEXT NOT NULL,
    -- The answer, once there is one (NULL while the first request runs).
    status       BIGINT,
    content_type TEXT,
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

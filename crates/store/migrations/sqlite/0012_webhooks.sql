-- Webhooks: endpoints an administrator registers for event types, and the durable
-- outbox of deliveries (signed, retried with backoff, never lost across restarts).
CREATE TABLE webhooks (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL,
    -- Comma-separated event types (task.submitted, data.approved, …).
    events        TEXT NOT NULL,
    -- The HMAC-SHA256 key deliveries are signed with.
    secret        TEXT NOT NULL,
    -- The administrator allowed private-network targets for this endpoint.
    allow_private BOOLEAN NOT NULL DEFAULT FALSE,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id),
    event_type      TEXT NOT NULL,
    -- Set for events that must go out once (a task overdue since a given date).
    event_key       TEXT,
    payload         TEXT NOT NULL,
    -- pending | delivered | failed
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    response_code   BIGINT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (webhook_id, event_key);

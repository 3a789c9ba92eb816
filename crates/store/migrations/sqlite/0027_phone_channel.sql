-- Urgent notices by text message (SMS, or Zalo's notification service) to an account's
-- mobile number, through the same durable outbox as e-mail: an outbox row's channel is
-- `phone` and its recipient the number. SQLite keeps a CHECK in the table's definition,
-- so the outbox is rebuilt with the wider one.
ALTER TABLE users ADD COLUMN phone TEXT;

CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'phone')),
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    dedup_key       TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
INSERT INTO outbox_new SELECT id, channel, recipient, subject, body, dedup_key, status, attempts,
    next_attempt_at, last_error, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (channel, status, next_attempt_at);

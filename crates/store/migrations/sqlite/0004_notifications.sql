-- In-app notifications, the durable e-mail outbox, and each person's e-mail choice.
ALTER TABLE users ADD COLUMN email_pref TEXT NOT NULL DEFAULT 'immediate' CHECK (email_pref IN ('immediate', 'digest', 'off'));

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    task_id    INTEGER REFERENCES tasks (id),
    title_vi   TEXT NOT NULL,
    title_en   TEXT NOT NULL,
    -- The same reminder is made once: "due7:task:42:2025-06-30", for example.
    dedup_key  TEXT,
    created_at TEXT NOT NULL,
    read_at    TEXT,
    emailed    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);
CREATE UNIQUE INDEX notifications_dedup ON notifications (user_id, dedup_key);
CREATE INDEX notifications_key ON notifications (dedup_key);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('email')),
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
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

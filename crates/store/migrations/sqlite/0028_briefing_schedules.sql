-- Scheduled briefings (issue #19): a plan's one-page briefing or progress report over a
-- unit's subtree, made on a schedule and e-mailed to named accounts that may read it.
-- Each send keeps its document (a link in the e-mail opens it behind the login) and a
-- line per recipient: queued on the outbox (its status is the delivery's), or skipped.
CREATE TABLE briefing_schedules (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plans (id),
    unit_id         INTEGER NOT NULL REFERENCES org_units (id),
    title           TEXT NOT NULL,
    -- briefing | report_pdf | report_word
    document        TEXT NOT NULL,
    -- weekly (day: 1 Monday … 7 Sunday) | before_session (day: days before, 0 … 14)
    cadence         TEXT NOT NULL,
    day             INTEGER NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_by_name TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX briefing_schedules_plan ON briefing_schedules (plan_id, id);

CREATE TABLE briefing_recipients (
    schedule_id INTEGER NOT NULL REFERENCES briefing_schedules (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    added_at    TEXT NOT NULL,
    PRIMARY KEY (schedule_id, user_id)
);

CREATE TABLE briefing_sends (
    id          INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES briefing_schedules (id),
    -- The day it was due (or sent by hand).
    due_on      DATE NOT NULL,
    -- Sent by hand ("Gửi ngay") rather than by the schedule.
    manual      BOOLEAN NOT NULL DEFAULT FALSE,
    sent_by_name TEXT,
    filename    TEXT NOT NULL,
    -- Cleared once older than the retention (the log stays).
    content     BLOB,
    created_at  TEXT NOT NULL
);
-- One scheduled send a day: a pass that runs again finds it made.
CREATE UNIQUE INDEX briefing_sends_due ON briefing_sends (schedule_id, due_on) WHERE manual = FALSE;
CREATE INDEX briefing_sends_schedule ON briefing_sends (schedule_id, id);
CREATE INDEX briefing_sends_kept ON briefing_sends (created_at) WHERE content IS NOT NULL;

CREATE TABLE briefing_deliveries (
    send_id   INTEGER NOT NULL REFERENCES briefing_sends (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    -- The name and address it went to, as they were.
    user_name TEXT NOT NULL,
    email     TEXT,
    -- The outbox message's key when queued; NULL when skipped.
    outbox_key TEXT,
    -- no_rights | no_email | inactive
    skipped   TEXT,
    PRIMARY KEY (send_id, user_id)
);
CREATE INDEX briefing_deliveries_user ON briefing_deliveries (user_id, send_id);

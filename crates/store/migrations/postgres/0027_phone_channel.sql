-- Urgent notices by text message (SMS, or Zalo's notification service) to an account's
-- mobile number, through the same durable outbox as e-mail: an outbox row's channel is
-- `phone` and its recipient the number.
ALTER TABLE users ADD COLUMN phone TEXT;

ALTER TABLE outbox DROP CONSTRAINT outbox_channel_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_channel_check CHECK (channel IN ('email', 'phone'));
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (channel, status, next_attempt_at);

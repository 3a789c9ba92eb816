-- Progress reports typed without a signal (issue #20): when the officer wrote them.
ALTER TABLE progress_reports ADD COLUMN entered_offline_at TIMESTAMPTZ;

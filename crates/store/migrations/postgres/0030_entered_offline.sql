-- Figures typed without a signal (issue #20): when the officer entered them on the phone,
-- as the phone said, kept beside the time the server received them.
ALTER TABLE data_values ADD COLUMN entered_offline_at TIMESTAMPTZ;
ALTER TABLE data_value_history ADD COLUMN entered_offline_at TIMESTAMPTZ;

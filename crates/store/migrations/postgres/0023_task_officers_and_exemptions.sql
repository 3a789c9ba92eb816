-- Decree 335/2025/NĐ-CP scores units and civil servants on their products (issue #19): a
-- task may name the officer responsible for it, and the coordinator may exempt a task's
-- delay for an objective cause, recorded with the reason and who confirmed it.
ALTER TABLE tasks ADD COLUMN officer_id BIGINT REFERENCES users (id);
ALTER TABLE tasks ADD COLUMN delay_exempt_reason TEXT;
ALTER TABLE tasks ADD COLUMN delay_exempted_by TEXT;

-- The products due in a month or a quarter, across plans, unit by unit.
CREATE INDEX tasks_due_lead ON tasks (due_date, lead_unit_id);

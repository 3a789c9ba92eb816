-- The task list's shapes read an index, not every task (issue #18):
-- the list across all plans, newest plan first, ordered by code…
CREATE INDEX tasks_newest_plan_code ON tasks (plan_id DESC, code_sort, id);
-- …and "overdue" (a deadline passed, not finished) counted from the index alone.
CREATE INDEX tasks_plan_due_status ON tasks (plan_id, due_date, status);
-- …and the list across all plans by deadline.
CREATE INDEX tasks_due_code ON tasks (due_date, code_sort, id);
-- …and a commune's or department's tasks in a plan, their lead units read from the index.
CREATE INDEX tasks_plan_lead ON tasks (plan_id, lead_unit_id);

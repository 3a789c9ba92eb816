-- A plan's tasks by deadline, and its overdue tasks, read in the order shown (issue #18):
-- the deadline index without the code beside it made the engines sort a plan's tasks of
-- each deadline again, or scan every plan's tasks by deadline for the plan's first 25.
-- The status at the end still counts "overdue" from the index alone.
DROP INDEX tasks_plan_due_status;
CREATE INDEX tasks_plan_due_code ON tasks (plan_id, due_date, code_sort, id, status);

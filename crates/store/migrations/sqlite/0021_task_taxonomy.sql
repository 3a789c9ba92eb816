-- The national task taxonomy (issue #19). A key task (nhiệm vụ trọng tâm) is flagged by the
-- plan's coordinator. The source document gains its kind and the numbered item the task
-- comes from, next to its number, date and signer. A regular task (nhiệm vụ thường xuyên)
-- needs no column: its deadline is 9999-12-31 (see dxplan_domain::task::NO_DEADLINE).
ALTER TABLE tasks ADD COLUMN key_task BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tasks ADD COLUMN assigned_doc_type TEXT
    CHECK (assigned_doc_type IN ('resolution', 'directive', 'conclusion_notice', 'decision', 'plan', 'official_letter', 'other'));
ALTER TABLE tasks ADD COLUMN assigned_doc_item TEXT;

-- A plan's key tasks in code order: the key-task filter reads only them.
CREATE INDEX tasks_plan_key ON tasks (plan_id, code_sort, id) WHERE key_task;
-- A plan's tasks by source document: the list "tasks from document X" and its completion.
CREATE INDEX tasks_plan_source ON tasks (plan_id, assigned_doc_number, status, due_date);

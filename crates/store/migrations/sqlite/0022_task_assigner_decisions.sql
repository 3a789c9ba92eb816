-- What waits on the assigner (issue #19): a completion the unit reported, to be confirmed
-- or refused, and the unit's request to hand the task back, to be accepted or rejected.
-- The day each was asked; NULL when nothing waits. The task keeps its status meanwhile.
ALTER TABLE tasks ADD COLUMN completion_reported_on DATE;
ALTER TABLE tasks ADD COLUMN decline_requested_on DATE;

-- The coordinator's "to decide" list reads only the tasks that wait.
CREATE INDEX tasks_awaiting_assigner ON tasks (plan_id, lead_unit_id)
    WHERE completion_reported_on IS NOT NULL OR decline_requested_on IS NOT NULL;

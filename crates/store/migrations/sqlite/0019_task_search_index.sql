-- A search within a plan (issue #18) reads the folded words from the index in the list's
-- order, not every task row: the count and the page's first 25 matches both come from the
-- index alone (at 3,000 tasks the count went from 0.5 to 0.3 ms, the page from a sort of a
-- third of the plan to 25 index entries). It is the newest-plan index with the words added.
-- PostgreSQL's index entries are bounded (2,704 bytes) and a long title's words may exceed
-- it, so there the heap is read as before.
DROP INDEX tasks_newest_plan_code;
CREATE INDEX tasks_newest_plan_code_search ON tasks (plan_id DESC, code_sort, id, search_folded);

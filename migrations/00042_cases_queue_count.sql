-- +goose Up
-- The queue page's total (postgres.QueueCount) counted the agent's queue
-- with one predicate, (assigned_agent_id = agent OR assigned_agent_id IS
-- NULL) AND ..., that no index served: PostgreSQL read the whole cases
-- table in parallel for every queue page (470-680 ms at 200,000 cases in
-- make bench-reference). The count is now the sum of the agent's cases and
-- the unassigned ones, each a range of this index over the queue's stages
-- alone, and every column the rest of the predicate tests is in the index:
-- an index-only scan of the queue's own entries, never the table.
CREATE INDEX cases_queue_count ON cases (assigned_agent_id, next_action_on) INCLUDE (lease_until, lease_agent_id)
    WHERE stage IN ('amicable', 'formal_notice');

-- +goose Down
DROP INDEX cases_queue_count;

-- +goose Up
-- Streams deliver the timeline in commit order. seq comes from a sequence
-- when the row is written, so a transaction may hold a lower seq and commit
-- after a higher one was already sent: "everything after the last seq"
-- would skip it for good. tx is the writing transaction's id; every
-- transaction below pg_snapshot_xmin(pg_current_snapshot()) has ended, so a
-- reader that delivers only those, ordered by (tx, seq), never sees an event
-- appear behind its cursor. seq stays the event's number (Last-Event-ID).
-- Existing rows are all committed: they come first, in their seq order.
ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT '0';
ALTER TABLE events ALTER COLUMN tx SET DEFAULT pg_current_xact_id();

CREATE INDEX events_by_tx ON events (tx, seq);
DROP INDEX events_by_case;
CREATE INDEX events_by_case ON events (case_id, tx, seq);
DROP INDEX events_shared_by_creditor;
CREATE INDEX events_shared_by_creditor ON events (creditor_id, tx, seq) WHERE visibility = 'shared';

-- +goose Down
DROP INDEX events_shared_by_creditor;
CREATE INDEX events_shared_by_creditor ON events (creditor_id, seq) WHERE visibility = 'shared';
DROP INDEX events_by_case;
CREATE INDEX events_by_case ON events (case_id, seq);
DROP INDEX events_by_tx;
ALTER TABLE events DROP COLUMN tx;

-- +goose Up
-- Notifications are derived from the timeline: the events table stays the
-- only source of what happened. What is kept here is only what each user
-- has read of them, in two parts:
--
-- notification_marks: one row per user; every event of a transaction below
-- read_below is read. "Mark all read" moves it to the stream fence
-- (pg_snapshot_xmin: every transaction below it has ended), so an event
-- that commits afterwards — whatever its number — is never taken as read.
-- A user's row is made with the account, at the creating transaction: what
-- happened before someone had an account is not news to them.
--
-- notification_reads: the events read one by one, above the mark. "Mark all
-- read" deletes those the mark now covers.
--
-- Both hold creditor data (which events of which creditor a user read):
-- row security as in 00003, by the creditor of the user (marks) and of the
-- event (reads), so a creditor's scope never reads nor writes another's.
CREATE TABLE notification_marks (
    user_id      uuid PRIMARY KEY REFERENCES users (id),
    creditor_id  uuid REFERENCES creditors (id), -- the user's, for scoping; NULL for staff
    read_below   xid8 NOT NULL DEFAULT pg_current_xact_id(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notification_reads (
    user_id      uuid NOT NULL REFERENCES users (id),
    event_seq    bigint NOT NULL REFERENCES events (seq),
    creditor_id  uuid NOT NULL REFERENCES creditors (id), -- the event's, for scoping
    read_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, event_seq)
);

-- Existing accounts start with everything before this migration read.
INSERT INTO notification_marks (user_id, creditor_id) SELECT id, creditor_id FROM users;

-- A new account gets its mark; an account moved to another creditor starts
-- afresh there (its reads of the former creditor's events stay out of the
-- new scope).
-- +goose StatementBegin
CREATE FUNCTION notification_marks_follow_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notification_marks (user_id, creditor_id) VALUES (NEW.id, NEW.creditor_id)
    ON CONFLICT (user_id) DO UPDATE
        SET creditor_id = EXCLUDED.creditor_id, read_below = pg_current_xact_id(), updated_at = now();
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER notification_marks_on_user_insert AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION notification_marks_follow_user();
CREATE TRIGGER notification_marks_on_user_creditor AFTER UPDATE OF creditor_id ON users
    FOR EACH ROW WHEN (OLD.creditor_id IS DISTINCT FROM NEW.creditor_id)
    EXECUTE FUNCTION notification_marks_follow_user();

GRANT SELECT, INSERT, UPDATE, DELETE ON notification_marks, notification_reads TO recouvra_creditor_scope;
ALTER TABLE notification_marks ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON notification_marks USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON notification_marks TO recouvra_creditor_scope
    USING (creditor_id = recouvra_scope_creditor()) WITH CHECK (creditor_id = recouvra_scope_creditor());
ALTER TABLE notification_reads ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON notification_reads USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON notification_reads TO recouvra_creditor_scope
    USING (creditor_id = recouvra_scope_creditor()) WITH CHECK (creditor_id = recouvra_scope_creditor());

-- +goose Down
DROP TRIGGER notification_marks_on_user_creditor ON users;
DROP TRIGGER notification_marks_on_user_insert ON users;
DROP FUNCTION notification_marks_follow_user();
REVOKE ALL ON notification_marks, notification_reads FROM recouvra_creditor_scope;
DROP TABLE notification_reads;
DROP TABLE notification_marks;

-- +goose Up
-- The events table's two AFTER INSERT triggers (00004 events_notify, 00027
-- webhook_queue_event) fired once per row. A placement file of a million
-- invoices writes 1.25 million events in one statement pair: as many
-- pg_notify calls and webhook_endpoints look-ups, each a PL/pgSQL call
-- (profiled with EXPLAIN ANALYZE at 200,000 rows: 9.6 s of the placement's
-- statements). They now fire once per statement over the statement's new
-- rows (a transition table), which is what they did anyway, set-based:
--  * webhook_queue_event queues the same deliveries (one per enabled
--    endpoint of the event's creditor that wants its type; never an
--    internal event: webhook_type_of answers NULL for those), in the same
--    transaction, in the events' order;
--  * events_notify sends one wake-up per statement that appended events
--    (payload: the last seq). Listeners never read the payload: they read
--    the table from where they stopped (postgres.Notifier).
DROP TRIGGER events_notify ON events;
DROP TRIGGER webhook_queue_event ON events;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last bigint;
BEGIN
    SELECT max(seq) INTO last FROM new_events;
    IF last IS NOT NULL THEN
        PERFORM pg_notify('recouvra_events', last::text);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER events_notify AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION events_notify();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION webhook_queue_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, creditor_id, event_id, type, payload, next_attempt_at, created_at, retry_until)
    SELECT e.id, n.creditor_id, n.id, n.t,
           jsonb_build_object('type', n.t,
                              'timestamp', to_char(n.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                              'data', jsonb_build_object('event_id', n.id, 'event_type', n.type, 'case_id', n.case_id,
                                                         'creditor_id', n.creditor_id, 'details', n.data)),
           n.at, n.at, n.at + interval '3 days'
      FROM (SELECT ne.*, webhook_type_of(ne.type, ne.visibility) AS t FROM new_events ne) n
      JOIN webhook_endpoints e ON e.creditor_id = n.creditor_id AND e.enabled AND e.event_types ? n.t
     WHERE n.t IS NOT NULL
     ORDER BY n.seq, e.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER webhook_queue_event AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_queue_event();

-- +goose Down
DROP TRIGGER webhook_queue_event ON events;
DROP TRIGGER events_notify ON events;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION webhook_queue_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t text := webhook_type_of(NEW.type, NEW.visibility);
BEGIN
    IF t IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_deliveries (endpoint_id, creditor_id, event_id, type, payload, next_attempt_at, created_at, retry_until)
    SELECT e.id, NEW.creditor_id, NEW.id, t,
           jsonb_build_object('type', t,
                              'timestamp', to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                              'data', jsonb_build_object('event_id', NEW.id, 'event_type', NEW.type, 'case_id', NEW.case_id,
                                                         'creditor_id', NEW.creditor_id, 'details', NEW.data)),
           NEW.at, NEW.at, NEW.at + interval '3 days'
      FROM webhook_endpoints e
     WHERE e.creditor_id = NEW.creditor_id AND e.enabled AND e.event_types ? t;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER webhook_queue_event AFTER INSERT ON events
    FOR EACH ROW WHEN (NEW.visibility = 'shared') EXECUTE FUNCTION webhook_queue_event();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('recouvra_events', NEW.seq::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_notify();

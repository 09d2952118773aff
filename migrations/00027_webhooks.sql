-- +goose Up
-- Webhooks to creditors' systems (Standard Webhooks).
--
-- webhook_endpoints: a creditor's URLs, the types each wants, the secret
-- that signs (and the previous one during a rotation's grace period).
--
-- webhook_deliveries is the outbox: one row per message and endpoint,
-- written in the transaction that writes the event it tells of (a trigger
-- on events: an INSERT … SELECT of the endpoints that want it), so the
-- event and its deliveries commit together. The body is fixed then;
-- the row's id is the webhook-id header on every attempt and replay. A
-- dispatcher on each server instance claims due rows with FOR UPDATE SKIP
-- LOCKED and a short lease, so two instances never send one row at once.
--
-- webhook_attempts: every try, with the answer's status, latency and the
-- first kilobyte of its body.
CREATE TABLE webhook_endpoints (
    id              uuid PRIMARY KEY DEFAULT uuid_v7(),
    creditor_id     uuid NOT NULL REFERENCES creditors (id),
    url             text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    event_types     jsonb NOT NULL CHECK (jsonb_typeof(event_types) = 'array' AND jsonb_array_length(event_types) > 0),
    enabled         boolean NOT NULL DEFAULT true,
    disabled_reason text NOT NULL DEFAULT '' CHECK (disabled_reason IN ('', 'manual', 'failing')),
    disabled_at     timestamptz,
    secret          text NOT NULL,
    previous_secret text NOT NULL DEFAULT '',
    previous_until  timestamptz,
    failing_since   timestamptz,
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_by_creditor ON webhook_endpoints (creditor_id) WHERE enabled;

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY DEFAULT uuid_v7(),
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id),
    creditor_id     uuid NOT NULL REFERENCES creditors (id),
    event_id        uuid REFERENCES events (id),
    type            text NOT NULL,
    payload         jsonb NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    lease_until     timestamptz,
    retry_until     timestamptz NOT NULL,
    last_status     integer,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    finished_at     timestamptz
);
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (endpoint_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);

CREATE TABLE webhook_attempts (
    id           uuid PRIMARY KEY DEFAULT uuid_v7(),
    delivery_id  uuid NOT NULL REFERENCES webhook_deliveries (id),
    creditor_id  uuid NOT NULL REFERENCES creditors (id),
    at           timestamptz NOT NULL,
    status       integer,
    latency_ms   bigint NOT NULL DEFAULT 0,
    excerpt      text NOT NULL DEFAULT '' CHECK (octet_length(excerpt) <= 1024),
    error        text NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, at);

-- Which webhook a timeline event makes: the SQL twin of
-- recouvra.WebhookTypeOf (a test compares both on every event type). Only
-- shared events — those the creditor sees on its timeline — make one.
-- +goose StatementBegin
CREATE FUNCTION webhook_type_of(event_type text, visibility text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN visibility <> 'shared' THEN NULL ELSE CASE event_type
        WHEN 'case_created' THEN 'case.placed'
        WHEN 'stage_changed' THEN 'case.stage_changed'
        WHEN 'payment_recorded' THEN 'payment.recorded'
        WHEN 'document_added' THEN 'document.produced'
        WHEN 'promise' THEN 'plan.changed'
        WHEN 'promise_kept' THEN 'plan.changed'
        WHEN 'promise_broken' THEN 'plan.changed'
        WHEN 'dispute_opened' THEN 'dispute.changed'
        WHEN 'dispute_resolved' THEN 'dispute.changed'
    END END
$$;
-- +goose StatementEnd

-- An event queues its deliveries in its own transaction, in the same
-- statement's wake: one row per enabled endpoint of the event's creditor
-- that wants the type. The body is the creditor's view of the event
-- (never who wrote it). Only the event's own creditor's endpoints.
-- +goose StatementBegin
CREATE FUNCTION webhook_queue_event() RETURNS trigger
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

-- The creditor's scope reads its own; every write goes through the
-- application role, which checks the creditor first.
GRANT SELECT ON webhook_endpoints, webhook_deliveries, webhook_attempts TO recouvra_creditor_scope;
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON webhook_endpoints USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON webhook_endpoints TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON webhook_deliveries USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON webhook_deliveries TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());
ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON webhook_attempts USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON webhook_attempts TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
DROP TRIGGER webhook_queue_event ON events;
DROP FUNCTION webhook_queue_event();
DROP FUNCTION webhook_type_of(text, text);
REVOKE ALL ON webhook_endpoints, webhook_deliveries, webhook_attempts FROM recouvra_creditor_scope;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Creditors: identity, address, contacts, bank details and the mandate
-- (CPCE R124-3).
ALTER TABLE creditors
    ADD COLUMN siren                 text NOT NULL DEFAULT '',
    ADD COLUMN siret                 text NOT NULL DEFAULT '',
    ADD COLUMN vat_number            text NOT NULL DEFAULT '',
    ADD COLUMN address_line1         text NOT NULL DEFAULT '',
    ADD COLUMN address_line2         text NOT NULL DEFAULT '',
    ADD COLUMN postal_code           text NOT NULL DEFAULT '',
    ADD COLUMN city                  text NOT NULL DEFAULT '',
    ADD COLUMN country               text NOT NULL DEFAULT 'FR' CHECK (country ~ '^[A-Z]{2}$'),
    ADD COLUMN contacts              jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN iban                  text NOT NULL DEFAULT '',
    ADD COLUMN bic                   text NOT NULL DEFAULT '',
    ADD COLUMN mandate_signed_on     date,
    ADD COLUMN commission_bps        integer NOT NULL DEFAULT 0 CHECK (commission_bps BETWEEN 0 AND 10000),
    ADD COLUMN fixed_fee_cents       bigint NOT NULL DEFAULT 0 CHECK (fixed_fee_cents >= 0),
    ADD COLUMN currency              char(3) NOT NULL DEFAULT 'EUR',
    ADD COLUMN judicial_allowed      boolean NOT NULL DEFAULT false,
    ADD COLUMN notice_deadline_days  integer NOT NULL DEFAULT 8 CHECK (notice_deadline_days BETWEEN 1 AND 90),
    ADD COLUMN legal_status          text NOT NULL DEFAULT 'business' CHECK (legal_status IN ('business', 'individual'));
CREATE INDEX creditors_siren ON creditors (siren) WHERE siren <> '';

-- Debtors may owe several creditors; a creditor sees one only through its
-- own cases.
CREATE TABLE debtors (
    id                      uuid PRIMARY KEY DEFAULT uuid_v7(),
    kind                    text NOT NULL CHECK (kind IN ('company', 'person')),
    name                    text NOT NULL CHECK (btrim(name) <> ''),
    siren                   text NOT NULL DEFAULT '',
    siret                   text NOT NULL DEFAULT '',
    vat_number              text NOT NULL DEFAULT '',
    address_line1           text NOT NULL DEFAULT '',
    address_line2           text NOT NULL DEFAULT '',
    postal_code             text NOT NULL DEFAULT '',
    city                    text NOT NULL DEFAULT '',
    country                 text NOT NULL DEFAULT 'FR' CHECK (country ~ '^[A-Z]{2}$'),
    emails                  jsonb NOT NULL DEFAULT '[]',
    phones                  jsonb NOT NULL DEFAULT '[]',
    insolvency_proceedings  text CHECK (insolvency_proceedings IN ('sauvegarde', 'redressement', 'liquidation')),
    insolvency_published_on date,
    insolvency_court        text NOT NULL DEFAULT '',
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CHECK ((insolvency_proceedings IS NULL) = (insolvency_published_on IS NULL))
);
CREATE UNIQUE INDEX debtors_siren_key ON debtors (siren) WHERE siren <> '';
CREATE INDEX debtors_name_trgm ON debtors USING gin (lower(name) gin_trgm_ops);

CREATE SEQUENCE case_number_seq;

CREATE TABLE cases (
    id                         uuid PRIMARY KEY DEFAULT uuid_v7(),
    reference                  text NOT NULL UNIQUE,
    creditor_id                uuid NOT NULL REFERENCES creditors (id),
    debtor_id                  uuid NOT NULL REFERENCES debtors (id),
    creditor_reference         text NOT NULL DEFAULT '',
    stage                      text NOT NULL DEFAULT 'amicable'
                               CHECK (stage IN ('amicable', 'formal_notice', 'injunction', 'irrecoverable', 'closed')),
    close_reason               text CHECK (close_reason IN ('paid', 'settled', 'withdrawn', 'written_off')),
    closed_at                  timestamptz,
    assigned_agent_id          uuid REFERENCES users (id),
    assigned_lawyer_id         uuid REFERENCES users (id),
    priority                   smallint NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3),
    next_action_on             date,
    open_dispute               boolean NOT NULL DEFAULT false,
    currency                   char(3) NOT NULL DEFAULT 'EUR',
    principal_cents            bigint NOT NULL DEFAULT 0,
    paid_cents                 bigint NOT NULL DEFAULT 0,
    balance_cents              bigint NOT NULL DEFAULT 0,
    amicable_reminders         integer NOT NULL DEFAULT 0,
    first_letter_reference     text NOT NULL DEFAULT '',
    first_letter_on            date,
    formal_notice_sent_on      date,
    formal_notice_deadline     date,
    formal_notice_received_on  date,
    promise_amount_cents       bigint NOT NULL DEFAULT 0,
    promise_due_on             date,
    broken_promises            integer NOT NULL DEFAULT 0,
    last_interruption_on       date,
    withdrawal_requested       boolean NOT NULL DEFAULT false,
    injunction                 jsonb NOT NULL DEFAULT '{}',
    irrecoverability           jsonb,
    lease_agent_id             uuid REFERENCES users (id),
    lease_until                timestamptz,
    version                    integer NOT NULL DEFAULT 1,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    CHECK ((stage = 'closed') = (close_reason IS NOT NULL))
);
-- Lists page by id (UUID v7: creation order), newest first.
CREATE INDEX cases_by_creditor ON cases (creditor_id, id DESC);
CREATE INDEX cases_by_stage ON cases (stage, id DESC);
CREATE INDEX cases_by_agent ON cases (assigned_agent_id, id DESC) WHERE assigned_agent_id IS NOT NULL;
CREATE INDEX cases_by_lawyer ON cases (assigned_lawyer_id, id DESC) WHERE assigned_lawyer_id IS NOT NULL;
CREATE INDEX cases_by_debtor ON cases (debtor_id);
CREATE INDEX cases_creditor_reference ON cases (creditor_reference) WHERE creditor_reference <> '';
CREATE INDEX cases_promise_due ON cases (promise_due_on) WHERE promise_due_on IS NOT NULL;
-- Releasing an agent's lease looks its cases up by holder.
CREATE INDEX cases_by_lease_holder ON cases (lease_agent_id) WHERE lease_agent_id IS NOT NULL;
-- The agents' queue: open cases of the amicable and formal-notice stages,
-- best first.
CREATE INDEX cases_queue ON cases (priority DESC, broken_promises DESC, balance_cents DESC, id)
    WHERE stage IN ('amicable', 'formal_notice');

CREATE TABLE claims (
    id              uuid PRIMARY KEY DEFAULT uuid_v7(),
    case_id         uuid NOT NULL REFERENCES cases (id),
    creditor_id     uuid NOT NULL REFERENCES creditors (id), -- the case's, for scoping
    invoice_number  text NOT NULL CHECK (btrim(invoice_number) <> ''),
    issued_on       date NOT NULL,
    due_on          date NOT NULL CHECK (due_on >= issued_on),
    amount_cents    bigint NOT NULL CHECK (amount_cents <> 0),
    vat_cents       bigint NOT NULL DEFAULT 0,
    currency        char(3) NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (case_id, invoice_number)
);
CREATE INDEX claims_invoice_number ON claims (invoice_number);

-- The timeline: one append-only log for all cases. seq orders it globally,
-- so a stream can resume from the last event a client saw.
CREATE TABLE events (
    seq               bigserial PRIMARY KEY,
    id                uuid NOT NULL UNIQUE DEFAULT uuid_v7(),
    case_id           uuid NOT NULL REFERENCES cases (id),
    creditor_id       uuid NOT NULL REFERENCES creditors (id), -- the case's, for scoping and streams
    at                timestamptz NOT NULL DEFAULT now(),
    actor_user_id     uuid REFERENCES users (id),
    actor_api_key_id  uuid REFERENCES api_keys (id),
    type              text NOT NULL,
    visibility        text NOT NULL CHECK (visibility IN ('internal', 'shared')),
    data              jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_case ON events (case_id, seq);
CREATE INDEX events_shared_by_creditor ON events (creditor_id, seq) WHERE visibility = 'shared';

-- +goose StatementBegin
CREATE FUNCTION events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- Wake the live streams: the payload is only a hint, the table is the
-- source of truth (a listener that missed a notice catches up by seq).
-- +goose StatementBegin
CREATE FUNCTION events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('recouvra_events', NEW.seq::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_notify();

-- Row-level security for creditor scopes (see 00003): reads only; a
-- creditor sees its cases, their claims, their shared events, and the
-- debtors of its cases.
GRANT SELECT ON debtors, cases, claims, events TO recouvra_creditor_scope;
ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON cases USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON cases TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());
ALTER TABLE claims ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON claims USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON claims TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON events USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON events TO recouvra_creditor_scope
    USING (creditor_id = recouvra_scope_creditor() AND visibility = 'shared');
ALTER TABLE debtors ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON debtors USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON debtors TO recouvra_creditor_scope
    USING (EXISTS (SELECT 1 FROM cases c WHERE c.debtor_id = debtors.id AND c.creditor_id = recouvra_scope_creditor()));

-- +goose Down
DROP POLICY creditor_scope ON debtors; -- it reads cases
DROP TABLE events;
DROP FUNCTION events_notify();
DROP FUNCTION events_append_only();
DROP TABLE claims;
DROP TABLE cases;
DROP SEQUENCE case_number_seq;
DROP TABLE debtors;
ALTER TABLE creditors
    DROP COLUMN siren, DROP COLUMN siret, DROP COLUMN vat_number,
    DROP COLUMN address_line1, DROP COLUMN address_line2, DROP COLUMN postal_code, DROP COLUMN city, DROP COLUMN country,
    DROP COLUMN contacts, DROP COLUMN iban, DROP COLUMN bic,
    DROP COLUMN mandate_signed_on, DROP COLUMN commission_bps, DROP COLUMN fixed_fee_cents, DROP COLUMN currency,
    DROP COLUMN judicial_allowed, DROP COLUMN notice_deadline_days, DROP COLUMN legal_status;
DROP EXTENSION IF EXISTS pg_trgm;

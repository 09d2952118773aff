-- +goose Up
-- Legal tables as data (configs/rates.csv is loaded at start when a row is
-- missing; an admin adds or corrects rows and the database row wins).
CREATE TABLE rates (
    kind          text NOT NULL CHECK (kind IN ('ecb_refi', 'legal_individual', 'legal_other', 'recovery_indemnity')),
    period_start  date NOT NULL,
    value         bigint NOT NULL CHECK (value >= 0), -- basis points; cents for the indemnity
    source        text NOT NULL CHECK (length(source) >= 3),
    updated_by    uuid REFERENCES users (id),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, period_start),
    CHECK (kind = 'recovery_indemnity' OR (extract(day FROM period_start) = 1 AND extract(month FROM period_start) IN (1, 7)))
);

-- How interest runs on each claim (NULL: the case's default).
ALTER TABLE claims
    ADD COLUMN interest_regime   text CHECK (interest_regime IN ('b2b_late_penalties', 'legal_interest', 'contractual', 'none')),
    ADD COLUMN contract_rate_bps integer NOT NULL DEFAULT 0 CHECK (contract_rate_bps BETWEEN 0 AND 10000);

-- A case closed as paid reopens where it was if a payment bounces.
ALTER TABLE cases ADD COLUMN stage_before_close text;

CREATE SEQUENCE receipt_number_seq;

CREATE TABLE payments (
    id               uuid PRIMARY KEY DEFAULT uuid_v7(),
    case_id          uuid NOT NULL REFERENCES cases (id),
    creditor_id      uuid NOT NULL REFERENCES creditors (id), -- the case's, for scoping
    amount_cents     bigint NOT NULL CHECK (amount_cents > 0),
    currency         char(3) NOT NULL,
    received_on      date NOT NULL,
    method           text NOT NULL CHECK (method IN ('transfer', 'card', 'cheque', 'cash', 'direct_to_creditor')),
    payer_reference  text NOT NULL DEFAULT '',
    claim_id         uuid REFERENCES claims (id),
    receipt_number   text NOT NULL UNIQUE, -- CPCE R124-6
    recorded_by      uuid REFERENCES users (id),
    reversed_at      timestamptz,
    reversal_reason  text NOT NULL DEFAULT '',
    reversed_by      uuid REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_by_case ON payments (case_id, received_on);

-- Idempotency-Key: the first response to a key, replayed to retries.
CREATE TABLE idempotency_keys (
    principal     text NOT NULL,
    key           text NOT NULL,
    request_hash  bytea NOT NULL,
    state         text NOT NULL CHECK (state IN ('in_flight', 'done')),
    status        integer,
    content_type  text,
    response      bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

GRANT SELECT ON rates, payments TO recouvra_creditor_scope;
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON payments USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON payments TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE payments;
DROP SEQUENCE receipt_number_seq;
ALTER TABLE cases DROP COLUMN stage_before_close;
ALTER TABLE claims DROP COLUMN contract_rate_bps, DROP COLUMN interest_regime;
DROP TABLE rates;

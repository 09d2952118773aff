-- +goose Up
-- The client account's ledger (CPCE R124-2: creditors' money sits on an
-- account used only for it). Double-entry and append-only, in integer
-- cents: a transaction (txn_id) is a set of entries whose amounts sum to
-- zero in each currency — debits positive, credits negative — checked when
-- the database transaction commits (a deferred constraint trigger), so a
-- use case writes all of a transaction's entries, in one statement or
-- several, before it is judged. An entry is never updated or deleted: a
-- reversal is a new transaction with the opposite entries.
--
-- Accounts: client_bank (the client account, an asset), agency_bank (the
-- agency's own account, where its share of a remittance goes), owed_to_creditor
-- (what is held for one creditor, a liability), agency_revenue_commission,
-- agency_revenue_fees, vat_collected, commission_receivable (commission a
-- creditor owes on payments made to it directly), creditor_direct and
-- creditor_direct_offset (a memo pair: payments made to the creditor,
-- which bring no money). The per-creditor accounts carry their creditor;
-- the others carry, where there is one, the creditor the entry is about.
-- A remittance run pays what is held for creditors (one or all), less the
-- agency's share, by one SEPA credit transfer file. draft: figures worked
-- out; booked: the ledger moved, statements and the pain.001 file made;
-- sent: the file went to the bank (then it can no longer be cancelled);
-- cancelled: before it was sent (a booked run's postings reversed). A run
-- key (the month of the monthly job, or the day and creditor of a run on
-- demand) runs once: two instances racing for it meet the unique index.
CREATE TABLE remittance_runs (
    id               uuid PRIMARY KEY,
    run_key          text NOT NULL,
    reference        text NOT NULL UNIQUE CHECK (reference ~ '^[A-Z0-9-]{1,30}$'),
    creditor_id      uuid REFERENCES creditors (id), -- NULL: every creditor
    state            text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'booked', 'sent', 'cancelled')),
    currency         char(3) NOT NULL DEFAULT 'EUR',
    transfers        integer NOT NULL DEFAULT 0 CHECK (transfers >= 0),
    total_net_cents  bigint NOT NULL DEFAULT 0 CHECK (total_net_cents >= 0),
    pain001          bytea,
    created_by       uuid REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    booked_at        timestamptz,
    sent_at          timestamptz,
    cancelled_at     timestamptz,
    CHECK (state NOT IN ('booked', 'sent') OR (booked_at IS NOT NULL AND pain001 IS NOT NULL)),
    CHECK (state <> 'sent' OR sent_at IS NOT NULL)
);
CREATE UNIQUE INDEX remittance_runs_once ON remittance_runs (run_key) WHERE state <> 'cancelled';
CREATE INDEX remittance_runs_recent ON remittance_runs (created_at DESC);

-- One creditor's part of a run: the figures frozen when the run was drawn
-- up, the account paid, the statement, and the run's state repeated for the
-- creditor's portal (which may not read the agency's runs).
CREATE TABLE remittance_run_lines (
    run_id            uuid NOT NULL REFERENCES remittance_runs (id),
    creditor_id       uuid NOT NULL REFERENCES creditors (id),
    end_to_end_id     text NOT NULL UNIQUE,
    state             text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'booked', 'sent', 'cancelled')),
    legal_name        text NOT NULL,
    iban              text NOT NULL,
    bic               text NOT NULL DEFAULT '',
    currency          char(3) NOT NULL,
    held_cents        bigint NOT NULL CHECK (held_cents > 0),
    commission_cents  bigint NOT NULL,
    direct_commission_cents bigint NOT NULL,
    fees_cents        bigint NOT NULL,
    vat_rate_bps      bigint NOT NULL,
    vat_cents         bigint NOT NULL,
    net_cents         bigint NOT NULL CHECK (net_cents > 0),
    period_from       date NOT NULL,
    period_to         date NOT NULL,
    document_id       uuid REFERENCES documents (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, creditor_id),
    CHECK (net_cents = held_cents - commission_cents - direct_commission_cents - fees_cents - vat_cents)
);
CREATE INDEX remittance_run_lines_by_creditor ON remittance_run_lines (creditor_id, created_at DESC);
GRANT SELECT ON remittance_run_lines TO recouvra_creditor_scope;
ALTER TABLE remittance_run_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON remittance_run_lines USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON remittance_run_lines TO recouvra_creditor_scope
    USING (creditor_id = recouvra_scope_creditor() AND state IN ('booked', 'sent'));
-- remittance_runs: the agency's; nothing granted to the creditor scope.

CREATE TABLE ledger_entries (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txn_id       uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('payment', 'payment_reversal', 'remittance', 'remittance_cancel')),
    account      text NOT NULL CHECK (account IN ('client_bank', 'agency_bank', 'owed_to_creditor', 'agency_revenue_commission', 'agency_revenue_fees',
                                                  'vat_collected', 'commission_receivable', 'creditor_direct', 'creditor_direct_offset')),
    creditor_id  uuid REFERENCES creditors (id),
    amount_cents bigint NOT NULL CHECK (amount_cents <> 0),
    currency     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    booked_on    date NOT NULL,
    payment_id   uuid REFERENCES payments (id),
    run_id       uuid REFERENCES remittance_runs (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (account NOT IN ('owed_to_creditor', 'commission_receivable', 'creditor_direct', 'creditor_direct_offset') OR creditor_id IS NOT NULL),
    CHECK (kind NOT IN ('payment', 'payment_reversal') OR payment_id IS NOT NULL),
    CHECK (kind NOT IN ('remittance', 'remittance_cancel') OR run_id IS NOT NULL)
);
CREATE INDEX ledger_entries_by_txn ON ledger_entries (txn_id);
CREATE INDEX ledger_entries_by_account ON ledger_entries (account, creditor_id, booked_on);
CREATE INDEX ledger_entries_by_payment ON ledger_entries (payment_id) WHERE payment_id IS NOT NULL;
-- A payment posts once, and is reversed at most once.
CREATE UNIQUE INDEX ledger_entries_one_posting ON ledger_entries (payment_id, kind, account, creditor_id)
    WHERE kind IN ('payment', 'payment_reversal');

-- +goose StatementBegin
CREATE FUNCTION ledger_txn_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT currency, sum(amount_cents) AS total INTO bad FROM ledger_entries
     WHERE txn_id = NEW.txn_id GROUP BY currency HAVING sum(amount_cents) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: % % left over', NEW.txn_id, bad.total, bad.currency
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_txn_balanced';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER ledger_txn_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_txn_balanced();

-- +goose StatementBegin
CREATE FUNCTION ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_no_update_delete BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON ledger_entries FROM PUBLIC;

-- A creditor reads its own accounts' lines, never the agency's.
GRANT SELECT ON ledger_entries TO recouvra_creditor_scope;
ALTER TABLE ledger_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON ledger_entries USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON ledger_entries TO recouvra_creditor_scope
    USING (creditor_id = recouvra_scope_creditor()
           AND account IN ('owed_to_creditor', 'commission_receivable', 'creditor_direct', 'creditor_direct_offset'));

-- The mandate may give another time to pass funds on than the month of
-- R124-6 (NULL: one month).
ALTER TABLE creditors ADD COLUMN remit_within_days integer CHECK (remit_within_days BETWEEN 1 AND 366);

-- The VAT rate on the agency's commission and fees is data, like the
-- legal rates: a value in force from the day it took effect.
ALTER TABLE rates DROP CONSTRAINT rates_kind_check;
ALTER TABLE rates ADD CONSTRAINT rates_kind_check CHECK (kind IN ('ecb_refi', 'legal_individual', 'legal_other', 'recovery_indemnity', 'vat_standard'));
ALTER TABLE rates DROP CONSTRAINT rates_check;
ALTER TABLE rates ADD CONSTRAINT rates_check
    CHECK (kind IN ('recovery_indemnity', 'vat_standard') OR (extract(day FROM period_start) = 1 AND extract(month FROM period_start) IN (1, 7)));

-- The payments recorded before the ledger, posted as the application posts
-- them (recouvra.PaymentPosting): money received on the client account is
-- held for the creditor; a payment made to the creditor directly earns the
-- mandate's commission (rounded half away from zero, as Prorata) and is
-- noted in the memo pair; a reversed payment is posted back.
INSERT INTO ledger_entries (txn_id, kind, account, creditor_id, amount_cents, currency, booked_on, payment_id)
SELECT md5(p.id::text || ':payment')::uuid, 'payment', e.account, p.creditor_id, e.amount, p.currency, p.received_on, p.id
  FROM payments p
  JOIN creditors c ON c.id = p.creditor_id
  CROSS JOIN LATERAL (VALUES
      ('client_bank', CASE WHEN p.method <> 'direct_to_creditor' THEN p.amount_cents END),
      ('owed_to_creditor', CASE WHEN p.method <> 'direct_to_creditor' THEN -p.amount_cents END),
      ('commission_receivable', CASE WHEN p.method = 'direct_to_creditor' THEN round(p.amount_cents::numeric * c.commission_bps / 10000)::bigint END),
      ('agency_revenue_commission', CASE WHEN p.method = 'direct_to_creditor' THEN -round(p.amount_cents::numeric * c.commission_bps / 10000)::bigint END),
      ('creditor_direct', CASE WHEN p.method = 'direct_to_creditor' THEN p.amount_cents END),
      ('creditor_direct_offset', CASE WHEN p.method = 'direct_to_creditor' THEN -p.amount_cents END)
  ) AS e(account, amount)
 WHERE e.amount IS NOT NULL AND e.amount <> 0;
INSERT INTO ledger_entries (txn_id, kind, account, creditor_id, amount_cents, currency, booked_on, payment_id)
SELECT md5(p.id::text || ':reversal')::uuid, 'payment_reversal', l.account, l.creditor_id, -l.amount_cents, l.currency,
       (p.reversed_at AT TIME ZONE 'Europe/Paris')::date, p.id
  FROM payments p JOIN ledger_entries l ON l.payment_id = p.id AND l.kind = 'payment'
 WHERE p.reversed_at IS NOT NULL;

-- +goose Down
DROP TABLE ledger_entries;
DROP TABLE remittance_run_lines;
DROP TABLE remittance_runs;
DROP FUNCTION ledger_append_only();
DROP FUNCTION ledger_txn_balanced();
ALTER TABLE creditors DROP COLUMN remit_within_days;
DELETE FROM rates WHERE kind = 'vat_standard';
ALTER TABLE rates DROP CONSTRAINT rates_check;
ALTER TABLE rates ADD CONSTRAINT rates_check
    CHECK (kind = 'recovery_indemnity' OR (extract(day FROM period_start) = 1 AND extract(month FROM period_start) IN (1, 7)));
ALTER TABLE rates DROP CONSTRAINT rates_kind_check;
ALTER TABLE rates ADD CONSTRAINT rates_kind_check CHECK (kind IN ('ecb_refi', 'legal_individual', 'legal_other', 'recovery_indemnity'));

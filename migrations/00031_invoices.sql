-- +goose Up
-- The agency's invoices for its commission and fees (issue 16 item 4): one
-- per creditor and remittance run, issued when the run is booked, in the
-- booking's transaction; a credit note (avoir) corrects an invoice, never an
-- edit.
--
-- Numbering (CGI 242 nonies A, 7°: a unique number "based on a chronological
-- and continuous sequence"; the administration accepts several series, e.g.
-- one per year, BOI-TVA-DECLA-30-20-20-10): one agency per Recouvra
-- installation, so one series per calendar year of the issue date
-- ("FA-2026"), invoices and credit notes together. The counter row of the
-- series is taken with INSERT … ON CONFLICT DO UPDATE … RETURNING: the row
-- stays locked until the booking's transaction ends, so a concurrent booking
-- waits for it, and a transaction that rolls back takes its increment with
-- it — no number is skipped and none is given twice. A PostgreSQL sequence
-- would not do: nextval is never rolled back, so a failed booking would
-- leave a gap.
CREATE TABLE invoice_counters (
    series      text PRIMARY KEY CHECK (series ~ '^[A-Z]{2}-[0-9]{4}$'),
    last_number bigint NOT NULL CHECK (last_number > 0)
);

-- An invoice or credit note as issued: the figures, the seller's and the
-- buyer's identities as they were that day, and the two renderings (PDF for
-- people, CII XML — EN 16931 — for machines), kept as issued.
CREATE TABLE invoices (
    id                      uuid PRIMARY KEY,
    series                  text NOT NULL REFERENCES invoice_counters (series),
    seq                     bigint NOT NULL CHECK (seq > 0),
    number                  text NOT NULL UNIQUE CHECK (number = series || '-' || CASE WHEN seq < 1000000 THEN lpad(seq::text, 6, '0') ELSE seq::text END),
    kind                    text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    corrects_id             uuid REFERENCES invoices (id),
    creditor_id             uuid NOT NULL REFERENCES creditors (id),
    run_id                  uuid NOT NULL REFERENCES remittance_runs (id),
    transfer_reference      text NOT NULL,
    issued_on               date NOT NULL,
    period_from             date NOT NULL,
    period_to               date NOT NULL CHECK (period_to >= period_from),
    currency                char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    commission_cents        bigint NOT NULL CHECK (commission_cents >= 0),
    direct_commission_cents bigint NOT NULL CHECK (direct_commission_cents >= 0),
    fees_cents              bigint NOT NULL CHECK (fees_cents >= 0),
    net_cents               bigint NOT NULL CHECK (net_cents > 0),
    vat_rate_bps            bigint NOT NULL CHECK (vat_rate_bps BETWEEN 0 AND 10000),
    vat_cents               bigint NOT NULL CHECK (vat_cents >= 0),
    gross_cents             bigint NOT NULL,
    indemnity_cents         bigint NOT NULL CHECK (indemnity_cents >= 0),
    seller                  jsonb NOT NULL,
    buyer                   jsonb NOT NULL,
    reason                  text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    pdf                     bytea NOT NULL,
    cii                     bytea NOT NULL,
    created_by              uuid REFERENCES users (id),
    created_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (series, seq),
    CHECK (net_cents = commission_cents + direct_commission_cents + fees_cents),
    CHECK (gross_cents = net_cents + vat_cents),
    CHECK ((kind = 'credit_note') = (corrects_id IS NOT NULL))
);
-- An invoice is corrected once: by one credit note.
CREATE UNIQUE INDEX invoices_credited_once ON invoices (corrects_id) WHERE corrects_id IS NOT NULL;
CREATE INDEX invoices_by_creditor ON invoices (creditor_id, issued_on DESC, seq DESC);
CREATE INDEX invoices_by_run ON invoices (run_id, creditor_id);
CREATE INDEX invoices_recent ON invoices (issued_on DESC, seq DESC);

-- +goose StatementBegin
CREATE FUNCTION invoices_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'invoices are immutable (a credit note corrects an invoice): % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER invoices_no_update_delete BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_immutable();
CREATE TRIGGER invoices_no_truncate BEFORE TRUNCATE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION invoices_immutable();
REVOKE UPDATE, DELETE, TRUNCATE ON invoices FROM PUBLIC;

-- A creditor reads its own invoices and credit notes (the portal); the
-- counters are the agency's.
GRANT SELECT ON invoices TO recouvra_creditor_scope;
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON invoices USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON invoices TO recouvra_creditor_scope
    USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
DROP TABLE invoices;
DROP TABLE invoice_counters;
DROP FUNCTION invoices_immutable();

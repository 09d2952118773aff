-- +goose Up
-- A remittance statement's figures, kept beside its PDF so the portal can
-- say how much was remitted without reading documents back. One row per
-- statement; a statement issued again for the same period replaces the
-- figures it repeats (the portfolio counts the latest per period), and
-- periods of one creditor never overlap, so no payment is remitted twice.
CREATE TABLE remittances (
    document_id       uuid PRIMARY KEY REFERENCES documents (id),
    creditor_id       uuid NOT NULL REFERENCES creditors (id),
    period_from       date NOT NULL,
    period_to         date NOT NULL CHECK (period_to >= period_from),
    currency          char(3) NOT NULL,
    collected_cents   bigint NOT NULL,
    direct_cents      bigint NOT NULL,
    commission_cents  bigint NOT NULL,
    fees_cents        bigint NOT NULL,
    net_cents         bigint NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX remittances_by_creditor ON remittances (creditor_id, period_from);

GRANT SELECT ON remittances TO recouvra_creditor_scope;
ALTER TABLE remittances ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON remittances USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON remittances TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
DROP TABLE remittances;

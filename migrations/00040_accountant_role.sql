-- +goose Up
-- The accountant (« comptable ») keeps the client account: ledger, bank
-- statements, remittance runs, invoices. It is staff: like admin, agent and
-- lawyer it belongs to no creditor (users_creditor_matches_role still
-- holds) and its work runs with the application's role, never in the
-- creditor scope of row security.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'agent', 'lawyer', 'creditor', 'accountant'));

-- +goose Down
-- Down refuses while an accountant exists: turning it into another role
-- would hand it rights it never had.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'agent', 'lawyer', 'creditor'));

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
-- An accountant cannot stay one, and turning it into another working role
-- would hand it rights it never had: it becomes an agent that is switched
-- off (an inactive user signs in to nothing) and its sessions end. An
-- admin who migrates up again gives it back its role by hand.
UPDATE sessions SET revoked_at = now()
 WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE role = 'accountant');
UPDATE users SET role = 'agent', active = false WHERE role = 'accountant';
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'agent', 'lawyer', 'creditor'));

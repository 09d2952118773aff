-- +goose Up
-- The portfolio's performance figures read a creditor's claims by the
-- month they were entered and its payments by the month received; these
-- keep a creditor's figures to its own rows instead of every creditor's.
CREATE INDEX claims_by_creditor_entered ON claims (creditor_id, created_at);
CREATE INDEX payments_by_creditor_received ON payments (creditor_id, received_on);

-- +goose Down
DROP INDEX payments_by_creditor_received;
DROP INDEX claims_by_creditor_entered;

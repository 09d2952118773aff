-- +goose Up
-- The debtors row-security policy (00004) lets a creditor's scope see a
-- debtor when one of that creditor's cases names it:
--   EXISTS (SELECT 1 FROM cases c WHERE c.debtor_id = debtors.id
--           AND c.creditor_id = recouvra_scope_creditor())
-- With an index on debtor_id alone, PostgreSQL fetched every case of the
-- debtor from the heap to test its creditor: a debtor owing many creditors
-- cost one heap visit per case for each name on a creditor's page. With the
-- creditor in the index the probe is answered by one index entry. The new
-- index also serves every lookup by debtor_id, so it replaces the old one.
CREATE INDEX cases_by_debtor_creditor ON cases (debtor_id, creditor_id);
DROP INDEX cases_by_debtor;

-- +goose Down
CREATE INDEX cases_by_debtor ON cases (debtor_id);
DROP INDEX cases_by_debtor_creditor;

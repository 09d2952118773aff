-- +goose Up
-- A claim pointed at its case and, separately, at its creditor (the
-- case's, for scoping): two foreign-key checks per claim written, each an
-- index probe and a row lock in an AFTER trigger. Placing a file of a
-- million invoices made two million of them (profiled with EXPLAIN ANALYZE
-- at 200,000 rows: 12.4 s, a sixth of the claims-and-events statement).
-- One composite key now says both, and says more: the claim's creditor IS
-- its case's creditor (the two could differ before), and the creditor
-- exists because the case's does (cases.creditor_id references creditors).
-- It is also the shape the distribution plan needs (docs/scaling.md: a
-- foreign key between co-located tables includes creditor_id).
--
-- The key needs a unique index on cases (creditor_id, id); it replaces
-- cases_by_creditor (creditor_id, id DESC), which served the same queries
-- (a creditor's cases by id, either way: a B-tree is walked backwards as
-- well as forwards), so cases keep the same number of indexes.
CREATE UNIQUE INDEX cases_creditor_id_id_key ON cases (creditor_id, id);
DROP INDEX cases_by_creditor;
ALTER TABLE claims
    DROP CONSTRAINT claims_case_id_fkey,
    DROP CONSTRAINT claims_creditor_id_fkey,
    ADD CONSTRAINT claims_case_fkey FOREIGN KEY (creditor_id, case_id) REFERENCES cases (creditor_id, id);

-- +goose Down
ALTER TABLE claims
    DROP CONSTRAINT claims_case_fkey,
    ADD CONSTRAINT claims_case_id_fkey FOREIGN KEY (case_id) REFERENCES cases (id),
    ADD CONSTRAINT claims_creditor_id_fkey FOREIGN KEY (creditor_id) REFERENCES creditors (id);
CREATE INDEX cases_by_creditor ON cases (creditor_id, id DESC);
DROP INDEX cases_creditor_id_id_key;

-- +goose Up
-- Row-level security: the last wall of creditor isolation. Every query made
-- for a creditor principal already filters on its creditor in the
-- application; on top of that, such queries run in a transaction that
-- switches to the role recouvra_creditor_scope (SET LOCAL ROLE) and names
-- the creditor in the setting recouvra.creditor_id. For that role,
-- PostgreSQL itself hides every row of another creditor — a query that
-- forgot its filter still returns nothing foreign. The application's own
-- role is unaffected (policy app_role below).
--
-- Roles belong to the cluster, not the database: the role is created once
-- and left in place by the down migration (other databases of the cluster
-- may still use it). Creating it needs CREATEROLE; where the migrating role
-- lacks it, a DBA creates recouvra_creditor_scope (NOLOGIN) beforehand.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'recouvra_creditor_scope') THEN
        CREATE ROLE recouvra_creditor_scope NOLOGIN;
    END IF;
END
$$;
-- +goose StatementEnd
-- The application role must be able to SET ROLE to it.
GRANT recouvra_creditor_scope TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO recouvra_creditor_scope;

-- The creditor in scope, or NULL (then nothing is visible).
-- +goose StatementBegin
CREATE FUNCTION recouvra_scope_creditor() RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT NULLIF(current_setting('recouvra.creditor_id', true), '')::uuid
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION recouvra_scope_creditor() TO recouvra_creditor_scope;

GRANT SELECT ON creditors TO recouvra_creditor_scope;
ALTER TABLE creditors ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON creditors USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON creditors TO recouvra_creditor_scope USING (id = recouvra_scope_creditor());

-- +goose Down
DROP POLICY creditor_scope ON creditors;
DROP POLICY app_role ON creditors;
ALTER TABLE creditors DISABLE ROW LEVEL SECURITY;
REVOKE SELECT ON creditors FROM recouvra_creditor_scope;
REVOKE EXECUTE ON FUNCTION recouvra_scope_creditor() FROM recouvra_creditor_scope;
DROP FUNCTION recouvra_scope_creditor();
REVOKE USAGE ON SCHEMA public FROM recouvra_creditor_scope;

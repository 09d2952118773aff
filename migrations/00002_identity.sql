-- +goose Up
-- Creditors: the agency's clients. Their full record (identifiers, address,
-- bank details, mandate) arrives with the case lifecycle; identity needs
-- them already, because a creditor user and an API key belong to one.
CREATE TABLE creditors (
    id          uuid PRIMARY KEY DEFAULT uuid_v7(),
    legal_name  text NOT NULL CHECK (btrim(legal_name) <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT uuid_v7(),
    email          text NOT NULL CHECK (email <> ''),
    name           text NOT NULL CHECK (btrim(name) <> ''),
    role           text NOT NULL CHECK (role IN ('admin', 'agent', 'lawyer', 'creditor')),
    creditor_id    uuid REFERENCES creditors (id),
    active         boolean NOT NULL DEFAULT true,
    password_hash  text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz,
    -- a creditor user belongs to exactly one creditor; staff to none
    CONSTRAINT users_creditor_matches_role CHECK ((role = 'creditor') = (creditor_id IS NOT NULL))
);
-- E-mail addresses are unique whatever their case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_creditor ON users (creditor_id) WHERE creditor_id IS NOT NULL;

-- Sign-in sessions. Only the SHA-256 of the bearer token is kept.
CREATE TABLE sessions (
    id          uuid PRIMARY KEY DEFAULT uuid_v7(),
    user_id     uuid NOT NULL REFERENCES users (id),
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    client_ip   text NOT NULL DEFAULT '',
    user_agent  text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- API keys for creditors' systems. Only the SHA-256 of the key is kept.
CREATE TABLE api_keys (
    id            uuid PRIMARY KEY DEFAULT uuid_v7(),
    creditor_id   uuid NOT NULL REFERENCES creditors (id),
    name          text NOT NULL CHECK (btrim(name) <> ''),
    prefix        text NOT NULL,
    key_hash      bytea NOT NULL UNIQUE,
    created_by    uuid REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_keys_creditor ON api_keys (creditor_id, created_at);

-- The audit log: who did what, when, from where. No foreign keys: it must
-- outlive what it mentions. Append-only, enforced below.
CREATE TABLE audit_log (
    id                uuid PRIMARY KEY DEFAULT uuid_v7(),
    at                timestamptz NOT NULL DEFAULT now(),
    action            text NOT NULL,
    actor_user_id     uuid,
    actor_api_key_id  uuid,
    email             text NOT NULL DEFAULT '',  -- the account a sign-in event concerns
    target_type       text NOT NULL DEFAULT '',
    target_id         uuid,
    client_ip         text NOT NULL DEFAULT '',
    user_agent        text NOT NULL DEFAULT '',
    details           jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_recent ON audit_log (at DESC, id DESC);
-- Sign-in throttling counts recent failures per account and per address.
CREATE INDEX audit_log_signin_by_email ON audit_log (lower(email), at) WHERE action IN ('auth.login', 'auth.login_failed');
CREATE INDEX audit_log_failures_by_ip ON audit_log (client_ip, at) WHERE action = 'auth.login_failed';

-- The application may only ever add to the audit log. A trigger, unlike a
-- REVOKE, also binds the table's owner and superusers, which is what the
-- application connects as in development.
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE creditors;

-- +goose Up
-- The debtor's own page (issue 15): one capability link per case.
--
-- The token itself is never stored. It is derived, when a letter or an
-- e-mail needs it, as HMAC-SHA-256(server secret, case id ‖ version) cut to
-- 128 bits (app.debtorToken), so a letter produced again later prints the
-- same link; only its SHA-256 is kept here, to find the case from a link.
-- Revoking stamps revoked_at; issuing again bumps version, which derives
-- another token (the old one no longer matches any hash). A link works only
-- while its case is open: closing the case ends it without touching this row.
-- The agency's own security data: not granted to the creditor scope at all
-- (like users and API keys), so it needs no row-level security.
CREATE TABLE debtor_links (
    case_id     uuid PRIMARY KEY REFERENCES cases (id),
    version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    issued_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    revoked_by  uuid REFERENCES users (id)
);
COMMENT ON TABLE debtor_links IS 'capability link of a case''s debtor page: the SHA-256 of the token only; the token is derived from the server secret, the case id and version';
-- Throttling of wrong links counts recent refusals per client address.
CREATE INDEX audit_log_debtor_link_refusals ON audit_log (client_ip, at) WHERE action = 'debtor_link.refused';

-- +goose Down
DROP INDEX audit_log_debtor_link_refusals;
DROP TABLE debtor_links;

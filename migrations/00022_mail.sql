-- +goose Up
-- Outgoing e-mail (internal/mail through the app's Mailer port).
--
-- mail_messages is the outbox: a row is written in the transaction that
-- asks for the mail (a payment recorded, a staff member sending a letter),
-- so the request and its mail commit together; a river job then delivers
-- it, retrying temporary SMTP failures with backoff. A row is delivered at
-- most once: the sender holds the row's lock while it talks to the SMTP
-- server and marks it sent in the same transaction. source_key makes the
-- request idempotent (one receipt mail per payment, one mail per document
-- and address). The Message-ID is chosen when the row is written and sent
-- unchanged on every attempt.
CREATE TABLE mail_messages (
    id             uuid PRIMARY KEY DEFAULT uuid_v7(),
    case_id        uuid NOT NULL REFERENCES cases (id),
    creditor_id    uuid NOT NULL REFERENCES creditors (id),
    debtor_id      uuid NOT NULL REFERENCES debtors (id),
    kind           text NOT NULL CHECK (kind IN ('payment_receipt', 'amicable_letter')),
    source_key     text NOT NULL UNIQUE,
    payment_id     uuid REFERENCES payments (id),
    document_id    uuid REFERENCES documents (id), -- the attachment; a receipt's is made when it is first sent
    requested_by   uuid REFERENCES users (id),
    recipient      text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    reply_to       text NOT NULL DEFAULT '',
    language       text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
    message_id     text NOT NULL UNIQUE,
    subject        text NOT NULL DEFAULT '',
    text_body      text NOT NULL DEFAULT '',
    html_body      text NOT NULL DEFAULT '',
    state          text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'refused', 'failed')),
    attempts       integer NOT NULL DEFAULT 0,
    last_error     text NOT NULL DEFAULT '',
    smtp_code      integer,
    created_at     timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz,
    finished_at    timestamptz
);
CREATE INDEX mail_messages_case ON mail_messages (case_id, created_at);
CREATE INDEX mail_messages_queued ON mail_messages (created_at) WHERE state = 'queued';

-- Addresses an SMTP server refused for good (5xx): no mail goes to them
-- again until someone corrects the debtor's address. The agency's data
-- about a debtor (who may owe several creditors): not in a creditor's scope.
CREATE TABLE debtor_bad_emails (
    debtor_id   uuid NOT NULL REFERENCES debtors (id),
    email       text NOT NULL,
    reason      text NOT NULL,
    smtp_code   integer,
    message_id  text NOT NULL DEFAULT '',
    marked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (debtor_id, email)
);

GRANT SELECT ON mail_messages TO recouvra_creditor_scope;
ALTER TABLE mail_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON mail_messages USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON mail_messages TO recouvra_creditor_scope
    USING (creditor_id = recouvra_scope_creditor());
-- debtor_bad_emails is the agency's: not granted to the creditor scope at
-- all (like users and API keys), so it needs no row-level security.

-- +goose Down
REVOKE ALL ON mail_messages FROM recouvra_creditor_scope;
DROP TABLE debtor_bad_emails;
DROP TABLE mail_messages;

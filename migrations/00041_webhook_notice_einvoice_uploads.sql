-- +goose Up
-- A webhook endpoint disabled after three days of failures is told to its
-- creditor, in the transaction that disables it:
--
-- * in the bell: notifications are timeline events, and this one is about
--   the creditor, not a case. events.case_id may now be NULL for this one
--   event type alone (the constraint is NOT VALID only because every row
--   already written has a case: new rows are checked). Timelines, queues
--   and exports read events by case and never see it; the bell joins
--   cases LEFT; the live stream carries it (the bell's count follows it),
--   its case_id the nil UUID.
-- * by e-mail: a mail to each of the creditor's active users, through the
--   outbox, like a digest (to a user, no case, no debtor), once per
--   disabling (its source key names the endpoint and the moment).
ALTER TABLE events
    ALTER COLUMN case_id DROP NOT NULL,
    ADD CONSTRAINT events_case_or_creditor_notice CHECK (case_id IS NOT NULL OR type = 'webhook_endpoint_disabled') NOT VALID;

ALTER TABLE mail_messages
    DROP CONSTRAINT mail_messages_kind_check,
    ADD CONSTRAINT mail_messages_kind_check CHECK (kind IN ('payment_receipt', 'amicable_letter', 'notification_digest', 'webhook_disabled')),
    DROP CONSTRAINT mail_messages_addressee,
    ADD CONSTRAINT mail_messages_addressee CHECK (CASE
        WHEN kind = 'notification_digest'
        THEN user_id IS NOT NULL AND digest_below IS NOT NULL AND case_id IS NULL AND debtor_id IS NULL
             AND payment_id IS NULL AND document_id IS NULL
        WHEN kind = 'webhook_disabled'
        THEN user_id IS NOT NULL AND creditor_id IS NOT NULL AND digest_below IS NULL AND case_id IS NULL AND debtor_id IS NULL
             AND payment_id IS NULL AND document_id IS NULL
        ELSE case_id IS NOT NULL AND creditor_id IS NOT NULL AND debtor_id IS NOT NULL
             AND user_id IS NULL AND digest_below IS NULL END);

-- The record of each electronic-invoice upload (POST /api/v1/e-invoices),
-- placed or refused, for the portal's list: when, by whom, which files,
-- what became of each invoice, the cases touched and, for a refused one
-- (nothing placed: uploads are all or nothing), every reason. A refused
-- upload is recorded after its transaction rolled back.
CREATE TABLE einvoice_uploads (
    id                  uuid PRIMARY KEY DEFAULT uuid_v7(),
    creditor_id         uuid NOT NULL REFERENCES creditors (id),
    created_by          uuid REFERENCES users (id),
    created_by_api_key  uuid REFERENCES api_keys (id),
    by_label            text NOT NULL DEFAULT '',   -- the user's e-mail, or the API key's name, as it was then
    created_at          timestamptz NOT NULL DEFAULT now(),
    outcome             text NOT NULL CHECK (outcome IN ('placed', 'refused')),
    files               jsonb NOT NULL DEFAULT '[]',  -- [{name, size_bytes}]
    placed_count        integer NOT NULL DEFAULT 0,
    present_count       integer NOT NULL DEFAULT 0,
    refused_count       integer NOT NULL DEFAULT 0,
    cases_created       integer NOT NULL DEFAULT 0,
    invoices            jsonb NOT NULL DEFAULT '[]',  -- [{number, file, status, case_id, case_reference, new_case, amount_cents, currency}]
    refusals            jsonb NOT NULL DEFAULT '[]'   -- [{file, element, reason}]
);
CREATE INDEX einvoice_uploads_by_creditor ON einvoice_uploads (creditor_id, id DESC);

GRANT SELECT ON einvoice_uploads TO recouvra_creditor_scope;
ALTER TABLE einvoice_uploads ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON einvoice_uploads USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON einvoice_uploads TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
REVOKE ALL ON einvoice_uploads FROM recouvra_creditor_scope;
DROP TABLE einvoice_uploads;
DELETE FROM mail_messages WHERE kind = 'webhook_disabled';
ALTER TABLE mail_messages
    DROP CONSTRAINT mail_messages_addressee,
    DROP CONSTRAINT mail_messages_kind_check,
    ADD CONSTRAINT mail_messages_kind_check CHECK (kind IN ('payment_receipt', 'amicable_letter', 'notification_digest')),
    ADD CONSTRAINT mail_messages_addressee CHECK (CASE WHEN kind = 'notification_digest'
        THEN user_id IS NOT NULL AND digest_below IS NOT NULL AND case_id IS NULL AND debtor_id IS NULL
             AND payment_id IS NULL AND document_id IS NULL
        ELSE case_id IS NOT NULL AND creditor_id IS NOT NULL AND debtor_id IS NOT NULL
             AND user_id IS NULL AND digest_below IS NULL END);
-- Events are append-only: the notices stay, so case_id stays nullable.
ALTER TABLE events DROP CONSTRAINT events_case_or_creditor_notice;

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

-- +goose Down
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

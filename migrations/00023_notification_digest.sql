-- +goose Up
-- The daily e-mail digest of in-app notifications (internal/app/digest.go).
--
-- Each person may ask for it (users.notification_digest, off by default),
-- in French or English (users.notification_language). A creditor chooses
-- how the agency tells it of each payment (CPCE R124-5): by the portal's
-- notifications only, or also by the daily digest, which then carries the
-- payments to every active user of that creditor, asked or not.
ALTER TABLE users
    ADD COLUMN notification_digest boolean NOT NULL DEFAULT false,
    ADD COLUMN notification_language text NOT NULL DEFAULT 'fr' CHECK (notification_language IN ('fr', 'en'));
ALTER TABLE creditors
    ADD COLUMN payment_reports text NOT NULL DEFAULT 'portal' CHECK (payment_reports IN ('portal', 'digest'));

-- A digest is a mail to a user, not about a case: the outbox takes a third
-- kind whose case and debtor are empty and whose user is set; the mails
-- about a case keep their case, creditor and debtor. digest_below is the
-- fence the digest covers: the notifications of transactions below it (and
-- at or above the previous digest's fence) — the next digest starts there.
ALTER TABLE mail_messages
    ALTER COLUMN case_id DROP NOT NULL,
    ALTER COLUMN creditor_id DROP NOT NULL,
    ALTER COLUMN debtor_id DROP NOT NULL,
    ADD COLUMN user_id uuid REFERENCES users (id),
    ADD COLUMN digest_below xid8,
    DROP CONSTRAINT mail_messages_kind_check,
    ADD CONSTRAINT mail_messages_kind_check CHECK (kind IN ('payment_receipt', 'amicable_letter', 'notification_digest')),
    ADD CONSTRAINT mail_messages_addressee CHECK (CASE WHEN kind = 'notification_digest'
        THEN user_id IS NOT NULL AND digest_below IS NOT NULL AND case_id IS NULL AND debtor_id IS NULL
             AND payment_id IS NULL AND document_id IS NULL
        ELSE case_id IS NOT NULL AND creditor_id IS NOT NULL AND debtor_id IS NOT NULL
             AND user_id IS NULL AND digest_below IS NULL END);
CREATE INDEX mail_messages_user ON mail_messages (user_id, created_at) WHERE user_id IS NOT NULL;

-- Row security stays that of 00022 (creditor_id = the scope's creditor):
-- a digest's creditor_id is always its user's — the creditor's person's
-- digest is that creditor's row, a staff member's (NULL) no creditor's —
-- set here from the user, whatever the writer said.
-- +goose StatementBegin
CREATE FUNCTION mail_messages_digest_creditor() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'notification_digest' THEN
        NEW.creditor_id := (SELECT creditor_id FROM users WHERE id = NEW.user_id);
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER mail_messages_digest_creditor BEFORE INSERT OR UPDATE OF user_id, creditor_id, kind ON mail_messages
    FOR EACH ROW EXECUTE FUNCTION mail_messages_digest_creditor();

-- +goose Down
DROP TRIGGER mail_messages_digest_creditor ON mail_messages;
DROP FUNCTION mail_messages_digest_creditor();
DELETE FROM mail_messages WHERE kind = 'notification_digest';
DROP INDEX mail_messages_user;
ALTER TABLE mail_messages
    DROP CONSTRAINT mail_messages_addressee,
    DROP CONSTRAINT mail_messages_kind_check,
    ADD CONSTRAINT mail_messages_kind_check CHECK (kind IN ('payment_receipt', 'amicable_letter')),
    DROP COLUMN digest_below,
    DROP COLUMN user_id,
    ALTER COLUMN debtor_id SET NOT NULL,
    ALTER COLUMN creditor_id SET NOT NULL,
    ALTER COLUMN case_id SET NOT NULL;
ALTER TABLE creditors DROP COLUMN payment_reports;
ALTER TABLE users DROP COLUMN notification_language, DROP COLUMN notification_digest;

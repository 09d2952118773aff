-- +goose Up
-- The invoice a credit note corrects: the note reduces that invoice rather
-- than the oldest due (the statement), and an invoice credit notes cancel
-- in full owes no D441-5 indemnity. That it is a credit note naming an
-- invoice of the same case is checked by the application on entry
-- (recouvra.ResolveCorrections); the key is deferred so that a note may be
-- listed before its invoice in one request.
ALTER TABLE claims ADD COLUMN corrects uuid
    REFERENCES claims (id) DEFERRABLE INITIALLY DEFERRED
    CHECK (corrects <> id);
CREATE INDEX claims_corrects ON claims (corrects) WHERE corrects IS NOT NULL;

-- +goose Down
ALTER TABLE claims DROP COLUMN corrects;

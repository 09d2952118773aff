-- +goose Up
-- What a court filing must say of the creditor beyond its name and address
-- (CPC 57 and 1407): for a company its legal form, the register it is
-- entered in ("RCS Lyon"; the number is the SIREN) and its legal
-- representative with the capacity they act in; for a person, profession,
-- nationality, date and place of birth. Empty until an admin enters them.
-- The creditors table keeps its row security (00003): the policies and the
-- grant to recouvra_creditor_scope are on the table, so they cover these
-- columns too.
ALTER TABLE creditors
    ADD COLUMN legal_form            text NOT NULL DEFAULT '',
    ADD COLUMN registry              text NOT NULL DEFAULT '',
    ADD COLUMN representative_name   text NOT NULL DEFAULT '',
    ADD COLUMN representative_title  text NOT NULL DEFAULT '',
    ADD COLUMN profession            text NOT NULL DEFAULT '',
    ADD COLUMN nationality           text NOT NULL DEFAULT '',
    ADD COLUMN born_on               date,
    ADD COLUMN born_in               text NOT NULL DEFAULT '';

-- The bar an avocat is registered with ("Barreau de Lyon"); empty for
-- anyone else. An avocat files without a special power (CPC 416).
ALTER TABLE users ADD COLUMN bar text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN bar;
ALTER TABLE creditors
    DROP COLUMN legal_form, DROP COLUMN registry, DROP COLUMN representative_name, DROP COLUMN representative_title,
    DROP COLUMN profession, DROP COLUMN nationality, DROP COLUMN born_on, DROP COLUMN born_in;

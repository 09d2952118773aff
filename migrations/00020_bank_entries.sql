-- +goose Up
-- Bank statements imported (camt.053, CFONB 120) and their entries. An
-- entry is known by its account, statement and the bank's reference within
-- the statement: importing a file again inserts nothing twice, and an entry
-- books at most one payment (payment_id is unique and written in the
-- payment's own transaction).
CREATE TABLE bank_imports (
    id           uuid PRIMARY KEY,
    format       text NOT NULL CHECK (format IN ('camt.053', 'cfonb120')),
    file_name    text NOT NULL DEFAULT '',
    entries      integer NOT NULL CHECK (entries >= 0),
    duplicates   integer NOT NULL CHECK (duplicates >= 0),
    imported_by  uuid REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bank_entries (
    id                 uuid PRIMARY KEY,
    import_id          uuid NOT NULL REFERENCES bank_imports (id),
    account            text NOT NULL,
    statement_id       text NOT NULL,
    entry_ref          text NOT NULL,
    end_to_end_id      text NOT NULL DEFAULT '',
    booked_on          date NOT NULL,
    value_on           date NOT NULL,
    amount_cents       bigint NOT NULL CHECK (amount_cents > 0),
    currency           char(3) NOT NULL,
    credit             boolean NOT NULL,
    reversal           boolean NOT NULL DEFAULT false,
    unstructured       text NOT NULL DEFAULT '',
    structured         text NOT NULL DEFAULT '',
    debtor_name        text NOT NULL DEFAULT '',
    debtor_iban        text NOT NULL DEFAULT '',
    position           text NOT NULL DEFAULT '', -- where it was in the file
    -- pending: imported, not yet matched; booked: a payment was recorded
    -- (payment_id); unmatched: waits in the queue; rejected: set aside by a
    -- person; reversal: reversed the payment of reverses_entry_id;
    -- reversed: its payment was reversed by a later entry; ignored: a debit
    -- that is no reversal (fees, transfers out).
    status             text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'booked', 'unmatched', 'rejected', 'reversal', 'reversed', 'ignored')),
    case_id            uuid REFERENCES cases (id),
    creditor_id        uuid REFERENCES creditors (id), -- the case's, for scoping
    payment_id         uuid UNIQUE REFERENCES payments (id),
    reverses_entry_id  uuid UNIQUE REFERENCES bank_entries (id),
    match_rule         text NOT NULL DEFAULT '',
    confidence         smallint NOT NULL DEFAULT 0 CHECK (confidence BETWEEN 0 AND 100),
    note               text NOT NULL DEFAULT '',
    decided_by         uuid REFERENCES users (id),
    decided_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account, statement_id, entry_ref),
    CHECK ((status = 'booked' OR status = 'reversed') = (payment_id IS NOT NULL)),
    CHECK (status NOT IN ('booked', 'reversed') OR case_id IS NOT NULL)
);
CREATE INDEX bank_entries_by_status ON bank_entries (status, id);
-- A returned transfer finds the credit it returns.
CREATE INDEX bank_entries_booked_by_e2e ON bank_entries (account, end_to_end_id) WHERE status = 'booked' AND end_to_end_id <> '';
-- A payer's account, once booked to a case, suggests that case again.
CREATE INDEX bank_entries_by_debtor_iban ON bank_entries (debtor_iban) WHERE debtor_iban <> '' AND case_id IS NOT NULL;

-- The agency's own account: staff only. Nothing is granted to the
-- creditor scope (00003): its reads of either table are refused outright,
-- as for users and API keys (TestEveryCreditorTableIsWalled checks it).

-- +goose Down
DROP TABLE bank_entries;
DROP TABLE bank_imports;

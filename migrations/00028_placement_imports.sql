-- +goose Up
-- Bulk placement files (CSV, XLSX): an upload, its column mapping, and its
-- rows staged by COPY before the placement's set-based INSERT … SELECT.

-- The mapping a creditor last used: field name → column header, offered
-- again when its next file has the same headers.
CREATE TABLE import_mappings (
    creditor_id  uuid PRIMARY KEY REFERENCES creditors (id),
    mapping      jsonb NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE imports (
    id                 uuid PRIMARY KEY DEFAULT uuid_v7(),
    creditor_id        uuid NOT NULL REFERENCES creditors (id),
    created_by         uuid REFERENCES users (id),
    created_by_api_key uuid REFERENCES api_keys (id),
    file_name          text NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('csv', 'xlsx')),
    encoding           text NOT NULL DEFAULT '',
    separator          text NOT NULL DEFAULT '',
    content            bytea NOT NULL,
    headers            jsonb NOT NULL DEFAULT '[]',
    mapping            jsonb NOT NULL DEFAULT '{}',
    status             text NOT NULL DEFAULT 'uploaded'
                       CHECK (status IN ('uploaded', 'queued', 'running', 'done', 'failed')),
    total_rows         integer NOT NULL DEFAULT 0,
    processed_rows     integer NOT NULL DEFAULT 0,
    placed_rows        integer NOT NULL DEFAULT 0,
    present_rows       integer NOT NULL DEFAULT 0,
    refused_rows       integer NOT NULL DEFAULT 0,
    cases_created      integer NOT NULL DEFAULT 0,
    error              text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz,
    finished_at        timestamptz
);
CREATE INDEX imports_by_creditor ON imports (creditor_id, id DESC);

-- One row per line of the file: the cells as read (for the refused-rows
-- file), the values parsed, and what became of it. Placed and
-- already-present rows are deleted once the placement commits; refused
-- ones stay for the download.
CREATE TABLE import_rows (
    import_id       uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line            integer NOT NULL,
    creditor_id     uuid NOT NULL REFERENCES creditors (id),
    status          text NOT NULL CHECK (status IN ('valid', 'refused', 'placed', 'present')),
    reason          text NOT NULL DEFAULT '',
    group_key       text NOT NULL DEFAULT '',
    debtor_name     text NOT NULL DEFAULT '',
    siren           text NOT NULL DEFAULT '',
    siret           text NOT NULL DEFAULT '',
    address         text NOT NULL DEFAULT '',
    postal_code     text NOT NULL DEFAULT '',
    city            text NOT NULL DEFAULT '',
    email           text NOT NULL DEFAULT '',
    phone           text NOT NULL DEFAULT '',
    reference       text NOT NULL DEFAULT '',
    invoice_number  text NOT NULL DEFAULT '',
    issued_on       text NOT NULL DEFAULT '', -- as written in the file
    due_on          text NOT NULL DEFAULT '',
    amount          text NOT NULL DEFAULT '',
    vat             text NOT NULL DEFAULT '',
    currency        text NOT NULL DEFAULT '',
    issued_date     date,                     -- as read
    due_date        date,
    amount_cents    bigint,
    vat_cents       bigint,
    PRIMARY KEY (import_id, line)
);
-- Claims already placed are found by the creditor's reference and the
-- invoice number.
CREATE INDEX claims_by_creditor_invoice ON claims (creditor_id, invoice_number);

GRANT SELECT ON import_mappings, imports, import_rows TO recouvra_creditor_scope;
ALTER TABLE import_mappings ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON import_mappings USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON import_mappings TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());
ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON imports USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON imports TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());
ALTER TABLE import_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON import_rows USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON import_rows TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
REVOKE ALL ON import_mappings, imports, import_rows FROM recouvra_creditor_scope;
DROP INDEX claims_by_creditor_invoice;
DROP TABLE import_rows;
DROP TABLE imports;
DROP TABLE import_mappings;

-- +goose Up
-- Electronic invoices received (Factur-X, CII, UBL): what each was read
-- as, beside the claim it became and the original file kept as the
-- invoice's exhibit. A creditor's invoice number is placed once (the
-- seller numbers its invoices uniquely, CGI 242 nonies A).

-- The original UBL or CII file is kept as it came: XML joins the types a
-- document may have.
ALTER TABLE documents DROP CONSTRAINT documents_media_type_check;
ALTER TABLE documents ADD CONSTRAINT documents_media_type_check
    CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg', 'application/xml'));

CREATE TABLE einvoices (
    id              uuid PRIMARY KEY DEFAULT uuid_v7(),
    creditor_id     uuid NOT NULL REFERENCES creditors (id),
    case_id         uuid NOT NULL REFERENCES cases (id),
    claim_id        uuid NOT NULL REFERENCES claims (id),
    document_id     uuid NOT NULL REFERENCES documents (id),
    syntax          text NOT NULL CHECK (syntax IN ('factur-x', 'cii', 'ubl')),
    profile         text NOT NULL,              -- BT-24 as written
    invoice_number  text NOT NULL,              -- BT-1
    type_code       integer NOT NULL,           -- BT-3 (UNTDID 1001)
    issued_on       date NOT NULL,              -- BT-2
    due_on          date NOT NULL,              -- BT-9
    currency        char(3) NOT NULL,           -- BT-5
    net_cents       bigint NOT NULL,            -- BT-109
    vat_cents       bigint NOT NULL,            -- BT-110
    gross_cents     bigint NOT NULL,            -- BT-112
    prepaid_cents   bigint NOT NULL DEFAULT 0,  -- BT-113
    due_cents       bigint NOT NULL,            -- BT-115, the claim's amount
    payment_terms   text NOT NULL DEFAULT '',   -- BT-20
    seller_name     text NOT NULL,
    seller_siren    text NOT NULL,
    buyer_name      text NOT NULL,
    buyer_siren     text NOT NULL DEFAULT '',
    file_name       text NOT NULL,
    created_by          uuid REFERENCES users (id),
    created_by_api_key  uuid REFERENCES api_keys (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (creditor_id, invoice_number)
);
CREATE INDEX einvoices_by_case ON einvoices (case_id);

GRANT SELECT ON einvoices TO recouvra_creditor_scope;
ALTER TABLE einvoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON einvoices USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON einvoices TO recouvra_creditor_scope USING (creditor_id = recouvra_scope_creditor());

-- +goose Down
REVOKE ALL ON einvoices FROM recouvra_creditor_scope;
DROP TABLE einvoices;
-- XML documents may exist by then (documents are append-only): the old
-- rule holds for new rows only.
ALTER TABLE documents DROP CONSTRAINT documents_media_type_check;
ALTER TABLE documents ADD CONSTRAINT documents_media_type_check
    CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg')) NOT VALID;

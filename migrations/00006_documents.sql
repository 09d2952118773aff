-- +goose Up
-- Documents: generated PDFs and uploaded evidence. The content lives in the
-- blob store under its SHA-256; this row is its immutable record. Nothing
-- is updated or deleted: a corrected document is a new row that supersedes
-- the old one, which stays.
CREATE TABLE documents (
    id                 uuid PRIMARY KEY DEFAULT uuid_v7(),
    case_id            uuid REFERENCES cases (id),
    creditor_id        uuid NOT NULL REFERENCES creditors (id),
    kind               text NOT NULL,
    generated          boolean NOT NULL,
    file_name          text NOT NULL CHECK (file_name <> ''),
    media_type         text NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size_bytes         bigint NOT NULL CHECK (size_bytes >= 0),
    sha256             text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    reference          text NOT NULL DEFAULT '', -- the letter's reference, the receipt's number
    author_user_id     uuid REFERENCES users (id),
    author_api_key_id  uuid REFERENCES api_keys (id),
    visibility         text NOT NULL CHECK (visibility IN ('internal', 'shared')),
    supersedes         uuid REFERENCES documents (id),
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_by_case ON documents (case_id, created_at) WHERE case_id IS NOT NULL;
CREATE INDEX documents_by_creditor ON documents (creditor_id, created_at);
CREATE UNIQUE INDEX documents_superseded_once ON documents (supersedes) WHERE supersedes IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION documents_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'documents is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER documents_no_update_delete BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_append_only();

GRANT SELECT ON documents TO recouvra_creditor_scope;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_role ON documents USING (current_user <> 'recouvra_creditor_scope');
CREATE POLICY creditor_scope ON documents TO recouvra_creditor_scope
    USING (creditor_id = recouvra_scope_creditor() AND visibility = 'shared');

-- +goose Down
DROP TABLE documents;
DROP FUNCTION documents_append_only();

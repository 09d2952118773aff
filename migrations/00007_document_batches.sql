-- +goose Up
-- A batch produces one kind of document for many cases in the background
-- (a river job), each recorded on its case, all gathered in one zip whose
-- content is in the blob store under its SHA-256.
CREATE TABLE document_batches (
    id              uuid PRIMARY KEY DEFAULT uuid_v7(),
    kind            text NOT NULL,
    requested_by    uuid NOT NULL REFERENCES users (id),
    case_ids        jsonb NOT NULL,
    options         jsonb NOT NULL DEFAULT '{}',
    total           integer NOT NULL CHECK (total > 0),
    done            integer NOT NULL DEFAULT 0,
    failed          integer NOT NULL DEFAULT 0,
    failures        jsonb NOT NULL DEFAULT '[]',
    state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    result_sha256   text,
    result_size     bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz
);
CREATE INDEX document_batches_recent ON document_batches (created_at DESC);

-- +goose Down
DROP TABLE document_batches;

-- +goose Up
-- A placement file is kept in the blob store (content-addressed, under the
-- data directory the instances share, as documents are) while it is
-- uploaded; the import names it by its SHA-256 instead of holding it as one
-- bytea value, so neither the upload nor the job holds the file whole.
-- Imports uploaded before keep their content and are read from it.
ALTER TABLE imports ADD COLUMN content_sha256 text;
ALTER TABLE imports ALTER COLUMN content DROP NOT NULL;
ALTER TABLE imports ADD CONSTRAINT imports_content_or_blob
    CHECK (content IS NOT NULL OR content_sha256 IS NOT NULL);

-- +goose Down
ALTER TABLE imports DROP CONSTRAINT imports_content_or_blob;
ALTER TABLE imports ALTER COLUMN content SET NOT NULL;
ALTER TABLE imports DROP COLUMN content_sha256;

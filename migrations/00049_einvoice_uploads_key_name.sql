-- +goose Up
-- An e-invoice upload made with an API key names the key (« clé d'API
-- « ERP de Dupont » »), as by_label was meant to: the uploads recorded
-- before say « clé d'API » only, and get the key's name.
UPDATE einvoice_uploads u
   SET by_label = 'clé d''API « ' || k.name || ' »'
  FROM api_keys k
 WHERE k.id = u.created_by_api_key AND u.by_label = 'clé d''API' AND k.name <> '';

-- +goose Down
UPDATE einvoice_uploads SET by_label = 'clé d''API' WHERE created_by_api_key IS NOT NULL;

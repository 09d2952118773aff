-- +goose Up
-- An Idempotency-Key is now claimed inside the transaction of the request
-- it protects, and its response written there before the commit
-- (app.Service.Idempotent): a row other sessions can see always carries its
-- response. Rows still "in flight" here were left by the former design when
-- a process died mid-request; they answered 409 for 48 hours. Whether their
-- effect landed cannot be told from the row, so they are released: a retry
-- runs the request again (a payment the client never saw acknowledged may
-- then be recorded twice — the receipt numbers tell them apart).
DELETE FROM idempotency_keys WHERE state = 'in_flight';
COMMENT ON TABLE idempotency_keys IS 'claimed and answered in the transaction of the request it protects: committed rows are always done';

-- +goose Down
COMMENT ON TABLE idempotency_keys IS NULL;

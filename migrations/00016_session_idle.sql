-- +goose Up
-- Web-app sessions (the cookie sign-in) also end after a spell of
-- inactivity: idle_expires_at is pushed forward while the person works and
-- the session is dead once it has passed. NULL for sessions that only
-- expire at expires_at (bearer tokens of API clients).
ALTER TABLE sessions ADD COLUMN idle_expires_at timestamptz;

-- +goose Down
ALTER TABLE sessions DROP COLUMN idle_expires_at;

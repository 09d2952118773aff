-- +goose Up
-- uuid_v7 returns a time-ordered UUID (RFC 9562 version 7): ids stay
-- unguessable like v4 but index like a sequence. PostgreSQL gains a native
-- uuidv7() only in version 18; this one runs on 15+. It starts from a random
-- v4 UUID (same variant bits), overlays the 48-bit Unix time in milliseconds
-- and turns the version nibble 0100 into 0111.
-- +goose StatementBegin
CREATE FUNCTION uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION uuid_v7();

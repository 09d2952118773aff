// Package migrations holds Recouvra's database schema as numbered SQL files,
// embedded in the binary and applied by goose (see internal/postgres).
//
// Conventions every migration follows: UUID ids (v7, from uuid_v7() below
// or from the application), money as BIGINT cents beside a currency column,
// timestamptz for instants (sessions run in UTC), date for calendar dates.
// Each file runs in one transaction: a failing migration leaves the schema
// as it was.
package migrations

import "embed"

// FS holds the *.sql migration files.
//
//go:embed *.sql
var FS embed.FS

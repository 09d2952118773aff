package postgres

import (
	"gorm.io/gorm"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// NewMigratorFS exposes newMigrator to the external tests.
var NewMigratorFS = newMigrator

// EventsSinceSQL is the statement EventsSince sends, with its arguments.
func EventsSinceSQL(db *DB, scope recouvra.Scope, after recouvra.EventPosition, limit int) (string, []any) {
	var rows []streamRow
	stmt := eventsSinceQuery(db.Gorm.Session(&gorm.Session{DryRun: true}), scope, after, limit).Scan(&rows).Statement
	return stmt.SQL.String(), stmt.Vars
}

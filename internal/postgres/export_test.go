package postgres

// NewMigratorFS exposes newMigrator to the external tests.
var NewMigratorFS = newMigrator

package postgres

// GormOnly is s with every read on gorm, as before direct.go: the
// reference the pgx reads are compared with.
func GormOnly(s *Store) *Store {
	return &Store{repo: repo{db: s.db, pool: true, pg: s.pg, gormReads: true}, sql: s.sql, gormOnly: true}
}

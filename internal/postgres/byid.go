package postgres

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// takeByID reads into row (a pointer to a row struct, whose table has id
// and creditor_id columns) the row id that scope may see: a creditor's
// scope sees its own rows only, a denied scope none (not found, as what).
// ForUpdate locks the row until the transaction ends. Every "XByID(scope,
// id, lock)" of the repository reads through it, so the scoping and the
// lock are written once.
func (r repo) takeByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock app.RowLock, row any, what string) error {
	q := scoped(r.q(ctx), scope, "creditor_id").Where("id = ?", id)
	if lock == app.ForUpdate {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return dbErr(q.Take(row).Error, what)
}

package app

import (
	"slices"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// check refuses a filter that cannot mean anything: an unknown sort
// column (the HTTP contract already refuses it; other callers too), a
// placing period that ends before it starts, a minimum above the maximum.
func (f CaseFilter) check() error {
	var fields []recouvra.FieldError
	if f.Sort != "" && !slices.Contains(CaseSorts, f.Sort) {
		fields = append(fields, recouvra.FieldError{Field: "query.sort", Code: "enum",
			Message: "Tri impossible sur cette colonne ; colonnes possibles : placed, reference, debtor, stage, balance, principal, next_action."})
	}
	if f.PlacedFrom != nil && f.PlacedTo != nil && f.PlacedTo.Before(*f.PlacedFrom) {
		fields = append(fields, recouvra.FieldError{Field: "query.placed_to", Code: "before_from",
			Message: "La fin de la période de placement précède son début (" + recouvra.FrenchDate(*f.PlacedFrom) + ")."})
	}
	if f.MinBalance != nil && f.MaxBalance != nil && *f.MaxBalance < *f.MinBalance {
		fields = append(fields, recouvra.FieldError{Field: "query.max_balance_cents", Code: "below_min",
			Message: "Le montant maximum est inférieur au minimum."})
	}
	if len(fields) > 0 {
		return recouvra.Invalid("Filtres incohérents.", fields...)
	}
	return nil
}

package postgres

import (
	"fmt"
	"strings"

	"github.com/recouvra/recouvra/internal/app"
)

// caseSortKeys maps each sortable column of a case list (a whitelist:
// nothing from the request reaches the SQL) to its expression on a cases
// row; %[1]s is the row's qualifier ("cases." or the cursor row's alias).
// Stages sort in their order, cases with no next action after every date,
// debtors by name ignoring case.
var caseSortKeys = map[app.CaseSort]string{
	app.SortPlaced:     "%[1]screated_at",
	app.SortReference:  "%[1]sreference",
	app.SortDebtor:     "(SELECT lower(d.name) FROM debtors d WHERE d.id = %[1]sdebtor_id)",
	app.SortStage:      "array_position(ARRAY['amicable', 'formal_notice', 'injunction', 'irrecoverable', 'closed']::text[], %[1]sstage)",
	app.SortBalance:    "%[1]sbalance_cents",
	app.SortPrincipal:  "%[1]sprincipal_cents",
	app.SortNextAction: "coalesce(%[1]snext_action_on, 'infinity'::date)",
}

// caseOrder is the ORDER BY of a case list and the condition that keeps
// the cases after the cursor's (a case id) in that order: the row
// comparison (key, id) against the cursor case's own values as they stand
// now. Without a sort, newest entered first by id, as the indexes go.
func caseOrder(f app.CaseFilter) (order, after string, err error) {
	if f.Sort == "" {
		return "cases.id DESC", "cases.id < ?", nil
	}
	key, ok := caseSortKeys[f.Sort]
	if !ok {
		return "", "", fmt.Errorf("case list: no sort column %q", f.Sort)
	}
	dir, cmp := "DESC", "<"
	if f.Ascending {
		dir, cmp = "ASC", ">"
	}
	mine := fmt.Sprintf(key, "cases.")
	theirs := fmt.Sprintf(key, "cur.")
	order = strings.Join([]string{mine + " " + dir, "cases.id " + dir}, ", ")
	after = fmt.Sprintf("(%s, cases.id) %s (SELECT %s, cur.id FROM cases cur WHERE cur.id = ?)", mine, cmp, theirs)
	return order, after, nil
}

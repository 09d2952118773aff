package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// performanceReceivables is what was placed and has not come back, at the
// end of each month from @from to @last (see recouvra.CountbackDSO): every
// case's claims, payments and reversals become monthly movements; a running
// sum per case gives its balance from the month of one movement to the
// next; a month end counts the cases open that day, each at no less than
// zero. The current month's end is now: nothing later has been entered.
const performanceReceivables = `
WITH d AS (
	SELECT case_id, CAST(date_trunc('month', created_at) AS date) AS m, amount_cents AS delta FROM claims WHERE %[1]s
	UNION ALL
	SELECT case_id, CAST(date_trunc('month', received_on) AS date), -amount_cents FROM payments WHERE %[1]s
	UNION ALL
	SELECT case_id, CAST(date_trunc('month', reversed_at) AS date), amount_cents FROM payments WHERE %[1]s AND reversed_at IS NOT NULL
), s AS (
	SELECT case_id, m, sum(sum(delta)) OVER w AS bal, lead(m) OVER w AS next_m
	FROM d GROUP BY case_id, m
	WINDOW w AS (PARTITION BY case_id ORDER BY m)
)
SELECT CAST(mo.m AS date) AS month, CAST(coalesce(sum(greatest(s.bal, 0)), 0) AS bigint) AS cents
FROM generate_series(CAST(@from AS date), CAST(@last AS date), interval '1 month') AS mo(m)
JOIN s ON s.m <= mo.m AND (s.next_m IS NULL OR s.next_m > mo.m)
JOIN cases c ON c.id = s.case_id AND (c.closed_at IS NULL OR c.closed_at >= mo.m + interval '1 month')
GROUP BY mo.m`

func (r repo) PerformanceRows(ctx context.Context, scope recouvra.Scope, q app.PerformanceQuery) (app.PerformanceRows, error) {
	var out app.PerformanceRows
	if scope.Denied() {
		return out, nil
	}
	db := r.q(ctx)
	where, args := portfolioWhere(scope, q.CreditorID, q.Currency, "")
	args["from"] = q.From
	args["last"] = recouvra.FirstOfMonth(q.Today)
	months := func(into *[]app.MonthCents, sql, what string) error {
		return dbErr(db.Raw(sql, args).Scan(into).Error, what)
	}
	if err := months(&out.Placed, `SELECT CAST(date_trunc('month', created_at) AS date) AS month, CAST(sum(amount_cents) AS bigint) AS cents
		FROM claims WHERE `+where+` GROUP BY 1`, whatCase); err != nil {
		return out, err
	}
	if err := months(&out.Recovered, `SELECT CAST(date_trunc('month', received_on) AS date) AS month, CAST(sum(amount_cents) AS bigint) AS cents
		FROM payments WHERE `+where+` AND reversed_at IS NULL AND received_on >= @from GROUP BY 1`, whatPayment); err != nil {
		return out, err
	}
	// A period issued again counts once: its latest statement.
	if err := months(&out.Remitted, `SELECT CAST(date_trunc('month', period_to) AS date) AS month, CAST(sum(net_cents) AS bigint) AS cents FROM (
			SELECT DISTINCT ON (creditor_id, period_from, period_to) period_to, net_cents FROM remittances
			WHERE `+where+` ORDER BY creditor_id, period_from, period_to, created_at DESC) latest
		WHERE period_to >= @from GROUP BY 1`, whatRemittance); err != nil {
		return out, err
	}
	if err := months(&out.Receivables, fmt.Sprintf(performanceReceivables, where), whatCase); err != nil {
		return out, err
	}

	// Age at placement: days from the oldest invoice's due date to the day
	// the case was placed (not yet due counts in the first band). The
	// starts are the service's own integers, not user input.
	starts := make([]string, len(q.AgeingStarts))
	for i, d := range q.AgeingStarts {
		starts[i] = fmt.Sprint(d)
	}
	var rates []struct {
		Stage                              string
		Band                               *int
		Cases, PlacedCents, RecoveredCents int64
	}
	err := db.Raw(`SELECT stage,
			width_bucket(CAST(created_at AS date) - oldest_due_on, ARRAY[`+strings.Join(starts, ",")+`]::int[]) AS band,
			count(*) AS cases, coalesce(sum(principal_cents), 0) AS placed_cents, coalesce(sum(paid_cents), 0) AS recovered_cents
		FROM cases WHERE `+where+` GROUP BY 1, 2`, args).Scan(&rates).Error
	if err != nil {
		return out, dbErr(err, whatCase)
	}
	for _, x := range rates {
		out.Rates = append(out.Rates, app.RateRow{Stage: recouvra.Stage(x.Stage), Band: x.Band, Cases: x.Cases, PlacedCents: x.PlacedCents, RecoveredCents: x.RecoveredCents})
	}
	return out, nil
}

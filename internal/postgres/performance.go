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
// sum per case gives its balance (at no less than zero) from the month of
// one movement until the next, or until the month the case was closed in
// (a case closed during a month is not owed at its end). Each such stretch
// adds its balance at the month it starts (no earlier than @from) and takes
// it away at the month it stops; a running sum over the months gives the
// receivables at each month's end — one pass over the movements, however
// many months are asked. The current month's end is now: nothing later has
// been entered.
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
), v AS (
	SELECT s.bal AS b, greatest(s.m, CAST(@from AS date)) AS start,
		least(s.next_m, CAST(date_trunc('month', c.closed_at) AS date)) AS stop
	FROM s JOIN cases c ON c.id = s.case_id
	WHERE s.bal > 0
), e AS (
	SELECT start AS m, b AS delta FROM v WHERE stop IS NULL OR stop > start
	UNION ALL
	SELECT stop, -b FROM v WHERE stop > start
)
SELECT mo.m AS month, CAST(sum(coalesce(x.delta, 0)) OVER (ORDER BY mo.m) AS bigint) AS cents
FROM (SELECT CAST(g AS date) AS m FROM generate_series(CAST(@from AS date), CAST(@last AS date), interval '1 month') AS g) mo
LEFT JOIN (SELECT m, sum(delta) AS delta FROM e GROUP BY m) x ON x.m = mo.m`

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
	// A period issued again counts once: its latest statement; and the
	// remittance runs' lines booked or sent, in the month their period ends.
	if err := months(&out.Remitted, `SELECT CAST(date_trunc('month', period_to) AS date) AS month, CAST(sum(net_cents) AS bigint) AS cents FROM (
			(SELECT DISTINCT ON (creditor_id, period_from, period_to) period_to, net_cents FROM remittances
			WHERE `+where+` ORDER BY creditor_id, period_from, period_to, created_at DESC)
			UNION ALL
			SELECT period_to, net_cents FROM remittance_run_lines WHERE `+where+` AND state IN ('booked', 'sent')) latest
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

package server_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/configs"
	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// experimentCase opens a case of creditor for a company debtor with one
// invoice of cents, and returns its id.
func (w *world) experimentCase(creditor uuid.UUID, cents int64) uuid.UUID {
	w.t.Helper()
	today := w.today()
	v, err := w.svc.CreateCase(context.Background(), app.System, app.NewCase{
		CreditorID: &creditor, CreditorReference: "EXP-" + w.unique(),
		Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Coutellerie Morel " + w.unique(), Phones: []string{"+33477000000"},
			Address: recouvra.Address{Line1: "2 rue des Forges", PostalCode: "42000", City: "Saint-Étienne", Country: "FR"}},
		Claims: []recouvra.Claim{{InvoiceNumber: "F-" + w.unique(), IssuedOn: today.AddDays(-60), DueOn: today.AddDays(-30), AmountCents: cents, VATCents: cents / 6}},
	}, app.Meta{})
	if err != nil {
		w.t.Fatal(err)
	}
	return v.Case.ID
}

// startExperiment starts, as the admin, an experiment of creditor between
// the strategies with the shares.
func (w *world) startExperiment(creditor uuid.UUID, seed int64, arms ...any) (*apitest.Response, oapi.StrategyExperiment) {
	w.t.Helper()
	list := []map[string]any{}
	for i := 0; i < len(arms); i += 2 {
		list = append(list, map[string]any{"strategy_id": arms[i], "share_percent": arms[i+1]})
	}
	r := w.as("admin").Do("POST", "/api/v1/strategy-experiments", map[string]any{"creditor_id": creditor, "name": "Lettre seule ou lettre et appel", "seed": seed, "arms": list})
	var e oapi.StrategyExperiment
	if r.Status == 201 {
		r.Decode(w.t, &e)
	}
	return r, e
}

// handArm is one arm's figures counted by the test from the rows it made.
type handArm struct {
	cases, paying     int64
	placed, recovered int64
	xs, ys            []float64
	daysToPay         []float64
	letters, calls    int64
}

// TestStrategyExperimentReport splits a fresh creditor's cases between a
// champion (a letter) and a challenger (a letter and a call) with a set
// seed, records payments over a week (one reversed), and checks the
// report's every figure against the test's own count from the rows it
// made: cases, amounts, rate, paying cases, median days to the first
// payment, actions and their cost, and the differences' 95 % intervals
// (recomputed here from the per-case amounts). The draw is the one the
// seed gives (Go and SQL agree); new cases join while it runs and not
// after it stops; the creditor sees its own experiment and not another's.
func TestStrategyExperimentReport(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	cred, err := w.svc.CreateCreditor(ctx, app.System, recouvra.Creditor{LegalName: "Quincaillerie Faure SARL", CreditorDetails: recouvra.CreditorDetails{
		Address: recouvra.Address{Line1: "9 quai Saint-Vincent", PostalCode: "69001", City: "Lyon"}}}, app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	w.users["creditor_c"] = w.createUser("faure@recouvra.test", recouvra.RoleCreditor, &cred.ID)
	w.tokens["creditor_c"] = w.login("faure@recouvra.test")

	champion := w.createStrategy(strategyBody("Champion "+w.unique(), map[string]any{"name": "Lettre", "channel": "letter", "from": "placement"}))
	challenger := w.createStrategy(strategyBody("Challenger "+w.unique(),
		map[string]any{"name": "Lettre", "channel": "letter", "from": "placement"},
		map[string]any{"name": "Appel", "channel": "call_task", "delay": 0, "unit": "calendar_days"}))

	// Bad experiments: shares not adding up to 100, one arm, the same
	// strategy twice, an unknown strategy.
	for _, bad := range []struct {
		arms  []any
		field string
	}{
		{[]any{champion.Id, 50, challenger.Id, 40}, "arms"},
		{[]any{champion.Id, 100}, "arms"},
		{[]any{champion.Id, 50, champion.Id, 50}, "arms[1].strategy_id"},
		{[]any{champion.Id, 50, uuid.New(), 50}, "arms[1].strategy_id"},
	} {
		r, _ := w.startExperiment(cred.ID, 1, bad.arms...)
		if r.Status != 422 || fieldCodes(r.Problem(t))[bad.field] == "" {
			t.Fatalf("%v: %d %s", bad.arms, r.Status, r.Body)
		}
	}

	const seed = 20261202
	started, exp := w.startExperiment(cred.ID, seed, champion.Id, 50, challenger.Id, 50)
	if started.Status != 201 || !exp.Running || exp.Seed != seed || len(exp.Arms) != 2 || exp.Arms[0].BucketBelow != 5000 || exp.Arms[1].BucketBelow != 10000 {
		t.Fatalf("start: %d %s", started.Status, started.Body)
	}
	if r, _ := w.startExperiment(cred.ID, 2, champion.Id, 50, challenger.Id, 50); r.Status != 409 {
		t.Fatalf("a second running experiment: %d %s", r.Status, r.Body)
	}

	// Twenty cases, amounts 500,00 € to 2 400,00 €; the engine draws them.
	var ids []uuid.UUID
	amount := map[uuid.UUID]int64{}
	for i := range 20 {
		id := w.experimentCase(cred.ID, int64(50000+i*10000))
		ids, amount[id] = append(ids, id), int64(50000+i*10000)
	}
	if p := w.pass(); p.Enrolled != 20 {
		t.Fatalf("first pass enrolled %d", p.Enrolled)
	}
	w.pass() // the challenger's calls, due the same day

	// The draw: recorded per case, the arm the seed gives (Go's bucket,
	// SQL's the same), the case on that arm's strategy.
	arm := map[uuid.UUID]uuid.UUID{}
	domain := recouvra.Experiment{Arms: []recouvra.ExperimentArm{{BucketBelow: 5000}, {BucketBelow: 10000}}}
	for _, id := range ids {
		var strategy uuid.UUID
		var bucket, sqlBucket int
		if err := w.db.Pool.QueryRow(ctx, `SELECT x.strategy_id, x.bucket, experiment_bucket($2, x.case_id) FROM strategy_experiment_cases x
			WHERE x.case_id = $1 AND x.experiment_id = $3`, id, int64(seed), exp.Id).Scan(&strategy, &bucket, &sqlBucket); err != nil {
			t.Fatalf("draw of %s: %v", id, err)
		}
		want := []uuid.UUID{champion.Id, challenger.Id}[domain.ArmOf(recouvra.ExperimentBucket(seed, id))]
		if bucket != recouvra.ExperimentBucket(seed, id) || sqlBucket != bucket || strategy != want {
			t.Fatalf("case %s: bucket %d (sql %d, go %d), arm %s, want %s", id, bucket, sqlBucket, recouvra.ExperimentBucket(seed, id), strategy, want)
		}
		if cs := w.caseStrategy(id); cs.StrategyId != strategy {
			t.Fatalf("case %s follows %s, drawn into %s", id, cs.StrategyId, strategy)
		}
		arm[id] = strategy
	}

	// Payments: a third of the cases pay on day 4, a quarter on day 7
	// (one of these reversed), the first case pays again on day 7.
	paid := map[uuid.UUID]int64{}
	first := map[uuid.UUID]int{}
	w.days(4)
	for i, id := range ids {
		if i%3 == 0 {
			c := amount[id] / 4
			w.payToday(id, c)
			paid[id] += c
			first[id] = 4
		}
	}
	w.days(3)
	for i, id := range ids {
		if i%4 == 1 {
			c := amount[id] / 5
			p := w.payToday(id, c)
			if i == 1 {
				w.reverse(p) // not recovered
				continue
			}
			paid[id] += c
			if _, ok := first[id]; !ok {
				first[id] = 7
			}
		}
	}
	w.payToday(ids[0], 1234)
	paid[ids[0]] += 1234

	// New cases join the experiment while it runs.
	late := w.experimentCase(cred.ID, 99900)
	w.pass()
	var lateArm uuid.UUID
	if err := w.db.Pool.QueryRow(ctx, `SELECT strategy_id FROM strategy_experiment_cases WHERE case_id = $1`, late).Scan(&lateArm); err != nil {
		t.Fatalf("a new case while it runs: %v", err)
	}
	ids, amount[late], arm[late] = append(ids, late), 99900, lateArm
	w.pass()

	// Stopped: the record stays, new cases stay out, stopping again is 409.
	r := w.as("admin").Do("POST", "/api/v1/strategy-experiments/"+exp.Id.String()+"/stop", nil)
	var stopped oapi.StrategyExperiment
	r.Decode(t, &stopped)
	if r.Status != 200 || stopped.Running || stopped.StoppedOn == nil || len(stopped.Arms) != 2 {
		t.Fatalf("stop: %d %s", r.Status, r.Body)
	}
	if r := w.as("admin").Do("POST", "/api/v1/strategy-experiments/"+exp.Id.String()+"/stop", nil); r.Status != 409 {
		t.Fatalf("stopped twice: %d %s", r.Status, r.Body)
	}
	after := w.experimentCase(cred.ID, 70000)
	w.pass()
	if n := w.countRows(t, fmt.Sprintf(`SELECT count(*) FROM strategy_experiment_cases WHERE case_id = '%s'`, after)); n != 0 {
		t.Fatalf("a case placed after the stop was drawn")
	}

	// The hand count, from the rows this test made.
	hand := map[uuid.UUID]*handArm{champion.Id: {}, challenger.Id: {}}
	for _, id := range ids {
		h := hand[arm[id]]
		h.cases++
		h.placed += amount[id]
		h.recovered += paid[id]
		h.xs, h.ys = append(h.xs, float64(amount[id])), append(h.ys, float64(paid[id]))
		h.letters++
		if arm[id] == challenger.Id {
			h.calls++
		}
		if d, ok := first[id]; ok {
			h.paying++
			h.daysToPay = append(h.daysToPay, float64(d))
		}
	}
	if hand[champion.Id].cases < 2 || hand[challenger.Id].cases < 2 {
		t.Fatalf("the seed left an arm with fewer than two cases: %d / %d", hand[champion.Id].cases, hand[challenger.Id].cases)
	}
	costs, err := recouvra.ParseActionCosts(configs.ActionCostsCSV)
	if err != nil {
		t.Fatal(err)
	}
	letterCost, _ := costs.On(recouvra.CostLetter, w.today())
	callCost, _ := costs.On(recouvra.CostCall, w.today())

	for _, as := range []string{"admin", "creditor_c"} {
		r := w.as(as).Do("GET", "/api/v1/strategy-experiments/"+exp.Id.String()+"/report", nil)
		var rep oapi.StrategyExperimentReport
		r.Decode(t, &rep)
		if r.Status != 200 || len(rep.Arms) != 2 || len(rep.Comparisons) != 1 || rep.Currency != "EUR" || len(rep.UnitCosts) != 4 || rep.Methods == "" {
			t.Fatalf("report as %s: %d %s", as, r.Status, r.Body)
		}
		for i, want := range []uuid.UUID{champion.Id, challenger.Id} {
			got, h := rep.Arms[i], hand[want]
			rate := float64(h.recovered) / float64(h.placed)
			if got.StrategyId != want || got.SharePercent != 50 || got.Cases != h.cases || got.PlacedCents != h.placed || got.RecoveredCents != h.recovered ||
				math.Abs(got.RecoveryRate-rate) > 1e-12 || got.CasesPaying != h.paying {
				t.Errorf("arm %d as %s: %+v, hand count %+v (rate %v)", i, as, got, *h, rate)
			}
			if med := median(h.daysToPay); (med == nil) != (got.MedianDaysToFirstPayment == nil) || (med != nil && *med != *got.MedianDaysToFirstPayment) {
				t.Errorf("arm %d: median days %v, hand %v", i, got.MedianDaysToFirstPayment, med)
			}
			counts := map[string]int64{}
			var cost int64
			for _, a := range got.Actions {
				counts[string(a.Action)] = a.Count
				cost += a.CostCents
			}
			wantCost := h.letters*letterCost.Cents + h.calls*callCost.Cents
			if counts["letter"] != h.letters || counts["call"] != h.calls || counts["email"] != 0 || counts["registered_letter"] != 0 || got.CostCents != wantCost || cost != wantCost {
				t.Errorf("arm %d actions: %+v cost %d, hand %d letters %d calls %d cents", i, got.Actions, got.CostCents, h.letters, h.calls, wantCost)
			}
		}
		c := rep.Comparisons[0]
		a, b := hand[champion.Id], hand[challenger.Id]
		ra, rb := float64(a.recovered)/float64(a.placed), float64(b.recovered)/float64(b.placed)
		low, high := deltaCI(a.xs, a.ys, b.xs, b.ys)
		if c.StrategyId != challenger.Id || c.AgainstStrategyId != champion.Id || math.Abs(c.RecoveryRateDiff-(rb-ra)) > 1e-12 ||
			c.RecoveryRateCi95 == nil || math.Abs(c.RecoveryRateCi95.Low-low) > 1e-9 || math.Abs(c.RecoveryRateCi95.High-high) > 1e-9 {
			t.Errorf("rate difference: %+v %+v, hand %v [%v, %v]", c, c.RecoveryRateCi95, rb-ra, low, high)
		}
		pl, ph := newcombe(a.paying, a.cases, b.paying, b.cases)
		if c.PayingShareCi95 == nil || math.Abs(c.PayingShareCi95.Low-pl) > 1e-9 || math.Abs(c.PayingShareCi95.High-ph) > 1e-9 ||
			math.Abs(c.PayingShareDiff-(float64(b.paying)/float64(b.cases)-float64(a.paying)/float64(a.cases))) > 1e-12 {
			t.Errorf("paying share difference: %+v %+v, hand [%v, %v]", c, c.PayingShareCi95, pl, ph)
		}
	}

	// Row security: creditor A sees neither C's experiment nor its report
	// nor its name in its list; C's list has it.
	for _, path := range []string{"", "/report"} {
		if r := w.as("creditor").Do("GET", "/api/v1/strategy-experiments/"+exp.Id.String()+path, nil); r.Status != 404 {
			t.Fatalf("creditor A reads C's experiment%s: %d %s", path, r.Status, r.Body)
		}
	}
	for as, want := range map[string]int{"creditor": 0, "creditor_c": 1} {
		r := w.as(as).Do("GET", "/api/v1/strategy-experiments", nil)
		var list oapi.StrategyExperimentList
		r.Decode(t, &list)
		if r.Status != 200 || len(list.Items) != want {
			t.Fatalf("%s's list: %d %s", as, r.Status, r.Body)
		}
	}
	// A strategy in an experiment cannot be deleted.
	if r := w.as("admin").Do("DELETE", "/api/v1/strategies/"+champion.Id.String(), nil); r.Status != 409 {
		t.Fatalf("delete an experiment's strategy: %d %s", r.Status, r.Body)
	}
}

// median is the middle of the values (the mean of the two middle ones
// for an even count), nil for none.
func median(v []float64) *float64 {
	if len(v) == 0 {
		return nil
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m
}

// deltaCI is the 95 % interval of Σyb/Σxb − Σya/Σxa, written out from
// the per-case amounts: each ratio's variance by the delta method with
// two-pass sample (co)variances.
func deltaCI(xa, ya, xb, yb []float64) (float64, float64) {
	variance := func(x, y []float64) (float64, float64) {
		n := float64(len(x))
		var mx, my float64
		for i := range x {
			mx, my = mx+x[i]/n, my+y[i]/n
		}
		r := my / mx
		var sxx, syy, sxy float64
		for i := range x {
			sxx += (x[i] - mx) * (x[i] - mx)
			syy += (y[i] - my) * (y[i] - my)
			sxy += (x[i] - mx) * (y[i] - my)
		}
		sxx, syy, sxy = sxx/(n-1), syy/(n-1), sxy/(n-1)
		return r, (syy - 2*r*sxy + r*r*sxx) / (n * mx * mx)
	}
	ra, va := variance(xa, ya)
	rb, vb := variance(xb, yb)
	h := 1.959963984540054 * math.Sqrt(va+vb)
	return rb - ra - h, rb - ra + h
}

// newcombe is Newcombe's hybrid score interval for kb/nb − ka/na.
func newcombe(ka, na, kb, nb int64) (float64, float64) {
	const z = 1.959963984540054
	wilson := func(k, n int64) (float64, float64, float64) {
		p, m := float64(k)/float64(n), float64(n)
		c := (p + z*z/(2*m)) / (1 + z*z/m)
		h := z / (1 + z*z/m) * math.Sqrt(p*(1-p)/m+z*z/(4*m*m))
		return p, math.Max(0, c-h), math.Min(1, c+h)
	}
	pa, la, ua := wilson(ka, na)
	pb, lb, ub := wilson(kb, nb)
	d := pb - pa
	return d - math.Sqrt((pb-lb)*(pb-lb)+(ua-pa)*(ua-pa)), d + math.Sqrt((ub-pb)*(ub-pb)+(pa-la)*(pa-la))
}

// experimentFor is an experiment of creditor A (own) or B (other), a
// random id for missing; each own or other call starts a fresh one (the
// previous one of that creditor stopped first).
func (w *world) experimentFor(t target) string {
	w.t.Helper()
	var creditor uuid.UUID
	switch t {
	case own:
		creditor = w.credA.ID
	case other:
		creditor = w.credB.ID
	default:
		return uuid.NewString()
	}
	w.stopExperiments(creditor)
	a, b := w.freshStrategy(), w.freshStrategy()
	r, e := w.startExperiment(creditor, 7, a, 50, b, 50)
	if r.Status != 201 {
		w.t.Fatalf("experiment: %d %s", r.Status, r.Body)
	}
	return e.Id.String()
}

// stopExperiments stops the creditor's running experiment, if any.
func (w *world) stopExperiments(creditor uuid.UUID) {
	w.t.Helper()
	list, err := w.svc.ListExperiments(context.Background(), app.System, &creditor)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, e := range list {
		if e.Running() {
			if _, err := w.svc.StopExperiment(context.Background(), app.System, e.ID, app.Meta{}); err != nil {
				w.t.Fatal(err)
			}
		}
	}
}

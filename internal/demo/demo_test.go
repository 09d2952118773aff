package demo_test

import (
	"context"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/demo"
	"github.com/recouvra/recouvra/internal/ident"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/server"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestDemoAgency(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	clock := demo.NewClock(time.Now().UTC())
	cheap := credential.Params{Memory: 64, Time: 1, Threads: 1}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Agency = config.Agency{Name: "Agence Recouvra Démo", Address: []string{"10 rue de la République", "69002 Lyon"}, City: "Lyon",
		SIREN: "732829320", IBAN: "FR7630006000011234567890189", BIC: "AGRIFRPP"}
	svc, err := server.NewService(db, cfg, &cheap, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	// The shipped rate tables, as `recouvra demo` loads them (the runs need
	// the VAT rate).
	if err := server.SeedRates(ctx, svc, nil); err != nil {
		t.Fatal(err)
	}
	s := &demo.Seeder{Svc: svc, Clock: clock, Out: io.Discard, Rand: rand.New(rand.NewPCG(1, 2)), AgencyName: cfg.Agency.Name}
	res, err := s.Agency(ctx)
	if err != nil || !res.Created || len(res.Logins) != 9 || len(res.Creditors) != 4 {
		t.Fatalf("%v %+v", err, res)
	}
	if err := s.Cases(ctx, res.Creditors, 120); err != nil {
		t.Fatal(err)
	}
	if err := s.Remittances(ctx, res.Creditors); err != nil {
		t.Fatal(err)
	}
	// Money came back: payments kept on the cases, some closed as paid,
	// remittance runs booked with their statements; the portfolio shows it.
	var paid, closedPaid, runs, statements, runNet int64
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT coalesce(sum(paid_cents), 0) FROM cases), (SELECT count(*) FROM cases WHERE close_reason = 'paid'),
		(SELECT count(*) FROM remittance_runs WHERE state IN ('booked', 'sent')),
		(SELECT count(*) FROM remittance_run_lines WHERE document_id IS NOT NULL),
		(SELECT coalesce(sum(net_cents), 0) FROM remittance_run_lines WHERE state IN ('booked', 'sent'))`).Scan(&paid, &closedPaid, &runs, &statements, &runNet); err != nil {
		t.Fatal(err)
	}
	if paid == 0 || closedPaid == 0 || runs != 3 || statements != 3 || runNet == 0 {
		t.Errorf("paid %d cents, %d closed as paid, %d remittance runs with %d statements, %d net remitted", paid, closedPaid, runs, statements, runNet)
	}
	if p, err := svc.Portfolio(ctx, app.System, nil, ""); err != nil || p.RecoveredCents != paid || p.RecoveryRateBps() == 0 || p.RemittedCents != runNet {
		t.Errorf("portfolio %+v %v (remitted by runs %d)", p, err, runNet)
	}
	// The ledger is the money: for each creditor, the client account holds
	// what was received for it (not paid to it directly) less what its runs
	// took; the client account's balance is their sum; the creditor left
	// out of the runs still has funds held, some of them too long (R124-6).
	var mismatched, bank, owed int64
	if err := db.Pool.QueryRow(ctx, `WITH x AS (
		SELECT c.id,
			(SELECT coalesce(sum(amount_cents), 0) FROM payments p WHERE p.creditor_id = c.id AND p.reversed_at IS NULL AND p.method <> 'direct_to_creditor') AS received,
			(SELECT coalesce(sum(held_cents), 0) FROM remittance_run_lines l WHERE l.creditor_id = c.id AND l.state IN ('booked', 'sent')) AS remitted,
			(SELECT -coalesce(sum(amount_cents), 0) FROM ledger_entries e WHERE e.creditor_id = c.id AND e.account = 'owed_to_creditor') AS held
		FROM creditors c)
		SELECT (SELECT count(*) FROM x WHERE received - remitted <> held),
			(SELECT coalesce(sum(amount_cents), 0) FROM ledger_entries WHERE account = 'client_bank'),
			(SELECT sum(received - remitted) FROM x)`).Scan(&mismatched, &bank, &owed); err != nil {
		t.Fatal(err)
	}
	if mismatched != 0 || bank != owed || bank == 0 {
		t.Errorf("%d creditors whose funds held are not received less remitted; client account %d, received less remitted %d", mismatched, bank, owed)
	}
	if b, err := svc.Balances(ctx, app.System, nil, "EUR", false); err != nil || b.UnexplainedCents != 0 || len(b.Creditors) == 0 ||
		b.Creditors[0].CreditorID != res.Creditors[len(res.Creditors)-1] || b.OverdueTotalCents == 0 {
		t.Errorf("balances %+v %v", b, err)
	}
	rows, err := db.Pool.Query(ctx, "SELECT stage, count(*) FROM cases GROUP BY stage")
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string]int{}
	var stage string
	var count int
	if _, err := pgx.ForEachRow(rows, []any{&stage, &count}, func() error { stages[stage] = count; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"amicable", "formal_notice", "injunction", "closed"} {
		if stages[st] == 0 {
			t.Errorf("no demo case at stage %s: %v", st, stages)
		}
	}
	// The lawyer's docket has cases ready to file and others one step
	// away, each blocked by a single thing a click removes.
	var lawyer recouvra.Principal
	users, err := svc.ListUsers(ctx, app.System, app.PageRequest{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Items {
		if u.Role == recouvra.RoleLawyer {
			lawyer = recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: u.ID, Email: u.Email, Role: recouvra.RoleLawyer}
		}
	}
	docket, _, err := svc.Docket(ctx, lawyer, app.DocketQuery{})
	if err != nil {
		t.Fatal(err)
	}
	ready, oneStep := 0, 0
	for _, e := range docket {
		switch {
		case e.Ready():
			ready++
		case e.Stage == recouvra.StageFormalNotice && len(e.Blockers) == 1:
			oneStep++
		}
	}
	if ready == 0 || oneStep == 0 {
		t.Errorf("docket: %d ready to file, %d one step away, of %d", ready, oneStep, len(docket))
	}
	// Histories are spread over the past, not all stamped now.
	var oldest time.Time
	if err := db.Pool.QueryRow(ctx, "SELECT min(at) FROM events").Scan(&oldest); err != nil {
		t.Fatal(err)
	}
	if time.Since(oldest) < 30*24*time.Hour {
		t.Errorf("oldest event %s", oldest)
	}
	// Every debtor SIREN is valid, and companies have one.
	rows, err = db.Pool.Query(ctx, "SELECT siren FROM debtors WHERE siren <> ''")
	if err != nil {
		t.Fatal(err)
	}
	sirens, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(sirens) == 0 {
		t.Error("no demo debtor has a SIREN")
	}
	for _, s := range sirens {
		if _, err := ident.ParseSIREN(s); err != nil {
			t.Errorf("demo SIREN %s: %v", s, err)
		}
	}
	// The seeded cases, before the bulk ones: the bulk must add exactly
	// one claim per case to these.
	var seededCases, seededClaims int
	if err := db.Pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM claims)").Scan(&seededCases, &seededClaims); err != nil {
		t.Fatal(err)
	}
	if seededCases != 120 || seededClaims < seededCases {
		t.Fatalf("seeded %d cases with %d claims, want 120 cases with at least one claim each", seededCases, seededClaims)
	}
	// A second run changes nothing.
	again, err := s.Agency(ctx)
	if err != nil || again.Created || len(again.Creditors) != 4 {
		t.Fatalf("second run: %v %+v", err, again)
	}
	var afterAgain int
	if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM cases").Scan(&afterAgain); err != nil {
		t.Fatal(err)
	}
	if afterAgain != seededCases {
		t.Fatalf("the second run changed the cases: %d, was %d", afterAgain, seededCases)
	}
	// The accountant is staff (no creditor); a demo loaded before the role
	// existed gets it on the next run, once.
	if _, err := db.Pool.Exec(ctx, "DELETE FROM notification_marks WHERE user_id = (SELECT id FROM users WHERE email = 'comptable@recouvra.demo')"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, "DELETE FROM users WHERE email = 'comptable@recouvra.demo' AND role = 'accountant' AND creditor_id IS NULL"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.Agency(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var accountants int
	if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM users WHERE email = 'comptable@recouvra.demo' AND role = 'accountant' AND creditor_id IS NULL").Scan(&accountants); err != nil || accountants != 1 {
		t.Fatalf("demo accountants: %d %v", accountants, err)
	}

	// Bulk: balances kept on the case, references unique, one claim each.
	if err := s.Bulk(ctx, db, 2000); err != nil {
		t.Fatal(err)
	}
	var cases, claims, wrong int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM claims),
		(SELECT count(*) FROM cases c WHERE principal_cents <> (SELECT sum(amount_cents) FROM claims WHERE case_id = c.id))`).Scan(&cases, &claims, &wrong); err != nil {
		t.Fatal(err)
	}
	if cases != seededCases+2000 || claims != seededClaims+2000 || wrong != 0 {
		t.Fatalf("cases %d (want %d), claims %d (want %d), %d with a principal not matching their claims",
			cases, seededCases+2000, claims, seededClaims+2000, wrong)
	}
}

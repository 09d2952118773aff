package demo_test

import (
	"context"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/demo"
	"github.com/recouvra/recouvra/internal/ident"
	"github.com/recouvra/recouvra/internal/pgtest"
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
	cfg.Agency = config.Agency{Name: "Agence Recouvra Démo", Address: []string{"10 rue de la République", "69002 Lyon"}, City: "Lyon"}
	svc, err := server.NewService(db, cfg, &cheap, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	s := &demo.Seeder{Svc: svc, Clock: clock, Out: io.Discard, Rand: rand.New(rand.NewPCG(1, 2))}
	res, err := s.Agency(ctx)
	if err != nil || !res.Created || len(res.Logins) != 8 || len(res.Creditors) != 4 {
		t.Fatalf("%v %+v", err, res)
	}
	if err := s.Cases(ctx, res.Creditors, 120); err != nil {
		t.Fatal(err)
	}
	if err := s.Remittances(ctx, res.Creditors); err != nil {
		t.Fatal(err)
	}
	// Money came back: payments kept on the cases, some closed as paid,
	// statements issued; the portfolio shows it.
	var paid, closedPaid, remittances int64
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT coalesce(sum(paid_cents), 0) FROM cases), (SELECT count(*) FROM cases WHERE close_reason = 'paid'),
		(SELECT count(*) FROM remittances)`).Scan(&paid, &closedPaid, &remittances); err != nil {
		t.Fatal(err)
	}
	if paid == 0 || closedPaid == 0 || remittances != 24 {
		t.Errorf("paid %d cents, %d closed as paid, %d remittance statements", paid, closedPaid, remittances)
	}
	if p, err := svc.Portfolio(ctx, app.System, nil, ""); err != nil || p.RecoveredCents != paid || p.RecoveryRateBps() == 0 {
		t.Errorf("portfolio %+v %v", p, err)
	}
	rows, err := db.Pool.Query(ctx, "SELECT stage, count(*) FROM cases GROUP BY stage")
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		stages[s] = n
	}
	for _, st := range []string{"amicable", "formal_notice", "injunction", "closed"} {
		if stages[st] == 0 {
			t.Errorf("no demo case at stage %s: %v", st, stages)
		}
	}
	// Histories are spread over the past, not all stamped now.
	var oldest time.Time
	if err := db.Pool.QueryRow(ctx, "SELECT min(at) FROM events").Scan(&oldest); err != nil || time.Since(oldest) < 30*24*time.Hour {
		t.Errorf("oldest event %s", oldest)
	}
	// Every debtor SIREN is valid.
	sirens, _ := db.Pool.Query(ctx, "SELECT siren FROM debtors WHERE siren <> ''")
	for sirens.Next() {
		var s string
		_ = sirens.Scan(&s)
		if _, err := ident.ParseSIREN(s); err != nil {
			t.Errorf("demo SIREN %s: %v", s, err)
		}
	}
	// A second run changes nothing.
	again, err := s.Agency(ctx)
	if err != nil || again.Created || len(again.Creditors) != 4 {
		t.Fatalf("second run: %v %+v", err, again)
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
	if cases != 2120 || wrong != 0 {
		t.Fatalf("cases %d claims %d, %d with a principal not matching their claims", cases, claims, wrong)
	}
}

package postgres_test

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/demo"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestDirectReadsMatchGorm reads the same rows through the hot reads on
// pgx (direct.go) and through gorm, as staff and as a creditor in its
// scoped transaction, and wants the same domain values, the same errors
// for what the scope hides, and nothing of another creditor.
func TestDirectReadsMatchGorm(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(sql, ": ", err)
		}
	}
	exec(`INSERT INTO users (email, name, role, password_hash) VALUES ('a1@direct.test', 'A', 'agent', 'x'), ('a2@direct.test', 'B', 'agent', 'x')`)
	s := &demo.Seeder{Clock: demo.NewClock(now), Out: io.Discard, Rand: rand.New(rand.NewPCG(3, 3))}
	if err := s.Bulk(ctx, db, 400); err != nil {
		t.Fatal(err)
	}
	// The columns the bulk load leaves empty, filled on a few rows.
	exec(`UPDATE debtors SET emails = '["compta@debiteur.test"]', phones = '["+33 4 72 00 00 00"]', insolvency_proceedings = 'sauvegarde',
		insolvency_published_on = '2026-01-15', insolvency_court = 'TC Lyon' WHERE id IN (SELECT debtor_id FROM cases ORDER BY id LIMIT 40)`)
	exec(`UPDATE cases SET irrecoverability = '{"cause": "insolvent", "proof": "PV de carence", "on": "2026-03-02"}',
		injunction = '{"court": "TJ Lyon", "filed_on": "2026-02-01"}', stage_before_close = 'amicable', lease_agent_id = assigned_agent_id,
		lease_until = $1, first_letter_on = '2026-01-05', formal_notice_sent_on = '2026-02-05', last_interruption_on = '2026-02-06'
		WHERE id IN (SELECT id FROM cases ORDER BY id DESC LIMIT 60)`, now.Add(time.Hour))
	exec(`UPDATE creditors SET contacts = '[{"name": "M. Roux", "email": "roux@creancier.test", "phone": "", "role": "DAF"}]',
		mandate_signed_on = '2025-06-01', born_on = '1970-04-02'`)
	exec(`UPDATE claims SET interest_regime = 'contractual', contract_rate_bps = 900 WHERE case_id IN (SELECT id FROM cases ORDER BY id LIMIT 100)`)
	// Cases of several invoices, due on different days (their order read
	// back matters), on the first and the last cases.
	exec(`INSERT INTO claims (case_id, creditor_id, invoice_number, issued_on, due_on, amount_cents, vat_cents, currency, created_at)
		SELECT id, creditor_id, 'FX-' || n || '-' || id, '2025-01-01'::date - n * 7, '2025-02-01'::date - n * 7, 10000 * n, 1666 * n, 'EUR', $1::timestamptz
		FROM (SELECT id, creditor_id FROM cases ORDER BY id LIMIT 30) c, generate_series(1, 3) n
		UNION ALL
		SELECT id, creditor_id, 'FX-' || n || '-' || id, '2025-01-01'::date - n * 7, '2025-02-01'::date - n * 7, 10000 * n, 1666 * n, 'EUR', $1::timestamptz
		FROM (SELECT id, creditor_id FROM cases ORDER BY id DESC LIMIT 30) c, generate_series(1, 3) n`, now)
	exec(`INSERT INTO payments (case_id, creditor_id, amount_cents, currency, received_on, method, payer_reference, receipt_number, created_at)
		SELECT id, creditor_id, 1000 + n, 'EUR', '2026-06-01'::date + n, 'transfer', 'VIR ' || n, 'R-' || id || '-' || n, $1
		FROM (SELECT id, creditor_id FROM cases ORDER BY id LIMIT 80) c, generate_series(1, 2) n`, now)
	exec(`INSERT INTO events (case_id, creditor_id, at, type, visibility, data)
		SELECT id, creditor_id, $1, t, 'internal', '{"outcome": "no_answer", "n": 1.5}' FROM (SELECT id, creditor_id FROM cases ORDER BY id LIMIT 200) c,
		unnest(ARRAY['call', 'email', 'letter_sent']) t`, now)
	exec(`INSERT INTO call_tasks (case_id, creditor_id, due_at, script) SELECT id, creditor_id, $1, 'Rappeler M. Roux' FROM cases ORDER BY id LIMIT 200`, now)

	fast := postgres.NewStore(db)
	slow := postgres.GormOnly(fast)
	same := func(what string, a, b any, errA, errB error) {
		t.Helper()
		if (errA == nil) != (errB == nil) || (errA != nil && message(errA) != message(errB)) {
			t.Fatalf("%s: errors differ: pgx %v, gorm %v", what, errA, errB)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s differs:\npgx  %+v\ngorm %+v", what, a, b)
		}
	}
	var creditor, other uuid.UUID
	if err := db.Pool.QueryRow(ctx, `SELECT creditor_id FROM cases GROUP BY creditor_id ORDER BY count(*) DESC LIMIT 1`).Scan(&creditor); err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	rows, _ := db.Pool.Query(ctx, "SELECT id FROM cases ORDER BY id")
	for rows.Next() {
		var id uuid.UUID
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	if rows.Err() != nil || len(ids) != 400 {
		t.Fatalf("%d cases, %v", len(ids), rows.Err())
	}
	if err := db.Pool.QueryRow(ctx, `SELECT creditor_id FROM cases WHERE creditor_id <> $1 LIMIT 1`, creditor).Scan(&other); err != nil {
		t.Fatal(err)
	}

	// type view is what GET /cases/{id} and the statement read.
	type view struct {
		Case     recouvra.Case
		Creditor recouvra.Creditor
		Debtor   recouvra.Debtor
		Claims   []recouvra.Claim
		Payments []recouvra.Payment
		Rates    []recouvra.Rate
		Names    map[uuid.UUID]string
	}
	read := func(st *postgres.Store, scope recouvra.Scope, id uuid.UUID) (view, error) {
		var v view
		err := st.Scoped(ctx, scope, func(r app.Repo) error {
			// The four reads together (one batch on pgx) give what they
			// give one by one, or the same error.
			together, errTogether := r.CaseWithParties(ctx, scope, id, true)
			var err error
			if v.Case, err = r.CaseByID(ctx, scope, id, app.NoLock); err != nil {
				if errTogether == nil || message(errTogether) != message(err) {
					t.Fatalf("case %s: together %v, one by one %v", id, errTogether, err)
				}
				return err
			}
			if errTogether != nil {
				t.Fatalf("case %s: together %v, one by one found", id, errTogether)
			}
			defer func() {
				want := app.CaseParties{Case: v.Case, Creditor: v.Creditor, Debtor: v.Debtor, Claims: v.Claims, Payments: v.Payments, Rates: v.Rates}
				if !reflect.DeepEqual(together, want) {
					t.Errorf("case %s together:\n%+v\none by one:\n%+v", id, together, want)
				}
				// Without money: the case and its parties alone.
				shown, err := r.CaseWithParties(ctx, scope, id, false)
				want.Payments, want.Rates = nil, nil
				if err != nil || !reflect.DeepEqual(shown, want) {
					t.Errorf("case %s without money (%v):\n%+v\none by one:\n%+v", id, err, shown, want)
				}
			}()
			if v.Creditor, err = r.CreditorByID(ctx, scope, v.Case.CreditorID); err != nil {
				return err
			}
			if v.Debtor, err = r.DebtorByID(ctx, scope, v.Case.DebtorID); err != nil {
				return err
			}
			if v.Claims, err = r.ClaimsOfCase(ctx, scope, id); err != nil {
				return err
			}
			if v.Payments, err = r.PaymentsOfCase(ctx, scope, id); err != nil {
				return err
			}
			if v.Rates, err = r.ListRates(ctx); err != nil {
				return err
			}
			v.Names, err = r.DebtorNames(ctx, scope, []uuid.UUID{v.Case.DebtorID, uuid.Must(uuid.NewV7())})
			return err
		})
		return v, err
	}
	mine := recouvra.Scope{CreditorID: &creditor}
	shown := 0
	for i, id := range ids {
		if i%7 != 0 && i < 360 {
			continue // every seventh, and the last forty (the filled columns)
		}
		a, errA := read(fast, recouvra.AllCreditors, id)
		b, errB := read(slow, recouvra.AllCreditors, id)
		same("a case as staff", a, b, errA, errB)
		if errA != nil {
			t.Fatal(errA)
		}
		a, errA = read(fast, mine, id)
		b, errB = read(slow, mine, id)
		same("a case as its creditor or another", a, b, errA, errB)
		if errA == nil {
			shown++
			if a.Case.CreditorID != creditor {
				t.Fatalf("creditor %s was shown case %s of %s", creditor, id, a.Case.CreditorID)
			}
		}
	}
	if shown == 0 {
		t.Fatal("no case of the creditor among those read")
	}
	// Another creditor's debtor's name is not among a creditor's names.
	var foreign uuid.UUID
	if err := db.Pool.QueryRow(ctx, `SELECT debtor_id FROM cases d WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.debtor_id = d.debtor_id AND c.creditor_id = $1) LIMIT 1`, creditor).Scan(&foreign); err != nil {
		t.Fatal(err)
	}
	err := fast.Scoped(ctx, mine, func(r app.Repo) error {
		names, err := r.DebtorNames(ctx, mine, []uuid.UUID{foreign})
		if err == nil && len(names) != 0 {
			t.Errorf("a creditor read another's debtor's name: %v", names)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// A payment batch's parties (PartiesOfCases: one batch on pgx, inside
	// Atomic as the payment runs) are what the reads one by one give.
	var batch []recouvra.Case
	for i, id := range ids {
		if i%9 == 0 || i >= 380 {
			c, err := fast.CaseByID(ctx, recouvra.AllCreditors, id, app.NoLock)
			if err != nil {
				t.Fatal(err)
			}
			batch = append(batch, c)
		}
	}
	parties := func(st *postgres.Store) (app.CasesParties, error) {
		var out app.CasesParties
		err := st.Atomic(ctx, func(ctx context.Context, r app.Repo) error {
			var err error
			out, err = r.PartiesOfCases(ctx, batch)
			return err
		})
		return out, err
	}
	pa, errA := parties(fast)
	pb, errB := parties(slow)
	same("a batch's parties", pa, pb, errA, errB)
	if len(pa.Creditors) == 0 || len(pa.Debtors) == 0 || len(pa.Claims) != len(batch) || len(pa.Payments) == 0 {
		t.Fatalf("a batch's parties: %d creditors, %d debtors, claims of %d cases, payments of %d", len(pa.Creditors), len(pa.Debtors), len(pa.Claims), len(pa.Payments))
	}

	// Plain lists, first and second page, as staff and as the creditor.
	list := func(st *postgres.Store, scope recouvra.Scope, after *uuid.UUID) ([]recouvra.Case, error) {
		var out []recouvra.Case
		err := st.Scoped(ctx, scope, func(r app.Repo) error {
			var err error
			out, err = r.ListCases(ctx, scope, app.CaseFilter{}, after, 21)
			return err
		})
		return out, err
	}
	for _, scope := range []recouvra.Scope{recouvra.AllCreditors, mine} {
		a, errA := list(fast, scope, nil)
		b, errB := list(slow, scope, nil)
		same("a list's first page", a, b, errA, errB)
		if len(a) == 0 {
			t.Fatal("empty list")
		}
		cursor := a[len(a)/2].ID
		a, errA = list(fast, scope, &cursor)
		b, errB = list(slow, scope, &cursor)
		same("a list's next page", a, b, errA, errB)
		for _, c := range a {
			if scope.CreditorID != nil && c.CreditorID != creditor {
				t.Fatalf("the creditor's list holds case %s of %s", c.ID, c.CreditorID)
			}
		}
	}

	// The queue page's reads, on the pool (staff only).
	var agent uuid.UUID
	if err := db.Pool.QueryRow(ctx, "SELECT id FROM users WHERE email = 'a1@direct.test'").Scan(&agent); err != nil {
		t.Fatal(err)
	}
	today := recouvra.DateOf(now)
	qa, errA := fast.Queue(ctx, agent, today, now, 50)
	qb, errB := slow.Queue(ctx, agent, today, now, 50)
	same("the queue", qa, qb, errA, errB)
	if len(qa) == 0 {
		t.Fatal("empty queue")
	}
	// The queue's total, as the sum of its two index ranges, against the
	// one predicate it replaces; the second agent holds leases (above).
	for _, email := range []string{"a1@direct.test", "a2@direct.test"} {
		var who uuid.UUID
		var want int64
		if err := db.Pool.QueryRow(ctx, "SELECT id FROM users WHERE email = $1", email).Scan(&who); err != nil {
			t.Fatal(err)
		}
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM cases WHERE stage IN ('amicable', 'formal_notice')
			AND (assigned_agent_id = $1 OR assigned_agent_id IS NULL) AND (next_action_on IS NULL OR next_action_on <= $2)
			AND (lease_until IS NULL OR lease_until < $3 OR lease_agent_id = $1)`, who, today, now).Scan(&want); err != nil {
			t.Fatal(err)
		}
		ca, errA := fast.QueueCount(ctx, who, today, now)
		cb, errB := slow.QueueCount(ctx, who, today, now)
		same("the queue's total", ca, cb, errA, errB)
		if ca != want || want == 0 {
			t.Fatalf("%s: queue total %d, want %d", email, ca, want)
		}
	}
	la, errA := fast.LastContacts(ctx, ids[:250])
	lb, errB := slow.LastContacts(ctx, ids[:250])
	same("the last contacts", la, lb, errA, errB)
	if len(la) != 200 {
		t.Fatalf("%d last contacts, want 200", len(la))
	}
	creditors := []uuid.UUID{creditor, other}
	na, errA := fast.CreditorNames(ctx, creditors)
	nb, errB := slow.CreditorNames(ctx, creditors)
	same("the creditors' names", na, nb, errA, errB)
	ta, errA := fast.OpenCallTasks(ctx, ids[:250])
	tb, errB := slow.OpenCallTasks(ctx, ids[:250])
	same("the open call tasks", ta, tb, errA, errB)
	if len(ta) != 200 {
		t.Fatalf("%d open call tasks, want 200", len(ta))
	}
}

// message is what a domain error says (its code and message, not the
// driver's words beneath), or the error's text.
func message(err error) string {
	var e *recouvra.Error
	if errors.As(err, &e) {
		return string(e.Code) + ": " + e.Message
	}
	return err.Error()
}

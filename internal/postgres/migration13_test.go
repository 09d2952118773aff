package postgres_test

import (
	"context"
	"testing"

	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
)

// TestMigration13GivesFiledCasesTheirRealInterruption: before 00013 a
// filing set last_interruption_on; since, the filing holds the bar through
// the court steps and a rejection voids it (C. civ. 2241-2243). Cases filed
// before get back the interruption their acknowledgements and enforceable
// order make; others keep theirs; claims become general.
func TestMigration13GivesFiledCasesTheirRealInterruption(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	m, err := postgres.NewMigrator(db.SQL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Down(ctx, 12); err != nil {
		t.Fatal(err)
	}
	_, err = db.Pool.Exec(ctx, `
		WITH c AS (INSERT INTO creditors (legal_name) VALUES ('Dupont SARL') RETURNING id),
		     d AS (INSERT INTO debtors (kind, name) VALUES ('company', 'Scierie SAS') RETURNING id),
		     k AS (INSERT INTO cases (reference, creditor_id, debtor_id, stage, injunction, last_interruption_on)
		           SELECT r.ref, c.id, d.id, 'injunction', r.inj::jsonb, r.last::date FROM c, d, (VALUES
		             ('M-ACK', '{"filed_on":"2026-03-01","decision":"rejected"}', '2026-03-01'),
		             ('M-NONE', '{"filed_on":"2026-03-01"}', '2026-03-01'),
		             ('M-TITLE', '{"filed_on":"2026-03-01","decision":"granted","enforceable_on":"2026-06-01"}', '2026-06-01'),
		             ('M-TITLE-SAMEDAY', '{"filed_on":"2026-03-01","enforceable_on":"2026-03-01"}', '2026-03-01'),
		             ('M-PAID', '{"filed_on":"2026-03-01","decision":"rejected"}', '2026-03-01'),
		             ('M-PLAIN', '{}', '2025-01-01')) AS r(ref, inj, last)
		           RETURNING id, reference, creditor_id),
		     e AS (INSERT INTO events (case_id, creditor_id, type, visibility, data)
		           SELECT id, creditor_id, 'acknowledgement', 'shared', '{"on":"2025-06-01"}' FROM k WHERE reference = 'M-ACK'),
		     p AS (INSERT INTO payments (case_id, creditor_id, amount_cents, currency, received_on, method, receipt_number, reversed_at)
		           SELECT id, creditor_id, 500, 'EUR', r.day::date, 'transfer', r.receipt, r.reversed::timestamptz
		             FROM k, (VALUES ('2025-09-15', 'M13-1', NULL), ('2025-11-20', 'M13-2', '2025-11-30T10:00:00Z')) AS r(day, receipt, reversed)
		            WHERE reference = 'M-PAID')
		INSERT INTO claims (case_id, creditor_id, invoice_number, issued_on, due_on, amount_cents, currency)
		SELECT id, creditor_id, 'F-1', '2025-01-01', '2025-01-31', 1000, 'EUR' FROM k WHERE reference = 'M-PLAIN'`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	// M-PAID: the payment kept restarts the term (C. civ. 2240), the
	// reversed one does not.
	want := map[string]string{"M-ACK": "2025-06-01", "M-PAID": "2025-09-15", "M-NONE": "", "M-TITLE": "2026-06-01", "M-TITLE-SAMEDAY": "2026-03-01", "M-PLAIN": "2025-01-01"}
	rows, err := db.Pool.Query(ctx, `SELECT reference, coalesce(last_interruption_on::text, '') FROM cases WHERE reference LIKE 'M-%'`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var ref, last string
		if err := rows.Scan(&ref, &last); err != nil {
			t.Fatal(err)
		}
		got[ref] = last
	}
	if rows.Err() != nil || len(got) != len(want) {
		t.Fatalf("%v %v", got, rows.Err())
	}
	for ref, w := range want {
		if got[ref] != w {
			t.Errorf("%s: last interruption %q, want %q", ref, got[ref], w)
		}
	}
	var nature string
	if err := db.Pool.QueryRow(ctx, `SELECT nature FROM claims WHERE invoice_number = 'F-1'`).Scan(&nature); err != nil || nature != "general" {
		t.Fatalf("existing claim's nature %q, %v", nature, err)
	}
}

package server_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

func (w *world) balances(as, query string) oapi.LedgerBalances {
	w.t.Helper()
	r := w.as(as).Do("GET", "/api/v1/ledger/balances"+query, nil)
	var b oapi.LedgerBalances
	r.Decode(w.t, &b)
	if r.Status != 200 {
		w.t.Fatalf("balances as %s: %d %s", as, r.Status, r.Body)
	}
	return b
}

// TestLedgerPostsPayments: a payment on the client account is held for
// the creditor in the same transaction, a direct payment earns the
// mandate's commission from the creditor, a reversal posts the opposite;
// the balances report agrees with the client account, says when funds are
// held past the month of R124-6, and a creditor sees its own lines only.
func TestLedgerPostsPayments(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.exec(t, "UPDATE creditors SET commission_bps = 1000 WHERE legal_name = 'Menuiserie Dupont SARL'")
	id := w.caseA.Case.ID
	first := w.payToday(id, 25000)
	second := w.payToday(id, 7000)
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+id.String()+"/payments",
		map[string]any{"amount_cents": 10050, "received_on": w.today().String(), "method": "direct_to_creditor"}, "Idempotency-Key", "ledger-direct"); r.Status != 201 {
		t.Fatalf("direct payment: %d %s", r.Status, r.Body)
	}
	w.reverse(second)

	b := w.balances("admin", "")
	if b.ClientBankCents == nil || *b.ClientBankCents != 25000 || b.UnexplainedCents == nil || *b.UnexplainedCents != 0 || b.HeldTotalCents != 25000 {
		t.Fatalf("admin balances: %+v", b)
	}
	if len(b.Creditors) != 1 || b.Creditors[0].CreditorId != w.credA.ID || b.Creditors[0].HeldCents != 25000 ||
		b.Creditors[0].CommissionReceivableCents != 1005 || b.Creditors[0].DirectCents != 10050 || b.Creditors[0].OverdueCents != 0 ||
		b.Creditors[0].Account != "owed_to_creditor:"+w.credA.ID.String() {
		t.Fatalf("creditor A's row: %+v", b.Creditors)
	}
	// The creditor: its own row, not the agency's figures; B sees nothing of A's.
	own := w.balances("creditor", "")
	if own.ClientBankCents != nil || len(own.Creditors) != 1 || own.Creditors[0].HeldCents != 25000 {
		t.Fatalf("creditor's balances: %+v", own)
	}
	if other := w.balances("creditor_b", ""); len(other.Creditors) != 0 || other.HeldTotalCents != 0 {
		t.Fatalf("creditor B saw %+v", other)
	}
	if r := w.as("creditor_b").Do("GET", "/api/v1/ledger/balances?creditor_id="+w.credA.ID.String(), nil); r.Status != 404 {
		t.Fatalf("B naming A: %d %s", r.Status, r.Body)
	}
	for _, who := range []string{"agent", "lawyer"} {
		if r := w.as(who).Do("GET", "/api/v1/ledger/balances", nil); r.Status != 403 {
			t.Fatalf("%s: %d", who, r.Status)
		}
	}

	// The creditor's lines: its accounts only, the reversal a line of its own.
	r := w.as("creditor").Do("GET", "/api/v1/ledger/entries", nil)
	var lines struct{ Items []oapi.LedgerEntry }
	r.Decode(t, &lines)
	if r.Status != 200 || len(lines.Items) != 6 { // 3 owed (2 payments, 1 reversal) + receivable + the memo pair
		t.Fatalf("creditor's lines: %d %s", r.Status, r.Body)
	}
	var sum int64
	for _, l := range lines.Items {
		if l.Account == "client_bank" || l.Account == "agency_revenue_commission" || l.CreditorId == nil || *l.CreditorId != w.credA.ID {
			t.Errorf("the creditor saw %+v", l)
		}
		if l.Account == "owed_to_creditor:"+w.credA.ID.String() {
			sum += l.AmountCents
		}
	}
	if sum != -25000 {
		t.Errorf("owed lines sum to %d", sum)
	}

	// Commission earned this month: the direct payment's.
	r = w.as("admin").Do("GET", "/api/v1/ledger/commission", nil)
	var com struct{ Months []oapi.CommissionMonth }
	r.Decode(t, &com)
	if r.Status != 200 || len(com.Months) != 12 || com.Months[11].CommissionCents != 1005 {
		t.Fatalf("commission: %d %s", r.Status, r.Body)
	}
	if r := w.as("creditor").Do("GET", "/api/v1/ledger/commission", nil); r.Status != 403 {
		t.Fatalf("creditor reading the agency's revenue: %d", r.Status)
	}
	if r := w.as("admin").Do("GET", "/api/v1/ledger/commission?from=2020-01&to=2026-01", nil); r.Status != 422 {
		t.Fatalf("73 months: %d %s", r.Status, r.Body)
	}

	// 40 days on, the first payment is held past its month.
	w.days(40)
	late := w.balances("admin", "?overdue=true")
	if len(late.Creditors) != 1 || late.Creditors[0].OverdueCents != 25000 || late.OverdueTotalCents != 25000 ||
		late.Creditors[0].OldestOverdueOn == nil || late.Creditors[0].OldestOverdueOn.Format("2006-01-02") != w.today().AddDays(-40).String() {
		t.Fatalf("overdue: %+v", late)
	}
	// The mandate allows 60 days: nothing overdue.
	w.exec(t, "UPDATE creditors SET remit_within_days = 60 WHERE legal_name = 'Menuiserie Dupont SARL'")
	if late := w.balances("admin", "?overdue=true"); len(late.Creditors) != 0 {
		t.Fatalf("60 days by mandate: %+v", late)
	}
	_ = first
}

// TestLedgerRefusesEditsAndImbalance: the database itself refuses an
// update, a delete, and a transaction whose entries do not sum to zero.
func TestLedgerRefusesEditsAndImbalance(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.payToday(w.caseA.Case.ID, 5000)
	ctx := context.Background()
	for _, sql := range []string{"UPDATE ledger_entries SET amount_cents = amount_cents * 2", "DELETE FROM ledger_entries", "TRUNCATE ledger_entries"} {
		_, err := w.db.Pool.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s: %v", sql, err)
		}
	}
	_, err := w.db.Pool.Exec(ctx, `INSERT INTO ledger_entries (txn_id, kind, account, creditor_id, amount_cents, currency, booked_on, payment_id)
		SELECT gen_random_uuid(), 'payment', 'agency_revenue_fees', creditor_id, 100, 'EUR', current_date, id FROM payments LIMIT 1`)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23514" {
		t.Errorf("an unbalanced transaction: %v", err)
	}
	if n := w.countRows(t, "SELECT count(*) FROM ledger_entries"); n != 2 {
		t.Errorf("%d lines, want the payment's 2", n)
	}
}

package server_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/bankfile"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestBankBatchBooksAsRecordPayment: a statement's sure matches are booked
// together (one batch: several entries for the same case, cases of both
// creditors, one that pays its case off and one refused after it because
// the case is then closed), and the same payments are recorded on twin
// cases — same creditor, same debtor, same invoice — one RecordPayment
// call at a time, in the same order. Each twin ends with the same
// payments, ledger lines, timeline, receipt mails, allocations, balances,
// stage and version as its batch-booked case.
//
//	go test -count=1 -run TestBankBatchBooksAsRecordPayment ./internal/server/
func TestBankBatchBooksAsRecordPayment(t *testing.T) {
	t.Parallel()
	w, _ := mailWorld(t, nil)
	ctx := context.Background()
	today := recouvra.DateOf(w.clock.Now())
	open := func(creditor uuid.UUID, name, email string) recouvra.Case {
		t.Helper()
		d := &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: name,
			Address: recouvra.Address{Line1: "4 rue du Moulin", PostalCode: "39000", City: "Lons-le-Saunier"}}
		if email != "" {
			d.Emails = []string{email}
		}
		v, err := w.svc.CreateCase(ctx, app.System, app.NewCase{CreditorID: &creditor, CreditorReference: "REF-" + w.unique(), Debtor: d,
			Claims: []recouvra.Claim{{InvoiceNumber: "F-" + w.unique(), IssuedOn: today.AddDays(-400), DueOn: today.AddDays(-370), AmountCents: 120000, VATCents: 20000}},
		}, app.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		return v.Case
	}
	type pair struct{ batch, single recouvra.Case }
	twins := func(creditor uuid.UUID, name, email string) pair {
		return pair{open(creditor, name, email), open(creditor, name, email)}
	}
	a1 := twins(w.credA.ID, "Menuiserie Perrin SARL", "compta@perrin.test")
	a2 := twins(w.credA.ID, "Forges Dumas SA", "") // no address: no receipt mail
	b1 := twins(w.credB.ID, "Tannerie Lebrun SAS", "paiements@lebrun.test")
	pays := []struct {
		to     pair
		amount int64
	}{
		{a1, 100_00}, {b1, 400_00}, {a1, 250_00}, {a2, 1_000_000_00}, {a2, 40_00}, {b1, 75_00}, {a1, 30_00},
	}

	// The batch: one statement, every entry a sure match by RF.
	var entries []bankfile.Entry
	for i, p := range pays {
		entries = append(entries, bankfile.Entry{Reference: fmt.Sprintf("T%d", i), BookedOn: today, AmountCents: p.amount, Credit: true,
			Structured: p.to.batch.PaymentReference()})
	}
	res, err := w.svc.ImportBankStatement(ctx, app.System, "", "twins.xml", bytes.NewReader(camtFile(t, "STMT-TWINS", today, entries...)), app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Entries != 7 || res.Booked != 6 || res.Unmatched != 1 {
		t.Fatalf("import: %+v", res)
	}
	// One at a time: the payments a bank entry books (a transfer, the RF
	// as its reference), through RecordPayment.
	refused := 0
	for _, p := range pays {
		_, err := w.svc.RecordPayment(ctx, app.System, p.to.single.ID, app.NewPayment{AmountCents: p.amount, Currency: "EUR", ReceivedOn: today,
			Method: recouvra.MethodTransfer, PayerReference: p.to.batch.PaymentReference()})
		if err != nil {
			if recouvra.ErrorCode(err) == recouvra.ECodeInternal {
				t.Fatal(err)
			}
			refused++
		}
	}
	if refused != 1 {
		t.Fatalf("%d payments refused one at a time, want 1 (the closed case's)", refused)
	}

	rows := func(sql string, args ...any) [][]any {
		t.Helper()
		rs, err := w.db.Pool.Query(ctx, sql, args...)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rs, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// What a case holds, with nothing that differs by nature between two
	// cases (ids, receipt numbers, times): the twins must hold the same.
	// The payer reference names the batch case's RF on both sides.
	holds := func(c recouvra.Case) map[string]any {
		t.Helper()
		got := map[string]any{
			"payments": rows(`SELECT amount_cents, currency, received_on, method, payer_reference, claim_id IS NULL, recorded_by IS NULL,
				receipt_number ~ '^R-[0-9]{4}-[0-9]{6,}$', creditor_id FROM payments WHERE case_id = $1 ORDER BY receipt_number`, c.ID),
			"ledger": rows(`SELECT l.kind, l.account, l.creditor_id, l.amount_cents, l.currency, l.booked_on
				FROM ledger_entries l JOIN payments p ON p.id = l.payment_id WHERE p.case_id = $1 ORDER BY p.receipt_number, l.account, l.amount_cents`, c.ID),
			// The timeline but for the mails' own events, which the queue
			// adds as it sends; the references each case was opened with
			// differ.
			"events": rows(`SELECT type, visibility, actor_user_id IS NULL AND actor_api_key_id IS NULL, creditor_id,
				data - 'payment_id' - 'receipt_number' - 'reference' - 'creditor_reference' - 'invoice_number'
				FROM events WHERE case_id = $1 AND type NOT LIKE 'email%' AND type <> 'document_added' ORDER BY seq`, c.ID),
			// Each payment_recorded event names its payment and receipt.
			"events naming their payment": rows(`SELECT count(*) FROM events e JOIN payments p ON p.id::text = e.data->>'payment_id'
				AND p.receipt_number = e.data->>'receipt_number' AND p.amount_cents = (e.data->>'amount_cents')::bigint
				WHERE e.case_id = $1 AND e.type = 'payment_recorded'`, c.ID),
			"receipt mails": rows(`SELECT m.kind, m.recipient, m.language, m.creditor_id, m.debtor_id IS NOT NULL, m.source_key = 'receipt:' || p.id, p.amount_cents
				FROM mail_messages m JOIN payments p ON p.id = m.payment_id WHERE m.case_id = $1 ORDER BY p.receipt_number`, c.ID),
			"case": rows(`SELECT stage, close_reason, paid_cents, balance_cents, version FROM cases WHERE id = $1`, c.ID),
		}
		// How each payment is applied today (claims, interest, fees).
		var applied []any
		rs, err := w.db.Pool.Query(ctx, `SELECT id FROM payments WHERE case_id = $1 ORDER BY receipt_number`, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pgx.CollectRows(rs, pgx.RowTo[uuid.UUID])
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			v, err := w.svc.Payment(ctx, app.System, id)
			if err != nil {
				t.Fatal(err)
			}
			var allocs []any
			for _, a := range v.Allocations {
				allocs = append(allocs, []any{a.IndemnityCents, a.InterestCents, a.PrincipalCents, a.ClaimID != uuid.Nil})
			}
			applied = append(applied, []any{allocs, v.UnappliedCents})
		}
		got["allocations"] = applied
		return got
	}
	for _, p := range []pair{a1, a2, b1} {
		batch, single := holds(p.batch), holds(p.single)
		for k := range batch {
			if !reflect.DeepEqual(batch[k], single[k]) {
				t.Errorf("case %s, %s:\n booked as a batch %v\n one at a time      %v", p.batch.Reference, k, batch[k], single[k])
			}
		}
	}
	// The figures themselves, so that two wrong sides cannot agree: a1
	// paid three times, b1 twice, a2 once and closed, receipts mailed
	// where the debtor has an address.
	for _, c := range []struct {
		p             pair
		payments      int
		mails         int
		stage         string
		recordedCount int64
	}{{a1, 3, 3, "amicable", 3}, {b1, 2, 2, "amicable", 2}, {a2, 1, 0, "closed", 1}} {
		got := holds(c.p.batch)
		if n := len(got["payments"].([][]any)); n != c.payments {
			t.Errorf("%s: %d payments, want %d", c.p.batch.Reference, n, c.payments)
		}
		if n := len(got["receipt mails"].([][]any)); n != c.mails {
			t.Errorf("%s: %d receipt mails, want %d", c.p.batch.Reference, n, c.mails)
		}
		if n := got["events naming their payment"].([][]any)[0][0].(int64); n != c.recordedCount {
			t.Errorf("%s: %d payment_recorded events naming their payment, want %d", c.p.batch.Reference, n, c.recordedCount)
		}
		if stage := got["case"].([][]any)[0][0].(string); stage != c.stage {
			t.Errorf("%s: stage %s, want %s", c.p.batch.Reference, stage, c.stage)
		}
		if len(got["ledger"].([][]any)) < 2*c.payments {
			t.Errorf("%s: ledger %v", c.p.batch.Reference, got["ledger"])
		}
	}
	var unbalanced int
	if err := w.db.Pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT txn_id FROM ledger_entries GROUP BY txn_id, currency HAVING sum(amount_cents) <> 0) x`).Scan(&unbalanced); err != nil {
		t.Fatal(err)
	}
	if unbalanced != 0 {
		t.Errorf("%d ledger transactions do not balance", unbalanced)
	}
	// The refused entry waits with the reason; importing again books nothing.
	again, err := w.svc.ImportBankStatement(ctx, app.System, "", "twins.xml", bytes.NewReader(camtFile(t, "STMT-TWINS", today, entries...)), app.Meta{})
	if err != nil || again.Duplicates != 7 || again.Booked != 0 {
		t.Fatalf("imported again: %v %+v", err, again)
	}
}

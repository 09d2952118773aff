package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/speedata/einvoice"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// invoiceWorld gives both creditors a mandate (10 %, 5,00 € per case), an
// IBAN and a SIREN, and funds held: A 500,00 €, B 200,00 €.
func invoiceWorld(t *testing.T) *world {
	w := newWorld(t)
	w.exec(t, "UPDATE creditors SET commission_bps = 1000, fixed_fee_cents = 500, iban = 'FR1420041010050500013M02606', bic = 'PSSTFRPP', siren = '542107651' WHERE legal_name = 'Menuiserie Dupont SARL'")
	w.exec(t, "UPDATE creditors SET commission_bps = 1000, fixed_fee_cents = 500, iban = 'FR7630006000011234567890189', siren = '443061841' WHERE legal_name = 'Boulangerie Martin SAS'")
	w.payToday(w.caseA.Case.ID, 50000)
	w.payToday(w.caseB.Case.ID, 20000)
	return w
}

func (w *world) invoices(as, query string) []oapi.Invoice {
	w.t.Helper()
	var out struct{ Items []oapi.Invoice }
	r := w.as(as).Do("GET", "/api/v1/invoices"+query, nil)
	r.Decode(w.t, &out)
	if r.Status != 200 {
		w.t.Fatalf("invoices as %s: %d %s", as, r.Status, r.Body)
	}
	return out.Items
}

// invoiceFiles downloads an invoice's PDF (as text) and CII XML (parsed
// and checked against EN 16931).
func (w *world) invoiceFiles(as string, id uuid.UUID) (string, *einvoice.Invoice) {
	w.t.Helper()
	c := w.as(as)
	r := c.Do("GET", "/api/v1/invoices/"+id.String()+"/pdf", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(r.Header.Get("Content-Disposition"), ".pdf") {
		w.t.Fatalf("pdf: %d %v", r.Status, r.Header)
	}
	text := apitest.PDFText(w.t, r.Body)
	r = c.Do("GET", "/api/v1/invoices/"+id.String()+"/cii", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/xml" {
		w.t.Fatalf("cii: %d %v", r.Status, r.Header)
	}
	inv, err := einvoice.ParseReader(bytes.NewReader(r.Body))
	if err != nil {
		w.t.Fatal(err)
	}
	if err := inv.Validate(); err != nil {
		w.t.Fatalf("EN 16931: %s\n%s", documents.ViolationsText(err), r.Body)
	}
	return text, inv
}

// sameFigures checks that the PDF read back prints what the CII XML says:
// number, dates, both parties' SIREN and VAT numbers, each line's net
// amount and VAT rate, the VAT, the totals, and the mentions.
func sameFigures(t *testing.T, text string, x *einvoice.Invoice) {
	t.Helper()
	money := func(d interface{ StringFixed(int32) string }) string {
		var units, cents int64
		fmt.Sscanf(d.StringFixed(2), "%d.%d", &units, &cents)
		return recouvra.FrenchMoney(units*100+cents, "EUR")
	}
	day := func(tm time.Time) string { return tm.Format("02/01/2006") }
	want := []string{x.InvoiceNumber, "Date d'émission : " + day(x.InvoiceDate),
		"du " + day(x.BillingSpecifiedPeriodStart) + " au " + day(x.BillingSpecifiedPeriodEnd),
		x.Seller.Name, x.Seller.SpecifiedLegalOrganization.ID, x.Seller.VATaxRegistration,
		x.Buyer.Name, x.Buyer.SpecifiedLegalOrganization.ID, x.Buyer.VATaxRegistration,
		"Total hors taxes " + money(x.TaxBasisTotal), "Total TTC " + money(x.GrandTotal), money(x.TaxTotal),
		"L441-10", "D441-5", "40,00 €", "escompte"}
	for _, l := range x.InvoiceLines {
		want = append(want, l.ItemName+" "+money(l.Total)+" "+strings.Replace(l.TaxRateApplicablePercent.StringFixed(2), ".", ",", 1))
	}
	for _, tt := range x.TradeTaxes {
		want = append(want, "TVA à "+strings.Replace(tt.Percent.StringFixed(2), ".", ",", 1)+" % sur "+money(tt.BasisAmount)+" "+money(tt.CalculatedAmount))
	}
	for _, s := range want {
		if !strings.Contains(text, apitest.Flat(s)) {
			t.Errorf("the PDF does not print %q:\n%s", s, text)
		}
	}
}

// TestInvoicesOfARemittanceRun: booking a run issues one invoice per
// creditor in the run's transaction, numbered in the year's series; each
// invoice's CII XML passes EN 16931 and carries the figures its PDF prints
// (the ledger's commission, fees and VAT), paid by compensation; a creditor
// sees its own invoices only, and its remittance names the invoice;
// invoices cannot be edited or deleted; correcting one issues a credit
// note referencing it and a replacing invoice; cancelling the run issues
// credit notes for its standing invoices; the series has no gap.
func TestInvoicesOfARemittanceRun(t *testing.T) {
	t.Parallel()
	w := invoiceWorld(t)
	admin := w.as("admin")
	var run oapi.RemittanceRun
	r := admin.Do("POST", "/api/v1/remittance-runs", map[string]any{})
	r.Decode(t, &run)
	if r.Status != 201 {
		t.Fatalf("draw up: %d %s", r.Status, r.Body)
	}
	if len(w.invoices("admin", "")) != 0 {
		t.Fatal("an invoice before the run was booked")
	}
	r = admin.Do("POST", "/api/v1/remittance-runs/"+run.Id.String()+"/book", nil)
	r.Decode(t, &run)
	if r.Status != 200 || len(run.Lines) != 2 {
		t.Fatalf("book: %d %s", r.Status, r.Body)
	}
	series := recouvra.InvoiceSeries(w.today())
	all := w.invoices("admin", "?run_id="+run.Id.String())
	if len(all) != 2 {
		t.Fatalf("%d invoices, want one per creditor", len(all))
	}
	byCreditor := map[uuid.UUID]oapi.Invoice{}
	for _, inv := range all {
		byCreditor[inv.CreditorId] = inv
	}
	// Numbered in the run's line order (by name): B then A.
	a, b := byCreditor[w.credA.ID], byCreditor[w.credB.ID]
	if b.Number != series+"-000001" || a.Number != series+"-000002" || a.Kind != "invoice" {
		t.Fatalf("numbers: A %s, B %s", a.Number, b.Number)
	}
	// A: 500,00 € held, 10 % = 50,00 €, fees 5,00 €, VAT 20 % 11,00 €, gross 66,00 € — the run's line.
	var lineA oapi.RemittanceLine
	for _, l := range run.Lines {
		if l.CreditorId == w.credA.ID {
			lineA = l
		}
	}
	if a.CommissionCents != 5000 || a.FeesCents != 500 || a.NetCents != lineA.CommissionNetCents || a.VatCents != lineA.VatCents ||
		a.GrossCents != lineA.CommissionGrossCents || a.GrossCents != 6600 || a.TransferReference != lineA.EndToEndId || a.IndemnityCents != 4000 ||
		a.Seller.Siren == nil || *a.Seller.Siren != "732829320" || *a.Seller.VatNumber != "FR44732829320" || *a.Buyer.Siren != "542107651" || *a.Buyer.VatNumber != "FR13542107651" {
		t.Fatalf("A's invoice: %+v", a)
	}

	text, x := w.invoiceFiles("admin", a.Id)
	sameFigures(t, text, x)
	if x.InvoiceNumber != a.Number || x.InvoiceTypeCode != 380 || x.GrandTotal.StringFixed(2) != "66.00" || x.TaxTotal.StringFixed(2) != "11.00" ||
		x.TotalPrepaid.StringFixed(2) != "66.00" || !x.DuePayableAmount.IsZero() || len(x.InvoiceLines) != 2 || len(x.PaymentMeans) != 1 || x.PaymentMeans[0].TypeCode != 97 {
		t.Fatalf("A's CII: %+v", x)
	}
	for _, s := range []string{"Facture acquittée le", "par compensation", lineA.EndToEndId, "Net à payer : 0,00 €"} {
		if !strings.Contains(text, s) {
			t.Errorf("A's PDF lacks %q", s)
		}
	}

	// The creditor sees its own, and its remittance names it; B's is missing to it.
	if mine := w.invoices("creditor", ""); len(mine) != 1 || mine[0].Id != a.Id {
		t.Fatalf("creditor A's invoices: %+v", mine)
	}
	if mine := w.invoices("api_key", ""); len(mine) != 1 || mine[0].Id != a.Id {
		t.Fatalf("A's key's invoices: %+v", mine)
	}
	for _, path := range []string{"", "/pdf", "/cii"} {
		if r := w.as("creditor").Do("GET", "/api/v1/invoices/"+b.Id.String()+path, nil); r.Status != 404 {
			t.Fatalf("A reading B's invoice%s: %d", path, r.Status)
		}
	}
	if text, _ := w.invoiceFiles("creditor", a.Id); !strings.Contains(text, a.Number) {
		t.Fatal("the creditor's download")
	}
	var rem struct{ Items []oapi.RemittanceLine }
	w.as("creditor").Do("GET", "/api/v1/remittances", nil).Decode(t, &rem)
	if len(rem.Items) != 1 || rem.Items[0].InvoiceId == nil || *rem.Items[0].InvoiceId != a.Id {
		t.Fatalf("remittance's invoice: %+v", rem.Items)
	}
	if r := w.as("creditor").Do("POST", "/api/v1/invoices/"+a.Id.String()+"/correct", map[string]any{"reason": "x"}); r.Status != 403 {
		t.Fatalf("a creditor correcting: %d", r.Status)
	}

	// Immutable: the database refuses an edit or a deletion.
	for _, sql := range []string{"UPDATE invoices SET gross_cents = 1", "DELETE FROM invoices", "TRUNCATE invoices CASCADE"} {
		if _, err := w.db.Pool.Exec(context.Background(), sql); err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Fatalf("%s: %v", sql, err)
		}
	}

	// Correcting A's invoice (the buyer's address changed): a credit note
	// referencing it, then a replacing invoice with the new address.
	w.exec(t, "UPDATE creditors SET address_line1 = '14 rue des Lilas' WHERE legal_name = 'Menuiserie Dupont SARL'")
	if r := admin.Do("POST", "/api/v1/invoices/"+a.Id.String()+"/correct", map[string]any{"reason": "  "}); r.Status != 422 {
		t.Fatalf("no reason: %d %s", r.Status, r.Body)
	}
	var corr struct {
		CreditNote oapi.Invoice `json:"credit_note"`
		Invoice    oapi.Invoice `json:"invoice"`
	}
	r = admin.Do("POST", "/api/v1/invoices/"+a.Id.String()+"/correct", map[string]any{"reason": "Adresse du client corrigée"})
	r.Decode(t, &corr)
	cn, repl := corr.CreditNote, corr.Invoice
	if r.Status != 201 || cn.Number != series+"-000003" || cn.Kind != "credit_note" || cn.CorrectsId == nil || *cn.CorrectsId != a.Id ||
		*cn.CorrectsNumber != a.Number || cn.GrossCents != a.GrossCents || repl.Number != series+"-000004" || repl.GrossCents != a.GrossCents ||
		repl.Buyer.Address[0] != "14 rue des Lilas" || cn.Buyer.Address[0] != "12 rue des Lilas" {
		t.Fatalf("correct: %d %s", r.Status, r.Body)
	}
	text, x = w.invoiceFiles("creditor", cn.Id)
	sameFigures(t, text, x)
	if x.InvoiceTypeCode != 381 || len(x.InvoiceReferencedDocument) != 1 || x.InvoiceReferencedDocument[0].ID != a.Number ||
		!strings.Contains(text, "Avoir n° "+cn.Number) || !strings.Contains(text, "Adresse du client corrigée") || !strings.Contains(text, "n° "+a.Number) {
		t.Fatalf("credit note: %+v\n%s", x, text)
	}
	if r := admin.Do("POST", "/api/v1/invoices/"+a.Id.String()+"/correct", map[string]any{"reason": "encore"}); r.Status != 409 {
		t.Fatalf("correcting twice: %d", r.Status)
	}
	if r := admin.Do("POST", "/api/v1/invoices/"+cn.Id.String()+"/correct", map[string]any{"reason": "encore"}); r.Status != 409 {
		t.Fatalf("correcting a credit note: %d", r.Status)
	}
	w.as("creditor").Do("GET", "/api/v1/remittances", nil).Decode(t, &rem)
	if *rem.Items[0].InvoiceId != repl.Id {
		t.Fatalf("the remittance's invoice after the correction: %v", rem.Items[0].InvoiceId)
	}

	// Cancelling the booked run: credit notes for B's invoice and A's replacement.
	if r := admin.Do("POST", "/api/v1/remittance-runs/"+run.Id.String()+"/cancel", nil); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	all = w.invoices("admin", "?run_id="+run.Id.String())
	credited := map[uuid.UUID]bool{}
	for _, inv := range all {
		if inv.Kind == "credit_note" {
			credited[*inv.CorrectsId] = true
		}
	}
	if len(all) != 6 || !credited[a.Id] || !credited[b.Id] || !credited[repl.Id] {
		t.Fatalf("after cancelling: %+v", all)
	}
	if r := admin.Do("POST", "/api/v1/invoices/"+b.Id.String()+"/correct", map[string]any{"reason": "x"}); r.Status != 409 {
		t.Fatalf("correcting an invoice of a cancelled run: %d", r.Status)
	}
	assertNoGap(t, w, series, 6)
}

// assertNoGap checks that the series holds exactly 1..n.
func assertNoGap(t *testing.T, w *world, series string, n int) {
	t.Helper()
	if got := w.countRows(t, "SELECT count(*) FROM invoices WHERE series = $1", series); got != n {
		t.Fatalf("%d documents in %s, want %d", got, series, n)
	}
	if got := w.countRows(t, "SELECT coalesce(max(seq), 0) FROM invoices WHERE series = $1", series); got != n {
		t.Fatalf("the last number is %d, want %d: a gap", got, n)
	}
	if got := w.countRows(t, "SELECT last_number FROM invoice_counters WHERE series = $1", series); got != n {
		t.Fatalf("counter at %d, want %d", got, n)
	}
}

// TestInvoiceNumbersHaveNoGap: two runs booked at the same time get
// consecutive numbers; a transaction that took a number and rolled back
// (while a third booking waited for the counter) gives it back: the third
// booking takes it, and the series runs 1, 2, 3.
func TestInvoiceNumbersHaveNoGap(t *testing.T) {
	t.Parallel()
	w := invoiceWorld(t)
	ctx := context.Background()
	draw := func(creditor uuid.UUID) uuid.UUID {
		run, err := w.svc.DrawUpRemittanceRun(ctx, app.System, &creditor, "test:"+w.unique(), app.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		return run.ID
	}
	runs := []uuid.UUID{draw(w.credA.ID), draw(w.credB.ID)}
	var wg sync.WaitGroup
	errs := make([]error, len(runs))
	for i, id := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.svc.RemittanceRunAct(ctx, app.System, id, recouvra.RunBook, app.Meta{})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	series := recouvra.InvoiceSeries(w.today())
	assertNoGap(t, w, series, 2)

	// A third run while another transaction holds number 3, then rolls back.
	w.payToday(w.caseA.Case.ID, 30000)
	third := draw(w.credA.ID)
	took, release := make(chan int64), make(chan struct{})
	rolledBack := make(chan error, 1)
	go func() {
		rolledBack <- postgres.NewStore(w.db).Tx(ctx, func(r app.Repo) error {
			n, err := r.NextInvoiceSeq(ctx, series)
			if err != nil {
				return err
			}
			took <- n
			<-release
			return errors.New("rolled back on purpose")
		})
	}()
	if n := <-took; n != 3 {
		t.Fatalf("the rolled-back transaction took %d", n)
	}
	booked := make(chan error, 1)
	go func() {
		_, err := w.svc.RemittanceRunAct(ctx, app.System, third, recouvra.RunBook, app.Meta{})
		booked <- err
	}()
	// The booking waits for the counter's row lock: until it is waiting
	// there, releasing would not test the wait.
	waitFor(t, func() bool {
		return w.countRows(t, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%invoice_counters%' AND datname = current_database()`) == 1
	})
	close(release)
	if err := <-rolledBack; err == nil || !strings.Contains(err.Error(), "on purpose") {
		t.Fatalf("the other transaction: %v", err)
	}
	if err := <-booked; err != nil {
		t.Fatal(err)
	}
	assertNoGap(t, w, series, 3)
	invs := w.invoices("admin", "?run_id="+third.String())
	if len(invs) != 1 || invs[0].Number != recouvra.InvoiceNumber(series, 3) {
		t.Fatalf("the third run's invoice: %+v", invs)
	}
}

// worldInvoices caches, per world, an invoice of each creditor for the
// guard tests that read one (the access matrix, the fuzz ids).
var worldInvoices sync.Map // *world → [2]uuid.UUID

// invoicePair is an invoice of creditor A and one of B, made once per world.
func (w *world) invoicePair() (a, b uuid.UUID) {
	w.t.Helper()
	if v, ok := worldInvoices.Load(w); ok {
		p := v.([2]uuid.UUID)
		return p[0], p[1]
	}
	a, b = w.freshInvoice(w.credA.ID, w.caseA.Case.ID), w.freshInvoice(w.credB.ID, w.caseB.Case.ID)
	worldInvoices.Store(w, [2]uuid.UUID{a, b})
	return a, b
}

// freshInvoice books a run paying a new payment of the creditor's case and
// returns its invoice. The creditor is given an IBAN, a SIREN and a
// commission for the run only: its IBAN is taken back after, so a run
// other tests draw up in the same world finds it unpayable as before.
func (w *world) freshInvoice(creditor, caseID uuid.UUID) uuid.UUID {
	w.t.Helper()
	ctx := context.Background()
	if _, err := w.db.Pool.Exec(ctx, "UPDATE creditors SET iban = 'FR1420041010050500013M02606', siren = '542107651', commission_bps = greatest(commission_bps, 500) WHERE id = $1", creditor); err != nil {
		w.t.Fatal(err)
	}
	defer func() {
		if _, err := w.db.Pool.Exec(ctx, "UPDATE creditors SET iban = '' WHERE id = $1", creditor); err != nil {
			w.t.Fatal(err)
		}
	}()
	if _, err := w.svc.RecordPayment(ctx, app.System, caseID, app.NewPayment{AmountCents: 10000, ReceivedOn: w.today(), Method: recouvra.MethodTransfer}); err != nil {
		w.t.Fatal(err)
	}
	run, err := w.svc.DrawUpRemittanceRun(ctx, app.System, &creditor, "invoice:"+w.unique(), app.Meta{})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.svc.RemittanceRunAct(ctx, app.System, run.ID, recouvra.RunBook, app.Meta{}); err != nil {
		w.t.Fatal(err)
	}
	invs, err := w.svc.Invoices(ctx, app.System, app.InvoiceFilter{RunID: &run.ID})
	if err != nil || len(invs) != 1 {
		w.t.Fatalf("the run's invoice: %v %+v", err, invs)
	}
	return invs[0].ID
}

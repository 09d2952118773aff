package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// Names the documents' fonts only partly have, on the creditor, the debtor
// and their addresses: Polish, Vietnamese (typed decomposed, as some
// keyboards and PDFs give it), Greek, a combining accent, the euro sign,
// no-break spaces — printed as they are; Japanese and an emoji, which no
// bundled font has, and a U+FFFD already in the data — drawn as U+FFFD, one
// per character, never dropped, never mojibake. Every PDF of this release
// that prints them goes through the shared gate (internal/pdf): the
// commission invoice and its credit note, the remittance statement, the
// strategy pass's print file (cover list and letters) and the agreement
// of a court-granted plan.
func TestDocumentsPrintWhatTheFontLacks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	const (
		creditor     = "Łódź Nguyễn Ελλάς 株式会社 😀 SARL"
		creditorLine = "5\u00a0place Kléber – 1\u202f000\u00a0€ de capital"
		debtor       = "Nguye\u0302\u0303n Văn An – Ōsaka 株式会社"
		debtorLine   = "12 rue de l'E\u0301glise \uFFFD bât. 😀"
		debtorCity   = "Αθήνα"
	)
	// Read back: what DejaVu has as typed (decomposed accents composed),
	// the rest one U+FFFD each.
	wantCreditor := "Łódź Nguyễn Ελλάς \uFFFD\uFFFD\uFFFD\uFFFD \uFFFD SARL"
	wantCreditorLine := "5 place Kléber – 1 000 € de capital"
	wantDebtor := "Nguyễn Văn An – Ōsaka \uFFFD\uFFFD\uFFFD\uFFFD"
	wantDebtorLine := "12 rue de l'Église \uFFFD bât. \uFFFD"
	w.exec(t, "UPDATE creditors SET commission_bps = 1000, fixed_fee_cents = 500, iban = 'FR1420041010050500013M02606', bic = 'PSSTFRPP', siren = '542107651' WHERE id = '"+w.credA.ID.String()+"'")
	if _, err := w.db.Pool.Exec(ctx, `UPDATE creditors SET legal_name = $1, address_line1 = $2, postal_code = '75001', city = $3 WHERE id = $4`,
		creditor, creditorLine, debtorCity, w.credA.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Pool.Exec(ctx, `UPDATE debtors SET name = $1, address_line1 = $2, city = $3 WHERE id = $4`,
		debtor, debtorLine, debtorCity, w.caseA.Case.DebtorID); err != nil {
		t.Fatal(err)
	}
	check := func(doc, text string, want ...string) {
		t.Helper()
		for _, s := range append(want, debtorCity) {
			if !strings.Contains(text, apitest.Flat(s)) {
				t.Errorf("%s: %q not read back from:\n%s", doc, s, text)
			}
		}
		if strings.ContainsAny(text, "株😀\u0301\u0302\u0303") {
			t.Errorf("%s: a character the fonts lack, or a loose combining accent, reached the page:\n%s", doc, text)
		}
	}

	// The commission invoice, its credit note and the replacing invoice.
	inv := w.freshInvoice(w.credA.ID, w.caseA.Case.ID)
	text, _ := w.invoiceFiles("admin", inv)
	check("invoice", text, wantCreditor, wantCreditorLine)
	r := w.as("admin").Do("POST", "/api/v1/invoices/"+inv.String()+"/correct", map[string]any{"reason": "Adresse 😀 corrigée"})
	var corr struct {
		CreditNote oapi.Invoice `json:"credit_note"`
		Invoice    oapi.Invoice `json:"invoice"`
	}
	if r.Status != 201 {
		t.Fatalf("correct: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &corr)
	text, _ = w.invoiceFiles("admin", corr.CreditNote.Id)
	check("credit note", text, wantCreditor, wantCreditorLine, "Adresse \uFFFD corrigée")

	// The remittance statement of the run the invoice came from.
	var doc uuid.UUID
	if err := w.db.Pool.QueryRow(ctx, `SELECT id FROM documents WHERE creditor_id = $1 AND kind = 'remittance_statement' ORDER BY created_at DESC LIMIT 1`, w.credA.ID).Scan(&doc); err != nil {
		t.Fatalf("the remittance statement: %v", err)
	}
	_, data := w.content("admin", doc.String())
	check("remittance statement", apitest.PDFText(t, data), wantCreditor)

	// A court-granted plan and its agreement, with the court-delay note.
	r = w.as("agent").Do("POST", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/plans", map[string]any{
		"schedule":          map[string]any{"frequency": "monthly", "count": 3, "first_on": w.today().AddDays(10).String()},
		"court":             "Tribunal de commerce de Łódź 😀",
		"court_decision_on": w.today().AddDays(-3).String(),
	}, "Idempotency-Key", "glyph-plan-"+w.unique())
	var plan oapi.Plan
	if r.Status != 201 {
		t.Fatalf("court plan: %d %s", r.Status, r.Body)
	}
	r.Decode(t, &plan)
	r, agreement := w.generate("agent", w.caseA.Case.ID.String(), map[string]any{"kind": "plan_agreement", "options": map[string]any{"plan_id": plan.Id}})
	if r.Status != 201 {
		t.Fatalf("plan agreement: %d %s", r.Status, r.Body)
	}
	_, data = w.content("agent", agreement.Id.String())
	check("plan agreement", apitest.PDFText(t, data), wantDebtor, wantDebtorLine, wantCreditor, "1343-5")

	// The strategy pass's print file: its cover list and the letter.
	pass := w.letterPass()
	status, file := w.get("admin", "/api/v1/strategy-runs/"+pass+"/print-file")
	if status != 200 {
		t.Fatalf("print file: %d %.200s", status, file)
	}
	check("print file", apitest.PDFText(t, file), wantDebtor, wantDebtorLine)
}

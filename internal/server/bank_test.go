package server_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/bankfile"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// agencyIBAN is the test configuration's agency account (testConfig).
const agencyIBAN = "FR7630006000011234567890189"

// camtFile writes a camt.053 statement of the agency's account.
func camtFile(t testing.TB, id string, on recouvra.Date, entries ...bankfile.Entry) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := bankfile.WriteCAMT053(&b, "MSG-"+id, bankfile.Statement{ID: id, Account: agencyIBAN, Currency: "EUR", On: on, OpeningCents: 500_000, Entries: entries}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// cfonbFile writes a CFONB 120 statement of the agency's account.
func cfonbFile(t testing.TB, on recouvra.Date, entries ...bankfile.Entry) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := bankfile.WriteCFONB120(&b, bankfile.Statement{Account: agencyIBAN, Currency: "EUR", On: on, OpeningCents: 500_000, Entries: entries}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// importStatement posts a statement file as principal as, the response
// checked against the contract.
func (w *world) importStatement(c *apitest.Client, name string, data []byte, format string) *apitest.Response {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if format != "" {
		_ = mw.WriteField("format", format)
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return c.Do("POST", "/api/v1/bank-statements", body.Bytes(), "Content-Type", mw.FormDataContentType())
}

// unmatchedEntry imports a credit no case matches and returns its id.
func (w *world) unmatchedEntry() uuid.UUID {
	w.t.Helper()
	ctx := context.Background()
	today := recouvra.DateOf(w.clock.Now())
	ref := "UNK-" + w.unique()
	data := camtFile(w.t, "STMT-"+ref, today, bankfile.Entry{Reference: ref, BookedOn: today, AmountCents: 1_23, Credit: true, Unstructured: "VIREMENT INCONNU"})
	if _, err := w.svc.ImportBankStatement(ctx, app.System, "", "x.xml", bytes.NewReader(data), app.Meta{}); err != nil {
		w.t.Fatal(err)
	}
	page, err := w.svc.ListBankEntries(ctx, app.System, app.BankUnmatched, app.PageRequest{Limit: 1})
	if err != nil || len(page.Items) == 0 || page.Items[0].Entry.Reference != ref {
		w.t.Fatalf("the unmatched entry: %v %+v", err, page)
	}
	return page.Items[0].Entry.ID
}

func decodeImport(t *testing.T, r *apitest.Response) oapi.BankImportResult {
	t.Helper()
	if r.Status != 201 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var res oapi.BankImportResult
	r.Decode(t, &res)
	return res
}

// payments lists a case's payments as the admin.
func (w *world) payments(t *testing.T, caseID uuid.UUID) []oapi.Payment {
	t.Helper()
	r := w.as("admin").Do("GET", "/api/v1/cases/"+caseID.String()+"/payments", nil)
	if r.Status != 200 {
		t.Fatalf("payments: %d %s", r.Status, r.Body)
	}
	var out struct{ Items []oapi.Payment }
	r.Decode(t, &out)
	return out.Items
}

// The case says its RF reference, derived from its reference, and a
// statement's credit carrying it is booked to it.
func TestCasePaymentReference(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.as("creditor").Do("GET", "/api/v1/cases/"+w.caseA.Case.ID.String(), nil)
	var c oapi.Case
	r.Decode(t, &c)
	ref := strings.ReplaceAll(c.Reference, "-", "")
	if c.PaymentReference == nil || !strings.HasPrefix(*c.PaymentReference, "RF") || !strings.HasSuffix(*c.PaymentReference, ref) ||
		*c.PaymentReference != recouvra.PaymentReference(c.Reference) {
		t.Fatalf("payment_reference %v for %s", c.PaymentReference, c.Reference)
	}
}

// A camt.053 and a CFONB 120 file made from known payments, each imported
// twice: every payment is booked once, to the case its reference names;
// what matches nothing waits in the queue; fees are left alone.
func TestBankStatementsBookEachPaymentOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	today := recouvra.DateOf(w.clock.Now())
	caseC := w.newCase(w.credA.ID, "Tuilerie Blanc SARL", "")
	caseD := w.newCase(w.credB.ID, "Verrerie Roux SAS", "")
	camt := camtFile(t, "STMT-1", today,
		bankfile.Entry{Reference: "C1", BookedOn: today, AmountCents: 300_00, Credit: true, Structured: w.caseA.Case.PaymentReference(), DebtorName: "SCIERIE DU JURA"},
		bankfile.Entry{Reference: "C2", BookedOn: today, AmountCents: 200_00, Credit: true, Unstructured: "REGLEMENT FACTURE " + w.caseB.Claims[0].InvoiceNumber},
		bankfile.Entry{Reference: "C3", BookedOn: today, AmountCents: 150_00, Credit: true, Unstructured: "Votre dossier " + caseC.Case.Reference + " merci"},
		bankfile.Entry{Reference: "C4", BookedOn: today, AmountCents: 99_00, Credit: true, Unstructured: "CADEAU"},
		bankfile.Entry{Reference: "C5", BookedOn: today, AmountCents: 12_00, Credit: false, Unstructured: "FRAIS BANCAIRES"},
	)
	cfonb := cfonbFile(t, today,
		bankfile.Entry{BookedOn: today, AmountCents: 400_00, Credit: true, Structured: caseD.Case.PaymentReference(), DebtorName: "VERRERIE ROUX", EndToEndID: "E2E-D"},
		bankfile.Entry{BookedOn: today, AmountCents: 50_00, Credit: true, Unstructured: "RF" + strings.TrimPrefix(caseC.Case.PaymentReference(), "RF")},
	)
	want := map[uuid.UUID][]int64{w.caseA.Case.ID: {300_00}, w.caseB.Case.ID: {200_00}, caseC.Case.ID: {150_00, 50_00}, caseD.Case.ID: {400_00}}
	check := func(when string) {
		t.Helper()
		for id, amounts := range want {
			got := w.payments(t, id)
			if len(got) != len(amounts) {
				t.Fatalf("%s: case %s has %d payments, want %d", when, id, len(got), len(amounts))
			}
			var sum, wantSum int64
			for i, p := range got {
				sum, wantSum = sum+p.AmountCents, wantSum+amounts[i]
				if p.Method != "transfer" || p.ReceivedOn.String() != today.String() {
					t.Errorf("%s: payment %+v", when, p)
				}
			}
			if sum != wantSum {
				t.Errorf("%s: case %s paid %d, want %d", when, id, sum, wantSum)
			}
		}
	}

	first := decodeImport(t, w.importStatement(w.as("admin"), "releve.xml", camt, ""))
	if first.Format != "camt.053" || first.Entries != 5 || first.Duplicates != 0 || first.Booked != 3 || first.Unmatched != 1 || first.Ignored != 1 {
		t.Fatalf("first camt import: %+v", first)
	}
	again := decodeImport(t, w.importStatement(w.as("admin"), "releve.xml", camt, "camt.053"))
	if again.Entries != 5 || again.Duplicates != 5 || again.Booked+again.Unmatched+again.Ignored+again.Reversed != 0 {
		t.Fatalf("camt imported again: %+v", again)
	}
	f1 := decodeImport(t, w.importStatement(w.as("admin"), "releve.txt", cfonb, "cfonb120"))
	if f1.Format != "cfonb120" || f1.Entries != 2 || f1.Booked != 2 || f1.Duplicates != 0 {
		t.Fatalf("first CFONB import: %+v", f1)
	}
	f2 := decodeImport(t, w.importStatement(w.as("admin"), "releve.txt", cfonb, ""))
	if f2.Entries != 2 || f2.Duplicates != 2 || f2.Booked != 0 {
		t.Fatalf("CFONB imported again: %+v", f2)
	}
	check("after importing each file twice")

	// The booked entries name their case and the rule; the unmatched one waits.
	r := w.as("agent").Do("GET", "/api/v1/bank-entries?status=booked", nil)
	var booked oapi.BankEntryPage
	r.Decode(t, &booked)
	rules := map[string]string{}
	for _, e := range booked.Items {
		rules[e.CaseReference+" "+string(e.StructuredReference)+e.RemittanceInformation] = e.MatchRule
		if e.PaymentId.IsNull() || e.Confidence < app.SureConfidence {
			t.Errorf("booked entry %+v", e)
		}
	}
	if len(booked.Items) != 5 {
		t.Fatalf("%d booked entries, want 5: %s", len(booked.Items), r.Body)
	}
	for _, e := range booked.Items {
		wantRule := map[string]string{w.caseA.Case.Reference: "rf", w.caseB.Case.Reference: "invoice_number", caseD.Case.Reference: "rf"}[e.CaseReference]
		if e.CaseReference == caseC.Case.Reference {
			wantRule = map[bool]string{true: "case_reference", false: "rf"}[e.AmountCents == 150_00]
		}
		if e.MatchRule != wantRule {
			t.Errorf("%s %d: rule %q, want %q", e.CaseReference, e.AmountCents, e.MatchRule, wantRule)
		}
	}
	r = w.as("admin").Do("GET", "/api/v1/bank-entries", nil)
	var unmatched oapi.BankEntryPage
	r.Decode(t, &unmatched)
	if len(unmatched.Items) != 1 || unmatched.Items[0].AmountCents != 99_00 || unmatched.Items[0].Status != "unmatched" {
		t.Fatalf("unmatched: %s", r.Body)
	}
}

// An entry no rule is sure of waits with its suggestions; an agent books
// it to the suggested case in one action (once: a second click is 409),
// or rejects another with a reason.
func TestBankUnmatchedBookedByHand(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	today := recouvra.DateOf(w.clock.Now())
	data := camtFile(t, "STMT-H", today,
		bankfile.Entry{Reference: "H1", BookedOn: today, AmountCents: 250_00, Credit: true, DebtorName: "Scierie du Jura", Unstructured: "ACOMPTE"},
		bankfile.Entry{Reference: "H2", BookedOn: today, AmountCents: 10_00, Credit: true, Unstructured: "REMBOURSEMENT"},
	)
	res := decodeImport(t, w.importStatement(w.as("admin"), "h.xml", data, ""))
	if res.Booked != 0 || res.Unmatched != 2 {
		t.Fatalf("import: %+v", res)
	}
	r := w.as("agent").Do("GET", "/api/v1/bank-entries?status=unmatched", nil)
	var page oapi.BankEntryPage
	r.Decode(t, &page)
	var named, other oapi.BankEntry
	for _, e := range page.Items {
		switch e.Reference {
		case "H1":
			named = e
		case "H2":
			other = e
		}
	}
	if len(named.Suggestions) == 0 || named.Suggestions[0].CaseId != w.caseA.Case.ID || named.Suggestions[0].Rule != "debtor_name" ||
		named.Suggestions[0].Confidence >= app.SureConfidence || named.Suggestions[0].DebtorName != "Scierie du Jura SAS" {
		t.Fatalf("suggestions for H1: %+v", named)
	}
	if len(other.Suggestions) != 0 {
		t.Fatalf("suggestions for H2: %+v", other.Suggestions)
	}

	r = w.as("agent").Do("POST", "/api/v1/bank-entries/"+named.Id.String()+"/book", map[string]any{"case_id": w.caseA.Case.ID})
	var done oapi.BankEntry
	r.Decode(t, &done)
	if r.Status != 200 || done.Status != "booked" || done.MatchRule != "manual" || done.PaymentId.IsNull() || done.CaseReference != w.caseA.Case.Reference {
		t.Fatalf("book: %d %s", r.Status, r.Body)
	}
	if r := w.as("agent").Do("POST", "/api/v1/bank-entries/"+named.Id.String()+"/book", map[string]any{"case_id": w.caseA.Case.ID}); r.Status != 409 {
		t.Fatalf("booked twice: %d %s", r.Status, r.Body)
	}
	if got := w.payments(t, w.caseA.Case.ID); len(got) != 1 || got[0].AmountCents != 250_00 {
		t.Fatalf("payments after booking: %+v", got)
	}
	// A case that does not exist is named as such; nothing is booked.
	if r := w.as("admin").Do("POST", "/api/v1/bank-entries/"+other.Id.String()+"/book", map[string]any{"case_id": uuid.Must(uuid.NewV7())}); r.Status != 422 ||
		!strings.Contains(string(r.Body), "case_id") {
		t.Fatalf("book to a missing case: %d %s", r.Status, r.Body)
	}
	if r := w.as("agent").Do("POST", "/api/v1/bank-entries/"+other.Id.String()+"/reject", map[string]any{"reason": " "}); r.Status != 422 {
		t.Fatalf("reject without reason: %d %s", r.Status, r.Body)
	}
	r = w.as("agent").Do("POST", "/api/v1/bank-entries/"+other.Id.String()+"/reject", map[string]any{"reason": "Remboursement d'un fournisseur, hors mandat"})
	var rejected oapi.BankEntry
	r.Decode(t, &rejected)
	if r.Status != 200 || rejected.Status != "rejected" || rejected.Note != "Remboursement d'un fournisseur, hors mandat" || rejected.DecidedAt.IsNull() {
		t.Fatalf("reject: %d %s", r.Status, r.Body)
	}
	r = w.as("agent").Do("GET", "/api/v1/bank-entries", nil)
	r.Decode(t, &page)
	if len(page.Items) != 0 {
		t.Fatalf("the queue is not empty: %s", r.Body)
	}
}

// A reversal in a later statement takes the payment back, once.
func TestBankReversal(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	today := recouvra.DateOf(w.clock.Now())
	credit := bankfile.Entry{Reference: "R1", BookedOn: today, AmountCents: 1200_00, Credit: true, Structured: w.caseA.Case.PaymentReference(), EndToEndID: "E2E-R1"}
	if res := decodeImport(t, w.importStatement(w.as("admin"), "r1.xml", camtFile(t, "STMT-R1", today, credit), "")); res.Booked != 1 {
		t.Fatalf("credit: %+v", res)
	}
	pays := w.payments(t, w.caseA.Case.ID)
	if len(pays) != 1 || !pays[0].ReversedAt.IsNull() {
		t.Fatalf("payments: %+v", pays)
	}
	back := bankfile.Entry{Reference: "R2", BookedOn: today, AmountCents: 1200_00, Credit: false, Reversal: true, Structured: credit.Structured, EndToEndID: "E2E-R1",
		Unstructured: "RETOUR VIREMENT"}
	stmt := cfonbFile(t, today, back)
	for range 2 {
		res := decodeImport(t, w.importStatement(w.as("admin"), "r2.txt", stmt, ""))
		if res.Reversed+res.Duplicates != 1 {
			t.Fatalf("reversal: %+v", res)
		}
	}
	pays = w.payments(t, w.caseA.Case.ID)
	if len(pays) != 1 || pays[0].ReversedAt.IsNull() || !strings.Contains(pays[0].ReversalReason, "Contrepassé par la banque") {
		t.Fatalf("payment not reversed: %+v", pays)
	}
	r := w.as("admin").Do("GET", "/api/v1/bank-entries?status=reversed", nil)
	var page oapi.BankEntryPage
	r.Decode(t, &page)
	if len(page.Items) != 1 || page.Items[0].Reference != "R1" {
		t.Fatalf("reversed entries: %s", r.Body)
	}
	r = w.as("admin").Do("GET", "/api/v1/bank-entries?status=reversal", nil)
	r.Decode(t, &page)
	if len(page.Items) != 1 || page.Items[0].ReversesEntryId.IsNull() || page.Items[0].CaseReference != w.caseA.Case.Reference {
		t.Fatalf("reversal entries: %s", r.Body)
	}
}

// A bad file is refused whole with 422 naming the line or element; a good
// credit in it is not booked, and nothing is stored.
func TestBankBadFilesBookNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	today := recouvra.DateOf(w.clock.Now())
	good := bankfile.Entry{Reference: "G1", BookedOn: today, AmountCents: 100_00, Credit: true, Structured: w.caseA.Case.PaymentReference()}
	usd := good
	usd.Reference, usd.Currency = "G2", "USD"
	camt := string(camtFile(t, "STMT-G", today, good))
	var other bytes.Buffer
	_ = bankfile.WriteCAMT053(&other, "M", bankfile.Statement{ID: "X", Account: "FR1420041010050500013M02606", Currency: "EUR", On: today, Entries: []bankfile.Entry{good}})
	cfonb := strings.Split(string(cfonbFile(t, today, good)), "\r\n")
	cases := []struct {
		name, file, format string
		want               []string
	}{
		{"another account", other.String(), "", []string{"ligne", "Stmt/Acct", "FR14 2004 1010 0505 0001 3M02 606", "n'est pas celui de l'agence"}},
		{"dollars", string(camtFile(t, "STMT-U", today, good, usd)), "", []string{"ligne", "Amt/@Ccy", "USD"}},
		{"truncated camt", camt[:len(camt)*2/3], "", []string{"camt.053 illisible", "tronqué"}},
		{"xml bomb", strings.Replace(camt, "<Document", `<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><Document`, 1), "", []string{"DOCTYPE"}},
		{"CFONB wrong total", strings.Replace(strings.Join(cfonb, "\r\n"), "0000000051000{", "0000000051001{", 1), "", []string{"ligne 4, 07", "nouveau solde"}},
		{"CFONB truncated", strings.Join(cfonb[:2], "\r\n"), "", []string{"tronqué", "07"}},
		{"claims camt, is CFONB", strings.Join(cfonb, "\r\n"), "camt.053", []string{"camt.053 illisible"}},
		{"not a statement", "%PDF-1.4\n", "", []string{"Format non reconnu"}},
	}
	for _, tc := range cases {
		r := w.importStatement(w.as("admin"), "bad", []byte(tc.file), tc.format)
		if r.Status != 422 {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
			continue
		}
		p := r.Problem(t)
		body := string(r.Body)
		for _, want := range tc.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the problem does not say %q: %+v", tc.name, want, p)
			}
		}
	}
	if got := w.payments(t, w.caseA.Case.ID); len(got) != 0 {
		t.Fatalf("a bad file booked %+v", got)
	}
	for _, st := range app.BankStatuses {
		page, err := w.svc.ListBankEntries(context.Background(), app.System, st, app.PageRequest{})
		if err != nil || len(page.Items) != 0 {
			t.Fatalf("%s entries stored: %v %+v", st, err, page.Items)
		}
	}
}

// A statement is matched in batches, each entry's payment in its own
// savepoint: an entry its case refuses — closed before the import, or paid
// off by an earlier entry of the same batch — goes to the unmatched queue
// with the reason while the rest books, each once, with the same ledger
// lines and timeline events as a payment typed by hand; a reversal finds
// the credit booked earlier in the same file; importing the file again
// books nothing.
func TestBankBatchBooksAroundABadEntry(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	today := recouvra.DateOf(w.clock.Now())
	closed := w.newCase(w.credA.ID, "Tuilerie Blanc SARL", "")
	id := closed.Case.ID.String()
	if r := w.as("admin").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "closed", "close_reason": "settled"}, "If-Match", w.etag(id)); r.Status != 200 {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	paidOff := w.newCase(w.credB.ID, "Verrerie Roux SAS", "")
	stmt := camtFile(t, "STMT-BATCH", today,
		bankfile.Entry{Reference: "K1", BookedOn: today, AmountCents: 100_00, Credit: true, Structured: w.caseA.Case.PaymentReference()},
		bankfile.Entry{Reference: "K2", BookedOn: today, AmountCents: 70_00, Credit: true, Structured: closed.Case.PaymentReference()},
		bankfile.Entry{Reference: "K3", BookedOn: today, AmountCents: 1_000_000_00, Credit: true, Structured: paidOff.Case.PaymentReference()},
		bankfile.Entry{Reference: "K4", BookedOn: today, AmountCents: 30_00, Credit: true, Structured: paidOff.Case.PaymentReference()},
		bankfile.Entry{Reference: "K5", BookedOn: today, AmountCents: 55_00, Credit: true, Structured: w.caseB.Case.PaymentReference(), EndToEndID: "E2E-K5"},
		bankfile.Entry{Reference: "K6", BookedOn: today, AmountCents: 55_00, Credit: false, Reversal: true, Structured: w.caseB.Case.PaymentReference(), EndToEndID: "E2E-K5"},
		bankfile.Entry{Reference: "K7", BookedOn: today, AmountCents: 40_00, Credit: true, Structured: w.caseA.Case.PaymentReference()},
	)
	res, err := w.svc.ImportBankStatement(ctx, app.System, "", "batch.xml", bytes.NewReader(stmt), app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Entries != 7 || res.Booked != 4 || res.Unmatched != 2 || res.Reversed != 1 || res.Duplicates != 0 {
		t.Fatalf("import: %+v", res)
	}
	again, err := w.svc.ImportBankStatement(ctx, app.System, "", "batch.xml", bytes.NewReader(stmt), app.Meta{})
	if err != nil || again.Duplicates != 7 || again.Booked+again.Unmatched+again.Reversed+again.Ignored != 0 {
		t.Fatalf("imported again: %v %+v", err, again)
	}

	// What each case was paid, once.
	amounts := func(caseID uuid.UUID) (live, reversed []int64) {
		for _, p := range w.payments(t, caseID) {
			if p.ReversedAt.IsNull() {
				live = append(live, p.AmountCents)
			} else {
				reversed = append(reversed, p.AmountCents)
			}
		}
		return live, reversed
	}
	if live, rev := amounts(w.caseA.Case.ID); len(live) != 2 || live[0]+live[1] != 140_00 || len(rev) != 0 {
		t.Errorf("case A: %v, reversed %v", live, rev)
	}
	if live, rev := amounts(closed.Case.ID); len(live)+len(rev) != 0 {
		t.Errorf("the closed case was paid: %v %v", live, rev)
	}
	if live, rev := amounts(paidOff.Case.ID); len(live) != 1 || live[0] != 1_000_000_00 || len(rev) != 0 {
		t.Errorf("the case paid off: %v, reversed %v", live, rev)
	}
	if live, rev := amounts(w.caseB.Case.ID); len(live) != 0 || len(rev) != 1 || rev[0] != 55_00 {
		t.Errorf("case B: %v, reversed %v", live, rev)
	}

	// The two refused wait in the queue, each with its reason.
	r := w.as("agent").Do("GET", "/api/v1/bank-entries?status=unmatched", nil)
	var page oapi.BankEntryPage
	r.Decode(t, &page)
	notes := map[string]string{}
	for _, e := range page.Items {
		notes[e.Reference] = e.Note
	}
	if len(notes) != 2 || !strings.Contains(notes["K2"], closed.Case.Reference) || !strings.Contains(notes["K2"], "clos") ||
		!strings.Contains(notes["K4"], "Paiement refusé par le dossier") || !strings.Contains(notes["K4"], "clos") {
		t.Fatalf("unmatched: %q", notes)
	}

	// As a payment typed by hand: one payment_recorded event each on the
	// timeline, the payment posted to the ledger (which stays balanced),
	// the paid-off case closed as paid.
	var events, postings, unbalanced int
	if err := w.db.Pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM events WHERE type = 'payment_recorded' AND case_id = ANY($1)),
		(SELECT count(DISTINCT l.payment_id) FROM ledger_entries l JOIN payments p ON p.id = l.payment_id WHERE l.kind = 'payment' AND p.case_id = ANY($1)),
		(SELECT count(*) FROM (SELECT txn_id FROM ledger_entries GROUP BY txn_id, currency HAVING sum(amount_cents) <> 0) x)`,
		[]uuid.UUID{w.caseA.Case.ID, w.caseB.Case.ID, closed.Case.ID, paidOff.Case.ID}).Scan(&events, &postings, &unbalanced); err != nil {
		t.Fatal(err)
	}
	if events != 4 || postings != 4 || unbalanced != 0 {
		t.Fatalf("%d payment events, %d payments posted, %d unbalanced ledger transactions; want 4, 4, 0", events, postings, unbalanced)
	}
	r = w.as("admin").Do("GET", "/api/v1/cases/"+paidOff.Case.ID.String(), nil)
	var c oapi.Case
	r.Decode(t, &c)
	if c.Stage != "closed" || c.CloseReason.MustGet() != "paid" {
		t.Fatalf("the paid-off case: %s %v", c.Stage, c.CloseReason)
	}
}

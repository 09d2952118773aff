package documents_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/configs"
	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/recouvra"
)

var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func agency() documents.Agency {
	return documents.Agency{Letterhead: pdf.Letterhead{Name: "Agence Recouvra", Address: []string{"10 rue de la Paix", "75002 Paris"},
		Phone: "01 23 45 67 89", Email: "contact@recouvra.test"}, City: "Paris", IBAN: "FR76 3000 6000 0112 3456 7890 189"}
}

// pdfFile writes data where pdftotext can read it.
func pdfFile(t *testing.T, data []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return in
}

// page is the text of page n (from 1), flattened; ok false past the end.
func page(t *testing.T, in string, n int) (string, bool) {
	t.Helper()
	out, err := exec.Command("pdftotext", "-f", strconv.Itoa(n), "-l", strconv.Itoa(n), "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		return "", false
	}
	return apitest.Flat(string(out)), true
}

// layout is the document's text as laid out (pdftotext -layout: a table's
// row on one line, whatever order the cells were drawn in), flattened.
func layout(t *testing.T, data []byte) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", pdfFile(t, data), "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return apitest.Flat(string(out))
}

// column is the text of every page between x0 and x1 mm from the left
// edge (pdftotext cropped to that band): a wrapped cell's lines in a row.
func column(t *testing.T, data []byte, x0, x1 float64) string {
	t.Helper()
	pt := func(mm float64) string { return strconv.Itoa(int(mm / 25.4 * 72)) }
	out, err := exec.Command("pdftotext", "-layout", "-x", pt(x0+0.5), "-y", "0", "-W", pt(x1-x0-1), "-H", "842", "-enc", "UTF-8", pdfFile(t, data), "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// aCase is a case with n invoices, a credit note correcting the first, and
// a transfer and a cheque; its statement at 2 March 2026.
func aCase(n int) ([]recouvra.Claim, recouvra.Statement) {
	var claims []recouvra.Claim
	for i := range n {
		claims = append(claims, recouvra.Claim{ID: uuid.New(), InvoiceNumber: fmt.Sprintf("FA-2025-%03d", i+1), IssuedOn: recouvra.MustDate("2025-09-01").AddDays(i),
			DueOn: recouvra.MustDate("2025-10-01").AddDays(i), AmountCents: 120_000 + int64(i)*1_000, Currency: "EUR", Regime: recouvra.RegimeContractual, ContractRateBps: 1200})
	}
	claims = append(claims, recouvra.Claim{ID: uuid.New(), InvoiceNumber: "AV-2025-007", IssuedOn: recouvra.MustDate("2025-10-15"), DueOn: recouvra.MustDate("2025-10-15"),
		AmountCents: -20_000, Currency: "EUR", Corrects: &claims[0].ID})
	payments := []recouvra.Payment{
		{ID: uuid.New(), AmountCents: 30_000, Currency: "EUR", ReceivedOn: recouvra.MustDate("2025-11-03"), Method: recouvra.MethodTransfer, ReceiptNumber: "R-2025-0101", CreatedAt: at},
		{ID: uuid.New(), AmountCents: 15_000, Currency: "EUR", ReceivedOn: recouvra.MustDate("2025-12-10"), Method: recouvra.MethodCheque, ReceiptNumber: "R-2025-0102", CreatedAt: at},
	}
	st := recouvra.ComputeStatement(recouvra.StatementInput{AsOf: recouvra.MustDate("2026-03-02"), Currency: "EUR", CreditorStatus: recouvra.StatusBusiness,
		DebtorKind: recouvra.DebtorCompany, Claims: claims, Payments: payments})
	return claims, st
}

func letter(claims []recouvra.Claim, st recouvra.Statement) documents.Letter {
	return documents.Letter{Agency: agency(), Case: recouvra.Case{Reference: "DOS-2026-0042"},
		Creditor:  recouvra.Creditor{LegalName: "Imprimerie Martin SARL", CreditorDetails: recouvra.CreditorDetails{Address: recouvra.Address{Line1: "5 rue Gutenberg", PostalCode: "69002", City: "Lyon"}}},
		Debtor:    recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Scierie du Jura SAS", Address: recouvra.Address{Line1: "4 rue du Moulin", PostalCode: "39000", City: "Lons-le-Saunier"}},
		Statement: st, Claims: claims, Date: recouvra.MustDate("2026-03-02"), Reference: "DOS-2026-0042-L1", FirstReference: "DOS-2026-0042-L1",
		FirstDate: recouvra.MustDate("2026-03-02"), RegisteredNumber: "1A 123", Signer: "Claire Fontaine", At: at}
}

func money(c int64) string { return apitest.Flat(recouvra.FrenchMoney(c, "EUR")) }

// Every letter lists what the debtor needs to reconcile the claim with its
// books — invoices, credit notes, payments with their means — then the
// rest due split three ways, names the agent who signs and answers, writes
// names with French elision, and gives the R124-4 mentions in sentences,
// in order.
func TestLettersLetTheDebtorReconcile(t *testing.T) {
	t.Parallel()
	claims, st := aCase(3)
	l := letter(claims, st)
	amicable, err := documents.AmicableLetter(l)
	if err != nil {
		t.Fatal(err)
	}
	notice, err := documents.FormalNotice(l, 8, false)
	if err != nil {
		t.Fatal(err)
	}
	tt := st.Totals
	for name, f := range map[string]documents.File{"amicable": amicable, "notice": notice} {
		text := layout(t, f.PDF)
		want := []string{
			// the payment reference (ISO 11649) beside the case's
			"Dossier : DOS-2026-0042 Référence de paiement : RF33 DOS2 0260 042",
			// 1. the agency, 2. the creditor (with elision)
			"Agence Recouvra, 10 rue de la Paix, 75002 Paris, exerce l'activité de recouvrement amiable de créances pour le compte d'autrui",
			"sur mandat d'Imprimerie Martin SARL, 5 rue Gutenberg, 69002 Lyon, votre créancier",
			// 3. basis, every invoice, the credit note, the payments
			"Facture n° Date Échéance Montant TTC",
			"FA-2025-001 01/09/2025 01/10/2025 " + money(120_000),
			"FA-2025-002 02/09/2025 02/10/2025 " + money(121_000),
			"FA-2025-003 03/09/2025 03/10/2025 " + money(122_000),
			"Avoir n° Date Facture corrigée Montant de l'avoir", "AV-2025-007 15/10/2025 FA-2025-001 " + money(20_000),
			"03/11/2025 " + money(30_000) + " virement R-2025-0101", "10/12/2025 " + money(15_000) + " chèque R-2025-0102",
			fmt.Sprintf("Au 02/03/2026, il reste dû %s, soit %s en principal, %s d'intérêts et %s d'autres sommes (indemnités forfaitaires et frais)",
				money(tt.TotalDueCents), money(tt.PrincipalOutstandingCents), money(tt.InterestOutstandingCents), money(tt.IndemnitiesOutstandingCents)),
			"Principal Intérêts Autres sommes",
			// 4. demand and means of payment (elision again)
			"IBAN FR76 3000 6000 0112 3456 7890 189, en indiquant la référence de paiement RF33 DOS2 0260 042 ;",
			"par chèque à l'ordre d'Agence Recouvra, adressé à", "au dos duquel vous noterez la référence du dossier, DOS-2026-0042.",
			// 5. L111-8, introduced by a sentence, then word for word
			"les alinéas 2 et 3 de l'article L111-8 du code des procédures civiles d'exécution", apitest.Flat(configs.L1118),
			// the contact and signatory
			"Votre interlocuteur : Claire Fontaine (tél. 01 23 45 67 89, contact@recouvra.test).", "Claire Fontaine pour Agence Recouvra",
		}
		last := -1
		for _, w := range want {
			i := strings.Index(text, w)
			if i < 0 {
				t.Errorf("%s: %q not in the letter:\n%s", name, w, text)
				continue
			}
			if i < last {
				t.Errorf("%s: %q out of order", name, w)
			}
			last = i
		}
		for _, heading := range []string{"1. Qui vous écrit", "2. Le créancier", "Demande de paiement et moyens"} {
			if strings.Contains(text, heading) {
				t.Errorf("%s: checklist heading %q in the letter", name, heading)
			}
		}
		if strings.Contains(text, "de Imprimerie") || strings.Contains(text, "de Agence") {
			t.Errorf("%s: a name not elided:\n%s", name, text)
		}
	}
	if !strings.Contains(layout(t, notice.PDF), "au nom et pour le compte d'Imprimerie Martin SARL") {
		t.Error("formal notice: no elision before the creditor's name")
	}
	// No signer known: the service signs.
	l.Signer = ""
	f, err := documents.AmicableLetter(l)
	if err != nil {
		t.Fatal(err)
	}
	if text := layout(t, f.PDF); !strings.Contains(text, "Votre interlocuteur : Le service recouvrement") {
		t.Errorf("no fallback contact:\n%s", text)
	}
}

// However many invoices push it down the page, the L111-8 block is never
// split so that a page holds fewer than four of its lines: read page by
// page, each page has all of it or none.
func TestL1118IsNotSplitAcrossPages(t *testing.T) {
	t.Parallel()
	paras := strings.Split(strings.TrimSpace(configs.L1118), "\n\n")
	var marks []string // the first and last words of each paragraph
	for _, p := range paras {
		w := strings.Fields(p)
		marks = append(marks, strings.Join(w[:4], " "), strings.Join(w[len(w)-4:], " "))
	}
	moved := 0
	for n := 1; n <= 24; n++ {
		claims, st := aCase(n)
		f, err := documents.AmicableLetter(letter(claims, st))
		if err != nil {
			t.Fatal(err)
		}
		in := pdfFile(t, f.PDF)
		for p := 1; ; p++ {
			text, ok := page(t, in, p)
			if !ok {
				break
			}
			has := 0
			for _, m := range marks {
				if strings.Contains(text, m) {
					has++
				}
			}
			if has != 0 && has != len(marks) {
				t.Errorf("%d invoices: page %d holds only part of L111-8:\n%s", n, p, text)
			}
			if has == len(marks) && !strings.Contains(text, "les alinéas 2 et 3 de l'article L111-8") {
				t.Errorf("%d invoices: L111-8 on page %d without its introducing sentence", n, p)
			}
			if has > 0 && p > 1 && strings.HasPrefix(text, "Agence Recouvra 10 rue de la Paix 75002 Paris Tél. 01 23 45 67 89 — contact@recouvra.test Enfin") {
				moved++
			}
		}
	}
	if moved == 0 {
		t.Fatal("L111-8 never started a page: no invoice count brought it to a page's foot, the test does not test")
	}
}

// The payment receipt says what is left due after the payment, split
// three ways, and who to contact.
func TestReceiptShowsTheBalanceLeft(t *testing.T) {
	t.Parallel()
	claims, st := aCase(2)
	r := documents.Receipt{Agency: agency(), Case: recouvra.Case{Reference: "DOS-2026-0042"}, Creditor: letter(claims, st).Creditor,
		Debtor:  recouvra.Debtor{Name: "Atelier Blanc", Address: recouvra.Address{Line1: "1 rue Haute", PostalCode: "39000", City: "Lons-le-Saunier"}},
		Payment: st.Payments[1].Payment, Applied: st.Payments[1].Allocations, Left: st.Totals, Signer: "Claire Fontaine", At: at}
	f, err := documents.PaymentReceipt(r)
	if err != nil {
		t.Fatal(err)
	}
	text := layout(t, f.PDF)
	tt := st.Totals
	for _, want := range []string{
		"Agence Recouvra reconnaît avoir reçu d'Atelier Blanc, le 10/12/2025, la somme de " + money(15_000) + " par chèque, pour le compte d'Imprimerie Martin SARL",
		fmt.Sprintf("Après ce paiement, il reste dû, au 10/12/2025, %s, soit %s en principal, %s d'intérêts et %s d'autres sommes",
			money(tt.TotalDueCents), money(tt.PrincipalOutstandingCents), money(tt.InterestOutstandingCents), money(tt.IndemnitiesOutstandingCents)),
		"Votre interlocuteur : Claire Fontaine",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the receipt:\n%s", want, text)
		}
	}
	r.Left = recouvra.StatementTotals{}
	f, _ = documents.PaymentReceipt(r)
	if text := layout(t, f.PDF); !strings.Contains(text, "Après ce paiement, plus rien n'est dû au 10/12/2025.") {
		t.Errorf("paid in full:\n%s", text)
	}
}

// A remittance statement with long receipt numbers and names prints them
// whole, wrapped inside their columns, headers included.
func TestRemittanceStatementWrapsLongCells(t *testing.T) {
	t.Parallel()
	r := documents.Remittance{Agency: agency(), Currency: "EUR", From: recouvra.MustDate("2026-02-01"), To: recouvra.MustDate("2026-02-28"), At: at,
		Creditor: recouvra.Creditor{LegalName: "Imprimerie Martin SARL", CreditorDetails: recouvra.CreditorDetails{Address: recouvra.Address{Line1: "5 rue Gutenberg", PostalCode: "69002", City: "Lyon"},
			Mandate: recouvra.Mandate{CommissionBps: 1500, SignedOn: recouvra.MustDate("2025-01-10")}}}}
	for i := range 30 {
		r.Lines = append(r.Lines, documents.RemittanceLine{ReceivedOn: recouvra.MustDate("2026-02-02").AddDays(i % 20), CaseReference: fmt.Sprintf("DOS-2026-%05d", i),
			DebtorName: "Société coopérative des menuisiers du Haut-Jura", Receipt: fmt.Sprintf("REC-2026-02-%08d", 1_000_000+i), Direct: i%3 == 0, AmountCents: 12_345_67})
	}
	f, err := documents.RemittanceStatement(r)
	if err != nil {
		t.Fatal(err)
	}
	// Columns from the left margin (20 mm): received 19, case 27, debtor 34,
	// receipt 24, collected by 21, amount 24, remit by 21.
	receipts := strings.Join(strings.Fields(column(t, f.PDF, 20+19+27+34, 20+19+27+34+24)), "")
	cases := strings.Join(strings.Fields(column(t, f.PDF, 20+19, 20+19+27)), "")
	debtors := apitest.Flat(column(t, f.PDF, 20+19+27, 20+19+27+34))
	for i := range 30 {
		if !strings.Contains(receipts, fmt.Sprintf("REC-2026-02-%08d", 1_000_000+i)) {
			t.Errorf("receipt %d not whole in its column:\n%s", i, receipts)
		}
		if !strings.Contains(cases, fmt.Sprintf("DOS-2026-%05d", i)) {
			t.Errorf("case %d not whole in its column:\n%s", i, cases)
		}
	}
	if n := strings.Count(debtors, "Société coopérative des menuisiers du Haut-Jura"); n != 30 {
		t.Errorf("the debtor's name reads back whole %d times, want 30:\n%s", n, debtors)
	}
	text := layout(t, f.PDF)
	if strings.Contains(text, "…") {
		t.Errorf("an ellipsis in the statement:\n%s", text)
	}
	if !strings.Contains(apitest.Flat(column(t, f.PDF, 20+19+27+34+24+21+24, 20+19+27+34+24+21+24+21)), "À reverser le") {
		t.Error("the last column's header is cut")
	}
}

// BenchmarkAmicableLetter renders a letter with three invoices, a credit
// note and two payments: what fpdf and the tables cost per letter.
func BenchmarkAmicableLetter(b *testing.B) {
	claims, st := aCase(3)
	l := letter(claims, st)
	for b.Loop() {
		if _, err := documents.AmicableLetter(l); err != nil {
			b.Fatal(err)
		}
	}
}

// The statement of claim gives the structured creditor reference (ISO
// 11649) the debtor quotes on a transfer, read back from the PDF.
func TestStatementGivesThePaymentReference(t *testing.T) {
	t.Parallel()
	claims, st := aCase(2)
	l := letter(claims, st)
	f, err := documents.StatementPDF(l.Agency, l.Case, l.Creditor, l.Debtor, st, claims, at)
	if err != nil {
		t.Fatal(err)
	}
	text := layout(t, f.PDF)
	if want := "Dossier : DOS-2026-0042 Référence de paiement : RF33 DOS2 0260 042"; !strings.Contains(text, want) {
		t.Errorf("statement lacks %q:\n%s", want, text)
	}
}

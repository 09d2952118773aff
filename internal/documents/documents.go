// Package documents writes Recouvra's documents — letters to debtors,
// statements of claim, receipts — from the case's data and the one
// statement computation the API returns. It knows what French law requires
// each to say; the pdf package knows how to put it on a page.
package documents

import (
	"fmt"
	"strings"
	"time"

	"github.com/recouvra/recouvra/configs"
	"github.com/recouvra/recouvra/internal/ident"
	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Kind names a document.
type Kind string

// Generated documents.
const (
	KindAmicableLetter   Kind = "amicable_letter"
	KindFormalNotice     Kind = "formal_notice"
	KindStatement        Kind = "statement"
	KindPaymentReceipt   Kind = "payment_receipt"
	KindInjunctionPacket Kind = "injunction_packet"
	KindInsolvency       Kind = "insolvency_declaration"
	KindIrrecoverability Kind = "irrecoverability_certificate"
	KindRemittance       Kind = "remittance_statement"
)

// Agency is who sends the documents and where debtors pay.
type Agency struct {
	pdf.Letterhead
	City string
	IBAN string
	BIC  string
}

// Missing lists what the agency's configuration lacks for letters to
// debtors (R124-4 items 1 and 4).
func (a Agency) Missing() []recouvra.FieldError {
	var f []recouvra.FieldError
	if strings.TrimSpace(a.Name) == "" || len(a.Address) == 0 {
		f = append(f, recouvra.FieldError{Field: "agency", Code: "missing", Message: "Le nom et l'adresse de l'agence ne sont pas configurés (RECOUVRA_AGENCY_NAME, RECOUVRA_AGENCY_ADDRESS)."})
	}
	if strings.TrimSpace(a.IBAN) == "" {
		f = append(f, recouvra.FieldError{Field: "agency.iban", Code: "missing", Message: "Le compte de l'agence pour les fonds des créanciers n'est pas configuré (RECOUVRA_AGENCY_IBAN) : la lettre ne peut indiquer où payer."})
	}
	return f
}

// Letter is what a letter to the debtor is written from.
type Letter struct {
	Agency           Agency
	Case             recouvra.Case
	Creditor         recouvra.Creditor
	Debtor           recouvra.Debtor
	Statement        recouvra.Statement
	Date             recouvra.Date // the letter's date
	Reference        string        // this letter's reference
	FirstReference   string        // the first letter's reference (R124-4)…
	FirstDate        recouvra.Date // … and date
	RegisteredNumber string        // formal notice: the registered letter's number
	// Claims are the case's invoices and credit notes as recorded, listed
	// one by one so that the debtor can match them with its books.
	Claims []recouvra.Claim
	// Signer signs the letter and is the debtor's contact: the agent
	// assigned to the case, else the user who produced the letter.
	Signer string
	At     time.Time // stamps the file's metadata
	// DebtorURL is the debtor's page (/d/<token>), printed with its QR
	// code after the means of payment; empty prints nothing.
	DebtorURL string
}

// Missing lists what prevents writing the letter, each as a field error.
func (l Letter) Missing() []recouvra.FieldError {
	f := l.Agency.Missing()
	if !l.Debtor.Address.Complete() {
		f = append(f, recouvra.FieldError{Field: "debtor.address", Code: "incomplete", Message: "L'adresse postale du débiteur est incomplète."})
	}
	if strings.TrimSpace(l.Creditor.Address.Line1) == "" || strings.TrimSpace(l.Creditor.Address.City) == "" {
		f = append(f, recouvra.FieldError{Field: "creditor.address", Code: "incomplete", Message: "L'adresse du créancier manque : la lettre doit l'indiquer (R124-4)."})
	}
	return f
}

func money(cents int64, currency string) string { return recouvra.FrenchMoney(cents, currency) }

func addressLines(a recouvra.Address) []string {
	lines := []string{a.Line1, a.Line2, strings.TrimSpace(a.PostalCode + " " + a.City)}
	if a.Country != "" && a.Country != "FR" {
		lines = append(lines, a.Country)
	}
	return lines
}

func oneLine(a recouvra.Address) string {
	var parts []string
	for _, l := range addressLines(a) {
		if strings.TrimSpace(l) != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, ", ")
}

func newDoc(a Agency, title string, at time.Time) *pdf.Doc { return pdf.New(a.Letterhead, title, at) }

// File is a rendered document: the PDF, and the characters of the case's
// data that its fonts could not print (drawn as U+FFFD), for the caller's
// log. A document is produced whatever text the case holds.
type File = pdf.File

// Replacements are the characters a document could not print.
type Replacements = pdf.Replacements

// recipient prints the debtor's address block.
func recipient(d *pdf.Doc, debtor recouvra.Debtor) {
	d.Address(append([]string{debtor.Name}, addressLines(debtor.Address)...)...)
}

// references prints the letter's references; every letter after the first
// repeats the first one's reference and date (R124-4).
func references(d *pdf.Doc, l Letter) {
	d.Field("Notre référence", l.Reference)
	d.Field("Dossier", l.Case.Reference)
	d.Field("Référence de paiement", payReference(l.Case))
	if l.Case.CreditorReference != "" {
		d.Field("Référence du créancier", l.Case.CreditorReference)
	}
	if first := FirstLetter(l); first != "" {
		d.Field("Premier courrier", first)
	}
}

// debtTable prints what is still due on each invoice split into
// principal, interest and other sums (R124-4, 3°), from the statement.
func debtTable(d *pdf.Doc, st recouvra.Statement) {
	var rows [][]string
	for _, c := range st.Claims {
		if c.PrincipalOutstandingCents == 0 && c.InterestOutstandingCents == 0 && c.IndemnityOutstandingCents == 0 {
			continue
		}
		rows = append(rows, []string{c.InvoiceNumber, recouvra.FrenchDate(c.IssuedOn), recouvra.FrenchDate(c.DueOn),
			money(c.PrincipalOutstandingCents, st.Currency), money(c.InterestOutstandingCents, st.Currency), money(c.IndemnityOutstandingCents, st.Currency)})
	}
	t := st.Totals
	rows = append(rows, []string{"Total", "", "", money(t.PrincipalOutstandingCents, st.Currency), money(t.InterestOutstandingCents, st.Currency), money(t.IndemnitiesOutstandingCents, st.Currency)})
	d.Table([]pdf.Column{{Title: "Facture", Width: 34, Align: "L"}, {Title: "Date", Width: 22, Align: "C"}, {Title: "Échéance", Width: 22, Align: "C"},
		{Title: "Principal", Width: 32, Align: "R"}, {Title: "Intérêts", Width: 30, Align: "R"}, {Title: "Autres sommes", Width: 30, Align: "R"}},
		rows, map[int]bool{len(rows) - 1: true})
}

// account prints, so that the debtor can reconcile the claim with its
// books, every invoice with its number, date, due date and amount, every
// credit note, and every payment received with its date, amount and
// means, as the statement counts them.
func account(d *pdf.Doc, claims []recouvra.Claim, st recouvra.Statement) {
	cur := st.Currency
	number := map[string]string{}
	var invoices, credits [][]string
	for _, c := range claims {
		number[c.ID.String()] = c.InvoiceNumber
	}
	for _, c := range claims {
		if c.CreditNote() {
			corrects := "—"
			if c.Corrects != nil && number[c.Corrects.String()] != "" {
				corrects = number[c.Corrects.String()]
			}
			credits = append(credits, []string{c.InvoiceNumber, recouvra.FrenchDate(c.IssuedOn), corrects, money(-c.AmountCents, cur)})
			continue
		}
		invoices = append(invoices, []string{c.InvoiceNumber, recouvra.FrenchDate(c.IssuedOn), recouvra.FrenchDate(c.DueOn), money(c.AmountCents, cur)})
	}
	if len(invoices) > 0 {
		d.Table([]pdf.Column{{Title: "Facture n°", Width: 56, Align: "L"}, {Title: "Date", Width: 34, Align: "C"}, {Title: "Échéance", Width: 34, Align: "C"},
			{Title: "Montant TTC", Width: 46, Align: "R"}}, invoices, nil)
	}
	if len(credits) > 0 {
		d.Table([]pdf.Column{{Title: "Avoir n°", Width: 56, Align: "L"}, {Title: "Date", Width: 34, Align: "C"}, {Title: "Facture corrigée", Width: 34, Align: "L"},
			{Title: "Montant de l'avoir", Width: 46, Align: "R"}}, credits, nil)
	}
	var payments [][]string
	for _, p := range st.Payments {
		payments = append(payments, []string{recouvra.FrenchDate(p.Payment.ReceivedOn), money(p.Payment.AmountCents, cur), method(p.Payment.Method), p.Payment.ReceiptNumber})
	}
	if len(payments) > 0 {
		d.Table([]pdf.Column{{Title: "Paiement reçu le", Width: 34, Align: "C"}, {Title: "Montant", Width: 40, Align: "R"}, {Title: "Mode de paiement", Width: 50, Align: "L"},
			{Title: "Reçu n°", Width: 46, Align: "L"}}, payments, nil)
	}
}

// split is the sentence giving what remains due split into principal,
// interest and other sums.
func split(t recouvra.StatementTotals, cur string) string {
	return fmt.Sprintf("%s, soit %s en principal, %s d'intérêts et %s d'autres sommes (indemnités forfaitaires et frais)",
		money(t.TotalDueCents, cur), money(t.PrincipalOutstandingCents, cur), money(t.InterestOutstandingCents, cur), money(t.IndemnitiesOutstandingCents, cur))
}

// mentions writes what R124-4 requires of every letter of a collection
// agency to a debtor, in order and in sentences: who the agency is and
// what it does, who the creditor is, the basis and amount of the debt
// split into principal, interest and other sums, the demand to pay with
// the means of payment, and paragraphs 2 and 3 of article L111-8 CPCE
// word for word.
func mentions(d *pdf.Doc, l Letter, demand string) {
	m := LetterMentions(l, demand)
	d.Para(m.Agency)
	d.Para(m.Basis)
	account(d, l.Claims, l.Statement)
	d.Para(m.Due)
	debtTable(d, l.Statement)
	for _, n := range m.RateNotes {
		d.Small(n)
	}
	d.Para(m.Payment)
	debtorLink(d, l.DebtorURL)
	d.Legal(m.LegalIntro, m.Legal...)
}

// Mentions are the sentences R124-4 requires of a letter to a debtor, in
// the order the letter prints them; the PDF and the e-mail that carries it
// both take them from here, so that they say the same words.
type Mentions struct {
	Agency     string   // who the agency is, what it does, for whom (1° and 2°)
	Basis      string   // the basis of the debt (3°)
	Due        string   // what remains due, split (3°)
	RateNotes  []string // how interest and indemnities were computed, per invoice
	Payment    string   // the demand to pay and the means of payment (4°)
	LegalIntro string   // introduces paragraphs 2 and 3 of L111-8 CPCE (5°)
	Legal      []string // those paragraphs, word for word
}

// LetterMentions writes what R124-4 requires of every letter of a
// collection agency to a debtor, in sentences: who the agency is and what
// it does, who the creditor is, the basis and amount of the debt split
// into principal, interest and other sums, the demand to pay with the
// means of payment, and paragraphs 2 and 3 of article L111-8 CPCE word for
// word.
func LetterMentions(l Letter, demand string) Mentions {
	a, st := l.Agency, l.Statement
	m := Mentions{
		Agency: fmt.Sprintf("%s, %s, exerce l'activité de recouvrement amiable de créances pour le compte d'autrui. Elle vous écrit sur mandat %s, %s, votre créancier.",
			a.Name, strings.Join(a.Address, ", "), de(l.Creditor.LegalName), oneLine(l.Creditor.Address)),
		Basis: fmt.Sprintf("Cette créance a pour fondement les factures émises par %s et demeurées impayées à leur échéance. Vous trouverez ci-dessous chacune de ces factures, les avoirs qui les réduisent et les paiements déjà reçus, pour les rapprocher de votre comptabilité.",
			l.Creditor.LegalName),
		Due: fmt.Sprintf("Au %s, il reste dû %s ; les frais de recouvrement à la charge du créancier n'y figurent pas. Le tableau suivant détaille ce reste dû facture par facture.",
			recouvra.FrenchDate(st.AsOf), split(st.Totals, st.Currency)),
		Payment: demand + fmt.Sprintf(" Vous pouvez payer par virement sur le compte de l'agence réservé aux fonds des créanciers : IBAN %s%s, en indiquant la référence de paiement %s ; ou par chèque à l'ordre %s, adressé à %s, au dos duquel vous noterez la référence du dossier, %s.",
			a.IBAN, bicSuffix(a.BIC), payReference(l.Case), de(a.Name), strings.Join(a.Address, ", "), l.Case.Reference),
		LegalIntro: "Enfin, la loi nous impose de vous rappeler les alinéas 2 et 3 de l'article L111-8 du code des procédures civiles d'exécution, que nous reproduisons ci-dessous :",
	}
	for _, c := range st.Claims {
		if c.InterestOutstandingCents > 0 || c.IndemnityOutstandingCents > 0 {
			m.RateNotes = append(m.RateNotes, fmt.Sprintf("%s — %s", c.InvoiceNumber, c.RateNote))
		}
	}
	for _, p := range strings.Split(strings.TrimSpace(configs.L1118), "\n\n") {
		m.Legal = append(m.Legal, strings.Join(strings.Fields(p), " "))
	}
	return m
}

// FirstLetter is the first letter's reference and date as every later
// letter repeats them (R124-4), empty for the first letter itself.
func FirstLetter(l Letter) string {
	if l.FirstReference == "" || l.FirstReference == l.Reference {
		return ""
	}
	return fmt.Sprintf("référence %s du %s", l.FirstReference, recouvra.FrenchDate(l.FirstDate))
}

// contact names the debtor's contact for the case and how to reach them.
func contact(d *pdf.Doc, a Agency, signer string) { d.Para(ContactLine(a, signer)) }

// ContactLine is the sentence naming the debtor's contact and how to
// reach them.
func ContactLine(a Agency, signer string) string {
	var how []string
	if a.Phone != "" {
		how = append(how, "tél. "+a.Phone)
	}
	if a.Email != "" {
		how = append(how, a.Email)
	}
	line := "Votre interlocuteur : " + signerOr(signer)
	if len(how) > 0 {
		line += " (" + strings.Join(how, ", ") + ")"
	}
	return line + "."
}

// signerOr is the letter's signer, or the agency's service when none is known.
func signerOr(signer string) string {
	if strings.TrimSpace(signer) == "" {
		return "Le service recouvrement"
	}
	return signer
}

// payReference is the structured creditor reference (ISO 11649) of the
// case as printed, in groups of four; the case reference itself when it
// cannot have one.
func payReference(c recouvra.Case) string {
	rf, err := ident.ParseRF(c.PaymentReference())
	if err != nil {
		return c.Reference
	}
	return rf.Format()
}

func bicSuffix(bic string) string {
	if bic == "" {
		return ""
	}
	return ", BIC " + bic
}

// AmicableLetter is the agency's reminder to the debtor.
func AmicableLetter(l Letter) (File, error) {
	d := newDoc(l.Agency, "Lettre de relance amiable", l.At)
	recipient(d, l.Debtor)
	d.Right(fmt.Sprintf("%s, le %s", l.Agency.City, recouvra.FrenchDate(l.Date)))
	references(d, l)
	d.Title("Objet : demande de règlement amiable")
	d.Para("Madame, Monsieur,")
	d.Para(fmt.Sprintf("Malgré les échéances convenues, les factures ci-dessous %s restent impayées à ce jour. Nous vous invitons à régulariser cette situation, ou à prendre contact avec nous si vous contestez tout ou partie de ces sommes.", de(l.Creditor.LegalName)))
	mentions(d, l, fmt.Sprintf("Nous vous demandons de régler la somme de %s dans les meilleurs délais.", money(l.Statement.Totals.TotalDueCents, l.Statement.Currency)))
	contact(d, l.Agency, signerOr(l.Signer))
	d.Para("Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
	d.Signature(signerOr(l.Signer), "pour "+l.Agency.Name)
	return d.File()
}

// FormalNotice is the mise en demeure, sent by registered letter with
// acknowledgement of receipt.
func FormalNotice(l Letter, deadlineDays int, legalInterest bool) (File, error) {
	d := newDoc(l.Agency, "Mise en demeure", l.At)
	if l.RegisteredNumber != "" {
		d.Small("LETTRE RECOMMANDÉE AVEC DEMANDE D'AVIS DE RÉCEPTION n° " + l.RegisteredNumber)
	} else { // printed before its number is known: the deposit slip carries it
		d.Small("LETTRE RECOMMANDÉE AVEC DEMANDE D'AVIS DE RÉCEPTION")
	}
	recipient(d, l.Debtor)
	d.Right(fmt.Sprintf("%s, le %s", l.Agency.City, recouvra.FrenchDate(l.Date)))
	references(d, l)
	d.Title("Objet : mise en demeure de payer")
	d.Para("Madame, Monsieur,")
	total := money(l.Statement.Totals.TotalDueCents, l.Statement.Currency)
	d.Para(fmt.Sprintf("Nos précédentes relances étant restées sans effet, nous vous mettons en demeure, au nom et pour le compte %s, de régler la somme de %s dans un délai de %d jours à compter de la réception de la présente.",
		de(l.Creditor.LegalName), total, deadlineDays))
	consequence := "À défaut de paiement dans ce délai, le créancier pourra saisir la juridiction compétente, notamment par une requête en injonction de payer, sans autre avis."
	if legalInterest {
		consequence += " La présente mise en demeure fait courir les intérêts au taux légal (article 1344-1 du code civil)."
	} else {
		consequence += " Les pénalités de retard continuent de courir jusqu'au complet paiement (article L441-10 du code de commerce)."
	}
	d.Para(consequence)
	mentions(d, l, fmt.Sprintf("Nous vous mettons en demeure de régler la somme de %s dans un délai de %d jours à compter de la réception de la présente.", total, deadlineDays))
	contact(d, l.Agency, signerOr(l.Signer))
	d.Para("Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
	d.Signature(signerOr(l.Signer), "pour "+l.Agency.Name)
	return d.File()
}

// StatementPDF is the statement of claim at a date, line by line as the
// API returns it.
// claims are the case's invoices and credit notes as recorded.
func StatementPDF(a Agency, c recouvra.Case, creditor recouvra.Creditor, debtor recouvra.Debtor, st recouvra.Statement, claims []recouvra.Claim, at time.Time) (File, error) {
	title := "Décompte de créance"
	if st.Provisional {
		title += " (provisoire)"
	}
	d := newDoc(a, title, at)
	writeStatement(d, c, creditor, debtor, st, claims, title)
	return d.File()
}

// writeStatement writes a statement of claim on d.
func writeStatement(d *pdf.Doc, c recouvra.Case, creditor recouvra.Creditor, debtor recouvra.Debtor, st recouvra.Statement, claims []recouvra.Claim, title string) {
	d.Title(fmt.Sprintf("%s arrêté au %s", title, recouvra.FrenchDate(st.AsOf)))
	d.Field("Dossier", c.Reference)
	d.Field("Référence de paiement", payReference(c))
	d.Field("Créancier", fmt.Sprintf("%s, %s", creditor.LegalName, oneLine(creditor.Address)))
	d.Field("Débiteur", fmt.Sprintf("%s, %s", debtor.Name, oneLine(debtor.Address)))
	if debtor.SIREN != "" {
		d.Field("SIREN du débiteur", debtor.SIREN)
	}
	cur := st.Currency
	d.Heading("Factures, avoirs et paiements")
	account(d, claims, st)
	for _, cl := range st.Claims {
		d.Heading(fmt.Sprintf("Facture %s du %s, échéance %s", cl.InvoiceNumber, recouvra.FrenchDate(cl.IssuedOn), recouvra.FrenchDate(cl.DueOn)))
		d.Small(cl.RateNote)
		rows := [][]string{}
		for _, l := range cl.Lines {
			mark := ""
			if l.Provisional {
				mark = " *"
			}
			rows = append(rows, []string{recouvra.FrenchDate(l.From), recouvra.FrenchDate(l.To), fmt.Sprint(l.Days), recouvra.FrenchPercent(l.RateBps) + mark, money(l.BaseCents, cur), money(l.AmountCents, cur)})
		}
		if len(rows) > 0 {
			d.Table([]pdf.Column{{Title: "Du", Width: 24, Align: "C"}, {Title: "Au", Width: 24, Align: "C"}, {Title: "Jours", Width: 16, Align: "R"},
				{Title: "Taux", Width: 26, Align: "R"}, {Title: "Base", Width: 40, Align: "R"}, {Title: "Intérêts", Width: 40, Align: "R"}}, rows, nil)
		}
		d.Table([]pdf.Column{{Title: "", Width: 50, Align: "L"}, {Title: "Dû", Width: 40, Align: "R"}, {Title: "Payé / avoirs", Width: 40, Align: "R"}, {Title: "Reste dû", Width: 40, Align: "R"}},
			[][]string{
				{"Principal", money(cl.PrincipalCents, cur), money(cl.PrincipalPaidCents+cl.CreditedCents, cur), money(cl.PrincipalOutstandingCents, cur)},
				{"Intérêts", money(cl.InterestCents, cur), money(cl.InterestPaidCents, cur), money(cl.InterestOutstandingCents, cur)},
				{"Indemnité forfaitaire (D441-5)", money(cl.IndemnityCents, cur), money(cl.IndemnityPaidCents, cur), money(cl.IndemnityOutstandingCents, cur)},
			}, nil)
	}
	if len(st.Payments) > 0 {
		d.Heading("Paiements et imputation")
		var rows [][]string
		for _, p := range st.Payments {
			for _, al := range p.Allocations {
				rows = append(rows, []string{recouvra.FrenchDate(p.Payment.ReceivedOn), p.Payment.ReceiptNumber, al.InvoiceNumber,
					money(al.IndemnityCents, cur), money(al.InterestCents, cur), money(al.PrincipalCents, cur)})
			}
		}
		d.Table([]pdf.Column{{Title: "Reçu le", Width: 22, Align: "C"}, {Title: "Reçu n°", Width: 32, Align: "L"}, {Title: "Facture", Width: 30, Align: "L"},
			{Title: "Indemnité", Width: 28, Align: "R"}, {Title: "Intérêts", Width: 29, Align: "R"}, {Title: "Principal", Width: 29, Align: "R"}}, rows, nil)
	}
	t := st.Totals
	d.Heading("Totaux")
	d.Table([]pdf.Column{{Title: "", Width: 90, Align: "L"}, {Title: "Reste dû", Width: 80, Align: "R"}}, [][]string{
		{"Principal", money(t.PrincipalOutstandingCents, cur)},
		{"Intérêts", money(t.InterestOutstandingCents, cur)},
		{"Indemnités forfaitaires", money(t.IndemnitiesOutstandingCents, cur)},
		{"Total dû", money(t.TotalDueCents, cur)},
	}, map[int]bool{3: true})
	d.Para("Reste dû : " + split(t, cur) + ".")
	d.Heading("Mode de calcul")
	d.Small(recouvra.Convention)
	for _, w := range st.Warnings {
		d.Small("Attention : " + w)
	}
	if st.Provisional {
		d.Small("* Taux reporté du dernier semestre connu : montant provisoire.")
	}
}

// Receipt is what a payment receipt is written from.
type Receipt struct {
	Agency   Agency
	Case     recouvra.Case
	Creditor recouvra.Creditor
	Debtor   recouvra.Debtor
	Payment  recouvra.Payment
	Applied  []recouvra.Allocation
	// Left is what remains due once this payment is applied, at its date.
	Left recouvra.StatementTotals
	// Signer signs the receipt: the agent assigned to the case, else the
	// user who produced it.
	Signer string
	At     time.Time
}

var methods = map[recouvra.PaymentMethod]string{
	recouvra.MethodTransfer: "virement", recouvra.MethodCard: "carte bancaire", recouvra.MethodCheque: "chèque",
	recouvra.MethodCash: "espèces", recouvra.MethodDirectToCreditor: "paiement direct au créancier",
}

// method is a means of payment in French words.
func method(m recouvra.PaymentMethod) string {
	if w, ok := methods[m]; ok {
		return w
	}
	return string(m)
}

// ReceiptText is the receipt's acknowledgement of the payment.
func ReceiptText(r Receipt) string {
	return fmt.Sprintf("%s reconnaît avoir reçu %s, le %s, la somme de %s par %s, pour le compte %s (dossier %s).",
		r.Agency.Name, de(r.Debtor.Name), recouvra.FrenchDate(r.Payment.ReceivedOn), money(r.Payment.AmountCents, r.Payment.Currency),
		method(r.Payment.Method), de(r.Creditor.LegalName), r.Case.Reference)
}

// ReceiptLeft says what remains due after the payment, at its date.
func ReceiptLeft(r Receipt) string {
	if r.Left.TotalDueCents > 0 {
		return fmt.Sprintf("Après ce paiement, il reste dû, au %s, %s.", recouvra.FrenchDate(r.Payment.ReceivedOn), split(r.Left, r.Payment.Currency))
	}
	return fmt.Sprintf("Après ce paiement, plus rien n'est dû au %s.", recouvra.FrenchDate(r.Payment.ReceivedOn))
}

// ReceiptNotice closes every receipt, and the e-mail that carries one.
const ReceiptNotice = "Reçu délivré en application de l'article R124-6 du code des procédures civiles d'exécution. Les sommes encaissées sont reversées au créancier dans le délai prévu au mandat."

// PaymentReceipt is the receipt the agency gives for every payment (CPCE
// R124-6).
func PaymentReceipt(r Receipt) (File, error) {
	d := newDoc(r.Agency, "Reçu "+r.Payment.ReceiptNumber, r.At)
	recipient(d, r.Debtor)
	d.Right(fmt.Sprintf("%s, le %s", r.Agency.City, recouvra.FrenchDate(recouvra.DateOf(r.At))))
	d.Title("Reçu n° " + r.Payment.ReceiptNumber)
	cur := r.Payment.Currency
	d.Para(ReceiptText(r))
	if r.Payment.PayerReference != "" {
		d.Field("Référence du paiement", r.Payment.PayerReference)
	}
	if len(r.Applied) > 0 {
		d.Heading("Imputation")
		var rows [][]string
		for _, a := range r.Applied {
			rows = append(rows, []string{a.InvoiceNumber, money(a.IndemnityCents, cur), money(a.InterestCents, cur), money(a.PrincipalCents, cur)})
		}
		d.Table([]pdf.Column{{Title: "Facture", Width: 50, Align: "L"}, {Title: "Indemnité", Width: 40, Align: "R"}, {Title: "Intérêts", Width: 40, Align: "R"}, {Title: "Principal", Width: 40, Align: "R"}}, rows, nil)
	}
	d.Para(ReceiptLeft(r))
	d.Small(ReceiptNotice)
	contact(d, r.Agency, signerOr(r.Signer))
	d.Signature(signerOr(r.Signer), "pour "+r.Agency.Name)
	return d.File()
}

package documents

import (
	"fmt"
	"html"
	"strings"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Email is the text of an e-mail to a debtor that carries a document: a
// subject, a plain-text part and the same words as HTML. The PDF itself is
// attached by the sender.
type Email struct {
	Subject string
	Text    string
	HTML    string
}

// englishCountries are the countries whose debtors are written to in
// English: the debtor's language is known from its address there. Every
// other debtor, and every debtor in France, is written to in French.
var englishCountries = map[string]bool{"GB": true, "IE": true, "US": true, "CA": false, "AU": true, "NZ": true, "MT": true}

// EmailLanguage is the language of e-mails to d: "en" where its address
// says English is its language, else "fr".
func EmailLanguage(d recouvra.Debtor) string {
	if englishCountries[strings.ToUpper(strings.TrimSpace(d.Address.Country))] {
		return "en"
	}
	return "fr"
}

// mailBody gathers paragraphs, lists and quoted legal text, and writes
// them both as plain text and as HTML, so the two parts say the same.
type mailBody struct {
	text, html strings.Builder
}

func (b *mailBody) para(s string) {
	if strings.TrimSpace(s) == "" {
		return
	}
	b.text.WriteString(s + "\n\n")
	b.html.WriteString("<p>" + html.EscapeString(s) + "</p>\n")
}

func (b *mailBody) list(items []string) {
	if len(items) == 0 {
		return
	}
	b.html.WriteString("<ul>\n")
	for _, it := range items {
		b.text.WriteString("  - " + it + "\n")
		b.html.WriteString("<li>" + html.EscapeString(it) + "</li>\n")
	}
	b.text.WriteString("\n")
	b.html.WriteString("</ul>\n")
}

func (b *mailBody) quote(intro string, paras []string) {
	b.para(intro)
	b.html.WriteString("<blockquote>\n")
	for _, p := range paras {
		b.text.WriteString("  « " + p + " »\n\n")
		b.html.WriteString("<p>« " + html.EscapeString(p) + " »</p>\n")
	}
	b.html.WriteString("</blockquote>\n")
}

func (b *mailBody) email(subject string) Email {
	return Email{Subject: subject, Text: strings.TrimRight(b.text.String(), "\n") + "\n",
		HTML: "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html.EscapeString(subject) + "</title></head><body>\n" + b.html.String() + "</body></html>\n"}
}

// AccountLines are the invoices, credit notes and payments a letter lists,
// one line each, for an e-mail (the letter prints them as tables).
func AccountLines(claims []recouvra.Claim, st recouvra.Statement) []string {
	cur := st.Currency
	var out []string
	for _, c := range claims {
		if c.CreditNote() {
			out = append(out, fmt.Sprintf("Avoir n° %s du %s : %s", c.InvoiceNumber, recouvra.FrenchDate(c.IssuedOn), money(-c.AmountCents, cur)))
			continue
		}
		out = append(out, fmt.Sprintf("Facture n° %s du %s, échéance %s : %s TTC", c.InvoiceNumber, recouvra.FrenchDate(c.IssuedOn), recouvra.FrenchDate(c.DueOn), money(c.AmountCents, cur)))
	}
	for _, p := range st.Payments {
		out = append(out, fmt.Sprintf("Paiement reçu le %s : %s par %s (reçu n° %s)", recouvra.FrenchDate(p.Payment.ReceivedOn), money(p.Payment.AmountCents, cur), method(p.Payment.Method), p.Payment.ReceiptNumber))
	}
	return out
}

// DebtLines are what remains due on each invoice, split as the letter's
// table splits it (R124-4, 3°).
func DebtLines(st recouvra.Statement) []string {
	cur := st.Currency
	var out []string
	for _, c := range st.Claims {
		if c.PrincipalOutstandingCents == 0 && c.InterestOutstandingCents == 0 && c.IndemnityOutstandingCents == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("Facture %s : %s en principal, %s d'intérêts, %s d'autres sommes", c.InvoiceNumber,
			money(c.PrincipalOutstandingCents, cur), money(c.InterestOutstandingCents, cur), money(c.IndemnityOutstandingCents, cur)))
	}
	return out
}

// AmicableLetterEmail is the e-mail that carries amicable letter l (its PDF
// attached): the same R124-4 mentions as the letter, word for word (in
// French whatever the language, as the law writes them), and the first
// letter's reference and date.
func AmicableLetterEmail(l Letter, lang string) Email {
	var b mailBody
	date := recouvra.FrenchDate(l.Date)
	first := FirstLetter(l)
	total := money(l.Statement.Totals.TotalDueCents, l.Statement.Currency)
	var subject string
	if lang == "en" {
		subject = fmt.Sprintf("Payment reminder — case %s — our reference %s", l.Case.Reference, l.Reference)
		b.para("Dear Sir or Madam,")
		intro := fmt.Sprintf("Please find attached our payment reminder, reference %s dated %s, on behalf of %s: %s remain due.", l.Reference, l.Date.String(), l.Creditor.LegalName, total)
		if first != "" {
			intro += fmt.Sprintf(" It follows our first letter, reference %s dated %s.", l.FirstReference, l.FirstDate.String())
		}
		b.para(intro)
		b.para("French law (article R124-4 of the Code des procédures civiles d'exécution) requires the following statements; they are given in French, word for word as in the attached letter:")
	} else {
		subject = fmt.Sprintf("Relance amiable — dossier %s — notre référence %s", l.Case.Reference, l.Reference)
		b.para("Madame, Monsieur,")
		intro := fmt.Sprintf("Veuillez trouver ci-joint notre lettre de relance amiable référence %s du %s.", l.Reference, date)
		if first != "" {
			intro += " Premier courrier : " + first + "."
		}
		b.para(intro)
	}
	mentionsTo(&b, l, fmt.Sprintf("Nous vous demandons de régler la somme de %s dans les meilleurs délais.", total))
	b.para(ContactLine(l.Agency, l.Signer))
	if lang == "en" {
		b.para("Yours faithfully,")
	} else {
		b.para("Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
	}
	b.para(signerOr(l.Signer) + ", pour " + l.Agency.Name)
	return b.email(subject)
}

// mentionsTo writes the R124-4 mentions of l into an e-mail body, with the
// letter's tables as lists.
func mentionsTo(b *mailBody, l Letter, demand string) {
	m := LetterMentions(l, demand)
	b.para(m.Agency)
	b.para(m.Basis)
	b.list(AccountLines(l.Claims, l.Statement))
	b.para(m.Due)
	b.list(DebtLines(l.Statement))
	b.list(m.RateNotes)
	b.para(m.Payment)
	b.quote(m.LegalIntro, m.Legal)
}

// ReceiptEmail is the e-mail that carries receipt r (its PDF attached,
// CPCE R124-6): the agency and the mandate as R124-4 names them, the case
// and the first letter's reference and date, what was received and what
// remains due.
func ReceiptEmail(r Receipt, firstReference string, firstDate recouvra.Date, lang string) Email {
	var b mailBody
	l := Letter{Agency: r.Agency, Case: r.Case, Creditor: r.Creditor, Debtor: r.Debtor}
	agency := LetterMentions(l, "").Agency
	var subject string
	if lang == "en" {
		subject = fmt.Sprintf("Receipt no. %s — case %s", r.Payment.ReceiptNumber, r.Case.Reference)
		b.para("Dear Sir or Madam,")
		b.para(fmt.Sprintf("Thank you for your payment of %s received on %s. Please find attached receipt no. %s. The receipt and the statements below are given in French, as French law writes them:",
			money(r.Payment.AmountCents, r.Payment.Currency), r.Payment.ReceivedOn.String(), r.Payment.ReceiptNumber))
	} else {
		subject = fmt.Sprintf("Reçu n° %s — dossier %s", r.Payment.ReceiptNumber, r.Case.Reference)
		b.para("Madame, Monsieur,")
		b.para(fmt.Sprintf("Nous accusons réception de votre paiement ; vous trouverez ci-joint le reçu n° %s.", r.Payment.ReceiptNumber))
	}
	b.para(agency)
	refs := fmt.Sprintf("Dossier %s", r.Case.Reference)
	if r.Case.CreditorReference != "" {
		refs += fmt.Sprintf(", référence du créancier %s", r.Case.CreditorReference)
	}
	if firstReference != "" {
		refs += fmt.Sprintf(" ; premier courrier : référence %s du %s", firstReference, recouvra.FrenchDate(firstDate))
	}
	b.para(refs + ".")
	b.para(ReceiptText(r))
	b.para(ReceiptLeft(r))
	b.para(ReceiptNotice)
	b.para(ContactLine(r.Agency, r.Signer))
	if lang == "en" {
		b.para("Yours faithfully,")
	} else {
		b.para("Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
	}
	b.para(signerOr(r.Signer) + ", pour " + r.Agency.Name)
	return b.email(subject)
}

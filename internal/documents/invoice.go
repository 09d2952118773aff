package documents

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/recouvra/recouvra/internal/ident"
	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// The mentions every invoice between businesses carries (C. com. L441-9,
// L441-10 II, D441-5; CGI 242 nonies A), printed on the PDF and written as
// notes of the CII XML with the subject codes French e-invoices use
// (PMD: penalties, PMT: the fixed indemnity, AAB: discount).
const (
	MentionPenalties = "En cas de retard de paiement, des pénalités sont exigibles, sans qu'un rappel soit nécessaire, au taux d'intérêt appliqué par " +
		"la Banque centrale européenne à son opération de refinancement la plus récente, majoré de 10 points de pourcentage (article L441-10 II du code de commerce)."
	mentionIndemnity = "Tout professionnel en situation de retard de paiement est de plein droit débiteur d'une indemnité forfaitaire pour frais de recouvrement " +
		"de %s (articles L441-10 II et D441-5 du code de commerce)."
	MentionNoDiscount = "Pas d'escompte pour paiement anticipé."
)

// MentionIndemnity is the fixed recovery indemnity's mention, with its
// amount in force on the invoice's date.
func MentionIndemnity(cents int64, currency string) string {
	return fmt.Sprintf(mentionIndemnity, money(cents, currency))
}

// MentionCompensation says how the invoice was paid: its gross amount was
// deducted from the funds remitted to the creditor.
func MentionCompensation(inv recouvra.Invoice) string {
	return fmt.Sprintf("Facture acquittée le %s par compensation : son montant TTC de %s a été déduit des fonds reversés par le virement %s. Net à payer : %s.",
		recouvra.FrenchDate(inv.IssuedOn), money(inv.GrossCents, inv.Currency), inv.TransferReference, money(0, inv.Currency))
}

// MentionCreditNote says what a credit note does.
func MentionCreditNote(inv recouvra.Invoice) string {
	return fmt.Sprintf("Avoir annulant la facture n° %s du %s pour son montant total (%s TTC), porté en compensation sur le reversement %s.",
		inv.CorrectsNumber, recouvra.FrenchDate(inv.CorrectsIssuedOn), money(inv.GrossCents, inv.Currency), inv.TransferReference)
}

var postalLine = regexp.MustCompile(`^\s*(\d{5})\s+(.+)$`)

// AgencyParty is the agency as the seller of its invoices: name, address,
// SIREN and the French VAT number derived from it. It refuses an agency
// whose SIREN is not configured or not valid: an invoice must carry it.
func AgencyParty(a Agency) (recouvra.InvoiceParty, error) {
	siren, err := ident.ParseSIREN(a.SIREN)
	if err != nil || strings.TrimSpace(a.Name) == "" || len(a.Address) == 0 {
		return recouvra.InvoiceParty{}, recouvra.Invalid("Facture impossible.", recouvra.FieldError{Field: "agency.siren", Code: "missing",
			Message: "Le nom, l'adresse et le SIREN de l'agence (RECOUVRA_AGENCY_NAME, RECOUVRA_AGENCY_ADDRESS, RECOUVRA_AGENCY_SIREN) doivent être configurés : ses factures de commission doivent les porter."})
	}
	p := recouvra.InvoiceParty{Name: a.Name, Address: append([]string(nil), a.Address...), Country: "FR", SIREN: string(siren),
		VAT: string(ident.VATFromSIREN(siren)), Email: a.Email}
	// The configured address is free lines: the one that starts with a
	// postal code gives the code and city, the lines before it the street.
	var street []string
	for _, l := range a.Address {
		if m := postalLine.FindStringSubmatch(l); m != nil && p.PostalCode == "" {
			p.PostalCode, p.City = m[1], strings.TrimSpace(m[2])
			continue
		}
		street = append(street, l)
	}
	if len(street) > 0 {
		p.Line1 = street[0]
	}
	if len(street) > 1 {
		p.Line2 = strings.Join(street[1:], ", ")
	}
	if p.City == "" {
		p.City = a.City
	}
	return p, nil
}

// CreditorParty is a creditor as the buyer: its SIREN and VAT number (the
// one recorded, else the French one derived from the SIREN) when known.
func CreditorParty(c recouvra.Creditor) recouvra.InvoiceParty {
	country := c.Address.Country
	if country == "" {
		country = "FR"
	}
	p := recouvra.InvoiceParty{Name: c.LegalName, Address: nonEmpty(addressLines(c.Address)), Line1: c.Address.Line1, Line2: c.Address.Line2,
		PostalCode: c.Address.PostalCode, City: c.Address.City, Country: country, VAT: c.VATNumber}
	if s, err := ident.ParseSIREN(c.SIREN); err == nil {
		p.SIREN = string(s)
		if p.VAT == "" && country == "FR" {
			p.VAT = string(ident.VATFromSIREN(s))
		}
	}
	return p
}

func nonEmpty(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// InvoiceTitle is "Facture n° …" or "Avoir n° …".
func InvoiceTitle(inv recouvra.Invoice) string {
	if inv.CreditNote() {
		return "Avoir n° " + inv.Number
	}
	return "Facture n° " + inv.Number
}

// InvoicePDF renders an invoice or credit note of the agency with every
// mention French law requires of an invoice between businesses.
func InvoicePDF(a Agency, inv recouvra.Invoice, at time.Time) (File, error) {
	d := newDoc(a, InvoiceTitle(inv), at)
	d.Address(append([]string{inv.Buyer.Name}, inv.Buyer.Address...)...)
	d.Right(fmt.Sprintf("%s, le %s", a.City, recouvra.FrenchDate(inv.IssuedOn)))
	d.Title(InvoiceTitle(inv))
	d.Field("Date d'émission", recouvra.FrenchDate(inv.IssuedOn))
	if inv.CreditNote() {
		d.Field("Facture corrigée", fmt.Sprintf("n° %s du %s", inv.CorrectsNumber, recouvra.FrenchDate(inv.CorrectsIssuedOn)))
		if inv.Reason != "" {
			d.Field("Motif", inv.Reason)
		}
	}
	d.Field("Prestation", fmt.Sprintf("recouvrement de créances pour votre compte, du %s au %s", recouvra.FrenchDate(inv.PeriodFrom), recouvra.FrenchDate(inv.PeriodTo)))
	d.Field("Date de la prestation", recouvra.FrenchDate(inv.PeriodTo))
	d.Field("Reversement", inv.TransferReference)

	d.Field("Vendeur", party(inv.Seller))
	d.Field("Client", party(inv.Buyer))
	d.Heading("Détail")
	rate := recouvra.FrenchPercent(inv.VATRateBps)
	var rows [][]string
	for _, l := range inv.Lines() {
		rows = append(rows, []string{l.Label, money(l.NetCents, inv.Currency), rate})
	}
	d.Table([]pdf.Column{{Title: "Désignation", Width: 110, Align: "L"}, {Title: "Montant HT", Width: 35, Align: "R"}, {Title: "Taux de TVA", Width: 25, Align: "R"}}, rows, nil)
	d.Table([]pdf.Column{{Title: "", Width: 110, Align: "L"}, {Title: "Montant", Width: 60, Align: "R"}}, [][]string{
		{"Total hors taxes", money(inv.NetCents, inv.Currency)},
		{"TVA à " + rate + " sur " + money(inv.NetCents, inv.Currency), money(inv.VATCents, inv.Currency)},
		{"Total TTC", money(inv.GrossCents, inv.Currency)},
	}, map[int]bool{2: true})

	d.Heading("Règlement")
	if inv.CreditNote() {
		d.Para(MentionCreditNote(inv))
	} else {
		d.Field("Date d'échéance", recouvra.FrenchDate(inv.IssuedOn))
		d.Para(MentionCompensation(inv))
	}
	d.Small(MentionNoDiscount)
	d.Small(MentionPenalties)
	d.Small(MentionIndemnity(inv.IndemnityCents, inv.Currency))
	return d.File()
}

// party is a seller's or buyer's identity on one line: name, address,
// SIREN and VAT number.
func party(p recouvra.InvoiceParty) string {
	return fmt.Sprintf("%s, %s — SIREN %s — n° de TVA intracommunautaire %s", p.Name, strings.Join(p.Address, ", "), orUnknown(p.SIREN), orUnknown(p.VAT))
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "non communiqué"
	}
	return s
}

package einvoice

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	ei "github.com/speedata/einvoice"

	"github.com/recouvra/recouvra/internal/ident"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Syntax names what an invoice was received as.
const (
	SyntaxFacturX = "factur-x" // a PDF with its CII XML embedded
	SyntaxCII     = "cii"
	SyntaxUBL     = "ubl"
)

// Party is the seller or the buyer as the invoice states it.
type Party struct {
	Name      string
	SIREN     string // from the legal registration (scheme 0002, or a SIRET's 0009), else the French VAT number
	SIRET     string
	VATNumber string
	Address   recouvra.Address
	Email     string
	Phone     string
	ID        string // BT-29 / BT-46: the party's identifier at the other (the buyer's account number)
}

// Invoice is what a claim is made from, with the original file.
type Invoice struct {
	File         string
	Syntax       string
	Profile      string // BT-24 as written
	Number       string // BT-1
	TypeCode     int    // BT-3
	IssuedOn     recouvra.Date
	DueOn        recouvra.Date
	Currency     string // BT-5
	NetCents     int64  // BT-109, total without VAT
	VATCents     int64  // BT-110
	GrossCents   int64  // BT-112, total with VAT
	PrepaidCents int64  // BT-113
	DueCents     int64  // BT-115, amount due for payment
	PaymentTerms string // BT-20
	Seller       Party
	Buyer        Party
	Original     []byte // the file as received (the PDF for Factur-X)
	MediaType    string // application/pdf or application/xml
}

// invoiceTypes are the document types (UNTDID 1001, BT-3) read as a debt:
// partial, commercial, debit note, corrected, prepayment and self-billed
// invoices. Credit notes (381 and kin) are refused: a credit note is
// entered on the case of the invoice it corrects.
var invoiceTypes = map[int]bool{326: true, 380: true, 383: true, 384: true, 386: true, 389: true}

// Elements name the business terms this package reads, with their place
// in each syntax, for refusals a person can find in the file.
var elements = map[string][2]string{ // BT → CII, UBL
	"BT-1":   {"rsm:ExchangedDocument/ram:ID", "cbc:ID"},
	"BT-2":   {"ram:IssueDateTime", "cbc:IssueDate"},
	"BT-3":   {"ram:TypeCode", "cbc:InvoiceTypeCode"},
	"BT-5":   {"ram:InvoiceCurrencyCode", "cbc:DocumentCurrencyCode"},
	"BT-9":   {"ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime", "cbc:DueDate"},
	"BT-24":  {"ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", "cbc:CustomizationID"},
	"BT-30":  {"ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", "cac:AccountingSupplierParty//cac:PartyLegalEntity/cbc:CompanyID"},
	"BT-44":  {"ram:BuyerTradeParty/ram:Name", "cac:AccountingCustomerParty//cac:PartyLegalEntity/cbc:RegistrationName"},
	"BT-47":  {"ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", "cac:AccountingCustomerParty//cac:PartyLegalEntity/cbc:CompanyID"},
	"BT-112": {"ram:GrandTotalAmount", "cbc:TaxInclusiveAmount"},
	"BT-115": {"ram:DuePayableAmount", "cbc:PayableAmount"},
}

func element(syntax string, bts ...string) string {
	var out []string
	for _, bt := range bts {
		e, ok := elements[bt]
		if !ok {
			out = append(out, bt)
			continue
		}
		p := e[0]
		if syntax == SyntaxUBL {
			p = e[1]
		}
		out = append(out, bt+" "+p)
	}
	return strings.Join(out, ", ")
}

// Read reads every source: a PDF's embedded CII, or an XML's CII or UBL.
// Each is parsed, checked against the EN 16931 rules and mapped; the first
// refusal stops nothing but is returned with the others, in file order.
func Read(sources []Source, lim Limits) ([]Invoice, []*Problem) {
	var out []Invoice
	var problems []*Problem
	for _, s := range sources {
		inv, err := readOne(s, lim)
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				p = &Problem{File: s.Name, Reason: err.Error()}
			}
			problems = append(problems, p)
			continue
		}
		out = append(out, inv)
	}
	return out, problems
}

func readOne(s Source, lim Limits) (Invoice, error) {
	xmlData, syntax, media := s.Data, "", "application/xml"
	if Kind(s.Name) == "pdf" {
		media, syntax = "application/pdf", SyntaxFacturX
		files, err := embeddedXML(s.Data, lim.XMLBytes)
		if err != nil {
			return Invoice{}, &Problem{File: s.Name, Reason: err.Error()}
		}
		var cii [][]byte
		for _, f := range files {
			if bytes.Contains(f, []byte(nsCII)) {
				cii = append(cii, f)
			}
		}
		switch len(cii) {
		case 0:
			return Invoice{}, &Problem{File: s.Name, Element: "EmbeddedFiles", Reason: "PDF sans facture CII jointe (factur-x.xml) : ce n'est pas une facture Factur-X"}
		case 1:
			xmlData = cii[0]
		default:
			return Invoice{}, &Problem{File: s.Name, Element: "EmbeddedFiles", Reason: "PDF avec plusieurs factures CII jointes : laquelle lire ?"}
		}
	}
	ns, root, err := checkXML(s.Name, xmlData, lim.XMLBytes)
	if err != nil {
		return Invoice{}, err
	}
	switch {
	case ns == nsCII && root == "CrossIndustryInvoice":
		if syntax == "" {
			syntax = SyntaxCII
		}
	case ns == nsUBLInvoice && root == "Invoice" && syntax == "":
		syntax = SyntaxUBL
	case ns == nsUBLCredit && root == "CreditNote" && syntax == "":
		return Invoice{}, &Problem{File: s.Name, Element: "CreditNote", Reason: "avoir UBL : un avoir se saisit sur le dossier de la facture qu'il corrige, il n'ouvre pas de créance"}
	default:
		return Invoice{}, &Problem{File: s.Name, Element: root, Reason: fmt.Sprintf("ce XML n'est pas une facture CII (CrossIndustryInvoice) ni UBL 2.1 (Invoice) : racine %s {%s}", root, ns)}
	}
	parsed, err := ei.ParseReader(bytes.NewReader(xmlData))
	if err != nil {
		return Invoice{}, &Problem{File: s.Name, Reason: "facture illisible : " + err.Error()}
	}
	inv := Invoice{File: s.Name, Syntax: syntax, Original: s.Data, MediaType: media}
	return inv, mapInvoice(&inv, parsed)
}

// maxNumber bounds the invoice number (BT-1) and the buyer's identifier
// at the seller (BT-46, the case's creditor reference), as the contract
// bounds them when entered by hand.
const maxNumber = 100

// mapInvoice checks the profile and the EN 16931 rules, then reads what a
// claim needs, refusing what is missing with the element named.
func mapInvoice(inv *Invoice, p *ei.Invoice) error {
	bad := func(reason string, bts ...string) error {
		return &Problem{File: inv.File, Element: element(inv.Syntax, bts...), Reason: reason}
	}
	// What is echoed in a refusal or kept as read is cleaned and bounded
	// (recouvra.CleanText): the file is the seller's, its free text may
	// hold anything XML allows.
	inv.Profile = recouvra.CleanText(p.GuidelineSpecifiedDocumentContextParameter, recouvra.OneLine, 200)
	switch level := p.ProfileLevel(); {
	case inv.Profile == "":
		return bad("spécification absente : la facture ne se déclare pas conforme à EN 16931", "BT-24")
	case level == 0:
		return bad("spécification inconnue « "+inv.Profile+" » : profils acceptés Factur-X BASIC, EN 16931 (COMFORT), EXTENDED, ou EN 16931 / Peppol BIS en UBL", "BT-24")
	case level < 3:
		return bad("profil Factur-X MINIMUM ou BASIC WL : ce n'est pas une facture complète (ni lignes ni toutes les mentions)", "BT-24")
	}
	if err := p.Validate(); err != nil {
		var ve *ei.ValidationError
		if errors.As(err, &ve) && len(ve.Violations()) > 0 {
			v := ve.Violations()[0]
			more := ""
			if n := len(ve.Violations()); n > 1 {
				more = fmt.Sprintf(" (et %d autre(s) règle(s) non respectée(s))", n-1)
			}
			return &Problem{File: inv.File, Element: strings.Join(append([]string{v.Rule.Code}, v.Rule.Fields...), " "),
				Reason: fmt.Sprintf("règle EN 16931 %s non respectée : %s%s", v.Rule.Code, v.Text, more)}
		}
		return bad("facture invalide : " + err.Error())
	}
	inv.Number = strings.TrimSpace(p.InvoiceNumber)
	if inv.Number == "" {
		return bad("numéro de facture absent", "BT-1")
	}
	if utf8.RuneCountInString(inv.Number) > maxNumber {
		return bad(fmt.Sprintf("numéro de facture de plus de %d caractères", maxNumber), "BT-1")
	}
	inv.TypeCode = int(p.InvoiceTypeCode)
	if !invoiceTypes[inv.TypeCode] {
		if inv.TypeCode == 381 {
			return bad("avoir (type 381) : un avoir se saisit sur le dossier de la facture qu'il corrige, il n'ouvre pas de créance", "BT-3")
		}
		return bad(fmt.Sprintf("type de document %d non repris : factures 380, 384 (rectificative), 383, 386, 389 ou 326 seulement", inv.TypeCode), "BT-3")
	}
	if p.InvoiceDate.IsZero() {
		return bad("date de facture absente", "BT-2")
	}
	inv.IssuedOn = recouvra.DateOf(p.InvoiceDate)
	for _, t := range p.SpecifiedTradePaymentTerms {
		if inv.DueOn.IsZero() && !t.DueDate.IsZero() {
			inv.DueOn = recouvra.DateOf(t.DueDate)
		}
		if d := recouvra.CleanText(t.Description, recouvra.MultiLine, 4000); d != "" && inv.PaymentTerms == "" {
			inv.PaymentTerms = d
		}
	}
	if inv.DueOn.IsZero() {
		return bad("date d'échéance absente : sans elle, rien ne dit depuis quand la facture est impayée", "BT-9")
	}
	if inv.DueOn.Before(inv.IssuedOn) {
		return bad("échéance antérieure à la date de facture", "BT-9", "BT-2")
	}
	inv.Currency = strings.ToUpper(recouvra.CleanText(p.InvoiceCurrencyCode, recouvra.OneLine, 20))
	if !recouvra.KnownCurrency(inv.Currency) {
		return bad("devise inconnue « "+inv.Currency+" »", "BT-5")
	}
	var err error
	amounts := []struct {
		bt  string
		v   decimal.Decimal
		out *int64
	}{{"BT-109", p.TaxBasisTotal, &inv.NetCents}, {"BT-110", p.TaxTotal, &inv.VATCents}, {"BT-112", p.GrandTotal, &inv.GrossCents},
		{"BT-113", p.TotalPrepaid, &inv.PrepaidCents}, {"BT-115", p.DuePayableAmount, &inv.DueCents}}
	for _, a := range amounts {
		if *a.out, err = cents(a.v); err != nil {
			return bad(err.Error(), a.bt)
		}
	}
	if inv.DueCents <= 0 {
		return bad("montant à payer nul ou négatif : rien à recouvrer", "BT-115")
	}
	if inv.Seller, err = party(p.Seller); err != nil {
		return &Problem{File: inv.File, Element: element(inv.Syntax, "BT-30"), Reason: "vendeur : " + err.Error()}
	}
	if inv.Buyer, err = party(p.Buyer); err != nil {
		return &Problem{File: inv.File, Element: element(inv.Syntax, "BT-47"), Reason: "acheteur : " + err.Error()}
	}
	if inv.Buyer.Name == "" {
		return bad("nom de l'acheteur absent", "BT-44")
	}
	if utf8.RuneCountInString(inv.Buyer.ID) > maxNumber {
		return bad(fmt.Sprintf("identifiant de l'acheteur de plus de %d caractères", maxNumber), "BT-46")
	}
	// The seller is only named in refusals: cleaned, not checked.
	inv.Seller.Name = recouvra.CleanText(inv.Seller.Name, recouvra.OneLine, 200)
	return nil
}

// cents turns an amount with at most two decimals into cents.
func cents(d decimal.Decimal) (int64, error) {
	c := d.Shift(2)
	if !c.Equal(c.Truncate(0)) {
		return 0, fmt.Errorf("montant %s : plus de deux décimales", d.String())
	}
	if c.Abs().GreaterThan(decimal.New(1, 15)) {
		return 0, fmt.Errorf("montant %s hors limites", d.String())
	}
	return c.IntPart(), nil
}

// party reads a trade party: its name, address, contact and French
// identifiers. ISO 6523 scheme 0002 is the SIREN (SIRENE), 0009 the
// SIRET; a French VAT number also carries the SIREN.
func party(p ei.Party) (Party, error) {
	out := Party{Name: strings.TrimSpace(p.Name), VATNumber: strings.TrimSpace(p.VATaxRegistration)}
	if len(p.ID) > 0 {
		out.ID = strings.TrimSpace(p.ID[0])
	}
	if a := p.PostalAddress; a != nil {
		out.Address = recouvra.Address{Line1: strings.TrimSpace(a.Line1), Line2: strings.TrimSpace(strings.TrimSpace(a.Line2 + " " + a.Line3)),
			PostalCode: strings.TrimSpace(a.PostcodeCode), City: strings.TrimSpace(a.City), Country: strings.ToUpper(strings.TrimSpace(a.CountryID))}
	}
	for _, c := range p.DefinedTradeContact {
		if out.Email == "" {
			out.Email = strings.TrimSpace(c.EMail)
		}
		if out.Phone == "" {
			out.Phone = strings.TrimSpace(c.PhoneNumber)
		}
	}
	if out.Email == "" && p.URIUniversalCommunicationScheme == "EM" {
		out.Email = strings.TrimSpace(p.URIUniversalCommunication)
	}
	ids := []ei.GlobalID{}
	if lo := p.SpecifiedLegalOrganization; lo != nil && strings.TrimSpace(lo.ID) != "" {
		ids = append(ids, ei.GlobalID{ID: strings.TrimSpace(lo.ID), Scheme: strings.TrimSpace(lo.Scheme)})
	}
	ids = append(ids, p.GlobalID...)
	for _, id := range ids {
		v := strings.ReplaceAll(id.ID, " ", "")
		switch {
		case id.Scheme == "0002" || (id.Scheme == "" && len(v) == 9):
			s, err := ident.ParseSIREN(v)
			if err != nil {
				return out, fmt.Errorf("SIREN %q invalide : %v", id.ID, err)
			}
			if out.SIREN != "" && out.SIREN != string(s) {
				return out, fmt.Errorf("deux SIREN différents (%s et %s)", out.SIREN, s)
			}
			out.SIREN = string(s)
		case id.Scheme == "0009" || (id.Scheme == "" && len(v) == 14):
			s, err := ident.ParseSIRET(v)
			if err != nil {
				return out, fmt.Errorf("SIRET %q invalide : %v", id.ID, err)
			}
			out.SIRET = string(s)
			if out.SIREN == "" {
				out.SIREN = string(s.SIREN())
			}
		}
	}
	if out.SIREN == "" && strings.HasPrefix(strings.ToUpper(out.VATNumber), "FR") {
		if v, err := ident.ParseVAT(out.VATNumber); err == nil {
			out.SIREN = string(v.SIREN())
		}
	}
	return out, nil
}

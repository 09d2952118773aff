package recouvra

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// PlacementField is a column a placement file may carry: each row is one
// invoice (or credit note) of a debtor.
type PlacementField string

const (
	PFDebtorName    PlacementField = "debtor_name"
	PFSIREN         PlacementField = "siren"
	PFSIRET         PlacementField = "siret"
	PFAddress       PlacementField = "address"
	PFPostalCode    PlacementField = "postal_code"
	PFCity          PlacementField = "city"
	PFEmail         PlacementField = "email"
	PFPhone         PlacementField = "phone"
	PFInvoiceNumber PlacementField = "invoice_number"
	PFIssuedOn      PlacementField = "issued_on"
	PFDueOn         PlacementField = "due_on"
	PFAmount        PlacementField = "amount"
	PFVAT           PlacementField = "vat"
	PFReference     PlacementField = "reference"
	PFCurrency      PlacementField = "currency"
)

// PlacementFields lists the columns in the order a refused-rows file
// repeats them; Required are those a mapping must name.
var (
	PlacementFields = []PlacementField{PFDebtorName, PFSIREN, PFSIRET, PFAddress, PFPostalCode, PFCity, PFEmail, PFPhone,
		PFReference, PFInvoiceNumber, PFIssuedOn, PFDueOn, PFAmount, PFVAT, PFCurrency}
	PlacementRequired = []PlacementField{PFDebtorName, PFInvoiceNumber, PFIssuedOn, PFDueOn, PFAmount}
)

// placementHeaders are the header words (normalised: lower case, no
// accents, single spaces) that name each field, French and English.
var placementHeaders = map[PlacementField][]string{
	PFDebtorName:    {"raison sociale", "nom", "nom du debiteur", "debiteur", "client", "nom client", "societe", "denomination", "name", "debtor", "debtor name", "customer", "customer name", "company", "company name"},
	PFSIREN:         {"siren", "n siren", "numero siren", "siren debiteur", "company number"},
	PFSIRET:         {"siret", "n siret", "numero siret"},
	PFAddress:       {"adresse", "adresse 1", "adresse ligne 1", "rue", "address", "address 1", "address line 1", "street"},
	PFPostalCode:    {"code postal", "cp", "postal code", "postcode", "zip", "zip code"},
	PFCity:          {"ville", "commune", "localite", "city", "town"},
	PFEmail:         {"email", "e mail", "courriel", "mail", "adresse email", "adresse e mail"},
	PFPhone:         {"telephone", "tel", "portable", "phone", "phone number", "mobile"},
	PFInvoiceNumber: {"numero de facture", "n de facture", "n facture", "no facture", "num facture", "numero facture", "facture", "invoice number", "invoice no", "invoice", "invoice id"},
	PFIssuedOn:      {"date de facture", "date facture", "date d emission", "date emission", "invoice date", "issue date", "issued on", "date"},
	PFDueOn:         {"echeance", "date d echeance", "date echeance", "due date", "due on", "due"},
	PFAmount:        {"montant ttc", "montant", "montant du", "total ttc", "ttc", "amount", "amount due", "total", "gross amount", "amount incl tax"},
	PFVAT:           {"tva", "montant tva", "dont tva", "vat", "vat amount", "tax"},
	PFReference:     {"reference", "ref", "votre reference", "reference client", "reference dossier", "reference creancier", "reference interne", "your reference", "creditor reference", "customer reference", "account", "account number"},
	PFCurrency:      {"devise", "monnaie", "currency"},
}

// NormalizeHeader lowers a header, strips accents and punctuation.
func NormalizeHeader(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		r = foldAccent(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

func foldAccent(r rune) rune {
	switch r {
	case 'à', 'â', 'ä', 'á':
		return 'a'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'î', 'ï', 'í':
		return 'i'
	case 'ô', 'ö', 'ó':
		return 'o'
	case 'ù', 'û', 'ü', 'ú':
		return 'u'
	case 'ç':
		return 'c'
	case 'ÿ':
		return 'y'
	case '°', 'º':
		return ' '
	}
	return r
}

// PlacementMapping says which column (0-based) holds each field.
type PlacementMapping map[PlacementField]int

// GuessPlacementMapping maps headers to fields by their words; a header
// matches at most one field and a field takes the first header naming it.
func GuessPlacementMapping(headers []string) PlacementMapping {
	m := PlacementMapping{}
	used := map[int]bool{}
	for _, f := range PlacementFields {
		for i, h := range headers {
			if used[i] {
				continue
			}
			n := NormalizeHeader(h)
			for _, w := range placementHeaders[f] {
				if n == w {
					m[f], used[i] = i, true
					break
				}
			}
			if _, ok := m[f]; ok {
				break
			}
		}
	}
	return m
}

// CheckPlacementMapping refuses a mapping missing a required field or
// naming a column twice or beyond the header.
func (m PlacementMapping) Check(columns int) []FieldError {
	var f []FieldError
	seen := map[int]PlacementField{}
	for _, field := range PlacementFields {
		i, ok := m[field]
		if !ok {
			continue
		}
		if i < 0 || i >= columns {
			f = append(f, FieldError{"mapping." + string(field), "out_of_range", fmt.Sprintf("Le fichier n'a pas de colonne %d.", i+1)})
			continue
		}
		if other, dup := seen[i]; dup {
			f = append(f, FieldError{"mapping." + string(field), "duplicate", fmt.Sprintf("La colonne %d est déjà celle de %s.", i+1, other)})
		}
		seen[i] = field
	}
	for field := range m {
		if !knownPlacementField(field) {
			f = append(f, FieldError{"mapping." + string(field), "unknown", "Champ inconnu."})
		}
	}
	for _, field := range PlacementRequired {
		if _, ok := m[field]; !ok {
			f = append(f, FieldError{"mapping." + string(field), "required", fmt.Sprintf("Aucune colonne ne donne « %s ».", PlacementFieldLabel(field))})
		}
	}
	return f
}

func knownPlacementField(f PlacementField) bool {
	for _, k := range PlacementFields {
		if k == f {
			return true
		}
	}
	return false
}

// PlacementFieldLabel is the French column name of a field.
func PlacementFieldLabel(f PlacementField) string {
	switch f {
	case PFDebtorName:
		return "raison sociale"
	case PFSIREN:
		return "SIREN"
	case PFSIRET:
		return "SIRET"
	case PFAddress:
		return "adresse"
	case PFPostalCode:
		return "code postal"
	case PFCity:
		return "ville"
	case PFEmail:
		return "e-mail"
	case PFPhone:
		return "téléphone"
	case PFInvoiceNumber:
		return "numéro de facture"
	case PFIssuedOn:
		return "date de facture"
	case PFDueOn:
		return "échéance"
	case PFAmount:
		return "montant TTC"
	case PFVAT:
		return "TVA"
	case PFReference:
		return "référence"
	case PFCurrency:
		return "devise"
	}
	return string(f)
}

// groupSeparators drops the thousands separators left in an amount's whole
// part; built once, since a placement file parses an amount per row.
var groupSeparators = strings.NewReplacer(".", "", ",", "")

// ParseAmountCents reads an amount as a French accountant writes it
// ("1 234,56", "1.234,56 €", "-12,5") or as a machine does ("1234.56"):
// at most two decimals.
func ParseAmountCents(s string) (int64, error) {
	bad := fmt.Errorf("montant illisible : %q (par exemple 1 234,56)", s)
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(s, "€")), "EUR"), "€")
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	if s == "" {
		return 0, bad
	}
	lastComma, lastDot := strings.LastIndexByte(s, ','), strings.LastIndexByte(s, '.')
	decimal := -1
	switch {
	case lastComma >= 0 && lastDot >= 0: // the last one is the decimal mark
		decimal = max(lastComma, lastDot)
	case lastComma >= 0:
		if strings.Count(s, ",") > 1 {
			return 0, bad
		}
		decimal = lastComma
	case lastDot >= 0:
		if strings.Count(s, ".") == 1 {
			decimal = lastDot
		}
	}
	intPart, frac := s, ""
	if decimal >= 0 {
		intPart, frac = s[:decimal], s[decimal+1:]
	}
	intPart = groupSeparators.Replace(intPart)
	if intPart == "" {
		intPart = "0"
	}
	if len(frac) > 2 || !allDigits(intPart) || !allDigits(frac) || len(intPart) > 13 {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, bad
	}
	if neg {
		n = -n
	}
	return n, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseDayDate reads a date as dd/mm/yyyy (also with - or . and a
// two-digit year), ISO yyyy-mm-dd, or a spreadsheet's day number.
func ParseDayDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("date illisible : %q (jj/mm/aaaa ou aaaa-mm-jj)", s)
	if s == "" {
		return Date{}, bad
	}
	if i := strings.IndexAny(s, " T"); i > 0 { // a time after the date
		s = s[:i]
	}
	if allDigits(s) && len(s) >= 4 && len(s) <= 6 { // Excel: days since 1899-12-30
		n, _ := strconv.Atoi(s)
		if n < 20000 || n > 80000 {
			return Date{}, bad
		}
		return DateOf(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)), nil
	}
	if len(s) == 10 && s[4] == '-' {
		d, err := ParseDate(s)
		if err != nil {
			return Date{}, bad
		}
		return d, nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 3 || !allDigits(parts[0]+parts[1]+parts[2]) || len(parts[0]) > 2 || len(parts[1]) > 2 {
		return Date{}, bad
	}
	d, _ := strconv.Atoi(parts[0])
	m, _ := strconv.Atoi(parts[1])
	y, _ := strconv.Atoi(parts[2])
	switch len(parts[2]) {
	case 2:
		y += 2000
	case 4:
	default:
		return Date{}, bad
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || t.Day() != d || t.Month() != time.Month(m) || y < 1900 {
		return Date{}, bad
	}
	return DateOf(t), nil
}

// PlacementRow is one row of a placement file, read and checked.
type PlacementRow struct {
	Debtor            Debtor
	Claim             Claim
	CreditorReference string
	Currency          string
	// GroupKey puts the rows of one debtor (and one reference) in one case:
	// the SIREN, else the normalised name and postcode.
	GroupKey string
}

// PlacementProblem is what is wrong with a cell of a row (Field empty: the
// row as a whole).
type PlacementProblem struct {
	Field   PlacementField
	Message string
}

// ReadPlacementRow reads and checks a row with the rules of a case entered
// by the API: Debtor.Validate, Claim.Validate, the currency and the
// printable reference.
func ReadPlacementRow(cells []string, m PlacementMapping) (PlacementRow, []PlacementProblem) {
	get := func(f PlacementField) string {
		if i, ok := m[f]; ok && i >= 0 && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	var problems []PlacementProblem
	r := PlacementRow{CreditorReference: get(PFReference), Currency: strings.ToUpper(get(PFCurrency))}
	if r.Currency == "" {
		r.Currency = "EUR"
	}
	d := Debtor{Kind: DebtorCompany, Name: get(PFDebtorName), SIREN: strings.ReplaceAll(get(PFSIREN), " ", ""), SIRET: strings.ReplaceAll(get(PFSIRET), " ", ""),
		Address: Address{Line1: get(PFAddress), PostalCode: get(PFPostalCode), City: get(PFCity)}}
	if e := get(PFEmail); e != "" {
		d.Emails = []string{e}
	}
	if p := get(PFPhone); p != "" {
		d.Phones = []string{p}
	}
	for _, fe := range d.Validate() {
		problems = append(problems, PlacementProblem{placementFieldOf(fe.Field), fe.Message})
	}
	cl := Claim{InvoiceNumber: get(PFInvoiceNumber), Currency: r.Currency, Nature: NatureGeneral}
	var err error
	if v := get(PFIssuedOn); v != "" {
		if cl.IssuedOn, err = ParseDayDate(v); err != nil {
			problems = append(problems, PlacementProblem{PFIssuedOn, err.Error()})
		}
	}
	if v := get(PFDueOn); v != "" {
		if cl.DueOn, err = ParseDayDate(v); err != nil {
			problems = append(problems, PlacementProblem{PFDueOn, err.Error()})
		}
	}
	amountRead := true
	if v := get(PFAmount); v != "" {
		if cl.AmountCents, err = ParseAmountCents(v); err != nil {
			problems, amountRead = append(problems, PlacementProblem{PFAmount, err.Error()}), false
		}
	}
	if v := get(PFVAT); v != "" {
		if cl.VATCents, err = ParseAmountCents(v); err != nil {
			problems = append(problems, PlacementProblem{PFVAT, err.Error()})
		}
	}
	if !KnownCurrency(r.Currency) {
		problems = append(problems, PlacementProblem{PFCurrency, "Devise inconnue (code ISO 4217 attendu, par exemple EUR)."})
	}
	for _, fe := range cl.Validate(r.Currency, "") {
		f := placementFieldOf(fe.Field)
		if (f == PFIssuedOn || f == PFDueOn) && fe.Code == "required" && get(f) != "" {
			continue // already reported as unreadable
		}
		if f == PFAmount && !amountRead {
			continue
		}
		problems = append(problems, PlacementProblem{f, fe.Message})
	}
	for _, fe := range bounded(PrintableField("creditor_reference", r.CreditorReference, OneLine), "creditor_reference", r.CreditorReference, 100) {
		problems = append(problems, PlacementProblem{PFReference, fe.Message})
	}
	r.Debtor, r.Claim = d, cl
	if d.SIREN != "" {
		r.GroupKey = "siren:" + d.SIREN
	} else {
		r.GroupKey = "name:" + NormalizeHeader(d.Name) + "|" + strings.ReplaceAll(d.Address.PostalCode, " ", "")
	}
	r.GroupKey += "|ref:" + r.CreditorReference + "|" + r.Currency
	return r, problems
}

// placementFieldOf names the column of a field error of the API's rules.
func placementFieldOf(field string) PlacementField {
	switch field {
	case "debtor.name":
		return PFDebtorName
	case "debtor.siren", "debtor.vat_number":
		return PFSIREN
	case "debtor.siret":
		return PFSIRET
	case "debtor.address.line1", "debtor.address.line2", "debtor.address.country":
		return PFAddress
	case "debtor.address.postal_code":
		return PFPostalCode
	case "debtor.address.city":
		return PFCity
	case "invoice_number":
		return PFInvoiceNumber
	case "issued_on":
		return PFIssuedOn
	case "due_on":
		return PFDueOn
	case "amount_cents":
		return PFAmount
	case "vat_cents":
		return PFVAT
	case "currency":
		return PFCurrency
	}
	switch {
	case strings.HasPrefix(field, "debtor.emails"):
		return PFEmail
	case strings.HasPrefix(field, "debtor.phones"):
		return PFPhone
	}
	return ""
}

// PlacementReason joins a row's problems into the "motif du refus".
func PlacementReason(problems []PlacementProblem) string {
	parts := make([]string, 0, len(problems))
	for _, p := range problems {
		if p.Field == "" {
			parts = append(parts, p.Message)
		} else {
			parts = append(parts, PlacementFieldLabel(p.Field)+" : "+p.Message)
		}
	}
	return strings.Join(parts, " ; ")
}

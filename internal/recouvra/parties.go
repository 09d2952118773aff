package recouvra

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Address is a postal address.
type Address struct {
	Line1      string
	Line2      string
	PostalCode string
	City       string
	Country    string // ISO 3166-1 alpha-2, "FR" by default
}

// Complete reports whether a letter can be sent to the address: a first
// line, a postal code and a city (and a country).
func (a Address) Complete() bool {
	return strings.TrimSpace(a.Line1) != "" && strings.TrimSpace(a.PostalCode) != "" &&
		strings.TrimSpace(a.City) != "" && strings.TrimSpace(a.Country) != ""
}

// Contact is a person to reach at a creditor.
type Contact struct {
	Name  string
	Email string
	Phone string
	Role  string // e.g. "comptabilité"
}

// LegalStatus is a creditor's status for legal interest (CMF L313-2): an
// individual not acting for business needs gets the higher rate.
type LegalStatus string

const (
	StatusBusiness   LegalStatus = "business"
	StatusIndividual LegalStatus = "individual"
)

// Mandate is the written contract creditor → agency (CPCE R124-3).
type Mandate struct {
	SignedOn           Date
	CommissionBps      int   // commission on sums recovered, basis points (15 % = 1500)
	FixedFeeCents      int64 // fixed fees per case, in the creditor's currency
	JudicialAllowed    bool  // may the agency take the case to court
	NoticeDeadlineDays int   // the response deadline printed in formal notices
	LegalStatus        LegalStatus
}

// DefaultNoticeDeadlineDays is the usual response deadline of a formal notice.
const DefaultNoticeDeadlineDays = 8

// NoticeDays is the response deadline a formal notice gives: the mandate's,
// else the usual one.
func (m Mandate) NoticeDays() int {
	if m.NoticeDeadlineDays <= 0 {
		return DefaultNoticeDeadlineDays
	}
	return m.NoticeDeadlineDays
}

// CreditorDetails are a creditor's identity, address, contacts, bank
// details and mandate.
type CreditorDetails struct {
	SIREN     string
	SIRET     string
	VATNumber string
	Address   Address
	Contacts  []Contact
	IBAN      string
	BIC       string
	Mandate   Mandate
}

// DebtorKind says whether a debtor is a company or a person.
type DebtorKind string

const (
	DebtorCompany DebtorKind = "company"
	DebtorPerson  DebtorKind = "person"
)

// Proceedings are the insolvency proceedings of the Code de commerce.
type Proceedings string

const (
	ProceedingsSafeguard   Proceedings = "sauvegarde"
	ProceedingsRecovery    Proceedings = "redressement"
	ProceedingsLiquidation Proceedings = "liquidation"
)

// Insolvency records proceedings opened against a debtor.
type Insolvency struct {
	Proceedings Proceedings
	PublishedOn Date // BODACC publication: starts the claim-declaration deadline
	Court       string
}

// DeclarationDeadline is the last day to declare a claim to the court's
// representative: two months after the BODACC publication, four for a
// creditor outside metropolitan France (art. R622-24 C. com.).
func (i Insolvency) DeclarationDeadline(creditorAbroad bool) Date {
	if creditorAbroad {
		return i.PublishedOn.AddMonths(4)
	}
	return i.PublishedOn.AddMonths(2)
}

// Debtor is a company or person owing money; it may owe several creditors.
type Debtor struct {
	ID         uuid.UUID
	Kind       DebtorKind
	Name       string
	SIREN      string
	SIRET      string
	VATNumber  string
	Address    Address
	Emails     []string
	Phones     []string
	Insolvency *Insolvency
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Validate checks the debtor's own rules; identifiers are checked by the
// caller with the ident package and reported with the same field names.
func (d *Debtor) Validate() []FieldError {
	var f []FieldError
	switch d.Kind {
	case DebtorCompany, DebtorPerson:
	default:
		f = append(f, FieldError{"debtor.kind", "invalid", "Type de débiteur inconnu : company ou person."})
	}
	if name := strings.TrimSpace(d.Name); name == "" {
		f = append(f, FieldError{"debtor.name", "required", "Le nom du débiteur est obligatoire."})
	} else if utf8.RuneCountInString(name) > 200 {
		f = append(f, FieldError{"debtor.name", "too_long", "Le nom ne peut dépasser 200 caractères."})
	}
	if d.Kind == DebtorPerson && (d.SIREN != "" || d.SIRET != "" || d.VATNumber != "") {
		f = append(f, FieldError{"debtor.siren", "forbidden", "Un particulier n'a ni SIREN, ni SIRET, ni numéro de TVA."})
	} else {
		f = append(f, normalizeIdentifiers("debtor.", &d.SIREN, &d.SIRET, &d.VATNumber)...)
	}
	if d.Address.Country == "" {
		d.Address.Country = "FR"
	}
	// What letters print, or a person reads back, must be printable.
	f = printable(f, "debtor.name", d.Name, OneLine)
	f = printableAddress(f, "debtor.address.", d.Address)
	for i, e := range d.Emails {
		f = printable(f, indexed("debtor.emails", i), e, OneLine)
	}
	for i, p := range d.Phones {
		f = printable(f, indexed("debtor.phones", i), p, OneLine)
	}
	if d.Insolvency != nil {
		f = printable(f, "debtor.insolvency.court", d.Insolvency.Court, OneLine)
		switch d.Insolvency.Proceedings {
		case ProceedingsSafeguard, ProceedingsRecovery, ProceedingsLiquidation:
		default:
			f = append(f, FieldError{"debtor.insolvency.proceedings", "invalid", "Procédure inconnue : sauvegarde, redressement ou liquidation."})
		}
		if d.Insolvency.PublishedOn.IsZero() {
			f = append(f, FieldError{"debtor.insolvency.published_on", "required", "La date de publication au BODACC est obligatoire."})
		}
	}
	return f
}

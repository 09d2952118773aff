package recouvra

import (
	"fmt"
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

// Residence is where a party lives as French procedure sees it: some
// deadlines are longer outside metropolitan France (CPC 643, C. com.
// R622-24).
type Residence int

const (
	ResidenceMetropolitan Residence = iota
	ResidenceOverseas               // départements, régions and collectivités d'outre-mer
	ResidenceAbroad
)

// overseasCountries are the ISO 3166-1 codes some senders use for French
// overseas territories instead of FR.
var overseasCountries = map[string]bool{
	"GP": true, "MQ": true, "GF": true, "RE": true, "YT": true, "PM": true, "BL": true,
	"MF": true, "WF": true, "PF": true, "NC": true, "TF": true,
}

// Residence decides from the postal code, not the country alone: a French
// address whose postal code starts with 971 to 976 (Guadeloupe, Martinique,
// Guyane, La Réunion, Saint-Pierre-et-Miquelon, Mayotte, Saint-Barthélemy
// and Saint-Martin) or 984 to 988 (TAAF, Wallis-et-Futuna, Polynésie,
// Nouvelle-Calédonie) is overseas.
func (a Address) Residence() Residence {
	country := strings.ToUpper(strings.TrimSpace(a.Country))
	switch {
	case overseasCountries[country]:
		return ResidenceOverseas
	case country != "" && country != "FR":
		return ResidenceAbroad
	}
	pc := strings.ReplaceAll(strings.TrimSpace(a.PostalCode), " ", "")
	if len(pc) >= 3 {
		switch pc[:3] {
		case "971", "972", "973", "974", "975", "976", "984", "985", "986", "987", "988":
			return ResidenceOverseas
		}
	}
	return ResidenceMetropolitan
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
	// Payment plans accepted without the creditor (plan.go: PlanRules).
	PlanMaxMonths          int   // longest plan, in months
	PlanMinFirstCents      int64 // smallest first payment (0: none)
	PlanMinInstalmentCents int64 // smallest later instalment (0: none)
	PlanMissesBeforeBroken int   // instalments missed before the plan is broken
	PlanInterestFrozen     bool  // interest frozen while a plan is kept
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
	Identity  Identity
}

// Identity is what a court filing must say of the creditor beyond its
// name and address (CPC 57 and 1407): for a company, its legal form, the
// register it is entered in and its legal representative; for a person,
// profession, nationality, date and place of birth.
type Identity struct {
	LegalForm           string // "SAS", "SARL", "EURL"…
	Registry            string // the register and its seat, e.g. "RCS Lyon"; the number is the SIREN
	RepresentativeName  string // who represents the company in law, e.g. "Jeanne Dupont"
	RepresentativeTitle string // in what capacity, e.g. "gérante", "président"
	Profession          string
	Nationality         string // as the request words it: "française"
	BornOn              Date
	BornIn              string // place of birth, e.g. "Lyon (69)"
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
	months := 2
	if creditorAbroad {
		months = 4
	}
	return ProceduralDeadline(i.PublishedOn.AddMonths(months)) // art. 642 CPC
}

// Debtor is a company or person owing money; it may owe several creditors.
type Debtor struct {
	ID        uuid.UUID
	Kind      DebtorKind
	Name      string
	SIREN     string
	SIRET     string
	VATNumber string
	Address   Address
	Emails    []string
	Phones    []string
	// BestTimeToCall is when the debtor is best reached by phone, in the
	// agent's words ("mardi et jeudi matin"); empty when unknown.
	BestTimeToCall string
	Insolvency     *Insolvency
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// MaxBestTimeToCall bounds Debtor.BestTimeToCall, in characters.
const MaxBestTimeToCall = 200

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
	// A person may carry a SIREN or SIRET: an entrepreneur individuel,
	// artisan or profession libérale owes as a professional, not as a
	// consumer (see Consumer and the time bars).
	f = append(f, normalizeIdentifiers("debtor.", &d.SIREN, &d.SIRET, &d.VATNumber)...)
	if d.Address.Country == "" {
		d.Address.Country = "FR"
	}
	// What letters print, or a person reads back, must be printable.
	f = printable(f, "debtor.name", d.Name, OneLine)
	f = printableAddress(f, "debtor.address.", d.Address)
	for i, e := range d.Emails {
		f = printable(f, indexed("debtor.emails", i), e, OneLine)
		f = bounded(f, indexed("debtor.emails", i), e, 254)
	}
	for i, p := range d.Phones {
		f = printable(f, indexed("debtor.phones", i), p, OneLine)
		f = bounded(f, indexed("debtor.phones", i), p, 40)
	}
	d.BestTimeToCall = strings.TrimSpace(d.BestTimeToCall)
	if utf8.RuneCountInString(d.BestTimeToCall) > MaxBestTimeToCall {
		f = append(f, FieldError{"debtor.best_time_to_call", "too_long", fmt.Sprintf("%d caractères au plus.", MaxBestTimeToCall)})
	}
	f = printable(f, "debtor.best_time_to_call", d.BestTimeToCall, OneLine)
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

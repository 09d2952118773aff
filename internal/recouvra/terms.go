package recouvra

import "fmt"

// TermsKind is how payment terms are counted (C. com. L441-10 I).
type TermsKind string

const (
	// TermsNet: N days after the invoice date.
	TermsNet TermsKind = "net"
	// TermsEndOfMonthThenDays: the end of the invoice's month, then N days
	// ("45 jours fin de mois", first reading).
	TermsEndOfMonthThenDays TermsKind = "end_of_month_then_days"
	// TermsDaysThenEndOfMonth: N days, then the end of that month (second
	// reading).
	TermsDaysThenEndOfMonth TermsKind = "days_then_end_of_month"
)

// Legal caps on agreed payment terms between businesses (C. com. L441-10 I).
const (
	MaxNetDays        = 60 // after the invoice date
	MaxEndOfMonthDays = 45 // "fin de mois", if expressly agreed
)

func endOfMonth(d Date) Date { return NewDate(d.Year(), d.Month(), 1).AddMonths(1).AddDays(-1) }

// DueDate computes the due date of an invoice issued on issued under the
// terms, with warnings when the terms exceed the legal caps.
func DueDate(issued Date, kind TermsKind, days int) (Date, []string, error) {
	if days < 0 || days > 365 {
		return Date{}, nil, Invalid("Délai invalide.", FieldError{"query.days", "out_of_range", "Le délai est compris entre 0 et 365 jours."})
	}
	var due Date
	var warnings []string
	switch kind {
	case TermsNet:
		due = issued.AddDays(days)
		if days > MaxNetDays {
			warnings = append(warnings, fmt.Sprintf("Délai de %d jours : au-delà du plafond de 60 jours à compter de la date de facture (C. com. L441-10 I).", days))
		}
	case TermsEndOfMonthThenDays:
		due = endOfMonth(issued).AddDays(days)
	case TermsDaysThenEndOfMonth:
		due = endOfMonth(issued.AddDays(days))
	default:
		return Date{}, nil, Invalid("Conditions inconnues.", FieldError{"query.kind", "invalid", "Conditions : net, end_of_month_then_days ou days_then_end_of_month."})
	}
	if kind != TermsNet {
		if days > MaxEndOfMonthDays {
			warnings = append(warnings, fmt.Sprintf("Délai de %d jours fin de mois : au-delà du plafond de 45 jours fin de mois (C. com. L441-10 I).", days))
		}
		if cap := issued.AddDays(MaxNetDays); due.After(cap) && days <= MaxEndOfMonthDays {
			warnings = append(warnings, fmt.Sprintf("Échéance au %s, plus de 60 jours après la facture : admis seulement si le délai de 45 jours fin de mois a été expressément stipulé (C. com. L441-10 I).", FrenchDate(due)))
		}
	}
	return due, warnings, nil
}

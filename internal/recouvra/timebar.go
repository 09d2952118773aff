package recouvra

import "strings"

// Time bars (prescription extinctive). A term runs from the due date, or
// from the last act that restarted it; the day it starts is not counted and
// the bar is acquired only when its last day is over (C. civ. 2228, 2229).
// An invoice due on 2 December 2021 under five years can still be sued on 2
// December 2026, its last day to act, and is barred from 3 December. Years
// end on the same day number, 29 February on 28 February.

// TimeBarTerm is how long a claim can be sued on, and the article that says
// so, as a letter or a screen quotes it.
type TimeBarTerm struct {
	Years int
	Basis string
}

// The terms the agency meets.
var (
	// Between traders, or a trader against a non-trader (C. com. L110-4).
	TermCommercial = TimeBarTerm{Years: 5, Basis: "art. L110-4 C. com."}
	// A creditor that is not a professional, or any other civil claim
	// (C. civ. 2224).
	TermCivil = TimeBarTerm{Years: 5, Basis: "art. 2224 C. civ."}
	// A professional's action against a consumer (C. conso. L218-2).
	TermConsumer = TimeBarTerm{Years: 2, Basis: "art. L218-2 C. conso."}
)

// Consumer reports whether the debtor is a consumer: a natural person
// acting outside any trade. A person with a SIREN or SIRET (entrepreneur
// individuel, artisan, profession libérale) owes as a professional.
func (d Debtor) Consumer() bool {
	return d.Kind == DebtorPerson && strings.TrimSpace(d.SIREN) == "" && strings.TrimSpace(d.SIRET) == ""
}

// TimeBarTermFor chooses the term of a claim: two years only for a
// professional creditor against a consumer (L218-2), five otherwise —
// L110-4 for a professional creditor, 2224 for an individual one. A
// creditor whose status is not recorded is taken as a business, the
// agency's usual client.
func TimeBarTermFor(creditor LegalStatus, debtorIsConsumer bool) TimeBarTerm {
	switch {
	case creditor == StatusIndividual:
		return TermCivil
	case debtorIsConsumer:
		return TermConsumer
	default:
		return TermCommercial
	}
}

// TimeBarOn is the last day on which a claim due on due can still be
// brought to court under term: the same day number term.Years later,
// counted from the due date or from the last act that restarted the term
// (an acknowledgement or a payment, C. civ. 2240; a court action, 2241; an
// enforcement measure, 2244), whichever is later.
func TimeBarOn(due, lastInterruption Date, term TimeBarTerm) Date {
	start := due
	if lastInterruption.After(start) {
		start = lastInterruption
	}
	return start.AddYears(term.Years)
}

// TimeBarPassed reports whether, on today, the last day to act is over.
func TimeBarPassed(lastDay, today Date) bool { return today.After(lastDay) }

// EnforceableTitleYears is how long an enforceable title (an injunction
// order declared enforceable, a judgment) can be enforced (CPCE L111-4).
const EnforceableTitleYears = 10

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

// ClaimNature is what a claim is for, when the law gives that kind of debt
// a term of its own. Kept small: a nature is added when the agency takes
// claims the law treats apart.
type ClaimNature string

const (
	// NatureGeneral: goods, services, any claim whose term follows from
	// who the parties are (L110-4, 2224, L218-2). The default.
	NatureGeneral ClaimNature = "general"
	// NatureResidentialRent: rent and charges of a residential lease,
	// three years whoever the parties are (law 89-462 art. 7-1).
	NatureResidentialRent ClaimNature = "residential_rent"
)

// ClaimNatures lists the natures, default first.
var ClaimNatures = []ClaimNature{NatureGeneral, NatureResidentialRent}

// Valid reports whether n is a known nature.
func (n ClaimNature) Valid() bool {
	for _, x := range ClaimNatures {
		if n == x {
			return true
		}
	}
	return false
}

// TermResidentialRent: actions for the payment of rent and charges of a
// residential lease (law 89-462 of 6 July 1989, art. 7-1).
var TermResidentialRent = TimeBarTerm{Years: 3, Basis: "art. 7-1 loi n° 89-462 du 6 juillet 1989"}

// ClaimTerm is the term of one claim: its nature first, where the law gives
// that nature its own term, then the parties (TimeBarTermFor).
func ClaimTerm(nature ClaimNature, creditor LegalStatus, debtorIsConsumer bool) TimeBarTerm {
	if nature == NatureResidentialRent {
		return TermResidentialRent
	}
	return TimeBarTermFor(creditor, debtorIsConsumer)
}

// TitleEnforceableUntil is the last day an enforceable title obtained on
// enforceableOn can be enforced (CPCE L111-4), counted like a time bar
// (C. civ. 2228, 2229).
func TitleEnforceableUntil(enforceableOn Date) Date {
	return enforceableOn.AddYears(EnforceableTitleYears)
}

// CourtHold says how the injunction proceedings bear on the claims' time
// bar on today. A filing interrupts it until the proceedings end (C. civ.
// 2241, 2242): while the request waits for its decision, while a granted
// order can still be served, while a served order is neither opposed nor
// enforceable, and after an opposition (the case is then before the court,
// CPC 1417, whose judgment the case does not record), no claim can become
// time-barred. The interruption is void when the request is rejected (2243)
// and when the order lapses unserved (CPC 1411: non avenue), so the term
// counts as if there had been no filing. Once the order is enforceable, the
// title's own ten years apply (CPCE L111-4) instead of the claims' bars.
func (i Injunction) CourtHold(today Date) bool {
	switch {
	case i.FiledOn.IsZero() || today.Before(i.FiledOn):
		return false
	case i.Decision == string(StepRejected):
		return false
	case !i.EnforceableOn.IsZero():
		return false // the title's term runs instead
	case i.Granted() && i.ServedOn.IsZero() && today.After(i.OrderLapse()):
		return false
	}
	return true
}

// TargetOn is the agency's internal target for a legal deadline on legal:
// marginDays earlier, moved back to a working day, so it is never after the
// legal day and never on a day the agency is closed.
func TargetOn(legal Date, marginDays int) Date {
	if legal.IsZero() {
		return Date{}
	}
	if marginDays < 0 {
		marginDays = 0
	}
	d := legal.AddDays(-marginDays)
	for !WorkingDay(d) {
		d = d.AddDays(-1)
	}
	return d
}

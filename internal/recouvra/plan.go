package recouvra

import (
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
)

// Payment plans (échéanciers). A plan spreads what a case owes over dated
// instalments, the first of which may be a down payment. Within the rules
// of the creditor's mandate (maximum duration, minimum first payment,
// minimum instalment) it is accepted at once; outside them it waits for the
// creditor's approval. A court-granted delay (C. civ. 1343-5: at most two
// years) is recorded as a plan whose terms came from the judge: no
// approval, no mandate rules, only the legal limit. Payments are matched to
// instalments in date order; an instalment is due, paid, late (its date
// passed, its grace running) or missed (grace over); the plan is kept,
// completed when every instalment is paid, and broken once the mandate's
// number of misses is reached. Broken stays broken; a new plan can follow.

// PlanOrigin says where a plan's terms came from.
type PlanOrigin string

const (
	PlanByAgent  PlanOrigin = "agent"  // negotiated by an agent
	PlanByDebtor PlanOrigin = "debtor" // proposed by the debtor on its page
	PlanByCourt  PlanOrigin = "court"  // a delay granted by a judge (C. civ. 1343-5)
)

// Valid reports whether o is a known origin.
func (o PlanOrigin) Valid() bool { return o == PlanByAgent || o == PlanByDebtor || o == PlanByCourt }

// PlanStatus is where a plan stands.
type PlanStatus string

const (
	PlanPendingApproval PlanStatus = "pending_approval" // outside the mandate's rules, waiting for the creditor
	PlanKept            PlanStatus = "kept"             // running, on track
	PlanCompleted       PlanStatus = "completed"        // every instalment paid
	PlanBroken          PlanStatus = "broken"           // too many instalments missed
	PlanRefused         PlanStatus = "refused"          // the creditor said no
	PlanCancelled       PlanStatus = "cancelled"        // withdrawn by the agency
)

// Open reports whether the plan still stands in the way of another one:
// running, or waiting for its approval.
func (s PlanStatus) Open() bool { return s == PlanKept || s == PlanPendingApproval }

// InstalmentStatus is where one instalment stands.
type InstalmentStatus string

const (
	InstalmentDue    InstalmentStatus = "due"    // its date has not passed
	InstalmentPaid   InstalmentStatus = "paid"   // covered by the payments
	InstalmentLate   InstalmentStatus = "late"   // its date passed, grace running
	InstalmentMissed InstalmentStatus = "missed" // grace over, not covered
)

// Instalment is one dated amount of a plan. Seq counts from 0; with a down
// payment it is instalment 0.
type Instalment struct {
	Seq         int
	DueOn       Date
	AmountCents int64
	PaidCents   int64
	Status      InstalmentStatus
}

// Plan is a payment plan on a case.
type Plan struct {
	ID                 uuid.UUID
	CaseID             uuid.UUID
	CreditorID         uuid.UUID
	Origin             PlanOrigin
	Status             PlanStatus
	Currency           string
	TotalCents         int64 // what was due when it was made: the instalments sum to it
	InterestFrozen     bool  // interest stops running while the plan is kept (the mandate says)
	GraceDays          int
	MissesBeforeBroken int
	MadeOn             Date
	// RunningFrom is the day the plan began running (accepted at once, or
	// approved by the creditor); zero for a plan that never ran.
	RunningFrom Date
	Instalments []Instalment
	// Deviations name the mandate's rules the plan does not keep: why it
	// waits for the creditor's approval.
	Deviations []FieldError
	// A court-granted delay: the court and the date of its decision.
	Court           string
	CourtDecisionOn Date
	ResumesPlanID   *uuid.UUID // the broken plan this one follows
	DecisionReason  string     // the creditor's reason to refuse, or why it was cancelled
	DecidedOn       Date       // approved, refused, cancelled, completed or broken on
	SignedOn        Date       // the debtor signed or accepted its agreement: an acknowledgement (C. civ. 2240)
	CreatedAt       time.Time
}

// Plan limits.
const (
	DefaultPlanGraceDays   = 5
	MaxPlanGraceDays       = 30
	MaxInstalments         = 120
	CourtDelayMaxMonths    = 24 // C. civ. 1343-5: the judge may defer or spread payments over two years at most
	DefaultPlanMaxMonths   = 12
	DefaultMissesForBroken = 1
)

// PlanRules are the mandate's rules for plans accepted without the
// creditor (zero minimums: none).
type PlanRules struct {
	MaxMonths          int
	MinFirstCents      int64
	MinInstalmentCents int64
	MissesBeforeBroken int
	InterestFrozen     bool
}

// PlanRules are the mandate's, with the usual values where it says none.
func (m Mandate) PlanRules() PlanRules {
	r := PlanRules{MaxMonths: m.PlanMaxMonths, MinFirstCents: m.PlanMinFirstCents, MinInstalmentCents: m.PlanMinInstalmentCents,
		MissesBeforeBroken: m.PlanMissesBeforeBroken, InterestFrozen: m.PlanInterestFrozen}
	if r.MaxMonths <= 0 {
		r.MaxMonths = DefaultPlanMaxMonths
	}
	if r.MissesBeforeBroken <= 0 {
		r.MissesBeforeBroken = DefaultMissesForBroken
	}
	return r
}

// validatePlanRules checks the mandate's plan fields.
func validatePlanRules(m *Mandate) []FieldError {
	var f []FieldError
	if m.PlanMaxMonths == 0 {
		m.PlanMaxMonths = DefaultPlanMaxMonths
	}
	if m.PlanMissesBeforeBroken == 0 {
		m.PlanMissesBeforeBroken = DefaultMissesForBroken
	}
	if m.PlanMaxMonths < 1 || m.PlanMaxMonths > 60 {
		f = append(f, FieldError{"mandate.plan_max_months", "out_of_range", "La durée maximale d'un échéancier est comprise entre 1 et 60 mois."})
	}
	if m.PlanMinFirstCents < 0 {
		f = append(f, FieldError{"mandate.plan_min_first_cents", "negative", "Le premier versement minimal ne peut être négatif."})
	}
	if m.PlanMinInstalmentCents < 0 {
		f = append(f, FieldError{"mandate.plan_min_instalment_cents", "negative", "L'échéance minimale ne peut être négative."})
	}
	if m.PlanMissesBeforeBroken < 1 || m.PlanMissesBeforeBroken > 12 {
		f = append(f, FieldError{"mandate.plan_misses_before_broken", "out_of_range", "Le nombre d'échéances manquées avant rupture est compris entre 1 et 12."})
	}
	return f
}

// Frequency is how a generated schedule spaces its instalments.
type Frequency string

const (
	Monthly     Frequency = "monthly"
	Fortnightly Frequency = "fortnightly"
)

// Schedule asks for instalments to be generated: an optional down payment
// on DownPaymentOn, then Count equal instalments from FirstOn (the last
// takes the cents the division leaves).
type Schedule struct {
	Frequency        Frequency
	Count            int
	FirstOn          Date
	DownPaymentCents int64
	DownPaymentOn    Date
}

// GenerateSchedule spreads total over s. Its errors name the schedule's
// fields.
func GenerateSchedule(total int64, s Schedule) ([]Instalment, error) {
	var f []FieldError
	if s.Frequency != Monthly && s.Frequency != Fortnightly {
		f = append(f, FieldError{"schedule.frequency", "invalid", "Périodicité inconnue : monthly ou fortnightly."})
	}
	if s.Count < 1 || s.Count > MaxInstalments {
		f = append(f, FieldError{"schedule.count", "out_of_range", fmt.Sprintf("Le nombre d'échéances est compris entre 1 et %d.", MaxInstalments)})
	}
	if s.FirstOn.IsZero() {
		f = append(f, FieldError{"schedule.first_on", "required", "Indiquez la date de la première échéance."})
	}
	if s.DownPaymentCents < 0 || s.DownPaymentCents >= total {
		f = append(f, FieldError{"schedule.down_payment_cents", "out_of_range", fmt.Sprintf("L'acompte est compris entre 0 et moins que la somme due (%s).", FrenchMoney(total, "EUR"))})
	}
	if s.DownPaymentCents > 0 && s.DownPaymentOn.IsZero() {
		f = append(f, FieldError{"schedule.down_payment_on", "required", "Indiquez la date de l'acompte."})
	}
	if len(f) > 0 {
		return nil, Invalid("Échéancier invalide.", f...)
	}
	var out []Instalment
	if s.DownPaymentCents > 0 {
		out = append(out, Instalment{DueOn: s.DownPaymentOn, AmountCents: s.DownPaymentCents})
	}
	rest := total - s.DownPaymentCents
	each := rest / int64(s.Count)
	for i := 0; i < s.Count; i++ {
		on := s.FirstOn.AddMonths(i)
		if s.Frequency == Fortnightly {
			on = s.FirstOn.AddDays(14 * i)
		}
		amount := each
		if i == s.Count-1 {
			amount = rest - each*int64(s.Count-1)
		}
		out = append(out, Instalment{DueOn: on, AmountCents: amount})
	}
	for i := range out {
		out[i].Seq, out[i].Status = i, InstalmentDue
	}
	return out, nil
}

// CheckPlan checks a proposed plan against the amount due and today. It
// returns the errors that refuse it outright (each naming its instalment:
// instalments[2].amount_cents) and, for a plan not from a court, the
// mandate's rules it does not keep (the creditor must approve it).
func CheckPlan(p *Plan, dueCents int64, rules PlanRules, today Date) (errs, deviations []FieldError) {
	bad := func(field, code, msg string) { errs = append(errs, FieldError{field, code, msg}) }
	n := len(p.Instalments)
	if !p.Origin.Valid() {
		bad("origin", "invalid", "Origine inconnue : agent, debtor ou court.")
	}
	if p.GraceDays < 0 || p.GraceDays > MaxPlanGraceDays {
		bad("grace_days", "out_of_range", fmt.Sprintf("Le délai de grâce est compris entre 0 et %d jours.", MaxPlanGraceDays))
	}
	if dueCents <= 0 {
		bad("instalments", "nothing_due", "Aucune somme n'est due : il n'y a rien à échelonner.")
		return errs, nil
	}
	switch {
	case n == 0:
		bad("instalments", "required", "Indiquez au moins une échéance.")
		return errs, nil
	case n > MaxInstalments:
		bad("instalments", "too_many", fmt.Sprintf("%d échéances au plus.", MaxInstalments))
		return errs, nil
	}
	court := p.Origin == PlanByCourt
	if court {
		switch {
		case p.CourtDecisionOn.IsZero():
			bad("court_decision_on", "required", "Indiquez la date de la décision qui accorde le délai.")
		case p.CourtDecisionOn.After(today):
			bad("court_decision_on", "future", "La décision ne peut être datée de demain ou après.")
		}
		if p.Court == "" {
			bad("court", "required", "Indiquez la juridiction qui a accordé le délai.")
		}
		errs = printable(errs, "court", p.Court, OneLine)
	}
	var sum int64
	amountsOK := true
	for i := range p.Instalments {
		in := &p.Instalments[i]
		in.Seq = i
		at := fmt.Sprintf("instalments[%d].", i)
		if in.AmountCents <= 0 {
			bad(at+"amount_cents", "not_positive", fmt.Sprintf("L'échéance n° %d doit être d'un montant positif.", i+1))
			amountsOK = false
		}
		sum += in.AmountCents
		switch {
		case in.DueOn.IsZero():
			bad(at+"due_on", "required", fmt.Sprintf("Indiquez la date de l'échéance n° %d.", i+1))
			continue
		case !court && in.DueOn.Before(today):
			bad(at+"due_on", "past", fmt.Sprintf("L'échéance n° %d tombe le %s, date déjà passée.", i+1, FrenchDate(in.DueOn)))
		case court && !p.CourtDecisionOn.IsZero() && in.DueOn.Before(p.CourtDecisionOn):
			bad(at+"due_on", "before_decision", fmt.Sprintf("L'échéance n° %d précède la décision du juge.", i+1))
		}
		if i > 0 && !p.Instalments[i-1].DueOn.IsZero() && !in.DueOn.After(p.Instalments[i-1].DueOn) {
			bad(at+"due_on", "not_increasing", fmt.Sprintf("L'échéance n° %d doit tomber après l'échéance n° %d (%s).", i+1, i, FrenchDate(p.Instalments[i-1].DueOn)))
		}
	}
	last := fmt.Sprintf("instalments[%d].", n-1)
	if amountsOK && sum != dueCents {
		bad(last+"amount_cents", "sum_mismatch", fmt.Sprintf("Les échéances totalisent %s alors que %s sont dus : ajustez les montants (écart %s).",
			FrenchMoney(sum, p.Currency), FrenchMoney(dueCents, p.Currency), FrenchMoney(dueCents-sum, p.Currency)))
	}
	end := p.Instalments[n-1].DueOn
	if court {
		if !p.CourtDecisionOn.IsZero() && end.After(p.CourtDecisionOn.AddMonths(CourtDelayMaxMonths)) {
			bad(last+"due_on", "court_delay_too_long", fmt.Sprintf("Un délai de grâce judiciaire ne dépasse pas deux ans (art. 1343-5 C. civ.) : dernière échéance au plus tard le %s.",
				FrenchDate(p.CourtDecisionOn.AddMonths(CourtDelayMaxMonths))))
		}
		return errs, nil
	}
	dev := func(field, code, msg string) { deviations = append(deviations, FieldError{field, code, msg}) }
	if rules.MinFirstCents > 0 && p.Instalments[0].AmountCents < rules.MinFirstCents {
		dev("instalments[0].amount_cents", "below_first_minimum", fmt.Sprintf("Le premier versement (%s) est inférieur au minimum du mandat (%s).",
			FrenchMoney(p.Instalments[0].AmountCents, p.Currency), FrenchMoney(rules.MinFirstCents, p.Currency)))
	}
	for i := 1; i < n; i++ {
		if a := p.Instalments[i].AmountCents; rules.MinInstalmentCents > 0 && a > 0 && a < rules.MinInstalmentCents {
			dev(fmt.Sprintf("instalments[%d].amount_cents", i), "below_minimum", fmt.Sprintf("L'échéance n° %d (%s) est inférieure au minimum du mandat (%s).",
				i+1, FrenchMoney(a, p.Currency), FrenchMoney(rules.MinInstalmentCents, p.Currency)))
		}
	}
	if limit := p.MadeOn.AddMonths(rules.MaxMonths); end.After(limit) {
		dev(last+"due_on", "too_long", fmt.Sprintf("Le mandat limite un échéancier à %d mois : dernière échéance au plus tard le %s.", rules.MaxMonths, FrenchDate(limit)))
	}
	return errs, deviations
}

// PlanChange is what judging a plan moved: instalments newly missed, and
// the plan's own status.
type PlanChange struct {
	Missed []Instalment
	From   PlanStatus // the plan's status before, when it moved
	Moved  bool
}

// CoveredCents sums the payments that count towards p: not reversed, on
// its case, received from the day it was made.
func (p Plan) CoveredCents(payments []Payment) int64 {
	var sum int64
	for _, pay := range payments {
		if pay.ReversedAt != nil || pay.CaseID != p.CaseID || pay.ReceivedOn.Before(p.MadeOn) {
			continue
		}
		sum += pay.AmountCents
	}
	return sum
}

// Judge matches the payments to a running plan's instalments in date order
// and says where each stands today, then the plan: completed when every
// instalment is paid, broken once MissesBeforeBroken instalments are
// missed (broken stays broken), kept otherwise. A plan waiting for its
// approval, refused or cancelled is not judged. p is updated in place.
func (p *Plan) Judge(payments []Payment, today Date) PlanChange {
	var ch PlanChange
	if p.Status != PlanKept && p.Status != PlanCompleted {
		return ch
	}
	left := p.CoveredCents(payments)
	missed := 0
	for i := range p.Instalments {
		in := &p.Instalments[i]
		before := in.Status
		in.PaidCents = min(left, in.AmountCents)
		left -= in.PaidCents
		switch {
		case in.PaidCents >= in.AmountCents:
			in.Status = InstalmentPaid
		case today.After(in.DueOn.AddDays(p.GraceDays)):
			in.Status = InstalmentMissed
			missed++
		case today.After(in.DueOn):
			in.Status = InstalmentLate
		default:
			in.Status = InstalmentDue
		}
		if in.Status == InstalmentMissed && before != InstalmentMissed {
			ch.Missed = append(ch.Missed, *in)
		}
	}
	to := PlanKept
	switch {
	case missed == 0 && p.Instalments[len(p.Instalments)-1].Status == InstalmentPaid:
		to = PlanCompleted
	case missed >= p.MissesBeforeBroken:
		to = PlanBroken
	}
	if to != p.Status {
		ch.From, ch.Moved = p.Status, true
		p.Status = to
		if to != PlanKept {
			p.DecidedOn = today
		}
	}
	return ch
}

// RemainingCents is what the plan still expects.
func (p Plan) RemainingCents() int64 {
	var sum int64
	for _, in := range p.Instalments {
		sum += in.AmountCents - in.PaidCents
	}
	return sum
}

// Approve accepts a plan waiting for the creditor: it runs from today.
func (p *Plan) Approve(today Date) error {
	if p.Status != PlanPendingApproval {
		return planNotPending(p.Status)
	}
	p.Status, p.DecidedOn, p.RunningFrom = PlanKept, today, today
	return nil
}

// Refuse turns down a plan waiting for the creditor, with its reason.
func (p *Plan) Refuse(reason string, today Date) error {
	var f []FieldError
	if reason == "" {
		f = append(f, FieldError{"reason", "required", "Indiquez le motif du refus : il est transmis à l'agence."})
	}
	if f = printable(f, "reason", reason, MultiLine); len(f) > 0 {
		return Invalid("Refus incomplet.", f...)
	}
	if p.Status != PlanPendingApproval {
		return planNotPending(p.Status)
	}
	p.Status, p.DecisionReason, p.DecidedOn = PlanRefused, reason, today
	return nil
}

// Cancel withdraws an open plan (the agency's decision, with its reason).
func (p *Plan) Cancel(reason string, today Date) error {
	if f := printable(nil, "reason", reason, MultiLine); len(f) > 0 {
		return Invalid("Motif invalide.", f...)
	}
	if !p.Status.Open() {
		return Invalid("Échéancier terminé.", FieldError{"plan", "not_open", fmt.Sprintf("L'échéancier est %s : il ne peut plus être annulé.", PlanStatusLabel(p.Status))})
	}
	p.Status, p.DecisionReason, p.DecidedOn = PlanCancelled, reason, today
	return nil
}

// Sign records that the debtor signed or accepted the plan's agreement on
// on: an acknowledgement of the debt, which restarts the time bar (C. civ.
// 2240) through the case's acknowledgement event.
func (p *Plan) Sign(on, today Date) error {
	switch {
	case p.Status != PlanKept && p.Status != PlanCompleted:
		return Invalid("Échéancier non accepté.", FieldError{"plan", "not_running", "Seul un échéancier accepté peut être signé par le débiteur."})
	case on.IsZero():
		return Invalid("Date manquante.", FieldError{"signed_on", "required", "Indiquez la date de la signature."})
	case on.After(today):
		return Invalid("Date invalide.", FieldError{"signed_on", "future", "La signature ne peut être datée de demain ou après."})
	case on.Before(p.MadeOn):
		return Invalid("Date invalide.", FieldError{"signed_on", "before_plan", "La signature ne peut précéder l'échéancier."})
	case !p.SignedOn.IsZero():
		return Invalid("Déjà signé.", FieldError{"plan", "already_signed", fmt.Sprintf("L'accord a déjà été signé le %s.", FrenchDate(p.SignedOn))})
	}
	p.SignedOn = on
	return nil
}

func planNotPending(s PlanStatus) error {
	return Invalid("Échéancier déjà décidé.", FieldError{"plan", "not_pending", fmt.Sprintf("L'échéancier n'attend pas d'approbation : il est %s.", PlanStatusLabel(s))})
}

// PlanStatusLabel is a status in French words.
func PlanStatusLabel(s PlanStatus) string {
	switch s {
	case PlanPendingApproval:
		return "en attente d'approbation"
	case PlanKept:
		return "en cours"
	case PlanCompleted:
		return "soldé"
	case PlanBroken:
		return "rompu"
	case PlanRefused:
		return "refusé"
	case PlanCancelled:
		return "annulé"
	}
	return string(s)
}

// Timeline events of payment plans, written by the system and shared with
// the creditor (CPCE R124-5: it is told of every settlement proposal).
const (
	EventPlanProposed     EventType = "plan_proposed"     // made outside the mandate's rules: the creditor decides
	EventPlanAccepted     EventType = "plan_accepted"     // within the rules, or granted by a court: running
	EventPlanApproved     EventType = "plan_approved"     // the creditor approved it: running
	EventPlanRefused      EventType = "plan_refused"      // the creditor refused it, with its reason
	EventPlanCancelled    EventType = "plan_cancelled"    // withdrawn by the agency
	EventInstalmentMissed EventType = "instalment_missed" // an instalment's grace ended unpaid
	EventPlanBroken       EventType = "plan_broken"       // too many misses: escalation resumes
	EventPlanCompleted    EventType = "plan_completed"    // every instalment paid
)

// InterestFreeze is a stretch of days a payment plan froze interest over:
// the days d with After < d ≤ Through carry none (Through zero: still
// frozen). After is the day the plan was made — its total is the statement
// of that day, that day's interest included — so a plan kept to the end
// leaves nothing due beyond its instalments.
type InterestFreeze struct {
	After, Through Date
}

// covers reports whether day d is frozen.
func (f InterestFreeze) covers(d Date) bool {
	return d.After(f.After) && (f.Through.IsZero() || !d.After(f.Through))
}

// InterestFreeze says which days p froze interest over, as the statement
// at asOf sees it, and false when it froze none: the mandate did not
// freeze interest, or the plan never ran (refused, or withdrawn while it
// waited for the creditor). A plan approved by the creditor freezes from
// the day it was made, as one accepted at once: the creditor approved its
// terms, their total included. The freeze lasts while the plan is kept,
// through the day it completes; a broken plan lets interest run again from
// the day it broke on, a cancelled one from the day it was withdrawn —
// without reaching back over the frozen days. A plan still recorded as
// kept is judged by the clock at asOf on the payments received by then, so
// a statement does not wait for the sweep to see a plan broken: it breaks
// the day after the grace of the instalment that reaches the mandate's
// number of misses.
func (p Plan) InterestFreeze(payments []Payment, asOf Date) (InterestFreeze, bool) {
	if !p.InterestFrozen {
		return InterestFreeze{}, false
	}
	return p.keptDays(payments, asOf)
}

// keptDays are the days a plan that ran was kept, as the statement at asOf
// sees it: after the day it was made, through the day it completed, or up
// to the day before it broke or was withdrawn (InterestFreeze says why).
func (p Plan) keptDays(payments []Payment, asOf Date) (InterestFreeze, bool) {
	if p.RunningFrom.IsZero() {
		return InterestFreeze{}, false
	}
	f := InterestFreeze{After: p.MadeOn}
	switch p.Status {
	case PlanKept:
		if on, broken := p.brokenBy(payments, asOf); broken {
			f.Through = on.AddDays(-1)
		}
	case PlanCompleted:
		f.Through = p.DecidedOn
	case PlanBroken, PlanCancelled:
		f.Through = p.DecidedOn.AddDays(-1)
	default:
		return InterestFreeze{}, false
	}
	if !f.Through.IsZero() && !f.Through.After(f.After) {
		return InterestFreeze{}, false // broken or withdrawn the day it was made
	}
	return f, true
}

// brokenBy judges a copy of a kept plan at asOf on the payments received by
// then and, when it comes out broken, says the day it broke: the first day
// past the grace of the instalment that reached the mandate's number of
// misses.
func (p Plan) brokenBy(payments []Payment, asOf Date) (Date, bool) {
	var by []Payment
	for _, pay := range payments {
		if !pay.ReceivedOn.After(asOf) {
			by = append(by, pay)
		}
	}
	q := p
	q.Instalments = append([]Instalment(nil), p.Instalments...)
	q.Judge(by, asOf)
	if q.Status != PlanBroken {
		return Date{}, false
	}
	missed := 0
	for _, in := range q.Instalments {
		if in.Status == InstalmentMissed {
			if missed++; missed == max(q.MissesBeforeBroken, 1) {
				return in.DueOn.AddDays(q.GraceDays + 1), true
			}
		}
	}
	return asOf, true
}

// PlanFreezes are the interest freezes of a case's plans, as the statement
// at asOf sees them (Plan.InterestFreeze), oldest first.
func PlanFreezes(plans []Plan, payments []Payment, asOf Date) []InterestFreeze {
	var out []InterestFreeze
	for _, p := range plans {
		if f, ok := p.InterestFreeze(payments, asOf); ok {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].After.Before(out[j].After) })
	return out
}

// CourtDelay is a delay granted by a judge (C. civ. 1343-5) over the days
// d with After < d ≤ Through (Through zero: still running): on them the
// late-payment penalties and the increase of the legal rate are not
// incurred (al. 4) — a claim carries at most the legal interest rate.
type CourtDelay struct {
	After, Through Date
	Court          string
	DecisionOn     Date
}

// covers reports whether day d is within the delay.
func (c CourtDelay) covers(d Date) bool {
	return InterestFreeze{After: c.After, Through: c.Through}.covers(d)
}

// CourtDelay says which days a court-granted plan held off the penalties,
// as the statement at asOf sees it, and false for a plan of another
// origin. The days are those it was kept (as InterestFreeze): from the day
// after it was recorded — its total is that day's statement, penalties
// included — through the day it completes; a broken plan lets the usual
// rate run again from the day it broke, without reaching back.
func (p Plan) CourtDelay(payments []Payment, asOf Date) (CourtDelay, bool) {
	if p.Origin != PlanByCourt {
		return CourtDelay{}, false
	}
	f, ok := p.keptDays(payments, asOf)
	if !ok {
		return CourtDelay{}, false
	}
	return CourtDelay{After: f.After, Through: f.Through, Court: p.Court, DecisionOn: p.CourtDecisionOn}, true
}

// PlanCourtDelays are the court delays of a case's plans, as the statement
// at asOf sees them (Plan.CourtDelay), oldest first.
func PlanCourtDelays(plans []Plan, payments []Payment, asOf Date) []CourtDelay {
	var out []CourtDelay
	for _, p := range plans {
		if d, ok := p.CourtDelay(payments, asOf); ok {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].After.Before(out[j].After) })
	return out
}

// BearsOnInterest reports whether a running plan changes what the
// statement counts: it freezes interest, or it is a court delay.
func (p Plan) BearsOnInterest() bool { return p.InterestFrozen || p.Origin == PlanByCourt }

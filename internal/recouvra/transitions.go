package recouvra

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Facts are what a move's guards need beyond the case itself.
type Facts struct {
	Today   Date
	Debtor  Debtor
	Mandate Mandate
	Claims  []Claim
	// CreditorAbroad: a creditor outside metropolitan France, overseas
	// included, has two more months to declare its claim in insolvency
	// proceedings (R622-24 C. com.).
	CreditorAbroad bool
	// MarginDays: each legal deadline gets the agency's internal target
	// this many days earlier (Deadline.TargetOn).
	MarginDays int
}

// TimeBarTerm is the term of the case's claims of general nature: the
// creditor's status against the debtor's.
func (f Facts) TimeBarTerm() TimeBarTerm {
	return TimeBarTermFor(f.Mandate.LegalStatus, f.Debtor.Consumer())
}

// TermOf is one claim's term: its nature first, then the parties.
func (f Facts) TermOf(cl Claim) TimeBarTerm {
	return ClaimTerm(cl.Nature, f.Mandate.LegalStatus, f.Debtor.Consumer())
}

// Move is one requested stage change.
type Move struct {
	To          Stage
	Reason      string
	CloseReason CloseReason       // with To == closed
	Proof       *Irrecoverability // with To == irrecoverable
}

// Guard codes: stable, for clients; one field error each.
const (
	GuardNothingDue              = "guard.nothing_due"
	GuardIncompleteAddress       = "guard.incomplete_address"
	GuardNoAmicableReminder      = "guard.no_amicable_reminder"
	GuardOpenDispute             = "guard.open_dispute"
	GuardNoFormalNotice          = "guard.no_formal_notice"
	GuardNoticeDeadline          = "guard.notice_deadline_not_elapsed"
	GuardMandateForbidsJudicial  = "guard.mandate_forbids_judicial"
	GuardNoLawyer                = "guard.no_lawyer"
	GuardTimeBarred              = "guard.time_barred"
	GuardDebtorInsolvent         = "guard.debtor_insolvent"
	GuardNoIrrecoverabilityProof = "guard.no_irrecoverability_proof"
	GuardBalanceNotZero          = "guard.balance_not_zero"
	GuardNoCloseReason           = "guard.no_close_reason"
	GuardNotAllowed              = "guard.transition_not_allowed"
	GuardClosed                  = "guard.case_closed"
	GuardPlanRunning             = "guard.plan_running"
)

// next lists the stages reachable from each stage. Irrecoverability can be
// proven at any open stage (a liquidation closes whatever stage a case is
// in); closing is always possible with a reason.
var next = map[Stage][]Stage{
	StageAmicable:      {StageFormalNotice, StageIrrecoverable, StageClosed},
	StageFormalNotice:  {StageInjunction, StageIrrecoverable, StageClosed},
	StageInjunction:    {StageIrrecoverable, StageClosed},
	StageIrrecoverable: {StageClosed},
}

// Transition checks every guard of the move and, when all hold, applies it.
// A refusal is one validation error listing every unmet guard, so a person
// sees all that is missing at once.
func (c *Case) Transition(m Move, f Facts, now time.Time) error {
	if unmet := c.Blockers(m, f); len(unmet) > 0 {
		return refuse(unmet...)
	}
	c.apply(m, now)
	if m.To == StageFormalNotice || m.To == StageInjunction {
		c.NextActionOn = f.Today // a new stage is worked at once
	}
	return nil
}

// Blockers lists every guard the move would fail today, without making it:
// none means Transition would accept it. The lawyer's docket shows them.
func (c *Case) Blockers(m Move, f Facts) []FieldError {
	if !c.Open() {
		return []FieldError{{"to", GuardClosed, "Le dossier est clos ; il ne change plus d'étape."}}
	}
	allowed := false
	for _, s := range next[c.Stage] {
		allowed = allowed || s == m.To
	}
	if !allowed {
		return []FieldError{{"to", GuardNotAllowed, fmt.Sprintf("Passage de l'étape %s à l'étape %s impossible.", StageLabel(c.Stage), StageLabel(m.To))}}
	}
	var unmet []FieldError
	fail := func(code, msg string) { unmet = append(unmet, FieldError{"to", code, msg}) }

	switch m.To {
	case StageFormalNotice:
		if c.BalanceCents <= 0 {
			fail(GuardNothingDue, "Aucune somme n'est due : il n'y a rien à mettre en demeure.")
		}
		if !f.Debtor.Address.Complete() {
			fail(GuardIncompleteAddress, "L'adresse postale du débiteur est incomplète (ligne, code postal, ville, pays) : la lettre recommandée ne peut partir.")
		}
		if c.AmicableReminders == 0 {
			fail(GuardNoAmicableReminder, "Aucune relance amiable n'a encore été faite (lettre, e-mail ou appel abouti).")
		}
		if c.OpenDispute {
			fail(GuardOpenDispute, "Un litige est ouvert : l'escalade est suspendue jusqu'à sa résolution.")
		}
		if c.RunningPlanID != nil {
			fail(GuardPlanRunning, "Un échéancier est en cours et respecté : l'escalade est suspendue tant qu'il n'est pas rompu ou annulé.")
		}
	case StageInjunction:
		switch {
		case c.FormalNoticeSentOn.IsZero():
			fail(GuardNoFormalNotice, "La mise en demeure n'a pas été envoyée.")
		case !f.Today.After(c.FormalNoticeDeadline):
			fail(GuardNoticeDeadline, fmt.Sprintf("Le délai de la mise en demeure court jusqu'au %s inclus.", FrenchDate(c.FormalNoticeDeadline)))
		}
		if !f.Mandate.JudicialAllowed {
			fail(GuardMandateForbidsJudicial, "Le mandat du créancier n'autorise pas d'action judiciaire.")
		}
		if c.AssignedLawyerID == nil {
			fail(GuardNoLawyer, "Aucun juriste n'est affecté au dossier.")
		}
		if c.RunningPlanID != nil {
			fail(GuardPlanRunning, "Un échéancier est en cours et respecté : l'escalade est suspendue tant qu'il n'est pas rompu ou annulé.")
		}
		if c.OpenDispute {
			fail(GuardOpenDispute, "Un litige est ouvert : l'escalade est suspendue jusqu'à sa résolution.")
		}
		if barred := c.TimeBarred(f); len(barred) > 0 {
			fail(GuardTimeBarred, "Créance prescrite : "+strings.Join(barred, ", ")+".")
		}
		if f.Debtor.Insolvency != nil {
			fail(GuardDebtorInsolvent, fmt.Sprintf("Le débiteur est en %s (BODACC du %s) : la créance doit être déclarée au mandataire, pas portée devant le juge.",
				f.Debtor.Insolvency.Proceedings, FrenchDate(f.Debtor.Insolvency.PublishedOn)))
		}
	case StageIrrecoverable:
		p := m.Proof
		switch {
		case p == nil || p.Cause == "":
			fail(GuardNoIrrecoverabilityProof, "Indiquez la cause de l'irrécouvrabilité et sa preuve (jugement de clôture pour insuffisance d'actif, PV de carence, débiteur disparu…).")
		case p.Cause != CauseLiquidationClosed && p.Cause != CausePVDeCarence && p.Cause != CauseDebtorVanished && p.Cause != CauseOther:
			fail(GuardNoIrrecoverabilityProof, "Cause d'irrécouvrabilité inconnue.")
		case strings.TrimSpace(p.Proof) == "" && p.DocumentID == nil:
			fail(GuardNoIrrecoverabilityProof, "La preuve est obligatoire : décrivez l'acte (nature, date, auteur) ou joignez le document.")
		case p.On.IsZero():
			fail(GuardNoIrrecoverabilityProof, "Indiquez la date de l'acte qui prouve l'irrécouvrabilité.")
		default:
			unmet = printable(unmet, "proof.proof", p.Proof, OneLine) // printed on the certificate
		}
	case StageClosed:
		switch {
		case !m.CloseReason.Valid():
			fail(GuardNoCloseReason, "Indiquez le motif de clôture : paid, settled, withdrawn ou written_off.")
		case m.CloseReason == ClosePaid && c.BalanceCents > 0:
			fail(GuardBalanceNotZero, fmt.Sprintf("Il reste %s à recouvrer : le dossier ne peut être clos comme payé.", FrenchMoney(c.BalanceCents, c.Currency)))
		}
	}
	return unmet
}

// apply makes a move whose guards hold.
func (c *Case) apply(m Move, now time.Time) {
	before := c.Stage
	c.Stage = m.To
	switch m.To {
	case StageClosed:
		c.StageBeforeClose = before
		c.CloseReason = m.CloseReason
		t := now.UTC()
		c.ClosedAt = &t
		c.LeaseAgentID, c.LeaseUntil = nil, nil
	case StageIrrecoverable:
		proof := *m.Proof
		c.Irrecoverable = &proof
	}
}

func refuse(fields ...FieldError) error {
	return Invalid("Changement d'étape refusé.", fields...)
}

// CloseIfPaid closes the case as paid when nothing remains due (principal,
// interest and indemnities: totalDue); it reports whether it did.
func (c *Case) CloseIfPaid(totalDue int64, now time.Time) bool {
	if !c.Open() || totalDue > 0 {
		return false
	}
	c.apply(Move{To: StageClosed, CloseReason: ClosePaid}, now)
	return true
}

// ReopenIfUnpaid reopens a case closed as paid when something is due again
// (a payment was reversed): it goes back to the stage it was closed from.
func (c *Case) ReopenIfUnpaid(totalDue int64) bool {
	if c.Stage != StageClosed || c.CloseReason != ClosePaid || totalDue <= 0 {
		return false
	}
	c.Stage = c.StageBeforeClose
	if c.Stage == "" || c.Stage == StageClosed {
		c.Stage = StageAmicable
	}
	c.CloseReason, c.ClosedAt, c.StageBeforeClose = "", nil, ""
	return true
}

// TimeBarred lists the outstanding invoices already time-barred today, each
// under its own term. None while court proceedings hold the bar (C. civ.
// 2241, 2242: Injunction.CourtHold); once the order is enforceable, the
// claims stand on the title, which is lost after its ten years (CPCE L111-4).
func (c *Case) TimeBarred(f Facts) []string {
	var barred []string
	if c.Injunction.CourtHold(f.Today) {
		return nil
	}
	if on := c.Injunction.EnforceableOn; !on.IsZero() {
		if end := TitleEnforceableUntil(on); TimeBarPassed(end, f.Today) {
			barred = append(barred, fmt.Sprintf("titre exécutoire du %s (exécution possible jusqu'au %s, art. L111-4 CPCE)", FrenchDate(on), FrenchDate(end)))
		}
		return barred
	}
	for _, cl := range f.Claims {
		if cl.CreditNote() {
			continue
		}
		term := f.TermOf(cl)
		on := TimeBarOn(cl.DueOn, c.LastInterruptionOn, term)
		if TimeBarPassed(on, f.Today) {
			barred = append(barred, fmt.Sprintf("facture %s (dernier jour pour agir : %s, %s)", cl.InvoiceNumber, FrenchDate(on), term.Basis))
		}
	}
	return barred
}

// Deadlines computes the dates that matter on the case, soonest first.
func (c *Case) Deadlines(f Facts) []Deadline {
	var out []Deadline
	if !c.Open() {
		return out
	}
	if !c.FormalNoticeDeadline.IsZero() && c.Stage == StageFormalNotice {
		out = append(out, Deadline{Kind: "notice_deadline", On: c.FormalNoticeDeadline, Note: "Fin du délai laissé par la mise en demeure."})
	}
	inj := c.Injunction
	if inj.Granted() && inj.ServedOn.IsZero() {
		// CPC 1411: an order not served within six months of its date lapses.
		out = append(out, Deadline{Kind: "order_lapse", On: inj.OrderLapse(),
			Note: "L'ordonnance devient non avenue si elle n'est pas signifiée dans les six mois de sa date (art. 1411 CPC)."})
	}
	if !inj.ServedOn.IsZero() && inj.OpposedOn.IsZero() && inj.EnforceableOn.IsZero() {
		if inj.ServedToPerson {
			// CPC 1416: opposition within one month of service; CPC 642 moves a
			// deadline ending on a non-working day to the next working day.
			note := "Fin du délai d'opposition : un mois après la signification à personne (art. 1416 CPC)."
			switch f.Debtor.Address.Residence() {
			case ResidenceOverseas:
				note = "Fin du délai d'opposition : un mois après la signification à personne (art. 1416 CPC), plus un mois pour un débiteur demeurant outre-mer (art. 643 CPC)."
			case ResidenceAbroad:
				note = "Fin du délai d'opposition : un mois après la signification à personne (art. 1416 CPC), plus deux mois pour un débiteur demeurant à l'étranger (art. 643 CPC)."
			}
			out = append(out, Deadline{Kind: "opposition_end", On: inj.OppositionEnd(f.Debtor.Address), Note: note})
		} else {
			out = append(out, Deadline{Kind: "opposition_end",
				Note: "Signification non faite à personne : le délai d'opposition d'un mois court du premier acte signifié à personne ou de la première mesure d'exécution rendant les biens indisponibles (art. 1416 CPC)."})
		}
	}
	// The claims' time bar, each claim under its own term; none while the
	// proceedings hold it (C. civ. 2241, 2242), the title's ten years once
	// the order is enforceable (CPCE L111-4).
	switch {
	case !inj.EnforceableOn.IsZero():
		out = append(out, Deadline{Kind: "title_enforcement", On: TitleEnforceableUntil(inj.EnforceableOn),
			Note: "Dernier jour pour exécuter le titre exécutoire : dix ans après qu'il l'est devenu (art. L111-4 CPCE)."})
	case !inj.CourtHold(f.Today):
		var earliestBar Date
		var basis string
		for _, cl := range f.Claims {
			if cl.CreditNote() {
				continue
			}
			term := f.TermOf(cl)
			on := TimeBarOn(cl.DueOn, c.LastInterruptionOn, term)
			if earliestBar.IsZero() || on.Before(earliestBar) {
				earliestBar, basis = on, term.Basis
			}
		}
		if !earliestBar.IsZero() {
			out = append(out, Deadline{Kind: "time_bar", On: earliestBar, Note: "Dernier jour pour agir en justice sur la facture prescrite la première, faute d'acte interruptif (" + basis + ")."})
		}
	}
	if ins := f.Debtor.Insolvency; ins != nil {
		note := "Déclaration de créance au mandataire judiciaire : deux mois après la publication au BODACC (art. R622-24 C. com.), reportés au premier jour ouvrable (art. 642 CPC)."
		if f.CreditorAbroad {
			note = "Déclaration de créance au mandataire judiciaire : quatre mois après la publication au BODACC pour un créancier hors de France métropolitaine (art. R622-24 C. com.), reportés au premier jour ouvrable (art. 642 CPC)."
		}
		out = append(out, Deadline{Kind: "insolvency_declaration", On: ins.DeclarationDeadline(f.CreditorAbroad), Note: note})
	}
	for i := range out {
		out[i].TargetOn = TargetOn(out[i].On, f.MarginDays)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].On.IsZero() != out[j].On.IsZero() {
			return !out[i].On.IsZero()
		}
		return out[i].On.Before(out[j].On)
	})
	return out
}

// StageLabel is a stage's French name.
func StageLabel(s Stage) string {
	switch s {
	case StageAmicable:
		return "« recouvrement amiable »"
	case StageFormalNotice:
		return "« mise en demeure »"
	case StageInjunction:
		return "« injonction de payer »"
	case StageIrrecoverable:
		return "« irrécouvrable »"
	case StageClosed:
		return "« clos »"
	}
	return string(s)
}

// FrenchDate writes a date as a French reader expects: 14/08/2026.
func FrenchDate(d Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.t.Format("02/01/2006")
}

// FrenchMoney writes cents as a French amount: "1 234,56 €", with the narrow
// no-break space French typography puts between thousands.
func FrenchMoney(cents int64, currency string) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	units, rest := cents/100, cents%100
	digits := fmt.Sprint(units)
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	sym := currency
	if currency == "EUR" {
		sym = "€"
	}
	sign := ""
	if neg {
		sign = "-"
	}
	return fmt.Sprintf("%s%s,%02d\u00a0%s", sign, b.String(), rest, sym)
}

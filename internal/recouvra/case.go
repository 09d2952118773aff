package recouvra

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Stage is where a case stands in recovery (DOMAIN.md, "Stages of a case").
type Stage string

const (
	StageAmicable      Stage = "amicable"
	StageFormalNotice  Stage = "formal_notice"
	StageInjunction    Stage = "injunction"
	StageIrrecoverable Stage = "irrecoverable"
	StageClosed        Stage = "closed"
)

// Stages lists the stages in order.
var Stages = []Stage{StageAmicable, StageFormalNotice, StageInjunction, StageIrrecoverable, StageClosed}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	for _, x := range Stages {
		if s == x {
			return true
		}
	}
	return false
}

// CloseReason says why a case was closed.
type CloseReason string

const (
	ClosePaid       CloseReason = "paid"
	CloseSettled    CloseReason = "settled"
	CloseWithdrawn  CloseReason = "withdrawn"
	CloseWrittenOff CloseReason = "written_off"
)

// Valid reports whether r is a known reason.
func (r CloseReason) Valid() bool {
	switch r {
	case ClosePaid, CloseSettled, CloseWithdrawn, CloseWrittenOff:
		return true
	}
	return false
}

// IrrecoverableCause is the proven reason nothing more can be obtained.
type IrrecoverableCause string

const (
	CauseLiquidationClosed IrrecoverableCause = "liquidation_closed" // judgment closing a liquidation for lack of assets
	CausePVDeCarence       IrrecoverableCause = "pv_de_carence"      // enforcement officer's certificate of no assets
	CauseDebtorVanished    IrrecoverableCause = "debtor_vanished"    // gone without address
	CauseOther             IrrecoverableCause = "other"              // another documented cause
)

// Irrecoverability is the proof behind a move to irrecoverable.
type Irrecoverability struct {
	Cause      IrrecoverableCause
	Proof      string     // what proves it: the act, its date, its author
	DocumentID *uuid.UUID // the proof as a stored document, when there is one
	On         Date       // date of the proving act
}

// Injunction holds the court steps of an injunction to pay.
type Injunction struct {
	Court          string
	FiledOn        Date
	Decision       string // "granted" or "rejected"
	DecidedOn      Date   // date of the order
	ServedOn       Date
	ServedToPerson bool
	OpposedOn      Date
	EnforceableOn  Date
}

// Granted reports whether the order was made.
func (i Injunction) Granted() bool { return i.Decision == string(StepGranted) }

// OrderLapse is the last day to serve the order before it becomes void:
// six months after its date (art. 1411 CPC), moved past a non-working day
// (art. 642 CPC).
func (i Injunction) OrderLapse() Date { return ProceduralDeadline(i.DecidedOn.AddMonths(6)) }

// OppositionEnd is the last day to oppose an order served to the person:
// one month after service (art. 1416 CPC), one more for a debtor living
// overseas and two more for one living abroad (art. 643 CPC), moved past a
// non-working day (art. 642 CPC).
func (i Injunction) OppositionEnd(debtor Address) Date {
	months := 1
	switch debtor.Residence() {
	case ResidenceOverseas:
		months++
	case ResidenceAbroad:
		months += 2
	}
	return ProceduralDeadline(i.ServedOn.AddMonths(months))
}

// interrupt restarts the time bar from on, unless a later act already did.
func (c *Case) interrupt(on Date) {
	if on.After(c.LastInterruptionOn) {
		c.LastInterruptionOn = on
	}
}

// ReckonInterruption sets the last act that restarted the time bar from the
// acts that still stand — acknowledgements and payments not reversed (C.
// civ. 2240), the order made enforceable (2244) — after one of them fell
// away: a reversed payment (a bounced cheque, a recalled transfer) paid
// nothing and acknowledges nothing.
func (c *Case) ReckonInterruption(acts []Date) {
	c.LastInterruptionOn = Date{}
	c.interrupt(c.Injunction.EnforceableOn)
	for _, on := range acts {
		c.interrupt(on)
	}
}

// Case is a file: one creditor, one debtor, claims, handled as a unit.
type Case struct {
	ID                uuid.UUID
	Reference         string // the agency's reference, e.g. "D-2026-000042"
	CreditorID        uuid.UUID
	DebtorID          uuid.UUID
	CreditorReference string
	Stage             Stage
	CloseReason       CloseReason
	ClosedAt          *time.Time
	StageBeforeClose  Stage // where a case closed as paid goes back if a payment bounces
	AssignedAgentID   *uuid.UUID
	AssignedLawyerID  *uuid.UUID
	Priority          int // 0 low, 1 normal, 2 high, 3 urgent
	NextActionOn      Date
	OpenDispute       bool
	Currency          string

	// Balances, kept on the case by the same transaction that moves them.
	PrincipalCents int64 // sum of claims (credit notes negative)
	PaidCents      int64 // payments applied
	BalanceCents   int64 // principal still due
	OldestDueOn    Date  // the due date of the oldest invoice (credit notes aside): the case's age

	AmicableReminders      int
	FirstLetterReference   string // R124-4: every later letter repeats it with its date
	FirstLetterOn          Date
	FormalNoticeSentOn     Date
	FormalNoticeDeadline   Date
	FormalNoticeReceivedOn Date
	PromiseAmountCents     int64
	PromiseDueOn           Date // the pending promise to pay, if any
	BrokenPromises         int
	RunningPlanID          *uuid.UUID // the payment plan being kept, if any (plan.go)
	InterestFreeze         bool       // a plan bearing on interest (Plan.BearsOnInterest) has run here: statements read the plans (PlanFreezes, PlanCourtDelays)
	LastInterruptionOn     Date       // latest act interrupting the time bar
	WithdrawalRequested    bool
	Injunction             Injunction
	Irrecoverable          *Irrecoverability

	LeaseAgentID *uuid.UUID // the agent working the case now (queue)
	LeaseUntil   *time.Time

	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Open reports whether the case is still being worked.
func (c *Case) Open() bool { return c.Stage != StageClosed }

// Claim is one amount due: an invoice, or a credit note (negative).
type Claim struct {
	ID            uuid.UUID
	CaseID        uuid.UUID
	InvoiceNumber string
	IssuedOn      Date
	DueOn         Date
	AmountCents   int64 // all taxes included; negative for a credit note
	VATCents      int64 // the VAT part (CGI art. 272 needs it)
	Currency      string
	// Regime overrides the case's default interest regime; ContractRateBps
	// is the contractual rate (for RegimeContractual, or a contractual
	// penalty rate under RegimeB2B).
	Regime          InterestRegime
	ContractRateBps int
	// Corrects is the invoice of the same case a credit note corrects: the
	// note reduces that invoice rather than the oldest due. On entry it is
	// named by its number, CorrectsNumber (ResolveCorrections).
	Corrects       *uuid.UUID
	CorrectsNumber string
	// Nature chooses the time-bar term where the law gives that kind of
	// debt its own (residential rent: law 89-462 art. 7-1); empty is general.
	Nature    ClaimNature
	CreatedAt time.Time
}

// CreditNote reports whether the claim reduces the debt.
func (c Claim) CreditNote() bool { return c.AmountCents < 0 }

// Validate checks a claim against its case.
func (cl *Claim) Validate(caseCurrency string, prefix string) []FieldError {
	var f []FieldError
	if strings.TrimSpace(cl.InvoiceNumber) == "" {
		f = append(f, FieldError{prefix + "invoice_number", "required", "Le numéro de facture est obligatoire."})
	}
	f = printable(f, prefix+"invoice_number", cl.InvoiceNumber, OneLine)
	f = bounded(f, prefix+"invoice_number", cl.InvoiceNumber, 100)
	if cl.IssuedOn.IsZero() {
		f = append(f, FieldError{prefix + "issued_on", "required", "La date de facture est obligatoire."})
	}
	if cl.DueOn.IsZero() {
		f = append(f, FieldError{prefix + "due_on", "required", "L'échéance est obligatoire."})
	}
	if !cl.IssuedOn.IsZero() && !cl.DueOn.IsZero() && cl.DueOn.Before(cl.IssuedOn) {
		f = append(f, FieldError{prefix + "due_on", "before_issue", "L'échéance ne peut précéder la date de facture."})
	}
	if cl.AmountCents == 0 {
		f = append(f, FieldError{prefix + "amount_cents", "zero", "Le montant ne peut être nul."})
	}
	if cl.AmountCents > 0 && (cl.VATCents < 0 || cl.VATCents > cl.AmountCents) {
		f = append(f, FieldError{prefix + "vat_cents", "out_of_range", "La TVA doit être comprise entre 0 et le montant TTC."})
	}
	if cl.AmountCents < 0 && (cl.VATCents > 0 || cl.VATCents < cl.AmountCents) {
		f = append(f, FieldError{prefix + "vat_cents", "out_of_range", "La TVA d'un avoir doit être comprise entre son montant et 0."})
	}
	if cl.Regime != "" && !cl.Regime.Valid() {
		f = append(f, FieldError{prefix + "interest_regime", "invalid", "Régime d'intérêts inconnu."})
	}
	if cl.Nature != "" && !cl.Nature.Valid() {
		f = append(f, FieldError{prefix + "nature", "invalid", "Nature de créance inconnue : general ou residential_rent."})
	}
	if cl.Regime == RegimeContractual && cl.ContractRateBps <= 0 {
		f = append(f, FieldError{prefix + "contract_rate_bps", "required", "Indiquez le taux contractuel (en points de base)."})
	}
	if cl.ContractRateBps < 0 || cl.ContractRateBps > 10000 {
		f = append(f, FieldError{prefix + "contract_rate_bps", "out_of_range", "Le taux est compris entre 0 et 10 000 points de base."})
	}
	if cl.Currency != caseCurrency {
		f = append(f, FieldError{prefix + "currency", "mismatch", fmt.Sprintf("La devise doit être celle du dossier (%s).", caseCurrency)})
	}
	return f
}

// AddClaim adds a claim to an open case and moves its balances.
func (c *Case) AddClaim(cl Claim) error {
	if !c.Open() {
		return Invalid("Dossier clos.", FieldError{"case", "closed", "On n'ajoute pas de créance à un dossier clos."})
	}
	c.PrincipalCents += cl.AmountCents
	c.BalanceCents += cl.AmountCents
	if !cl.CreditNote() && (c.OldestDueOn.IsZero() || cl.DueOn.Before(c.OldestDueOn)) {
		c.OldestDueOn = cl.DueOn
	}
	return nil
}

// Deadline is a date that matters on a case, computed from its facts.
type Deadline struct {
	Kind string // order_lapse, opposition_end, notice_deadline, time_bar, title_enforcement, insolvency_declaration
	On   Date
	Note string // French, for a person
	// TargetOn is the agency's internal target: Facts.MarginDays earlier,
	// on a working day (TargetOn); zero when On is.
	TargetOn Date
}

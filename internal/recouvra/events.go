package recouvra

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Visibility says who sees an event: the agency only, or the creditor too.
type Visibility string

const (
	Internal Visibility = "internal"
	Shared   Visibility = "shared"
)

// EventType names what happened on a case.
type EventType string

// Events a person logs (POST /cases/{id}/events).
const (
	EventCall                  EventType = "call"
	EventEmail                 EventType = "email"
	EventLetterSent            EventType = "letter_sent"
	EventFormalNoticeReceived  EventType = "formal_notice_received"
	EventNote                  EventType = "note"
	EventPromise               EventType = "promise"
	EventPromiseKept           EventType = "promise_kept"
	EventPromiseBroken         EventType = "promise_broken"
	EventDisputeOpened         EventType = "dispute_opened"
	EventDisputeResolved       EventType = "dispute_resolved"
	EventAcknowledgement       EventType = "acknowledgement"
	EventMessage               EventType = "message"
	EventDirectPaymentReported EventType = "direct_payment_reported"
	EventWithdrawalRequested   EventType = "withdrawal_requested"
)

// Events the system writes as a consequence of a command.
const (
	EventCaseCreated     EventType = "case_created"
	EventClaimAdded      EventType = "claim_added"
	EventStageChanged    EventType = "stage_changed"
	EventCourtStep       EventType = "court_step"
	EventCaseUpdated     EventType = "case_updated"
	EventCaseLeased      EventType = "case_leased"
	EventPaymentRecorded EventType = "payment_recorded"
	EventPaymentReversed EventType = "payment_reversed"
	EventDocumentAdded   EventType = "document_added"
)

// LoggableEvents are the types a person may log, with their default
// visibility. Everything an agent does towards the debtor is shared with
// the creditor (CPCE R124-5 asks that it be told of payments and proposals);
// notes are the agency's own.
var LoggableEvents = map[EventType]Visibility{
	EventCall: Shared, EventEmail: Shared, EventLetterSent: Shared, EventFormalNoticeReceived: Shared,
	EventNote: Internal, EventPromise: Shared, EventPromiseKept: Shared, EventPromiseBroken: Shared,
	EventDisputeOpened: Shared, EventDisputeResolved: Shared, EventAcknowledgement: Shared,
	EventMessage: Shared, EventDirectPaymentReported: Shared, EventWithdrawalRequested: Shared,
}

// Event is one line of a case's append-only timeline.
type Event struct {
	ID            uuid.UUID
	Seq           int64  // the event's number, for Last-Event-ID and cursors
	Tx            uint64 // the writing transaction: timelines and streams go by (Tx, Seq)
	CaseID        uuid.UUID
	CreditorID    uuid.UUID
	At            time.Time
	ActorUserID   *uuid.UUID
	ActorAPIKeyID *uuid.UUID
	Type          EventType
	Visibility    Visibility
	Data          map[string]any
}

// Position is where e stands in the order timelines and streams follow.
func (e Event) Position() EventPosition { return EventPosition{Tx: e.Tx, Seq: e.Seq} }

// EventPosition orders the timeline by commit: first the writing
// transaction's id, then the event's number. Numbers are taken when rows are
// written, so a transaction may commit a lower number after a higher one;
// ordering by transaction first, and reading only transactions that have
// all ended, lets a cursor never pass an event still to come. The zero
// position is before every event.
type EventPosition struct {
	Tx  uint64
	Seq int64
}

// Before reports whether p comes before q.
func (p EventPosition) Before(q EventPosition) bool {
	return p.Tx < q.Tx || p.Tx == q.Tx && p.Seq < q.Seq
}

// Call outcomes.
var callOutcomes = map[string]bool{"reached": true, "no_answer": true, "voicemail": true, "wrong_number": true, "refused": true}

// LetterKind is what a sent letter was.
const (
	LetterAmicable     = "amicable"
	LetterFormalNotice = "formal_notice"
)

// ApplyEvent checks a logged event's data and moves the case accordingly.
// data is normalised in place (dates, amounts as int64, references added).
func (c *Case) ApplyEvent(t EventType, data map[string]any, f Facts) error {
	if _, ok := LoggableEvents[t]; !ok {
		return Invalid("Type d'événement inconnu.", FieldError{"type", "invalid", "Ce type d'événement ne peut être saisi."})
	}
	if !c.Open() && t != EventNote && t != EventMessage {
		return Invalid("Dossier clos.", FieldError{"case", "closed", "Le dossier est clos : seuls une note ou un message peuvent encore y être ajoutés."})
	}
	var fields []FieldError
	bad := func(field, code, msg string) { fields = append(fields, FieldError{"data." + field, code, msg}) }
	text := func(key string, required bool) string {
		s, _ := data[key].(string)
		s = strings.TrimSpace(s)
		if required && s == "" {
			bad(key, "required", "Ce champ est obligatoire.")
		}
		if len(s) > 4000 {
			bad(key, "too_long", "4000 caractères au plus.")
		}
		lines := OneLine
		switch key {
		case "note", "text", "reason", "resolution": // free text
			lines = MultiLine
		}
		if code, msg, ok := Unprintable(s, lines); !ok {
			bad(key, code, msg)
		}
		return s
	}
	date := func(key string, required bool) Date {
		raw, _ := data[key].(string)
		if raw == "" {
			if required {
				bad(key, "required", "La date est obligatoire (AAAA-MM-JJ).")
			}
			return Date{}
		}
		d, err := ParseDate(raw)
		if err != nil {
			bad(key, "format", "Date attendue au format AAAA-MM-JJ.")
			return Date{}
		}
		if d.After(f.Today) {
			bad(key, "future", "La date ne peut être dans le futur.")
		}
		return d
	}
	amount := func(key string) int64 {
		var n int64
		switch v := data[key].(type) {
		case float64:
			n = int64(v)
			if float64(n) != v {
				bad(key, "not_integer", "Montant en centimes entiers attendu.")
			}
		case int64:
			n = v
		case int:
			n = int64(v)
		default:
			bad(key, "required", "Montant en centimes obligatoire.")
			return 0
		}
		if n <= 0 {
			bad(key, "not_positive", "Le montant doit être positif.")
		}
		data[key] = n
		return n
	}

	switch t {
	case EventCall:
		outcome := text("outcome", true)
		if outcome != "" && !callOutcomes[outcome] {
			bad("outcome", "invalid", "Issue d'appel inconnue : reached, no_answer, voicemail, wrong_number ou refused.")
		}
		text("note", false)
		if len(fields) == 0 && outcome == "reached" {
			c.AmicableReminders++
		}
	case EventEmail:
		text("subject", true)
		text("note", false)
		if len(fields) == 0 {
			c.AmicableReminders++
		}
	case EventLetterSent:
		kind := text("kind", true)
		sent := date("sent_on", true)
		if kind != "" && kind != LetterAmicable && kind != LetterFormalNotice {
			bad("kind", "invalid", "Type de lettre inconnu : amicable ou formal_notice.")
		}
		if kind == LetterFormalNotice {
			text("registered_number", true) // the LRAR number
			if c.Stage != StageFormalNotice {
				bad("kind", "wrong_stage", "La mise en demeure s'envoie à l'étape « mise en demeure ».")
			}
		}
		if len(fields) > 0 {
			break
		}
		// R124-4: the first letter gets a reference; every later contact
		// repeats that reference and date.
		if c.FirstLetterReference == "" {
			c.FirstLetterReference, c.FirstLetterOn = c.Reference+"-L1", sent
		}
		data["first_letter_reference"] = c.FirstLetterReference
		data["first_letter_on"] = c.FirstLetterOn.String()
		if kind == LetterAmicable {
			c.AmicableReminders++
		} else {
			c.FormalNoticeSentOn = sent
			c.FormalNoticeDeadline = sent.AddDays(f.Mandate.NoticeDays())
			data["deadline_on"] = c.FormalNoticeDeadline.String()
		}
	case EventFormalNoticeReceived:
		received := date("received_on", true)
		if c.FormalNoticeSentOn.IsZero() {
			bad("received_on", "no_formal_notice", "Aucune mise en demeure n'a été envoyée.")
		} else if !received.IsZero() && received.Before(c.FormalNoticeSentOn) {
			bad("received_on", "before_sent", "L'avis de réception ne peut précéder l'envoi.")
		}
		if len(fields) == 0 {
			c.FormalNoticeReceivedOn = received
		}
	case EventNote:
		text("text", true)
	case EventPromise:
		amt := amount("amount_cents")
		raw, _ := data["due_on"].(string)
		due, err := ParseDate(raw)
		switch {
		case err != nil:
			bad("due_on", "format", "Échéance attendue au format AAAA-MM-JJ.")
		case due.Before(f.Today):
			bad("due_on", "past", "Une promesse porte sur une date à venir.")
		}
		if amt > c.BalanceCents {
			bad("amount_cents", "exceeds_balance", "La promesse dépasse le solde dû.")
		}
		if len(fields) == 0 {
			c.PromiseAmountCents, c.PromiseDueOn = amt, due
			c.NextActionOn = due.AddDays(1) // check the day after
		}
	case EventPromiseKept:
		// Payments decide whether a promise was kept (JudgePromise): the
		// system records it when they cover it, so a person's "kept" could
		// only repeat it or contradict them.
		fields = append(fields, FieldError{"type", "judged_by_payments",
			"Une promesse est constatée tenue par les paiements reçus : enregistrez le paiement, le dossier la marque tenue de lui-même."})
	case EventPromiseBroken:
		if c.PromiseDueOn.IsZero() {
			fields = append(fields, FieldError{"type", "no_promise", "Aucune promesse de paiement en cours."})
			break
		}
		data["promise_due_on"] = c.PromiseDueOn.String()
		data["promise_amount_cents"] = c.PromiseAmountCents
		c.BrokenPromises++
		c.NextActionOn = f.Today
		c.PromiseAmountCents, c.PromiseDueOn = 0, Date{}
	case EventDisputeOpened:
		text("reason", true)
		if c.OpenDispute {
			bad("reason", "already_open", "Un litige est déjà ouvert.")
		}
		if len(fields) == 0 {
			c.OpenDispute = true
		}
	case EventDisputeResolved:
		text("resolution", true)
		if !c.OpenDispute {
			fields = append(fields, FieldError{"type", "no_dispute", "Aucun litige ouvert."})
		}
		if len(fields) == 0 {
			c.OpenDispute = false
		}
	case EventAcknowledgement:
		on := date("on", true)
		text("note", false)
		if len(fields) == 0 {
			c.interrupt(on) // an acknowledgement interrupts the time bar (C. civ. 2240)
		}
	case EventMessage:
		text("text", true)
	case EventDirectPaymentReported:
		amount("amount_cents")
		date("received_on", true)
		text("note", false)
	case EventWithdrawalRequested:
		text("reason", true)
		if len(fields) == 0 {
			c.WithdrawalRequested = true
		}
	}
	if len(fields) > 0 {
		return Invalid(fmt.Sprintf("Événement %s invalide.", t), fields...)
	}
	switch t {
	case EventCall, EventEmail, EventLetterSent:
		c.workedOn(f.Today)
	}
	return nil
}

// workedOn records that the debtor was contacted (or tried) on today: the
// case leaves the agents' queue until tomorrow at least, so "next case"
// moves on to another one. A later date already planned (a promise's) stays.
func (c *Case) workedOn(today Date) {
	if tomorrow := today.AddDays(1); c.NextActionOn.IsZero() || c.NextActionOn.Before(tomorrow) {
		c.NextActionOn = tomorrow
	}
}

// CourtStep is one step of an injunction to pay.
type CourtStep string

const (
	StepFiled       CourtStep = "filed"
	StepGranted     CourtStep = "granted"
	StepRejected    CourtStep = "rejected"
	StepServed      CourtStep = "served"
	StepOpposed     CourtStep = "opposed"
	StepEnforceable CourtStep = "enforceable"
)

// CourtStepInput is what the lawyer records.
type CourtStepInput struct {
	Step           CourtStep
	On             Date
	Court          string // with filed
	ServedToPerson bool   // with served
}

// RecordCourtStep records an injunction step in procedural order and
// returns the event data. The facts give today and the debtor, whose
// residence lengthens the opposition period (art. 643 CPC).
func (c *Case) RecordCourtStep(in CourtStepInput, f Facts) (map[string]any, error) {
	today := f.Today
	inj := &c.Injunction
	bad := func(code, msg string) error {
		return Invalid("Étape de procédure refusée.", FieldError{"step", code, msg})
	}
	if c.Stage != StageInjunction {
		return nil, bad("wrong_stage", "Les étapes de l'injonction de payer s'enregistrent à l'étape « injonction de payer ».")
	}
	if in.On.IsZero() || in.On.After(today) {
		return nil, Invalid("Date invalide.", FieldError{"on", "invalid", "La date est obligatoire et ne peut être dans le futur."})
	}
	after := func(d Date, what string) error {
		if in.On.Before(d) {
			return Invalid("Date invalide.", FieldError{"on", "out_of_order", "Cette date précède " + what + " (" + FrenchDate(d) + ")."})
		}
		return nil
	}
	data := map[string]any{"step": string(in.Step), "on": in.On.String()}
	switch in.Step {
	case StepFiled:
		if !inj.FiledOn.IsZero() {
			return nil, bad("already", "La requête a déjà été déposée.")
		}
		if strings.TrimSpace(in.Court) == "" {
			return nil, Invalid("Tribunal manquant.", FieldError{"court", "required", "Indiquez le tribunal saisi."})
		}
		if f := printable(nil, "court", in.Court, OneLine); f != nil {
			return nil, Invalid("Tribunal illisible.", f...)
		}
		inj.FiledOn, inj.Court = in.On, strings.TrimSpace(in.Court)
		data["court"] = inj.Court
		// A court action interrupts the time bar until the proceedings end
		// (C. civ. 2241, 2242), and the interruption is void if the request
		// is rejected (2243): Injunction.CourtHold says so from the steps,
		// rather than LastInterruptionOn, which a rejection could not undo.
	case StepGranted, StepRejected:
		if inj.FiledOn.IsZero() {
			return nil, bad("not_filed", "La requête n'a pas été déposée.")
		}
		if inj.Decision != "" {
			return nil, bad("already", "La décision est déjà enregistrée.")
		}
		if err := after(inj.FiledOn, "le dépôt de la requête"); err != nil {
			return nil, err
		}
		inj.Decision, inj.DecidedOn = string(in.Step), in.On
		if in.Step == StepRejected {
			data["note"] = "Le rejet de la requête n'est pas susceptible d'appel (art. 1409 CPC) ; une action selon les voies de droit commun reste possible."
		} else {
			data["order_lapses_on"] = inj.OrderLapse().String()
		}
	case StepServed:
		if !inj.Granted() {
			return nil, bad("not_granted", "Aucune ordonnance n'a été rendue.")
		}
		if !inj.ServedOn.IsZero() {
			return nil, bad("already", "La signification est déjà enregistrée.")
		}
		if err := after(inj.DecidedOn, "l'ordonnance"); err != nil {
			return nil, err
		}
		if lapse := inj.OrderLapse(); in.On.After(lapse) {
			return nil, bad("order_lapsed", "L'ordonnance est non avenue depuis le "+FrenchDate(lapse)+" faute de signification dans les six mois (art. 1411 CPC).")
		}
		inj.ServedOn, inj.ServedToPerson = in.On, in.ServedToPerson
		data["served_to_person"] = in.ServedToPerson
		if in.ServedToPerson {
			data["opposition_ends_on"] = inj.OppositionEnd(f.Debtor.Address).String()
		}
	case StepOpposed:
		if inj.ServedOn.IsZero() {
			return nil, bad("not_served", "L'ordonnance n'a pas été signifiée.")
		}
		if !inj.OpposedOn.IsZero() || !inj.EnforceableOn.IsZero() {
			return nil, bad("already", "L'opposition ou la force exécutoire est déjà enregistrée.")
		}
		if err := after(inj.ServedOn, "la signification"); err != nil {
			return nil, err
		}
		inj.OpposedOn = in.On
		data["note"] = "Opposition formée : l'affaire est portée devant le tribunal (art. 1417 CPC)."
	case StepEnforceable:
		if inj.ServedOn.IsZero() {
			return nil, bad("not_served", "L'ordonnance n'a pas été signifiée.")
		}
		if !inj.OpposedOn.IsZero() || !inj.EnforceableOn.IsZero() {
			return nil, bad("already", "Une opposition a été formée ou la force exécutoire est déjà enregistrée.")
		}
		if inj.ServedToPerson {
			if end := inj.OppositionEnd(f.Debtor.Address); !in.On.After(end) {
				return nil, bad("opposition_open", "Le délai d'opposition court jusqu'au "+FrenchDate(end)+" inclus.")
			}
		}
		inj.EnforceableOn = in.On
		c.interrupt(in.On) // so does enforcement
	default:
		return nil, bad("invalid", "Étape inconnue : filed, granted, rejected, served, opposed ou enforceable.")
	}
	return data, nil
}

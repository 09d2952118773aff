package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// staff are the principals the demo timelines are written by.
type staff struct {
	agents []recouvra.Principal
	lawyer recouvra.Principal
}

func (s *Seeder) staff(ctx context.Context) (staff, error) {
	var st staff
	page, err := s.Svc.ListUsers(ctx, app.System, app.PageRequest{Limit: 200})
	if err != nil {
		return st, err
	}
	for _, u := range page.Items {
		p := recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: u.ID, Email: u.Email, Role: u.Role}
		switch u.Role {
		case recouvra.RoleAgent:
			st.agents = append(st.agents, p)
		case recouvra.RoleLawyer:
			st.lawyer = p
		}
	}
	if len(st.agents) == 0 || st.lawyer.UserID == uuid.Nil {
		return st, fmt.Errorf("demo: the demo agents and lawyer are missing")
	}
	return st, nil
}

// Cases opens n cases with histories spread over the last fourteen months,
// at every stage, then puts the clock back to now.
func (s *Seeder) Cases(ctx context.Context, creditors []uuid.UUID, n int) error {
	now := s.Clock.Now()
	defer s.Clock.Set(now)
	st, err := s.staff(ctx)
	if err != nil {
		return err
	}
	known := map[uuid.UUID]recouvra.Creditor{}
	for _, id := range creditors {
		c, err := s.Svc.GetCreditor(ctx, app.System, id)
		if err != nil {
			return err
		}
		known[id] = c
	}
	if err := s.halfYearRates(ctx, recouvra.DateOf(now)); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		creditor := creditors[s.Rand.IntN(len(creditors))]
		if err := s.oneCase(ctx, now, known[creditor], st); err != nil {
			return fmt.Errorf("demo case %d: %w", i+1, err)
		}
		if (i+1)%100 == 0 {
			fmt.Fprintf(s.Out, "  %d cases…\n", i+1)
		}
	}
	return nil
}

// oneCase writes one case's story, step by step, each at its own date.
func (s *Seeder) oneCase(ctx context.Context, now time.Time, cred recouvra.Creditor, st staff) error {
	creditor, judicial := cred.ID, cred.Mandate.JudicialAllowed
	// The landlord's cases are rent and charges of a residential lease,
	// owed by tenants: a three-year bar (law 89-462 art. 7-1), the juge des
	// contentieux de la protection (COJ L213-4-4).
	landlord := cred.Mandate.LegalStatus == recouvra.StatusIndividual
	at := now.Add(-time.Duration(20+s.Rand.IntN(400)) * 24 * time.Hour)
	step := func(days int) bool {
		next := at.Add(time.Duration(days)*24*time.Hour + time.Duration(s.Rand.IntN(8*3600))*time.Second)
		if next.After(now) {
			return false
		}
		at = next
		s.Clock.Set(at)
		return true
	}
	s.Clock.Set(at)
	agent := st.agents[s.Rand.IntN(len(st.agents))]
	today := recouvra.DateOf(at)

	var claims []recouvra.Claim
	d := s.debtor()
	if landlord {
		// Two to four monthly rent calls in a row, due on the 5th.
		months, rent := 2+s.Rand.IntN(3), int64(65000+s.Rand.IntN(60000))
		start := today.AddMonths(-months - s.Rand.IntN(3))
		for k := 0; k < months; k++ {
			month := recouvra.NewDate(start.Year(), start.Month(), 1).AddMonths(k)
			claims = append(claims, recouvra.Claim{InvoiceNumber: fmt.Sprintf("LOYER-%d-%02d", month.Year(), month.Month()),
				IssuedOn: month, DueOn: month.AddDays(4), AmountCents: rent, Nature: recouvra.NatureResidentialRent})
		}
		first, last := s.pick(forenames), s.pick(surnames)
		d = recouvra.Debtor{Kind: recouvra.DebtorPerson, Name: first + " " + last, Address: d.Address, Phones: d.Phones,
			Emails: []string{fmt.Sprintf("%s.%s@exemple.fr", asciiLower(first), asciiLower(last))}}
	} else {
		for k := 0; k < 1+s.Rand.IntN(3); k++ {
			issued := today.AddDays(-30 - s.Rand.IntN(120))
			amount := int64(15000 + s.Rand.IntN(2500000))
			claims = append(claims, recouvra.Claim{
				InvoiceNumber: fmt.Sprintf("FA-%d-%05d", issued.Year(), s.Rand.IntN(100000)),
				IssuedOn:      issued, DueOn: issued.AddDays(30), AmountCents: amount, VATCents: amount / 6,
			})
		}
	}
	v, err := s.Svc.CreateCase(ctx, app.System, app.NewCase{
		CreditorID: &creditor, CreditorReference: fmt.Sprintf("CL-%06d", s.Rand.IntN(1000000)), Debtor: &d,
		Priority: ptr(s.Rand.IntN(4)), AssignedAgentID: &agent.UserID, Claims: claims,
	}, app.Meta{})
	if err != nil {
		return err
	}
	id := v.Case.ID
	logEvent := func(p recouvra.Principal, t recouvra.EventType, data map[string]any) error {
		_, err := s.Svc.LogEvent(ctx, p, id, t, "", data)
		return err
	}
	version := func() int {
		c, err := s.Svc.GetCase(ctx, app.System, id)
		if err != nil {
			return 0
		}
		return c.Case.Version
	}
	move := func(p recouvra.Principal, m recouvra.Move) error {
		_, err := s.Svc.Transition(ctx, p, id, version(), m)
		return err
	}
	// pay records a payment received today; share is the part of what is
	// due, in percent (100 pays it all: the case closes as paid).
	pay := func(share int64, method recouvra.PaymentMethod) error {
		st, err := s.Svc.Statement(ctx, app.System, id, recouvra.DateOf(at))
		if err != nil {
			return err
		}
		amount := st.Statement.Totals.TotalDueCents * share / 100
		if amount <= 0 {
			return nil
		}
		_, err = s.Svc.RecordPayment(ctx, agent, id, app.NewPayment{AmountCents: amount, ReceivedOn: recouvra.DateOf(at), Method: method,
			PayerReference: "VIR " + strings.ToUpper(d.Name)})
		return err
	}

	// Amicable: letters and calls.
	if !step(2) {
		return nil
	}
	if err := logEvent(agent, recouvra.EventLetterSent, map[string]any{"kind": "amicable", "sent_on": recouvra.DateOf(at).String()}); err != nil {
		return err
	}
	roll := s.Rand.IntN(100)
	if !step(6 + s.Rand.IntN(10)) {
		return nil
	}
	outcome := []string{"reached", "no_answer", "voicemail"}[s.Rand.IntN(3)]
	if err := logEvent(agent, recouvra.EventCall, map[string]any{"outcome": outcome, "note": "Relance téléphonique."}); err != nil {
		return err
	}
	switch {
	case roll < 10: // a dispute the agent is working on
		return logEvent(agent, recouvra.EventDisputeOpened, map[string]any{"reason": s.pick([]string{"Marchandise livrée incomplète.", "Prix contesté : remise non appliquée.", "Facture adressée à la mauvaise société."})})
	case roll < 25: // a promise, kept, broken or pending
		days := 5 + s.Rand.IntN(20)
		due := recouvra.DateOf(at).AddDays(days)
		if err := logEvent(agent, recouvra.EventPromise, map[string]any{"amount_cents": float64(v.Case.BalanceCents / 2), "due_on": due.String()}); err != nil {
			return err
		}
		// On the day it falls due: paid (the case judges it kept), or
		// the debtor tells the agent it will not pay.
		if !step(days) {
			return nil
		}
		if s.Rand.IntN(3) != 0 {
			return logEvent(agent, recouvra.EventPromiseBroken, nil)
		}
		// Kept: the payment covers it, and the case marks it kept itself.
		return pay(50, recouvra.MethodTransfer)
	case roll < 35: // still amicable
		return nil
	case roll < 43: // paid in full after the reminders: closes as paid
		if !step(10) {
			return nil
		}
		return pay(100, []recouvra.PaymentMethod{recouvra.MethodTransfer, recouvra.MethodCheque, recouvra.MethodDirectToCreditor}[s.Rand.IntN(3)])
	case roll < 50: // closed amicably: a settlement paid, or the creditor withdraws
		if !step(10) {
			return nil
		}
		if s.Rand.IntN(2) == 0 {
			if err := pay(70, recouvra.MethodTransfer); err != nil {
				return err
			}
			return move(agent, recouvra.Move{To: recouvra.StageClosed, CloseReason: recouvra.CloseSettled, Reason: "Transaction : 70 % réglés, le solde abandonné."})
		}
		return move(agent, recouvra.Move{To: recouvra.StageClosed, CloseReason: recouvra.CloseWithdrawn, Reason: "Le créancier retire le dossier."})
	}

	// Formal notice.
	if !step(5) {
		return nil
	}
	if err := move(agent, recouvra.Move{To: recouvra.StageFormalNotice, Reason: "Relances amiables restées sans effet."}); err != nil {
		return err
	}
	registered := fmt.Sprintf("1A %03d %03d %04d %d", s.Rand.IntN(1000), s.Rand.IntN(1000), s.Rand.IntN(10000), s.Rand.IntN(10))
	// A notice that may go to court is the one Recouvra writes, which the
	// request lists among its exhibits; without the agency's identity
	// configured (no letter can be written) it is only recorded as sent.
	generated := false
	if judicial {
		_, err := s.Svc.GenerateDocument(ctx, agent, id, documents.KindFormalNotice, app.DocOptions{RegisteredNumber: registered})
		if err != nil && recouvra.ErrorCode(err) != recouvra.ECodeInvalid {
			return err
		}
		generated = err == nil
	}
	if !generated {
		if err := logEvent(agent, recouvra.EventLetterSent, map[string]any{"kind": "formal_notice", "sent_on": recouvra.DateOf(at).String(),
			"registered_number": registered}); err != nil {
			return err
		}
	}
	if !step(3) {
		return nil
	}
	received := recouvra.DateOf(at)
	if err := logEvent(agent, recouvra.EventFormalNoticeReceived, map[string]any{"received_on": received.String()}); err != nil {
		return err
	}
	if !generated || roll < 56 {
		return nil
	}
	// Toward court: the creditor sends its invoices and its special power,
	// the agent the signed acknowledgement of receipt. Some cases stay one
	// step short of ready: no lawyer yet, or one piece not sent.
	short := ""
	if roll < 66 {
		short = []string{"lawyer", "receipt", "power"}[s.Rand.IntN(3)]
	}
	var pieces []piece
	for _, cl := range claims {
		pieces = append(pieces, invoicePiece(cred, d, cl))
	}
	if short != "receipt" {
		pieces = append(pieces, receiptPiece(registered, received))
	}
	if short != "power" {
		pieces = append(pieces, powerPiece(cred, s.AgencyName, v.Case.Reference))
	}
	if err := s.attach(ctx, agent, id, cred.LegalName, at, pieces...); err != nil {
		return err
	}
	if short != "lawyer" {
		if _, err := s.Svc.UpdateCase(ctx, app.System, id, version(), app.CasePatch{AssignedLawyerID: &st.lawyer.UserID}); err != nil {
			return err
		}
	}
	if roll < 74 {
		return nil // at formal notice: ready to file, or one step away
	}

	// Injunction to pay.
	if !step(12) {
		return nil
	}
	if err := move(st.lawyer, recouvra.Move{To: recouvra.StageInjunction, Reason: "Délai de la mise en demeure expiré."}); err != nil {
		if recouvra.ErrorCode(err) == recouvra.ECodeInvalid {
			return nil // refused, as the docket says why: a rate of the half-year not entered (the landlord's cases)
		}
		return err
	}
	view, err := s.Svc.GetCase(ctx, app.System, id)
	if err != nil {
		return err
	}
	court := documents.SuggestedCourt(view.Court)
	steps := []recouvra.CourtStepInput{
		{Step: recouvra.StepFiled, Court: court},
		{Step: recouvra.StepGranted},
		{Step: recouvra.StepServed, ServedToPerson: true},
	}
	gaps := []int{3, 25, 20}
	for k, in := range steps {
		if !step(gaps[k]) {
			return nil
		}
		in.On = recouvra.DateOf(at)
		if _, err := s.Svc.RecordCourtStep(ctx, st.lawyer, id, version(), in); err != nil {
			return err
		}
	}
	if roll < 80 {
		// The order served, the debtor pays part of it.
		if !step(15) {
			return nil
		}
		return pay(40, recouvra.MethodTransfer)
	}
	if roll < 92 {
		return nil
	}
	// Nothing could be seized.
	if !step(60) {
		return nil
	}
	return move(st.lawyer, recouvra.Move{To: recouvra.StageIrrecoverable, Reason: "Exécution infructueuse.", Proof: &recouvra.Irrecoverability{
		Cause: recouvra.CausePVDeCarence, Proof: "Procès-verbal de carence dressé par le commissaire de justice.", On: recouvra.DateOf(at).AddDays(-2),
	}})
}

func ptr[T any](v T) *T { return &v }

// halfYearRates makes sure the demo's statements are final: a half-yearly
// rate not yet in the shipped table (configs/rates.csv stops at the last
// published half-year) is entered as the admin would, carrying the last
// known value forward and saying so in its source. The legal rate for
// individual creditors is left out on purpose: the landlord's cases then
// show what a missing rate blocks, and the admin the banner that asks for it.
func (s *Seeder) halfYearRates(ctx context.Context, today recouvra.Date) error {
	half := recouvra.NewDate(today.Year(), time.January, 1)
	if today.Month() >= time.July {
		half = recouvra.NewDate(today.Year(), time.July, 1)
	}
	rates, err := s.Svc.ListRates(ctx, app.System)
	if err != nil {
		return err
	}
	for _, kind := range []recouvra.RateKind{recouvra.RateECB, recouvra.RateLegalOther} {
		var last *recouvra.Rate
		for i, r := range rates {
			if r.Kind == kind && !r.PeriodStart.After(half) && (last == nil || r.PeriodStart.After(last.PeriodStart)) {
				last = &rates[i]
			}
		}
		if last == nil || last.PeriodStart.Equal(half) {
			continue
		}
		row := recouvra.Rate{Kind: kind, PeriodStart: half, Value: last.Value,
			Source: fmt.Sprintf("Démonstration : valeur du semestre commençant le %s reprise en attendant le taux publié — à remplacer", recouvra.FrenchDate(last.PeriodStart))}
		if _, err := s.Svc.PutRate(ctx, app.System, row, app.Meta{}); err != nil {
			return err
		}
	}
	return nil
}

// Remittances pays the creditors what the client account holds for them,
// as the agency does at a month's end: a remittance run per creditor,
// drawn up and booked through the use case (the ledger moves, each
// creditor gets its statement, the run its pain.001 file), then the
// transfer file marked sent — but for the last run, left booked so the
// screen shows one that can still be cancelled. The last creditor is not
// paid, so the report of funds held too long (R124-6) has something to
// show. The ledger then holds, for each creditor, what was received less
// what was remitted.
func (s *Seeder) Remittances(ctx context.Context, creditors []uuid.UUID) error {
	if len(creditors) < 2 {
		return nil
	}
	paid := creditors[:len(creditors)-1]
	for i, id := range paid {
		run, err := s.Svc.DrawUpRemittanceRun(ctx, app.System, &id, "", app.Meta{})
		if nothingHeld(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("demo remittance run: %w", err)
		}
		if _, err := s.Svc.RemittanceRunAct(ctx, app.System, run.ID, recouvra.RunBook, app.Meta{}); err != nil {
			return fmt.Errorf("demo remittance run %s: %w", run.Reference, err)
		}
		if i == len(paid)-1 {
			break
		}
		if _, err := s.Svc.RemittanceRunAct(ctx, app.System, run.ID, recouvra.RunSend, app.Meta{}); err != nil {
			return fmt.Errorf("demo remittance run %s: %w", run.Reference, err)
		}
	}
	return nil
}

// nothingHeld tells a run refused because nothing is held for the creditor
// (no payment came through the agency) from a real refusal.
func nothingHeld(err error) bool {
	var e *recouvra.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, f := range e.Fields {
		if f.Code == "nothing_held" {
			return true
		}
	}
	return false
}

package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
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
	judicial := map[uuid.UUID]bool{}
	for _, id := range creditors {
		c, err := s.Svc.GetCreditor(ctx, app.System, id)
		if err != nil {
			return err
		}
		judicial[id] = c.Mandate.JudicialAllowed
	}
	for i := 0; i < n; i++ {
		creditor := creditors[s.Rand.IntN(len(creditors))]
		if err := s.oneCase(ctx, now, creditor, judicial[creditor], st); err != nil {
			return fmt.Errorf("demo case %d: %w", i+1, err)
		}
		if (i+1)%100 == 0 {
			fmt.Fprintf(s.Out, "  %d cases…\n", i+1)
		}
	}
	return nil
}

// oneCase writes one case's story, step by step, each at its own date.
func (s *Seeder) oneCase(ctx context.Context, now time.Time, creditor uuid.UUID, judicial bool, st staff) error {
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
	for k := 0; k < 1+s.Rand.IntN(3); k++ {
		issued := today.AddDays(-30 - s.Rand.IntN(120))
		amount := int64(15000 + s.Rand.IntN(2500000))
		claims = append(claims, recouvra.Claim{
			InvoiceNumber: fmt.Sprintf("FA-%d-%05d", issued.Year(), s.Rand.IntN(100000)),
			IssuedOn:      issued, DueOn: issued.AddDays(30), AmountCents: amount, VATCents: amount / 6,
		})
	}
	d := s.debtor()
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
		due := recouvra.DateOf(at).AddDays(5 + s.Rand.IntN(20))
		if err := logEvent(agent, recouvra.EventPromise, map[string]any{"amount_cents": float64(v.Case.BalanceCents / 2), "due_on": due.String()}); err != nil {
			return err
		}
		if !step(25) {
			return nil
		}
		if s.Rand.IntN(3) != 0 {
			return logEvent(agent, recouvra.EventPromiseBroken, nil)
		}
		if err := pay(50, recouvra.MethodTransfer); err != nil {
			return err
		}
		return logEvent(agent, recouvra.EventPromiseKept, nil)
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
	if err := logEvent(agent, recouvra.EventLetterSent, map[string]any{"kind": "formal_notice", "sent_on": recouvra.DateOf(at).String(),
		"registered_number": fmt.Sprintf("1A %03d %03d %04d %d", s.Rand.IntN(1000), s.Rand.IntN(1000), s.Rand.IntN(10000), s.Rand.IntN(10))}); err != nil {
		return err
	}
	if !step(3) {
		return nil
	}
	if err := logEvent(agent, recouvra.EventFormalNoticeReceived, map[string]any{"received_on": recouvra.DateOf(at).String()}); err != nil {
		return err
	}
	if roll < 70 || !judicial {
		return nil
	}

	// Injunction to pay.
	if !step(12) {
		return nil
	}
	if _, err := s.Svc.UpdateCase(ctx, app.System, id, version(), app.CasePatch{AssignedLawyerID: &st.lawyer.UserID}); err != nil {
		return err
	}
	if err := move(st.lawyer, recouvra.Move{To: recouvra.StageInjunction, Reason: "Délai de la mise en demeure expiré."}); err != nil {
		return err
	}
	court := "Tribunal de commerce de " + d.Address.City
	if d.Kind == recouvra.DebtorPerson {
		court = "Tribunal judiciaire de " + d.Address.City
	}
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

// Remittances issues each creditor's remittance statement for each of the
// last six full months, as the agency does at every month's end.
func (s *Seeder) Remittances(ctx context.Context, creditors []uuid.UUID) error {
	today := recouvra.DateOf(s.Clock.Now())
	firstOfMonth := today.AddDays(1 - today.Day())
	for _, id := range creditors {
		for m := 6; m >= 1; m-- {
			from := firstOfMonth.AddMonths(-m)
			to := from.AddMonths(1).AddDays(-1)
			if _, err := s.Svc.RemittanceStatement(ctx, app.System, id, from, to); err != nil {
				return fmt.Errorf("demo remittance %s–%s: %w", from, to, err)
			}
		}
	}
	return nil
}

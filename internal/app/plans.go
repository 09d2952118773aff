package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// PlanRepo keeps the payment plans and their instalments (internal/postgres).
type PlanRepo interface {
	// InsertPlan writes a plan with its instalments.
	InsertPlan(ctx context.Context, p *recouvra.Plan, by *uuid.UUID) error
	// PlanByID reads one plan, with its instalments, within scope.
	PlanByID(ctx context.Context, scope recouvra.Scope, planID uuid.UUID) (recouvra.Plan, error)
	// PlansOfCase lists a case's plans, newest first, with their instalments.
	PlansOfCase(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID) ([]recouvra.Plan, error)
	// UpdatePlan writes p's status, decision, signature and its
	// instalments' paid amounts and statuses.
	UpdatePlan(ctx context.Context, p recouvra.Plan, at time.Time) error
	// CasesWithPlanInstalmentsPast lists, set-based, the cases whose kept
	// plan has an unpaid instalment whose grace ended before today.
	CasesWithPlanInstalmentsPast(ctx context.Context, today recouvra.Date, limit int) ([]uuid.UUID, error)
}

// PlanProposal is a plan asked for: its instalments, or a schedule to
// generate them from the amount due.
type PlanProposal struct {
	Instalments []recouvra.Instalment
	Schedule    *recouvra.Schedule
	GraceDays   *int
	// RequestApproval: an agent's plan outside the mandate's rules goes to
	// the creditor instead of being refused.
	RequestApproval bool
	// Court: a delay granted by a judge (C. civ. 1343-5).
	Court           bool
	CourtName       string
	CourtDecisionOn recouvra.Date
}

// PlanView is a plan as a screen shows it: its instalments judged today.
type PlanView struct {
	Plan recouvra.Plan
}

// CreatePlan records a plan an agent negotiated on a case (or a delay a
// court granted). Within the mandate's rules it runs at once; outside them
// it is refused naming each rule broken, unless RequestApproval sends it to
// the creditor (pending_approval).
func (s *Service) CreatePlan(ctx context.Context, p recouvra.Principal, caseID uuid.UUID, in PlanProposal) (PlanView, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent); err != nil {
		return PlanView{}, err
	}
	origin := recouvra.PlanByAgent
	if in.Court {
		origin = recouvra.PlanByCourt
	}
	return s.createPlan(ctx, p, caseID, in, origin)
}

// ProposePlanAsDebtor records a plan the debtor proposed on its own page
// (the capability link has already named the case). Within the mandate's
// rules the plan runs at once (status kept); outside them it goes to the
// creditor for approval (status pending_approval) — the debtor "asks for
// more". Errors that no approval can cure (instalments not summing to the
// amount due, dates past or out of order) are a validation error naming the
// instalment: instalments[2].amount_cents. The events are written by the
// system, shared with the creditor. in.Court and in.RequestApproval are
// ignored.
func (s *Service) ProposePlanAsDebtor(ctx context.Context, caseID uuid.UUID, in PlanProposal) (PlanView, error) {
	in.Court, in.RequestApproval = false, true
	return s.createPlan(ctx, System, caseID, in, recouvra.PlanByDebtor)
}

func (s *Service) createPlan(ctx context.Context, p recouvra.Principal, caseID uuid.UUID, in PlanProposal, origin recouvra.PlanOrigin) (PlanView, error) {
	today := s.today()
	var v PlanView
	err := s.store.Tx(ctx, func(r Repo) error {
		c, err := r.CaseByID(ctx, p.Scope(), caseID, ForUpdate)
		if err != nil {
			return err
		}
		if !c.Open() {
			return recouvra.Invalid("Dossier clos.", recouvra.FieldError{Field: "case", Code: "closed", Message: "On n'établit pas d'échéancier sur un dossier clos."})
		}
		plans, err := r.PlansOfCase(ctx, recouvra.AllCreditors, c.ID)
		if err != nil {
			return err
		}
		var resumes *uuid.UUID
		for _, old := range plans {
			if old.Status.Open() {
				return recouvra.Invalid("Un échéancier est déjà ouvert.", recouvra.FieldError{Field: "plan", Code: "plan_open",
					Message: fmt.Sprintf("L'échéancier du %s est %s : annulez-le avant d'en proposer un autre.", recouvra.FrenchDate(old.MadeOn), recouvra.PlanStatusLabel(old.Status))})
			}
		}
		if len(plans) > 0 && plans[0].Status == recouvra.PlanBroken {
			resumes = &plans[0].ID
		}
		pt, err := loadParties(ctx, r, recouvra.AllCreditors, c)
		if err != nil {
			return err
		}
		st, err := s.gatherWith(ctx, r, recouvra.AllCreditors, c, pt, today)
		if err != nil {
			return err
		}
		due := recouvra.ComputeStatement(st).Totals.TotalDueCents
		rules := pt.creditor.Mandate.PlanRules()
		plan := recouvra.Plan{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, CreditorID: c.CreditorID, Origin: origin, Currency: c.Currency,
			TotalCents: due, InterestFrozen: rules.InterestFrozen, GraceDays: recouvra.DefaultPlanGraceDays, MissesBeforeBroken: rules.MissesBeforeBroken,
			MadeOn: today, Court: strings.TrimSpace(in.CourtName), CourtDecisionOn: in.CourtDecisionOn, ResumesPlanID: resumes,
			CreatedAt: s.now().Truncate(time.Microsecond), Instalments: in.Instalments}
		if in.GraceDays != nil {
			plan.GraceDays = *in.GraceDays
		}
		if in.Schedule != nil {
			if due <= 0 {
				return recouvra.Invalid("Rien à échelonner.", recouvra.FieldError{Field: "schedule", Code: "nothing_due", Message: "Aucune somme n'est due sur ce dossier."})
			}
			if plan.Instalments, err = recouvra.GenerateSchedule(due, *in.Schedule); err != nil {
				return err
			}
		}
		errs, deviations := recouvra.CheckPlan(&plan, due, rules, today)
		if len(errs) > 0 {
			return recouvra.Invalid("Échéancier invalide.", errs...)
		}
		plan.Status, plan.RunningFrom = recouvra.PlanKept, today
		if len(deviations) > 0 {
			if !in.RequestApproval {
				return recouvra.Invalid("Échéancier hors des règles du mandat : corrigez-le, ou demandez l'approbation du créancier (request_approval).", deviations...)
			}
			plan.Status, plan.Deviations, plan.RunningFrom = recouvra.PlanPendingApproval, deviations, recouvra.Date{}
		}
		for i := range plan.Instalments {
			plan.Instalments[i].Status = recouvra.InstalmentDue
		}
		by, _ := p.Actor()
		if err := r.InsertPlan(ctx, &plan, by); err != nil {
			return err
		}
		expected := c.Version
		data := planData(plan)
		var events []recouvra.Event
		if plan.Status == recouvra.PlanKept {
			c.RunningPlanID = &plan.ID
			c.InterestFreeze = c.InterestFreeze || plan.BearsOnInterest()
			events = append(events, s.newEvent(p, &c, recouvra.EventPlanAccepted, recouvra.Shared, data))
		} else {
			data["deviations"] = deviationData(deviations)
			events = append(events, s.newEvent(p, &c, recouvra.EventPlanProposed, recouvra.Shared, data),
				s.newEvent(p, &c, recouvra.EventApprovalRequested, recouvra.Shared, map[string]any{
					"subject": fmt.Sprintf("Échéancier de %s en %d versements, hors des règles du mandat : approuvez-le ou refusez-le.",
						recouvra.FrenchMoney(plan.TotalCents, plan.Currency), len(plan.Instalments)),
					"plan_id": plan.ID.String(),
				}))
		}
		if err := s.commitSettled(ctx, r, &c, expected, events, nil); err != nil {
			return err
		}
		v = PlanView{Plan: plan}
		return nil
	})
	return v, err
}

// planData is what a plan's events say of it.
func planData(p recouvra.Plan) map[string]any {
	d := map[string]any{"plan_id": p.ID.String(), "origin": string(p.Origin), "status": string(p.Status), "total_cents": p.TotalCents,
		"currency": p.Currency, "instalments": len(p.Instalments), "grace_days": p.GraceDays, "interest_frozen": p.InterestFrozen}
	if n := len(p.Instalments); n > 0 {
		d["first_due_on"], d["last_due_on"] = p.Instalments[0].DueOn.String(), p.Instalments[n-1].DueOn.String()
	}
	if p.Origin == recouvra.PlanByCourt {
		d["court"], d["court_decision_on"] = p.Court, p.CourtDecisionOn.String()
	}
	if p.ResumesPlanID != nil {
		d["resumes_plan_id"] = p.ResumesPlanID.String()
	}
	return d
}

func deviationData(fs []recouvra.FieldError) []any {
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = map[string]any{"field": f.Field, "code": f.Code, "message": f.Message}
	}
	return out
}

// Plans lists a case's plans, newest first, each judged today against the
// payments (what a screen shows; the stored state moves with payments and
// the sweep).
func (s *Service) Plans(ctx context.Context, p recouvra.Principal, caseID uuid.UUID) ([]PlanView, error) {
	var out []PlanView
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if _, err := r.CaseByID(ctx, scope, caseID, NoLock); err != nil {
			return err
		}
		plans, err := r.PlansOfCase(ctx, scope, caseID)
		if err != nil || len(plans) == 0 {
			return err
		}
		payments, err := r.PaymentsOfCase(ctx, scope, caseID)
		if err != nil {
			return err
		}
		for _, pl := range plans {
			pl.Judge(payments, s.today())
			out = append(out, PlanView{Plan: pl})
		}
		return nil
	})
	return out, err
}

// Plan reads one plan, judged today.
func (s *Service) Plan(ctx context.Context, p recouvra.Principal, planID uuid.UUID) (PlanView, error) {
	var v PlanView
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		pl, err := r.PlanByID(ctx, scope, planID)
		if err != nil {
			return err
		}
		payments, err := r.PaymentsOfCase(ctx, scope, pl.CaseID)
		if err != nil {
			return err
		}
		pl.Judge(payments, s.today())
		v = PlanView{Plan: pl}
		return nil
	})
	return v, err
}

// planCommand runs change on one plan within the caller's scope, its case
// locked in the transaction (a plan changes only under its case's lock,
// so it is read again once the case is held), and commits the events it
// returns with the case.
func (s *Service) planCommand(ctx context.Context, p recouvra.Principal, planID uuid.UUID, change func(r Repo, c *recouvra.Case, pl *recouvra.Plan) ([]recouvra.Event, error)) (PlanView, error) {
	var v PlanView
	err := s.store.Tx(ctx, func(r Repo) error {
		pl, err := r.PlanByID(ctx, p.Scope(), planID)
		if err != nil {
			return err
		}
		c, err := r.CaseByID(ctx, p.Scope(), pl.CaseID, ForUpdate)
		if err != nil {
			return err
		}
		if pl, err = r.PlanByID(ctx, p.Scope(), planID); err != nil {
			return err
		}
		expected := c.Version
		events, err := change(r, &c, &pl)
		if err != nil {
			return err
		}
		if err := r.UpdatePlan(ctx, pl, s.now()); err != nil {
			return err
		}
		if err := s.commitSettled(ctx, r, &c, expected, events, nil); err != nil {
			return err
		}
		v = PlanView{Plan: pl}
		return nil
	})
	return v, err
}

// DecidePlan is the creditor's answer to a plan waiting for its approval:
// approved, it runs from today; refused, with the reason the agency reads.
func (s *Service) DecidePlan(ctx context.Context, p recouvra.Principal, planID uuid.UUID, approve bool, reason string) (PlanView, error) {
	if err := requireRole(p, recouvra.RoleCreditor); err != nil {
		return PlanView{}, err
	}
	reason = strings.TrimSpace(reason)
	today := s.today()
	return s.planCommand(ctx, p, planID, func(r Repo, c *recouvra.Case, pl *recouvra.Plan) ([]recouvra.Event, error) {
		data := planData(*pl)
		if !approve {
			if err := pl.Refuse(reason, today); err != nil {
				return nil, err
			}
			data["status"], data["reason"] = string(pl.Status), reason
			return []recouvra.Event{s.newEvent(p, c, recouvra.EventPlanRefused, recouvra.Shared, data)}, nil
		}
		if f := recouvra.PrintableField("reason", reason, recouvra.MultiLine); len(f) > 0 {
			return nil, recouvra.Invalid("Motif invalide.", f...)
		}
		if err := pl.Approve(today); err != nil {
			return nil, err
		}
		if reason != "" {
			data["reason"] = reason
		}
		data["status"] = string(pl.Status)
		c.RunningPlanID = &pl.ID
		c.InterestFreeze = c.InterestFreeze || pl.BearsOnInterest()
		events := []recouvra.Event{s.newEvent(p, c, recouvra.EventPlanApproved, recouvra.Shared, data)}
		// Payments made while it waited count towards it.
		payments, err := r.PaymentsOfCase(ctx, recouvra.AllCreditors, c.ID)
		if err != nil {
			return nil, err
		}
		return append(events, s.judgedPlanEvents(c, pl, payments, today)...), nil
	})
}

// CancelPlan withdraws an open plan (the agency's decision): escalation
// may resume.
func (s *Service) CancelPlan(ctx context.Context, p recouvra.Principal, planID uuid.UUID, reason string) (PlanView, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent); err != nil {
		return PlanView{}, err
	}
	reason = strings.TrimSpace(reason)
	today := s.today()
	return s.planCommand(ctx, p, planID, func(_ Repo, c *recouvra.Case, pl *recouvra.Plan) ([]recouvra.Event, error) {
		if err := pl.Cancel(reason, today); err != nil {
			return nil, err
		}
		if c.RunningPlanID != nil && *c.RunningPlanID == pl.ID {
			c.RunningPlanID = nil
		}
		data := planData(*pl)
		data["reason"] = reason
		return []recouvra.Event{s.newEvent(p, c, recouvra.EventPlanCancelled, recouvra.Shared, data)}, nil
	})
}

// SignPlan records that the debtor signed (or accepted online) the plan's
// agreement on signedOn: an acknowledgement of the debt (C. civ. 2240),
// written as the case's acknowledgement event, which restarts the time bar
// and stands until it is itself undone (ReckonInterruption reads it).
func (s *Service) SignPlan(ctx context.Context, p recouvra.Principal, planID uuid.UUID, signedOn recouvra.Date) (PlanView, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent); err != nil {
		return PlanView{}, err
	}
	today := s.today()
	if signedOn.IsZero() {
		signedOn = today
	}
	return s.planCommand(ctx, p, planID, func(_ Repo, c *recouvra.Case, pl *recouvra.Plan) ([]recouvra.Event, error) {
		if err := pl.Sign(signedOn, today); err != nil {
			return nil, err
		}
		data := map[string]any{"on": signedOn.String(), "plan_id": pl.ID.String(),
			"note": fmt.Sprintf("Accord d'échéancier signé : reconnaissance de dette de %s (art. 2240 C. civ.).", recouvra.FrenchMoney(pl.TotalCents, pl.Currency))}
		if err := c.ApplyEvent(recouvra.EventAcknowledgement, data, recouvra.Facts{Today: today}); err != nil {
			return nil, err
		}
		return []recouvra.Event{s.newEvent(p, c, recouvra.EventAcknowledgement, recouvra.Shared, data)}, nil
	})
}

// judgedPlanEvents judges a running plan today and says what moved:
// instalment_missed for each instalment newly missed, plan_broken or
// plan_completed. A plan that stops running frees the case's escalation
// (RunningPlanID cleared); a broken one puts it in the queue today.
func (s *Service) judgedPlanEvents(c *recouvra.Case, pl *recouvra.Plan, payments []recouvra.Payment, today recouvra.Date) []recouvra.Event {
	ch := pl.Judge(payments, today)
	var events []recouvra.Event
	for _, in := range ch.Missed {
		events = append(events, s.newEvent(System, c, recouvra.EventInstalmentMissed, recouvra.Shared, map[string]any{
			"plan_id": pl.ID.String(), "instalment": in.Seq, "due_on": in.DueOn.String(), "amount_cents": in.AmountCents,
			"paid_cents": in.PaidCents, "grace_days": pl.GraceDays, "automatic": true,
		}))
	}
	if !ch.Moved {
		return events
	}
	data := planData(*pl)
	data["automatic"], data["previous_status"] = true, string(ch.From)
	switch pl.Status {
	case recouvra.PlanBroken:
		c.RunningPlanID = nil
		if c.NextActionOn.IsZero() || today.Before(c.NextActionOn) {
			c.NextActionOn = today
		}
		events = append(events, s.newEvent(System, c, recouvra.EventPlanBroken, recouvra.Shared, data))
	case recouvra.PlanCompleted:
		c.RunningPlanID = nil
		events = append(events, s.newEvent(System, c, recouvra.EventPlanCompleted, recouvra.Shared, data))
	}
	return events
}

// reckonPlan judges the case's running plan against payments (the case's,
// reversed ones included) and writes what moved. Called only when the case
// names a running plan: a payment on a case without one reads nothing
// more. c must be locked by the caller's transaction.
func (s *Service) reckonPlan(ctx context.Context, r Repo, c *recouvra.Case, payments []recouvra.Payment, today recouvra.Date) ([]recouvra.Event, error) {
	if c.RunningPlanID == nil {
		return nil, nil
	}
	pl, err := r.PlanByID(ctx, recouvra.AllCreditors, *c.RunningPlanID)
	if err != nil {
		return nil, err
	}
	events := s.judgedPlanEvents(c, &pl, payments, today)
	return events, r.UpdatePlan(ctx, pl, s.now())
}

// planSweepBatch bounds the cases one sweep reads at a time.
const planSweepBatch = 500

// SweepPlans judges the kept plans one of whose unpaid instalments ended
// its grace (the periodic job, beside SweepPromises): instalments become
// missed, plans broken. The cases are selected by one query on the open
// instalments' due dates, and each is judged in its own transaction with
// the case locked, so a retried or doubled run writes each event once. It
// returns how many plans were broken.
func (s *Service) SweepPlans(ctx context.Context) (int, error) {
	today := s.today()
	broken := 0
	seen := map[uuid.UUID]bool{}
	for {
		ids, err := s.store.CasesWithPlanInstalmentsPast(ctx, today, planSweepBatch)
		if err != nil {
			return broken, err
		}
		fresh := 0
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id], fresh = true, fresh+1
			err := s.store.Tx(ctx, func(r Repo) error {
				c, err := r.CaseByID(ctx, recouvra.AllCreditors, id, ForUpdate)
				if err != nil || c.RunningPlanID == nil {
					return err
				}
				expected := c.Version
				payments, err := r.PaymentsOfCase(ctx, recouvra.AllCreditors, c.ID)
				if err != nil {
					return err
				}
				events, err := s.reckonPlan(ctx, r, &c, payments, today)
				if err != nil || len(events) == 0 {
					return err
				}
				for _, e := range events {
					if e.Type == recouvra.EventPlanBroken {
						broken++
					}
				}
				return s.commitSettled(ctx, r, &c, expected, events, nil)
			})
			if err != nil {
				return broken, fmt.Errorf("plan of case %s: %w", id, err)
			}
		}
		if len(ids) < planSweepBatch || fresh == 0 {
			return broken, nil
		}
	}
}

// casePlan resolves options.plan_id: a plan of case caseID that scope may
// see, running or completed (an agreement for a plan still waiting for the
// creditor, refused or broken would promise what no one agreed).
func casePlan(ctx context.Context, r Repo, scope recouvra.Scope, caseID uuid.UUID, id *uuid.UUID) (*recouvra.Plan, error) {
	if id == nil {
		return nil, recouvra.Invalid("Échéancier manquant.", recouvra.FieldError{Field: "options.plan_id", Code: "required", Message: "Indiquez l'échéancier dont produire l'accord."})
	}
	pl, err := r.PlanByID(ctx, scope, *id)
	switch {
	case recouvra.ErrorCode(err) == recouvra.ECodeNotFound, err == nil && pl.CaseID != caseID:
		return nil, unknownRef("options.plan_id", "Aucun échéancier de ce dossier ne porte cet identifiant.")
	case err != nil:
		return nil, err
	case pl.Status != recouvra.PlanKept && pl.Status != recouvra.PlanCompleted:
		return nil, recouvra.Invalid("Échéancier non accepté.", recouvra.FieldError{Field: "options.plan_id", Code: "not_running",
			Message: fmt.Sprintf("L'échéancier est %s : son accord ne peut être produit.", recouvra.PlanStatusLabel(pl.Status))})
	}
	return &pl, nil
}

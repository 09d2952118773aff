package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// StrategyRepo keeps the collection strategies, the mandates' defaults,
// each case's place in its strategy, the engine's claims and passes, and
// the call tasks (migration 00029).
type StrategyRepo interface {
	InsertStrategy(ctx context.Context, st *recouvra.Strategy) error
	// UpdateStrategy saves st if its version is still expected and sets
	// st.Version to the new one.
	UpdateStrategy(ctx context.Context, st *recouvra.Strategy, expected int) error
	StrategyByID(ctx context.Context, id uuid.UUID) (recouvra.Strategy, error)
	StrategyByName(ctx context.Context, name string) (recouvra.Strategy, error)
	ListStrategies(ctx context.Context) ([]recouvra.Strategy, error)
	DeleteStrategy(ctx context.Context, id uuid.UUID) error
	// StrategyUse counts the cases following a strategy and the mandates
	// naming it as their default.
	StrategyUse(ctx context.Context, id uuid.UUID) (cases, mandates int64, err error)
	SetMandateStrategy(ctx context.Context, creditorID, strategyID uuid.UUID, at time.Time) error
	MandateStrategy(ctx context.Context, creditorID uuid.UUID) (*uuid.UUID, error)

	CaseStrategy(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID, lock RowLock) (recouvra.CaseStrategyState, error)
	PutCaseStrategy(ctx context.Context, st *recouvra.CaseStrategyState, planned bool) error
	// EnrollCases puts, in one statement, the open cases of creditors whose
	// mandate names a default strategy and that follow none on that
	// strategy, unplanned; it returns how many.
	EnrollCases(ctx context.Context, on recouvra.Date, limit int) (int64, error)
	// UnplannedCases lists cases whose strategy state awaits its dates.
	UnplannedCases(ctx context.Context, limit int) ([]uuid.UUID, error)
	// LastPaymentOn is the latest payment received and not reversed.
	LastPaymentOn(ctx context.Context, caseID uuid.UUID) (recouvra.Date, error)

	InsertStrategyPass(ctx context.Context, p *StrategyPass) error
	FinishStrategyPass(ctx context.Context, p StrategyPass) error
	// ClaimDueSteps selects the due, unpaused (case, step) pairs and claims
	// them for pass, all in one statement: a pair already claimed (by this
	// engine or another, now or before a crash) is not returned.
	ClaimDueSteps(ctx context.Context, pass uuid.UUID, today recouvra.Date, now time.Time, limit int) ([]StepRun, error)
	// ReclaimSteps takes over, for pass, claims whose retry time has come
	// and claims left by an engine that stopped (claimed before stale and
	// not held by a running transaction).
	ReclaimSteps(ctx context.Context, pass uuid.UUID, now, stale time.Time, limit int) ([]StepRun, error)
	StepRunByID(ctx context.Context, id uuid.UUID, lock RowLock) (StepRun, error)
	UpdateStepRun(ctx context.Context, run *StepRun) error
	// ReleaseStepRun deletes a claim whose step did not act (the case is
	// paused): the step is selected again once the pause ends.
	ReleaseStepRun(ctx context.Context, id uuid.UUID) error
	// DueSteps is ClaimDueSteps's selection without the claim.
	DueSteps(ctx context.Context, today recouvra.Date, limit int) (DuePreview, error)
	ListStrategyPasses(ctx context.Context, limit int) ([]StrategyPassSummary, error)
	LeastBusyLawyer(ctx context.Context) (*uuid.UUID, error)

	InsertCallTask(ctx context.Context, t *recouvra.CallTask) error
	CallTaskByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock RowLock) (recouvra.CallTask, error)
	UpdateCallTask(ctx context.Context, t *recouvra.CallTask) error
	// OpenCallTasks maps cases of ids to their oldest open call task.
	OpenCallTasks(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]recouvra.CallTask, error)
}

// StepRun is the claim of one (case, strategy, step).
type StepRun struct {
	ID            uuid.UUID
	CaseID        uuid.UUID
	CreditorID    uuid.UUID
	StrategyID    uuid.UUID
	StepIndex     int
	PassID        uuid.UUID
	DueOn         recouvra.Date
	Channel       string
	ActedChannel  string
	State         string // claimed, done, skipped, failed, abandoned
	Attempts      int
	Reason        string
	NextAttemptAt *time.Time
	ClaimedAt     time.Time
	FinishedAt    *time.Time
}

// The states of a step's claim.
const (
	RunClaimed   = "claimed"
	RunDone      = "done"
	RunSkipped   = "skipped"
	RunFailed    = "failed"    // to be retried at NextAttemptAt
	RunAbandoned = "abandoned" // failed too often: the strategy went on without it
)

// StrategyPass is one pass of the engine.
type StrategyPass struct {
	ID         uuid.UUID
	RunOn      recouvra.Date
	StartedAt  time.Time
	FinishedAt *time.Time
	Enrolled   int
	Claimed    int
}

// StrategyPassSummary is a pass with what its claims became.
type StrategyPassSummary struct {
	StrategyPass
	Counts   []ChannelCount // by acted channel (or planned one) and state
	Failures []StepRun      // its claims failed or abandoned
}

// ChannelCount is how many claims of a channel ended in a state.
type ChannelCount struct {
	Channel string
	State   string
	Count   int64
}

// DuePreview is what a pass would claim.
type DuePreview struct {
	Total     int64
	ByChannel []ChannelCount // State empty
	Sample    []DueStep
}

// DueStep is one due (case, step) pair.
type DueStep struct {
	CaseID        uuid.UUID
	CaseReference string
	StrategyID    uuid.UUID
	StrategyName  string
	StepIndex     int
	StepName      string
	Channel       string
	DueOn         recouvra.Date
}

// Strategy engine settings.
const (
	maxStepAttempts  = 5
	enginePassLimit  = 500 // claims per pass; the next pass takes the rest
	staleClaimAfter  = 10 * time.Minute
	previewSampleMax = 20
)

// retryBackoff is the wait before attempt n+1 of a failed step.
func retryBackoff(attempts int) time.Duration {
	switch attempts {
	case 1:
		return 10 * time.Minute
	case 2:
		return time.Hour
	case 3:
		return 6 * time.Hour
	}
	return 24 * time.Hour
}

// engine is the principal the engine acts as: the system, for the mandate.
var engine = recouvra.Principal{Kind: recouvra.PrincipalSystem, Role: recouvra.RoleAdmin}

// ListStrategies lists the agency's strategies (staff).
func (s *Service) ListStrategies(ctx context.Context, p recouvra.Principal) ([]StrategyView, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer); err != nil {
		return nil, err
	}
	list, err := s.store.ListStrategies(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]StrategyView, len(list))
	for i, st := range list {
		cases, mandates, err := s.store.StrategyUse(ctx, st.ID)
		if err != nil {
			return nil, err
		}
		out[i] = StrategyView{Strategy: st, Cases: cases, Mandates: mandates}
	}
	return out, nil
}

// StrategyView is a strategy with its use.
type StrategyView struct {
	recouvra.Strategy
	Cases, Mandates int64
}

// GetStrategy reads one strategy (staff).
func (s *Service) GetStrategy(ctx context.Context, p recouvra.Principal, id uuid.UUID) (StrategyView, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer); err != nil {
		return StrategyView{}, err
	}
	st, err := s.store.StrategyByID(ctx, id)
	if err != nil {
		return StrategyView{}, err
	}
	cases, mandates, err := s.store.StrategyUse(ctx, id)
	return StrategyView{Strategy: st, Cases: cases, Mandates: mandates}, err
}

// CreateStrategy checks and saves a new strategy (admin).
func (s *Service) CreateStrategy(ctx context.Context, p recouvra.Principal, in recouvra.StrategyInput, meta Meta) (StrategyView, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return StrategyView{}, err
	}
	st, err := recouvra.ParseStrategy(in)
	if err != nil {
		return StrategyView{}, err
	}
	st.ID, st.Version, st.CreatedAt, st.UpdatedAt = uuid.Must(uuid.NewV7()), 1, s.now(), s.now()
	err = s.store.Tx(ctx, func(r Repo) error {
		if err := r.InsertStrategy(ctx, &st); err != nil {
			return nameTaken(err)
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "strategy.create", "strategy", &st.ID, map[string]any{"name": st.Name, "steps": len(st.Steps)}))
	})
	return StrategyView{Strategy: st}, err
}

func nameTaken(err error) error {
	if recouvra.ErrorCode(err) == recouvra.ECodeConflict {
		return recouvra.Invalid("Nom déjà pris.", recouvra.FieldError{Field: "name", Code: "taken", Message: "Une stratégie porte déjà ce nom."})
	}
	return err
}

// UpdateStrategy replaces a strategy's steps and words if it is still at
// version (admin). Cases following it keep their position: the next step
// is the one at that position in the new list.
func (s *Service) UpdateStrategy(ctx context.Context, p recouvra.Principal, id uuid.UUID, version int, in recouvra.StrategyInput, meta Meta) (StrategyView, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return StrategyView{}, err
	}
	next, err := recouvra.ParseStrategy(in)
	if err != nil {
		return StrategyView{}, err
	}
	err = s.store.Tx(ctx, func(r Repo) error {
		st, err := r.StrategyByID(ctx, id)
		if err != nil {
			return err
		}
		if st.Version != version {
			return stale()
		}
		next.ID, next.CreatedAt, next.UpdatedAt, next.Version = st.ID, st.CreatedAt, s.now(), st.Version
		if err := r.UpdateStrategy(ctx, &next, version); err != nil {
			return nameTaken(err)
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "strategy.update", "strategy", &id, map[string]any{"name": next.Name, "steps": len(next.Steps), "version": next.Version}))
	})
	if err != nil {
		return StrategyView{}, err
	}
	return s.GetStrategy(ctx, p, id)
}

// DeleteStrategy removes a strategy no case and no mandate uses (admin);
// one in use is refused (409): replace it instead.
func (s *Service) DeleteStrategy(ctx context.Context, p recouvra.Principal, id uuid.UUID, meta Meta) error {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(r Repo) error {
		st, err := r.StrategyByID(ctx, id)
		if err != nil {
			return err
		}
		cases, mandates, err := r.StrategyUse(ctx, id)
		if err != nil {
			return err
		}
		if cases > 0 || mandates > 0 {
			return recouvra.Errorf(recouvra.ECodeConflict, "La stratégie « %s » est utilisée (%d dossier(s), %d mandat(s)) : elle ne peut être supprimée, seulement remplacée.", st.Name, cases, mandates)
		}
		if err := r.DeleteStrategy(ctx, id); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "strategy.delete", "strategy", &id, map[string]any{"name": st.Name}))
	})
}

// SimulateStrategy dates a strategy's steps on a sample case, without
// saving anything: the strategy is checked as it would be saved.
func (s *Service) SimulateStrategy(ctx context.Context, p recouvra.Principal, in recouvra.StrategyInput, sample recouvra.SampleCase) ([]recouvra.SimulatedStep, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer); err != nil {
		return nil, err
	}
	st, err := recouvra.ParseStrategy(in)
	if err != nil {
		return nil, err
	}
	var f []recouvra.FieldError
	if sample.PlacedOn.IsZero() {
		sample.PlacedOn = s.today()
	}
	if sample.DebtorKind == "" {
		sample.DebtorKind = recouvra.DebtorCompany
	}
	if sample.DebtorKind != recouvra.DebtorCompany && sample.DebtorKind != recouvra.DebtorPerson {
		f = append(f, recouvra.FieldError{Field: "sample.debtor_kind", Code: "invalid", Message: "Type de débiteur inconnu : company ou person."})
	}
	if sample.BalanceCents < 0 {
		f = append(f, recouvra.FieldError{Field: "sample.balance_cents", Code: "negative", Message: "Le solde ne peut être négatif."})
	}
	if sample.NoticeDays < 0 || sample.NoticeDays > 90 {
		f = append(f, recouvra.FieldError{Field: "sample.notice_days", Code: "out_of_range", Message: "Le délai de la mise en demeure est compris entre 0 et 90 jours."})
	}
	if len(f) > 0 {
		return nil, recouvra.Invalid("Cas d'exemple invalide.", f...)
	}
	return recouvra.Simulate(st, sample), nil
}

// SetMandateStrategy names the strategy a creditor's cases follow by
// default (admin); the engine enrols its open cases that follow none.
func (s *Service) SetMandateStrategy(ctx context.Context, p recouvra.Principal, creditorID, strategyID uuid.UUID, meta Meta) error {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return err
	}
	return s.store.Tx(ctx, func(r Repo) error {
		if _, err := r.CreditorByID(ctx, recouvra.AllCreditors, creditorID); err != nil {
			return err
		}
		if _, err := r.StrategyByID(ctx, strategyID); err != nil {
			return fieldNotFound(err, "strategy_id", "Aucune stratégie ne porte cet identifiant.")
		}
		if err := r.SetMandateStrategy(ctx, creditorID, strategyID, s.now()); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "strategy.mandate", "creditor", &creditorID, map[string]any{"strategy_id": strategyID.String()}))
	})
}

// CaseStrategyView is where a case stands in its strategy.
type CaseStrategyView struct {
	State    recouvra.CaseStrategyState
	Strategy recouvra.Strategy
	LastStep *recouvra.StrategyStep
	NextStep *recouvra.StrategyStep
	Paused   []recouvra.PauseReason
	CallTask *recouvra.CallTask // the call the strategy waits for
}

// CaseStrategy shows a case's strategy, its last and next step with the
// next one's date, and what pauses it (staff).
func (s *Service) CaseStrategy(ctx context.Context, p recouvra.Principal, caseID uuid.UUID) (CaseStrategyView, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer); err != nil {
		return CaseStrategyView{}, err
	}
	var v CaseStrategyView
	err := s.store.Tx(ctx, func(r Repo) error {
		c, err := r.CaseByID(ctx, p.Scope(), caseID, NoLock)
		if err != nil {
			return err
		}
		st, err := r.CaseStrategy(ctx, p.Scope(), caseID, NoLock)
		if err != nil {
			if recouvra.ErrorCode(err) == recouvra.ECodeNotFound {
				return recouvra.Errorf(recouvra.ECodeNotFound, "Ce dossier ne suit aucune stratégie.")
			}
			return err
		}
		strategy, err := r.StrategyByID(ctx, st.StrategyID)
		if err != nil {
			return err
		}
		v.State, v.Strategy = st, strategy
		if st.LastStep != nil && *st.LastStep < len(strategy.Steps) {
			step := strategy.Steps[*st.LastStep]
			v.LastStep = &step
		}
		if st.Position < len(strategy.Steps) {
			step := strategy.Steps[st.Position]
			v.NextStep = &step
		}
		pf, err := s.pauseFacts(ctx, r, c, strategy)
		if err != nil {
			return err
		}
		v.Paused = recouvra.PauseReasons(c, pf)
		if st.WaitingTaskID != nil {
			t, err := r.CallTaskByID(ctx, p.Scope(), *st.WaitingTaskID, NoLock)
			if err != nil {
				return err
			}
			v.CallTask = &t
		}
		return nil
	})
	return v, err
}

func (s *Service) pauseFacts(ctx context.Context, r Repo, c recouvra.Case, st recouvra.Strategy) (recouvra.PauseFacts, error) {
	debtor, err := r.DebtorByID(ctx, recouvra.AllCreditors, c.DebtorID)
	if err != nil {
		return recouvra.PauseFacts{}, err
	}
	last, err := r.LastPaymentOn(ctx, c.ID)
	if err != nil {
		return recouvra.PauseFacts{}, err
	}
	return recouvra.PauseFacts{Today: s.today(), LastPaymentOn: last, Insolvent: debtor.Insolvency != nil, PauseDays: st.PauseAfterPaymentDays}, nil
}

// MoveCaseStrategy puts a case on another strategy, from its first step
// (staff but lawyers: agents and admins run the amicable stages).
func (s *Service) MoveCaseStrategy(ctx context.Context, p recouvra.Principal, caseID, strategyID uuid.UUID) (CaseStrategyView, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent); err != nil {
		return CaseStrategyView{}, err
	}
	err := s.store.Tx(ctx, func(r Repo) error {
		c, err := r.CaseByID(ctx, p.Scope(), caseID, ForUpdate)
		if err != nil {
			return err
		}
		if !c.Open() {
			return recouvra.Invalid("Dossier clos.", recouvra.FieldError{Field: "case", Code: "closed", Message: "Un dossier clos ne suit plus de stratégie."})
		}
		strategy, err := r.StrategyByID(ctx, strategyID)
		if err != nil {
			return fieldNotFound(err, "strategy_id", "Aucune stratégie ne porte cet identifiant.")
		}
		st := recouvra.CaseStrategyState{CaseID: c.ID, CreditorID: c.CreditorID, StrategyID: strategy.ID, AssignedOn: s.today()}
		st.Plan(strategy, stepDates(c))
		if err := r.PutCaseStrategy(ctx, &st, true); err != nil {
			return err
		}
		e := s.newEvent(p, &c, recouvra.EventStrategyStep, recouvra.Internal, map[string]any{
			"outcome": "assigned", "strategy_id": strategy.ID.String(), "strategy": strategy.Name, "next_due_on": st.NextDueOn.String()})
		return r.InsertEvent(ctx, &e)
	})
	if err != nil {
		return CaseStrategyView{}, err
	}
	return s.CaseStrategy(ctx, p, caseID)
}

// stepDates are the case's dates a step's delay may run from.
func stepDates(c recouvra.Case) recouvra.StepDates {
	return recouvra.StepDates{Placement: recouvra.DateOf(c.CreatedAt), OldestDue: c.OldestDueOn}
}

// SeedStrategies adds the three default strategies when the agency has
// none yet (server start, demo); it returns how many it added.
func (s *Service) SeedStrategies(ctx context.Context) (int, error) {
	list, err := s.store.ListStrategies(ctx)
	if err != nil || len(list) > 0 {
		return 0, err
	}
	n := 0
	for _, in := range recouvra.DefaultStrategies() {
		st, err := recouvra.ParseStrategy(in)
		if err != nil {
			return n, err
		}
		st.ID, st.Version, st.CreatedAt, st.UpdatedAt = uuid.Must(uuid.NewV7()), 1, s.now(), s.now()
		if err := s.store.InsertStrategy(ctx, &st); err != nil {
			if recouvra.ErrorCode(err) == recouvra.ECodeConflict {
				continue // another instance seeded it meanwhile
			}
			return n, err
		}
		n++
	}
	return n, nil
}

// StrategyRuns lists the engine's latest passes with what their claims
// became and their failures (admin).
func (s *Service) StrategyRuns(ctx context.Context, p recouvra.Principal, limit int) ([]StrategyPassSummary, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > maxPageSize {
		limit = defaultPageSize
	}
	return s.store.ListStrategyPasses(ctx, limit)
}

// PreviewStrategyRun answers "what would a pass on day do": the due steps
// it would claim, by channel, with a sample — without claiming or doing
// anything (admin). Cases not enrolled yet are not counted.
func (s *Service) PreviewStrategyRun(ctx context.Context, p recouvra.Principal, day recouvra.Date) (DuePreview, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return DuePreview{}, err
	}
	if day.IsZero() {
		day = s.today().AddDays(1)
	}
	if day.Before(s.today()) {
		return DuePreview{}, recouvra.Invalid("Date passée.", recouvra.FieldError{Field: "query.on", Code: "past", Message: "Un essai à blanc porte sur aujourd'hui ou un jour à venir."})
	}
	return s.store.DueSteps(ctx, day, previewSampleMax)
}

// RunStrategies is one pass of the engine (the periodic job): it enrols
// the cases whose mandate names a default strategy, dates the unplanned
// ones, claims the due steps in one statement, takes over retries and
// stale claims, and runs each claimed step. It returns the pass.
func (s *Service) RunStrategies(ctx context.Context) (StrategyPass, error) {
	today, now := s.today(), s.now()
	pass := StrategyPass{ID: uuid.Must(uuid.NewV7()), RunOn: today, StartedAt: now}
	// Cases of a creditor with a running experiment are drawn into its
	// arms first (experiments.go); EnrollCases leaves them alone.
	drawn, err := s.store.EnrollExperimentCases(ctx, today, enginePassLimit)
	if err != nil {
		return pass, err
	}
	enrolled, err := s.store.EnrollCases(ctx, today, enginePassLimit)
	if err != nil {
		return pass, err
	}
	pass.Enrolled = int(drawn + enrolled)
	if err := s.planCases(ctx); err != nil {
		return pass, err
	}
	if err := s.store.InsertStrategyPass(ctx, &pass); err != nil {
		return pass, err
	}
	claims, err := s.store.ClaimDueSteps(ctx, pass.ID, today, now, enginePassLimit)
	if err != nil {
		return pass, err
	}
	retries, err := s.store.ReclaimSteps(ctx, pass.ID, now, now.Add(-staleClaimAfter), enginePassLimit)
	if err != nil {
		return pass, err
	}
	claims = append(claims, retries...)
	pass.Claimed = len(claims)
	var errs []error
	for _, c := range claims {
		if err := s.runStep(ctx, pass.ID, c.ID); err != nil {
			errs = append(errs, fmt.Errorf("step %d of case %s: %w", c.StepIndex, c.CaseID, err))
		}
	}
	fin := s.now()
	pass.FinishedAt = &fin
	if err := s.store.FinishStrategyPass(ctx, pass); err != nil {
		errs = append(errs, err)
	}
	return pass, errors.Join(errs...)
}

// planCases dates the next step of the strategy states that wait for it
// (just enrolled); only those, never every case.
func (s *Service) planCases(ctx context.Context) error {
	ids, err := s.store.UnplannedCases(ctx, enginePassLimit)
	if err != nil {
		return err
	}
	for _, id := range ids {
		err := s.store.Tx(ctx, func(r Repo) error {
			st, err := r.CaseStrategy(ctx, recouvra.AllCreditors, id, ForUpdate)
			if err != nil {
				return err
			}
			c, err := r.CaseByID(ctx, recouvra.AllCreditors, id, NoLock)
			if err != nil {
				return err
			}
			strategy, err := r.StrategyByID(ctx, st.StrategyID)
			if err != nil {
				return err
			}
			st.Plan(strategy, stepDates(c))
			return r.PutCaseStrategy(ctx, &st, true)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// stepFailure is an action's refusal: retry says whether trying again
// later may succeed.
type stepFailure struct {
	reason string
	retry  bool
}

// runStep runs one claimed step in one transaction: the claim is checked
// and held (row lock), the action is done through the same use case as a
// person's, and the claim's end, the case's place in its strategy and the
// timeline's record commit with it. A step whose action fails is recorded
// failed with its reason and retried with backoff, then abandoned (the
// strategy goes on) after maxStepAttempts.
func (s *Service) runStep(ctx context.Context, passID, runID uuid.UUID) error {
	var mailID *uuid.UUID
	err := s.store.Atomic(ctx, func(ctx context.Context, r Repo) error {
		run, err := r.StepRunByID(ctx, runID, ForUpdate)
		if err != nil {
			return err
		}
		if run.State != RunClaimed || run.PassID != passID {
			return nil // another engine took it over
		}
		now, today := s.now(), s.today()
		finish := func(state, reason string) error {
			run.State, run.Reason = state, reason
			if state != RunFailed {
				run.FinishedAt, run.NextAttemptAt = &now, nil
			}
			return r.UpdateStepRun(ctx, &run)
		}
		st, err := r.CaseStrategy(ctx, recouvra.AllCreditors, run.CaseID, ForUpdate)
		if err != nil {
			if recouvra.ErrorCode(err) == recouvra.ECodeNotFound {
				return finish(RunSkipped, "Le dossier ne suit plus de stratégie.")
			}
			return err
		}
		if st.StrategyID != run.StrategyID || st.Position != run.StepIndex {
			return finish(RunSkipped, "Le dossier a changé de stratégie ou d'étape depuis la sélection.")
		}
		strategy, err := r.StrategyByID(ctx, run.StrategyID)
		if err != nil {
			return err
		}
		c, err := r.CaseByID(ctx, recouvra.AllCreditors, run.CaseID, NoLock)
		if err != nil {
			return err
		}
		if run.StepIndex >= len(strategy.Steps) {
			return finish(RunSkipped, "Étape retirée de la stratégie.")
		}
		pf, err := s.pauseFacts(ctx, r, c, strategy)
		if err != nil {
			return err
		}
		if paused := recouvra.PauseReasons(c, pf); len(paused) > 0 {
			return r.ReleaseStepRun(ctx, run.ID) // selected again once the pause ends
		}
		step := strategy.Steps[run.StepIndex]
		debtor, err := r.DebtorByID(ctx, recouvra.AllCreditors, c.DebtorID)
		if err != nil {
			return err
		}
		address, _, err := mailAddress(ctx, r, debtor)
		if err != nil {
			return err
		}
		facts := recouvra.StepFacts{BalanceCents: c.BalanceCents, DebtorKind: debtor.Kind, Stage: c.Stage, HasEmail: address != "", HasPhone: len(debtor.Phones) > 0}
		data := map[string]any{"strategy_id": strategy.ID.String(), "strategy": strategy.Name, "step": run.StepIndex, "step_name": step.Name,
			"channel": string(step.Channel), "acting_for": "mandate"}
		record := func(outcome string) error {
			data["outcome"] = outcome
			if run.Reason != "" {
				data["reason"] = run.Reason
			}
			e := s.newEvent(engine, &c, recouvra.EventStrategyStep, recouvra.Internal, data)
			if err := r.InsertEvent(ctx, &e); err != nil {
				return err
			}
			return r.InsertAudit(ctx, s.audit(engine, Meta{UserAgent: "recouvra strategy engine"}, "strategy.step."+outcome, "case", &c.ID, data))
		}
		advance := func() error {
			last := run.StepIndex
			st.LastStep, st.LastStepOn, st.Position = &last, today, run.StepIndex+1
			st.Plan(strategy, stepDates(c))
			if st.NextDueOn.IsZero() == false && st.NextDueOn.Before(today) {
				st.NextDueOn = today
			}
			return r.PutCaseStrategy(ctx, &st, true)
		}
		if ok, why := step.Conditions.Holds(facts); !ok {
			if err := finish(RunSkipped, "Conditions non remplies : "+why+"."); err != nil {
				return err
			}
			if err := record(RunSkipped); err != nil {
				return err
			}
			return advance()
		}
		var produced uuid.UUID // the letter for the post, if any (strategy_post.go)
		acted, task, mail, fail, wait, err := s.act(ctx, r, c, debtor, step, address, strategy, run.StepIndex, &produced)
		if err != nil {
			return err
		}
		run.ActedChannel = string(acted)
		data["acted_channel"] = string(acted)
		switch {
		case wait != nil:
			// Not yet (the notice's deadline runs): the claim is let go and
			// the step dated again.
			st.NextDueOn = *wait
			if err := r.PutCaseStrategy(ctx, &st, true); err != nil {
				return err
			}
			return r.ReleaseStepRun(ctx, run.ID)
		case fail != nil:
			run.Attempts++
			if fail.retry && run.Attempts < maxStepAttempts {
				next := now.Add(retryBackoff(run.Attempts))
				run.NextAttemptAt = &next
				data["next_attempt_at"] = next.Format(time.RFC3339)
				data["attempts"] = run.Attempts
				if err := finish(RunFailed, fail.reason); err != nil {
					return err
				}
				return record(RunFailed)
			}
			if err := finish(RunAbandoned, fail.reason); err != nil {
				return err
			}
			if err := record(RunAbandoned); err != nil {
				return err
			}
			return advance()
		}
		run.Attempts++
		if err := finish(RunDone, ""); err != nil {
			return err
		}
		if produced != uuid.Nil {
			if err := r.SetStepRunDocument(ctx, run.ID, produced); err != nil {
				return err
			}
		}
		if task != nil {
			data["call_task_id"] = task.String()
		}
		if err := record(RunDone); err != nil {
			return err
		}
		if err := advance(); err != nil {
			return err
		}
		if task != nil {
			st.WaitingTaskID = task
			st.NextDueOn = recouvra.Date{}
			if err := r.PutCaseStrategy(ctx, &st, true); err != nil {
				return err
			}
		}
		mailID = mail
		return nil
	})
	if err != nil {
		return err
	}
	if mailID != nil {
		// Delivered after the commit, as a person's e-mail: a temporary
		// failure is left to the mail queue's retries.
		s.kick(ctx, *mailID, 30*time.Second)
		if err := s.DeliverMail(ctx, *mailID, false); err != nil && !isTemporary(err) {
			return err
		}
	}
	return nil
}

// act does a step's action through the use case a person would use, each
// in a savepoint of the engine's transaction: a refusal leaves the
// transaction usable to record it.
func (s *Service) act(ctx context.Context, r Repo, c recouvra.Case, debtor recouvra.Debtor, step recouvra.StrategyStep, address string,
	strategy recouvra.Strategy, index int, produced *uuid.UUID) (acted recouvra.Channel, task, mail *uuid.UUID, fail *stepFailure, wait *recouvra.Date, err error) {
	refused := func(err error) (*stepFailure, error) {
		var de *recouvra.Error
		if !errors.As(err, &de) {
			return nil, err // the database or a bug: the whole step is retried by the next pass
		}
		reason := de.Message
		for _, f := range de.Fields {
			reason += " " + f.Message
		}
		return &stepFailure{reason: strings.TrimSpace(reason), retry: de.Code != recouvra.ECodeForbidden}, nil
	}
	reason := fmt.Sprintf("Stratégie « %s », étape %d : %s", strategy.Name, index+1, step.Name)
	acted = step.Channel
	switch step.Channel {
	case recouvra.ChannelEmail:
		if address == "" || !s.MailOn() {
			if !step.FallbackToLetter {
				return acted, nil, nil, &stepFailure{reason: "Aucune adresse e-mail utilisable (ou aucun serveur SMTP) et pas de repli sur le courrier."}, nil, nil
			}
			acted = recouvra.ChannelLetter
			break
		}
		doc, _, gerr := s.generateDocument(ctx, engine, c.ID, "amicable_letter", DocOptions{})
		if gerr != nil {
			fail, err = refused(gerr)
			return acted, nil, nil, fail, nil, err
		}
		m, _, qerr := s.queueLetterMail(ctx, engine, doc.ID)
		if qerr != nil {
			fail, err = refused(qerr)
			return acted, nil, nil, fail, nil, err
		}
		return acted, nil, &m.ID, nil, nil, nil
	case recouvra.ChannelCallTask:
		script := recouvra.CallScripts[step.Template]
		if len(debtor.Phones) == 0 {
			script = "Aucun numéro connu : rechercher un téléphone (annuaire, site, Kbis). " + script
		}
		t := recouvra.CallTask{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, CreditorID: c.CreditorID, DueAt: s.now(), Script: script,
			State: recouvra.CallTaskOpen, CreatedAt: s.now()}
		if err := r.InsertCallTask(ctx, &t); err != nil {
			return acted, nil, nil, nil, nil, err
		}
		// Into the agents' queue today, as a person planning the call would.
		today := s.today()
		if _, uerr := s.UpdateCase(ctx, engine, c.ID, c.Version, CasePatch{NextActionOn: &today}); uerr != nil {
			fail, err = refused(uerr)
			return acted, nil, nil, fail, nil, err
		}
		return acted, &t.ID, nil, nil, nil, nil
	case recouvra.ChannelFormalNotice:
		if c.Stage == recouvra.StageFormalNotice {
			return acted, nil, nil, nil, nil, nil // a person already moved it
		}
		if _, terr := s.Transition(ctx, engine, c.ID, c.Version, recouvra.Move{To: recouvra.StageFormalNotice, Reason: reason}); terr != nil {
			fail, err = refused(terr)
			return acted, nil, nil, fail, nil, err
		}
		// Its letter for the post's registered mail; the number comes back
		// with the deposit list (RecordRegisteredLetters). Refused (the
		// agency's identity not configured…), the move stands and a person
		// writes the letter, as before.
		doc, _, gerr := s.generateDocument(ctx, engine, c.ID, "formal_notice", DocOptions{numberLater: true})
		var de *recouvra.Error
		switch {
		case gerr == nil:
			*produced = doc.ID
		case !errors.As(gerr, &de):
			return acted, nil, nil, nil, nil, gerr
		}
		return acted, nil, nil, nil, nil, nil
	case recouvra.ChannelHandToLawyer:
		if c.Stage != recouvra.StageFormalNotice {
			return acted, nil, nil, &stepFailure{reason: "Le dossier n'est pas au stade de la mise en demeure.", retry: true}, nil, nil
		}
		if c.FormalNoticeSentOn.IsZero() {
			return acted, nil, nil, &stepFailure{reason: "La mise en demeure n'a pas encore été envoyée (numéro de recommandé attendu).", retry: true}, nil, nil
		}
		if !s.today().After(c.FormalNoticeDeadline) {
			next := c.FormalNoticeDeadline.AddDays(1)
			return acted, nil, nil, nil, &next, nil
		}
		patch := CasePatch{Priority: ptr(max(c.Priority, 2))}
		if c.AssignedLawyerID == nil {
			lawyer, lerr := r.LeastBusyLawyer(ctx)
			if lerr != nil {
				return acted, nil, nil, nil, nil, lerr
			}
			if lawyer == nil {
				return acted, nil, nil, &stepFailure{reason: "Aucun juriste actif à qui remettre le dossier.", retry: true}, nil, nil
			}
			patch.AssignedLawyerID = lawyer
		}
		if _, uerr := s.UpdateCase(ctx, engine, c.ID, c.Version, patch); uerr != nil {
			fail, err = refused(uerr)
			return acted, nil, nil, fail, nil, err
		}
		return acted, nil, nil, nil, nil, nil
	}
	// A letter (or an e-mail falling back to one).
	doc, _, gerr := s.generateDocument(ctx, engine, c.ID, "amicable_letter", DocOptions{})
	if gerr != nil {
		fail, err = refused(gerr)
		return acted, nil, nil, fail, nil, err
	}
	*produced = doc.ID
	return acted, nil, nil, nil, nil, nil
}

func ptr[T any](v T) *T { return &v }

// CompleteCallTask records the call a task asked for, through the same
// use case as any call logged by a person, closes the task and lets the
// strategy go on from today (admin, agent).
func (s *Service) CompleteCallTask(ctx context.Context, p recouvra.Principal, id uuid.UUID, outcome, note string) (recouvra.CallTask, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent); err != nil {
		return recouvra.CallTask{}, err
	}
	var t recouvra.CallTask
	err := s.store.Atomic(ctx, func(ctx context.Context, r Repo) error {
		var err error
		t, err = r.CallTaskByID(ctx, p.Scope(), id, ForUpdate)
		if err != nil {
			return err
		}
		if t.State != recouvra.CallTaskOpen {
			return recouvra.Errorf(recouvra.ECodeConflict, "Cette tâche d'appel est déjà faite (%s).", t.Outcome)
		}
		data := map[string]any{"outcome": outcome, "call_task_id": t.ID.String()}
		if strings.TrimSpace(note) != "" {
			data["note"] = note
		}
		if _, err := s.LogEvent(ctx, p, t.CaseID, recouvra.EventCall, "", data); err != nil {
			return err
		}
		now := s.now()
		by := p.UserID
		t.State, t.Outcome, t.CompletedAt = recouvra.CallTaskDone, outcome, &now
		if p.Kind == recouvra.PrincipalUser {
			t.CompletedBy = &by
		}
		if err := r.UpdateCallTask(ctx, &t); err != nil {
			return err
		}
		st, err := r.CaseStrategy(ctx, recouvra.AllCreditors, t.CaseID, ForUpdate)
		if recouvra.ErrorCode(err) == recouvra.ECodeNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if st.WaitingTaskID == nil || *st.WaitingTaskID != t.ID {
			return nil
		}
		c, err := r.CaseByID(ctx, recouvra.AllCreditors, t.CaseID, NoLock)
		if err != nil {
			return err
		}
		strategy, err := r.StrategyByID(ctx, st.StrategyID)
		if err != nil {
			return err
		}
		st.WaitingTaskID, st.LastStepOn = nil, s.today()
		st.Plan(strategy, stepDates(c))
		return r.PutCaseStrategy(ctx, &st, true)
	})
	return t, err
}

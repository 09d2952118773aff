package app

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/configs"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// ExperimentRepo keeps the strategy experiments, their arms and each
// case's draw (migration 00034).
type ExperimentRepo interface {
	// InsertExperiment saves an experiment and its arms; a second running
	// experiment of the same creditor is a conflict.
	InsertExperiment(ctx context.Context, e *recouvra.Experiment) error
	ExperimentByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock RowLock) (recouvra.Experiment, error)
	// ListExperiments lists the experiments in scope (of one creditor when
	// creditorID is set), newest first.
	ListExperiments(ctx context.Context, scope recouvra.Scope, creditorID *uuid.UUID) ([]recouvra.Experiment, error)
	StopExperiment(ctx context.Context, id uuid.UUID, on recouvra.Date, at time.Time) error
	// EnrollExperimentCases puts, in one statement, the open cases of
	// creditors with a running experiment that follow no strategy on the
	// strategy of the arm their draw falls in, and records the draw.
	EnrollExperimentCases(ctx context.Context, on recouvra.Date, limit int) (int64, error)
	// ExperimentFigures sums each arm's cases in currency.
	ExperimentFigures(ctx context.Context, scope recouvra.Scope, id uuid.UUID, currency string) ([]ArmFigures, error)
	// ExperimentActions counts the steps done on each arm's cases, by
	// acted channel and day.
	ExperimentActions(ctx context.Context, scope recouvra.Scope, id uuid.UUID) ([]ArmActions, error)
}

// ArmFigures are the sums of one arm's cases, per case i with x_i the
// amount placed and y_i the amount recovered since the draw.
type ArmFigures struct {
	StrategyID      uuid.UUID
	Cases           int64
	PlacedCents     int64
	RecoveredCents  int64
	CasesPaying     int64    // cases with at least one payment since the draw
	MedianDaysToPay *float64 // days from the draw to the first payment, over the paying cases
	Sample          recouvra.RatioSample
}

// ArmActions is how many steps of a channel an arm's cases had done on a day.
type ArmActions struct {
	StrategyID uuid.UUID
	Channel    string
	On         recouvra.Date
	Count      int64
}

// NewExperiment is an experiment as the admin starts it.
type NewExperiment struct {
	CreditorID uuid.UUID
	Name       string
	Seed       *int64 // nil: drawn at random
	Arms       []recouvra.ExperimentArmInput
}

// StartExperiment checks and starts an experiment for a creditor (admin):
// from the next engine pass, its cases that enter a strategy are drawn
// into the arms. A creditor runs one experiment at a time (409).
func (s *Service) StartExperiment(ctx context.Context, p recouvra.Principal, in NewExperiment, meta Meta) (recouvra.Experiment, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return recouvra.Experiment{}, err
	}
	name, arms, err := recouvra.ParseExperimentArms(in.Name, in.Arms)
	if err != nil {
		return recouvra.Experiment{}, err
	}
	e := recouvra.Experiment{ID: uuid.Must(uuid.NewV7()), CreditorID: in.CreditorID, Name: name, Arms: arms, StartedOn: s.today(), StartedAt: s.now()}
	if in.Seed != nil {
		e.Seed = *in.Seed
	} else {
		e.Seed = rand.Int64N(1 << 53) // exact in a JSON number
	}
	err = s.store.Tx(ctx, func(r Repo) error {
		if _, err := r.CreditorByID(ctx, recouvra.AllCreditors, in.CreditorID); err != nil {
			return fieldNotFound(err, "creditor_id", "Aucun créancier ne porte cet identifiant.")
		}
		for i := range e.Arms {
			st, err := r.StrategyByID(ctx, e.Arms[i].StrategyID)
			if err != nil {
				return fieldNotFound(err, "arms["+strconv.Itoa(i)+"].strategy_id", "Aucune stratégie ne porte cet identifiant.")
			}
			e.Arms[i].StrategyName = st.Name
		}
		if err := r.InsertExperiment(ctx, &e); err != nil {
			if recouvra.ErrorCode(err) == recouvra.ECodeConflict {
				return recouvra.Errorf(recouvra.ECodeConflict, "Une expérience est déjà en cours pour ce créancier : arrêtez-la d'abord.")
			}
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "experiment.start", "strategy_experiment", &e.ID,
			map[string]any{"creditor_id": e.CreditorID.String(), "name": e.Name, "seed": e.Seed, "arms": len(e.Arms)}))
	})
	return e, err
}

// StopExperiment stops an experiment (admin): new cases no longer join
// it; the cases drawn keep their strategy and their record. A stopped
// experiment cannot be stopped again (409).
func (s *Service) StopExperiment(ctx context.Context, p recouvra.Principal, id uuid.UUID, meta Meta) (recouvra.Experiment, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return recouvra.Experiment{}, err
	}
	var e recouvra.Experiment
	err := s.store.Tx(ctx, func(r Repo) error {
		var err error
		if e, err = r.ExperimentByID(ctx, recouvra.AllCreditors, id, ForUpdate); err != nil {
			return err
		}
		if !e.Running() {
			return recouvra.Errorf(recouvra.ECodeConflict, "L'expérience est déjà arrêtée depuis le %s.", recouvra.FrenchDate(e.StoppedOn))
		}
		at := s.now()
		e.StoppedOn, e.StoppedAt = s.today(), &at
		if err := r.StopExperiment(ctx, id, e.StoppedOn, at); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "experiment.stop", "strategy_experiment", &id, map[string]any{"creditor_id": e.CreditorID.String()}))
	})
	return e, err
}

// ListExperiments lists the experiments the caller may see: staff all of
// them (or one creditor's), a creditor its own.
func (s *Service) ListExperiments(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID) ([]recouvra.Experiment, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer, recouvra.RoleCreditor); err != nil {
		return nil, err
	}
	var out []recouvra.Experiment
	err := s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		var err error
		out, err = r.ListExperiments(ctx, p.Scope(), creditorID)
		return err
	})
	return out, err
}

// GetExperiment reads one experiment; another creditor's is not found.
func (s *Service) GetExperiment(ctx context.Context, p recouvra.Principal, id uuid.UUID) (recouvra.Experiment, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer, recouvra.RoleCreditor); err != nil {
		return recouvra.Experiment{}, err
	}
	var e recouvra.Experiment
	err := s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		var err error
		e, err = r.ExperimentByID(ctx, p.Scope(), id, NoLock)
		return err
	})
	return e, err
}

// ExperimentReport is what an experiment shows so far, per arm, in one
// currency, and each challenger against the champion (the first arm).
type ExperimentReport struct {
	Experiment  recouvra.Experiment
	Currency    string
	Arms        []ArmReport
	Comparisons []ArmComparison
	UnitCosts   []recouvra.ActionCost // the costs in force today, for the reader
}

// ArmReport is one arm's figures.
type ArmReport struct {
	ArmFigures
	StrategyName string
	SharePercent int
	RecoveryRate float64 // recovered / placed (0 when nothing placed)
	Actions      []ActionTotal
	CostCents    int64
	CostCurrency string
}

// ActionTotal is how many of an action an arm's cases had and their cost.
type ActionTotal struct {
	Action    string
	Count     int64
	CostCents int64
}

// ArmComparison is a challenger against the champion: the differences
// (challenger − champion) and their 95 % intervals, absent when too few
// cases to state one.
type ArmComparison struct {
	StrategyID           uuid.UUID
	AgainstStrategyID    uuid.UUID
	RecoveryRateDiff     float64
	RecoveryRateCI       *recouvra.Interval // delta method on the case-level amounts
	PayingShareDiff      float64
	PayingShareCI        *recouvra.Interval // Newcombe's hybrid score interval
	CostPerCaseDiff      float64            // cents
	RecoveredPerCaseDiff float64            // cents
}

var shippedCosts = sync.OnceValues(func() (recouvra.ActionCosts, error) {
	return recouvra.ParseActionCosts(configs.ActionCostsCSV)
})

// ReportExperiment computes an experiment's report in currency (default
// EUR) for the caller: staff any experiment, a creditor its own (another's
// is not found). Cases are counted in the arm they were drawn into, even
// if someone moved them to another strategy since (intention to treat).
func (s *Service) ReportExperiment(ctx context.Context, p recouvra.Principal, id uuid.UUID, currency string) (ExperimentReport, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer, recouvra.RoleCreditor); err != nil {
		return ExperimentReport{}, err
	}
	if currency == "" {
		currency = "EUR"
	}
	costs, err := shippedCosts()
	if err != nil {
		return ExperimentReport{}, err
	}
	out := ExperimentReport{Currency: currency}
	var figures []ArmFigures
	var actions []ArmActions
	err = s.store.Scoped(ctx, p.Scope(), func(r Repo) error {
		var err error
		if out.Experiment, err = r.ExperimentByID(ctx, p.Scope(), id, NoLock); err != nil {
			return err
		}
		if figures, err = r.ExperimentFigures(ctx, p.Scope(), id, currency); err != nil {
			return err
		}
		actions, err = r.ExperimentActions(ctx, p.Scope(), id)
		return err
	})
	if err != nil {
		return ExperimentReport{}, err
	}
	byArm := map[uuid.UUID]ArmFigures{}
	for _, f := range figures {
		byArm[f.StrategyID] = f
	}
	counts := map[uuid.UUID]map[string]*ActionTotal{}
	for _, a := range actions {
		action := recouvra.CostActionOf(recouvra.Channel(a.Channel))
		if action == "" {
			continue
		}
		m := counts[a.StrategyID]
		if m == nil {
			m = map[string]*ActionTotal{}
			counts[a.StrategyID] = m
		}
		t := m[action]
		if t == nil {
			t = &ActionTotal{Action: action}
			m[action] = t
		}
		unit, _ := costs.On(action, a.On)
		t.Count += a.Count
		t.CostCents += a.Count * unit.Cents
	}
	today := s.today()
	for _, action := range recouvra.CostActions {
		if c, ok := costs.On(action, today); ok {
			out.UnitCosts = append(out.UnitCosts, c)
		}
	}
	for _, arm := range out.Experiment.Arms {
		f := byArm[arm.StrategyID]
		f.StrategyID = arm.StrategyID
		ar := ArmReport{ArmFigures: f, StrategyName: arm.StrategyName, SharePercent: arm.SharePercent, CostCurrency: "EUR"}
		if f.PlacedCents > 0 {
			ar.RecoveryRate = float64(f.RecoveredCents) / float64(f.PlacedCents)
		}
		for _, action := range recouvra.CostActions {
			t := ActionTotal{Action: action}
			if c := counts[arm.StrategyID][action]; c != nil {
				t = *c
			}
			if u, ok := costs.On(action, today); ok {
				ar.CostCurrency = u.Currency
			}
			ar.Actions = append(ar.Actions, t)
			ar.CostCents += t.CostCents
		}
		out.Arms = append(out.Arms, ar)
	}
	if len(out.Arms) > 0 {
		champ := out.Arms[0]
		for _, ch := range out.Arms[1:] {
			cmp := ArmComparison{StrategyID: ch.StrategyID, AgainstStrategyID: champ.StrategyID, RecoveryRateDiff: ch.RecoveryRate - champ.RecoveryRate}
			cmp.PayingShareDiff = share(ch.CasesPaying, ch.Cases) - share(champ.CasesPaying, champ.Cases)
			cmp.CostPerCaseDiff = perCase(ch.CostCents, ch.Cases) - perCase(champ.CostCents, champ.Cases)
			cmp.RecoveredPerCaseDiff = perCase(ch.RecoveredCents, ch.Cases) - perCase(champ.RecoveredCents, champ.Cases)
			if ci, ok := recouvra.RatioDifferenceCI(champ.Sample, ch.Sample); ok {
				cmp.RecoveryRateCI = &ci
			}
			if ci, ok := recouvra.ProportionDifferenceCI(champ.CasesPaying, champ.Cases, ch.CasesPaying, ch.Cases); ok {
				cmp.PayingShareCI = &ci
			}
			out.Comparisons = append(out.Comparisons, cmp)
		}
	}
	return out, nil
}

func share(k, n int64) float64 {
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}

func perCase(cents, n int64) float64 {
	if n == 0 {
		return 0
	}
	return float64(cents) / float64(n)
}

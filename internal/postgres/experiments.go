package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatExperiment = "Expérience"

type experimentRow struct {
	ID         uuid.UUID
	CreditorID uuid.UUID
	Name       string
	Seed       int64
	StartedOn  recouvra.Date
	StartedAt  time.Time `gorm:"autoCreateTime:false"`
	StoppedOn  recouvra.Date
	StoppedAt  *time.Time
}

func (experimentRow) TableName() string { return "strategy_experiments" }

type experimentArmRow struct {
	ExperimentID uuid.UUID
	Position     int
	CreditorID   uuid.UUID
	StrategyID   uuid.UUID
	StrategyName string
	SharePercent int
	BucketBelow  int
}

func (experimentArmRow) TableName() string { return "strategy_experiment_arms" }

func (r repo) InsertExperiment(ctx context.Context, e *recouvra.Experiment) error {
	row := experimentRow{ID: e.ID, CreditorID: e.CreditorID, Name: e.Name, Seed: e.Seed, StartedOn: e.StartedOn, StartedAt: e.StartedAt}
	if err := r.q(ctx).Omit("stopped_on", "stopped_at").Create(&row).Error; err != nil {
		return dbErr(err, whatExperiment)
	}
	arms := make([]experimentArmRow, len(e.Arms))
	for i, a := range e.Arms {
		arms[i] = experimentArmRow{ExperimentID: e.ID, Position: i, CreditorID: e.CreditorID, StrategyID: a.StrategyID, StrategyName: a.StrategyName,
			SharePercent: a.SharePercent, BucketBelow: a.BucketBelow}
	}
	return dbErr(r.q(ctx).Create(&arms).Error, whatExperiment)
}

// experiments reads the rows and their arms (one query each).
func (r repo) experiments(ctx context.Context, rows []experimentRow) ([]recouvra.Experiment, error) {
	out := make([]recouvra.Experiment, len(rows))
	ids := make([]uuid.UUID, len(rows))
	at := map[uuid.UUID]int{}
	for i, row := range rows {
		out[i] = recouvra.Experiment{ID: row.ID, CreditorID: row.CreditorID, Name: row.Name, Seed: row.Seed, StartedOn: row.StartedOn,
			StartedAt: row.StartedAt.UTC(), StoppedOn: row.StoppedOn, StoppedAt: row.StoppedAt}
		if row.StoppedAt != nil {
			t := row.StoppedAt.UTC()
			out[i].StoppedAt = &t
		}
		ids[i], at[row.ID] = row.ID, i
	}
	if len(ids) == 0 {
		return out, nil
	}
	var arms []experimentArmRow
	if err := r.q(ctx).Where("experiment_id IN ?", ids).Order("experiment_id, position").Find(&arms).Error; err != nil {
		return nil, dbErr(err, whatExperiment)
	}
	for _, a := range arms {
		i := at[a.ExperimentID]
		out[i].Arms = append(out[i].Arms, recouvra.ExperimentArm{StrategyID: a.StrategyID, StrategyName: a.StrategyName, SharePercent: a.SharePercent, BucketBelow: a.BucketBelow})
	}
	return out, nil
}

func (r repo) ExperimentByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock app.RowLock) (recouvra.Experiment, error) {
	var row experimentRow
	if err := r.takeByID(ctx, scope, id, lock, &row, whatExperiment); err != nil {
		return recouvra.Experiment{}, err
	}
	list, err := r.experiments(ctx, []experimentRow{row})
	if err != nil {
		return recouvra.Experiment{}, err
	}
	return list[0], nil
}

func (r repo) ListExperiments(ctx context.Context, scope recouvra.Scope, creditorID *uuid.UUID) ([]recouvra.Experiment, error) {
	var rows []experimentRow
	q := scoped(r.q(ctx), scope, "creditor_id")
	if creditorID != nil {
		q = q.Where("creditor_id = ?", *creditorID)
	}
	if err := q.Order("started_at DESC, id DESC").Limit(200).Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatExperiment)
	}
	return r.experiments(ctx, rows)
}

func (r repo) StopExperiment(ctx context.Context, id uuid.UUID, on recouvra.Date, at time.Time) error {
	return oneRow(r.q(ctx).Exec("UPDATE strategy_experiments SET stopped_on = ?, stopped_at = ? WHERE id = ? AND stopped_at IS NULL", on, at, id), whatExperiment)
}

// EnrollExperimentCases: one statement. The open cases of creditors with
// a running experiment that follow no strategy and were never drawn get
// their bucket (experiment_bucket, the seed and the case id), the arm it
// falls in, a strategy state on that arm's strategy and the record of the
// draw. Two engines at once insert each case once (ON CONFLICT), and
// would draw the same arm anyway.
func (r repo) EnrollExperimentCases(ctx context.Context, on recouvra.Date, limit int) (int64, error) {
	res := r.q(ctx).Exec(`WITH picked AS (
			SELECT c.id AS case_id, c.creditor_id, e.id AS experiment_id, experiment_bucket(e.seed, c.id) AS bucket
			FROM cases c JOIN strategy_experiments e ON e.creditor_id = c.creditor_id AND e.stopped_at IS NULL
			WHERE c.stage IN ('amicable', 'formal_notice')
			  AND NOT EXISTS (SELECT 1 FROM case_strategies cs WHERE cs.case_id = c.id)
			  AND NOT EXISTS (SELECT 1 FROM strategy_experiment_cases x WHERE x.case_id = c.id)
			ORDER BY c.id LIMIT @limit
		), armed AS (
			SELECT p.*, a.strategy_id FROM picked p
			CROSS JOIN LATERAL (SELECT strategy_id FROM strategy_experiment_arms a
				WHERE a.experiment_id = p.experiment_id AND p.bucket < a.bucket_below ORDER BY a.position LIMIT 1) a
		), enrolled AS (
			INSERT INTO case_strategies (case_id, creditor_id, strategy_id, assigned_on, planned)
			SELECT case_id, creditor_id, strategy_id, @on, false FROM armed
			ON CONFLICT (case_id) DO NOTHING RETURNING case_id
		)
		INSERT INTO strategy_experiment_cases (case_id, experiment_id, creditor_id, strategy_id, bucket, assigned_on)
		SELECT a.case_id, a.experiment_id, a.creditor_id, a.strategy_id, a.bucket, @on FROM armed a JOIN enrolled USING (case_id)
		ON CONFLICT (case_id) DO NOTHING`, map[string]any{"on": on, "limit": limit})
	return res.RowsAffected, dbErr(res.Error, whatExperiment)
}

// ExperimentFigures: one pass over the experiment's cases in the
// currency, each with its amount placed (x), its payments kept since the
// draw (y) and its first payment's day; grouped by arm with the sums, the
// median days to the first payment and the sample (co)variances the delta
// method needs, computed in numeric (exact) before the cast.
func (r repo) ExperimentFigures(ctx context.Context, scope recouvra.Scope, id uuid.UUID, currency string) ([]app.ArmFigures, error) {
	var rows []struct {
		StrategyID      uuid.UUID
		Cases           int64
		PlacedCents     int64
		RecoveredCents  int64
		CasesPaying     int64
		MedianDaysToPay *float64
		MeanX, MeanY    float64
		VarX, VarY      *float64
		CovXY           *float64
	}
	where, args := "x.experiment_id = @id AND c.currency = @currency", map[string]any{"id": id, "currency": currency}
	if scope.CreditorID != nil {
		where += " AND x.creditor_id = @scope_creditor"
		args["scope_creditor"] = *scope.CreditorID
	}
	err := r.q(ctx).Raw(`WITH per_case AS (
			SELECT x.strategy_id, x.case_id, c.principal_cents::numeric AS placed,
			       coalesce(p.recovered, 0)::numeric AS recovered, p.first_on - x.assigned_on AS days_to_pay
			FROM strategy_experiment_cases x
			JOIN cases c ON c.id = x.case_id
			LEFT JOIN LATERAL (SELECT sum(amount_cents) AS recovered, min(received_on) AS first_on FROM payments
				WHERE case_id = x.case_id AND reversed_at IS NULL AND received_on >= x.assigned_on) p ON true
			WHERE `+where+`
		)
		SELECT strategy_id, count(*) AS cases, sum(placed)::bigint AS placed_cents, sum(recovered)::bigint AS recovered_cents,
		       count(days_to_pay) AS cases_paying,
		       percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_pay) AS median_days_to_pay,
		       avg(placed)::float8 AS mean_x, avg(recovered)::float8 AS mean_y,
		       var_samp(placed)::float8 AS var_x, var_samp(recovered)::float8 AS var_y, covar_samp(placed::float8, recovered::float8) AS cov_xy
		FROM per_case GROUP BY strategy_id`, args).Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatExperiment)
	}
	out := make([]app.ArmFigures, len(rows))
	for i, row := range rows {
		out[i] = app.ArmFigures{StrategyID: row.StrategyID, Cases: row.Cases, PlacedCents: row.PlacedCents, RecoveredCents: row.RecoveredCents,
			CasesPaying: row.CasesPaying, MedianDaysToPay: row.MedianDaysToPay,
			Sample: recouvra.RatioSample{N: row.Cases, MeanX: row.MeanX, MeanY: row.MeanY, VarX: deref(row.VarX), VarY: deref(row.VarY), CovXY: deref(row.CovXY)}}
	}
	return out, nil
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// ExperimentActions counts the experiment's cases' steps done, by arm,
// the channel that acted and the day they finished (the unit costs are
// dated).
func (r repo) ExperimentActions(ctx context.Context, scope recouvra.Scope, id uuid.UUID) ([]app.ArmActions, error) {
	var rows []app.ArmActions
	where, args := "x.experiment_id = @id", map[string]any{"id": id}
	if scope.CreditorID != nil {
		where += " AND x.creditor_id = @scope_creditor"
		args["scope_creditor"] = *scope.CreditorID
	}
	err := r.q(ctx).Raw(`SELECT x.strategy_id, CASE WHEN s.acted_channel <> '' THEN s.acted_channel ELSE s.channel END AS channel,
			(s.finished_at AT TIME ZONE 'UTC')::date AS "on", count(*) AS count
		FROM strategy_experiment_cases x JOIN strategy_step_runs s ON s.case_id = x.case_id
		WHERE `+where+` AND s.state = 'done' AND s.finished_at IS NOT NULL
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, args).Scan(&rows).Error
	return rows, dbErr(err, whatExperiment)
}

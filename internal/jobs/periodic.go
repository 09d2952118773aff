package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Periodic is background work run every so often by one of the server
// instances (river's elected leader inserts the job; any instance works
// it). Run must be idempotent: a run may be repeated after a crash, and
// two may overlap while leadership moves.
type Periodic struct {
	Name  string        // the job's identity, unique among periodic work
	Every time.Duration // how often; it also runs when the queue starts
	Run   func(ctx context.Context) error
	// DailyAt, when set, runs the work once a day at this minute of the
	// day (UTC) instead of every Every, and not at start (the nightly pass).
	DailyAt *int
}

// dailyAt is a River schedule: every day at minute (UTC).
type dailyAt int

func (m dailyAt) Next(t time.Time) time.Time {
	t = t.UTC()
	next := time.Date(t.Year(), t.Month(), t.Day(), 0, int(m), 0, 0, time.UTC)
	if !next.After(t) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// PeriodicArgs asks for the periodic work named Name to run once.
type PeriodicArgs struct {
	Name string `json:"name"`
}

// Kind names the job.
func (PeriodicArgs) Kind() string { return "periodic" }

type periodicWorker struct {
	river.WorkerDefaults[PeriodicArgs]
	byName map[string]func(ctx context.Context) error
}

func (w *periodicWorker) Timeout(*river.Job[PeriodicArgs]) time.Duration { return 30 * time.Minute }

func (w *periodicWorker) Work(ctx context.Context, job *river.Job[PeriodicArgs]) error {
	run := w.byName[job.Args.Name]
	if run == nil {
		return fmt.Errorf("no periodic work named %q", job.Args.Name)
	}
	return run(ctx)
}

// addPeriodic registers the periodic work and returns its schedules.
func addPeriodic(workers *river.Workers, list []Periodic) ([]*river.PeriodicJob, error) {
	if len(list) == 0 {
		return nil, nil
	}
	w := &periodicWorker{byName: map[string]func(context.Context) error{}}
	var out []*river.PeriodicJob
	for _, p := range list {
		if p.Name == "" || p.Run == nil || p.Every <= 0 || w.byName[p.Name] != nil {
			return nil, fmt.Errorf("periodic work %q: a unique name, a function and an interval are needed", p.Name)
		}
		w.byName[p.Name] = p.Run
		name := p.Name
		schedule, onStart := river.PeriodicInterval(p.Every), true
		if p.DailyAt != nil {
			schedule, onStart = dailyAt(*p.DailyAt), false
		}
		out = append(out, river.NewPeriodicJob(schedule,
			func() (river.JobArgs, *river.InsertOpts) { return PeriodicArgs{Name: name}, nil },
			&river.PeriodicJobOpts{ID: "periodic_" + name, RunOnStart: onStart}))
	}
	if err := river.AddWorkerSafely(workers, w); err != nil {
		return nil, err
	}
	return out, nil
}

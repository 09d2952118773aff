// Package jobs runs Recouvra's background work on river, the
// PostgreSQL-native job queue: a job is a row inserted in the same
// transaction as the record that asks for it, so neither exists without the
// other, and any server instance may work it.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Migrate creates or updates river's own tables.
//
// Two instances starting at once on a new database would both create the
// tables (river's migrator takes no lock): an advisory lock, held on one
// connection, lets one migrate while the other waits, then finds nothing
// to do.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtextextended('recouvra:river-migrate', 0))"); err != nil {
		return fmt.Errorf("river migrations: lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtextextended('recouvra:river-migrate', 0))")
	}()
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

// BatchArgs asks for a document batch to be produced.
type BatchArgs struct {
	BatchID uuid.UUID `json:"batch_id"`
}

// Kind names the job.
func (BatchArgs) Kind() string { return "document_batch" }

type batchWorker struct {
	river.WorkerDefaults[BatchArgs]
	run func(ctx context.Context, id uuid.UUID) error
}

// Timeout lets a batch of tens of thousands of letters finish.
func (w *batchWorker) Timeout(*river.Job[BatchArgs]) time.Duration { return 4 * time.Hour }

func (w *batchWorker) Work(ctx context.Context, job *river.Job[BatchArgs]) error {
	return w.run(ctx, job.Args.BatchID)
}

// MailArgs asks for a queued e-mail to be delivered (app.DeliverMail).
type MailArgs struct {
	MailID uuid.UUID `json:"mail_id"`
}

// Kind names the job.
func (MailArgs) Kind() string { return "mail_send" }

// MailMaxAttempts bounds the attempts at one e-mail: with mailBackoff,
// about a day and a half of retries before the mail is marked failed.
const MailMaxAttempts = 12

type mailWorker struct {
	river.WorkerDefaults[MailArgs]
	deliver func(ctx context.Context, id uuid.UUID, last bool) error
}

// Timeout covers a slow SMTP server (the sender's own timeout is 30 s).
func (w *mailWorker) Timeout(*river.Job[MailArgs]) time.Duration { return 2 * time.Minute }

// NextRetry backs off: 2 s, 8 s, 32 s, 2 min, 8.5 min, 34 min, then every
// 2 h 16 min — a temporary refusal (greylisting: 451) is usually over by
// the second or third try.
func (w *mailWorker) NextRetry(job *river.Job[MailArgs]) time.Time {
	d := 2 * time.Second
	for i := 1; i < job.Attempt && i < 7; i++ {
		d *= 4
	}
	return time.Now().Add(d)
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[MailArgs]) error {
	return w.deliver(ctx, job.Args.MailID, job.Attempt >= job.MaxAttempts)
}

// MailSweepArgs is the periodic look for e-mails whose job was lost.
type MailSweepArgs struct{}

// Kind names the job.
func (MailSweepArgs) Kind() string { return "mail_sweep" }

type mailSweepWorker struct {
	river.WorkerDefaults[MailSweepArgs]
	sweep func(ctx context.Context) error
}

func (w *mailSweepWorker) Work(ctx context.Context, _ *river.Job[MailSweepArgs]) error {
	return w.sweep(ctx)
}

// Mail is the e-mail channel's background work; nil in New leaves it out.
type Mail struct {
	Deliver func(ctx context.Context, id uuid.UUID, last bool) error
	Sweep   func(ctx context.Context) error
}

// Queue is the process's river client.
type Queue struct {
	client *river.Client[pgx.Tx]
}

// New builds the queue; runBatch is what a document-batch job does,
// runImport a placement-file job (imports.go), mail the e-mail jobs (nil:
// none), every the periodic work (periodic.go).
func New(pool *pgxpool.Pool, logger *slog.Logger, runBatch, runImport func(ctx context.Context, id uuid.UUID) error, mail *Mail, every ...Periodic) (*Queue, error) {
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &batchWorker{run: runBatch}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &importWorker{run: runImport}); err != nil {
		return nil, err
	}
	periodic, err := addPeriodic(workers, every)
	if err != nil {
		return nil, err
	}
	if mail != nil {
		if err := river.AddWorkerSafely(workers, &mailWorker{deliver: mail.Deliver}); err != nil {
			return nil, err
		}
		if err := river.AddWorkerSafely(workers, &mailSweepWorker{sweep: mail.Sweep}); err != nil {
			return nil, err
		}
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return MailSweepArgs{}, &river.InsertOpts{Queue: mailQueue} },
			&river.PeriodicJobOpts{ID: "mail_sweep"}))
	}
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger: logger,
		// Batches write to disk and the database one document at a time; two
		// at once keep a 2-core machine busy without starving requests.
		// E-mails have their own queue, so a long batch never holds them up.
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}, mailQueue: {MaxWorkers: 4}},
		Workers:      workers,
		PeriodicJobs: periodic,
	})
	if err != nil {
		return nil, err
	}
	return &Queue{client: c}, nil
}

// Start begins working jobs.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop lets running jobs finish (until ctx ends) and stops.
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

// EnqueueBatch inserts a batch job in tx.
func (q *Queue) EnqueueBatch(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	_, err := q.client.InsertTx(ctx, tx, BatchArgs{BatchID: id}, nil)
	return err
}

// mailQueue is the river queue of e-mail jobs.
const mailQueue = "mail"

// EnqueueMail asks for mail id to be delivered after delay. While a job
// for the same mail waits or retries, another is not added (unique by
// arguments), so the periodic sweep does not cut a backoff short.
func (q *Queue) EnqueueMail(ctx context.Context, id uuid.UUID, delay time.Duration) error {
	opts := &river.InsertOpts{Queue: mailQueue, MaxAttempts: MailMaxAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
	if delay > 0 {
		opts.ScheduledAt = time.Now().Add(delay)
	}
	_, err := q.client.Insert(ctx, MailArgs{MailID: id}, opts)
	return err
}

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
)

// Migrate creates or updates river's own tables.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
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

// Queue is the process's river client.
type Queue struct {
	client *river.Client[pgx.Tx]
}

// New builds the queue; runBatch is what a document-batch job does.
func New(pool *pgxpool.Pool, logger *slog.Logger, runBatch func(ctx context.Context, id uuid.UUID) error) (*Queue, error) {
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &batchWorker{run: runBatch}); err != nil {
		return nil, err
	}
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger: logger,
		// Batches write to disk and the database one document at a time; two
		// at once keep a 2-core machine busy without starving requests.
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers: workers,
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

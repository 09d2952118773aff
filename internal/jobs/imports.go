package jobs

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// ImportArgs asks for a placement file to be placed (app.ProcessImport).
type ImportArgs struct {
	ImportID uuid.UUID `json:"import_id"`
}

// Kind names the job.
func (ImportArgs) Kind() string { return "placement_import" }

type importWorker struct {
	river.WorkerDefaults[ImportArgs]
	run func(ctx context.Context, id uuid.UUID) error
}

// Timeout lets a file of a million rows finish.
func (w *importWorker) Timeout(*river.Job[ImportArgs]) time.Duration { return 2 * time.Hour }

func (w *importWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	return w.run(ctx, job.Args.ImportID)
}

// EnqueueImport inserts an import job in tx.
func (q *Queue) EnqueueImport(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	_, err := q.client.InsertTx(ctx, tx, ImportArgs{ImportID: id}, &river.InsertOpts{MaxAttempts: 3})
	return err
}

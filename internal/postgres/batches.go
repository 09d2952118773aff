package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatBatch = "Lot de documents"

// batchRow is a document_batches row as pgx reads it; its jsonb columns
// (case_ids, options, failures) are decoded straight into the app.Batch.
type batchRow struct {
	ID           uuid.UUID
	Kind         string
	RequestedBy  uuid.UUID
	Total        int
	Done         int
	Failed       int
	State        string
	ResultSHA256 *string
	ResultSize   *int64
	CreatedAt    time.Time
	StartedAt    *time.Time
	FinishedAt   *time.Time
}

// Enqueuer puts a job on the queue inside the caller's pgx transaction, so
// a batch row and its job are committed together or not at all.
type Enqueuer func(ctx context.Context, tx pgx.Tx, batchID uuid.UUID) error

// Batches stores document batches; it uses pgx directly because the job
// queue (river) enqueues in a pgx transaction.
type Batches struct {
	db      *DB
	enqueue Enqueuer
}

// NewBatches returns the batch store; enqueue schedules the work.
func NewBatches(db *DB, enqueue Enqueuer) *Batches { return &Batches{db: db, enqueue: enqueue} }

var _ app.BatchStore = (*Batches)(nil)

// Create stores the batch and enqueues its job in one transaction.
func (b *Batches) Create(ctx context.Context, batch app.Batch) error {
	if b.enqueue == nil {
		return recouvra.Errorf(recouvra.ECodeUnavailable, "Aucune file de travaux n'est active dans ce processus.")
	}
	ids, _ := json.Marshal(batch.CaseIDs)
	opts, _ := json.Marshal(batch.Options)
	return pgx.BeginFunc(ctx, b.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO document_batches (id, kind, requested_by, case_ids, options, total, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, batch.ID, batch.Kind, batch.RequestedBy, ids, opts, len(batch.CaseIDs), batch.CreatedAt); err != nil {
			return dbErr(err, whatBatch)
		}
		return b.enqueue(ctx, tx, batch.ID)
	})
}

func (b *Batches) Get(ctx context.Context, id uuid.UUID) (app.Batch, error) {
	var r batchRow
	var ids, opts, failures []byte
	err := b.db.Pool.QueryRow(ctx, `SELECT id, kind, requested_by, case_ids, options, total, done, failed, failures, state,
		result_sha256, result_size, created_at, started_at, finished_at FROM document_batches WHERE id = $1`, id).Scan(
		&r.ID, &r.Kind, &r.RequestedBy, &ids, &opts, &r.Total, &r.Done, &r.Failed, &failures, &r.State,
		&r.ResultSHA256, &r.ResultSize, &r.CreatedAt, &r.StartedAt, &r.FinishedAt)
	if err != nil {
		return app.Batch{}, dbErr(err, whatBatch)
	}
	out := app.Batch{ID: r.ID, Kind: r.Kind, RequestedBy: r.RequestedBy, Total: r.Total, Done: r.Done, Failed: r.Failed, State: r.State,
		CreatedAt: r.CreatedAt.UTC(), StartedAt: utcPtr(r.StartedAt), FinishedAt: utcPtr(r.FinishedAt)}
	_ = json.Unmarshal(ids, &out.CaseIDs)
	_ = json.Unmarshal(opts, &out.Options)
	_ = json.Unmarshal(failures, &out.Failures)
	if r.ResultSHA256 != nil {
		out.ResultSHA256 = *r.ResultSHA256
	}
	if r.ResultSize != nil {
		out.ResultSize = *r.ResultSize
	}
	return out, nil
}

// Progress records how far a batch has got.
func (b *Batches) Progress(ctx context.Context, id uuid.UUID, state string, done, failed int, failures []app.BatchFailure, at time.Time) error {
	f, _ := json.Marshal(failures)
	_, err := b.db.Pool.Exec(ctx, `UPDATE document_batches SET state = $2, done = $3, failed = $4, failures = $5,
		started_at = coalesce(started_at, $6) WHERE id = $1`, id, state, done, failed, f, at)
	return dbErr(err, whatBatch)
}

// Finish records the batch's outcome and its zip.
func (b *Batches) Finish(ctx context.Context, id uuid.UUID, state string, done, failed int, failures []app.BatchFailure, sha string, size int64, at time.Time) error {
	f, _ := json.Marshal(failures)
	var shaArg any
	if sha != "" {
		shaArg = sha
	}
	_, err := b.db.Pool.Exec(ctx, `UPDATE document_batches SET state = $2, done = $3, failed = $4, failures = $5,
		result_sha256 = $6, result_size = $7, finished_at = $8 WHERE id = $1`, id, state, done, failed, f, shaArg, size, at)
	return dbErr(err, whatBatch)
}

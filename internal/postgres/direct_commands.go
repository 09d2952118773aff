package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// The commands' statements on pgx (issue 18): recording a payment and
// claiming the next case run in Store.Atomic and Store.Tx, which hold
// their connection for the transaction the way Scoped does (hold), so
// that these statements — and the hot reads of direct.go — run with pgx
// on the transaction's own connection, after its BEGIN, inside its
// savepoints, instead of through gorm's reflection. Row security and the
// creditor scope are the connection's: a statement sent here inside
// Scoped runs under its set_config exactly as gorm's did.
//
// They have no gorm twin: every repo carries a pgx connection or the pool
// (on), so there is one path for each of these statements.

// ambientTx is what Atomic leaves in the context: its gorm transaction
// and the pgx connection under it.
type ambientTx struct {
	db *gorm.DB
	pg direct
}

// ambientOf returns the transaction Atomic put in ctx, if any.
func ambientOf(ctx context.Context) (ambientTx, bool) {
	a, ok := ctx.Value(txKey{}).(ambientTx)
	return a, ok
}

// hold runs fn with one pooled connection held for it: db runs gorm's
// statements on it, pg is pgx's own connection under database/sql's.
// Statements of both run one after the other on the same session, so a
// transaction begun by gorm covers pgx's statements too.
func (s *Store) hold(ctx context.Context, fn func(db *gorm.DB, pg *pgx.Conn) error) error {
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("hold a connection: %w", err)
	}
	defer conn.Close()
	var pc *pgx.Conn
	if err := conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("hold a connection: driver connection %T", dc)
		}
		pc = sc.Conn()
		return nil
	}); err != nil {
		return err
	}
	// pc stays ours past Raw: conn is held until this function returns.
	db := s.db.WithContext(ctx).Session(&gorm.Session{Context: ctx}) // a statement of its own
	db.Statement.ConnPool = conn
	return fn(db, pc)
}

// on is where a command's statements run with pgx: the connection of the
// transaction r runs in, the one Atomic put in ctx for a repo of the
// pool, else the pool.
func (r repo) on(ctx context.Context) direct {
	if r.pool || r.pg == nil {
		// A repo of the pool inside Atomic, or of a savepoint of its
		// transaction (a nested Scoped): Atomic's connection.
		if a, ok := ambientOf(ctx); ok {
			return a.pg
		}
	}
	if r.pg == nil {
		return noConn{}
	}
	return r.pg
}

// noConn answers a command sent where no pgx connection is known: never in
// the server (the pool, Tx, Atomic and Scoped all give one), but an error
// rather than a statement outside its transaction if that ever changes.
type noConn struct{}

var errNoConn = errors.New("no pgx connection for the transaction")

func (noConn) Query(context.Context, string, ...any) (pgx.Rows, error) { return nil, errNoConn }
func (noConn) QueryRow(context.Context, string, ...any) pgx.Row        { return errRow{} }
func (noConn) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, errNoConn
}

type errRow struct{}

func (errRow) Scan(...any) error { return errNoConn }

// batcher sends several statements in one round trip: a pgx connection
// or the pool.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// LeaseNextCase hands agentID the best case of its queue that no other
// agent holds, and holds it until until. Rows another transaction is
// taking are skipped (SKIP LOCKED), so concurrent agents never get the same
// case. The agent's previous lease is released first; both statements go
// in one round trip, run in order.
func (r repo) LeaseNextCase(ctx context.Context, agentID uuid.UUID, today recouvra.Date, now, until time.Time) (recouvra.Case, error) {
	var b pgx.Batch
	b.Queue("UPDATE cases SET lease_agent_id = NULL, lease_until = NULL WHERE lease_agent_id = $1", agentID)
	b.Queue(`UPDATE cases SET lease_agent_id = $1, lease_until = $4
		WHERE id = (
			SELECT id FROM cases
			WHERE `+queueWhereDirect+` AND (lease_until IS NULL OR lease_until < $3)
			ORDER BY `+queueOrder+`
			LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING `+caseColumns, agentID, today, now, until)
	q, ok := r.on(ctx).(batcher)
	if !ok {
		return recouvra.Case{}, errNoConn
	}
	br := q.SendBatch(ctx, &b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return recouvra.Case{}, dbErr(err, whatCase)
	}
	var row caseRow
	if err := br.QueryRow().Scan(row.fields()...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return recouvra.Case{}, recouvra.Errorf(recouvra.ECodeNotFound, "Aucun dossier à traiter pour le moment.")
		}
		return recouvra.Case{}, dbErr(err, whatCase)
	}
	if err := br.Close(); err != nil {
		return recouvra.Case{}, dbErr(err, whatCase)
	}
	return row.domain(), nil
}

// UpdateCase saves c if it is still at version expected, and moves it to
// the next version; a concurrent change answers precondition failed.
func (r repo) UpdateCase(ctx context.Context, c *recouvra.Case, expected int) error {
	c.Version = expected + 1
	w := caseRowOf(c)
	tag, err := r.on(ctx).Exec(ctx, `UPDATE "cases" SET debtor_id = $1, creditor_reference = $2, stage = $3, close_reason = $4, closed_at = $5,
		assigned_agent_id = $6, assigned_lawyer_id = $7, priority = $8, next_action_on = $9, open_dispute = $10, currency = $11,
		principal_cents = $12, paid_cents = $13, balance_cents = $14, amicable_reminders = $15, first_letter_reference = $16,
		first_letter_on = $17, oldest_due_on = $18, formal_notice_sent_on = $19, formal_notice_deadline = $20, formal_notice_received_on = $21,
		promise_amount_cents = $22, promise_due_on = $23, broken_promises = $24, running_plan_id = $25, interest_freeze = $26,
		last_interruption_on = $27, withdrawal_requested = $28, injunction = $29, irrecoverability = $30, lease_agent_id = $31,
		lease_until = $32, stage_before_close = $33, version = $34, updated_at = $35
		WHERE id = $36 AND version = $37`,
		w.DebtorID, w.CreditorReference, w.Stage, w.CloseReason, w.ClosedAt,
		w.AssignedAgentID, w.AssignedLawyerID, w.Priority, w.NextActionOn, w.OpenDispute, w.Currency,
		w.PrincipalCents, w.PaidCents, w.BalanceCents, w.AmicableReminders, w.FirstLetterReference,
		w.FirstLetterOn, w.OldestDueOn, w.FormalNoticeSentOn, w.FormalNoticeDeadline, w.FormalNoticeReceivedOn,
		w.PromiseAmountCents, w.PromiseDueOn, w.BrokenPromises, w.RunningPlanID, w.InterestFreeze,
		w.LastInterruptionOn, w.WithdrawalRequested, w.Injunction, w.Irrecoverability, w.LeaseAgentID,
		w.LeaseUntil, w.StageBeforeClose, w.Version, w.UpdatedAt,
		c.ID, expected)
	if err != nil {
		c.Version = expected
		return dbErr(err, whatCase)
	}
	if tag.RowsAffected() == 0 {
		c.Version = expected
		return stale()
	}
	return nil
}

// InsertEvent writes e on its case's timeline; e learns its number.
func (r repo) InsertEvent(ctx context.Context, e *recouvra.Event) error {
	err := r.on(ctx).QueryRow(ctx, `INSERT INTO "events" (id, case_id, creditor_id, at, actor_user_id, actor_api_key_id, type, visibility, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq`,
		e.ID, e.CaseID, e.CreditorID, e.At, e.ActorUserID, e.ActorAPIKeyID, string(e.Type), string(e.Visibility), jsonObject(e.Data)).Scan(&e.Seq)
	return dbErr(err, whatEvent)
}

// NextReceiptNumber draws the next receipt number, R-YYYY-NNNNNN.
func (r repo) NextReceiptNumber(ctx context.Context, year int) (string, error) {
	var n int64
	if err := r.on(ctx).QueryRow(ctx, "SELECT nextval('receipt_number_seq')").Scan(&n); err != nil {
		return "", dbErr(err, whatPayment)
	}
	return fmt.Sprintf("R-%d-%06d", year, n), nil
}

// InsertPayment records a payment and books its ledger posting in one
// statement (the payment path counts its statements,
// TestStatementsPerPayment); the posting's balance is checked when the
// transaction commits (migration 00026).
func (r repo) InsertPayment(ctx context.Context, creditorID uuid.UUID, p *recouvra.Payment, by *uuid.UUID, post recouvra.LedgerTxn) error {
	if err := post.Check(); err != nil {
		return err
	}
	var accounts []string
	var creditors []*uuid.UUID
	var amounts []int64
	for _, e := range post.Entries {
		accounts, creditors, amounts = append(accounts, string(e.Account)), append(creditors, e.CreditorID), append(amounts, e.AmountCents)
	}
	_, err := r.on(ctx).Exec(ctx, `WITH p AS (
		INSERT INTO "payments" (id, case_id, creditor_id, amount_cents, currency, received_on, method, payer_reference, claim_id, receipt_number, recorded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id)
	INSERT INTO ledger_entries (txn_id, kind, account, creditor_id, amount_cents, currency, booked_on, payment_id)
	SELECT $13, $14, e.account, e.creditor_id, e.amount, $5, $15, p.id
	  FROM p, unnest($16::text[], $17::uuid[], $18::bigint[]) AS e(account, creditor_id, amount)`,
		p.ID, p.CaseID, creditorID, p.AmountCents, p.Currency, p.ReceivedOn, string(p.Method), p.PayerReference, p.ClaimID, p.ReceiptNumber, by, p.CreatedAt,
		post.ID, string(post.Kind), post.BookedOn, accounts, creditors, amounts)
	return dbErr(err, whatPayment)
}

// ClaimIdempotent claims key for a request, inside the transaction of the
// request itself (Store.Atomic). It returns nil when the caller should go
// on and process the request; otherwise the stored first response, or a
// validation error when the key came with another request.
//
// The claim is an uncommitted row: a concurrent request with the same key
// waits on it in the INSERT until the first transaction ends — then it
// finds the committed response, or, if the first rolled back (a 5xx, a
// crash), claims the key itself. No other session ever sees a key without
// its response, so no key outlives its request "in flight".
func (r repo) ClaimIdempotent(ctx context.Context, principal, key string, hash []byte, now time.Time) (*app.StoredResponse, error) {
	q := r.on(ctx)
	tag, err := q.Exec(ctx, `INSERT INTO "idempotency_keys" (principal, key, request_hash, state, created_at)
		VALUES ($1, $2, $3, 'in_flight', $4) ON CONFLICT DO NOTHING`, principal, key, hash, now)
	if err != nil {
		return nil, dbErr(err, "Clé d'idempotence")
	}
	if tag.RowsAffected() == 1 {
		// Keys are purged now and then, by the requests that create them,
		// inside their transaction: rows another purge holds are skipped,
		// so two purges never wait on each other (nor deadlock), and a
		// batch is bounded.
		if now.Nanosecond()%64 == 0 {
			if _, err := q.Exec(ctx, `DELETE FROM idempotency_keys WHERE (principal, key) IN (
				SELECT principal, key FROM idempotency_keys WHERE created_at < $1 LIMIT 1000 FOR UPDATE SKIP LOCKED)`, now.Add(-idempotencyTTL)); err != nil {
				return nil, dbErr(err, "Clé d'idempotence")
			}
		}
		return nil, nil
	}
	var got idempotencyRow
	if err := q.QueryRow(ctx, `SELECT request_hash, state, status, content_type, response FROM idempotency_keys WHERE principal = $1 AND key = $2`,
		principal, key).Scan(&got.RequestHash, &got.State, &got.Status, &got.ContentType, &got.Response); err != nil {
		return nil, dbErr(err, "Clé d'idempotence")
	}
	switch {
	case !bytes.Equal(got.RequestHash, hash):
		return nil, recouvra.Invalid("Clé d'idempotence déjà utilisée.", recouvra.FieldError{Field: "header.Idempotency-Key", Code: "reused",
			Message: "Cette clé a déjà servi pour une autre requête : une clé par opération."})
	case got.State == "in_flight" || got.Status == nil:
		// Committed without a response: impossible since migration 00010
		// (rows of the former design were cleared there).
		return nil, fmt.Errorf("idempotency key %q of %s committed without its response", key, principal)
	}
	out := &app.StoredResponse{Status: *got.Status, Body: got.Response}
	if got.ContentType != nil {
		out.ContentType = *got.ContentType
	}
	return out, nil
}

// FinishIdempotent stores the response of a claimed key, in the claim's
// transaction: it commits with the effect it describes.
func (r repo) FinishIdempotent(ctx context.Context, principal, key string, resp app.StoredResponse) error {
	tag, err := r.on(ctx).Exec(ctx, `UPDATE "idempotency_keys" SET content_type = $3, response = $4, state = 'done', status = $5
		WHERE principal = $1 AND key = $2 AND state = 'in_flight'`, principal, key, resp.ContentType, resp.Body, resp.Status)
	if err != nil {
		return dbErr(err, "Clé d'idempotence")
	}
	if tag.RowsAffected() == 0 {
		return notFound("Clé d'idempotence")
	}
	return nil
}

package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
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

// inTx runs fn in a transaction on a held connection whose BEGIN goes to
// PostgreSQL with the transaction's first statement, in one round trip
// (lazyTx), and ends it: COMMIT when fn succeeds, else ROLLBACK — also
// after a panic, and on a context of its own, so that the connection
// never goes back to the pool inside a transaction (or is closed).
// first are statements without arguments that open the transaction with
// BEGIN, before any of fn's (Scoped's creditor settings).
func (s *Store) inTx(ctx context.Context, fn func(db *gorm.DB, pg direct) error, first ...string) error {
	return s.hold(ctx, func(db *gorm.DB, pc *pgx.Conn) (err error) {
		sc := db.Statement.ConnPool.(*sql.Conn)
		t := &lazyTx{pc: pc, sc: sc, pending: append([]string(nil), first...)}
		db.Statement.ConnPool = gormTx{conn: sc, t: t}
		defer t.end(ctx)
		if err := fn(db, t); err != nil {
			return err // end rolls back
		}
		if !t.begun {
			return nil // nothing was sent: nothing to commit
		}
		if t.givenUp() {
			return fmt.Errorf("commit: %w", sql.ErrConnDone)
		}
		tag, err := pc.Exec(ctx, "commit")
		if err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		if tag.String() == "ROLLBACK" {
			// A statement failed and fn went on regardless.
			return fmt.Errorf("commit: %w", pgx.ErrTxCommitRollback)
		}
		return nil
	})
}

// lazyTx is a transaction on pc whose BEGIN has not been sent yet: it
// goes with the first statement, pgx's (a batch: BEGIN, the statement)
// or gorm's (gormTx sends it just before). A savepoint gorm opens (a Tx
// or Scoped inside Atomic) waits likewise for the statement after it, and
// so do the statements the transaction opens with (Scoped's settings):
// nothing of fn's is ever sent before them.
type lazyTx struct {
	pc      *pgx.Conn
	sc      *sql.Conn // database/sql's hold on pc's connection
	begun   bool
	pending []string // statements to send before the next one (settings, SAVEPOINTs)
}

var _ batcher = (*lazyTx)(nil)

// ahead is what must be sent before the next statement.
func (t *lazyTx) ahead() []string {
	if t.begun {
		return t.pending
	}
	return append([]string{"BEGIN"}, t.pending...)
}

// givenUp reports whether database/sql has given pc's connection up: a
// gorm statement found it broken (driver.ErrBadConn: pgx closed it when a
// context was cancelled mid-statement), so database/sql closed it and the
// pool destroys it on a goroutine of its own. pc must not be touched after
// that — the race detector caught end() reading it beside that goroutine
// when a server shut down mid-transaction.
func (t *lazyTx) givenUp() bool {
	return errors.Is(t.sc.Raw(func(any) error { return nil }), sql.ErrConnDone)
}

// begin sends what waits (BEGIN, savepoints), if anything, in one round
// trip: before a gorm statement.
func (t *lazyTx) begin(ctx context.Context) error {
	ahead := t.ahead()
	if len(ahead) == 0 {
		return nil
	}
	if t.givenUp() {
		return sql.ErrConnDone
	}
	// No arguments: pgx sends it as one simple query, several statements.
	if _, err := t.pc.Exec(ctx, strings.Join(ahead, "; ")); err != nil {
		return err
	}
	t.begun, t.pending = true, nil
	return nil
}

// end rolls the transaction back if it is still open (fn failed or
// panicked, COMMIT was not sent or failed), else leaves it; if that fails,
// pc is closed and database/sql drops it (stdlib's ResetSession refuses a
// connection that is closed or inside a transaction).
func (t *lazyTx) end(ctx context.Context) {
	if t.givenUp() || t.pc.IsClosed() || t.pc.PgConn().TxStatus() == 'I' {
		return
	}
	// On a context of its own: a cancelled request must not leave its
	// transaction on a pooled connection.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := t.pc.PgConn().Exec(ctx, "ROLLBACK").ReadAll(); err != nil || t.pc.PgConn().TxStatus() != 'I' {
		_ = t.pc.Close(ctx)
	}
}

// SendBatch sends b, with what waits (BEGIN, savepoints) in front of it.
func (t *lazyTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if t.givenUp() {
		return errBatch{sql.ErrConnDone}
	}
	ahead := t.ahead()
	if len(ahead) == 0 {
		return t.pc.SendBatch(ctx, b)
	}
	front := make([]*pgx.QueuedQuery, len(ahead))
	for i, sql := range ahead {
		front[i] = &pgx.QueuedQuery{SQL: sql}
	}
	b.QueuedQueries = append(front, b.QueuedQueries...)
	br := t.pc.SendBatch(ctx, b)
	t.begun, t.pending = true, nil
	for range ahead {
		if _, err := br.Exec(); err != nil {
			return failedBatch{br, err}
		}
	}
	return br
}

// failedBatch is a batch whose BEGIN failed: every result is that error.
type failedBatch struct {
	pgx.BatchResults
	err error
}

func (f failedBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, f.err }
func (f failedBatch) Query() (pgx.Rows, error)         { return nil, f.err }
func (f failedBatch) QueryRow() pgx.Row                { return errRow{f.err} }

// errBatch is a batch that could not be sent: every result, and its
// closing, is err.
type errBatch struct{ err error }

func (e errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, e.err }
func (e errBatch) Query() (pgx.Rows, error)         { return nil, e.err }
func (e errBatch) QueryRow() pgx.Row                { return errRow{e.err} }
func (e errBatch) Close() error                     { return e.err }
func (e errBatch) Tx() pgx.Tx                       { return nil }

func (t *lazyTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if len(t.ahead()) == 0 && !t.givenUp() {
		return t.pc.Exec(ctx, sql, args...)
	}
	var b pgx.Batch
	b.Queue(sql, args...)
	br := t.SendBatch(ctx, &b)
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func (t *lazyTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if len(t.ahead()) == 0 && !t.givenUp() {
		return t.pc.Query(ctx, sql, args...)
	}
	var b pgx.Batch
	b.Queue(sql, args...)
	br := t.SendBatch(ctx, &b)
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return batchQueryRows{rows, br}, nil
}

func (t *lazyTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if len(t.ahead()) == 0 && !t.givenUp() {
		return t.pc.QueryRow(ctx, sql, args...)
	}
	rows, err := t.Query(ctx, sql, args...)
	if err != nil {
		return errRow{err}
	}
	return firstRow{rows}
}

// batchQueryRows are a batch's one query's rows: closing them closes the batch.
type batchQueryRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r batchQueryRows) Close() {
	r.Rows.Close()
	_ = r.br.Close()
}

// firstRow is pgx's QueryRow over batchQueryRows.
type firstRow struct{ rows pgx.Rows }

func (r firstRow) Scan(dest ...any) error {
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// gormTx is gorm's connection inside inTx's transaction: it sends the
// lazy BEGIN before gorm's first statement. It is a gorm.TxCommitter, so
// that a gorm Transaction inside nests as a savepoint; the transaction
// itself ends in inTx only.
type gormTx struct {
	conn *sql.Conn
	t    *lazyTx
}

var (
	_ gorm.ConnPool    = gormTx{}
	_ gorm.TxCommitter = gormTx{}
)

var errTxOwned = errors.New("the transaction ends with Store.Tx or Store.Atomic")

func (g gormTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if err := g.t.begin(ctx); err != nil {
		return nil, err
	}
	return g.conn.PrepareContext(ctx, query)
}

func (g gormTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if strings.HasPrefix(query, "SAVEPOINT ") && len(args) == 0 {
		// gorm opening a nested transaction: sent with what comes next.
		g.t.pending = append(g.t.pending, query)
		return driver.RowsAffected(0), nil
	}
	if err := g.t.begin(ctx); err != nil {
		return nil, err
	}
	return g.conn.ExecContext(ctx, query, args...)
}

func (g gormTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := g.t.begin(ctx); err != nil {
		return nil, err
	}
	return g.conn.QueryContext(ctx, query, args...)
}

func (g gormTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := g.t.begin(ctx); err != nil {
		// *sql.Row cannot be made with an error: a cancelled context
		// makes database/sql answer one without sending anything.
		cancelled, cancel := context.WithCancelCause(ctx)
		cancel(err)
		return g.conn.QueryRowContext(cancelled, query, args...)
	}
	return g.conn.QueryRowContext(ctx, query, args...)
}

func (gormTx) Commit() error   { return errTxOwned }
func (gormTx) Rollback() error { return errTxOwned }

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
func (noConn) QueryRow(context.Context, string, ...any) pgx.Row        { return errRow{errNoConn} }
func (noConn) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, errNoConn
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

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
	return r.saveCase(ctx, c, expected, expected+1)
}

// saveCase saves c at version to if it is still at version expected.
func (r repo) saveCase(ctx context.Context, c *recouvra.Case, expected, to int) error {
	c.Version = to
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

// insertEvent writes one event and returns its number.
const insertEvent = `INSERT INTO "events" (id, case_id, creditor_id, at, actor_user_id, actor_api_key_id, type, visibility, data)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq`

// InsertEvent writes e on its case's timeline; e learns its number.
func (r repo) InsertEvent(ctx context.Context, e *recouvra.Event) error {
	err := r.on(ctx).QueryRow(ctx, insertEvent,
		e.ID, e.CaseID, e.CreditorID, e.At, e.ActorUserID, e.ActorAPIKeyID, string(e.Type), string(e.Visibility), jsonObject(e.Data)).Scan(&e.Seq)
	return dbErr(err, whatEvent)
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

// The batch of payments (app.Service.recordPayments, the one path of
// RecordPayment): its reads on pgx where direct.go's are (the gorm copies
// in payment_batch.go, cases.go and creditors.go serve GormOnly and a
// denied scope), its writes on pgx only.

func casesByIDsDirect(ctx context.Context, q direct, scope recouvra.Scope, ids []uuid.UUID, lock app.RowLock) ([]recouvra.Case, error) {
	where, args := scopeArgs(scope, "creditor_id", "2", []any{ids})
	sql := "SELECT " + caseColumns + " FROM cases WHERE id = ANY($1)" + where + " ORDER BY id"
	if lock == app.ForUpdate {
		sql += " FOR UPDATE"
	}
	rows, err := q.Query(ctx, sql, args...)
	out, err := scanAll(rows, err, (*caseRow).fields)
	if err != nil {
		return nil, dbErr(err, whatCase)
	}
	return domains(out), nil
}

// The reads of a batch of cases' parties: each one's SQL, and how its rows
// are read back, apart, so that they go one by one or in one batch
// (PartiesOfCases).

func creditorsByIDsSQL(scope recouvra.Scope, ids []uuid.UUID) (string, []any) {
	where, args := scopeArgs(scope, "id", "2", []any{ids})
	return "SELECT " + creditorColumns + " FROM creditors WHERE id = ANY($1)" + where, args
}

func readCreditors(rows pgx.Rows, err error, out map[uuid.UUID]recouvra.Creditor) error {
	got, err := scanAll(rows, err, (*creditorRow).fields)
	for _, row := range got {
		out[row.ID] = row.domain()
	}
	return dbErr(err, whatCreditor)
}

func creditorsByIDsDirect(ctx context.Context, q direct, scope recouvra.Scope, ids []uuid.UUID, out map[uuid.UUID]recouvra.Creditor) error {
	sql, args := creditorsByIDsSQL(scope, ids)
	rows, err := q.Query(ctx, sql, args...)
	return readCreditors(rows, err, out)
}

func debtorsByIDsSQL(scope recouvra.Scope, ids []uuid.UUID) (string, []any) {
	where, args := debtorWhere(scope, "2", []any{ids})
	return "SELECT " + debtorColumns + " FROM debtors WHERE id = ANY($1)" + where, args
}

func readDebtors(rows pgx.Rows, err error, out map[uuid.UUID]recouvra.Debtor) error {
	got, err := scanAll(rows, err, (*debtorRow).fields)
	for _, row := range got {
		out[row.ID] = row.domain()
	}
	return dbErr(err, whatDebtor)
}

func debtorsByIDsDirect(ctx context.Context, q direct, scope recouvra.Scope, ids []uuid.UUID, out map[uuid.UUID]recouvra.Debtor) error {
	sql, args := debtorsByIDsSQL(scope, ids)
	rows, err := q.Query(ctx, sql, args...)
	return readDebtors(rows, err, out)
}

func claimsOfCasesSQL(scope recouvra.Scope, caseIDs []uuid.UUID) (string, []any) {
	where, args := scopeArgs(scope, "creditor_id", "2", []any{caseIDs})
	return "SELECT " + claimColumns + " FROM claims WHERE case_id = ANY($1)" + where + " ORDER BY case_id, due_on, invoice_number", args
}

func readClaimsOfCases(rows pgx.Rows, err error, out map[uuid.UUID][]recouvra.Claim) error {
	got, err := scanAll(rows, err, (*claimRow).fields)
	for _, row := range got {
		out[row.CaseID] = append(out[row.CaseID], row.domain())
	}
	return dbErr(err, whatClaim)
}

func claimsOfCasesDirect(ctx context.Context, q direct, scope recouvra.Scope, caseIDs []uuid.UUID, out map[uuid.UUID][]recouvra.Claim) error {
	sql, args := claimsOfCasesSQL(scope, caseIDs)
	rows, err := q.Query(ctx, sql, args...)
	return readClaimsOfCases(rows, err, out)
}

func paymentsOfCasesSQL(scope recouvra.Scope, caseIDs []uuid.UUID) (string, []any) {
	where, args := scopeArgs(scope, "creditor_id", "2", []any{caseIDs})
	return "SELECT " + paymentColumns + " FROM payments WHERE case_id = ANY($1)" + where + " ORDER BY case_id, received_on, created_at, id", args
}

func readPaymentsOfCases(rows pgx.Rows, err error, out map[uuid.UUID][]recouvra.Payment) error {
	got, err := scanAll(rows, err, (*paymentRow).fields)
	for _, row := range got {
		out[row.CaseID] = append(out[row.CaseID], row.domain())
	}
	return dbErr(err, whatPayment)
}

func paymentsOfCasesDirect(ctx context.Context, q direct, scope recouvra.Scope, caseIDs []uuid.UUID, out map[uuid.UUID][]recouvra.Payment) error {
	sql, args := paymentsOfCasesSQL(scope, caseIDs)
	rows, err := q.Query(ctx, sql, args...)
	return readPaymentsOfCases(rows, err, out)
}

// PartiesOfCases reads what the rules of the cases given need — their
// creditors, debtors, claims and payments, and the rate tables — for staff
// (the payment batch has locked the cases within its caller's scope). On a
// pgx connection the five reads go in one batch, one round trip; else one
// by one.
func (r repo) PartiesOfCases(ctx context.Context, cases []recouvra.Case) (app.CasesParties, error) {
	out := app.CasesParties{Creditors: map[uuid.UUID]recouvra.Creditor{}, Debtors: map[uuid.UUID]recouvra.Debtor{},
		Claims: map[uuid.UUID][]recouvra.Claim{}, Payments: map[uuid.UUID][]recouvra.Payment{}}
	if len(cases) == 0 {
		return out, nil
	}
	ids, creditorIDs, debtorIDs := make([]uuid.UUID, len(cases)), make([]uuid.UUID, len(cases)), make([]uuid.UUID, len(cases))
	for i, c := range cases {
		ids[i], creditorIDs[i], debtorIDs[i] = c.ID, c.CreditorID, c.DebtorID
	}
	all := recouvra.AllCreditors
	q := r.direct(ctx, all)
	bq, ok := q.(batcher)
	if q == nil || !ok {
		var err error
		if out.Creditors, err = r.CreditorsByIDs(ctx, all, creditorIDs); err != nil {
			return out, err
		}
		if out.Debtors, err = r.DebtorsByIDs(ctx, all, debtorIDs); err != nil {
			return out, err
		}
		if out.Claims, err = r.ClaimsOfCases(ctx, all, ids); err != nil {
			return out, err
		}
		if out.Payments, err = r.PaymentsOfCases(ctx, all, ids); err != nil {
			return out, err
		}
		out.Rates, err = r.ListRates(ctx)
		return out, err
	}
	var b pgx.Batch
	queue := func(sql string, args []any) { b.Queue(sql, args...) }
	queue(creditorsByIDsSQL(all, creditorIDs))
	queue(debtorsByIDsSQL(all, debtorIDs))
	queue(claimsOfCasesSQL(all, ids))
	queue(paymentsOfCasesSQL(all, ids))
	queue("SELECT "+rateColumns+" FROM rates ORDER BY kind, period_start", nil)
	br := bq.SendBatch(ctx, &b)
	defer br.Close()
	rows, err := br.Query()
	if err := readCreditors(rows, err, out.Creditors); err != nil {
		return out, err
	}
	rows, err = br.Query()
	if err := readDebtors(rows, err, out.Debtors); err != nil {
		return out, err
	}
	rows, err = br.Query()
	if err := readClaimsOfCases(rows, err, out.Claims); err != nil {
		return out, err
	}
	rows, err = br.Query()
	if err := readPaymentsOfCases(rows, err, out.Payments); err != nil {
		return out, err
	}
	rows, err = br.Query()
	rates, err := scanAll(rows, err, (*rateRow).fields)
	if err != nil {
		return out, dbErr(err, whatRate)
	}
	out.Rates = domains(rates)
	return out, dbErr(br.Close(), whatCase)
}

// NextReceiptNumbers draws n receipt numbers, R-YYYY-NNNNNN, in order.
func (r repo) NextReceiptNumbers(ctx context.Context, year, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := r.on(ctx).Query(ctx, "SELECT nextval('receipt_number_seq') FROM generate_series(1, $1) ORDER BY 1", n)
	nums, err := scanAll(rows, err, func(v *int64) []any { return []any{v} })
	if err != nil {
		return nil, dbErr(err, whatPayment)
	}
	if len(nums) != n {
		return nil, fmt.Errorf("receipt numbers: %d drawn, %d asked", len(nums), n)
	}
	out := make([]string, n)
	for i, v := range nums {
		out[i] = fmt.Sprintf("R-%d-%06d", year, v)
	}
	return out, nil
}

// InsertPayments records payments and books their ledger postings in one
// statement (one payment is a batch of one); each posting's balance is
// checked here and again when the transaction commits (migration 00026).
// The arrays go as text and are cast by PostgreSQL.
func (r repo) InsertPayments(ctx context.Context, ps []app.PaymentToInsert) error {
	if len(ps) == 0 {
		return nil
	}
	n := len(ps)
	ids, cases, creditors, claims, recorders := make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n)
	amounts, currencies, received, methods, refs, receipts, created := make([]int64, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	var lTxn, lKind, lAccount, lCurrency, lBooked []string
	var lCreditor, lPayment []*string
	var lAmount []int64
	str := func(id *uuid.UUID) *string {
		if id == nil {
			return nil
		}
		v := id.String()
		return &v
	}
	for i, x := range ps {
		p := x.Payment
		if err := x.Post.Check(); err != nil {
			return err
		}
		ids[i], cases[i], creditors[i], claims[i], recorders[i] = str(&p.ID), str(&p.CaseID), str(&x.CreditorID), str(p.ClaimID), str(x.By)
		amounts[i], currencies[i], received[i], methods[i] = p.AmountCents, p.Currency, p.ReceivedOn.String(), string(p.Method)
		refs[i], receipts[i], created[i] = p.PayerReference, p.ReceiptNumber, p.CreatedAt.UTC().Format(time.RFC3339Nano)
		accounts, entryCreditors, entryAmounts := ledgerColumns(x.Post.Entries)
		for j := range accounts {
			lTxn, lKind, lAccount, lCurrency = append(lTxn, x.Post.ID.String()), append(lKind, string(x.Post.Kind)), append(lAccount, accounts[j]), append(lCurrency, p.Currency)
			lBooked, lCreditor, lPayment, lAmount = append(lBooked, x.Post.BookedOn.String()), append(lCreditor, entryCreditors[j]), append(lPayment, ids[i]), append(lAmount, entryAmounts[j])
		}
	}
	var inserted int64
	err := r.on(ctx).QueryRow(ctx, `WITH p AS (
		INSERT INTO "payments" (id, case_id, creditor_id, amount_cents, currency, received_on, method, payer_reference, claim_id, receipt_number, recorded_by, created_at)
		SELECT * FROM unnest($1::text[]::uuid[], $2::text[]::uuid[], $3::text[]::uuid[], $4::bigint[], $5::text[], $6::text[]::date[], $7::text[], $8::text[],
			$9::text[]::uuid[], $10::text[], $11::text[]::uuid[], $12::text[]::timestamptz[])
		RETURNING id),
	l AS (INSERT INTO ledger_entries (txn_id, kind, account, creditor_id, amount_cents, currency, booked_on, payment_id)
		SELECT e.txn_id, e.kind, e.account, e.creditor_id, e.amount, e.currency, e.booked_on, p.id
		  FROM unnest($13::text[]::uuid[], $14::text[], $15::text[], $16::text[]::uuid[], $17::bigint[], $18::text[], $19::text[]::date[], $20::text[]::uuid[])
		       WITH ORDINALITY AS e(txn_id, kind, account, creditor_id, amount, currency, booked_on, payment_id, n)
		  JOIN p ON p.id = e.payment_id
		 ORDER BY e.n)
	SELECT count(*) FROM p`,
		ids, cases, creditors, amounts, currencies, received, methods, refs, claims, receipts, recorders, created,
		lTxn, lKind, lAccount, lCreditor, lAmount, lCurrency, lBooked, lPayment).Scan(&inserted)
	if err != nil {
		return dbErr(err, whatPayment)
	}
	if inserted != int64(n) {
		return fmt.Errorf("payments: %d inserted of %d", inserted, n)
	}
	return nil
}

// AdvanceCase is UpdateCase for a case changed steps times at once (steps
// payments of one batch): c is saved if it is still at version expected,
// and moves to version expected+steps, as steps updates one after the
// other would have left it.
func (r repo) AdvanceCase(ctx context.Context, c *recouvra.Case, expected, steps int) error {
	return r.saveCase(ctx, c, expected, expected+steps)
}

// InsertEvents appends events to the timeline, in the order given, in one
// round trip (a batch of InsertEvent's statement), and sets each one's
// Seq.
func (r repo) InsertEvents(ctx context.Context, events []recouvra.Event) error {
	if len(events) == 0 {
		return nil
	}
	q, ok := r.on(ctx).(batcher)
	if !ok {
		return errNoConn
	}
	var b pgx.Batch
	for _, e := range events {
		b.Queue(insertEvent, e.ID, e.CaseID, e.CreditorID, e.At, e.ActorUserID, e.ActorAPIKeyID, string(e.Type), string(e.Visibility), jsonObject(e.Data))
	}
	br := q.SendBatch(ctx, &b)
	defer br.Close()
	for i := range events {
		if err := br.QueryRow().Scan(&events[i].Seq); err != nil {
			return dbErr(err, whatEvent)
		}
	}
	return dbErr(br.Close(), whatEvent)
}

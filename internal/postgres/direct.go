package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// The hot reads on pgx (issue 18): the case, its creditor, debtor, claims
// and payments, the rates, a plain case list, the debtors' names of a page
// and the agent's queue page are read with pgx directly and scanned field
// by field into the same row structs gorm fills, instead of going through
// gorm's reflection and database/sql's conversions (the largest share of
// the API's CPU beside the minimal handler in make bench-reference).
//
// They run where gorm would have run them: on the pool for staff, and for
// a creditor user on the very connection of the Scoped transaction, after
// its BEGIN and set_config of the creditor scope, so row security decides
// exactly as before. Anything else — a transaction of Tx or Atomic, a
// filtered or sorted list, a denied scope — stays on gorm.

// direct is what the pgx reads run on.
type direct interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// direct returns the pgx connection or pool r's reads may use, or nil when
// they must go through gorm: a denied scope, a nested Scoped's savepoint,
// GormOnly. Inside Tx and Atomic they run on the transaction's connection,
// which both hold (direct_commands.go).
func (r repo) direct(ctx context.Context, scope recouvra.Scope) direct {
	if r.gormReads || scope.Denied() {
		return nil
	}
	if r.pool {
		if a, ok := ambientOf(ctx); ok {
			return a.pg // Atomic's own connection (direct_commands.go)
		}
	}
	return r.pg
}

// scanAll reads every row of a query with scan, which points a row's
// columns at the fields of a fresh value.
func scanAll[R any](rows pgx.Rows, err error, scan func(*R) []any) ([]R, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []R
	for rows.Next() {
		var row R
		if err := rows.Scan(scan(&row)...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// scanOne reads the one row of a query; pgx.ErrNoRows when there is none.
func scanOne[R any](q direct, ctx context.Context, scan func(*R) []any, sql string, args ...any) (R, error) {
	var row R
	err := q.QueryRow(ctx, sql, args...).Scan(scan(&row)...)
	return row, err
}

const caseColumns = `cases.id, cases.reference, cases.creditor_id, cases.debtor_id, cases.creditor_reference, cases.stage, cases.close_reason,
	cases.closed_at, cases.assigned_agent_id, cases.assigned_lawyer_id, cases.priority, cases.next_action_on, cases.open_dispute,
	cases.currency, cases.principal_cents, cases.paid_cents, cases.balance_cents, cases.amicable_reminders, cases.first_letter_reference,
	cases.first_letter_on, cases.oldest_due_on, cases.formal_notice_sent_on, cases.formal_notice_deadline, cases.formal_notice_received_on,
	cases.promise_amount_cents, cases.promise_due_on, cases.broken_promises, cases.running_plan_id, cases.interest_freeze,
	cases.last_interruption_on, cases.withdrawal_requested, cases.injunction, cases.irrecoverability, cases.lease_agent_id,
	cases.lease_until, cases.stage_before_close, cases.version, cases.created_at, cases.updated_at`

func (r *caseRow) fields() []any {
	return []any{&r.ID, &r.Reference, &r.CreditorID, &r.DebtorID, &r.CreditorReference, &r.Stage, &r.CloseReason,
		&r.ClosedAt, &r.AssignedAgentID, &r.AssignedLawyerID, &r.Priority, &r.NextActionOn, &r.OpenDispute,
		&r.Currency, &r.PrincipalCents, &r.PaidCents, &r.BalanceCents, &r.AmicableReminders, &r.FirstLetterReference,
		&r.FirstLetterOn, &r.OldestDueOn, &r.FormalNoticeSentOn, &r.FormalNoticeDeadline, &r.FormalNoticeReceivedOn,
		&r.PromiseAmountCents, &r.PromiseDueOn, &r.BrokenPromises, &r.RunningPlanID, &r.InterestFreeze,
		&r.LastInterruptionOn, &r.WithdrawalRequested, &r.Injunction, &r.Irrecoverability, &r.LeaseAgentID,
		&r.LeaseUntil, &r.StageBeforeClose, &r.Version, &r.CreatedAt, &r.UpdatedAt}
}

const creditorColumns = `id, legal_name, siren, siret, vat_number, address_line1, address_line2, postal_code, city, country, contacts,
	iban, bic, mandate_signed_on, commission_bps, fixed_fee_cents, judicial_allowed, notice_deadline_days, legal_status,
	plan_max_months, plan_min_first_cents, plan_min_instalment_cents, plan_misses_before_broken, plan_interest_frozen,
	legal_form, registry, representative_name, representative_title, profession, nationality, born_on, born_in, created_at, updated_at`

func (r *creditorRow) fields() []any {
	return []any{&r.ID, &r.LegalName, &r.Siren, &r.Siret, &r.VATNumber, &r.AddressLine1, &r.AddressLine2, &r.PostalCode, &r.City, &r.Country, &r.Contacts,
		&r.IBAN, &r.BIC, &r.MandateSignedOn, &r.CommissionBps, &r.FixedFeeCents, &r.JudicialAllowed, &r.NoticeDeadlineDays, &r.LegalStatus,
		&r.PlanMaxMonths, &r.PlanMinFirstCents, &r.PlanMinInstalmentCents, &r.PlanMissesBeforeBroken, &r.PlanInterestFrozen,
		&r.LegalForm, &r.Registry, &r.RepresentativeName, &r.RepresentativeTitle, &r.Profession, &r.Nationality, &r.BornOn, &r.BornIn, &r.CreatedAt, &r.UpdatedAt}
}

const debtorColumns = `id, kind, name, siren, siret, vat_number, address_line1, address_line2, postal_code, city, country, emails, phones,
	best_time_to_call, insolvency_proceedings, insolvency_published_on, insolvency_court, created_at, updated_at`

func (r *debtorRow) fields() []any {
	return []any{&r.ID, &r.Kind, &r.Name, &r.Siren, &r.Siret, &r.VATNumber, &r.AddressLine1, &r.AddressLine2, &r.PostalCode, &r.City, &r.Country, &r.Emails, &r.Phones,
		&r.BestTimeToCall, &r.InsolvencyProceedings, &r.InsolvencyPublishedOn, &r.InsolvencyCourt, &r.CreatedAt, &r.UpdatedAt}
}

const claimColumns = `id, case_id, creditor_id, invoice_number, issued_on, due_on, amount_cents, vat_cents, currency, interest_regime,
	contract_rate_bps, nature, corrects, created_at`

func (r *claimRow) fields() []any {
	return []any{&r.ID, &r.CaseID, &r.CreditorID, &r.InvoiceNumber, &r.IssuedOn, &r.DueOn, &r.AmountCents, &r.VATCents, &r.Currency, &r.InterestRegime,
		&r.ContractRateBps, &r.Nature, &r.Corrects, &r.CreatedAt}
}

const paymentColumns = `id, case_id, creditor_id, amount_cents, currency, received_on, method, payer_reference, claim_id, receipt_number,
	recorded_by, reversed_at, reversal_reason, reversed_by, created_at`

func (r *paymentRow) fields() []any {
	return []any{&r.ID, &r.CaseID, &r.CreditorID, &r.AmountCents, &r.Currency, &r.ReceivedOn, &r.Method, &r.PayerReference, &r.ClaimID, &r.ReceiptNumber,
		&r.RecordedBy, &r.ReversedAt, &r.ReversalReason, &r.ReversedBy, &r.CreatedAt}
}

const rateColumns = `kind, period_start, value, source, updated_by, updated_at`

func (r *rateRow) fields() []any {
	return []any{&r.Kind, &r.PeriodStart, &r.Value, &r.Source, &r.UpdatedBy, &r.UpdatedAt}
}

func (r *eventRow) fields() []any {
	return []any{&r.Seq, &r.ID, &r.CaseID, &r.CreditorID, &r.At, &r.ActorUserID, &r.ActorAPIKeyID, &r.Type, &r.Visibility, &r.Data, &r.Tx}
}

const callTaskColumns = `id, case_id, creditor_id, step_run_id, due_at, script, state, outcome, completed_by, completed_at, created_at`

func (r *callTaskRow) fields() []any {
	return []any{&r.ID, &r.CaseID, &r.CreditorID, &r.StepRunID, &r.DueAt, &r.Script, &r.State, &r.Outcome, &r.CompletedBy, &r.CompletedAt, &r.CreatedAt}
}

// scopeArgs is the explicit creditor predicate gorm's scoped adds (on top
// of row security) as SQL on column col with its argument at $n, or
// nothing for staff.
func scopeArgs(scope recouvra.Scope, col string, n string, args []any) (string, []any) {
	if scope.CreditorID == nil {
		return "", args
	}
	return " AND " + col + " = $" + n, append(args, *scope.CreditorID)
}

func caseByIDDirect(ctx context.Context, q direct, scope recouvra.Scope, id uuid.UUID, lock app.RowLock) (recouvra.Case, error) {
	where, args := scopeArgs(scope, "creditor_id", "2", []any{id})
	sql := "SELECT " + caseColumns + " FROM cases WHERE id = $1" + where
	if lock == app.ForUpdate {
		sql += " FOR UPDATE"
	}
	row, err := scanOne(q, ctx, (*caseRow).fields, sql, args...)
	if err != nil {
		return recouvra.Case{}, dbErr(err, whatCase)
	}
	return row.domain(), nil
}

func creditorByIDDirect(ctx context.Context, q direct, scope recouvra.Scope, id uuid.UUID) (recouvra.Creditor, error) {
	where, args := scopeArgs(scope, "id", "2", []any{id})
	row, err := scanOne(q, ctx, (*creditorRow).fields, "SELECT "+creditorColumns+" FROM creditors WHERE id = $1"+where, args...)
	if err != nil {
		return recouvra.Creditor{}, dbErr(err, whatCreditor)
	}
	return row.domain(), nil
}

// debtorWhere is debtorScope's predicate, its creditor at $n.
func debtorWhere(scope recouvra.Scope, n string, args []any) (string, []any) {
	if scope.CreditorID == nil {
		return "", args
	}
	return " AND EXISTS (SELECT 1 FROM cases c WHERE c.debtor_id = debtors.id AND c.creditor_id = $" + n + ")", append(args, *scope.CreditorID)
}

func debtorByIDDirect(ctx context.Context, q direct, scope recouvra.Scope, id uuid.UUID) (recouvra.Debtor, error) {
	where, args := debtorWhere(scope, "2", []any{id})
	row, err := scanOne(q, ctx, (*debtorRow).fields, "SELECT "+debtorColumns+" FROM debtors WHERE id = $1"+where, args...)
	if err != nil {
		return recouvra.Debtor{}, dbErr(err, whatDebtor)
	}
	return row.domain(), nil
}

func debtorNamesDirect(ctx context.Context, q direct, scope recouvra.Scope, ids []uuid.UUID, out map[uuid.UUID]string) error {
	where, args := debtorWhere(scope, "2", []any{ids})
	rows, err := q.Query(ctx, "SELECT id, name FROM debtors WHERE id = ANY($1)"+where, args...)
	if err != nil {
		return dbErr(err, whatDebtor)
	}
	var id uuid.UUID
	var name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error { out[id] = name; return nil })
	return dbErr(err, whatDebtor)
}

func claimsOfCaseDirect(ctx context.Context, q direct, scope recouvra.Scope, caseID uuid.UUID) ([]recouvra.Claim, error) {
	where, args := scopeArgs(scope, "creditor_id", "2", []any{caseID})
	rows, err := q.Query(ctx, "SELECT "+claimColumns+" FROM claims WHERE case_id = $1"+where+" ORDER BY due_on, invoice_number", args...)
	out, err := scanAll(rows, err, (*claimRow).fields)
	if err != nil {
		return nil, dbErr(err, whatClaim)
	}
	return domains(out), nil
}

func paymentsOfCaseDirect(ctx context.Context, q direct, scope recouvra.Scope, caseID uuid.UUID) ([]recouvra.Payment, error) {
	where, args := scopeArgs(scope, "creditor_id", "2", []any{caseID})
	rows, err := q.Query(ctx, "SELECT "+paymentColumns+" FROM payments WHERE case_id = $1"+where+" ORDER BY received_on, created_at, id", args...)
	out, err := scanAll(rows, err, (*paymentRow).fields)
	if err != nil {
		return nil, dbErr(err, whatPayment)
	}
	return domains(out), nil
}

func ratesDirect(ctx context.Context, q direct) ([]recouvra.Rate, error) {
	rows, err := q.Query(ctx, "SELECT "+rateColumns+" FROM rates ORDER BY kind, period_start")
	out, err := scanAll(rows, err, (*rateRow).fields)
	if err != nil {
		return nil, dbErr(err, whatRate)
	}
	return domains(out), nil
}

// plainList is a case list with neither filter nor sort (the list screen's
// first page, and the portal's): newest first along cases_pkey or
// cases_creditor_id_id_key (walked backwards).
func plainList(f app.CaseFilter) bool {
	return f.CreditorID == nil && f.DebtorID == nil && len(f.Stages) == 0 && f.Status == "" && f.AssigneeID == nil &&
		f.DueOn == nil && f.OverduePromiseOn == nil && f.MinBalance == nil && f.MaxBalance == nil && f.Query == "" &&
		f.PlacedFrom == nil && f.PlacedTo == nil && f.Sort == ""
}

func listCasesDirect(ctx context.Context, q direct, scope recouvra.Scope, after *uuid.UUID, limit int) ([]recouvra.Case, error) {
	sql := "SELECT " + caseColumns + " FROM cases WHERE true"
	args := []any{limit}
	if scope.CreditorID != nil {
		args = append(args, *scope.CreditorID)
		sql += " AND creditor_id = $2"
	}
	if after != nil {
		args = append(args, *after)
		sql += " AND cases.id < $" + strconv.Itoa(len(args))
	}
	rows, err := q.Query(ctx, sql+" ORDER BY cases.id DESC LIMIT $1", args...)
	out, err := scanAll(rows, err, (*caseRow).fields)
	if err != nil {
		return nil, dbErr(err, whatCase)
	}
	return domains(out), nil
}

// queueWhereDirect is queueWhere with the agent at $1, today at $2 and now
// at $3.
const queueWhereDirect = `stage IN ('amicable', 'formal_notice')
	AND (assigned_agent_id = $1 OR assigned_agent_id IS NULL)
	AND (next_action_on IS NULL OR next_action_on <= $2)
	AND (lease_until IS NULL OR lease_until < $3 OR lease_agent_id = $1)`

func queueDirect(ctx context.Context, q direct, agent uuid.UUID, today recouvra.Date, now time.Time, limit int) ([]recouvra.Case, error) {
	rows, err := q.Query(ctx, "SELECT "+caseColumns+" FROM cases WHERE "+queueWhereDirect+" ORDER BY "+queueOrder+" LIMIT $4", agent, today, now, limit)
	out, err := scanAll(rows, err, (*caseRow).fields)
	if err != nil {
		return nil, dbErr(err, whatCase)
	}
	return domains(out), nil
}

func lastContactsDirect(ctx context.Context, q direct, ids []uuid.UUID, out map[uuid.UUID]recouvra.Event) error {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (events.case_id) `+eventColumns+` FROM events
		WHERE events.case_id = ANY($1) AND events.type = ANY($2)
		ORDER BY events.case_id, events.tx DESC, events.seq DESC`,
		ids, []string{string(recouvra.EventCall), string(recouvra.EventEmail), string(recouvra.EventLetterSent)})
	got, err := scanAll(rows, err, (*eventRow).fields)
	if err != nil {
		return dbErr(err, whatEvent)
	}
	for _, row := range got {
		out[row.CaseID] = row.domain()
	}
	return nil
}

func creditorNamesDirect(ctx context.Context, q direct, ids []uuid.UUID, out map[uuid.UUID]string) error {
	rows, err := q.Query(ctx, "SELECT id, legal_name FROM creditors WHERE id = ANY($1)", ids)
	if err != nil {
		return dbErr(err, "Créancier")
	}
	var id uuid.UUID
	var name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error { out[id] = name; return nil })
	return dbErr(err, "Créancier")
}

func openCallTasksDirect(ctx context.Context, q direct, ids []uuid.UUID, out map[uuid.UUID]recouvra.CallTask) error {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (case_id) `+callTaskColumns+` FROM call_tasks WHERE case_id = ANY($1) AND state = 'open' ORDER BY case_id, due_at, id`, ids)
	got, err := scanAll(rows, err, (*callTaskRow).fields)
	if err != nil {
		return dbErr(err, whatCallTask)
	}
	for _, row := range got {
		out[row.CaseID] = row.domain()
	}
	return nil
}

// CaseWithParties reads a case with its creditor, debtor and claims (and
// with money its payments and the rates). On a pgx connection the
// statements go in one batch — one round trip, and
// with a Scoped transaction's BEGIN and creditor settings in front of them
// (lazyTx) the whole of GET /cases/{id} after the session lookup is two:
// this and COMMIT. The creditor and the debtor are found through the case
// row by subquery, under the same scope predicates and row security as the
// reads one by one (CaseByID, CreditorByID, DebtorByID, ClaimsOfCase,
// PaymentsOfCase, ListRates), which serve gorm's path.
func (r repo) CaseWithParties(ctx context.Context, scope recouvra.Scope, id uuid.UUID, money bool) (app.CaseParties, error) {
	q := r.direct(ctx, scope)
	bq, ok := q.(batcher)
	if q == nil || !ok {
		return r.caseWithPartiesOneByOne(ctx, scope, id, money)
	}
	// $1 the case, $2 the creditor of a creditor's scope.
	caseWhere, args := scopeArgs(scope, "creditor_id", "2", []any{id})
	creditorWhere, _ := scopeArgs(scope, "id", "2", nil)
	debtorWhere, _ := debtorWhere(scope, "2", nil)
	ofCase := func(col string) string { return "(SELECT " + col + " FROM cases WHERE id = $1" + caseWhere + ")" }
	var b pgx.Batch
	b.Queue("SELECT "+caseColumns+" FROM cases WHERE id = $1"+caseWhere, args...)
	b.Queue("SELECT "+creditorColumns+" FROM creditors WHERE id = "+ofCase("creditor_id")+creditorWhere, args...)
	b.Queue("SELECT "+debtorColumns+" FROM debtors WHERE id = "+ofCase("debtor_id")+debtorWhere, args...)
	b.Queue("SELECT "+claimColumns+" FROM claims WHERE case_id = $1"+caseWhere+" ORDER BY due_on, invoice_number", args...)
	if money {
		b.Queue("SELECT "+paymentColumns+" FROM payments WHERE case_id = $1"+caseWhere+" ORDER BY received_on, created_at, id", args...)
		b.Queue("SELECT " + rateColumns + " FROM rates ORDER BY kind, period_start")
	}
	br := bq.SendBatch(ctx, &b)
	defer br.Close()
	var out app.CaseParties
	var c caseRow
	if err := br.QueryRow().Scan(c.fields()...); err != nil {
		return out, dbErr(err, whatCase)
	}
	var cr creditorRow
	if err := br.QueryRow().Scan(cr.fields()...); err != nil {
		return out, dbErr(err, whatCreditor)
	}
	var d debtorRow
	if err := br.QueryRow().Scan(d.fields()...); err != nil {
		return out, dbErr(err, whatDebtor)
	}
	rows, err := br.Query()
	claims, err := scanAll(rows, err, (*claimRow).fields)
	if err != nil {
		return out, dbErr(err, whatClaim)
	}
	if money {
		rows, err := br.Query()
		payments, err := scanAll(rows, err, (*paymentRow).fields)
		if err != nil {
			return out, dbErr(err, whatPayment)
		}
		rows, err = br.Query()
		rates, err := scanAll(rows, err, (*rateRow).fields)
		if err != nil {
			return out, dbErr(err, whatRate)
		}
		out.Payments, out.Rates = domains(payments), domains(rates)
	}
	if err := br.Close(); err != nil {
		return out, dbErr(err, whatCase)
	}
	out.Case, out.Creditor, out.Debtor, out.Claims = c.domain(), cr.domain(), d.domain(), domains(claims)
	return out, nil
}

func (r repo) caseWithPartiesOneByOne(ctx context.Context, scope recouvra.Scope, id uuid.UUID, money bool) (app.CaseParties, error) {
	var out app.CaseParties
	var err error
	if out.Case, err = r.CaseByID(ctx, scope, id, app.NoLock); err != nil {
		return out, err
	}
	if out.Creditor, err = r.CreditorByID(ctx, scope, out.Case.CreditorID); err != nil {
		return out, err
	}
	if out.Debtor, err = r.DebtorByID(ctx, scope, out.Case.DebtorID); err != nil {
		return out, err
	}
	if out.Claims, err = r.ClaimsOfCase(ctx, scope, id); err != nil || !money {
		return out, err
	}
	if out.Payments, err = r.PaymentsOfCase(ctx, scope, id); err != nil {
		return out, err
	}
	out.Rates, err = r.ListRates(ctx)
	return out, err
}

package postgres

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Payments recorded as a batch (app.Service.recordPayments, the one path
// of RecordPayment and of the bank statement's sure matches): each kind of
// row is read or written in one statement for the whole batch.

// CasesByIDs reads the cases of ids the scope may see, in id order; with
// ForUpdate they are locked in that order (two batches sharing cases wait
// on each other instead of deadlocking).
func (r repo) CasesByIDs(ctx context.Context, scope recouvra.Scope, ids []uuid.UUID, lock app.RowLock) ([]recouvra.Case, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if q := r.direct(ctx, scope); q != nil {
		return casesByIDsDirect(ctx, q, scope, ids, lock)
	}
	var rows []caseRow
	q := scoped(r.q(ctx), scope, "creditor_id").Where("id IN ?", ids).Order("id")
	if lock == app.ForUpdate {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatCase)
	}
	return domains(rows), nil
}

// PaymentsOfCases reads the payments of many cases, each case's in the
// order PaymentsOfCase gives.
func (r repo) PaymentsOfCases(ctx context.Context, scope recouvra.Scope, caseIDs []uuid.UUID) (map[uuid.UUID][]recouvra.Payment, error) {
	out := make(map[uuid.UUID][]recouvra.Payment, len(caseIDs))
	if len(caseIDs) == 0 {
		return out, nil
	}
	if q := r.direct(ctx, scope); q != nil {
		return out, paymentsOfCasesDirect(ctx, q, scope, caseIDs, out)
	}
	var rows []paymentRow
	if err := scoped(r.q(ctx), scope, "creditor_id").Where("case_id IN ?", caseIDs).Order("case_id, received_on, created_at, id").Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatPayment)
	}
	for _, row := range rows {
		out[row.CaseID] = append(out[row.CaseID], row.domain())
	}
	return out, nil
}

// BadEmailsOf reads the refused addresses of many debtors, each debtor's
// newest first as BadEmails gives them.
func (r repo) BadEmailsOf(ctx context.Context, debtorIDs []uuid.UUID) (map[uuid.UUID][]recouvra.BadEmail, error) {
	out := make(map[uuid.UUID][]recouvra.BadEmail, len(debtorIDs))
	if len(debtorIDs) == 0 {
		return out, nil
	}
	var rows []badEmailRow
	if err := r.q(ctx).Where("debtor_id IN ?", debtorIDs).Order("debtor_id, marked_at DESC").Find(&rows).Error; err != nil {
		return nil, dbErr(err, "Adresse e-mail refusée")
	}
	for _, b := range rows {
		e := recouvra.BadEmail{DebtorID: b.DebtorID, Email: b.Email, Reason: b.Reason, MessageID: b.MessageID, MarkedAt: b.MarkedAt.UTC()}
		if b.SMTPCode != nil {
			e.SMTPCode = *b.SMTPCode
		}
		out[b.DebtorID] = append(out[b.DebtorID], e)
	}
	return out, nil
}

// InsertMails queues new mails in one statement; one whose source is
// already queued is skipped, as InsertMail does.
func (r repo) InsertMails(ctx context.Context, ms []recouvra.MailMessage) error {
	if len(ms) == 0 {
		return nil
	}
	rows := make([]mailRow, len(ms))
	for i := range ms {
		rows[i] = mailRowOf(&ms[i])
	}
	err := r.q(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "source_key"}}, DoNothing: true}).Create(&rows).Error
	return dbErr(err, whatMail)
}

// caseColumnTypes maps each column of cases to its SQL type, read once
// from the catalogue (AdvanceCases casts its values with them).
var caseColumnTypes struct {
	sync.Mutex
	types map[string]string
}

func (r repo) caseTypes(ctx context.Context) (map[string]string, error) {
	caseColumnTypes.Lock()
	defer caseColumnTypes.Unlock()
	if caseColumnTypes.types != nil {
		return caseColumnTypes.types, nil
	}
	var rows []struct {
		Name string
		Type string
	}
	if err := r.q(ctx).Raw(`SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
		WHERE attrelid = 'cases'::regclass AND attnum > 0 AND NOT attisdropped`).Scan(&rows).Error; err != nil {
		return nil, dbErr(err, whatCase)
	}
	types := make(map[string]string, len(rows))
	for _, row := range rows {
		types[row.Name] = row.Type
	}
	caseColumnTypes.types = types
	return types, nil
}

// AdvanceCases is AdvanceCase for many cases in one statement: every
// column but the id, reference, creditor and creation time is saved from
// each case, if each is still at its expected version; otherwise nothing
// is and the answer is precondition failed.
func (r repo) AdvanceCases(ctx context.Context, cs []app.CaseAdvance) error {
	if len(cs) == 0 {
		return nil
	}
	if len(cs) == 1 {
		return r.AdvanceCase(ctx, cs[0].Case, cs[0].Expected, cs[0].Steps)
	}
	types, err := r.caseTypes(ctx)
	if err != nil {
		return err
	}
	var cols []string
	for _, c := range strings.Split(caseColumns, ",") {
		cols = append(cols, strings.TrimPrefix(strings.TrimSpace(c), "cases."))
	}
	skip := map[string]bool{"reference": true, "creditor_id": true, "created_at": true}
	var sets, names, casts []string
	names = append(names, "expected")
	casts = append(casts, "CAST(? AS integer)")
	for _, col := range cols {
		if skip[col] {
			continue
		}
		t, ok := types[col]
		if !ok {
			return fmt.Errorf("cases.%s: no such column", col)
		}
		names, casts = append(names, col), append(casts, "CAST(? AS "+t+")")
		if col != "id" {
			sets = append(sets, col+" = v."+col)
		}
	}
	row := "(" + strings.Join(casts, ", ") + ")"
	var values []string
	args := make([]any, 0, len(cs)*len(names))
	for _, a := range cs {
		a.Case.Version = a.Expected + a.Steps
		cr := caseRowOf(a.Case)
		args = append(args, a.Expected)
		for i, f := range cr.fields() {
			if skip[cols[i]] {
				continue
			}
			args = append(args, reflect.ValueOf(f).Elem().Interface())
		}
		values = append(values, row)
	}
	res := r.q(ctx).Exec(`UPDATE "cases" AS c SET `+strings.Join(sets, ", ")+`
		FROM (VALUES `+strings.Join(values, ", ")+`) AS v(`+strings.Join(names, ", ")+`)
		WHERE c.id = v.id AND c.version = v.expected`, args...)
	if res.Error == nil && res.RowsAffected != int64(len(cs)) {
		res.Error = stale()
	}
	if res.Error != nil {
		for _, a := range cs {
			a.Case.Version = a.Expected
		}
		if recouvra.ErrorCode(res.Error) == recouvra.ECodePrecondition {
			return res.Error
		}
		return dbErr(res.Error, whatCase)
	}
	return nil
}

package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatLedger = "Grand livre"

// LedgerCreditors reads, per creditor, the balances of its accounts and
// the credits to owed_to_creditor per day (for the FIFO reading of funds
// held too long), plus the client account's balance. A creditor's scope
// sees its own accounts only (row security); client_bank is then 0.
func (r repo) LedgerCreditors(ctx context.Context, scope recouvra.Scope, creditorID *uuid.UUID, currency string) ([]app.LedgerCreditorRow, int64, error) {
	type sumRow struct {
		CreditorID      uuid.UUID
		LegalName       string
		RemitWithinDays *int
		HeldCents       int64
		ReceivableCents int64
		DirectCents     int64
	}
	var sums []sumRow
	q := r.q(ctx).Raw(`SELECT e.creditor_id, c.legal_name, c.remit_within_days,
			-coalesce(sum(e.amount_cents) FILTER (WHERE e.account = 'owed_to_creditor'), 0) AS held_cents,
			coalesce(sum(e.amount_cents) FILTER (WHERE e.account = 'commission_receivable'), 0) AS receivable_cents,
			coalesce(sum(e.amount_cents) FILTER (WHERE e.account = 'creditor_direct'), 0) AS direct_cents
		  FROM ledger_entries e JOIN creditors c ON c.id = e.creditor_id
		 WHERE e.account IN ('owed_to_creditor', 'commission_receivable', 'creditor_direct') AND e.currency = ?
		   AND (?::uuid IS NULL OR e.creditor_id = ?::uuid) AND (?::uuid IS NULL OR e.creditor_id = ?::uuid)
		 GROUP BY e.creditor_id, c.legal_name, c.remit_within_days
		HAVING sum(e.amount_cents) FILTER (WHERE e.account = 'owed_to_creditor') <> 0
		    OR sum(e.amount_cents) FILTER (WHERE e.account = 'commission_receivable') <> 0
		    OR ?::uuid IS NOT NULL
		 ORDER BY c.legal_name`, currency, creditorID, creditorID, scope.CreditorID, scope.CreditorID, creditorID)
	if err := q.Scan(&sums).Error; err != nil {
		return nil, 0, dbErr(err, whatLedger)
	}
	out := make([]app.LedgerCreditorRow, len(sums))
	at := map[uuid.UUID]int{}
	var ids []uuid.UUID
	for i, s := range sums {
		out[i] = app.LedgerCreditorRow{CreditorID: s.CreditorID, LegalName: s.LegalName, HeldCents: s.HeldCents, ReceivableCents: s.ReceivableCents, DirectCents: s.DirectCents}
		if s.RemitWithinDays != nil {
			out[i].RemitWithinDays = *s.RemitWithinDays
		}
		at[s.CreditorID] = i
		if s.HeldCents > 0 {
			ids = append(ids, s.CreditorID)
		}
	}
	if len(ids) > 0 {
		// What was credited to each creditor, per day the money came in.
		// A reversal takes back the money of the payment it reverses, so
		// it counts on that payment's day, not its own: booked on the day
		// a newer payment came in, it would cancel that one and leave the
		// older, reversed money to be read as held too long (R124-6).
		var credits []struct {
			CreditorID uuid.UUID
			BookedOn   recouvra.Date
			Cents      int64
		}
		err := r.q(ctx).Raw(`SELECT e.creditor_id, coalesce(p.received_on, e.booked_on) AS booked_on, -sum(e.amount_cents) AS cents
			  FROM ledger_entries e LEFT JOIN payments p ON p.id = e.payment_id AND e.kind = 'payment_reversal'
			 WHERE e.account = 'owed_to_creditor' AND e.kind IN ('payment', 'payment_reversal') AND e.currency = ? AND e.creditor_id = ANY(?::uuid[])
			 GROUP BY e.creditor_id, 2
			 ORDER BY e.creditor_id, 2 DESC`, currency, uuidStrings(ids)).Scan(&credits).Error
		if err != nil {
			return nil, 0, dbErr(err, whatLedger)
		}
		for _, c := range credits {
			i := at[c.CreditorID]
			out[i].Credits = append(out[i].Credits, recouvra.DatedAmount{On: c.BookedOn, Cents: c.Cents})
		}
	}
	var bank int64
	if scope.CreditorID == nil && !scope.Denied() {
		if err := r.q(ctx).Raw(`SELECT coalesce(sum(amount_cents), 0) FROM ledger_entries WHERE account = 'client_bank' AND currency = ?`, currency).
			Scan(&bank).Error; err != nil {
			return nil, 0, dbErr(err, whatLedger)
		}
	}
	return out, bank, nil
}

func uuidStrings(ids []uuid.UUID) string {
	out := make([]*string, len(ids))
	for i, id := range ids {
		s := id.String()
		out[i] = &s
	}
	return arrayLiteral(out)
}

// arrayLiteral writes a PostgreSQL array literal ('{"a","b",NULL}') for a
// parameter cast to an array type: gorm would spread a Go slice into a
// list of parameters.
func arrayLiteral(items []*string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		if it == nil {
			b.WriteString("NULL")
			continue
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(*it))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

func textArray(items []string) string {
	p := make([]*string, len(items))
	for i := range items {
		p[i] = &items[i]
	}
	return arrayLiteral(p)
}

func intArray(items []int64) string {
	p := make([]*string, len(items))
	for i, n := range items {
		s := strconv.FormatInt(n, 10)
		p[i] = &s
	}
	return arrayLiteral(p)
}

type ledgerRow struct {
	ID          int64
	TxnID       uuid.UUID
	Kind        string
	Account     string
	CreditorID  *uuid.UUID
	AmountCents int64
	Currency    string
	BookedOn    recouvra.Date
	PaymentID   *uuid.UUID
	CreatedAt   time.Time
}

// LedgerLines lists lines newest first; a creditor's scope gets its own
// accounts' lines (row security, and the filter here).
func (r repo) LedgerLines(ctx context.Context, scope recouvra.Scope, creditorID *uuid.UUID, beforeID int64, limit int) ([]app.LedgerLine, error) {
	var rows []ledgerRow
	q := scoped(r.q(ctx).Table("ledger_entries"), scope, "creditor_id")
	if scope.CreditorID != nil {
		q = q.Where("account IN ?", []string{"owed_to_creditor", "commission_receivable", "creditor_direct", "creditor_direct_offset"})
	}
	if creditorID != nil {
		q = q.Where("creditor_id = ?", *creditorID)
	}
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatLedger)
	}
	out := make([]app.LedgerLine, len(rows))
	for i, x := range rows {
		out[i] = app.LedgerLine{ID: x.ID, TxnID: x.TxnID, Kind: recouvra.LedgerTxnKind(x.Kind), BookedOn: x.BookedOn, PaymentID: x.PaymentID, CreatedAt: x.CreatedAt.UTC(),
			Entry: recouvra.LedgerEntry{Account: recouvra.LedgerAccount(x.Account), CreditorID: x.CreditorID, AmountCents: x.AmountCents, Currency: strings.TrimSpace(x.Currency)}}
	}
	return out, nil
}

// LedgerRevenue sums the credits to the agency's revenue and VAT accounts
// per month of their booking day (credits are negative: the sums are
// turned positive).
func (r repo) LedgerRevenue(ctx context.Context, from, to recouvra.Date, currency string) ([]app.CommissionMonth, error) {
	var rows []struct {
		Month                                string
		CommissionCents, FeesCents, VATCents int64
	}
	err := r.q(ctx).Raw(`SELECT to_char(booked_on, 'YYYY-MM') AS month,
			-coalesce(sum(amount_cents) FILTER (WHERE account = 'agency_revenue_commission'), 0) AS commission_cents,
			-coalesce(sum(amount_cents) FILTER (WHERE account = 'agency_revenue_fees'), 0) AS fees_cents,
			-coalesce(sum(amount_cents) FILTER (WHERE account = 'vat_collected'), 0) AS vat_cents
		  FROM ledger_entries
		 WHERE account IN ('agency_revenue_commission', 'agency_revenue_fees', 'vat_collected') AND currency = ? AND booked_on BETWEEN ? AND ?
		 GROUP BY 1 ORDER BY 1`, currency, from, to).Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatLedger)
	}
	out := make([]app.CommissionMonth, len(rows))
	for i, x := range rows {
		out[i] = app.CommissionMonth{Month: x.Month, CommissionCents: x.CommissionCents, FeesCents: x.FeesCents, VATCents: x.VATCents}
	}
	return out, nil
}

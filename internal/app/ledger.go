package app

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// LedgerCreditorRow is one creditor's accounts as the ledger holds them,
// with what was credited to what is held, per day, for the FIFO reading of
// funds held too long.
type LedgerCreditorRow struct {
	CreditorID      uuid.UUID
	LegalName       string
	RemitWithinDays int // 0: one month (R124-6)
	HeldCents       int64
	ReceivableCents int64
	DirectCents     int64
	Credits         []recouvra.DatedAmount
}

// LedgerLine is one stored ledger entry.
type LedgerLine struct {
	ID        int64
	TxnID     uuid.UUID
	Kind      recouvra.LedgerTxnKind
	Entry     recouvra.LedgerEntry
	BookedOn  recouvra.Date
	PaymentID *uuid.UUID
	CreatedAt time.Time
}

// CommissionMonth is what the agency earned in a month.
type CommissionMonth struct {
	Month                                string // YYYY-MM
	CommissionCents, FeesCents, VATCents int64
}

// CreditorBalance is one creditor's line of the balances report.
type CreditorBalance struct {
	CreditorID      uuid.UUID
	LegalName       string
	Account         string
	HeldCents       int64
	ReceivableCents int64
	DirectCents     int64
	OverdueCents    int64
	OldestOverdueOn recouvra.Date
	RemitWithinDays int
}

// LedgerBalances is the balances report.
type LedgerBalances struct {
	AsOf              recouvra.Date
	Currency          string
	Agency            bool // the caller sees the agency's figures (client bank, unexplained)
	ClientBankCents   int64
	UnexplainedCents  int64
	HeldTotalCents    int64
	OverdueTotalCents int64
	Creditors         []CreditorBalance
}

// Balances reads what the client account holds for each creditor on
// today, and what of it is held past the time allowed (CPCE R124-6): an
// admin every creditor (or one), a creditor its own.
func (s *Service) Balances(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID, currency string, overdueOnly bool) (LedgerBalances, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor, recouvra.RoleAccountant); err != nil {
		return LedgerBalances{}, err
	}
	if currency == "" {
		currency = "EUR"
	}
	if !currencyCode.MatchString(currency) {
		return LedgerBalances{}, recouvra.Invalid("Devise invalide.", recouvra.FieldError{Field: "query.currency", Code: "invalid", Message: "Code de devise ISO 4217 attendu, par exemple EUR."})
	}
	scope := p.Scope()
	if creditorID == nil {
		creditorID = scope.CreditorID
	}
	today := s.today()
	out := LedgerBalances{AsOf: today, Currency: currency, Agency: scope.CreditorID == nil && !scope.Denied(), Creditors: []CreditorBalance{}}
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if creditorID != nil {
			if _, err := r.CreditorByID(ctx, scope, *creditorID); err != nil {
				return err // another creditor's: 404
			}
		}
		rows, bank, err := r.LedgerCreditors(ctx, scope, creditorID, currency)
		if err != nil {
			return err
		}
		out.ClientBankCents = bank
		for _, row := range rows {
			over, oldest := recouvra.HeldTooLong(row.HeldCents, row.Credits, today, row.RemitWithinDays)
			out.HeldTotalCents += row.HeldCents
			out.OverdueTotalCents += over
			if overdueOnly && over == 0 {
				continue
			}
			cr := row.CreditorID
			out.Creditors = append(out.Creditors, CreditorBalance{CreditorID: cr, LegalName: row.LegalName,
				Account:   recouvra.LedgerEntry{Account: recouvra.AccountOwedToCreditor, CreditorID: &cr}.Name(),
				HeldCents: row.HeldCents, ReceivableCents: row.ReceivableCents, DirectCents: row.DirectCents,
				OverdueCents: over, OldestOverdueOn: oldest, RemitWithinDays: row.RemitWithinDays})
		}
		return nil
	})
	if err != nil {
		return LedgerBalances{}, err
	}
	if out.Agency && creditorID == nil {
		out.UnexplainedCents = out.ClientBankCents - out.HeldTotalCents
	}
	sort.SliceStable(out.Creditors, func(i, j int) bool {
		if out.Creditors[i].OverdueCents != out.Creditors[j].OverdueCents {
			return out.Creditors[i].OverdueCents > out.Creditors[j].OverdueCents
		}
		return out.Creditors[i].LegalName < out.Creditors[j].LegalName
	})
	return out, nil
}

// LedgerEntries lists the ledger's lines, newest first: an admin all (or
// one creditor's), a creditor its own accounts' lines (row security).
func (s *Service) LedgerEntries(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID, limit int) ([]LedgerLine, bool, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleCreditor, recouvra.RoleAccountant); err != nil {
		return nil, false, err
	}
	if limit <= 0 {
		limit = 100
	}
	scope := p.Scope()
	var out []LedgerLine
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if creditorID != nil {
			if _, err := r.CreditorByID(ctx, scope, *creditorID); err != nil {
				return err
			}
		}
		var err error
		out, err = r.LedgerLines(ctx, scope, creditorID, 0, limit+1)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	truncated := len(out) > limit
	if truncated {
		out = out[:limit]
	}
	return out, truncated, nil
}

// Commission reads what the agency earned per month, from to to (YYYY-MM,
// both included; the last 12 months by default, 36 at most).
func (s *Service) Commission(ctx context.Context, p recouvra.Principal, from, to, currency string) ([]CommissionMonth, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAccountant); err != nil {
		return nil, err
	}
	if currency == "" {
		currency = "EUR"
	}
	today := s.today()
	first := func(s string, def recouvra.Date, field string) (recouvra.Date, error) {
		if s == "" {
			return def, nil
		}
		d, err := recouvra.ParseDate(s + "-01")
		if err != nil {
			return recouvra.Date{}, recouvra.Invalid("Mois invalide.", recouvra.FieldError{Field: "query." + field, Code: "invalid", Message: "Mois attendu sous la forme AAAA-MM."})
		}
		return d, nil
	}
	thisMonth := recouvra.NewDate(today.Year(), today.Month(), 1)
	to0, err := first(to, thisMonth, "to")
	if err != nil {
		return nil, err
	}
	from0, err := first(from, to0.AddMonths(-11), "from")
	if err != nil {
		return nil, err
	}
	n := (to0.Year()-from0.Year())*12 + int(to0.Month()) - int(from0.Month()) + 1
	if n < 1 || n > 36 {
		return nil, recouvra.Invalid("Période invalide.", recouvra.FieldError{Field: "query.from", Code: "out_of_range",
			Message: fmt.Sprintf("De 1 à 36 mois, « from » au plus tard « to » (ici %d).", n)})
	}
	months := make([]CommissionMonth, n)
	idx := map[string]int{}
	for i := range months {
		m := from0.AddMonths(i)
		months[i].Month = fmt.Sprintf("%04d-%02d", m.Year(), int(m.Month()))
		idx[months[i].Month] = i
	}
	err = s.store.Scoped(ctx, recouvra.AllCreditors, func(r Repo) error {
		got, err := r.LedgerRevenue(ctx, from0, to0.AddMonths(1).AddDays(-1), currency)
		if err != nil {
			return err
		}
		for _, g := range got {
			if i, ok := idx[g.Month]; ok {
				months[i] = g
			}
		}
		return nil
	})
	return months, err
}

package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/bankfile"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const (
	whatBankEntry  = "Écriture bancaire"
	whatBankImport = "Import de relevé"
)

// Bank statements (migration 00020): the agency's own account, staff only.

type bankImportRow struct {
	ID         uuid.UUID
	Format     string
	FileName   string
	Entries    int
	Duplicates int
	ImportedBy *uuid.UUID
	CreatedAt  time.Time
}

func (bankImportRow) TableName() string { return "bank_imports" }

type bankEntryRow struct {
	ID              uuid.UUID
	ImportID        uuid.UUID
	Account         string
	StatementID     string
	EntryRef        string
	EndToEndID      string `gorm:"column:end_to_end_id"`
	BookedOn        recouvra.Date
	ValueOn         recouvra.Date
	AmountCents     int64
	Currency        string
	Credit          bool
	Reversal        bool
	Unstructured    string
	Structured      string
	DebtorName      string
	DebtorIBAN      string `gorm:"column:debtor_iban"`
	Position        string
	Status          string
	CaseID          *uuid.UUID
	CreditorID      *uuid.UUID
	PaymentID       *uuid.UUID
	ReversesEntryID *uuid.UUID
	MatchRule       string
	Confidence      int
	Note            string
	DecidedBy       *uuid.UUID
	DecidedAt       *time.Time
	CreatedAt       time.Time
	CaseReference   string `gorm:"->;column:case_reference"` // read only, joined
}

func (bankEntryRow) TableName() string { return "bank_entries" }

func (r bankEntryRow) domain() app.BankEntry {
	return app.BankEntry{
		Entry: bankfile.Entry{Account: r.Account, StatementID: r.StatementID, Reference: r.EntryRef, EndToEndID: r.EndToEndID,
			BookedOn: r.BookedOn, ValueOn: r.ValueOn, AmountCents: r.AmountCents, Currency: strings.TrimSpace(r.Currency), Credit: r.Credit,
			Reversal: r.Reversal, Unstructured: r.Unstructured, Structured: r.Structured, DebtorName: r.DebtorName, DebtorIBAN: r.DebtorIBAN, Where: r.Position},
		ID: r.ID, ImportID: r.ImportID, Status: app.BankStatus(r.Status), CaseID: r.CaseID, CaseReference: r.CaseReference, CreditorID: r.CreditorID,
		PaymentID: r.PaymentID, ReversesEntryID: r.ReversesEntryID, MatchRule: r.MatchRule, Confidence: r.Confidence, Note: r.Note,
		DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, CreatedAt: r.CreatedAt,
	}
}

func (r repo) InsertBankImport(ctx context.Context, imp app.BankImport) error {
	row := bankImportRow{ID: imp.ID, Format: string(imp.Format), FileName: imp.FileName, Entries: imp.Entries, Duplicates: imp.Duplicates,
		ImportedBy: imp.ImportedBy, CreatedAt: imp.CreatedAt}
	return dbErr(r.q(ctx).Create(&row).Error, whatBankImport)
}

// UpdateBankImportCounts sets an import's entry and duplicate counts, known
// once its file has been read to the end, in one statement.
func (r repo) UpdateBankImportCounts(ctx context.Context, id uuid.UUID, entries, duplicates int) error {
	return oneRow(r.q(ctx).Model(&bankImportRow{}).Where("id = ?", id).
		Updates(map[string]any{"entries": entries, "duplicates": duplicates}), whatBankImport)
}

// InsertBankEntries inserts in batches; an entry already known (same
// account, statement and reference, in the table or earlier in the same
// file) is skipped.
func (r repo) InsertBankEntries(ctx context.Context, entries []app.BankEntry) (int, error) {
	if len(entries) == 0 {
		return 0, nil
	}
	rows := make([]bankEntryRow, len(entries))
	for i, e := range entries {
		rows[i] = bankEntryRow{ID: e.ID, ImportID: e.ImportID, Account: e.Account, StatementID: e.StatementID, EntryRef: e.Reference,
			EndToEndID: e.EndToEndID, BookedOn: e.BookedOn, ValueOn: e.ValueOn, AmountCents: e.AmountCents, Currency: e.Currency,
			Credit: e.Credit, Reversal: e.Reversal, Unstructured: e.Unstructured, Structured: e.Structured, DebtorName: e.DebtorName,
			DebtorIBAN: e.DebtorIBAN, Position: e.Where, Status: string(e.Status), CreatedAt: e.CreatedAt}
	}
	res := r.q(ctx).Omit("case_reference").Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 1000)
	if res.Error != nil {
		return 0, dbErr(res.Error, whatBankEntry)
	}
	return int(res.RowsAffected), nil
}

// PendingBankEntriesLocked reads and locks up to limit entries still to
// match, oldest first; entries another import is matching (locked) are
// skipped, so two imports share the work instead of waiting on each other.
func (r repo) PendingBankEntriesLocked(ctx context.Context, limit int) ([]app.BankEntry, error) {
	var rows []bankEntryRow
	err := r.q(ctx).Raw(bankEntrySelect+" WHERE b.status = 'pending' ORDER BY b.id LIMIT ? FOR UPDATE OF b SKIP LOCKED", limit).Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatBankEntry)
	}
	return domains(rows), nil
}

// UpdateBankEntries saves the decisions on many entries in one statement,
// as UpdateBankEntry does for one (the creditor is the case's).
func (r repo) UpdateBankEntries(ctx context.Context, entries []app.BankEntry) error {
	if len(entries) == 0 {
		return nil
	}
	n := len(entries)
	ids, statuses, cases, payments, reverses := make([]*string, n), make([]string, n), make([]*string, n), make([]*string, n), make([]*string, n)
	rules, confidences, notes, deciders, decided := make([]string, n), make([]int64, n), make([]string, n), make([]*string, n), make([]*string, n)
	str := func(id *uuid.UUID) *string {
		if id == nil {
			return nil
		}
		v := id.String()
		return &v
	}
	for i, e := range entries {
		ids[i], statuses[i], cases[i], payments[i], reverses[i] = str(&e.ID), string(e.Status), str(e.CaseID), str(e.PaymentID), str(e.ReversesEntryID)
		rules[i], confidences[i], notes[i], deciders[i] = e.MatchRule, int64(e.Confidence), e.Note, str(e.DecidedBy)
		if e.DecidedAt != nil {
			v := e.DecidedAt.UTC().Format(time.RFC3339Nano)
			decided[i] = &v
		}
	}
	// The creditor as a subquery per row: a join would let the planner
	// hash the whole cases table for a batch of a few hundred.
	res := r.q(ctx).Exec(`UPDATE bank_entries b SET status = u.status, case_id = u.case_id, creditor_id = (SELECT creditor_id FROM cases WHERE id = u.case_id),
		payment_id = u.payment_id, reverses_entry_id = u.reverses, match_rule = u.rule, confidence = u.confidence, note = u.note,
		decided_by = u.decided_by, decided_at = u.decided_at
		  FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::int[], ?::text[], ?::uuid[], ?::timestamptz[])
		       AS u(id, status, case_id, payment_id, reverses, rule, confidence, note, decided_by, decided_at)
		 WHERE b.id = u.id`,
		arrayLiteral(ids), textArray(statuses), arrayLiteral(cases), arrayLiteral(payments), arrayLiteral(reverses), textArray(rules),
		intArray(confidences), textArray(notes), arrayLiteral(deciders), arrayLiteral(decided))
	if res.Error != nil {
		return dbErr(res.Error, whatBankEntry)
	}
	if res.RowsAffected != int64(n) {
		return notFound(whatBankEntry)
	}
	return nil
}

// bankEntries selects entries with their case's reference.
const bankEntrySelect = `SELECT b.*, COALESCE(c.reference, '') AS case_reference FROM bank_entries b LEFT JOIN cases c ON c.id = b.case_id`

func (r repo) BankEntryByID(ctx context.Context, id uuid.UUID, lock app.RowLock) (app.BankEntry, error) {
	sql := bankEntrySelect + " WHERE b.id = ?"
	if lock == app.ForUpdate {
		sql += " FOR UPDATE OF b"
	}
	var rows []bankEntryRow
	if err := r.q(ctx).Raw(sql, id).Scan(&rows).Error; err != nil {
		return app.BankEntry{}, dbErr(err, whatBankEntry)
	}
	if len(rows) == 0 {
		return app.BankEntry{}, notFound(whatBankEntry)
	}
	return rows[0].domain(), nil
}

// UpdateBankEntry saves the decision; the creditor is the case's.
func (r repo) UpdateBankEntry(ctx context.Context, e app.BankEntry) error {
	res := r.q(ctx).Exec(`UPDATE bank_entries SET status = ?, case_id = ?, creditor_id = (SELECT creditor_id FROM cases WHERE id = ?),
		payment_id = ?, reverses_entry_id = ?, match_rule = ?, confidence = ?, note = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
		string(e.Status), e.CaseID, e.CaseID, e.PaymentID, e.ReversesEntryID, e.MatchRule, e.Confidence, e.Note, e.DecidedBy, e.DecidedAt, e.ID)
	return oneRow(res, whatBankEntry)
}

func (r repo) ListBankEntries(ctx context.Context, status app.BankStatus, after *uuid.UUID, limit int) ([]app.BankEntry, error) {
	sql, args := bankEntrySelect+" WHERE b.status = ?", []any{string(status)}
	if after != nil {
		sql, args = sql+" AND b.id < ?", append(args, *after)
	}
	var rows []bankEntryRow
	if err := r.q(ctx).Raw(sql+" ORDER BY b.id DESC LIMIT ?", append(args, limit)...).Scan(&rows).Error; err != nil {
		return nil, dbErr(err, whatBankEntry)
	}
	return domains(rows), nil
}

func (r repo) BookedCreditFor(ctx context.Context, e app.BankEntry) (*app.BankEntry, error) {
	var conds []string
	args := []any{e.Account, e.AmountCents, e.ID}
	if e.EndToEndID != "" {
		conds, args = append(conds, "b.end_to_end_id = ?"), append(args, e.EndToEndID)
	}
	if e.Reversal && e.Structured != "" {
		conds, args = append(conds, "b.structured = ?"), append(args, e.Structured)
	}
	if len(conds) == 0 {
		return nil, nil
	}
	var rows []bankEntryRow
	err := r.q(ctx).Raw(bankEntrySelect+` WHERE b.account = ? AND b.amount_cents = ? AND b.id <> ? AND b.credit AND b.status = 'booked'
		AND (`+strings.Join(conds, " OR ")+`) ORDER BY b.id LIMIT 1 FOR UPDATE OF b`, args...).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, dbErr(err, whatBankEntry)
	}
	e2 := rows[0].domain()
	return &e2, nil
}

// caseBriefs selects what matching needs of cases, alias c.
const caseBriefs = `SELECT c.id, c.reference, c.creditor_id, cr.legal_name AS creditor_name, d.name AS debtor_name, c.balance_cents, c.currency,
	c.stage <> 'closed' AS open
	FROM cases c JOIN debtors d ON d.id = c.debtor_id JOIN creditors cr ON cr.id = c.creditor_id `

type caseBriefRow struct {
	ID           uuid.UUID
	Reference    string
	CreditorID   uuid.UUID
	CreditorName string
	DebtorName   string
	BalanceCents int64
	Currency     string
	Open         bool
}

func (r caseBriefRow) domain() app.CaseBrief {
	return app.CaseBrief{ID: r.ID, Reference: r.Reference, CreditorID: r.CreditorID, CreditorName: r.CreditorName, DebtorName: r.DebtorName,
		BalanceCents: r.BalanceCents, Currency: strings.TrimSpace(r.Currency), Open: r.Open}
}

func (r repo) briefs(ctx context.Context, sql string, args ...any) ([]app.CaseBrief, error) {
	var rows []caseBriefRow
	if err := r.q(ctx).Raw(caseBriefs+sql, args...).Scan(&rows).Error; err != nil {
		return nil, dbErr(err, whatCase)
	}
	return domains(rows), nil
}

func (r repo) CasesByReferences(ctx context.Context, refs []string) ([]app.CaseBrief, error) {
	// A reference names one case: as many rows as refs at most.
	return r.briefs(ctx, "WHERE c.reference IN ? ORDER BY c.id", refs)
}

func (r repo) CasesByInvoiceNumbers(ctx context.Context, numbers []string) ([]app.CaseBrief, error) {
	return r.briefs(ctx, "WHERE c.id IN (SELECT case_id FROM claims WHERE invoice_number IN ? AND amount_cents > 0) ORDER BY c.id LIMIT 10", numbers)
}

func (r repo) CasesByPayerIBAN(ctx context.Context, iban string) ([]app.CaseBrief, error) {
	return r.briefs(ctx, `WHERE c.id IN (SELECT case_id FROM bank_entries WHERE debtor_iban = ? AND case_id IS NOT NULL
		AND status IN ('booked', 'reversed')) ORDER BY c.id LIMIT 10`, iban)
}

// CasesByDebtorName finds the open cases of debtors whose name is the
// payer's or close to it (trigrams, index debtors_name_trgm).
func (r repo) CasesByDebtorName(ctx context.Context, name string, limit int) ([]app.CaseBrief, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	return r.briefs(ctx, `WHERE c.stage <> 'closed' AND c.debtor_id IN (SELECT id FROM debtors WHERE lower(name) % ? ORDER BY similarity(lower(name), ?) DESC LIMIT 20)
		ORDER BY similarity(lower(d.name), ?) DESC, c.id LIMIT ?`, n, n, n, limit)
}

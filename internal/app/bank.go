package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/bankfile"
	"github.com/recouvra/recouvra/internal/ident"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// BankStatus is where a bank entry stands.
type BankStatus string

// The states of a bank entry (migration 00020).
const (
	BankPending   BankStatus = "pending"   // imported, not matched yet
	BankBooked    BankStatus = "booked"    // a payment was recorded for it
	BankUnmatched BankStatus = "unmatched" // waits for a person, with suggestions
	BankRejected  BankStatus = "rejected"  // set aside by a person, with the reason
	BankReversal  BankStatus = "reversal"  // reversed the payment of an earlier entry
	BankReversed  BankStatus = "reversed"  // its payment was reversed by a later entry
	BankIgnored   BankStatus = "ignored"   // a debit that reverses nothing (fees, transfers out)
)

// BankStatuses lists every state, for filters.
var BankStatuses = []BankStatus{BankPending, BankBooked, BankUnmatched, BankRejected, BankReversal, BankReversed, BankIgnored}

// Matching rules, strongest first, and the confidence each gives.
const (
	RuleRF            = "rf"             // the ISO 11649 reference of a case
	RuleCaseReference = "case_reference" // a case reference in the remittance information
	RuleInvoiceNumber = "invoice_number" // an invoice number of a single open case
	RulePayerIBAN     = "payer_iban"     // the payer's account already paid this case
	RuleDebtorName    = "debtor_name"    // the payer's name is the debtor's
	RuleManual        = "manual"         // booked by a person
)

// SureConfidence is the confidence from which a credit is booked without a
// person: an RF reference, a case reference, an invoice number of one open
// case, or the payer's known account with the exact balance.
const SureConfidence = 90

// BankImport is one statement file imported.
type BankImport struct {
	ID         uuid.UUID
	Format     bankfile.Format
	FileName   string
	Entries    int
	Duplicates int
	ImportedBy *uuid.UUID
	CreatedAt  time.Time
}

// BankEntry is a statement entry as stored, with what became of it.
type BankEntry struct {
	bankfile.Entry
	ID              uuid.UUID
	ImportID        uuid.UUID
	Status          BankStatus
	CaseID          *uuid.UUID
	CaseReference   string // read with the entry
	CreditorID      *uuid.UUID
	PaymentID       *uuid.UUID
	ReversesEntryID *uuid.UUID
	MatchRule       string
	Confidence      int
	Note            string
	DecidedBy       *uuid.UUID
	DecidedAt       *time.Time
	CreatedAt       time.Time
}

// CaseBrief is what matching needs of a case.
type CaseBrief struct {
	ID           uuid.UUID
	Reference    string
	CreditorID   uuid.UUID
	CreditorName string
	DebtorName   string
	BalanceCents int64
	Currency     string
	Open         bool
}

// BankSuggestion is a case a bank entry may pay, with how sure it is.
type BankSuggestion struct {
	Case       CaseBrief
	Confidence int    // 0 to 100
	Rule       string // the strongest rule that found it
}

// BankRepo stores bank statements and finds the cases an entry may pay.
type BankRepo interface {
	InsertBankImport(ctx context.Context, imp BankImport) error
	// UpdateBankImportCounts sets the entries read and the duplicates
	// skipped, known once the whole file is stored.
	UpdateBankImportCounts(ctx context.Context, id uuid.UUID, entries, duplicates int) error
	// InsertBankEntries inserts the entries not known yet (by account,
	// statement and reference) and says how many were new.
	InsertBankEntries(ctx context.Context, entries []BankEntry) (int, error)
	// PendingBankEntriesLocked reads and locks entries still to match,
	// oldest first, skipping those another transaction holds.
	PendingBankEntriesLocked(ctx context.Context, limit int) ([]BankEntry, error)
	BankEntryByID(ctx context.Context, id uuid.UUID, lock RowLock) (BankEntry, error)
	// UpdateBankEntry saves what became of the entry; UpdateBankEntries
	// of many, in one statement.
	UpdateBankEntry(ctx context.Context, e BankEntry) error
	UpdateBankEntries(ctx context.Context, entries []BankEntry) error
	ListBankEntries(ctx context.Context, status BankStatus, after *uuid.UUID, limit int) ([]BankEntry, error)
	// BookedCreditFor finds the booked credit a debit or reversal e takes
	// back: same account and amount, and the same end-to-end reference, or
	// (when e is flagged a reversal) the same structured reference.
	BookedCreditFor(ctx context.Context, e BankEntry) (*BankEntry, error)
	// Cases by their references, by invoice numbers, by a payer's IBAN
	// already booked to them, by the debtor's name (similar, best first).
	CasesByReferences(ctx context.Context, refs []string) ([]CaseBrief, error)
	CasesByInvoiceNumbers(ctx context.Context, numbers []string) ([]CaseBrief, error)
	CasesByPayerIBAN(ctx context.Context, iban string) ([]CaseBrief, error)
	CasesByDebtorName(ctx context.Context, name string, limit int) ([]CaseBrief, error)
}

// BankImportResult counts what an import did.
type BankImportResult struct {
	Import     BankImport
	Entries    int // in the file
	Duplicates int // already imported before: nothing done
	Booked     int // credits booked as payments
	Unmatched  int // credits left to a person
	Reversed   int // reversals that took a payment back
	Ignored    int // debits reversing nothing
}

// errFile is the 422 for a statement file, naming where it went wrong.
func errFile(code, msg string) error {
	return recouvra.Invalid("Relevé refusé : rien n'a été comptabilisé.", recouvra.FieldError{Field: "file", Code: code, Message: msg})
}

// ImportBankStatement reads a camt.053 or CFONB 120 statement (format
// empty: detected from the content), refuses it whole — nothing stored,
// nothing booked — when it is unreadable, does not add up, or holds an
// entry on another account than the agency's (RECOUVRA_AGENCY_IBAN) or in
// another currency than the euro; then stores the entries not seen before
// and matches each: credits are booked as payments when the match is sure
// and queued otherwise, reversals take back the payment they reverse.
func (s *Service) ImportBankStatement(ctx context.Context, p recouvra.Principal, format bankfile.Format, fileName string, r io.Reader, meta Meta) (BankImportResult, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAccountant); err != nil {
		return BankImportResult{}, err
	}
	agency, err := ident.ParseIBAN(s.cfg.Agency.IBAN)
	if err != nil {
		return BankImportResult{}, recouvra.Invalid("Compte de l'agence inconnu.", recouvra.FieldError{Field: "agency.iban", Code: "missing",
			Message: "Le compte de l'agence pour les fonds des créanciers n'est pas configuré (RECOUVRA_AGENCY_IBAN) : aucun relevé ne peut être rapproché."})
	}
	// The file is copied to a temporary file first: the import's one
	// transaction then lasts as long as the database work, not as long as
	// the upload (a slow client would otherwise hold a connection and the
	// entries' keys, on which an import of the same file waits). Disk, not
	// memory: the entries are stored a chunk at a time from it.
	spool, err := os.CreateTemp("", "recouvra-bank-*")
	if err != nil {
		return BankImportResult{}, err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	if _, err := io.Copy(spool, r); err != nil {
		return BankImportResult{}, err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return BankImportResult{}, err
	}
	br := bufio.NewReaderSize(spool, 64<<10)
	if format == "" {
		head, _ := br.Peek(512)
		f, ok := bankfile.Detect(head)
		if !ok {
			return BankImportResult{}, errFile("format", "Format non reconnu : ni un relevé camt.053 (XML) ni un relevé CFONB 120.")
		}
		format = f
	}
	// One transaction for the whole file, the entries stored a chunk at a
	// time as they are read: memory holds one chunk, not the file, and an
	// entry refused anywhere — the last one included — rolls back the
	// import row and every chunk stored before it.
	var res BankImportResult
	by, _ := p.Actor()
	imp := BankImport{ID: uuid.Must(uuid.NewV7()), Format: format, FileName: strings.TrimSpace(fileName), ImportedBy: by, CreatedAt: s.now()}
	err = s.store.Tx(ctx, func(r Repo) error {
		if err := r.InsertBankImport(ctx, imp); err != nil {
			return err
		}
		chunk := make([]BankEntry, 0, bankChunk)
		store := func() error {
			n, err := r.InsertBankEntries(ctx, chunk)
			if err != nil {
				return err
			}
			imp.Duplicates += len(chunk) - n
			chunk = chunk[:0]
			return nil
		}
		err := bankfile.Read(br, format, func(e bankfile.Entry) error {
			if e.Account != string(agency) {
				return errFile("account", fmt.Sprintf("%s, Stmt/Acct : le compte %s n'est pas celui de l'agence (%s).", e.Where, ident.IBAN(e.Account).Format(), agency.Format()))
			}
			if e.Currency != "EUR" {
				return errFile("currency", fmt.Sprintf("%s, Amt/@Ccy : écriture en %s ; seuls les euros sont comptabilisés.", e.Where, e.Currency))
			}
			row := BankEntry{Entry: e, ID: uuid.Must(uuid.NewV7()), ImportID: imp.ID, Status: BankPending, CreatedAt: imp.CreatedAt}
			row.Unstructured = clip(e.Unstructured, 500)
			row.DebtorName = clip(e.DebtorName, 200)
			chunk = append(chunk, row)
			imp.Entries++
			if len(chunk) == bankChunk {
				return store()
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := store(); err != nil {
			return err
		}
		if err := r.UpdateBankImportCounts(ctx, imp.ID, imp.Entries, imp.Duplicates); err != nil {
			return err
		}
		return r.InsertAudit(ctx, s.audit(p, meta, "bank_statement.import", "bank_import", &imp.ID, map[string]any{
			"format": string(format), "file_name": imp.FileName, "entries": imp.Entries, "duplicates": imp.Duplicates}))
	})
	var fe *bankfile.Error
	switch {
	case errors.As(err, &fe):
		return BankImportResult{}, errFile("format", fmt.Sprintf("Fichier %s illisible — %s", format, fe.Error()))
	case err != nil:
		return BankImportResult{}, err
	}
	res.Entries, res.Duplicates = imp.Entries, imp.Duplicates
	res.Import = imp
	// Match what is pending: this file's new entries, and any an
	// interrupted import left behind, a batch per transaction.
	for {
		decided, err := s.matchBatch(ctx, p, bankBatch)
		if err != nil {
			return res, err
		}
		if len(decided) == 0 {
			break
		}
		for _, st := range decided {
			switch st {
			case BankBooked:
				res.Booked++
			case BankUnmatched:
				res.Unmatched++
			case BankReversal:
				res.Reversed++
			case BankIgnored:
				res.Ignored++
			}
		}
	}
	return res, nil
}

// bankChunk is how many entries an import holds in memory and stores in one
// InsertBankEntries while it reads the file: the memory of an import is one
// chunk whatever the file's size (until issue 16's fix a whole file's
// entries were held, twice), and the per-statement costs fade.
const bankChunk = 2000

// bankBatch is how many entries are matched per transaction: enough that
// the per-transaction costs (commit, the deferred ledger checks' round
// trip, the lookups done once per batch) fade, few enough that the cases
// it locks and the events it holds back from readers past the xmin fence
// are released within a fraction of a second.
const bankBatch = 200

// clip cuts s to n runes.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// matchBatch decides up to n pending entries in one transaction, with the
// payments they book or reverse: each entry's new state commits with its
// payment, so an entry never books twice (the entries are locked, and a
// booked one is no longer pending). The sure matches are booked together
// through recordPayments, the one path of RecordPayment (each kind of row
// written once for them all), in a savepoint: a payment its case refuses —
// closed meanwhile, paid off by an earlier entry of the same batch — is
// left out alone and its entry goes to the unmatched queue with the
// reason, while the rest of the batch books; should the savepoint fail
// otherwise than on an internal error, the entries are booked again one
// by one, each in its own savepoint, as before the batching. A reversal
// first books and saves what comes before it (it may take back one of
// them). The cases the RF references name are read once for the batch;
// the entries' states are saved in one statement.
func (s *Service) matchBatch(ctx context.Context, p recouvra.Principal, n int) ([]BankStatus, error) {
	var statuses []BankStatus
	var mails []uuid.UUID
	err := s.store.Atomic(ctx, func(ctx context.Context, r Repo) error {
		statuses, mails = statuses[:0], mails[:0]
		entries, err := r.PendingBankEntriesLocked(ctx, n)
		if err != nil || len(entries) == 0 {
			return err
		}
		byRef, err := casesByRF(ctx, r, entries)
		if err != nil {
			return err
		}
		var sure []*BankEntry // decided to book, with their cases
		var caseIDs []uuid.UUID
		saved := 0                      // entries[:saved] are saved
		flush := func(upTo int) error { // books the sure ones, saves entries[saved:upTo]
			queued, err := s.bookEntries(ctx, p, sure, caseIDs)
			if err != nil {
				return err
			}
			mails, sure, caseIDs = append(mails, queued...), sure[:0], caseIDs[:0]
			if err := r.UpdateBankEntries(ctx, entries[saved:upTo]); err != nil {
				return err
			}
			saved = upTo
			return nil
		}
		for i := range entries {
			e := &entries[i]
			if !e.Credit || e.Reversal {
				// A reversal looks for the booked credit it takes back,
				// which may be one of this batch's: book and save those
				// first.
				if err := flush(i); err != nil {
					return err
				}
				if err := s.reverseEntry(ctx, r, p, e); err != nil {
					return err
				}
				continue
			}
			caseID, err := s.matchEntry(ctx, r, e, byRef)
			if err != nil {
				return err
			}
			if caseID != nil {
				sure, caseIDs = append(sure, e), append(caseIDs, *caseID)
			}
		}
		if err := flush(len(entries)); err != nil {
			return err
		}
		for _, e := range entries {
			statuses = append(statuses, e.Status)
		}
		return nil
	})
	if err == nil {
		for _, id := range mails {
			s.kick(ctx, id, 0)
		}
	}
	return statuses, err
}

// bookEntries books each entry es[i] as a payment of case caseIDs[i]
// (recordFor for many), in a savepoint of the caller's transaction in
// ctx, and returns the receipt mails queued, to kick once committed.
func (s *Service) bookEntries(ctx context.Context, p recouvra.Principal, es []*BankEntry, caseIDs []uuid.UUID) ([]uuid.UUID, error) {
	if len(es) == 0 {
		return nil, nil
	}
	reqs := make([]paymentRequest, len(es))
	for i, e := range es {
		reqs[i] = paymentRequest{CaseID: caseIDs[i], In: bankPayment(e)}
	}
	var outs []paymentOutcome
	var mails []uuid.UUID
	err := s.store.Atomic(ctx, func(ctx context.Context, r Repo) error {
		var err error
		outs, mails, err = s.recordPayments(ctx, r, p, reqs)
		return err
	})
	if err != nil {
		if recouvra.ErrorCode(err) == recouvra.ECodeInternal {
			return nil, err
		}
		// Undone whole for a reason that is not the database's: one at a
		// time, each in its own savepoint.
		for i, e := range es {
			if err := s.recordFor(ctx, p, e, caseIDs[i]); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	for i, e := range es {
		booked(e, caseIDs[i], outs[i].View, outs[i].Err)
	}
	return mails, nil
}

// casesByRF reads at once the cases the entries' RF references name
// (rule 1 of suggest), by case reference.
func casesByRF(ctx context.Context, r Repo, entries []BankEntry) (map[string][]CaseBrief, error) {
	var refs []string
	for _, e := range entries {
		if ref, ok := rfCaseReference(e); ok && e.Credit && !e.Reversal {
			refs = append(refs, ref)
		}
	}
	out := make(map[string][]CaseBrief, len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	cs, err := r.CasesByReferences(ctx, refs)
	if err != nil {
		return nil, err
	}
	for _, ref := range refs {
		out[ref] = nil // looked up: a reference no case bears stays known as such
	}
	for _, c := range cs {
		out[c.Reference] = append(out[c.Reference], c)
	}
	return out, nil
}

// reverseEntry takes back the payment of the credit e returns, if any.
func (s *Service) reverseEntry(ctx context.Context, r Repo, p recouvra.Principal, e *BankEntry) error {
	orig, err := r.BookedCreditFor(ctx, *e)
	if err != nil {
		return err
	}
	if orig == nil {
		e.Status = BankIgnored
		if e.Reversal {
			e.Note = "Contrepassation sans paiement rapproché à reprendre."
		}
		return nil
	}
	reason := fmt.Sprintf("Contrepassé par la banque (relevé %s, écriture %s).", e.StatementID, e.Reference)
	if _, err := s.ReversePayment(ctx, p, *orig.PaymentID, clip(reason, 500)); err != nil {
		if recouvra.ErrorCode(err) == recouvra.ECodeInternal {
			return err
		}
		e.Status, e.Note = BankIgnored, "Paiement non contrepassé : "+err.Error()
		return nil
	}
	orig.Status = BankReversed
	if err := r.UpdateBankEntry(ctx, *orig); err != nil {
		return err
	}
	e.Status, e.ReversesEntryID, e.CaseID, e.CreditorID = BankReversal, &orig.ID, orig.CaseID, orig.CreditorID
	e.MatchRule, e.Confidence = orig.MatchRule, orig.Confidence
	return nil
}

// matchEntry decides a credit: it returns the case when one is a sure
// match (the entry is then to book), else queues it (unmatched, with the
// reason); byRef holds cases already read by reference (casesByRF), or
// is nil.
func (s *Service) matchEntry(ctx context.Context, r Repo, e *BankEntry, byRef map[string][]CaseBrief) (*uuid.UUID, error) {
	sugg, err := s.suggestWith(ctx, r, *e, byRef)
	if err != nil {
		return nil, err
	}
	e.Status = BankUnmatched
	if len(sugg) == 0 {
		e.Note = "Aucun dossier trouvé."
		return nil, nil
	}
	best := sugg[0]
	e.MatchRule, e.Confidence = best.Rule, best.Confidence
	switch {
	case !best.Case.Open && (best.Rule == RuleRF || best.Rule == RuleCaseReference):
		// Named for sure, but closed (suggest caps its confidence): the
		// person deciding needs that reason, not "uncertain".
		e.Note = fmt.Sprintf("Le dossier %s est clos.", best.Case.Reference)
		return nil, nil
	case best.Confidence < SureConfidence:
		e.Note = "Rapprochement incertain : à confirmer."
		return nil, nil
	case len(sugg) > 1 && sugg[1].Confidence >= SureConfidence:
		e.Note = "Plusieurs dossiers possibles."
		return nil, nil
	case !best.Case.Open:
		e.Note = fmt.Sprintf("Le dossier %s est clos.", best.Case.Reference)
		return nil, nil
	}
	id := best.Case.ID
	return &id, nil
}

// bankPayment is the payment a credit entry books: a transfer received
// the day it was booked, its reference the structured one, else the
// end-to-end id, else the bank's.
func bankPayment(e *BankEntry) NewPayment {
	ref := e.Structured
	if ref == "" {
		ref = e.EndToEndID
	}
	if ref == "" {
		ref = e.Reference
	}
	return NewPayment{AmountCents: e.AmountCents, Currency: e.Currency, ReceivedOn: e.BookedOn,
		Method: recouvra.MethodTransfer, PayerReference: clip(oneLine(ref), 140)}
}

// recordFor records e as a payment of case caseID through RecordPayment,
// in a savepoint of the caller's transaction. A payment the case refuses
// (a date before its first invoice…) leaves e unmatched with the reason.
func (s *Service) recordFor(ctx context.Context, p recouvra.Principal, e *BankEntry, caseID uuid.UUID) error {
	v, err := s.RecordPayment(ctx, p, caseID, bankPayment(e))
	if err != nil && recouvra.ErrorCode(err) == recouvra.ECodeInternal {
		return err
	}
	booked(e, caseID, v, err)
	return nil
}

// booked sets e's state after its payment of case caseID was recorded as
// v, or refused by the case with err.
func booked(e *BankEntry, caseID uuid.UUID, v PaymentView, err error) {
	if err != nil {
		e.Status, e.Note = BankUnmatched, "Paiement refusé par le dossier : "+problemText(err)
		return
	}
	e.Status, e.PaymentID, e.CaseID = BankBooked, &v.Payment.ID, &caseID
	e.Note = ""
}

// problemText is an error's message with its field messages.
func problemText(err error) string {
	var re *recouvra.Error
	if errors.As(err, &re) && len(re.Fields) > 0 {
		var parts []string
		for _, f := range re.Fields {
			parts = append(parts, f.Message)
		}
		return clip(strings.Join(parts, " "), 400)
	}
	return clip(err.Error(), 400)
}

// oneLine keeps printable characters of a reference on one line.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }), " ")
}

var (
	caseRefPattern = regexp.MustCompile(`\bD-?(\d{4})-?(\d{6,})\b`)
	tokenPattern   = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9/_.-]*[A-Za-z0-9]`)
)

// caseReference turns "D2026000042" (an RF's reference, or one typed
// without dashes) into "D-2026-000042".
func caseReference(s string) (string, bool) {
	m := caseRefPattern.FindStringSubmatch(strings.ToUpper(s))
	if m == nil {
		return "", false
	}
	return "D-" + m[1] + "-" + m[2], true
}

// invoiceTokens are the words of free text that may be invoice numbers
// (3 characters or more, as written and upper-cased), at most 40.
func invoiceTokens(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range tokenPattern.FindAllString(text, 20) {
		for _, v := range []string{t, strings.ToUpper(t)} {
			if len(v) >= 3 && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// rfCaseReference is the case reference of e's ISO 11649 reference,
// given as such or written in the remittance information.
func rfCaseReference(e BankEntry) (string, bool) {
	rf, err := ident.ParseRF(e.Structured)
	if err != nil {
		rf = ident.FindRF(strings.ToUpper(e.Unstructured + " " + e.Structured))
	}
	if rf == "" {
		return "", false
	}
	return caseReference(rf.Reference())
}

// suggest lists the cases e may pay, most likely first: by RF reference,
// by case reference or invoice number in the remittance information, then
// by the payer's account or name, the amount making either surer.
func (s *Service) suggest(ctx context.Context, r Repo, e BankEntry) ([]BankSuggestion, error) {
	return s.suggestWith(ctx, r, e, nil)
}

// suggestWith is suggest with the cases of RF references read beforehand
// (byRef, by case reference; nil: read them here).
func (s *Service) suggestWith(ctx context.Context, r Repo, e BankEntry, byRef map[string][]CaseBrief) ([]BankSuggestion, error) {
	found := map[uuid.UUID]*BankSuggestion{}
	add := func(cs []CaseBrief, rule string, confidence func(CaseBrief) int) {
		for _, c := range cs {
			if c.Currency != e.Currency {
				continue
			}
			conf := confidence(c)
			if !c.Open {
				conf = min(conf, SureConfidence-1)
			}
			if prev, ok := found[c.ID]; !ok || prev.Confidence < conf {
				found[c.ID] = &BankSuggestion{Case: c, Confidence: conf, Rule: rule}
			}
		}
	}
	exact := func(c CaseBrief) bool { return c.BalanceCents == e.AmountCents }
	// sure: an open case the stronger rules are sure of; the weaker ones
	// (and their queries) are then not needed.
	sure := func() bool {
		for _, v := range found {
			if v.Confidence >= SureConfidence && v.Case.Open {
				return true
			}
		}
		return false
	}
	text := strings.ToUpper(e.Unstructured + " " + e.Structured)

	// 1. The structured reference, given as such or written in the text.
	if ref, ok := rfCaseReference(e); ok {
		cs, known := byRef[ref]
		if !known {
			var err error
			if cs, err = r.CasesByReferences(ctx, []string{ref}); err != nil {
				return nil, err
			}
		}
		// The check digits guard the reference: only the case it names.
		add(cs, RuleRF, func(CaseBrief) int { return 100 })
	}
	if sure() {
		return sorted(found), nil
	}
	// 2. Case references and invoice numbers written in the text.
	var refs []string
	for _, m := range caseRefPattern.FindAllStringSubmatch(text, 5) {
		refs = append(refs, "D-"+m[1]+"-"+m[2])
	}
	if len(refs) > 0 {
		cs, err := r.CasesByReferences(ctx, refs)
		if err != nil {
			return nil, err
		}
		add(cs, RuleCaseReference, func(CaseBrief) int { return 95 })
	}
	if tokens := invoiceTokens(e.Unstructured); len(tokens) > 0 {
		cs, err := r.CasesByInvoiceNumbers(ctx, tokens)
		if err != nil {
			return nil, err
		}
		open := 0
		for _, c := range cs {
			if c.Open {
				open++
			}
		}
		add(cs, RuleInvoiceNumber, func(c CaseBrief) int {
			if open == 1 {
				return 90
			}
			return 60
		})
	}
	if sure() {
		return sorted(found), nil
	}
	// 3. The payer: an account that already paid a case, a name like the
	// debtor's; the exact balance makes either surer.
	if e.DebtorIBAN != "" {
		cs, err := r.CasesByPayerIBAN(ctx, e.DebtorIBAN)
		if err != nil {
			return nil, err
		}
		add(cs, RulePayerIBAN, func(c CaseBrief) int {
			if exact(c) && len(cs) == 1 {
				return 90
			}
			if exact(c) {
				return 75
			}
			return 60
		})
	}
	if name := strings.TrimSpace(e.DebtorName); len([]rune(name)) >= 3 {
		cs, err := r.CasesByDebtorName(ctx, name, 10)
		if err != nil {
			return nil, err
		}
		add(cs, RuleDebtorName, func(c CaseBrief) int {
			same := normName(c.DebtorName) == normName(name)
			switch {
			case same && exact(c):
				return 80
			case same:
				return 55
			case exact(c):
				return 50
			}
			return 30
		})
	}
	return sorted(found), nil
}

// sorted lists suggestions most likely first, five at most.
func sorted(found map[uuid.UUID]*BankSuggestion) []BankSuggestion {
	out := make([]BankSuggestion, 0, len(found))
	for _, v := range found {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Confidence != out[j].Confidence {
			return out[i].Confidence > out[j].Confidence
		}
		return out[i].Case.Reference < out[j].Case.Reference
	})
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

// normName compares names without case, accents of the common kind,
// punctuation or legal forms' dots.
func normName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(fold(r))
		case b.Len() > 0 && !strings.HasSuffix(b.String(), " "):
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

func fold(r rune) rune {
	switch r {
	case 'À', 'Â', 'Ä':
		return 'A'
	case 'É', 'È', 'Ê', 'Ë':
		return 'E'
	case 'Î', 'Ï':
		return 'I'
	case 'Ô', 'Ö':
		return 'O'
	case 'Ù', 'Û', 'Ü':
		return 'U'
	case 'Ç':
		return 'C'
	}
	return r
}

// BankEntryView is an entry with the cases it may pay (unmatched ones).
type BankEntryView struct {
	Entry       BankEntry
	Suggestions []BankSuggestion
}

// ListBankEntries pages through the entries in a state (staff who book
// payments), the unmatched ones with their suggestions.
func (s *Service) ListBankEntries(ctx context.Context, p recouvra.Principal, status BankStatus, page PageRequest) (Page[BankEntryView], error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleAccountant); err != nil {
		return Page[BankEntryView]{}, err
	}
	limit, after, err := page.normalize()
	if err != nil {
		return Page[BankEntryView]{}, err
	}
	rows, err := s.store.ListBankEntries(ctx, status, after, limit+1)
	if err != nil {
		return Page[BankEntryView]{}, err
	}
	pg := pageOf(rows, limit, func(e BankEntry) uuid.UUID { return e.ID })
	out := Page[BankEntryView]{NextCursor: pg.NextCursor, Items: make([]BankEntryView, len(pg.Items))}
	for i, e := range pg.Items {
		out.Items[i].Entry = e
		if e.Status == BankUnmatched {
			if out.Items[i].Suggestions, err = s.suggest(ctx, s.store, e); err != nil {
				return Page[BankEntryView]{}, err
			}
		}
	}
	return out, nil
}

// bankEntryView reads an entry back with its suggestions.
func (s *Service) bankEntryView(ctx context.Context, r Repo, id uuid.UUID) (BankEntryView, error) {
	e, err := r.BankEntryByID(ctx, id, NoLock)
	if err != nil {
		return BankEntryView{}, err
	}
	v := BankEntryView{Entry: e}
	if e.Status == BankUnmatched {
		v.Suggestions, err = s.suggest(ctx, r, e)
	}
	return v, err
}

// decidable loads an entry a person may book or reject: an unmatched credit.
func decidable(ctx context.Context, r Repo, id uuid.UUID) (BankEntry, error) {
	e, err := r.BankEntryByID(ctx, id, ForUpdate)
	if err != nil {
		return BankEntry{}, err
	}
	if e.Status != BankUnmatched {
		return BankEntry{}, recouvra.Errorf(recouvra.ECodeConflict, "Cette écriture n'attend plus de décision (état : %s).", e.Status)
	}
	return e, nil
}

// BookBankEntry books an unmatched credit as a payment of the case a
// person chose, through the payments use case, in one transaction with
// the entry's new state (a second click finds it booked: 409).
func (s *Service) BookBankEntry(ctx context.Context, p recouvra.Principal, id, caseID uuid.UUID, meta Meta) (BankEntryView, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleAccountant); err != nil {
		return BankEntryView{}, err
	}
	var v BankEntryView
	err := s.store.Atomic(ctx, func(ctx context.Context, r Repo) error {
		e, err := decidable(ctx, r, id)
		if err != nil {
			return err
		}
		if _, err := r.CaseByID(ctx, p.Scope(), caseID, NoLock); recouvra.ErrorCode(err) == recouvra.ECodeNotFound {
			return unknownRef("case_id", "Aucun dossier ne porte cet identifiant.")
		} else if err != nil {
			return err
		}
		ref := e.Structured
		if ref == "" {
			ref = e.EndToEndID
		}
		if ref == "" {
			ref = e.Reference
		}
		pay, err := s.RecordPayment(ctx, p, caseID, NewPayment{AmountCents: e.AmountCents, Currency: e.Currency, ReceivedOn: e.BookedOn,
			Method: recouvra.MethodTransfer, PayerReference: clip(oneLine(ref), 140)})
		if err != nil {
			return err
		}
		now := s.now()
		by, _ := p.Actor()
		e.Status, e.PaymentID, e.CaseID = BankBooked, &pay.Payment.ID, &caseID
		e.MatchRule, e.Confidence, e.Note, e.DecidedBy, e.DecidedAt = RuleManual, 100, "", by, &now
		if err := r.UpdateBankEntry(ctx, e); err != nil {
			return err
		}
		if err := r.InsertAudit(ctx, s.audit(p, meta, "bank_entry.book", "bank_entry", &e.ID, map[string]any{
			"case_id": caseID.String(), "payment_id": pay.Payment.ID.String(), "amount_cents": e.AmountCents})); err != nil {
			return err
		}
		v, err = s.bankEntryView(ctx, r, id)
		return err
	})
	return v, err
}

// RejectBankEntry sets an unmatched credit aside with the reason (not
// ours, refunded to the payer…).
func (s *Service) RejectBankEntry(ctx context.Context, p recouvra.Principal, id uuid.UUID, reason string, meta Meta) (BankEntryView, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleAccountant); err != nil {
		return BankEntryView{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return BankEntryView{}, recouvra.Invalid("Motif manquant.", recouvra.FieldError{Field: "reason", Code: "required", Message: "Indiquez pourquoi cette écriture n'est rattachée à aucun dossier."})
	}
	if f := recouvra.PrintableField("reason", reason, recouvra.OneLine); len(f) > 0 {
		return BankEntryView{}, recouvra.Invalid("Motif invalide.", f...)
	}
	var v BankEntryView
	err := s.store.Atomic(ctx, func(ctx context.Context, r Repo) error {
		e, err := decidable(ctx, r, id)
		if err != nil {
			return err
		}
		now := s.now()
		by, _ := p.Actor()
		e.Status, e.Note, e.DecidedBy, e.DecidedAt = BankRejected, reason, by, &now
		if err := r.UpdateBankEntry(ctx, e); err != nil {
			return err
		}
		if err := r.InsertAudit(ctx, s.audit(p, meta, "bank_entry.reject", "bank_entry", &e.ID, map[string]any{"reason": reason})); err != nil {
			return err
		}
		v, err = s.bankEntryView(ctx, r, id)
		return err
	})
	return v, err
}

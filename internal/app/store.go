package app

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Store is the persistence the use cases need. Lookups of a missing row
// return a recouvra.Error with ECodeNotFound; unique violations ECodeConflict.
type Store interface {
	Repo
	// Tx runs fn in one transaction: all its writes land, or none.
	Tx(ctx context.Context, fn func(Repo) error) error
	// Scoped runs fn with the database itself restricted to scope: for a
	// creditor's scope, rows of other creditors are invisible to fn whatever
	// its queries say (row-level security). Staff scopes run fn as is.
	Scoped(ctx context.Context, scope recouvra.Scope, fn func(Repo) error) error
	// Atomic runs fn in one transaction that every Tx, Scoped and Repo call
	// made with the context fn receives joins (Tx and Scoped as savepoints):
	// fn's own writes and its callees' commit together, or not at all.
	Atomic(ctx context.Context, fn func(context.Context, Repo) error) error
}

// Session is a sign-in session as stored (the token only as its hash).
type Session struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	TokenHash []byte
	CreatedAt time.Time
	ExpiresAt time.Time
	// IdleExpiresAt ends a web-app session after inactivity (nil: only
	// ExpiresAt ends it, as for bearer tokens).
	IdleExpiresAt *time.Time
	ClientIP      string
	UserAgent     string
}

// Repo reads and writes the records; implemented by internal/postgres.
type Repo interface {
	MailRepo           // the e-mail outbox (mail.go)
	DigestRepo         // the daily notification digest (digest.go)
	DebtorLinkRepo     // the debtors' page links (debtorpage.go)
	WebhookRepo        // webhooks to creditors' systems (webhooks.go)
	StrategyPostRepo   // the engine's letters by post and its nightly pass (strategy_post.go)
	EInvoiceRepo       // electronic invoices received (einvoices.go)
	EInvoiceUploadRepo // electronic-invoice uploads, placed or refused (einvoice_uploads.go)

	InsertUser(ctx context.Context, u *recouvra.User, passwordHash string) error
	UserByID(ctx context.Context, id uuid.UUID) (recouvra.User, error)
	// UserByEmail finds an account by e-mail, ignoring case, with its hash.
	UserByEmail(ctx context.Context, email string) (recouvra.User, string, error)
	ListUsers(ctx context.Context, after *uuid.UUID, limit int) ([]recouvra.User, error)
	CountUsers(ctx context.Context) (int64, error)
	// UpdateUser saves u's name, role, creditor and active flag, and the
	// password hash when newHash is not nil.
	UpdateUser(ctx context.Context, u *recouvra.User, newHash *string) error
	TouchLogin(ctx context.Context, userID uuid.UUID, at time.Time) error

	InsertSession(ctx context.Context, s Session) error
	// SessionPrincipal resolves a live session token (not revoked, not
	// expired, not idle past its idle deadline, user active) to its
	// principal, with the user's current role.
	SessionPrincipal(ctx context.Context, tokenHash []byte, now time.Time) (recouvra.Principal, error)
	// TouchSession returns the live session id (as SessionPrincipal judges
	// live at now), first moving its idle deadline to idleUntil when it has
	// one; unauthorized when it is no longer live.
	TouchSession(ctx context.Context, id uuid.UUID, now, idleUntil time.Time) (Session, error)
	RevokeSession(ctx context.Context, id uuid.UUID, at time.Time) error
	RevokeUserSessions(ctx context.Context, userID uuid.UUID, at time.Time) (int64, error)

	InsertCreditor(ctx context.Context, c *recouvra.Creditor) error
	UpdateCreditor(ctx context.Context, c *recouvra.Creditor) error
	CreditorByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID) (recouvra.Creditor, error)
	ListCreditors(ctx context.Context, scope recouvra.Scope, after *uuid.UUID, limit int) ([]recouvra.Creditor, error)

	InsertAPIKey(ctx context.Context, k *recouvra.APIKey, keyHash []byte) error
	// APIKeyPrincipal resolves a live (not revoked) API key; it also
	// returns when it was last used, so callers can refresh that lazily.
	APIKeyPrincipal(ctx context.Context, keyHash []byte) (recouvra.Principal, *time.Time, error)
	TouchAPIKey(ctx context.Context, id uuid.UUID, at time.Time) error
	APIKeyByID(ctx context.Context, id uuid.UUID) (recouvra.APIKey, error)
	ListAPIKeys(ctx context.Context, creditorID uuid.UUID) ([]recouvra.APIKey, error)
	RevokeAPIKey(ctx context.Context, id uuid.UUID, at time.Time) error

	InsertDebtor(ctx context.Context, d *recouvra.Debtor) error
	UpdateDebtor(ctx context.Context, d *recouvra.Debtor) error
	DebtorByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID) (recouvra.Debtor, error)
	DebtorBySIREN(ctx context.Context, siren string) (recouvra.Debtor, error)
	ListDebtors(ctx context.Context, scope recouvra.Scope, q string, after *uuid.UUID, limit int) ([]recouvra.Debtor, error)
	DebtorNames(ctx context.Context, scope recouvra.Scope, ids []uuid.UUID) (map[uuid.UUID]string, error)

	NextCaseReference(ctx context.Context, year int) (string, error)
	InsertCase(ctx context.Context, c *recouvra.Case) error
	// CaseByID reads a case the scope may see; ForUpdate locks it until the
	// transaction ends.
	CaseByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock RowLock) (recouvra.Case, error)
	// CaseWithParties reads a case the scope may see with its creditor,
	// debtor and claims — what the case is shown with — and with money its
	// payments and the rate tables too (what its statement is computed
	// from): the reads in one round trip where the connection can send
	// them together.
	CaseWithParties(ctx context.Context, scope recouvra.Scope, id uuid.UUID, money bool) (CaseParties, error)
	// UpdateCase saves c if its version is still expected (else
	// ECodePrecondition) and sets c.Version to the new version.
	UpdateCase(ctx context.Context, c *recouvra.Case, expected int) error
	ListCases(ctx context.Context, scope recouvra.Scope, f CaseFilter, after *uuid.UUID, limit int) ([]recouvra.Case, error)
	Queue(ctx context.Context, agentID uuid.UUID, today recouvra.Date, now time.Time, limit int) ([]recouvra.Case, error)
	LeaseNextCase(ctx context.Context, agentID uuid.UUID, today recouvra.Date, now, until time.Time) (recouvra.Case, error)
	// QueueCount is how many cases the agent's queue holds now.
	QueueCount(ctx context.Context, agentID uuid.UUID, today recouvra.Date, now time.Time) (int64, error)
	// LastContacts is each case's latest call, e-mail or letter (staff).
	LastContacts(ctx context.Context, caseIDs []uuid.UUID) (map[uuid.UUID]recouvra.Event, error)
	// CreditorNames maps creditor ids to legal names (staff).
	CreditorNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error)

	InsertClaim(ctx context.Context, creditorID uuid.UUID, cl *recouvra.Claim) error
	ClaimsOfCase(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID) ([]recouvra.Claim, error)
	// ClaimsOfCases and DebtorsByIDs read in one query what a list of cases
	// needs; ids the scope may not see are absent from the result.
	ClaimsOfCases(ctx context.Context, scope recouvra.Scope, caseIDs []uuid.UUID) (map[uuid.UUID][]recouvra.Claim, error)
	// PartiesOfCases reads, for staff, what the rules of cases already in
	// hand need: their creditors, debtors, claims and payments, and the
	// rate tables, in one round trip where the connection can batch.
	PartiesOfCases(ctx context.Context, cases []recouvra.Case) (CasesParties, error)
	DebtorsByIDs(ctx context.Context, scope recouvra.Scope, ids []uuid.UUID) (map[uuid.UUID]recouvra.Debtor, error)
	// VisibleCases says which of ids are cases the scope may see.
	VisibleCases(ctx context.Context, scope recouvra.Scope, ids []uuid.UUID) (map[uuid.UUID]bool, error)
	// PortfolioRows sums the cases, payments and remittances q covers.
	PortfolioRows(ctx context.Context, scope recouvra.Scope, q PortfolioQuery) (PortfolioRows, error)
	// PerformanceRows sums placements, payments, remittances and
	// receivables by month, and placed and recovered by stage and age.
	PerformanceRows(ctx context.Context, scope recouvra.Scope, q PerformanceQuery) (PerformanceRows, error)

	// InsertEvent appends to the timeline and sets e.Seq.
	InsertEvent(ctx context.Context, e *recouvra.Event) error
	// ListEvents pages through a case's timeline in (tx, seq) order, after
	// a position.
	ListEvents(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID, after recouvra.EventPosition, limit int) ([]recouvra.Event, error)
	// EventsSince returns the events after a position, in (tx, seq) order,
	// of transactions that have all ended, so that none can later appear
	// before the last one returned; waiting says that visible events after
	// them are held back by a transaction still running.
	EventsSince(ctx context.Context, scope recouvra.Scope, after recouvra.EventPosition, limit int) (events []recouvra.Event, waiting bool, err error)
	// EventPosition is the position of event seq, or of the greatest
	// number below it when seq does not exist; unscoped.
	EventPosition(ctx context.Context, seq int64) (recouvra.EventPosition, error)
	// StreamStart is the position of the fence now: before every event of
	// a transaction still running or still to come.
	StreamStart(ctx context.Context) (recouvra.EventPosition, error)
	CountEvents(ctx context.Context, caseID uuid.UUID, t recouvra.EventType) (int, error)
	// InterruptingActs lists the dates of the acts by the debtor that restart
	// a case's time bar and still stand: acknowledgements, payments not
	// reversed (C. civ. 2240).
	InterruptingActs(ctx context.Context, caseID uuid.UUID) ([]recouvra.Date, error)

	// Notifications lists the events rule reads, newest first (by
	// transaction, then number), before a position when one is given.
	Notifications(ctx context.Context, scope recouvra.Scope, rule recouvra.NotificationRule, before *recouvra.EventPosition, limit int) ([]recouvra.Notification, error)
	// NotificationByID finds event id among rule's notifications; any other
	// event — missing, another creditor's, not news for this user — is not
	// found alike.
	NotificationByID(ctx context.Context, scope recouvra.Scope, rule recouvra.NotificationRule, id uuid.UUID) (recouvra.Notification, error)
	UnreadNotifications(ctx context.Context, scope recouvra.Scope, rule recouvra.NotificationRule) (int64, error)
	MarkNotificationRead(ctx context.Context, userID uuid.UUID, n recouvra.Notification, at time.Time) error
	// MarkAllNotificationsRead marks read every notification of rule
	// committed now; those committed later stay unread.
	MarkAllNotificationsRead(ctx context.Context, scope recouvra.Scope, rule recouvra.NotificationRule, at time.Time) error

	SeedRates(ctx context.Context, rates []recouvra.Rate, at time.Time) (int64, error)
	ListRates(ctx context.Context) ([]recouvra.Rate, error)
	// PutRate adds or corrects a row and returns the one it replaced.
	PutRate(ctx context.Context, rate recouvra.Rate, by *uuid.UUID, at time.Time) (*recouvra.Rate, error)

	// LedgerCreditors reads each creditor's accounts in currency (one
	// creditor, or all with funds, commission or direct payments) and the
	// client account's balance (zero where scope cannot see it).
	LedgerCreditors(ctx context.Context, scope recouvra.Scope, creditorID *uuid.UUID, currency string) ([]LedgerCreditorRow, int64, error)
	// Remittance runs (remittance_runs.go): a run with its lines; the ledger
	// postings of a run; the day a creditor was last remitted to (zero:
	// never) and how many of its cases were first paid after it.
	InsertRemittanceRun(ctx context.Context, run RemittanceRun, by *uuid.UUID) error
	RemittanceRunByID(ctx context.Context, id uuid.UUID, lock bool) (RemittanceRun, error)
	RemittanceRuns(ctx context.Context, limit int) ([]RemittanceRun, error)
	UpdateRemittanceRun(ctx context.Context, run RemittanceRun, from recouvra.RunState) error
	RemittanceLines(ctx context.Context, scope recouvra.Scope, creditorID *uuid.UUID) ([]RunLine, error)
	PostLedger(ctx context.Context, runID uuid.UUID, txns []recouvra.LedgerTxn) error
	// The agency's invoices (invoices.go): the next number of a series (its
	// counter row locked until the transaction ends, so a rollback leaves no
	// gap), an invoice as issued, and reads (files only when asked).
	NextInvoiceSeq(ctx context.Context, series string) (int64, error)
	InsertInvoice(ctx context.Context, inv recouvra.Invoice, by *uuid.UUID) error
	InvoiceByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, files bool) (recouvra.Invoice, error)
	Invoices(ctx context.Context, scope recouvra.Scope, f InvoiceFilter) ([]recouvra.Invoice, error)
	LastRemittedOn(ctx context.Context, creditorID uuid.UUID) (recouvra.Date, error)
	CasesFirstPaidAfter(ctx context.Context, creditorID uuid.UUID, after, upTo recouvra.Date) (int, error)
	// LedgerLines lists ledger lines, newest first; beforeID > 0: only
	// those older than that line (the next page).
	LedgerLines(ctx context.Context, scope recouvra.Scope, creditorID *uuid.UUID, beforeID int64, limit int) ([]LedgerLine, error)
	// LedgerRevenue sums the agency's revenue and VAT per month booked from from to to.
	LedgerRevenue(ctx context.Context, from, to recouvra.Date, currency string) ([]CommissionMonth, error)
	// The payments of a batch (recordPayments), each kind of row in one
	// statement: the cases locked in id order, their payments, receipt
	// numbers, the payments with their postings, a case saved after
	// several changes, the events, the debtors' refused addresses and the
	// receipt mails.
	CasesByIDs(ctx context.Context, scope recouvra.Scope, ids []uuid.UUID, lock RowLock) ([]recouvra.Case, error)
	CreditorsByIDs(ctx context.Context, scope recouvra.Scope, ids []uuid.UUID) (map[uuid.UUID]recouvra.Creditor, error)
	PaymentsOfCases(ctx context.Context, scope recouvra.Scope, caseIDs []uuid.UUID) (map[uuid.UUID][]recouvra.Payment, error)
	NextReceiptNumbers(ctx context.Context, year, n int) ([]string, error)
	InsertPayments(ctx context.Context, ps []PaymentToInsert) error
	AdvanceCase(ctx context.Context, c *recouvra.Case, expected, steps int) error
	AdvanceCases(ctx context.Context, cs []CaseAdvance) error
	InsertEvents(ctx context.Context, events []recouvra.Event) error
	BadEmailsOf(ctx context.Context, debtorIDs []uuid.UUID) (map[uuid.UUID][]recouvra.BadEmail, error)
	InsertMails(ctx context.Context, ms []recouvra.MailMessage) error
	PaymentsOfCase(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID) ([]recouvra.Payment, error)
	PaymentByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID) (recouvra.Payment, error)
	ReversePayment(ctx context.Context, id uuid.UUID, at time.Time, reason string, by *uuid.UUID) error
	PaymentsOfCreditor(ctx context.Context, creditorID uuid.UUID, from, to recouvra.Date) ([]CreditorPayment, error)

	// ClaimIdempotent claims an Idempotency-Key inside the transaction of
	// the request (Store.Atomic): nil means "process it"; a stored response
	// means "replay it". A concurrent claim of the same key waits until the
	// first transaction ends.
	ClaimIdempotent(ctx context.Context, principal, key string, hash []byte, now time.Time) (*StoredResponse, error)
	// FinishIdempotent stores the response of a claimed key in the same
	// transaction.
	FinishIdempotent(ctx context.Context, principal, key string, resp StoredResponse) error

	InsertRemittance(ctx context.Context, r Remittance) error
	// OverlappingRemittance finds a statement of the creditor whose period
	// overlaps from–to without being exactly it (nil when none).
	OverlappingRemittance(ctx context.Context, creditorID uuid.UUID, from, to recouvra.Date) (*Remittance, error)

	InsertDocument(ctx context.Context, d *recouvra.Document) error
	DocumentByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID) (recouvra.Document, error)
	DocumentsOfCase(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID) ([]recouvra.Document, error)
	// DocumentsOfCreditor lists creditor-level documents (remittance statements).
	DocumentsOfCreditor(ctx context.Context, scope recouvra.Scope, creditorID uuid.UUID) ([]recouvra.Document, error)

	// Bank statements and their entries (bank.go).
	BankRepo

	InsertAudit(ctx context.Context, e recouvra.AuditEntry) error
	ListAudit(ctx context.Context, after *uuid.UUID, limit int) ([]recouvra.AuditEntry, error)
	// RecentSignInFailures returns the times of failed sign-ins newer than
	// since, newest first, at most limit: for the e-mail (ignoring case, and
	// only after its last successful sign-in) or for the client address.
	RecentSignInFailures(ctx context.Context, email, clientIP string, since time.Time, limit int) (byEmail, byIP []time.Time, err error)

	// Promises to pay, judged by the payments (promises.go).
	PromiseRepo

	// Collection strategies and their engine (strategies.go).
	StrategyRepo
	// Strategy experiments (experiments.go).
	ExperimentRepo
	// Payment plans and their instalments (plans.go).
	PlanRepo
}

// CaseFilter narrows a case list; nil and empty fields do not filter.
type CaseFilter struct {
	CreditorID       *uuid.UUID
	DebtorID         *uuid.UUID
	Stages           []recouvra.Stage
	Status           string // "open" or "closed"
	AssigneeID       *uuid.UUID
	DueOn            *recouvra.Date // next action on or before this date
	OverduePromiseOn *recouvra.Date // a promise due before this date, not kept
	MinBalance       *int64
	MaxBalance       *int64
	Query            string         // case or creditor reference, invoice number, debtor name or SIREN
	PlacedFrom       *recouvra.Date // placed (created) on or after
	PlacedTo         *recouvra.Date // placed on or before
	// Sort orders the list by one of the CaseSorts (empty: newest entered
	// first, by id), ties broken by id in the same direction.
	Sort      CaseSort
	Ascending bool
}

// CaseSort is a column a case list may be sorted by.
type CaseSort string

// The columns a case list may be sorted by: a whitelist, each mapped to
// its SQL by the store.
const (
	SortPlaced     CaseSort = "placed"
	SortReference  CaseSort = "reference"
	SortDebtor     CaseSort = "debtor"
	SortStage      CaseSort = "stage"
	SortBalance    CaseSort = "balance"
	SortPrincipal  CaseSort = "principal"
	SortNextAction CaseSort = "next_action"
)

// CaseSorts lists every column a case list may be sorted by.
var CaseSorts = []CaseSort{SortPlaced, SortReference, SortDebtor, SortStage, SortBalance, SortPrincipal, SortNextAction}

// StoredResponse is the first response to an idempotent request.
type StoredResponse struct {
	Status      int
	ContentType string
	Body        []byte
}

// CreditorPayment is a payment with the case it was received for.
type CreditorPayment struct {
	Payment       recouvra.Payment
	CaseReference string
	DebtorName    string
	FirstOfCase   bool // its case's first payment: the mandate's fixed fee falls due
}

// Remittance is a remittance statement's figures, kept with its document.
type Remittance struct {
	DocumentID                                                        uuid.UUID
	CreditorID                                                        uuid.UUID
	From, To                                                          recouvra.Date
	Currency                                                          string
	CollectedCents, DirectCents, CommissionCents, FeesCents, NetCents int64
	CreatedAt                                                         time.Time
}

// PaymentToInsert is a payment of a batch with its case's creditor, who
// recorded it and its ledger posting.
type PaymentToInsert struct {
	CreditorID uuid.UUID
	Payment    recouvra.Payment
	By         *uuid.UUID
	Post       recouvra.LedgerTxn
}

// CaseAdvance is a case changed Steps times since it was read at version
// Expected, to save at version Expected+Steps (AdvanceCases).
type CaseAdvance struct {
	Case     *recouvra.Case
	Expected int
	Steps    int
}

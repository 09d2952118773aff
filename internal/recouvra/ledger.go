package recouvra

import (
	"fmt"
	"sort"

	"github.com/google/uuid"
)

// LedgerAccount is an account of the client account's ledger. The
// per-creditor accounts are named "<account>:<creditor id>".
type LedgerAccount string

const (
	// AccountClientBank is the client account itself (CPCE R124-2), an asset.
	AccountClientBank LedgerAccount = "client_bank"
	// AccountOwedToCreditor is what is held for one creditor, a liability.
	AccountOwedToCreditor LedgerAccount = "owed_to_creditor"
	// AccountCommissionRevenue and AccountFeesRevenue are the agency's
	// turnover; AccountVATCollected the VAT it owes on it.
	AccountCommissionRevenue LedgerAccount = "agency_revenue_commission"
	AccountFeesRevenue       LedgerAccount = "agency_revenue_fees"
	AccountVATCollected      LedgerAccount = "vat_collected"
	// AccountCommissionReceivable is the commission a creditor owes on the
	// payments its debtors made to it directly.
	AccountCommissionReceivable LedgerAccount = "commission_receivable"
	// AccountAgencyBank is the agency's own bank account, outside the
	// client account: its share of a remittance goes there.
	AccountAgencyBank LedgerAccount = "agency_bank"
	// AccountCreditorDirect and its offset are a memo pair: payments made to
	// the creditor directly, which bring no money to the client account.
	AccountCreditorDirect       LedgerAccount = "creditor_direct"
	AccountCreditorDirectOffset LedgerAccount = "creditor_direct_offset"
)

// LedgerAccounts lists the accounts.
var LedgerAccounts = []LedgerAccount{AccountClientBank, AccountAgencyBank, AccountOwedToCreditor, AccountCommissionRevenue, AccountFeesRevenue,
	AccountVATCollected, AccountCommissionReceivable, AccountCreditorDirect, AccountCreditorDirectOffset}

// PerCreditor reports whether the account is kept for each creditor (and
// may be read by that creditor).
func (a LedgerAccount) PerCreditor() bool {
	switch a {
	case AccountOwedToCreditor, AccountCommissionReceivable, AccountCreditorDirect, AccountCreditorDirectOffset:
		return true
	}
	return false
}

// Valid reports whether a is a known account.
func (a LedgerAccount) Valid() bool {
	for _, x := range LedgerAccounts {
		if a == x {
			return true
		}
	}
	return false
}

// LedgerTxnKind says what a ledger transaction records.
type LedgerTxnKind string

const (
	TxnPayment         LedgerTxnKind = "payment"
	TxnPaymentReversal LedgerTxnKind = "payment_reversal"
	TxnRemittance      LedgerTxnKind = "remittance"
	TxnRemittanceUndo  LedgerTxnKind = "remittance_cancel"
)

// LedgerEntry is one line of a ledger transaction: a debit is positive, a
// credit negative. CreditorID is the account's creditor for a per-creditor
// account, else the creditor the line is about (or nil).
type LedgerEntry struct {
	Account     LedgerAccount
	CreditorID  *uuid.UUID
	AmountCents int64
	Currency    string
}

// Name is the account's full name: "owed_to_creditor:<id>" for a
// per-creditor account.
func (e LedgerEntry) Name() string {
	if e.Account.PerCreditor() && e.CreditorID != nil {
		return string(e.Account) + ":" + e.CreditorID.String()
	}
	return string(e.Account)
}

// LedgerTxn is a balanced set of entries booked together.
type LedgerTxn struct {
	ID        uuid.UUID
	Kind      LedgerTxnKind
	BookedOn  Date
	PaymentID *uuid.UUID
	Entries   []LedgerEntry
}

// Check verifies the rules the database enforces too: at least two
// entries, none of zero, a creditor on every per-creditor account, and
// the amounts summing to zero in each currency.
func (t LedgerTxn) Check() error {
	if len(t.Entries) < 2 {
		return fmt.Errorf("ledger transaction %s: %d entries, want at least 2", t.ID, len(t.Entries))
	}
	sums := map[string]int64{}
	for _, e := range t.Entries {
		switch {
		case !e.Account.Valid():
			return fmt.Errorf("ledger transaction %s: unknown account %q", t.ID, e.Account)
		case e.AmountCents == 0:
			return fmt.Errorf("ledger transaction %s: a zero entry on %s", t.ID, e.Name())
		case e.Account.PerCreditor() && e.CreditorID == nil:
			return fmt.Errorf("ledger transaction %s: %s without its creditor", t.ID, e.Account)
		case len(e.Currency) != 3:
			return fmt.Errorf("ledger transaction %s: currency %q", t.ID, e.Currency)
		}
		sums[e.Currency] += e.AmountCents
	}
	for cur, s := range sums {
		if s != 0 {
			return fmt.Errorf("ledger transaction %s does not balance: %d %s left over", t.ID, s, cur)
		}
	}
	return nil
}

// Commission is the mandate's commission on an amount recovered, in the
// amount's cents, rounded half away from zero.
func (m Mandate) Commission(amountCents int64) int64 {
	return Prorata(amountCents, int64(m.CommissionBps), 10000)
}

// PaymentPosting is the ledger transaction a recorded payment books, on
// the day it was received:
//   - money received on the client account: client_bank is debited and
//     what is owed to the creditor credited with the whole amount (the
//     commission is taken when the funds are remitted);
//   - a payment made to the creditor directly brings no money: the memo
//     pair notes it, and the mandate's commission on it is owed by the
//     creditor (commission_receivable) and earned by the agency.
//
// A direct payment whose commission is zero books the memo pair alone.
func PaymentPosting(p Payment, creditorID uuid.UUID, m Mandate) LedgerTxn {
	cr := creditorID
	t := LedgerTxn{ID: PaymentTxnID(p.ID, TxnPayment), Kind: TxnPayment, BookedOn: p.ReceivedOn, PaymentID: &p.ID}
	add := func(a LedgerAccount, cents int64) {
		if cents != 0 {
			t.Entries = append(t.Entries, LedgerEntry{Account: a, CreditorID: &cr, AmountCents: cents, Currency: p.Currency})
		}
	}
	if p.Method != MethodDirectToCreditor {
		add(AccountClientBank, p.AmountCents)
		add(AccountOwedToCreditor, -p.AmountCents)
		return t
	}
	c := m.Commission(p.AmountCents)
	add(AccountCommissionReceivable, c)
	add(AccountCommissionRevenue, -c)
	add(AccountCreditorDirect, p.AmountCents)
	add(AccountCreditorDirectOffset, -p.AmountCents)
	return t
}

// ReversalPosting is the transaction that undoes orig on the day given: the
// same accounts, opposite amounts. Nothing is ever edited.
func ReversalPosting(orig LedgerTxn, on Date) LedgerTxn {
	kind := TxnPaymentReversal
	if orig.Kind == TxnRemittance {
		kind = TxnRemittanceUndo
	}
	id := uuid.NewSHA1(ledgerSpace, []byte(orig.ID.String()+":"+string(kind)))
	if orig.PaymentID != nil {
		id = PaymentTxnID(*orig.PaymentID, kind)
	}
	t := LedgerTxn{ID: id, Kind: kind, BookedOn: on, PaymentID: orig.PaymentID}
	for _, e := range orig.Entries {
		e.AmountCents = -e.AmountCents
		t.Entries = append(t.Entries, e)
	}
	return t
}

// RemittanceFigures are what a remittance takes from one creditor's
// account: everything held for it, less the commission on it, the fixed
// fees, the commission it owes on payments made to it directly, and the
// VAT on the agency's share — the rest is paid to the creditor.
type RemittanceFigures struct {
	HeldCents       int64 // owed_to_creditor's balance, remitted whole
	CommissionCents int64 // the mandate's commission on HeldCents
	DirectCommCents int64 // commission owed on direct payments (commission_receivable)
	FeesCents       int64 // the mandate's fixed fees
	VATCents        int64 // VAT on commission, direct commission and fees
	VATRateBps      int64
	NetCents        int64 // paid to the creditor
	CommissionNetCents,
	CommissionGrossCents int64 // the agency's invoice: net (commission + direct commission + fees) and gross (with VAT)
}

// ComputeRemittance works out a creditor's remittance. It refuses (a
// validation error naming the reason) when nothing is held, or when the
// funds held do not cover the agency's share: the remittance would pay
// more than is held.
func ComputeRemittance(held, directComm, fees int64, m Mandate, vatBps int64) (RemittanceFigures, error) {
	f := RemittanceFigures{HeldCents: held, DirectCommCents: directComm, FeesCents: fees, VATRateBps: vatBps}
	if held <= 0 {
		return f, Invalid("Rien à reverser.", FieldError{Field: "creditor_id", Code: "nothing_held", Message: "Aucun fonds n'est détenu pour ce créancier."})
	}
	f.CommissionCents = m.Commission(held)
	f.CommissionNetCents = f.CommissionCents + directComm + fees
	f.VATCents = Prorata(f.CommissionNetCents, vatBps, 10000)
	f.CommissionGrossCents = f.CommissionNetCents + f.VATCents
	f.NetCents = held - f.CommissionGrossCents
	if f.NetCents <= 0 {
		return f, Invalid("Reversement supérieur aux fonds détenus.", FieldError{Field: "creditor_id", Code: "above_funds_held", Message: fmt.Sprintf(
			"Les fonds détenus (%d centimes) ne couvrent pas la commission, les frais et la TVA (%d centimes) : rien ne peut être reversé.", held, f.CommissionGrossCents)})
	}
	return f, nil
}

// RemittancePosting books a remittance: the creditor's account is cleared
// of what is held, which leaves the client account — the net to the
// creditor, the agency's share (commission, fees, VAT, and the commission
// owed on direct payments) to the agency's own account.
func RemittancePosting(id uuid.UUID, creditorID uuid.UUID, currency string, on Date, f RemittanceFigures) LedgerTxn {
	cr := creditorID
	t := LedgerTxn{ID: id, Kind: TxnRemittance, BookedOn: on}
	add := func(a LedgerAccount, cents int64) {
		if cents != 0 {
			t.Entries = append(t.Entries, LedgerEntry{Account: a, CreditorID: &cr, AmountCents: cents, Currency: currency})
		}
	}
	add(AccountOwedToCreditor, f.HeldCents)
	add(AccountClientBank, -f.HeldCents)
	add(AccountAgencyBank, f.CommissionGrossCents)
	add(AccountCommissionRevenue, -f.CommissionCents)
	add(AccountFeesRevenue, -f.FeesCents)
	add(AccountVATCollected, -f.VATCents)
	add(AccountCommissionReceivable, -f.DirectCommCents)
	return t
}

// PaymentTxnID is the id of a payment's posting (TxnPayment) or of its
// reversal (TxnPaymentReversal): one id, whoever computes it.
func PaymentTxnID(paymentID uuid.UUID, kind LedgerTxnKind) uuid.UUID {
	return uuid.NewSHA1(ledgerSpace, []byte(paymentID.String()+":"+string(kind)))
}

// ledgerSpace names the ledger's derived transaction ids (UUID v5): a
// payment's posting has one id, whoever computes it.
var ledgerSpace = uuid.MustParse("6f1d3c2e-9a4b-5c7d-8e0f-1a2b3c4d5e6f")

// LedgerKey is one account of one creditor (nil for the agency's) in one
// currency.
type LedgerKey struct {
	Account  LedgerAccount
	Creditor uuid.UUID // uuid.Nil for an agency account
	Currency string
}

// Ledger holds balances, applying transactions as the database does.
type Ledger struct {
	Balances map[LedgerKey]int64
}

// NewLedger is an empty ledger.
func NewLedger() *Ledger { return &Ledger{Balances: map[LedgerKey]int64{}} }

// Apply checks t and adds its entries to the balances.
func (l *Ledger) Apply(t LedgerTxn) error {
	if err := t.Check(); err != nil {
		return err
	}
	for _, e := range t.Entries {
		l.Balances[keyOf(e)] += e.AmountCents
	}
	return nil
}

func keyOf(e LedgerEntry) LedgerKey {
	k := LedgerKey{Account: e.Account, Currency: e.Currency}
	if e.Account.PerCreditor() && e.CreditorID != nil {
		k.Creditor = *e.CreditorID
	}
	return k
}

// Total is the sum of every balance in a currency: zero in a balanced ledger.
func (l *Ledger) Total(currency string) int64 {
	var s int64
	for k, v := range l.Balances {
		if k.Currency == currency {
			s += v
		}
	}
	return s
}

// Balance is one account's balance (creditor uuid.Nil for an agency account).
func (l *Ledger) Balance(a LedgerAccount, creditor uuid.UUID, currency string) int64 {
	return l.Balances[LedgerKey{Account: a, Creditor: creditor, Currency: currency}]
}

// DatedAmount is an amount booked on a day.
type DatedAmount struct {
	On    Date
	Cents int64
}

// RemitBy is the last day funds collected on collectedOn may be held (CPCE
// R124-6): one month later, unless the mandate agreed another number of
// days.
func RemitBy(collectedOn Date, mandateDays int) Date {
	if mandateDays > 0 {
		return collectedOn.AddDays(mandateDays)
	}
	return collectedOn.AddMonths(1)
}

// HeldTooLong says how much of a creditor's balance held has been held past
// its deadline on today, and since when the oldest of it was collected.
// Funds are passed on first in, first out: the balance is made of the most
// recent credits, so what exceeds the credits still within their deadline
// is overdue. credits are what was credited to the creditor's account, per
// day (a reversal as a negative credit).
func HeldTooLong(balanceCents int64, credits []DatedAmount, today Date, mandateDays int) (overdueCents int64, oldest Date) {
	if balanceCents <= 0 {
		return 0, Date{}
	}
	cs := append([]DatedAmount(nil), credits...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].On.After(cs[j].On) }) // newest first
	remaining := balanceCents
	for _, c := range cs {
		if remaining <= 0 {
			break
		}
		if c.Cents <= 0 {
			continue
		}
		take := min(remaining, c.Cents)
		remaining -= take
		if RemitBy(c.On, mandateDays).Before(today) {
			overdueCents += take
			oldest = c.On
		}
	}
	if remaining > 0 && len(cs) > 0 { // more held than credited: as old as the oldest credit
		overdueCents += remaining
		oldest = cs[len(cs)-1].On
	}
	return overdueCents, oldest
}

// VATAt is the VAT on a net amount at the standard rate in force on d
// (rates kind vat_standard, basis points), rounded half away from zero.
// ok is false when no rate is known on d.
func (t RateTable) VATAt(netCents int64, d Date) (vatCents int64, r Rate, ok bool) {
	r, _, ok = t.RateAt(RateVAT, d)
	if !ok {
		return 0, Rate{}, false
	}
	return Prorata(netCents, r.Value, 10000), r, true
}

// RunState is where a remittance run stands.
type RunState string

const (
	RunDraft     RunState = "draft"     // figures worked out, nothing moved
	RunBooked    RunState = "booked"    // the ledger moved, statements and the transfer file made
	RunSent      RunState = "sent"      // the transfer file went to the bank
	RunCancelled RunState = "cancelled" // dropped before it was sent
)

// RunAction moves a run.
type RunAction string

const (
	RunBook   RunAction = "book"
	RunSend   RunAction = "send"
	RunCancel RunAction = "cancel"
)

// NextRunState is the state action leads to from s, or a conflict: a run
// is booked from a draft, sent once booked, and cancelled only before it
// was sent — the bank may already have paid a file marked sent.
func NextRunState(s RunState, a RunAction) (RunState, error) {
	switch {
	case a == RunBook && s == RunDraft:
		return RunBooked, nil
	case a == RunSend && s == RunBooked:
		return RunSent, nil
	case a == RunCancel && (s == RunDraft || s == RunBooked):
		return RunCancelled, nil
	case a == RunCancel && s == RunSent:
		return s, Errorf(ECodeConflict, "Le fichier de virements a été envoyé à la banque : le reversement ne peut plus être annulé.")
	}
	return s, Errorf(ECodeConflict, "Reversement à l'état « %s » : action « %s » impossible.", s, a)
}

// Fees are the mandate's fixed fees for newCases cases paid for the first
// time since the creditor's last remittance.
func (m Mandate) Fees(newCases int) int64 { return m.FixedFeeCents * int64(newCases) }

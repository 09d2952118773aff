package recouvra_test

import (
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestPaymentPosting(t *testing.T) {
	cr := uuid.New()
	m := recouvra.Mandate{CommissionBps: 1250}
	pay := recouvra.Payment{ID: uuid.New(), AmountCents: 10005, Currency: "EUR", ReceivedOn: recouvra.MustDate("2026-11-02"), Method: recouvra.MethodTransfer}
	l := recouvra.NewLedger()
	p := recouvra.PaymentPosting(pay, cr, m)
	if err := l.Apply(p); err != nil {
		t.Fatal(err)
	}
	if got := l.Balance(recouvra.AccountClientBank, uuid.Nil, "EUR"); got != 10005 {
		t.Errorf("client_bank %d, want 10005", got)
	}
	if got := l.Balance(recouvra.AccountOwedToCreditor, cr, "EUR"); got != -10005 {
		t.Errorf("owed_to_creditor %d, want -10005 (a credit)", got)
	}
	if p.BookedOn != pay.ReceivedOn || *p.PaymentID != pay.ID || p.ID != recouvra.PaymentPosting(pay, cr, m).ID {
		t.Errorf("posting %+v: booked on the day received, one id per payment", p)
	}
	if p.Entries[1].Name() != "owed_to_creditor:"+cr.String() {
		t.Errorf("account name %q", p.Entries[1].Name())
	}

	// Paid to the creditor directly: no money, 12.5 % of 100.05 = 12.50625 → 12.51 commission owed by the creditor.
	direct := pay
	direct.ID, direct.Method = uuid.New(), recouvra.MethodDirectToCreditor
	if err := l.Apply(recouvra.PaymentPosting(direct, cr, m)); err != nil {
		t.Fatal(err)
	}
	if got := l.Balance(recouvra.AccountClientBank, uuid.Nil, "EUR"); got != 10005 {
		t.Errorf("a direct payment moved client_bank to %d", got)
	}
	if got := l.Balance(recouvra.AccountCommissionReceivable, cr, "EUR"); got != 1251 {
		t.Errorf("commission_receivable %d, want 1251", got)
	}
	if got := l.Balance(recouvra.AccountCommissionRevenue, uuid.Nil, "EUR"); got != -1251 {
		t.Errorf("commission revenue %d, want -1251", got)
	}
	if got := l.Balance(recouvra.AccountCreditorDirect, cr, "EUR"); got != 10005 {
		t.Errorf("memo creditor_direct %d, want 10005", got)
	}

	// The reversal posts the opposite entries: the ledger is back to the direct payment alone.
	rev := recouvra.ReversalPosting(p, recouvra.MustDate("2026-11-10"))
	if rev.Kind != recouvra.TxnPaymentReversal || rev.ID == p.ID {
		t.Errorf("reversal %+v", rev)
	}
	if err := l.Apply(rev); err != nil {
		t.Fatal(err)
	}
	if got := l.Balance(recouvra.AccountClientBank, uuid.Nil, "EUR"); got != 0 {
		t.Errorf("client_bank after reversal %d", got)
	}
	if l.Total("EUR") != 0 {
		t.Errorf("the ledger does not balance: %d", l.Total("EUR"))
	}
}

func TestLedgerTxnCheck(t *testing.T) {
	cr := uuid.New()
	ok := recouvra.LedgerTxn{ID: uuid.New(), Entries: []recouvra.LedgerEntry{
		{Account: recouvra.AccountClientBank, AmountCents: 100, Currency: "EUR"},
		{Account: recouvra.AccountOwedToCreditor, CreditorID: &cr, AmountCents: -100, Currency: "EUR"},
	}}
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
	bad := []recouvra.LedgerTxn{
		{Entries: ok.Entries[:1]}, // one entry
		{Entries: []recouvra.LedgerEntry{ok.Entries[0], {Account: recouvra.AccountOwedToCreditor, CreditorID: &cr, AmountCents: -99, Currency: "EUR"}}},  // unbalanced
		{Entries: []recouvra.LedgerEntry{ok.Entries[0], {Account: recouvra.AccountOwedToCreditor, CreditorID: &cr, AmountCents: -100, Currency: "USD"}}}, // balanced across currencies only
		{Entries: []recouvra.LedgerEntry{ok.Entries[0], {Account: recouvra.AccountOwedToCreditor, AmountCents: -100, Currency: "EUR"}}},                  // no creditor
		{Entries: []recouvra.LedgerEntry{ok.Entries[0], {Account: "petty_cash", AmountCents: -100, Currency: "EUR"}}},                                    // unknown account
		{Entries: append([]recouvra.LedgerEntry{{Account: recouvra.AccountVATCollected, Currency: "EUR"}}, ok.Entries...)},                               // a zero entry
	}
	for i, b := range bad {
		if err := b.Check(); err == nil {
			t.Errorf("case %d: %+v accepted", i, b.Entries)
		}
	}
}

func TestComputeRemittance(t *testing.T) {
	m := recouvra.Mandate{CommissionBps: 1500}
	// 1 000.00 held, 15 % = 150.00, 20.00 of commission on a direct payment, 30.00 fees:
	// the agency's net 200.00, VAT 20 % 40.00, gross 240.00; 760.00 to the creditor.
	f, err := recouvra.ComputeRemittance(100000, 2000, 3000, m, 2000)
	if err != nil {
		t.Fatal(err)
	}
	want := recouvra.RemittanceFigures{HeldCents: 100000, CommissionCents: 15000, DirectCommCents: 2000, FeesCents: 3000, VATCents: 4000, VATRateBps: 2000,
		NetCents: 76000, CommissionNetCents: 20000, CommissionGrossCents: 24000}
	if f != want {
		t.Errorf("got %+v\nwant %+v", f, want)
	}
	cr := uuid.New()
	l := recouvra.NewLedger()
	if err := l.Apply(recouvra.RemittancePosting(uuid.New(), cr, "EUR", recouvra.MustDate("2026-11-30"), f)); err != nil {
		t.Fatal(err)
	}
	if got := l.Balance(recouvra.AccountAgencyBank, uuid.Nil, "EUR"); got != 24000 {
		t.Errorf("agency_bank %d", got)
	}
	if _, err := recouvra.ComputeRemittance(0, 0, 0, m, 2000); recouvra.ErrorCode(err) != recouvra.ECodeInvalid {
		t.Errorf("nothing held: %v", err)
	}
	// 100.00 held, 10 000.00 of direct commission owed: more than is held.
	if _, err := recouvra.ComputeRemittance(10000, 1000000, 0, m, 2000); recouvra.ErrorCode(err) != recouvra.ECodeInvalid {
		t.Errorf("above funds held: %v", err)
	}
}

func TestRemitByAndHeldTooLong(t *testing.T) {
	d := recouvra.MustDate
	if got := recouvra.RemitBy(d("2026-01-31"), 0); got != d("2026-02-28") {
		t.Errorf("one month after 31 January: %s", got)
	}
	if got := recouvra.RemitBy(d("2026-01-31"), 10); got != d("2026-02-10") {
		t.Errorf("ten days by mandate: %s", got)
	}
	credits := []recouvra.DatedAmount{{On: d("2026-09-01"), Cents: 5000}, {On: d("2026-10-20"), Cents: 3000}, {On: d("2026-11-20"), Cents: 2000}}
	// Held 6 000 on 2026-11-20: the newest 2 000 and 3 000 are within their month (October's on its last day), 1 000 of September's is not.
	if got, oldest := recouvra.HeldTooLong(6000, credits, d("2026-11-20"), 0); got != 1000 || oldest != d("2026-09-01") {
		t.Errorf("overdue %d since %s, want 1000 since 2026-09-01", got, oldest)
	}
	// On 2026-11-21 October's 3 000 is late too (due 2026-11-20).
	if got, oldest := recouvra.HeldTooLong(6000, credits, d("2026-11-21"), 0); got != 4000 || oldest != d("2026-09-01") {
		t.Errorf("overdue %d since %s, want 4000", got, oldest)
	}
	// The mandate allows 90 days: nothing late.
	if got, _ := recouvra.HeldTooLong(6000, credits, d("2026-11-25"), 90); got != 0 {
		t.Errorf("90 days by mandate: %d overdue", got)
	}
	if got, _ := recouvra.HeldTooLong(0, credits, d("2026-11-25"), 0); got != 0 {
		t.Errorf("nothing held: %d overdue", got)
	}
}

func TestVATRateIsData(t *testing.T) {
	rates := recouvra.NewRateTable([]recouvra.Rate{{Kind: recouvra.RateVAT, PeriodStart: recouvra.MustDate("2014-01-01"), Value: 2000, Source: "CGI art. 278"}})
	vat, r, ok := rates.VATAt(12345, recouvra.MustDate("2026-11-30"))
	if !ok || vat != 2469 || r.Source != "CGI art. 278" {
		t.Errorf("VAT %d (%+v, %v), want 2469 at 20 %%", vat, r, ok)
	}
	if _, _, ok := rates.VATAt(100, recouvra.MustDate("2013-12-31")); ok {
		t.Error("a rate before it took effect")
	}
	// A VAT row takes effect on any day, not only a half-year's first.
	if err := (recouvra.Rate{Kind: recouvra.RateVAT, PeriodStart: recouvra.MustDate("2027-03-15"), Value: 2100, Source: "loi de finances"}).Validate(); err != nil {
		t.Error(err)
	}
}

// TestLedgerProperty runs random histories of payments (on the client
// account or made to the creditor directly), reversals and remittances
// over three creditors, and checks after every step that the ledger
// balances, that the client account holds exactly what is owed to the
// creditors, and that it equals the payments received on it, less those
// reversed, less what was remitted.
func TestLedgerProperty(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 16))
		creditors := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
		mandates := map[uuid.UUID]recouvra.Mandate{}
		for _, c := range creditors {
			mandates[c] = recouvra.Mandate{CommissionBps: rng.IntN(3001)}
		}
		l := recouvra.NewLedger()
		var received, reversed, remitted int64
		type posted struct {
			txn    recouvra.LedgerTxn
			client bool
			amount int64
		}
		var live []posted
		day := recouvra.MustDate("2026-01-01")
		for step := 0; step < 60; step++ {
			day = day.AddDays(rng.IntN(5))
			switch op := rng.IntN(10); {
			case op < 5: // a payment
				c := creditors[rng.IntN(len(creditors))]
				p := recouvra.Payment{ID: uuid.New(), AmountCents: 1 + rng.Int64N(500000), Currency: "EUR", ReceivedOn: day, Method: recouvra.MethodTransfer}
				if rng.IntN(4) == 0 {
					p.Method = recouvra.MethodDirectToCreditor
				}
				txn := recouvra.PaymentPosting(p, c, mandates[c])
				if len(txn.Entries) == 0 {
					continue
				}
				if err := l.Apply(txn); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				client := p.Method != recouvra.MethodDirectToCreditor
				if client {
					received += p.AmountCents
				}
				live = append(live, posted{txn, client, p.AmountCents})
			case op < 7: // a reversal
				if len(live) == 0 {
					continue
				}
				i := rng.IntN(len(live))
				if err := l.Apply(recouvra.ReversalPosting(live[i].txn, day)); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if live[i].client {
					reversed += live[i].amount
				}
				live = append(live[:i], live[i+1:]...)
			default: // a remittance to one creditor
				c := creditors[rng.IntN(len(creditors))]
				held := -l.Balance(recouvra.AccountOwedToCreditor, c, "EUR")
				direct := l.Balance(recouvra.AccountCommissionReceivable, c, "EUR")
				f, err := recouvra.ComputeRemittance(held, direct, int64(rng.IntN(3))*1500, mandates[c], 2000)
				if err != nil {
					if held > 0 && f.NetCents > 0 {
						t.Fatalf("seed %d: refused %+v: %v", seed, f, err)
					}
					continue
				}
				if f.NetCents <= 0 || f.NetCents+f.CommissionGrossCents != held {
					t.Fatalf("seed %d: remittance %+v pays more or less than is held", seed, f)
				}
				if err := l.Apply(recouvra.RemittancePosting(uuid.New(), c, "EUR", day, f)); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				remitted += held
				if got := l.Balance(recouvra.AccountOwedToCreditor, c, "EUR"); got != 0 {
					t.Fatalf("seed %d: owed to the creditor after its remittance: %d", seed, got)
				}
			}
			if got := l.Total("EUR"); got != 0 {
				t.Fatalf("seed %d step %d: the ledger does not balance: %d", seed, step, got)
			}
			bank := l.Balance(recouvra.AccountClientBank, uuid.Nil, "EUR")
			if want := received - reversed - remitted; bank != want {
				t.Fatalf("seed %d step %d: client_bank %d, want payments %d - reversals %d - remittances %d = %d", seed, step, bank, received, reversed, remitted, want)
			}
			var owed int64
			for _, c := range creditors {
				owed += l.Balance(recouvra.AccountOwedToCreditor, c, "EUR")
			}
			if bank+owed != 0 {
				t.Fatalf("seed %d step %d: the client account holds %d, the creditors are owed %d", seed, step, bank, -owed)
			}
		}
	}
}

func TestNextRunState(t *testing.T) {
	for _, c := range []struct {
		from recouvra.RunState
		act  recouvra.RunAction
		to   recouvra.RunState
		ok   bool
	}{
		{recouvra.RunDraft, recouvra.RunBook, recouvra.RunBooked, true},
		{recouvra.RunBooked, recouvra.RunSend, recouvra.RunSent, true},
		{recouvra.RunDraft, recouvra.RunCancel, recouvra.RunCancelled, true},
		{recouvra.RunBooked, recouvra.RunCancel, recouvra.RunCancelled, true},
		{recouvra.RunSent, recouvra.RunCancel, recouvra.RunSent, false},
		{recouvra.RunDraft, recouvra.RunSend, recouvra.RunDraft, false},
		{recouvra.RunBooked, recouvra.RunBook, recouvra.RunBooked, false},
		{recouvra.RunCancelled, recouvra.RunBook, recouvra.RunCancelled, false},
	} {
		got, err := recouvra.NextRunState(c.from, c.act)
		if got != c.to || (err == nil) != c.ok || (err != nil && recouvra.ErrorCode(err) != recouvra.ECodeConflict) {
			t.Errorf("%s + %s = %s, %v", c.from, c.act, got, err)
		}
	}
}

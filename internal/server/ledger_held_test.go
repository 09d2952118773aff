package server_test

import (
	"testing"
	"time"
)

// R124-6 through the API, at the month's edge: money received on 31
// January 2028 is late from 1 March (29 February, a leap day, is the last
// allowed); a reversal takes back the money of the payment it reverses,
// not of the one received the day it is booked; a mandate's agreed delay
// moves the edge.
func TestLedgerHeldTooLongAtTheMonthEdge(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	on := func(date string) { // noon UTC on date, everyone logged in again
		t.Helper()
		at, err := time.Parse(time.DateOnly, date)
		if err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(at.Add(12 * time.Hour).Sub(w.clock.Now()))
		w.days(0)
	}
	overdue := func(want int64, since string) {
		t.Helper()
		b := w.balances("admin", "")
		if len(b.Creditors) != 1 || b.Creditors[0].HeldCents != 250_00 {
			t.Fatalf("on %s: %+v", w.today(), b.Creditors)
		}
		got := b.Creditors[0]
		if got.OverdueCents != want || b.OverdueTotalCents != want {
			t.Fatalf("on %s: %d overdue, want %d", w.today(), got.OverdueCents, want)
		}
		if want > 0 && (got.OldestOverdueOn == nil || got.OldestOverdueOn.Format(time.DateOnly) != since) {
			t.Fatalf("on %s: oldest overdue %v, want %s", w.today(), got.OldestOverdueOn, since)
		}
	}
	id := w.caseA.Case.ID

	on("2028-01-31")
	first := w.payToday(id, 250_00)
	on("2028-02-29")
	overdue(0, "")
	on("2028-03-01")
	overdue(250_00, "2028-01-31")

	// The same amount comes in again and the first is taken back, both
	// on 1 March: what is held came in on 1 March, and is not late.
	w.payToday(id, 250_00)
	w.reverse(first)
	overdue(0, "")
	on("2028-04-01") // one month after 1 March: the last allowed day
	overdue(0, "")
	on("2028-04-02")
	overdue(250_00, "2028-03-01")

	// 45 days agreed: late from 16 April.
	w.exec(t, "UPDATE creditors SET remit_within_days = 45 WHERE id = '"+w.credA.ID.String()+"'")
	overdue(0, "")
	on("2028-04-15")
	overdue(0, "")
	on("2028-04-16")
	overdue(250_00, "2028-03-01")
}

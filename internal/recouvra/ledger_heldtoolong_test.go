package recouvra_test

import (
	"testing"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// R124-6 at its edge: money received must be passed on within one month,
// counted as the Code civil counts months (the same day number of the
// next month, its last day when it has none; the day of receipt not
// counted), unless the mandate agreed another number of days. The last
// allowed day is not flagged; the next day is.
func TestHeldTooLongAtTheEdge(t *testing.T) {
	d := recouvra.MustDate
	for _, c := range []struct {
		name        string
		received    string
		mandateDays int
		lastAllowed string
	}{
		{"mid-month", "2026-03-15", 0, "2026-04-15"},
		{"31 January, ordinary year: end of February", "2026-01-31", 0, "2026-02-28"},
		{"31 January, leap year: 29 February", "2028-01-31", 0, "2028-02-29"},
		{"30 January, leap year", "2028-01-30", 0, "2028-02-29"},
		{"29 February", "2028-02-29", 0, "2028-03-29"},
		{"28 February: the same day number, not the month's end", "2026-02-28", 0, "2026-03-28"},
		{"31 March into a 30-day month", "2026-03-31", 0, "2026-04-30"},
		{"across the year", "2026-12-31", 0, "2027-01-31"},
		{"45 days agreed in the mandate", "2026-01-31", 45, "2026-03-17"},
		{"45 days across a leap February", "2028-01-31", 45, "2028-03-16"},
		{"10 days agreed (shorter)", "2026-01-31", 10, "2026-02-10"},
	} {
		t.Run(c.name, func(t *testing.T) {
			received, last := d(c.received), d(c.lastAllowed)
			if got := recouvra.RemitBy(received, c.mandateDays); got != last {
				t.Fatalf("last allowed day %s, want %s", got, last)
			}
			credits := []recouvra.DatedAmount{{On: received, Cents: 100_00}}
			for _, day := range []recouvra.Date{received, last.AddDays(-1), last} {
				if over, _ := recouvra.HeldTooLong(100_00, credits, day, c.mandateDays); over != 0 {
					t.Errorf("on %s (not late yet): %d overdue", day, over)
				}
			}
			over, oldest := recouvra.HeldTooLong(100_00, credits, last.AddDays(1), c.mandateDays)
			if over != 100_00 || oldest != received {
				t.Errorf("on %s (the day after the last allowed): %d overdue since %s, want 10000 since %s", last.AddDays(1), over, oldest, received)
			}
		})
	}

	// First in, first out: of 150.00 held, 100.00 came on 31 January and
	// 50.00 on 20 February; on 1 March 2026 only January's is late.
	credits := []recouvra.DatedAmount{{On: d("2026-01-31"), Cents: 100_00}, {On: d("2026-02-20"), Cents: 50_00}}
	if over, oldest := recouvra.HeldTooLong(150_00, credits, d("2026-02-28"), 0); over != 0 {
		t.Errorf("28 February: %d overdue since %s", over, oldest)
	}
	if over, oldest := recouvra.HeldTooLong(150_00, credits, d("2026-03-01"), 0); over != 100_00 || oldest != d("2026-01-31") {
		t.Errorf("1 March: %d overdue since %s, want 10000 since 2026-01-31", over, oldest)
	}
	// 60.00 passed on since: the balance is the newest money, 50.00 of
	// February's and 40.00 of January's.
	if over, _ := recouvra.HeldTooLong(90_00, credits, d("2026-03-01"), 0); over != 40_00 {
		t.Errorf("after a remittance: %d overdue, want 4000", over)
	}
}

package recouvra_test

import (
	"testing"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestCountbackDSO works the countback by hand on small portfolios. The
// months are 2026: January 31 days, February 28, March 31.
func TestCountbackDSO(t *testing.T) {
	jan, feb, mar := recouvra.MustDate("2026-01-01"), recouvra.MustDate("2026-02-01"), recouvra.MustDate("2026-03-01")
	month := func(first recouvra.Date, placed int64) recouvra.MonthPlacements {
		return recouvra.MonthPlacements{Month: first, Days: recouvra.DaysInMonth(first), PlacedCents: placed}
	}
	cases := []struct {
		name        string
		receivables int64
		months      []recouvra.MonthPlacements
		tenths      int64
		exhausted   bool
	}{
		// 1 000 € owed at the end of March, 2 000 € placed in March: half of
		// March's 31 days.
		{"within the last month", 100_000, []recouvra.MonthPlacements{month(mar, 200_000)}, 155, false},
		// 2 500 € owed: March's 2 000 € are consumed (31 days), February
		// placed nothing (28 days, the whole month counts), and the 500 €
		// left are half of January's 1 000 € (15.5 days): 74.5 days.
		{"a month with nothing placed", 250_000, []recouvra.MonthPlacements{month(jan, 100_000), month(feb, 0), month(mar, 200_000)}, 745, false},
		// Exactly March's placements: its 31 days, no more.
		{"exactly one month", 200_000, []recouvra.MonthPlacements{month(feb, 50_000), month(mar, 200_000)}, 310, false},
		// 1 cent left of 3 cents placed in February: 28 / 3 = 9.33 days →
		// 9.3, after March's 31: 40.3.
		{"rounded to a tenth", 200_001, []recouvra.MonthPlacements{month(feb, 3), month(mar, 200_000)}, 310 + 93, false},
		// A month whose credit notes exceed its invoices placed nothing.
		{"a negative month", 150_000, []recouvra.MonthPlacements{month(jan, 100_000), month(feb, -40_000), month(mar, 100_000)}, 310 + 280 + 155, false},
		{"nothing owed", 0, []recouvra.MonthPlacements{month(mar, 200_000)}, 0, false},
		{"nothing placed at all", 0, nil, 0, false},
		// More owed than ever placed: every day of the history, flagged.
		{"history exhausted", 400_000, []recouvra.MonthPlacements{month(feb, 100_000), month(mar, 200_000)}, 280 + 310, true},
		// The current month counts its days up to today: the 10th of March,
		// 1 000 € placed so far, 400 € owed → 10 × 0.4 = 4 days.
		{"current month to date", 40_000, []recouvra.MonthPlacements{{Month: mar, Days: 10, PlacedCents: 100_000}}, 40, false},
	}
	for _, tc := range cases {
		got, exhausted := recouvra.CountbackDSO(tc.receivables, tc.months)
		if got != tc.tenths || exhausted != tc.exhausted {
			t.Errorf("%s: %d tenths (exhausted %v), want %d (%v)", tc.name, got, exhausted, tc.tenths, tc.exhausted)
		}
	}
	if recouvra.DaysInMonth(recouvra.MustDate("2028-02-15")) != 29 || recouvra.DaysInMonth(recouvra.MustDate("2026-12-31")) != 31 {
		t.Fatal("days in month")
	}
}

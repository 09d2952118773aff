package app

import (
	"testing"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestPerformanceFill lays hand-made sums out as the endpoint answers them:
// a placement before the months shown still counts back, a month with
// nothing placed counts all its days, the current month its days to date;
// rates by stage list every stage and by age every band, a case with no
// invoice in none.
func TestPerformanceFill(t *testing.T) {
	d := recouvra.MustDate
	today := d("2026-03-10")
	q := PerformanceQuery{Currency: "EUR", From: d("2026-02-01"), Today: today, AgeingStarts: AgeingStarts}
	band := func(i int) *int { return &i }
	rows := PerformanceRows{
		Placed:      []MonthCents{{d("2025-12-01"), 100_000}, {d("2026-03-01"), 50_000}},
		Recovered:   []MonthCents{{d("2026-02-01"), 10_000}},
		Remitted:    []MonthCents{{d("2026-02-01"), 9_000}},
		Receivables: []MonthCents{{d("2026-02-01"), 90_000}, {d("2026-03-01"), 140_000}},
		Rates: []RateRow{
			{Stage: recouvra.StageAmicable, Band: band(0), Cases: 1, PlacedCents: 50_000},
			{Stage: recouvra.StageAmicable, Band: band(2), Cases: 1, PlacedCents: 100_000, RecoveredCents: 10_000},
			{Stage: recouvra.StageClosed, Band: nil, Cases: 1, PlacedCents: -5_000},
		},
	}
	var p Performance
	p.fill(q, rows)
	if len(p.Months) != 2 || p.Months[0].Month != d("2026-02-01") || p.Months[1].Month != d("2026-03-01") {
		t.Fatalf("months %+v", p.Months)
	}
	// February: 900 € owed; February and January placed nothing (28 + 31
	// days), December's 1 000 € cover 900 € of it: 31 × 0.9 = 27.9 days.
	feb := p.Months[0]
	if feb.PlacedCents != 0 || feb.RecoveredCents != 10_000 || feb.RemittedCents != 9_000 || feb.ReceivablesCents != 90_000 || feb.DSOTenths != 280+310+279 {
		t.Errorf("February %+v", feb)
	}
	// March to the 10th: 1 400 € owed; March's 500 € (10 days), then
	// February and January (59 days), then 900 € of December's 1 000 €.
	if mar := p.Months[1]; mar.PlacedCents != 50_000 || mar.DSOTenths != 100+280+310+279 || p.DSOTenths() != mar.DSOTenths {
		t.Errorf("March %+v", mar)
	}
	if len(p.ByStage) != 5 || p.ByStage[0].Cases != 2 || p.ByStage[0].PlacedCents != 150_000 || p.ByStage[0].RateBps() != 667 ||
		p.ByStage[4].Stage != recouvra.StageClosed || p.ByStage[4].Cases != 1 || p.ByStage[4].RateBps() != 0 {
		t.Errorf("by stage %+v", p.ByStage)
	}
	if len(p.ByAge) != 5 || p.ByAge[0].Cases != 1 || p.ByAge[0].FromDays != 0 || *p.ByAge[0].ToDays != 30 ||
		p.ByAge[2].FromDays != 91 || p.ByAge[2].RateBps() != 1000 || p.ByAge[4].ToDays != nil || p.ByAge[4].Cases != 0 {
		t.Errorf("by age %+v", p.ByAge)
	}
}

package recouvra_test

import (
	"encoding/json"
	"testing"

	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestAddMonthsClampsToTheLastDay(t *testing.T) {
	cases := []struct {
		from, want string
		n          int
	}{
		{"2026-01-31", "2026-02-28", 1},
		{"2024-01-31", "2024-02-29", 1},
		{"2026-08-31", "2027-02-28", 6},
		{"2026-03-15", "2026-09-15", 6},
		{"2026-12-15", "2027-01-15", 1},
		{"2024-02-29", "2029-02-28", 60},
	}
	for _, c := range cases {
		if got := recouvra.MustDate(c.from).AddMonths(c.n).String(); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestFrenchPublicHolidays(t *testing.T) {
	if e := recouvra.Easter(2026); e.String() != "2026-04-05" {
		t.Fatalf("Easter 2026 = %s", e)
	}
	if e := recouvra.Easter(2027); e.String() != "2027-03-28" {
		t.Fatalf("Easter 2027 = %s", e)
	}
	for _, d := range []string{"2026-01-01", "2026-04-06", "2026-05-14", "2026-05-25", "2026-07-14", "2026-11-11", "2026-12-25"} {
		if _, ok := recouvra.PublicHoliday(recouvra.MustDate(d)); !ok {
			t.Errorf("%s should be a public holiday", d)
		}
	}
	if _, ok := recouvra.PublicHoliday(recouvra.MustDate("2026-04-07")); ok {
		t.Error("2026-04-07 is not a holiday")
	}
	// Saturday 14 November 2026 → Monday 16; Friday 25 December 2026 → Monday 28.
	if got := recouvra.ProceduralDeadline(recouvra.MustDate("2026-11-14")).String(); got != "2026-11-16" {
		t.Errorf("deadline on a Saturday moves to %s", got)
	}
	if got := recouvra.ProceduralDeadline(recouvra.MustDate("2026-12-25")).String(); got != "2026-12-28" {
		t.Errorf("deadline on Christmas moves to %s", got)
	}
}

func TestDateJSON(t *testing.T) {
	var v struct{ D recouvra.Date }
	if err := json.Unmarshal([]byte(`{"D":"2026-06-15"}`), &v); err != nil || v.D.String() != "2026-06-15" {
		t.Fatalf("%v %v", err, v.D)
	}
	if err := json.Unmarshal([]byte(`{"D":"15/06/2026"}`), &v); err == nil {
		t.Fatal("a French-format date must be refused")
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"D":"2026-06-15"}` {
		t.Fatal(string(out))
	}
	if d := recouvra.MustDate("2026-06-15"); d.DaysUntil(recouvra.MustDate("2026-08-14")) != 60 {
		t.Fatal("days between")
	}
}

func TestDueDateBothReadingsOfEndOfMonth(t *testing.T) {
	issued := recouvra.MustDate("2026-01-20")
	cases := []struct {
		kind recouvra.TermsKind
		days int
		want string
		warn int
	}{
		{recouvra.TermsNet, 30, "2026-02-19", 0},
		{recouvra.TermsNet, 90, "2026-04-20", 1},
		// End of January, then 45 days: 17 March, within 60 days of the invoice.
		{recouvra.TermsEndOfMonthThenDays, 45, "2026-03-17", 0},
		// 45 days (6 March), then the end of that month: 31 March, 70 days
		// after the invoice — allowed only if expressly agreed.
		{recouvra.TermsDaysThenEndOfMonth, 45, "2026-03-31", 1},
		{recouvra.TermsDaysThenEndOfMonth, 60, "2026-03-31", 1},
	}
	for _, c := range cases {
		due, warnings, err := recouvra.DueDate(issued, c.kind, c.days)
		if err != nil || due.String() != c.want || len(warnings) != c.warn {
			t.Errorf("%s %d: %s %v %v, want %s with %d warnings", c.kind, c.days, due, warnings, err, c.want, c.warn)
		}
	}
	if _, _, err := recouvra.DueDate(issued, "someday", 10); err == nil {
		t.Error("unknown terms accepted")
	}
}

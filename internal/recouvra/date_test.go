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

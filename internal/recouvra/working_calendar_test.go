package recouvra

import "testing"

// TestWorkingCalendarCountsLikeAddWorkingDays: the calendar's index gives
// AddWorkingDays for every day of several years and the delays steps use,
// so the SQL lookup (index + n) is the Go rule, holidays and weekends
// included.
func TestWorkingCalendarCountsLikeAddWorkingDays(t *testing.T) {
	t.Parallel()
	days := WorkingCalendar(MustDate("2023-06-01"), MustDate("2030-12-31"))
	byIndex := map[int]Date{}
	for _, d := range days {
		if d.Working {
			if prev, dup := byIndex[d.Index]; dup {
				t.Fatalf("index %d on %s and %s", d.Index, prev, d.Day)
			}
			byIndex[d.Index] = d.Day
		}
	}
	for _, d := range days {
		if d.Day.After(MustDate("2029-12-31")) {
			break
		}
		for _, n := range []int{0, 1, 2, 5, 10, 22, 60} {
			got, ok := byIndex[d.Index+n]
			if want := AddWorkingDays(d.Day, n); !ok || !got.Equal(want) {
				t.Fatalf("%s + %d working days: calendar %s, AddWorkingDays %s", d.Day, n, got, want)
			}
		}
	}
	// A later range continues the indices of an earlier one.
	a, b := WorkingCalendar(WorkingCalendarEpoch, MustDate("2026-12-31")), WorkingCalendar(MustDate("2026-12-01"), MustDate("2027-01-31"))
	if a[len(a)-31] != b[0] {
		t.Fatalf("ranges disagree: %+v and %+v", a[len(a)-31], b[0])
	}
	if d := WorkingCalendar(MustDate("2026-12-25"), MustDate("2026-12-25"))[0]; d.Working || d.Holiday != "Noël" {
		t.Fatalf("Christmas: %+v", d)
	}
}

package recouvra

// The working-day calendar the database dates strategy steps with
// (table working_days, migration 00039). It is written from WorkingDay and
// PublicHoliday — the same rules AddWorkingDays follows — so that a step
// dated by one set-based UPDATE falls on the day Go would give it.
//
// Each day carries a running index of working days: a working day's index
// is its rank since WorkingCalendarEpoch; a day off carries the index of
// the next working day (the day AddWorkingDays counts from). Then
// AddWorkingDays(d, n) is the working day whose index is index(d) + n: one
// lookup, whatever n.

// WorkingCalendarEpoch is the first day of the calendar: index 1 is the
// first working day on or after it. The table is filled from here; a date
// before it is dated in Go (the nightly pass's fallback).
var WorkingCalendarEpoch = NewDate(2000, 1, 1)

// CalendarDay is one day of the working-day calendar.
type CalendarDay struct {
	Day     Date
	Working bool
	Holiday string // the public holiday's name, if it is one
	// Index: for a working day, its rank among working days since the
	// epoch (from 1); for a day off, the rank of the next working day.
	Index int
}

// WorkingCalendar returns the calendar's days from from to to, both
// included, clamped to start at WorkingCalendarEpoch (indices are counted
// from there, so a range written later continues an earlier one).
func WorkingCalendar(from, to Date) []CalendarDay {
	if from.Before(WorkingCalendarEpoch) {
		from = WorkingCalendarEpoch
	}
	if to.Before(from) {
		return nil
	}
	out := make([]CalendarDay, 0, from.DaysUntil(to)+1)
	worked := 0 // working days before d
	for d := WorkingCalendarEpoch; !d.After(to); d = d.AddDays(1) {
		name, _ := PublicHoliday(d)
		working := WorkingDay(d)
		if !d.Before(from) {
			out = append(out, CalendarDay{Day: d, Working: working, Holiday: name, Index: worked + 1})
		}
		if working {
			worked++
		}
	}
	return out
}

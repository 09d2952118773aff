package recouvra

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Date is a calendar date with no time of day and no time zone: an invoice
// date, a due date, a court deadline. It is stored as midnight UTC.
type Date struct {
	t time.Time
}

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf returns the calendar date of t in Paris, where the agency works:
// "today" for a French court is the day in France.
func DateOf(t time.Time) Date {
	p := t.In(paris)
	return NewDate(p.Year(), p.Month(), p.Day())
}

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		// No tz database on the machine: fall back to CET without DST rather
		// than fail; the difference is an hour around midnight.
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// MustDate is ParseDate for constants in tests and tables.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time is midnight UTC of d.
func (d Date) Time() time.Time { return d.t }

// Year, Month, Day give the parts.
func (d Date) Year() int         { return d.t.Year() }
func (d Date) Month() time.Month { return d.t.Month() }
func (d Date) Day() int          { return d.t.Day() }

func (d Date) Before(o Date) bool { return d.t.Before(o.t) }
func (d Date) After(o Date) bool  { return d.t.After(o.t) }
func (d Date) Equal(o Date) bool  { return d.t.Equal(o.t) }

// AddDays moves d by n calendar days.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// DaysUntil counts calendar days from d to o (negative when o is earlier).
func (d Date) DaysUntil(o Date) int { return int(o.t.Sub(d.t).Hours() / 24) }

// AddMonths moves d by n months the way French procedure counts them (CPC
// art. 641): the deadline falls on the day of the last month with the same
// number, or, lacking one, on that month's last day — 31 January plus one
// month is 28 (or 29) February, not 3 March.
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.Year(), d.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	day := d.Day()
	if day > last {
		day = last
	}
	return NewDate(first.Year(), first.Month(), day)
}

// AddYears moves d by n years, 29 February becoming 28 February.
func (d Date) AddYears(n int) Date { return d.AddMonths(12 * n) }

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.t.Weekday() }

// Scan implements sql.Scanner for DATE columns.
func (d *Date) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		*d = NewDate(x.Year(), x.Month(), x.Day())
	case string:
		p, err := ParseDate(x)
		if err != nil {
			return err
		}
		*d = p
	default:
		return fmt.Errorf("cannot scan %T into Date", v)
	}
	return nil
}

// Value implements driver.Valuer: an unset date is NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.t, nil
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

package recouvra

import "time"

// French procedural deadlines that end on a Saturday, a Sunday or a public
// holiday run to the next working day (CPC art. 642). The public holidays
// are those of the Code du travail (art. L3133-1), computed for any year:
// eight on fixed dates and three that follow Easter. (Alsace-Moselle's two
// extra days are not counted: the agency's courts are elsewhere.)

// PublicHoliday reports whether d is a French public holiday, and which.
func PublicHoliday(d Date) (string, bool) {
	switch {
	case d.Month() == time.January && d.Day() == 1:
		return "Jour de l'an", true
	case d.Month() == time.May && d.Day() == 1:
		return "Fête du Travail", true
	case d.Month() == time.May && d.Day() == 8:
		return "Victoire 1945", true
	case d.Month() == time.July && d.Day() == 14:
		return "Fête nationale", true
	case d.Month() == time.August && d.Day() == 15:
		return "Assomption", true
	case d.Month() == time.November && d.Day() == 1:
		return "Toussaint", true
	case d.Month() == time.November && d.Day() == 11:
		return "Armistice 1918", true
	case d.Month() == time.December && d.Day() == 25:
		return "Noël", true
	}
	easter := Easter(d.Year())
	switch {
	case d.Equal(easter.AddDays(1)):
		return "Lundi de Pâques", true
	case d.Equal(easter.AddDays(39)):
		return "Ascension", true
	case d.Equal(easter.AddDays(50)):
		return "Lundi de Pentecôte", true
	}
	return "", false
}

// Easter returns Easter Sunday of year y (Gregorian calendar; the anonymous
// "Meeus/Jones/Butcher" algorithm).
func Easter(y int) Date {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return NewDate(y, time.Month(month), day)
}

// WorkingDay reports whether d is neither a weekend day nor a public holiday.
func WorkingDay(d Date) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, holiday := PublicHoliday(d)
	return !holiday
}

// ProceduralDeadline extends a deadline ending on a non-working day to the
// next working day (CPC art. 642).
func ProceduralDeadline(d Date) Date {
	for !WorkingDay(d) {
		d = d.AddDays(1)
	}
	return d
}

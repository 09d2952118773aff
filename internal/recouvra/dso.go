package recouvra

// DSO by the countback method, for a creditor's portfolio.
//
// What the words mean here. The "sales" of the classic formula are the
// amounts the creditor PLACED with the agency: the claims entered in a
// calendar month (invoices less credit notes, by the day they were entered,
// not by their invoice date). The "receivables" at the end of a month are
// what was placed and has not come back: for every case still open that
// day, the claims entered by then less the payments received by then (and
// not reversed by then), counted at no less than zero per case. A case
// closed before the month ended (paid, settled, withdrawn, written off)
// counts for nothing. Every payment counts against the amount placed,
// including the part the statement applies to interest and the indemnity.
//
// The countback: take the receivables at the end of the month, subtract
// that month's placements, then the previous month's, and so on; each month
// whose placements are wholly consumed adds all its days, a month with
// nothing placed included; the month where the receivables run out adds
// the share of its days that the rest represents of its placements. The
// current month counts only its days up to the day of the figures.

// MonthPlacements is one calendar month for the countback: how many of its
// days count and what was placed in it.
type MonthPlacements struct {
	Month       Date  // the first day of the month
	Days        int   // its days, or for the current month those up to today
	PlacedCents int64 // claims entered in the month; a negative month counts as nothing placed
}

// CountbackDSO computes the days sales outstanding of receivablesCents by
// the countback method over months, oldest first, the last being the month
// at whose end the receivables are measured. It answers tenths of a day,
// rounded half up; exhausted says the receivables exceed everything placed
// in months (the answer is then every day of months).
func CountbackDSO(receivablesCents int64, months []MonthPlacements) (tenths int64, exhausted bool) {
	rest := receivablesCents
	for i := len(months) - 1; i >= 0 && rest > 0; i-- {
		m := months[i]
		placed := max(m.PlacedCents, 0)
		if placed >= rest {
			return tenths + Prorata(rest, int64(m.Days)*10, placed), false
		}
		tenths += int64(m.Days) * 10
		rest -= placed
	}
	return tenths, rest > 0
}

// DaysInMonth is the number of days of d's month.
func DaysInMonth(d Date) int {
	return FirstOfMonth(d).AddMonths(1).AddDays(-1).Day()
}

// FirstOfMonth is the first day of d's month.
func FirstOfMonth(d Date) Date { return NewDate(d.Year(), d.Month(), 1) }

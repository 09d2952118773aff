package recouvra

import (
	"fmt"
	"sort"
	"time"
)

// RateKind names a legal table.
type RateKind string

const (
	RateECB             RateKind = "ecb_refi"           // ECB main refinancing rate on the half-year's reference day
	RateLegalIndividual RateKind = "legal_individual"   // legal interest, creditor an individual not acting for business
	RateLegalOther      RateKind = "legal_other"        // legal interest, all other cases
	RateIndemnity       RateKind = "recovery_indemnity" // fixed recovery indemnity (D441-5), in cents
	RateVAT             RateKind = "vat_standard"       // standard VAT rate on the agency's commission and fees (CGI 278)
)

// RateKinds lists the kinds.
var RateKinds = []RateKind{RateECB, RateLegalIndividual, RateLegalOther, RateIndemnity, RateVAT}

// Valid reports whether k is a known kind.
func (k RateKind) Valid() bool {
	for _, x := range RateKinds {
		if k == x {
			return true
		}
	}
	return false
}

// FromDay reports whether the kind's rows hold from the day they took
// effect until changed (the indemnity, VAT), not for a half-year.
func (k RateKind) FromDay() bool { return k == RateIndemnity || k == RateVAT }

// Rate is one row of a legal table: a value in force from PeriodStart (a
// half-year's first day, or for the indemnity the day it took effect).
type Rate struct {
	Kind        RateKind
	PeriodStart Date
	Value       int64 // basis points; cents for the indemnity
	Source      string
}

// Validate checks a rate an admin enters.
func (r Rate) Validate() error {
	var f []FieldError
	if !r.Kind.Valid() {
		f = append(f, FieldError{"kind", "invalid", "Table inconnue : ecb_refi, legal_individual, legal_other, recovery_indemnity ou vat_standard."})
	}
	if r.PeriodStart.IsZero() {
		f = append(f, FieldError{"period_start", "required", "Indiquez le premier jour du semestre."})
	} else if !r.Kind.FromDay() && !IsHalfYearStart(r.PeriodStart) {
		f = append(f, FieldError{"period_start", "not_half_year", "Un taux vaut pour un semestre : il commence le 1er janvier ou le 1er juillet."})
	}
	if r.Value < 0 {
		f = append(f, FieldError{"value", "negative", "La valeur ne peut être négative."})
	}
	if r.Kind != RateIndemnity && r.Value > 10000 {
		f = append(f, FieldError{"value", "out_of_range", "Un taux s'exprime en points de base : 10 000 au plus (100 %)."})
	}
	if len([]rune(r.Source)) < 3 {
		f = append(f, FieldError{"source", "required", "Citez la source (texte, date de publication)."})
	}
	if len(f) > 0 {
		return Invalid("Taux invalide.", f...)
	}
	return nil
}

// IsHalfYearStart reports whether d is 1 January or 1 July.
func IsHalfYearStart(d Date) bool {
	return d.Day() == 1 && (d.Month() == time.January || d.Month() == time.July)
}

// HalfYearStart is the first day of d's half-year.
func HalfYearStart(d Date) Date {
	if d.Month() < time.July {
		return NewDate(d.Year(), time.January, 1)
	}
	return NewDate(d.Year(), time.July, 1)
}

// HalfYearLabel names a half-year the French way: "2026 S2".
func HalfYearLabel(start Date) string {
	if start.Month() == time.January {
		return fmt.Sprintf("%d S1", start.Year())
	}
	return fmt.Sprintf("%d S2", start.Year())
}

// RateTable answers "which rate for this half-year" from the rows it holds.
type RateTable struct {
	rows map[RateKind][]Rate // sorted by PeriodStart
}

// NewRateTable builds a table from rows.
func NewRateTable(rows []Rate) RateTable {
	t := RateTable{rows: map[RateKind][]Rate{}}
	for _, r := range rows {
		t.rows[r.Kind] = append(t.rows[r.Kind], r)
	}
	for k := range t.rows {
		sort.Slice(t.rows[k], func(i, j int) bool { return t.rows[k][i].PeriodStart.Before(t.rows[k][j].PeriodStart) })
	}
	return t
}

// RateAt returns the rate of kind in force on d. When the half-year itself
// is missing, the last known rate is carried forward and provisional is
// true; ok is false when nothing at all is known before d.
func (t RateTable) RateAt(kind RateKind, d Date) (r Rate, provisional, ok bool) {
	rows := t.rows[kind]
	i := sort.Search(len(rows), func(i int) bool { return rows[i].PeriodStart.After(d) })
	if i == 0 {
		return Rate{}, false, false
	}
	r = rows[i-1]
	if kind.FromDay() {
		return r, false, true // an amount or rate set by law holds until changed
	}
	return r, !r.PeriodStart.Equal(HalfYearStart(d)), true
}

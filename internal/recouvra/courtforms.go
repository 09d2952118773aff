package recouvra

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// CourtForm is an official form (Cerfa) a court request follows, in the
// version that applies from From. Forms are data (configs/legal/
// court-forms.csv), not code: the ministry revises them.
type CourtForm struct {
	Kind    CourtKind
	Number  string // "12946"
	Version string // "02"
	Title   string
	From    Date
	Source  string
}

// Cite is the form as a request names it: "Cerfa n° 12946*02".
func (f CourtForm) Cite() string { return "Cerfa n° " + f.Number + "*" + f.Version }

// CourtForms are the known forms of every court kind.
type CourtForms []CourtForm

var (
	formNumber  = regexp.MustCompile(`^[0-9]{5}$`)
	formVersion = regexp.MustCompile(`^[0-9]{2}$`)
)

// ParseCourtForms reads the forms table: lines "court,form,version,title,
// valid_from,source", # comments. Every court kind must have a form.
func ParseCourtForms(data []byte) (CourtForms, error) {
	var lines [][]byte
	for _, l := range bytes.Split(data, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			lines = append(lines, l)
		}
	}
	r := csv.NewReader(bytes.NewReader(bytes.Join(lines, []byte("\n"))))
	r.FieldsPerRecord = 6
	rows, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	var out CourtForms
	for i, row := range rows {
		f := CourtForm{Kind: CourtKind(strings.TrimSpace(row[0])), Number: strings.TrimSpace(row[1]), Version: strings.TrimSpace(row[2]),
			Title: strings.TrimSpace(row[3]), Source: strings.TrimSpace(row[5])}
		known := false
		for _, k := range CourtKinds {
			known = known || k == f.Kind
		}
		from, err := ParseDate(strings.TrimSpace(row[4]))
		switch {
		case !known:
			return nil, fmt.Errorf("row %d: unknown court %q", i+1, row[0])
		case !formNumber.MatchString(f.Number) || !formVersion.MatchString(f.Version):
			return nil, fmt.Errorf("row %d: form %q version %q: five digits and two", i+1, f.Number, f.Version)
		case err != nil:
			return nil, fmt.Errorf("row %d: valid_from: %w", i+1, err)
		case f.Title == "" || f.Source == "":
			return nil, fmt.Errorf("row %d: a title and a source are required", i+1)
		}
		f.From = from
		out = append(out, f)
	}
	for _, k := range CourtKinds {
		if _, ok := out.For(k, NewDate(9999, 12, 31)); !ok {
			return nil, fmt.Errorf("no form for the %s court", k)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].From.Before(out[j].From) })
	return out, nil
}

// For is the form of a court kind in force on a date: the latest version
// that applies from that date or before.
func (fs CourtForms) For(k CourtKind, on Date) (CourtForm, bool) {
	var best CourtForm
	found := false
	for _, f := range fs {
		if f.Kind == k && !f.From.After(on) && (!found || !f.From.Before(best.From)) {
			best, found = f, true
		}
	}
	return best, found
}

package server_test

import (
	"strings"
	"testing"
)

// TestDebtorFormsRefuseHostileText: the debtor's forms are HTML, outside
// the contract's gate, so they check their text themselves: a NUL, invalid
// UTF-8 or a control character in any text field is refused with a page
// that says so (4xx), never a 500 from PostgreSQL, and nothing is recorded.
func TestDebtorFormsRefuseHostileText(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.caseA.Case
	_, tok := w.debtorLink(c.ID)
	forms := debtorForms(t, w.debtorGet("/d/"+tok).Body)
	before := len(w.creditorTimeline(c.ID))
	for _, bad := range []string{"a\x00b", "caf\xe9", "x\x1by", "\u202eevil"} {
		for _, tc := range []struct {
			form   string
			fields map[string]string
		}{
			{"dispute", map[string]string{"reason": "Déjà réglé " + bad}},
			{"callback", map[string]string{"phone": "06 12 34 56 78", "best_time": "matin " + bad}},
			{"callback", map[string]string{"email": "a" + bad + "@exemple.fr"}},
			{"payment", map[string]string{"amount": "10,00", "paid_on": "2026-11-30", "note": "virement " + bad}},
			{"payment", map[string]string{"amount": "10" + bad, "paid_on": "2026-11-30"}},
		} {
			fields := map[string]string{"form_token": forms[tc.form]}
			for k, v := range tc.fields {
				fields[k] = v
			}
			r := w.debtorPost("/d/"+tok+"/"+tc.form, fields, nil)
			if r.Status < 400 || r.Status >= 500 {
				t.Errorf("%s %q: %d %s", tc.form, tc.fields, r.Status, r.Body)
			}
			if r.Status == 500 || strings.Contains(string(r.Body), "SQLSTATE") {
				t.Errorf("%s: a server error leaked: %s", tc.form, r.Body)
			}
		}
	}
	if after := len(w.creditorTimeline(c.ID)); after != before {
		t.Fatalf("hostile forms recorded %d events", after-before)
	}
}

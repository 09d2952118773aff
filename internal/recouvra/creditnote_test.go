package recouvra_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestResolveCorrections(t *testing.T) {
	caseID := uuid.New()
	d := recouvra.MustDate
	claim := func(number string, cents int64, corrects string) recouvra.Claim {
		return recouvra.Claim{ID: uuid.New(), CaseID: caseID, InvoiceNumber: number, IssuedOn: d("2026-01-02"), DueOn: d("2026-02-01"), AmountCents: cents, CorrectsNumber: corrects}
	}
	existing := []recouvra.Claim{claim("F-1", 10_000, ""), claim("AV-0", -500, ""), {ID: uuid.New(), CaseID: uuid.New(), InvoiceNumber: "F-9", AmountCents: 7000}}
	cases := []struct {
		name   string
		claims []recouvra.Claim
		want   []string // field:code
		target string   // the invoice claims[0] ends up correcting
	}{
		{name: "an invoice already in the case", claims: []recouvra.Claim{claim("AV-1", -1000, " F-1 ")}, target: "F-1"},
		{name: "an invoice placed in the same request, listed after", claims: []recouvra.Claim{claim("AV-2", -1000, "F-2"), claim("F-2", 5000, "")}, target: "F-2"},
		{name: "naming none", claims: []recouvra.Claim{claim("AV-3", -1000, "")}},
		{name: "an invoice cannot correct", claims: []recouvra.Claim{claim("F-3", 1000, "F-1")}, want: []string{"claims[0].corrects_invoice_number:not_credit_note"}},
		{name: "a credit note corrects no credit note", claims: []recouvra.Claim{claim("AV-4", -100, "AV-0")}, want: []string{"claims[0].corrects_invoice_number:not_invoice"}},
		{name: "another case's invoice is unknown", claims: []recouvra.Claim{claim("AV-5", -100, "F-9")}, want: []string{"claims[0].corrects_invoice_number:unknown"}},
		{name: "no such invoice", claims: []recouvra.Claim{claim("AV-6", -100, "F-404")}, want: []string{"claims[0].corrects_invoice_number:unknown"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range recouvra.ResolveCorrections(tc.claims, existing) {
				if f.Message == "" {
					t.Errorf("%s: no message", f.Field)
				}
				got = append(got, f.Field+":"+f.Code)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			var want *uuid.UUID
			for _, cl := range append(slices.Clone(tc.claims), existing...) {
				if tc.target != "" && cl.InvoiceNumber == tc.target {
					want = &cl.ID
				}
			}
			if c := tc.claims[0].Corrects; (c == nil) != (want == nil) || (c != nil && *c != *want) {
				t.Fatalf("corrects %v, want %v", c, want)
			}
		})
	}
}

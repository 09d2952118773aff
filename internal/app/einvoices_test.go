package app

import (
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/einvoice"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestEInvoiceOriginalIsTheInvoiceExhibit: the file kept for an electronic
// invoice is named so that the injunction request's list of exhibits
// counts it as that invoice's piece (claimExhibits), numbers with slashes
// and dots included.
func TestEInvoiceOriginalIsTheInvoiceExhibit(t *testing.T) {
	t.Parallel()
	for _, number := range []string{"FA-2026-0142", "2026/01.0007"} {
		inv := einvoice.Invoice{Number: number, IssuedOn: recouvra.NewDate(2026, 1, 15), DueOn: recouvra.NewDate(2026, 2, 14), Currency: "EUR",
			VATCents: 30000, GrossCents: 180000, DueCents: 180000}
		cl := claimOf(inv)
		for _, ext := range []string{".pdf", ".xml"} {
			name := exhibitName(number, ext)
			if !strings.HasSuffix(name, ext) {
				t.Errorf("%s: %s", number, name)
			}
			exhibits, missing := claimExhibits([]recouvra.Claim{cl}, []recouvra.Document{{Kind: "invoice", FileName: name}})
			if len(missing) > 0 || len(exhibits) != 1 || !strings.Contains(exhibits[0].Description, "Facture n° "+number) {
				t.Errorf("%s as %s: exhibits %+v, missing %+v", number, name, exhibits, missing)
			}
		}
	}
}

// TestEInvoiceClaimVAT: with something paid on account the claim is the
// amount due, its VAT in the same proportion, rounded to the cent.
func TestEInvoiceClaimVAT(t *testing.T) {
	t.Parallel()
	cl := claimOf(einvoice.Invoice{Number: "F", VATCents: 13500, GrossCents: 88500, PrepaidCents: 20000, DueCents: 68500})
	if cl.AmountCents != 68500 || cl.VATCents != 10449 {
		t.Errorf("%+v", cl)
	}
	cl = claimOf(einvoice.Invoice{Number: "F", VATCents: 30000, GrossCents: 180000, DueCents: 180000})
	if cl.AmountCents != 180000 || cl.VATCents != 30000 {
		t.Errorf("%+v", cl)
	}
}

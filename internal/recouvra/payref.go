package recouvra

import "github.com/recouvra/recouvra/internal/ident"

// PaymentReference is the structured creditor reference (ISO 11649) a
// debtor quotes on a transfer for the case whose agency reference is ref:
// "RF", two check digits and the reference's letters and digits
// ("D-2026-000042" → "RF69D2026000042"). It is derived, never stored: the
// same case reference always gives the same RF. "" when ref has no letter
// or digit or more than 21 of them (no case reference is that long).
func PaymentReference(ref string) string {
	rf, err := ident.NewRF(ref)
	if err != nil {
		return ""
	}
	return string(rf)
}

// PaymentReference is the case's structured creditor reference.
func (c Case) PaymentReference() string { return PaymentReference(c.Reference) }

package recouvra

import (
	"fmt"
	"strings"
)

// ResolveCorrections turns the invoice number each new claim says it
// corrects into that invoice's id (Claim.Corrects), looking among the new
// claims and the case's existing ones. Only a credit note corrects, and
// only an invoice of the same case: every other combination is a
// FieldError on claims[i].corrects_invoice_number. New claims must already
// carry their ids and their case's id.
func ResolveCorrections(claims []Claim, existing []Claim) []FieldError {
	var fields []FieldError
	for i := range claims {
		cl := &claims[i]
		number := strings.TrimSpace(cl.CorrectsNumber)
		if number == "" {
			continue
		}
		field := fmt.Sprintf("claims[%d].corrects_invoice_number", i)
		if !cl.CreditNote() {
			fields = append(fields, FieldError{field, "not_credit_note", "Seul un avoir (montant négatif) corrige une facture."})
			continue
		}
		var target *Claim
		for _, list := range [][]Claim{claims, existing} {
			for j := range list {
				if list[j].InvoiceNumber == number && list[j].CaseID == cl.CaseID && list[j].ID != cl.ID {
					target = &list[j]
				}
			}
		}
		switch {
		case target == nil:
			fields = append(fields, FieldError{field, "unknown", fmt.Sprintf("Aucune facture %s dans ce dossier.", number)})
		case target.CreditNote():
			fields = append(fields, FieldError{field, "not_invoice", fmt.Sprintf("%s est un avoir : un avoir corrige une facture.", number)})
		default:
			id := target.ID
			cl.Corrects = &id
		}
	}
	return fields
}

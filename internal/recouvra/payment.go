package recouvra

import (
	"fmt"
	"strings"
)

// Valid reports whether m is a payment method the agency records.
func (m PaymentMethod) Valid() bool {
	switch m {
	case MethodTransfer, MethodCard, MethodCheque, MethodCash, MethodDirectToCreditor:
		return true
	}
	return false
}

// AcceptPayment says whether the case can take payment p, received by
// today, given the case's claims: nil, or an Invalid error with every
// reason it cannot, each naming the request field it is about. An empty
// p.Currency stands for the case's currency. Accepted, the payment
// restarts the case's time bar from its date (C. civ. 2240).
func (c *Case) AcceptPayment(p Payment, claims []Claim, today Date) error {
	var fields []FieldError
	if p.AmountCents <= 0 {
		fields = append(fields, FieldError{"amount_cents", "not_positive", "Le montant doit être positif."})
	}
	switch {
	case p.ReceivedOn.IsZero():
		fields = append(fields, FieldError{"received_on", "required", "La date de réception est obligatoire."})
	case p.ReceivedOn.After(today):
		fields = append(fields, FieldError{"received_on", "future", "Un paiement ne peut être reçu dans le futur."})
	}
	if !p.Method.Valid() {
		fields = append(fields, FieldError{"method", "invalid", "Moyen de paiement inconnu."})
	}
	fields = printable(fields, "payer_reference", p.PayerReference, OneLine) // printed on the receipt
	if currency := strings.ToUpper(strings.TrimSpace(p.Currency)); currency != "" && currency != c.Currency {
		fields = append(fields, FieldError{"currency", "mismatch", fmt.Sprintf("Le dossier est en %s.", c.Currency)})
	}
	// Money cannot pay an invoice that was not issued yet.
	var first Date
	for _, cl := range claims {
		if first.IsZero() || cl.IssuedOn.Before(first) {
			first = cl.IssuedOn
		}
	}
	if !p.ReceivedOn.IsZero() && p.ReceivedOn.Before(first) {
		fields = append(fields, FieldError{"received_on", "before_claims",
			fmt.Sprintf("Le paiement précède la première facture du dossier (%s).", FrenchDate(first))})
	}
	if p.ClaimID != nil {
		found := false
		for _, cl := range claims {
			found = found || (cl.ID == *p.ClaimID && cl.CaseID == c.ID && !cl.CreditNote())
		}
		if !found {
			fields = append(fields, FieldError{"claim_id", "unknown", "Aucune facture de ce dossier ne porte cet identifiant."})
		}
	}
	if !c.Open() {
		fields = append(fields, FieldError{"case", "closed", "Le dossier est clos."})
	}
	if len(fields) > 0 {
		return Invalid("Paiement invalide.", fields...)
	}
	// A payment by the debtor acknowledges the debt: the time bar starts
	// again from the day it was received (C. civ. 2240).
	c.interrupt(p.ReceivedOn)
	return nil
}

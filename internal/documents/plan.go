package documents

import (
	"fmt"

	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// KindPlanAgreement is a payment plan's agreement, for the debtor to sign.
const KindPlanAgreement Kind = "plan_agreement"

// PlanAgreement is the agreement of a payment plan (échéancier): the
// instalments with their dates and amounts, the terms (grace, what breaks
// the plan, interest), the R124-4 mentions every letter of the agency
// carries, and the debtor's signature block. Signed, it acknowledges the
// debt (C. civ. 2240): the time bar starts again from the signature.
func PlanAgreement(l Letter, p recouvra.Plan) (File, error) {
	d := newDoc(l.Agency, "Accord d'échéancier", l.At)
	recipient(d, l.Debtor)
	d.Right(fmt.Sprintf("%s, le %s", l.Agency.City, recouvra.FrenchDate(l.Date)))
	references(d, l)
	d.Title("Objet : accord de paiement échelonné")
	d.Para("Madame, Monsieur,")
	total := money(p.TotalCents, p.Currency)
	switch p.Origin {
	case recouvra.PlanByCourt:
		d.Para(fmt.Sprintf("Par décision du %s, %s vous a accordé un délai de paiement (article 1343-5 du code civil). Le présent document en rappelle les échéances, pour un total de %s.",
			recouvra.FrenchDate(p.CourtDecisionOn), p.Court, total))
	default:
		d.Para(fmt.Sprintf("Comme convenu, %s accepte que vous régliez la somme de %s en %d versements, selon l'échéancier ci-dessous.",
			l.Creditor.LegalName, total, len(p.Instalments)))
	}
	rows := make([][]string, 0, len(p.Instalments)+1)
	for i, in := range p.Instalments {
		label := fmt.Sprintf("Échéance n° %d", i+1)
		if i == 0 && len(p.Instalments) > 1 && in.AmountCents != p.Instalments[1].AmountCents {
			label = "Premier versement"
		}
		rows = append(rows, []string{label, recouvra.FrenchDate(in.DueOn), money(in.AmountCents, p.Currency)})
	}
	rows = append(rows, []string{"Total", "", total})
	d.Table([]pdf.Column{{Title: "Versement", Width: 70}, {Title: "Date", Width: 50, Align: "C"}, {Title: "Montant", Width: 50, Align: "R"}},
		rows, map[int]bool{len(rows) - 1: true})
	for _, s := range PlanTerms(p) {
		d.Para(s)
	}
	mentions(d, l, fmt.Sprintf("Nous vous demandons de régler chaque versement à sa date, soit %s au total.", total))
	d.Para("Bon pour accord et reconnaissance de dette, le débiteur (date et signature) :")
	d.Signature(l.Debtor.Name, "", "")
	contact(d, l.Agency, signerOr(l.Signer))
	d.Signature(signerOr(l.Signer), "pour "+l.Agency.Name)
	return d.File()
}

// PlanTerms are the sentences stating a plan's terms, as the agreement
// prints them.
func PlanTerms(p recouvra.Plan) []string {
	out := []string{fmt.Sprintf("Un versement qui n'est pas reçu %d jours après sa date est considéré comme manqué. ", p.GraceDays)}
	if p.MissesBeforeBroken <= 1 {
		out[0] += "Un seul versement manqué met fin à l'échéancier : la totalité du solde redevient alors exigible et le recouvrement reprend."
	} else {
		out[0] += fmt.Sprintf("Au %de versement manqué, l'échéancier prend fin : la totalité du solde redevient alors exigible et le recouvrement reprend.", p.MissesBeforeBroken)
	}
	out = append(out, fmt.Sprintf("Le total de l'échéancier comprend le principal, les intérêts et les indemnités dus au %s.", recouvra.FrenchDate(p.MadeOn)))
	out = append(out, "En signant cet accord, vous reconnaissez devoir la somme indiquée ; cette reconnaissance interrompt la prescription, qui recommence à courir à compter de sa date (article 2240 du code civil).")
	return out
}

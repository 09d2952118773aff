package app

import (
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// ActionBlockers are what stands today in the way of the two actions that
// produce something on a case, each empty when the action would go through:
// the move to formal notice (its own guards, Case.Blockers, the function
// Transition calls) and the amicable letter (what its production refuses:
// the letter's missing mentions, nothing due, a closed case). Screens use
// them to offer only what is possible, and to say why the rest is not.
type ActionBlockers struct {
	FormalNotice   []recouvra.FieldError
	AmicableLetter []recouvra.FieldError
}

func (s *Service) actionBlockers(c recouvra.Case, pt parties, f recouvra.Facts) ActionBlockers {
	b := ActionBlockers{FormalNotice: c.Blockers(recouvra.Move{To: recouvra.StageFormalNotice}, f)}
	if !c.Open() {
		b.AmicableLetter = []recouvra.FieldError{{Field: "case", Code: "closed", Message: "Le dossier est clos : plus aucune lettre ne part."}}
		return b
	}
	l := documents.Letter{Agency: s.cfg.Agency, Creditor: pt.creditor, Debtor: pt.debtor}
	b.AmicableLetter = l.Missing()
	if c.BalanceCents <= 0 {
		b.AmicableLetter = append(b.AmicableLetter, recouvra.FieldError{Field: "case", Code: "nothing_due", Message: "Rien n'est dû : aucune lettre de relance à envoyer."})
	}
	return b
}

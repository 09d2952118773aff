package recouvra

import (
	"strings"
)

// CourtKind is the court an injunction-to-pay request goes to.
type CourtKind string

const (
	// CourtCommercial: the tribunal de commerce (or, where the experiment
	// runs, the tribunal des activités économiques), for a commercial debt
	// between traders (C. com. L721-3).
	CourtCommercial CourtKind = "commercial"
	// CourtJudicial: the tribunal judiciaire, for every other debt.
	CourtJudicial CourtKind = "judicial"
	// CourtProtection: the juge des contentieux de la protection of the
	// tribunal judiciaire, for the rent and charges of a residential lease
	// (COJ L213-4-4).
	CourtProtection CourtKind = "protection"
)

// CourtKinds lists the kinds.
var CourtKinds = []CourtKind{CourtCommercial, CourtJudicial, CourtProtection}

// Label is the court in words, as a request is addressed.
func (k CourtKind) Label() string {
	switch k {
	case CourtCommercial:
		return "tribunal de commerce"
	case CourtProtection:
		return "juge des contentieux de la protection du tribunal judiciaire"
	}
	return "tribunal judiciaire"
}

// Competence is the court that hears an injunction request: its kind,
// from the parties and the debt, and its place, where the debtor lives or
// has its registered office (CPC 1406).
type Competence struct {
	Kind  CourtKind
	Place Address // the debtor's
	Basis string  // why, in words, with the articles
}

// civilForms are legal forms of companies that are not traders whatever
// they do (sociétés civiles, associations, professions libérales in
// SEL form): a debt they are owed is not commercial.
var civilForms = map[string]bool{
	"sci": true, "scp": true, "scm": true, "sca civile": true, "societe civile": true, "societe civile immobiliere": true,
	"association": true, "selarl": true, "selas": true, "selafa": true, "selca": true, "gaec": true, "earl": true,
}

// Trader reports whether the creditor acts as a trader: a business whose
// legal form is not a civil one. An individual creditor is not.
func (c Creditor) Trader() bool {
	if c.Mandate.LegalStatus == StatusIndividual {
		return false
	}
	return !civilForms[fold(c.Identity.LegalForm)]
}

// CompetentCourt decides where an injunction request is filed (CPC 1406):
// at the debtor's place; before the juge des contentieux de la protection
// for residential rent (COJ L213-4-4); before the tribunal de commerce
// for a commercial debt between traders (C. com. L721-3); before the
// tribunal judiciaire otherwise. A company debtor, or a person debtor
// with a SIREN, is taken as trading: the request names the court, and
// the lawyer confirms it.
func CompetentCourt(creditor Creditor, debtor Debtor, claims []Claim) Competence {
	for _, cl := range claims {
		if cl.Nature == NatureResidentialRent {
			return Competence{Kind: CourtProtection, Place: debtor.Address,
				Basis: "loyers et charges d'un bail d'habitation : juge des contentieux de la protection (article L213-4-4 du code de l'organisation judiciaire), du lieu où demeure le débiteur (article 1406 du code de procédure civile)"}
		}
	}
	if creditor.Trader() && !debtor.Consumer() {
		return Competence{Kind: CourtCommercial, Place: debtor.Address,
			Basis: "créance commerciale entre commerçants : tribunal de commerce (article L721-3 du code de commerce), du lieu où demeure le débiteur (article 1406 du code de procédure civile)"}
	}
	return Competence{Kind: CourtJudicial, Place: debtor.Address,
		Basis: "créance civile : tribunal judiciaire, du lieu où demeure le débiteur (article 1406 du code de procédure civile)"}
}

// Names reports whether a court's name, as the lawyer entered it, is a
// court of this kind: "Tribunal de commerce de Lyon" or "Tribunal des
// activités économiques de Lyon" for the commercial court, "Tribunal
// judiciaire de …" (or one of its chambres de proximité) otherwise.
func (k CourtKind) Names(court string) bool {
	c := fold(court)
	commercial := strings.Contains(c, "commerce") || strings.Contains(c, "activites economiques")
	judicial := strings.Contains(c, "judiciaire") || strings.Contains(c, "proximite")
	if k == CourtCommercial {
		return commercial && !judicial
	}
	return judicial && !commercial
}

// unaccent maps the accented letters of French to their base letter.
var unaccent = strings.NewReplacer("à", "a", "â", "a", "ä", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ÿ", "y", "œ", "oe", "æ", "ae")

// fold lower-cases s, drops its accents and collapses its spaces, to
// compare names as people type them.
func fold(s string) string {
	return strings.Join(strings.Fields(unaccent.Replace(strings.ToLower(s))), " ")
}

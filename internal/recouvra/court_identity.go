package recouvra

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds of the identity a court filing prints, in characters.
const (
	MaxIdentityShort = 100 // legal form, registry, title, profession, nationality, a user's bar
	MaxIdentityLong  = 200 // a person's name, a place of birth
)

// EarliestBirth is the earliest date of birth the identity accepts: an
// earlier one is a typing error, not a creditor.
var EarliestBirth = NewDate(1900, 1, 1)

// identityField is one text of Identity with its field name, its French
// label for messages and its bound.
type identityField struct {
	name  string
	label string
	max   int
	value *string
}

func (i *Identity) texts() []identityField {
	return []identityField{
		{"legal_form", "La forme juridique", MaxIdentityShort, &i.LegalForm},
		{"registry", "Le registre d'immatriculation", MaxIdentityShort, &i.Registry},
		{"representative_name", "Le nom du représentant légal", MaxIdentityLong, &i.RepresentativeName},
		{"representative_title", "La qualité du représentant légal", MaxIdentityShort, &i.RepresentativeTitle},
		{"profession", "La profession", MaxIdentityShort, &i.Profession},
		{"nationality", "La nationalité", MaxIdentityShort, &i.Nationality},
		{"born_in", "Le lieu de naissance", MaxIdentityLong, &i.BornIn},
	}
}

// validate trims the identity's texts and checks what a court filing will
// print: one printable line each, within its bound, and a date of birth
// that is neither after today nor before 1900. Fields are named
// "identity.<field>".
func (i *Identity) validate(today Date) []FieldError {
	var f []FieldError
	for _, t := range i.texts() {
		*t.value = strings.TrimSpace(*t.value)
		field := "identity." + t.name
		if utf8.RuneCountInString(*t.value) > t.max {
			f = append(f, FieldError{field, "too_long", fmt.Sprintf("%s ne peut dépasser %d caractères.", t.label, t.max)})
		}
		f = printable(f, field, *t.value, OneLine) // printed on the injunction request
	}
	switch {
	case i.BornOn.IsZero():
	case i.BornOn.Before(EarliestBirth):
		f = append(f, FieldError{"identity.born_on", "out_of_range", "La date de naissance ne peut être antérieure au 1er janvier 1900."})
	case !today.IsZero() && i.BornOn.After(today):
		f = append(f, FieldError{"identity.born_on", "future", "La date de naissance ne peut être dans le futur."})
	}
	return f
}

// validateBar trims a user's bar and checks it is one printable line of
// at most MaxIdentityShort characters: the injunction request prints it.
func validateBar(bar *string) []FieldError {
	*bar = strings.TrimSpace(*bar)
	var f []FieldError
	if utf8.RuneCountInString(*bar) > MaxIdentityShort {
		f = append(f, FieldError{"bar", "too_long", fmt.Sprintf("Le barreau ne peut dépasser %d caractères.", MaxIdentityShort)})
	}
	return printable(f, "bar", *bar, OneLine)
}

// FilingIdentityMissing lists what an injunction request cannot do without
// in the creditor's identity (CPC 57 and 1407), in the order the request
// prints it, with what to enter and who enters it: for an individual
// creditor (Mandate.LegalStatus individual), profession, nationality, date
// and place of birth and the address of the domicile; for a company, its
// legal form, the register it is entered in, its SIREN, its legal
// representative and the capacity they act in, and the address of its
// registered office. Nil when the request can name the creditor in full.
func (c Creditor) FilingIdentityMissing() []FieldError {
	var f []FieldError
	// what says what is missing, with its article; does is what the admin
	// does about it ("la renseigne", "le renseigne", "la complète").
	miss := func(field, what, does string) {
		f = append(f, FieldError{"creditor." + field, "missing",
			what + " : un administrateur " + does + " sur la fiche du créancier."})
	}
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	id := c.Identity
	if c.Mandate.LegalStatus == StatusIndividual {
		if blank(id.Profession) {
			miss("identity.profession", "Profession du créancier manquante (articles 57 et 1407 du code de procédure civile)", "la renseigne")
		}
		if blank(id.Nationality) {
			miss("identity.nationality", "Nationalité du créancier manquante (articles 57 et 1407 du code de procédure civile)", "la renseigne")
		}
		if id.BornOn.IsZero() {
			miss("identity.born_on", "Date de naissance du créancier manquante (articles 57 et 1407 du code de procédure civile)", "la renseigne")
		}
		if blank(id.BornIn) {
			miss("identity.born_in", "Lieu de naissance du créancier manquant (articles 57 et 1407 du code de procédure civile)", "le renseigne")
		}
		if !c.Address.Complete() {
			miss("address", "Adresse du domicile du créancier incomplète (rue, code postal et ville ; article 1407 du code de procédure civile)", "la complète")
		}
		return f
	}
	if blank(id.LegalForm) {
		miss("identity.legal_form", "Forme juridique du créancier manquante (article 1407 du code de procédure civile)", "la renseigne")
	}
	if blank(id.Registry) {
		miss("identity.registry", "Registre d'immatriculation du créancier manquant, par exemple « RCS Lyon » (article 1407 du code de procédure civile)", "le renseigne")
	}
	if blank(c.SIREN) {
		miss("siren", "Numéro SIREN du créancier manquant (article 1407 du code de procédure civile)", "le renseigne")
	}
	if blank(id.RepresentativeName) {
		miss("identity.representative_name", "Nom du représentant légal du créancier manquant (articles 57 et 1407 du code de procédure civile)", "le renseigne")
	}
	if blank(id.RepresentativeTitle) {
		miss("identity.representative_title", "Qualité du représentant légal du créancier manquante, par exemple « gérant » ou « président » (articles 57 et 1407 du code de procédure civile)", "la renseigne")
	}
	if !c.Address.Complete() {
		miss("address", "Adresse du siège social du créancier incomplète (rue, code postal et ville ; article 1407 du code de procédure civile)", "la complète")
	}
	return f
}

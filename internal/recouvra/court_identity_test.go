package recouvra_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// A company creditor a court request can name in full (CPC 1407).
func fullCompany() recouvra.Creditor {
	return recouvra.Creditor{
		LegalName: "Menuiserie Dupont",
		CreditorDetails: recouvra.CreditorDetails{
			SIREN:   "732829320",
			Address: recouvra.Address{Line1: "12 rue des Lilas", PostalCode: "69003", City: "Lyon", Country: "FR"},
			Mandate: recouvra.Mandate{LegalStatus: recouvra.StatusBusiness},
			Identity: recouvra.Identity{LegalForm: "SARL", Registry: "RCS Lyon",
				RepresentativeName: "Jeanne Dupont", RepresentativeTitle: "gérante"},
		},
	}
}

// An individual creditor a court request can name in full (CPC 57, 1407).
func fullPerson() recouvra.Creditor {
	return recouvra.Creditor{
		LegalName: "Henri Blanc",
		CreditorDetails: recouvra.CreditorDetails{
			Address: recouvra.Address{Line1: "3 place Bellecour", PostalCode: "69002", City: "Lyon", Country: "FR"},
			Mandate: recouvra.Mandate{LegalStatus: recouvra.StatusIndividual},
			Identity: recouvra.Identity{Profession: "retraité", Nationality: "française",
				BornOn: recouvra.MustDate("1951-04-12"), BornIn: "Villeurbanne (69)"},
		},
	}
}

func TestFilingIdentityMissing(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(*recouvra.Creditor)
		person bool
		want   []string
	}{
		{"CPC_1407_company_complete", func(*recouvra.Creditor) {}, false, nil},
		{"CPC_1407_company_without_representative", func(c *recouvra.Creditor) {
			c.Identity.RepresentativeName, c.Identity.RepresentativeTitle = "", "  "
		}, false, []string{"creditor.identity.representative_name", "creditor.identity.representative_title"}},
		{"CPC_1407_company_without_legal_form_nor_registry", func(c *recouvra.Creditor) {
			c.Identity.LegalForm, c.Identity.Registry = "", ""
		}, false, []string{"creditor.identity.legal_form", "creditor.identity.registry"}},
		{"CPC_1407_company_without_SIREN", func(c *recouvra.Creditor) { c.SIREN = "" },
			false, []string{"creditor.siren"}},
		{"CPC_1407_company_without_registered_office_city", func(c *recouvra.Creditor) { c.Address.City = "" },
			false, []string{"creditor.address"}},
		{"CPC_1407_company_with_nothing_entered", func(c *recouvra.Creditor) {
			*c = recouvra.Creditor{LegalName: "Dupont", CreditorDetails: recouvra.CreditorDetails{Mandate: recouvra.Mandate{LegalStatus: recouvra.StatusBusiness}}}
		}, false, []string{"creditor.identity.legal_form", "creditor.identity.registry", "creditor.siren",
			"creditor.identity.representative_name", "creditor.identity.representative_title", "creditor.address"}},
		{"CPC_1407_company_needs_no_birth_details", func(c *recouvra.Creditor) {
			c.Identity.Profession, c.Identity.Nationality, c.Identity.BornIn = "", "", ""
		}, false, nil},
		{"CPC_57_1407_individual_complete", func(*recouvra.Creditor) {}, true, nil},
		{"CPC_57_1407_individual_without_birth_date_and_place", func(c *recouvra.Creditor) {
			c.Identity.BornOn, c.Identity.BornIn = recouvra.Date{}, ""
		}, true, []string{"creditor.identity.born_on", "creditor.identity.born_in"}},
		{"CPC_57_1407_individual_without_profession_nor_nationality", func(c *recouvra.Creditor) {
			c.Identity.Profession, c.Identity.Nationality = " ", ""
		}, true, []string{"creditor.identity.profession", "creditor.identity.nationality"}},
		{"CPC_1407_individual_without_domicile_street", func(c *recouvra.Creditor) { c.Address.Line1 = "" },
			true, []string{"creditor.address"}},
		{"CPC_1407_individual_needs_no_legal_form_nor_SIREN", func(c *recouvra.Creditor) {
			c.SIREN, c.Identity.LegalForm, c.Identity.Registry, c.Identity.RepresentativeName = "", "", "", ""
		}, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := fullCompany()
			if tc.person {
				c = fullPerson()
			}
			tc.edit(&c)
			got := c.FilingIdentityMissing()
			var fields []string
			for _, f := range got {
				fields = append(fields, f.Field)
				if f.Code != "missing" {
					t.Errorf("%s: code %q", f.Field, f.Code)
				}
				if !strings.Contains(f.Message, "article") || !strings.Contains(f.Message, "code de procédure civile") ||
					!strings.HasSuffix(f.Message, "sur la fiche du créancier.") || !strings.Contains(f.Message, "un administrateur") {
					t.Errorf("%s: the message must cite the article and say who enters it where: %q", f.Field, f.Message)
				}
			}
			if !slices.Equal(fields, tc.want) {
				t.Fatalf("missing %v, want %v", fields, tc.want)
			}
		})
	}
	// The message the lawyer and the admin read, word for word.
	c := fullCompany()
	c.Identity.LegalForm = ""
	if got := c.FilingIdentityMissing(); len(got) != 1 || got[0].Message !=
		"Forme juridique du créancier manquante (article 1407 du code de procédure civile) : un administrateur la renseigne sur la fiche du créancier." {
		t.Fatalf("%+v", got)
	}
}

func TestCreditorIdentityValidation(t *testing.T) {
	today := recouvra.MustDate("2026-12-02")
	long := strings.Repeat("a", 101)
	cases := []struct {
		name string
		edit func(*recouvra.Identity)
		want []string // field names refused
	}{
		{"complete identity accepted", func(*recouvra.Identity) {}, nil},
		{"born today accepted", func(i *recouvra.Identity) { i.BornOn = today }, nil},
		{"born on 1 January 1900 accepted", func(i *recouvra.Identity) { i.BornOn = recouvra.MustDate("1900-01-01") }, nil},
		{"born tomorrow refused", func(i *recouvra.Identity) { i.BornOn = today.AddDays(1) }, []string{"identity.born_on"}},
		{"born before 1900 refused", func(i *recouvra.Identity) { i.BornOn = recouvra.MustDate("1899-12-31") }, []string{"identity.born_on"}},
		{"a line break in the legal form and the title refused (printed on one line)", func(i *recouvra.Identity) {
			i.LegalForm, i.RepresentativeTitle = "SAS\nà capital variable", "gérant\tassocié"
		}, []string{"identity.legal_form", "identity.representative_title"}},
		{"a bidi override in the representative's name refused", func(i *recouvra.Identity) {
			i.RepresentativeName = "Jeanne \u202eDupont"
		}, []string{"identity.representative_name"}},
		{"101 characters refused where 100 is the bound", func(i *recouvra.Identity) {
			i.LegalForm, i.Registry, i.RepresentativeTitle, i.Profession, i.Nationality = long, long, long, long, long
		}, []string{"identity.legal_form", "identity.registry", "identity.representative_title", "identity.profession", "identity.nationality"}},
		{"200 characters accepted for a name and a place of birth", func(i *recouvra.Identity) {
			i.RepresentativeName, i.BornIn = strings.Repeat("é", 200), strings.Repeat("é", 200)
		}, nil},
		{"201 characters refused for a name and a place of birth", func(i *recouvra.Identity) {
			i.RepresentativeName, i.BornIn = strings.Repeat("é", 201), strings.Repeat("é", 201)
		}, []string{"identity.representative_name", "identity.born_in"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := fullCompany()
			c.Identity.Profession, c.Identity.Nationality, c.Identity.BornIn = "menuisier", "française", "Lyon (69)"
			tc.edit(&c.Identity)
			err := c.Validate(today)
			var fields []string
			var ce *recouvra.Error
			if errors.As(err, &ce) {
				for _, f := range ce.Fields {
					fields = append(fields, f.Field)
					if f.Message == "" || f.Code == "" {
						t.Errorf("%s: code %q message %q", f.Field, f.Code, f.Message)
					}
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fields, tc.want) {
				t.Fatalf("refused %v, want %v (%v)", fields, tc.want, err)
			}
		})
	}
	// Surrounding spaces are trimmed, not refused.
	c := fullCompany()
	c.Identity.Registry = "  RCS Lyon "
	if err := c.Validate(today); err != nil || c.Identity.Registry != "RCS Lyon" {
		t.Fatalf("%v %q", err, c.Identity.Registry)
	}
}

func TestUserBarValidation(t *testing.T) {
	for _, tc := range []struct {
		bar  string
		want string // the field refused, "" when accepted
	}{
		{"", ""},
		{"  Barreau de Lyon ", ""},
		{strings.Repeat("b", 100), ""},
		{strings.Repeat("b", 101), "bar"},
		{"Barreau\nde Lyon", "bar"},
	} {
		u := recouvra.User{Email: "avocat@cabinet.test", Name: "Maître Durand", Role: recouvra.RoleLawyer, Bar: tc.bar}
		err := u.Validate()
		var ce *recouvra.Error
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q refused: %v", tc.bar, err)
		case tc.want != "" && (!errors.As(err, &ce) || len(ce.Fields) != 1 || ce.Fields[0].Field != tc.want):
			t.Errorf("%q: want %s refused, got %v", tc.bar, tc.want, err)
		}
		if tc.want == "" && u.Bar != strings.TrimSpace(tc.bar) {
			t.Errorf("%q kept as %q", tc.bar, u.Bar)
		}
	}
	// A creditor's account is no avocat; staff of any role may be one.
	creditor := uuid.Must(uuid.NewV7())
	u := recouvra.User{Email: "compta@dupont.test", Name: "Compta", Role: recouvra.RoleCreditor, CreditorID: &creditor, Bar: "Barreau de Lyon"}
	var ce *recouvra.Error
	if err := u.Validate(); !errors.As(err, &ce) || len(ce.Fields) != 1 || ce.Fields[0].Field != "bar" || ce.Fields[0].Code != "forbidden" {
		t.Errorf("creditor with a bar: %v", err)
	}
	u.Bar = ""
	if err := u.Validate(); err != nil {
		t.Errorf("creditor without a bar: %v", err)
	}
}

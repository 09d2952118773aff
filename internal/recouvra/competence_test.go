package recouvra_test

import (
	"os"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestCompetentCourt decides where an injunction request is filed: the
// debtor's place (CPC 1406), the court by the parties and the debt.
func TestCompetentCourt(t *testing.T) {
	lyon := recouvra.Address{Line1: "3 rue Garibaldi", PostalCode: "69003", City: "Lyon", Country: "FR"}
	trader := recouvra.Creditor{LegalName: "Menuiserie Dupont", CreditorDetails: recouvra.CreditorDetails{
		Mandate: recouvra.Mandate{LegalStatus: recouvra.StatusBusiness}, Identity: recouvra.Identity{LegalForm: "SARL"}}}
	sci := trader
	sci.Identity.LegalForm = "SCI"
	individual := recouvra.Creditor{LegalName: "Paul Martin", CreditorDetails: recouvra.CreditorDetails{Mandate: recouvra.Mandate{LegalStatus: recouvra.StatusIndividual}}}
	company := recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Scierie SAS", Address: lyon}
	consumer := recouvra.Debtor{Kind: recouvra.DebtorPerson, Name: "Jean Durand", Address: lyon}
	soleTrader := recouvra.Debtor{Kind: recouvra.DebtorPerson, Name: "Jean Durand, plombier", SIREN: "732829320", Address: lyon}
	goods := []recouvra.Claim{{InvoiceNumber: "F-1", Nature: recouvra.NatureGeneral}}
	rent := []recouvra.Claim{{InvoiceNumber: "Loyer mars", Nature: recouvra.NatureResidentialRent}}
	for _, tc := range []struct {
		name     string
		creditor recouvra.Creditor
		debtor   recouvra.Debtor
		claims   []recouvra.Claim
		want     recouvra.CourtKind
		article  string
	}{
		{"C. com. L721-3: between traders, the tribunal de commerce", trader, company, goods, recouvra.CourtCommercial, "L721-3"},
		{"C. com. L721-3: a sole trader with a SIREN owes as a trader", trader, soleTrader, goods, recouvra.CourtCommercial, "L721-3"},
		{"CPC 1406: a consumer debtor goes before the tribunal judiciaire", trader, consumer, goods, recouvra.CourtJudicial, "1406"},
		{"CPC 1406: an individual creditor's claim is civil", individual, company, goods, recouvra.CourtJudicial, "1406"},
		{"CPC 1406: a société civile is not a trader", sci, company, goods, recouvra.CourtJudicial, "1406"},
		{"COJ L213-4-4: residential rent, the juge des contentieux de la protection", trader, consumer, rent, recouvra.CourtProtection, "L213-4-4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := recouvra.CompetentCourt(tc.creditor, tc.debtor, tc.claims)
			if got.Kind != tc.want || got.Place != lyon || !strings.Contains(got.Basis, tc.article) || !strings.Contains(got.Basis, "1406") {
				t.Fatalf("got %+v, want %s at the debtor's place citing %s and 1406", got, tc.want, tc.article)
			}
		})
	}
}

// TestCourtNames: the court the lawyer names must be of the competent
// kind; the tribunal des activités économiques stands for the tribunal de
// commerce where the experiment runs.
func TestCourtNames(t *testing.T) {
	for _, tc := range []struct {
		kind  recouvra.CourtKind
		court string
		want  bool
	}{
		{recouvra.CourtCommercial, "Tribunal de commerce de Lons-le-Saunier", true},
		{recouvra.CourtCommercial, "TRIBUNAL DES ACTIVITÉS ÉCONOMIQUES DE LYON", true},
		{recouvra.CourtCommercial, "Tribunal judiciaire de Lyon", false},
		{recouvra.CourtJudicial, "Tribunal judiciaire de Lyon", true},
		{recouvra.CourtJudicial, "tribunal  de proximité de Villeurbanne", true},
		{recouvra.CourtJudicial, "Tribunal de commerce de Lyon", false},
		{recouvra.CourtProtection, "Tribunal judiciaire de Lyon, juge des contentieux de la protection", true},
		{recouvra.CourtJudicial, "Lyon", false},
	} {
		if got := tc.kind.Names(tc.court); got != tc.want {
			t.Errorf("%s names %q: %v, want %v", tc.kind, tc.court, got, tc.want)
		}
	}
}

// TestCourtForms reads the shipped forms table: every court has its form,
// and a request cites the version in force on its date.
func TestCourtForms(t *testing.T) {
	data, err := os.ReadFile("../../configs/legal/court-forms.csv")
	if err != nil {
		t.Fatal(err)
	}
	forms, err := recouvra.ParseCourtForms(data)
	if err != nil {
		t.Fatal(err)
	}
	today := recouvra.NewDate(2026, 12, 2)
	for kind, want := range map[recouvra.CourtKind]string{recouvra.CourtCommercial: "Cerfa n° 12946*02",
		recouvra.CourtJudicial: "Cerfa n° 12948*06", recouvra.CourtProtection: "Cerfa n° 16040*01"} {
		f, ok := forms.For(kind, today)
		if !ok || f.Cite() != want || f.Source == "" {
			t.Errorf("%s: %+v, want %s with its source", kind, f, want)
		}
	}
	// A later version applies from its date, not before.
	revised := append(data, []byte("commercial,12946,03,Requête (tribunal de commerce),2027-03-01,\"service-public.fr\"\n")...)
	forms, err = recouvra.ParseCourtForms(revised)
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := forms.For(recouvra.CourtCommercial, recouvra.NewDate(2027, 2, 28)); f.Version != "02" {
		t.Errorf("the day before the revision: %s", f.Cite())
	}
	if f, _ := forms.For(recouvra.CourtCommercial, recouvra.NewDate(2027, 3, 1)); f.Version != "03" {
		t.Errorf("from the revision: %s", f.Cite())
	}
	for name, bad := range map[string]string{
		"unknown court": "tribunal,12946,02,x,2020-01-01,src\n",
		"bad version":   "commercial,12946,2,x,2020-01-01,src\n",
		"no source":     "commercial,12946,02,x,2020-01-01,\n",
		"bad date":      "commercial,12946,02,x,2020-13-01,src\n",
	} {
		if _, err := recouvra.ParseCourtForms(append(data, []byte(bad)...)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := recouvra.ParseCourtForms([]byte("commercial,12946,02,x,2020-01-01,src\n")); err == nil {
		t.Error("a table without the judicial court's form: accepted")
	}
}

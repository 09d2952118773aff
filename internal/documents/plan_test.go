package documents_test

import (
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestPlanAgreement: the agreement lists the instalments with their dates
// and amounts, states the terms and the acknowledgement (C. civ. 2240), and
// carries the R124-4 mentions of every letter (read back with pdftotext).
func TestPlanAgreement(t *testing.T) {
	t.Parallel()
	claims, st := aCase(2)
	l := letter(claims, st)
	l.Reference = "DOS-2026-0042-E2026-03-02"
	p := recouvra.Plan{Origin: recouvra.PlanByAgent, Status: recouvra.PlanKept, Currency: "EUR", TotalCents: 90000, GraceDays: 5,
		MissesBeforeBroken: 2, MadeOn: recouvra.MustDate("2026-03-02"), Instalments: []recouvra.Instalment{
			{DueOn: recouvra.MustDate("2026-03-10"), AmountCents: 30000}, {DueOn: recouvra.MustDate("2026-04-10"), AmountCents: 20000},
			{DueOn: recouvra.MustDate("2026-05-10"), AmountCents: 20000}, {DueOn: recouvra.MustDate("2026-06-10"), AmountCents: 20000}}}
	f, err := documents.PlanAgreement(l, p)
	if err != nil {
		t.Fatal(err)
	}
	text := layout(t, f.PDF)
	want := []string{
		"Objet : accord de paiement échelonné",
		"Imprimerie Martin SARL accepte que vous régliez la somme de " + money(90000) + " en 4 versements",
		"Premier versement 10/03/2026 " + money(30000),
		"Échéance n° 4 10/06/2026 " + money(20000),
		"Total " + money(90000),
		"Un versement qui n'est pas reçu 5 jours après sa date est considéré comme manqué.",
		"Au 2e versement manqué, l'échéancier prend fin",
		"interrompt la prescription, qui recommence à courir à compter de sa date (article 2240 du code civil)",
		// R124-4: the agency and its activity, the creditor, the debt split, the means of payment, L111-8 word for word.
		"Agence Recouvra, 10 rue de la Paix, 75002 Paris, exerce l'activité de recouvrement amiable de créances pour le compte d'autrui",
		"Elle vous écrit sur mandat d'Imprimerie Martin SARL",
		"en principal",
		"IBAN FR76 3000 6000 0112 3456 7890 189",
		"alinéas 2 et 3 de l'article L111-8 du code des procédures civiles d'exécution",
		"Bon pour accord et reconnaissance de dette",
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("agreement lacks %q", w)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
	// A court's delay says where its terms came from.
	p.Origin, p.Court, p.CourtDecisionOn = recouvra.PlanByCourt, "le tribunal judiciaire de Lyon", recouvra.MustDate("2026-02-20")
	if f, err = documents.PlanAgreement(l, p); err != nil {
		t.Fatal(err)
	}
	if text = layout(t, f.PDF); !strings.Contains(text, "Par décision du 20/02/2026, le tribunal judiciaire de Lyon vous a accordé un délai de paiement (article 1343-5 du code civil)") {
		t.Errorf("court plan: %s", text)
	}
}

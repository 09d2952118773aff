package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// toInjunction walks case A to the injunction stage the way people do.
func toInjunction(t *testing.T, w *world) string {
	t.Helper()
	id := w.caseA.Case.ID.String()
	w.generate("agent", id, map[string]any{"kind": "amicable_letter"})
	w.as("agent").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "formal_notice"}, "If-Match", w.etag(id))
	if r, _ := w.generate("agent", id, map[string]any{"kind": "formal_notice", "options": map[string]any{"registered_number": "1A 555"}}); r.Status != 201 {
		t.Fatalf("formal notice: %d %s", r.Status, r.Body)
	}
	w.clock.Advance(10 * 24 * time.Hour)
	w.relogin() // sessions last 12 hours
	w.as("admin").Do("PATCH", "/api/v1/creditors/"+w.credA.ID.String(), map[string]any{"mandate": map[string]any{"judicial_allowed": true}})
	w.as("admin").Do("PATCH", "/api/v1/cases/"+id, map[string]any{"assigned_lawyer_id": w.users["lawyer"].ID}, "If-Match", w.etag(id))
	if r := w.as("lawyer").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "injunction"}, "If-Match", w.etag(id)); r.Status != 200 {
		t.Fatalf("to injunction: %d %s", r.Status, r.Body)
	}
	return id
}

func TestInjunctionPacket(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := toInjunction(t, w)
	invoice := w.caseA.Claims[0].InvoiceNumber
	packet := map[string]any{"kind": "injunction_packet", "options": map[string]any{"court": "Tribunal de commerce de Lons-le-Saunier"}}

	if r, _ := w.generate("agent", id, packet); r.Status != 403 {
		t.Fatalf("an agent preparing a court filing: %d", r.Status)
	}
	r, _ := w.generate("lawyer", id, packet)
	codes := fieldCodes(r.Problem(t))
	if r.Status != 422 || codes["exhibits.invoice"] != "missing" || codes["exhibits.formal_notice_receipt"] != "missing" || codes["statement"] != "provisional" {
		t.Fatalf("missing pieces: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(string(r.Body), invoice) || !strings.Contains(string(r.Body), "2026 S2") {
		t.Fatalf("the refusal must name the invoice and the half-year: %s", r.Body)
	}
	w.upload("creditor", id, "invoice", "", "Facture "+invoice+".pdf", tinyPDF)
	w.upload("agent", id, "formal_notice_receipt", "", "AR.pdf", tinyPDF)
	w.as("admin").Do("POST", "/api/v1/rates", map[string]any{"kind": "ecb_refi", "period_start": "2026-07-01", "value": 200, "source": "BCE, taux au 1er juillet 2026"})

	r, doc := w.generate("lawyer", id, packet)
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	_, data := w.content("lawyer", doc.Id.String())
	text := apitest.PDFText(t, data)
	st := statement(t, w.as("lawyer"), id, recouvra.DateOf(w.clock.Now()).String())
	for _, want := range []string{"Requête en injonction de payer", "Cerfa n° 12946", "Juridiction : Tribunal de commerce de Lons-le-Saunier",
		"Créancier requérant : Menuiserie Dupont SARL", "Débiteur : Scierie du Jura SAS", "SIREN 732829320",
		"Principal (factures impayées) " + money(st.Totals.PrincipalOutstandingCents), "Intérêts échus " + money(st.Totals.InterestOutstandingCents),
		"article D441-5", "Total " + money(st.Totals.TotalDueCents), "Bordereau de pièces communiquées",
		"Pièce n° 1 Facture n° " + invoice, "Pièce n° 2 Mise en demeure", "Pièce n° 3 Avis de réception", "Décompte de créance arrêté au"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the packet:\n%s", want, text)
		}
	}
}

func TestInsolvencyDeclaration(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID.String()
	if r, _ := w.generate("lawyer", id, map[string]any{"kind": "insolvency_declaration"}); r.Status != 422 || fieldCodes(r.Problem(t))["debtor.insolvency"] != "missing" {
		t.Fatalf("no proceedings: %d %s", r.Status, r.Body)
	}
	published := recouvra.DateOf(w.clock.Now())
	w.as("lawyer").Do("PATCH", "/api/v1/debtors/"+w.caseA.Debtor.ID.String(), map[string]any{"insolvency": map[string]any{
		"proceedings": "redressement", "published_on": published.String(), "court": "Tribunal de commerce de Lons-le-Saunier"}})
	w.upload("agent", id, "invoice", "", w.caseA.Claims[0].InvoiceNumber+".pdf", tinyPDF)
	r, _ := w.generate("lawyer", id, map[string]any{"kind": "insolvency_declaration"})
	if r.Status != 422 || fieldCodes(r.Problem(t))["statement"] != "provisional" {
		t.Fatalf("a declaration on a provisional rate: %d %s", r.Status, r.Body)
	}
	w.as("admin").Do("POST", "/api/v1/rates", map[string]any{"kind": "ecb_refi", "period_start": "2026-07-01", "value": 200, "source": "BCE, taux au 1er juillet 2026"})
	r, doc := w.generate("lawyer", id, map[string]any{"kind": "insolvency_declaration"})
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	_, data := w.content("lawyer", doc.Id.String())
	text := apitest.PDFText(t, data)
	st := statement(t, w.as("lawyer"), id, published.String())
	for _, want := range []string{"Déclaration de créance", "Procédure de redressement de Scierie du Jura SAS",
		fmt.Sprintf("publiée au BODACC le %s", recouvra.FrenchDate(published)),
		fmt.Sprintf("jusqu'au %s (article R622-24", recouvra.FrenchDate(published.AddMonths(2))),
		"Total déclaré, à titre chirographaire " + money(st.Totals.TotalDueCents), "L622-28", "Pièce n° 1", "Facture n° " + w.caseA.Claims[0].InvoiceNumber} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the declaration:\n%s", want, text)
		}
	}
}

func TestIrrecoverabilityCertificate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID.String()
	if r, _ := w.generate("lawyer", id, map[string]any{"kind": "irrecoverability_certificate"}); r.Status != 422 {
		t.Fatalf("not irrecoverable yet: %d", r.Status)
	}
	proofOn := recouvra.DateOf(w.clock.Now()).AddDays(-3)
	r := w.as("lawyer").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "irrecoverable", "proof": map[string]any{
		"cause": "pv_de_carence", "proof": "PV de carence de Me Roux, commissaire de justice à Lons-le-Saunier", "on": proofOn.String()}}, "If-Match", w.etag(id))
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	r, doc := w.generate("lawyer", id, map[string]any{"kind": "irrecoverability_certificate"})
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	_, data := w.content("creditor", doc.Id.String())
	text := apitest.PDFText(t, data)
	// The invoice: 1 200,00 € TTC of which 200,00 € VAT, nothing paid.
	for _, want := range []string{"Attestation d'irrécouvrabilité", "procès-verbal de carence", "PV de carence de Me Roux",
		w.caseA.Claims[0].InvoiceNumber, "1 000,00 € 200,00 € 1 200,00 €", "article 272 du code général des impôts",
		fmt.Sprintf("au plus tard le 31/12/%d", proofOn.Year()+2)} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the certificate:\n%s", want, text)
		}
	}
}

func TestRemittanceStatement(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := handWorkedCase(t, w)
	w.as("admin").Do("PATCH", "/api/v1/creditors/"+w.credA.ID.String(), map[string]any{"mandate": map[string]any{"commission_bps": 1500, "fixed_fee_cents": 3500, "signed_on": "2025-01-10"}})
	w.setClock("2025-08-20")
	w.relogin()
	pay := func(key string, cents int64, on, method string) {
		if r := w.as("agent").Do("POST", "/api/v1/cases/"+id+"/payments", map[string]any{"amount_cents": cents, "received_on": on, "method": method}, "Idempotency-Key", key); r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	}
	pay("remit-0001", 100_000, "2025-08-05", "transfer")
	pay("remit-0002", 20_000, "2025-08-12", "direct_to_creditor")
	pay("remit-0003", 30_000, "2025-07-01", "cheque") // before the period

	path := "/api/v1/creditors/" + w.credA.ID.String() + "/remittance-statements"
	if r := w.as("admin").Do("POST", path, map[string]any{"from": "2025-08-31", "to": "2025-08-01"}); r.Status != 422 {
		t.Fatalf("inverted period: %d", r.Status)
	}
	r := w.as("admin").Do("POST", path, map[string]any{"from": "2025-08-01", "to": "2025-08-19"})
	var d oapi.Document
	r.Decode(t, &d)
	if r.Status != 201 || !d.CaseId.IsNull() || d.Kind != "remittance_statement" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	_, data := w.content("creditor", d.Id.String())
	text := apitest.PDFText(t, data)
	// Collected 1 000,00; direct 200,00; commission 15 % of 1 200,00 = 180,00;
	// no fixed fee (the case's first payment was in July); net 820,00.
	for _, want := range []string{"Relevé de reversement du 01/08/2025 au 19/08/2025", "Encaissé par l'agence 1 000,00 €",
		"Payé directement au créancier 200,00 €", "180,00 €", "Frais fixes du mandat 0,00 €", "Net à reverser 820,00 €", "05/09/2025", "R124-6"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the statement:\n%s", want, text)
		}
	}
	var list struct{ Items []oapi.Document }
	w.as("creditor").Do("GET", "/api/v1/creditors/"+w.credA.ID.String()+"/documents", nil).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Id != d.Id {
		t.Fatalf("creditor's documents %+v", list.Items)
	}
	if r := w.as("creditor_b").Do("GET", "/api/v1/creditors/"+w.credA.ID.String()+"/documents", nil); r.Status != 404 {
		t.Fatalf("another creditor: %d", r.Status)
	}
}

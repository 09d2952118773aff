package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// toFormalNoticeOver walks case A through its formal notice to the day
// its period is over, the way people do: amicable letter, move, notice.
func toFormalNoticeOver(t *testing.T, w *world) string {
	t.Helper()
	id := w.caseA.Case.ID.String()
	w.generate("agent", id, map[string]any{"kind": "amicable_letter"})
	w.as("agent").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "formal_notice"}, "If-Match", w.etag(id))
	if r, _ := w.generate("agent", id, map[string]any{"kind": "formal_notice", "options": map[string]any{"registered_number": "1A 555"}}); r.Status != 201 {
		t.Fatalf("formal notice: %d %s", r.Status, r.Body)
	}
	w.clock.Advance(10 * 24 * time.Hour)
	w.relogin() // sessions last 12 hours
	return id
}

// companyIdentity is what a request says of a company creditor (CPC 1407).
var companyIdentity = map[string]any{"legal_form": "SARL", "registry": "RCS Lyon", "representative_name": "Jeanne Dupont", "representative_title": "gérante"}

// readyForCourt supplies everything a case at formal notice needs before
// court: the mandate's consent, the creditor's identity and SIREN, the
// lawyer, the special power, each invoice, the acknowledgement of receipt
// and its date, this half-year's rate.
func readyForCourt(t *testing.T, w *world, c app.CaseView) {
	t.Helper()
	id := c.Case.ID.String()
	ok := func(what string, r *apitest.Response) {
		t.Helper()
		if r.Status >= 300 {
			t.Fatalf("%s: %d %s", what, r.Status, r.Body)
		}
	}
	ok("creditor", w.as("admin").Do("PATCH", "/api/v1/creditors/"+c.Case.CreditorID.String(), map[string]any{
		"siren": "552100554", "identity": companyIdentity, "mandate": map[string]any{"judicial_allowed": true}}))
	ok("assign", w.as("admin").Do("PATCH", "/api/v1/cases/"+id, map[string]any{"assigned_lawyer_id": w.users["lawyer"].ID}, "If-Match", w.etag(id)))
	ok("power", w.upload("lawyer", id, "power_of_attorney", "", "pouvoir.pdf", tinyPDF))
	for _, cl := range c.Claims {
		ok("invoice", w.upload("agent", id, "invoice", "", "Facture "+cl.InvoiceNumber+".pdf", tinyPDF))
	}
	ok("receipt", w.upload("agent", id, "formal_notice_receipt", "", "AR.pdf", tinyPDF))
	// Received two days after it was sent (today at the latest).
	var current oapi.Case
	w.as("agent").Do("GET", "/api/v1/cases/"+id, nil).Decode(t, &current)
	today := recouvra.DateOf(w.clock.Now())
	received := recouvra.DateOf(current.FormalNotice.SentOn.MustGet().Time).AddDays(2)
	if received.After(today) {
		received = today
	}
	ok("received on", w.as("agent").Do("POST", "/api/v1/cases/"+id+"/events", map[string]any{"type": "formal_notice_received",
		"data": map[string]any{"received_on": received.String()}}))
	half := recouvra.NewDate(today.Year(), time.January, 1)
	if today.Month() >= time.July {
		half = recouvra.NewDate(today.Year(), time.July, 1)
	}
	ok("rate", w.as("admin").Do("POST", "/api/v1/rates", map[string]any{"kind": "ecb_refi", "period_start": half.String(), "value": 200, "source": "BCE, taux du semestre"}))
}

// TestInjunctionPacket: the move to court is refused with everything the
// request lacks at once; the request names the competent court (CPC
// 1406), the parties as CPC 1407 wants them, the representative and its
// special power (CPC 416, 853), the amount with its elements and each
// payment deducted, the form from the data, the exhibits in words.
func TestInjunctionPacket(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := toFormalNoticeOver(t, w)
	invoice := w.caseA.Claims[0].InvoiceNumber
	r := w.as("lawyer").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "injunction"}, "If-Match", w.etag(id))
	refusal := map[string]bool{}
	for _, e := range r.Problem(t).Errors {
		refusal[e.Field+"|"+e.Code] = true
	}
	for _, want := range []string{"to|guard.mandate_forbids_judicial", "to|guard.no_lawyer", "creditor.identity.legal_form|missing", "creditor.siren|missing",
		"exhibits.power_of_attorney|missing", "exhibits.invoice|missing", "exhibits.formal_notice_receipt|missing", "statement|provisional"} {
		if r.Status != 422 || !refusal[want] {
			t.Errorf("move to court: %s not in the refusal (%d %s)", want, r.Status, r.Body)
		}
	}
	if !strings.Contains(string(r.Body), invoice) {
		t.Fatalf("the refusal must name the invoice: %s", r.Body)
	}
	readyForCourt(t, w, w.caseA)
	if r := w.as("lawyer").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "injunction"}, "If-Match", w.etag(id)); r.Status != 200 {
		t.Fatalf("to injunction: %d %s", r.Status, r.Body)
	}
	pay := w.as("agent").Do("POST", "/api/v1/cases/"+id+"/payments", map[string]any{"amount_cents": 20000, "received_on": recouvra.DateOf(w.clock.Now()).AddDays(-1).String(),
		"method": "transfer"}, "Idempotency-Key", "acompte-"+id)
	if pay.Status != 201 {
		t.Fatalf("payment: %d %s", pay.Status, pay.Body)
	}

	request := func(court string) (*apitest.Response, oapi.Document) {
		body := map[string]any{"kind": "injunction_packet"}
		if court != "" {
			body["options"] = map[string]any{"court": court}
		}
		return w.generate("lawyer", id, body)
	}
	if r, _ := w.generate("agent", id, map[string]any{"kind": "injunction_packet"}); r.Status != 403 {
		t.Fatalf("an agent preparing a court filing: %d", r.Status)
	}
	if r, _ := request(""); r.Status != 422 || fieldCodes(r.Problem(t))["options.court"] != "required" ||
		!strings.Contains(string(r.Body), "tribunal de commerce du lieu où demeure le débiteur (Lons-le-Saunier") {
		t.Fatalf("no court named: %d %s", r.Status, r.Body)
	}
	if r, _ := request("Tribunal judiciaire de Lons-le-Saunier"); r.Status != 422 || fieldCodes(r.Problem(t))["options.court"] != "incompetent" ||
		!strings.Contains(string(r.Body), "L721-3") {
		t.Fatalf("the wrong court: %d %s", r.Status, r.Body)
	}
	// The creditor follows its case at this stage too (what the request
	// waits for is the agency's).
	if r := w.as("creditor").Do("GET", "/api/v1/cases/"+id, nil); r.Status != 200 {
		t.Fatalf("the creditor's case at injunction: %d %s", r.Status, r.Body)
	}
	var view oapi.Case
	w.as("lawyer").Do("GET", "/api/v1/cases/"+id, nil).Decode(t, &view)
	if view.Court.Kind != "commercial" || view.Court.Suggested != "Tribunal de commerce de Lons-le-Saunier" || len(view.Court.Blockers) != 0 {
		t.Fatalf("the case's court: %+v", view.Court)
	}
	r, doc := request(view.Court.Suggested)
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	_, data := w.content("lawyer", doc.Id.String())
	text := apitest.PDFText(t, data)
	st := statement(t, w.as("lawyer"), id, recouvra.DateOf(w.clock.Now()).String())
	received := recouvra.FrenchDate(recouvra.DateOf(w.clock.Now()).AddDays(-8))
	for _, want := range []string{"Cerfa n° 12946*02", "Madame ou Monsieur le président", "Tribunal de commerce de Lons-le-Saunier",
		"Requête en injonction de payer", "article 1406 du code de procédure civile",
		"Menuiserie Dupont SARL, SARL immatriculée au RCS Lyon sous le numéro 552 100 554, dont le siège social est 12 rue des Lilas",
		"représentée par Jeanne Dupont, gérante",
		"Scierie du Jura SAS, dont le siège social est 4 rue du Moulin", "SIREN 732 829 320",
		"société de recouvrement de créances, agissant par Test lawyer, en vertu d'un pouvoir spécial (pièce n° 1",
		"Facture n° " + invoice, "Sous déduction des acomptes versés :", "acompte du " + recouvra.FrenchDate(recouvra.DateOf(w.clock.Now()).AddDays(-1)) + " (virement)",
		money(-20000), "Total demandé", "Reste dû : " + money(st.Totals.TotalDueCents) + ", soit", "D441-5 du code de commerce",
		"Bordereau de pièces communiquées", "Pièce n° 1 Pouvoir spécial", "Pièce n° 2 Facture n° " + invoice,
		"Pièce n° 3 Mise en demeure par lettre recommandée", "Pièce n° 4 Avis de réception de la mise en demeure, signé le " + received,
		"Décompte de créance arrêté au"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the packet:\n%s", want, text)
		}
	}
	for _, internal := range []string{"AR.pdf", "pouvoir.pdf", ".pdf"} {
		if strings.Contains(text, internal) {
			t.Errorf("the request shows a file name %q:\n%s", internal, text)
		}
	}

	// An avocat signs without a special power (CPC 416).
	if r := w.as("admin").Do("PATCH", "/api/v1/users/"+w.users["lawyer"].ID.String(), map[string]any{"bar": "Barreau de Lyon"}); r.Status != 200 {
		t.Fatalf("bar: %d %s", r.Status, r.Body)
	}
	r, doc = request(view.Court.Suggested)
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	_, data = w.content("lawyer", doc.Id.String())
	text = apitest.PDFText(t, data)
	if !strings.Contains(text, "Maître Test lawyer, avocat au barreau de Lyon") || strings.Contains(text, "Pouvoir spécial") ||
		!strings.Contains(text, "Pièce n° 1 Facture n° "+invoice) {
		t.Errorf("an avocat's request:\n%s", text)
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

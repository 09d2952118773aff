package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/configs"
	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func (w *world) generate(as, caseID string, body map[string]any) (*apitest.Response, oapi.Document) {
	w.t.Helper()
	r := w.as(as).Do("POST", "/api/v1/cases/"+caseID+"/documents", body)
	var d oapi.Document
	if r.Status == 201 {
		r.Decode(w.t, &d)
	}
	return r, d
}

// content downloads a document as principal as.
func (w *world) content(as, id string) (*http.Response, []byte) {
	w.t.Helper()
	req, _ := http.NewRequest("GET", w.srv.URL()+"/api/v1/documents/"+id+"/content", nil)
	req.Header.Set("Authorization", "Bearer "+w.tokens[as])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func money(cents int64) string { return apitest.Flat(recouvra.FrenchMoney(cents, "EUR")) }

func TestAmicableLettersCarryEveryR1244Mention(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID.String()
	r, doc := w.generate("agent", id, map[string]any{"kind": "amicable_letter"})
	if r.Status != 201 || doc.MediaType != "application/pdf" || len(doc.Sha256) != 64 || doc.Reference != w.caseA.Case.Reference+"-L1" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	resp, data := w.content("creditor", doc.Id.String())
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment; filename=relance-") {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	text := apitest.PDFText(t, data)
	st := statement(t, w.as("agent"), id, recouvra.DateOf(w.clock.Now()).String())
	for name, want := range map[string]string{
		"1. agency, address, activity": "Agence Recouvra Test, 10 rue de la Paix, 75002 Paris, exerce l'activité de recouvrement amiable de créances pour le compte d'autrui",
		"2. creditor":                  "Menuiserie Dupont SARL,",
		"3. principal (statement)":     money(st.Totals.PrincipalOutstandingCents),
		"3. interest (statement)":      money(st.Totals.InterestOutstandingCents),
		"3. other sums (statement)":    money(st.Totals.IndemnitiesOutstandingCents),
		"3. split":                     "Principal Intérêts Autres sommes",
		"3. fees excluded":             "les frais de recouvrement à la charge du créancier n'y figurent pas",
		"4. demand":                    "Nous vous demandons de régler la somme de " + money(st.Totals.TotalDueCents),
		"4. means of payment":          "IBAN FR76 3000 6000 0112 3456 7890 189",
		"5. L111-8 introduced":         "les alinéas 2 et 3 de l'article L111-8 du code des procédures civiles d'exécution, que nous reproduisons ci-dessous :",
		"5. L111-8 text":               apitest.Flat(configs.L1118),
		"reference":                    "Notre référence : " + doc.Reference,
		"debtor address":               "Scierie du Jura SAS 4 rue du Moulin 39000 Lons-le-Saunier",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%s: %q not in the letter:\n%s", name, want, text)
		}
	}
	// The letter is on the timeline as sent.
	var c oapi.Case
	w.as("agent").Do("GET", "/api/v1/cases/"+id, nil).Decode(t, &c)
	if c.FirstLetterReference != doc.Reference || c.AmicableReminders != 1 {
		t.Fatalf("case after the letter: %+v", c)
	}

	// A later letter repeats the first one's reference and date.
	_, second := w.generate("agent", id, map[string]any{"kind": "amicable_letter"})
	_, data = w.content("agent", second.Id.String())
	text = apitest.PDFText(t, data)
	first := fmt.Sprintf("Premier courrier : référence %s du %s", doc.Reference, recouvra.FrenchDate(recouvra.DateOf(w.clock.Now())))
	if second.Reference != w.caseA.Case.Reference+"-L2" || !strings.Contains(text, first) || !strings.Contains(text, "Notre référence : "+second.Reference) {
		t.Fatalf("second letter %s:\n%s", second.Reference, text)
	}
}

func TestFormalNoticeLetter(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID.String()
	if r, _ := w.generate("agent", id, map[string]any{"kind": "formal_notice", "options": map[string]any{"registered_number": "1A 123"}}); r.Status != 422 ||
		fieldCodes(r.Problem(t))["kind"] != "wrong_stage" {
		t.Fatalf("formal notice at the amicable stage: %d %s", r.Status, r.Body)
	}
	w.generate("agent", id, map[string]any{"kind": "amicable_letter"})
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "formal_notice"}, "If-Match", w.etag(id)); r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	r, _ := w.generate("agent", id, map[string]any{"kind": "formal_notice"})
	if r.Status != 422 || fieldCodes(r.Problem(t))["options.registered_number"] != "required" {
		t.Fatalf("no registered number: %d %s", r.Status, r.Body)
	}
	r, doc := w.generate("agent", id, map[string]any{"kind": "formal_notice", "options": map[string]any{"registered_number": "1A 198 765 4321 0"}})
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	_, data := w.content("agent", doc.Id.String())
	text := apitest.PDFText(t, data)
	for _, want := range []string{"LETTRE RECOMMANDÉE AVEC DEMANDE D'AVIS DE RÉCEPTION n° 1A 198 765 4321 0", "mise en demeure de payer",
		"dans un délai de 8 jours à compter de la réception", "injonction de payer", "Premier courrier : référence " + w.caseA.Case.Reference + "-L1",
		apitest.Flat(configs.L1118)} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the formal notice:\n%s", want, text)
		}
	}
	var c oapi.Case
	w.as("agent").Do("GET", "/api/v1/cases/"+id, nil).Decode(t, &c)
	if c.FormalNotice.SentOn.IsNull() || c.FormalNotice.DeadlineOn.MustGet().String() != recouvra.DateOf(w.clock.Now()).AddDays(8).String() {
		t.Fatalf("formal notice not recorded: %+v", c.FormalNotice)
	}
}

func TestLettersNameEveryMissingPiece(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.Agency.IBAN = "" })
	id := w.caseA.Case.ID.String()
	w.as("agent").Do("PATCH", "/api/v1/debtors/"+w.caseA.Debtor.ID.String(), map[string]any{"address": map[string]any{"line1": "4 rue du Moulin"}})
	r, _ := w.generate("agent", id, map[string]any{"kind": "amicable_letter"})
	codes := fieldCodes(r.Problem(t))
	if r.Status != 422 || codes["agency.iban"] != "missing" || codes["debtor.address"] != "incomplete" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if r, _ := w.generate("agent", id, map[string]any{"kind": "brochure"}); r.Status != 422 {
		t.Fatalf("unknown kind: %d", r.Status)
	}
	// Nothing half-stored: no document row came out of the refusals.
	var n int
	if err := w.db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM documents").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d documents after refusals", n)
	}
}

func TestStatementAndReceiptDocuments(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := handWorkedCase(t, w)
	w.setClock("2025-08-14")
	r := w.as("agent").Do("POST", "/api/v1/cases/"+id+"/payments", map[string]any{"amount_cents": 100_000, "received_on": "2025-08-14", "method": "cheque"}, "Idempotency-Key", "receipt-test-1")
	var p oapi.Payment
	r.Decode(t, &p)

	_, doc := w.generate("creditor", id, map[string]any{"kind": "statement", "options": map[string]any{"as_of": "2025-09-13"}})
	_, data := w.content("creditor", doc.Id.String())
	text := apitest.PDFText(t, data)
	for _, want := range []string{"Décompte de créance arrêté au 13/09/2025", "16/06/2025 30/06/2025 15 13,15 % 10 000,00 € 54,04 €",
		"01/07/2025 14/08/2025 45 12,15 % 10 000,00 € 149,79 €", "15/08/2025 13/09/2025 30 12,15 % 9 243,83 € 92,31 €",
		"Total dû " + money(924_383+9231), p.ReceiptNumber, "jours exacts / 365"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the statement:\n%s", want, text)
		}
	}
	if r, _ := w.generate("creditor", id, map[string]any{"kind": "amicable_letter"}); r.Status != 403 {
		t.Fatalf("a creditor producing a letter: %d", r.Status)
	}

	_, receipt := w.generate("agent", id, map[string]any{"kind": "payment_receipt", "options": map[string]any{"payment_id": p.Id}})
	_, data = w.content("agent", receipt.Id.String())
	text = apitest.PDFText(t, data)
	if receipt.Reference != p.ReceiptNumber || !strings.Contains(text, "Reçu n° "+p.ReceiptNumber) || !strings.Contains(text, "la somme de 1 000,00 € par chèque") ||
		!strings.Contains(text, "R124-6") {
		t.Fatalf("receipt %s:\n%s", receipt.Reference, text)
	}

	// A corrected statement supersedes the first, which stays.
	_, fixed := w.generate("agent", id, map[string]any{"kind": "statement", "supersedes": doc.Id, "options": map[string]any{"as_of": "2025-09-14"}})
	var old oapi.Document
	w.as("agent").Do("GET", "/api/v1/documents/"+doc.Id.String(), nil).Decode(t, &old)
	if old.SupersededBy.IsNull() || old.SupersededBy.MustGet() != fixed.Id {
		t.Fatalf("superseded: %+v", old)
	}
	if r, _ := w.generate("agent", id, map[string]any{"kind": "statement", "supersedes": doc.Id}); r.Status != 422 {
		t.Fatalf("superseding twice: %d %s", r.Status, r.Body)
	}
}

// upload sends a multipart upload as principal as.
func (w *world) upload(as, caseID, kind, visibility, name string, content []byte) *apitest.Response {
	w.t.Helper()
	fields := map[string]string{"kind": kind}
	if visibility != "" {
		fields["visibility"] = visibility
	}
	return w.uploadForm(as, caseID, fields, name, content)
}

// uploadForm sends the attachment content under name with the given text
// fields, as principal as.
func (w *world) uploadForm(as, caseID string, fields map[string]string, name string, content []byte) *apitest.Response {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		_ = mw.WriteField(k, fields[k])
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", w.srv.URL()+"/api/v1/cases/"+caseID+"/attachments", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+w.tokens[as])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

var tinyPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

func TestAttachmentsAndIntegrity(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.MaxUploadBytes = 4096 })
	id := w.caseA.Case.ID.String()
	r := w.upload("creditor", id, "invoice", "internal", `../../etc/fa "100".exe`, tinyPDF)
	var d oapi.Document
	r.Decode(t, &d)
	if r.Status != 201 || d.MediaType != "application/pdf" || d.FileName != "fa 100.pdf" || d.Visibility != "shared" || d.Generated {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if r := w.upload("agent", id, "invoice", "", "image.pdf", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")); r.Status != 415 {
		t.Fatalf("a GIF named .pdf: %d %s", r.Status, r.Body)
	}
	if r := w.upload("agent", id, "invoice", "", "big.pdf", append(tinyPDF, bytes.Repeat([]byte("x"), 80<<10)...)); r.Status != 413 {
		t.Fatalf("too large: %d %s", r.Status, r.Body)
	}
	if r := w.upload("agent", id, "selfie", "", "a.pdf", tinyPDF); r.Status != 422 {
		t.Fatalf("unknown kind: %d", r.Status)
	}
	note := w.upload("agent", id, "correspondence", "internal", "note.pdf", tinyPDF)
	var internal oapi.Document
	note.Decode(t, &internal)
	var list struct{ Items []oapi.Document }
	w.as("creditor").Do("GET", "/api/v1/cases/"+id+"/documents", nil).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Id != d.Id {
		t.Fatalf("creditor's documents: %+v", list.Items)
	}
	if resp, _ := w.content("creditor", internal.Id.String()); resp.StatusCode != 404 {
		t.Fatalf("an internal document reached the creditor: %d", resp.StatusCode)
	}
	if resp, _ := w.content("creditor_b", d.Id.String()); resp.StatusCode != 404 {
		t.Fatalf("another creditor's document: %d", resp.StatusCode)
	}
	if resp, body := w.content("agent", d.Id.String()); resp.StatusCode != 200 || !bytes.Equal(body, tinyPDF) {
		t.Fatalf("download: %d", resp.StatusCode)
	}

	// Someone edits the stored file: reading it is refused, by its SHA-256.
	path := filepath.Join(w.dataDir, "documents", d.Sha256[:2], d.Sha256[2:4], d.Sha256)
	if err := os.WriteFile(path, bytes.Replace(tinyPDF, []byte("Catalog"), []byte("Catalag"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	resp, body := w.content("agent", d.Id.String())
	if resp.StatusCode != 500 || !strings.Contains(string(body), `"code":"integrity"`) {
		t.Fatalf("tampered file served: %d %s", resp.StatusCode, body)
	}
}

func TestLetterNumbersFollowLettersLoggedByHand(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.caseA.Case.ID.String()
	// A letter sent outside Recouvra and logged on the timeline is the first.
	if r := w.as("agent").Do("POST", "/api/v1/cases/"+id+"/events", map[string]any{"type": "letter_sent", "data": map[string]any{"kind": "amicable", "sent_on": recouvra.DateOf(w.clock.Now()).String()}}); r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	_, doc := w.generate("agent", id, map[string]any{"kind": "amicable_letter"})
	_, data := w.content("agent", doc.Id.String())
	text := apitest.PDFText(t, data)
	if doc.Reference != w.caseA.Case.Reference+"-L2" || !strings.Contains(text, "Premier courrier : référence "+w.caseA.Case.Reference+"-L1") {
		t.Fatalf("%s:\n%s", doc.Reference, text)
	}
}

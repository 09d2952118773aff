package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// oneStepAway walks the "own" case through its formal notice as
// readyForCourt does, the invoice attached, the mandate allowing court
// action and the half-year's rate entered, but leaves two things undone: no
// lawyer holds it and the notice's acknowledgement of receipt is not
// attached.
func oneStepAway(t *testing.T, s *site) app.CaseView {
	t.Helper()
	return throughFormalNotice(t, s, map[string]string{"invoice": "Facture " + s.cases["own"].Claims[0].InvoiceNumber + ".pdf",
		"power_of_attorney": "Pouvoir spécial.pdf"})
}

var tinyPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// TestLawyerAssignsAttachesAndFiles: the lawyer signs in, finds no case
// ready to file, sees the one blocked only by "no lawyer" and the missing
// receipt with the action beside each, assigns itself from the docket,
// attaches the receipt on the case page through the file button, finds
// the case ready on the filtered docket and moves it to injunction. The
// clicks and seconds of the path are logged.
func TestLawyerAssignsAttachesAndFiles(t *testing.T) {
	s := newSite(t)
	v := oneStepAway(t, s)
	ref, id := v.Case.Reference, v.Case.ID.String()
	receipt := filepath.Join(t.TempDir(), "AR mise en demeure.pdf")
	if err := os.WriteFile(receipt, tinyPDF, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	base := s.srv.URL()
	clicks := 0
	click := func(sel string) {
		t.Helper()
		clicks++
		// Bounded: a missing element fails the test rather than hanging it.
		bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel))); err != nil {
			t.Fatalf("click %s: %v", sel, err)
		}
	}
	row := `tr[data-testid="docket-` + ref + `"]`

	start := time.Now()
	signIn(t, ctx, base, "lawyer@e2e.test")
	clicks++ // the sign-in button
	waitText(t, ctx, row, "Aucun juriste n'est affecté au dossier.", 10*time.Second)

	// Ready only: nothing yet.
	click(`[data-testid="ready-only"]`)
	waitText(t, ctx, "main", "Aucun dossier à suivre.", 10*time.Second)
	click(`[data-testid="ready-only"]`)
	waitText(t, ctx, row, "Joignez l'avis de réception de la mise en demeure", 10*time.Second)
	got := text(t, ctx, row)
	if strings.Contains(got, "Prête à déposer") || strings.Count(got, "M'affecter") != 1 || strings.Count(got, "Joindre la pièce") != 1 ||
		strings.Contains(got, "mandat") || strings.Contains(got, "Facture") {
		t.Fatalf("the row should show exactly the two blockers with their actions:\n%s", got)
	}
	screenshot(t, ctx, "lawyer-path-blocked")

	// Assign myself from the row: the row loses that blocker.
	click(row + ` [data-testid="assign-` + id + `"]`)
	deadline := time.Now().Add(10 * time.Second)
	for strings.Contains(text(t, ctx, row), "Aucun juriste") {
		if time.Now().After(deadline) {
			t.Fatalf("the row still says no lawyer:\n%s", text(t, ctx, row))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if a, err := s.svc.GetCase(context.Background(), app.System, v.Case.ID); err != nil || a.Case.AssignedLawyerID == nil {
		t.Fatalf("not assigned: %v %+v", err, a.Case.AssignedLawyerID)
	}

	// Attach the receipt: the link opens the case with the kind chosen.
	click(`[data-testid="fix-attach-` + ref + `"]`)
	zctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(zctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="dropzone"]`))); err != nil {
		t.Fatal(err)
	}
	kind, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="exhibit-kind"]').value`))
	if err != nil || kind != "formal_notice_receipt" {
		t.Fatalf("kind preselected %q (%v)", kind, err)
	}
	// Dropped files are checked before sending (a text file never leaves
	// the browser) and the server's refusal of a false PDF is shown in words.
	drop := func(name, mime, content string) {
		t.Helper()
		js := `(() => { const dt = new DataTransfer(); dt.items.add(new File([` + strconv.Quote(content) + `], ` + strconv.Quote(name) + `, {type: ` + strconv.Quote(mime) + `}));
			document.querySelector('[data-testid="dropzone"]').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true})); return true })()`
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
			t.Fatalf("drop %s: %v", name, err)
		}
	}
	drop("notes.txt", "text/plain", "pas une pièce")
	waitText(t, ctx, ".exhibit", "notes.txt : Seuls les fichiers PDF, PNG et JPEG sont acceptés.", 10*time.Second)
	drop("faux.pdf", "application/pdf", "pas un PDF")
	waitText(t, ctx, ".exhibit", "Pièce refusée.", 10*time.Second)
	screenshot(t, ctx, "lawyer-path-refused")

	clicks++ // choosing the file
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="exhibit-file"]`), []string{receipt})); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, ".exhibit", "Pièce jointe : Accusé de réception de la mise en demeure", 10*time.Second)
	waitText(t, ctx, `[data-testid="documents"]`, "Accusé de réception de la mise en demeure — AR mise en demeure.pdf", 10*time.Second)
	screenshot(t, ctx, "lawyer-path-attached")
	if docs := text(t, ctx, `[data-testid="documents"]`); strings.Contains(docs, "notes.txt") || strings.Contains(docs, "faux.pdf") {
		t.Fatalf("a refused file is listed:\n%s", docs)
	}

	// Back to the docket, ready only: the case is there, ready.
	click(`nav a[href="/audiences"]`)
	click(`[data-testid="ready-only"]`)
	waitText(t, ctx, row, "Prête à déposer", 10*time.Second)

	// Open it and take it to court.
	click(row + ` a[href="/dossiers/` + id + `"]`)
	click(`.court .buttons button`)
	waitText(t, ctx, ".facts", "Injonction de payer", 10*time.Second)
	screenshot(t, ctx, "lawyer-path-injunction")
	if a, err := s.svc.GetCase(context.Background(), app.System, v.Case.ID); err != nil || a.Case.Stage != recouvra.StageInjunction {
		t.Fatalf("stage %v (%v)", a.Case.Stage, err)
	}

	// The request: the court is the one the case page proposes (the
	// debtor's town, the tribunal de commerce between traders); download.
	court, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.court input[name="options.court"]').value`))
	if err != nil || court != "Tribunal de commerce de Lons-le-Saunier" {
		t.Fatalf("court proposed %q (%v)", court, err)
	}
	clicks++
	pdf := downloaded(t, ctx, `[data-testid="packet"]`)
	elapsed := time.Since(start)
	waitText(t, ctx, ".court", "Requête générée", 10*time.Second)
	screenshot(t, ctx, "lawyer-path-request")

	// Read back: the court, the parties, the amounts as the statement API
	// gives them today, the exhibits in words.
	text := apitest.PDFText(t, pdf)
	st, err := s.svc.Statement(context.Background(), app.System, v.Case.ID, recouvra.DateOf(s.now()))
	if err != nil {
		t.Fatal(err)
	}
	tot := st.Statement.Totals
	flat := func(c int64) string { return apitest.Flat(recouvra.FrenchMoney(c, "EUR")) }
	invoice := v.Claims[0]
	sent, received := recouvra.FrenchDate(recouvra.DateOf(s.now()).AddDays(-12)), recouvra.FrenchDate(recouvra.DateOf(s.now()).AddDays(-10))
	for _, want := range []string{
		"Cerfa n° 12946*02", "Madame ou Monsieur le président Tribunal de commerce de Lons-le-Saunier", "article 1406 du code de procédure civile",
		"Menuiserie Dupont SARL, SARL immatriculée au RCS Lyon sous le numéro 552 100 554", "représentée par Jeanne Dupont, gérante",
		"Scierie du Jura SAS, dont le siège social est 4 rue du Moulin, 39000 Lons-le-Saunier",
		"en vertu d'un pouvoir spécial (pièce n° 1",
		"la somme de " + flat(tot.TotalDueCents), "Facture n° " + invoice.InvoiceNumber, flat(invoice.AmountCents),
		"Intérêts échus au", flat(tot.InterestCents), flat(tot.IndemnitiesCents), "Total demandé",
		"Pièce n° 1 Pouvoir spécial", "Pièce n° 2 Facture n° " + invoice.InvoiceNumber,
		"Pièce n° 3 Mise en demeure par lettre recommandée avec demande d'avis de réception", sent,
		"Pièce n° 4 Avis de réception de la mise en demeure, signé le " + received,
		"Décompte de créance arrêté au",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the downloaded request:\n%s", want, text)
		}
	}
	if strings.Contains(text, ".pdf") {
		t.Errorf("the request names a file instead of a piece:\n%s", text)
	}
	t.Logf("docket to downloaded request: %d clicks (sign-in and file choice included), %.1f s from sign-in", clicks, elapsed.Seconds())
}

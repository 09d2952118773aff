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
	return throughFormalNotice(t, s, map[string]string{"invoice": "Facture " + s.cases["own"].Claims[0].InvoiceNumber + ".pdf"})
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
	elapsed := time.Since(start)
	screenshot(t, ctx, "lawyer-path-injunction")
	if a, err := s.svc.GetCase(context.Background(), app.System, v.Case.ID); err != nil || a.Case.Stage != recouvra.StageInjunction {
		t.Fatalf("stage %v (%v)", a.Case.Stage, err)
	}
	t.Logf("docket to injunction: %d clicks (sign-in and file choice included), %.1f s from sign-in", clicks, elapsed.Seconds())
}

package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestAdminRegisteredNumbers: an engine pass wrote a letter for the "own"
// case; on the Stratégies screen the admin sends La Poste's list for that
// pass — a CSV generated here with a good line, an unknown case, a bad
// number and the good line again — and reads what became of each: one
// number recorded, one duplicate, two lines refused with their line
// number and reason. The same list chosen again records nothing (two
// duplicates); sending with no file says why in an alert.
func TestAdminRegisteredNumbers(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	bg := context.Background()
	std, err := strategyNamed(bg, s, "B2B standard")
	if err != nil {
		t.Fatal(err)
	}
	// Creditor A's mandate on B2B standard: its first step (an e-mail, by
	// post for a debtor with no address) falls due on the placement day.
	if err := s.svc.SetMandateStrategy(bg, app.System, s.cred["a"].ID, std.ID, app.Meta{}); err != nil {
		t.Fatal(err)
	}
	pass, err := s.svc.RunStrategies(bg)
	if err != nil || pass.Claimed != 1 {
		t.Fatalf("the pass: %d claimed, %v", pass.Claimed, err)
	}
	ref := s.cases["own"].Case.Reference
	csv := strings.Join([]string{
		"dossier;numero;date",
		ref + ";1A 123 456 7890 1",
		"INCONNU-9;1A 000 000 0000 9",
		ref + ";12345",
		ref + ";1A 123 456 7890 1",
	}, "\n") + "\n"
	file := filepath.Join(t.TempDir(), "depot-la-poste.csv")
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx := browser(t)
	signIn(t, ctx, s.srv.URL(), "admin@e2e.test")
	// The pass's row (the site's own engine may have run passes since).
	form := `[data-testid="strategy-runs"] [data-testid="registered-form"][data-run-id="` + pass.ID.String() + `"]`
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`header nav a[href="/admin"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.admin-tabs a[href="/admin/strategies"]`)),
		chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/admin/strategies"]`)),
		chromedp.WaitVisible(chromedp.CSS(form)),
		// No file: the reason, announced.
		chromedp.Click(chromedp.CSS(form+` [data-testid="registered-send"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, form+` [role="alert"]`, "Choisissez d'abord le fichier CSV de La Poste.", 5*time.Second)
	// The file input is named by its label.
	label, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+form+` [data-testid="registered-file"]').labels[0].innerText`))
	if err != nil || !strings.Contains(label, "Numéros de recommandé") {
		t.Fatalf("the file input's label: %q %v", label, err)
	}

	send := func() {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.SetUploadFiles(chromedp.CSS(form+` [data-testid="registered-file"]`), []string{file}),
			chromedp.Click(chromedp.CSS(form+` [data-testid="registered-send"]`)),
		); err != nil {
			t.Fatal(err)
		}
	}
	send()
	result := form + ` [data-testid="registered-result"]`
	waitText(t, ctx, result, "1 numéro(s) enregistré(s), 1 déjà enregistré(s), rien de fait, 2 ligne(s) refusée(s) (4 ligne(s) lue(s)).", 10*time.Second)
	waitText(t, ctx, result, "Ligne 3 (référence) : « INCONNU-9 » : aucune lettre de ce passage", time.Second)
	waitText(t, ctx, result, "Ligne 4 (numéro) : « 12345 » : un numéro de recommandé s'écrit comme 1A 123 456 7890 1", time.Second)
	screenshot(t, ctx, "admin-registered-numbers")

	// The number is on the case's timeline, once.
	notes := func() int {
		events, _, err := s.svc.ListEvents(bg, app.System, s.cases["own"].Case.ID, 0, 200)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range events {
			if text, _ := e.Data["text"].(string); e.Type == recouvra.EventNote && strings.Contains(text, "1A 123 456 7890 1") {
				n++
			}
		}
		return n
	}
	if n := notes(); n != 1 {
		t.Fatalf("%d notes with the number after the upload", n)
	}
	// The same list again: nothing recorded twice.
	send()
	waitText(t, ctx, result, "0 numéro(s) enregistré(s), 2 déjà enregistré(s), rien de fait, 2 ligne(s) refusée(s)", 10*time.Second)
	if n := notes(); n != 1 {
		t.Fatalf("%d notes with the number after the second upload", n)
	}
}

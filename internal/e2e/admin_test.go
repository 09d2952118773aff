package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestAdminRates: the admin adds next half-year's ECB rate typed the French
// way, sees it first in its table and stored in basis points; a rate without
// a source is refused with the reason beside the source field, first by the
// form, then by the API.
func TestAdminRates(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)
	signIn(t, ctx, s.srv.URL(), "admin@e2e.test")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`header nav a[href="/admin"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.admin-tabs a[href="/admin/taux"]`)),
		chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/admin/taux"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="rates-ecb_refi"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if cur := adminAttr(t, ctx, `nav.admin-tabs a[aria-current="page"]`, "href"); cur != "/admin/taux" {
		t.Fatalf("the current tab is %q, want /admin/taux", cur)
	}

	const source = "Communiqué de la BCE du 17 décembre 2026 (saisie e2e)"
	form := `form[data-testid="rate-form"] `
	adminChoose(t, ctx, form+`select[name="kind"]`, "ecb_refi")
	adminChoose(t, ctx, form+`select[name="period_start"]`, "2027-01-01")
	if err := chromedp.Do(ctx,
		typeIn(chromedp.CSS(form+`input[name="value"]`), "2,15"),
		typeIn(chromedp.CSS(form+`input[name="source"]`), source),
		chromedp.Click(chromedp.CSS(form+`button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, form+`[role="status"]`, "Enregistré", 5*time.Second)
	// Newest half-year first: the new row heads its table.
	waitText(t, ctx, `[data-testid="rates-ecb_refi"] tbody tr:first-child`, "2027 S1", 3*time.Second)
	first := adminPlain(text(t, ctx, `[data-testid="rates-ecb_refi"] tbody tr:first-child`))
	for _, want := range []string{"01/01/2027", "2,15 %", source} {
		if !strings.Contains(first, want) {
			t.Fatalf("the first ECB row is %q, want %q in it", first, want)
		}
	}
	screenshot(t, ctx, "admin-rates")

	rates, err := s.svc.ListRates(context.Background(), app.System)
	if err != nil {
		t.Fatal(err)
	}
	stored := adminRate(rates, recouvra.RateECB, recouvra.NewDate(2027, time.January, 1))
	if stored == nil || stored.Value != 215 || stored.Source != source {
		t.Fatalf("stored ECB 2027 S1 rate: %+v, want 215 basis points from %q", stored, source)
	}

	// A second rate without its source: the form says so beside the field.
	adminChoose(t, ctx, form+`select[name="kind"]`, "legal_other")
	adminChoose(t, ctx, form+`select[name="period_start"]`, "2027-01-01")
	if err := chromedp.Do(ctx,
		typeIn(chromedp.CSS(form+`input[name="value"]`), "3,5"),
		chromedp.Click(chromedp.CSS(form+`button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := adminFieldError(t, ctx, form+`input[name="source"]`, "Citez la source"); got == "" {
		t.Fatal("no message beside the empty source field")
	}
	screenshot(t, ctx, "admin-rates-source-required")
	// Two letters pass the form's check; the API's rule (3 at least) answers,
	// and its message lands beside the same field.
	if err := chromedp.Do(ctx,
		typeIn(chromedp.CSS(form+`input[name="source"]`), "JO"),
		chromedp.Click(chromedp.CSS(form+`button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	adminFieldError(t, ctx, form+`input[name="source"]`, "Au moins 3 caractère")
	if got := adminAttr(t, ctx, form+`input[name="source"]`, "aria-invalid"); got != "true" {
		t.Fatalf("the refused source field has aria-invalid=%q", got)
	}
	if got := text(t, ctx, form+`[role="alert"]`); !strings.Contains(got, "invalide") {
		t.Fatalf("the form's summary of the refusal: %q", got)
	}
	rates, err = s.svc.ListRates(context.Background(), app.System)
	if err != nil {
		t.Fatal(err)
	}
	if r := adminRate(rates, recouvra.RateLegalOther, recouvra.NewDate(2027, time.January, 1)); r != nil {
		t.Fatalf("a rate without a source was stored: %+v", r)
	}
}

// TestAdminUsersAndKeys: the admin registers a creditor with its mandate,
// opens an account for a creditor's accountant, and creates an API key for
// that creditor: the key is shown once, works, is gone once the page is
// left (only its prefix stays), and stops working once revoked.
func TestAdminUsersAndKeys(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)
	base := s.srv.URL()
	bg := context.Background()
	dupont := adminCreditorID(t, s, "Menuiserie Dupont SARL")
	signIn(t, ctx, base, "admin@e2e.test")

	// Users is the section /admin opens on.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`header nav a[href="/admin"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="users"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="users"]`, "creditor@e2e.test", 5*time.Second)
	if cur := adminAttr(t, ctx, `nav.admin-tabs a[aria-current="page"]`, "href"); cur != "/admin/utilisateurs" {
		t.Fatalf("the current tab is %q, want /admin/utilisateurs", cur)
	}

	// A creditor account needs its creditor, and the API's password rule is
	// shown beside the password field.
	const email, good = "compta@menuiserie-dupont.test", "une phrase de passe assez longue"
	form := `form[data-testid="new-user"] `
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(`//button[normalize-space()="Nouvel utilisateur"]`)),
		chromedp.WaitVisible(chromedp.CSS(form+`input[name="email"]`)),
		typeIn(chromedp.CSS(form+`input[name="email"]`), email),
		typeIn(chromedp.CSS(form+`input[name="name"]`), "Claire Dupont"),
	); err != nil {
		t.Fatal(err)
	}
	adminChoose(t, ctx, form+`select[name="role"]`, "creditor")
	if err := chromedp.Do(ctx,
		chromedp.WaitReady(chromedp.CSS(form+`select[name="creditor_id"] option[value="`+dupont.String()+`"]`)),
		typeIn(chromedp.CSS(form+`input[name="password"]`), "trop court"),
		chromedp.Click(chromedp.CSS(form+`button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	adminFieldError(t, ctx, form+`select[name="creditor_id"]`, "rattaché à un créancier")
	adminChoose(t, ctx, form+`select[name="creditor_id"]`, dupont.String())
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(form+`button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	adminFieldError(t, ctx, form+`input[name="password"]`, "12")
	adminRetype(t, ctx, form+`input[name="password"]`, good)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(form+`button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `main .admin-status[role="status"]`, "Compte créé", 5*time.Second)
	row := adminRowText(t, ctx, `[data-testid="users"]`, email)
	for _, want := range []string{"Claire Dupont", "Créancier (portail)", "Menuiserie Dupont SARL", "Actif"} {
		if !strings.Contains(row, want) {
			t.Fatalf("the new account's row is %q, want %q in it", row, want)
		}
	}
	screenshot(t, ctx, "admin-users")
	login, err := s.svc.Login(bg, email, good, app.Meta{})
	if err != nil {
		t.Fatalf("the new account cannot sign in: %v", err)
	}
	if login.User.Role != recouvra.RoleCreditor || login.User.CreditorID == nil || *login.User.CreditorID != dupont {
		t.Fatalf("the new account: %+v, want a creditor account of %s", login.User, dupont)
	}

	// A new creditor, its mandate typed in percent and euros.
	form = `form[data-testid="creditor-form"] `
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/admin/creanciers"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="creditors"]`)),
		chromedp.Click(chromedp.Search(`//button[normalize-space()="Nouveau créancier"]`)),
		chromedp.WaitVisible(chromedp.CSS(form+`input[name="legal_name"]`)),
		typeIn(chromedp.CSS(form+`input[name="legal_name"]`), "Charpentes Leroy SAS"),
		typeIn(chromedp.CSS(form+`input[name="siren"]`), "732 829 320"),
		typeIn(chromedp.CSS(form+`input[name="address.line1"]`), "8 chemin des Scieurs"),
		typeIn(chromedp.CSS(form+`input[name="address.postal_code"]`), "88100"),
		typeIn(chromedp.CSS(form+`input[name="address.city"]`), "Saint-Dié-des-Vosges"),
		typeIn(chromedp.CSS(form+`input[name="mandate.commission_bps"]`), "12,555"),
		chromedp.Click(chromedp.CSS(form+`button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	adminFieldError(t, ctx, form+`input[name="mandate.commission_bps"]`, "Pourcentage invalide")
	adminRetype(t, ctx, form+`input[name="mandate.commission_bps"]`, "12,5")
	adminRetype(t, ctx, form+`input[name="mandate.fixed_fee_cents"]`, "30")
	adminRetype(t, ctx, form+`input[name="mandate.notice_deadline_days"]`, "15")
	// Its identity for court filings (CPC 1407): a company's fields.
	if err := chromedp.Do(ctx,
		typeIn(chromedp.CSS(form+`input[name="identity.legal_form"]`), "SAS"),
		typeIn(chromedp.CSS(form+`input[name="identity.registry"]`), "RCS Épinal"),
		typeIn(chromedp.CSS(form+`input[name="identity.representative_name"]`), "Paul Leroy"),
		typeIn(chromedp.CSS(form+`input[name="identity.representative_title"]`), "président"),
	); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(form+`input[name="mandate.judicial_allowed"]`)),
		chromedp.Click(chromedp.CSS(form+`button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `main .admin-status[role="status"]`, "Créancier enregistré", 5*time.Second)
	row = adminRowText(t, ctx, `[data-testid="creditors"]`, "Charpentes Leroy SAS")
	for _, want := range []string{"732829320", "Saint-Dié-des-Vosges", "12,50 %", "30,00 €", "Oui", "15"} {
		if !strings.Contains(row, want) {
			t.Fatalf("the new creditor's row is %q, want %q in it", row, want)
		}
	}
	screenshot(t, ctx, "admin-creditors")
	leroy, err := s.svc.GetCreditor(bg, app.System, adminCreditorID(t, s, "Charpentes Leroy SAS"))
	if err != nil {
		t.Fatal(err)
	}
	if m := leroy.Mandate; m.CommissionBps != 1250 || m.FixedFeeCents != 3000 || m.NoticeDeadlineDays != 15 || !m.JudicialAllowed || leroy.SIREN != "732829320" {
		t.Fatalf("stored creditor: SIREN %q, mandate %+v", leroy.SIREN, m)
	}
	if missing := leroy.FilingIdentityMissing(); len(missing) > 0 || leroy.Identity.Registry != "RCS Épinal" || leroy.Identity.RepresentativeName != "Paul Leroy" {
		t.Fatalf("stored identity %+v, missing for a court request: %+v", leroy.Identity, missing)
	}

	// An API key for Menuiserie Dupont, shown once.
	openDupont := func() {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/admin/creanciers"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="creditors"]`)),
			chromedp.Click(chromedp.CSS(`[data-testid="creditors"] a[href="/admin/creanciers/`+dupont.String()+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`form[data-testid="new-key"]`)),
		); err != nil {
			t.Fatal(err)
		}
		waitText(t, ctx, "main h1", "Menuiserie Dupont SARL", 3*time.Second)
	}
	openDupont()
	waitText(t, ctx, `section.admin-keys`, "Aucune clé", 5*time.Second)
	if err := chromedp.Do(ctx,
		typeIn(chromedp.CSS(`form[data-testid="new-key"] input[name="name"]`), "ERP Sage"),
		chromedp.Click(chromedp.CSS(`form[data-testid="new-key"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="api-key-secret"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `[data-testid="api-key-secret"]`, "ne sera plus jamais affichée", 3*time.Second)
	key, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`[data-testid="api-key-secret"] input`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "rcv_k_") || len(key) < 30 {
		t.Fatalf("the key shown is %q, want a whole rcv_k_ key", key)
	}
	prefix := key[:len("rcv_k_")+6]
	waitText(t, ctx, `[data-testid="api-keys"]`, prefix, 3*time.Second)
	screenshot(t, ctx, "admin-api-key")
	p, err := s.svc.Authenticate(bg, key)
	if err != nil {
		t.Fatalf("the key shown does not work: %v", err)
	}
	if p.Kind != recouvra.PrincipalAPIKey || p.CreditorID == nil || *p.CreditorID != dupont {
		t.Fatalf("the key acts as %+v, want Menuiserie Dupont's API key", p)
	}

	// Away and back: the secret is gone, the key's name and prefix stay.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.admin-tabs a[href="/admin/taux"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="rate-form"]`)),
	); err != nil {
		t.Fatal(err)
	}
	openDupont()
	waitText(t, ctx, `[data-testid="api-keys"]`, "ERP Sage", 5*time.Second)
	if row := adminRowText(t, ctx, `[data-testid="api-keys"]`, "ERP Sage"); !strings.Contains(row, prefix) || !strings.Contains(row, "Active") {
		t.Fatalf("the key's row is %q, want its prefix %q and Active", row, prefix)
	}
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML + [...document.querySelectorAll("input")].map((i) => i.value).join(" ")`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, key) || strings.Contains(html, "ne sera plus jamais affichée") {
		t.Fatal("the secret key is still on the page after leaving it")
	}

	// Revoking asks first, then the key stops working at once.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="api-keys"] button[data-revoke]`)),
		chromedp.WaitVisible(chromedp.Search(`//button[normalize-space()="Confirmer la révocation"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.Authenticate(bg, key); err != nil {
		t.Fatalf("the key stopped working before the revocation was confirmed: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.Search(`//button[normalize-space()="Confirmer la révocation"]`))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, `section.admin-keys [role="status"]`, "Clé révoquée", 5*time.Second)
	waitText(t, ctx, `[data-testid="api-keys"]`, "Révoquée le", 3*time.Second)
	if _, err := s.svc.Authenticate(bg, key); err == nil {
		t.Fatal("the revoked key still works")
	}
}

// adminChoose picks an option of a React-controlled select. React does not
// see a value set from outside, so the native setter is used and the change
// event a person's pick fires is dispatched.
func adminChoose(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		if (!el) return "no element";
		Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value").set.call(el, %q);
		el.dispatchEvent(new Event("change", { bubbles: true }));
		return el.value;
	})()`, sel, value)
	deadline := time.Now().Add(3 * time.Second)
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err == nil && got == value {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("choose %q in %s: got %q, %v", value, sel, got, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// adminRetype replaces what a React-controlled input holds. The field is
// emptied with the native setter and an input event, so React's state is
// emptied too and no render in between can put the old value back.
func adminRetype(t *testing.T, ctx context.Context, sel, keys string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const el = document.querySelector(%q); Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(el, ""); el.dispatchEvent(new Event("input", { bubbles: true })); return "" })()`, sel))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, typeIn(chromedp.CSS(sel), keys)); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel))); err != nil || got != keys {
		t.Fatalf("%s holds %q after retyping, want %q (%v)", sel, got, keys, err)
	}
}

// adminFieldError waits for the message shown beside a form field, tied to
// it by aria-describedby as a screen reader finds it, and returns it.
func adminFieldError(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		if (!el) return "";
		return (el.getAttribute("aria-describedby") || "").split(" ").map((id) => document.getElementById(id))
			.filter((m) => m && m.classList.contains("field-error")).map((m) => m.innerText).join(" ");
	})()`, sel)
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err == nil && strings.Contains(got, want) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message %q beside %s (got %q, %v)", want, sel, got, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// adminRowText is the text of the table row that contains want.
func adminRowText(t *testing.T, ctx context.Context, table, want string) string {
	t.Helper()
	js := fmt.Sprintf(`[...document.querySelectorAll(%q)].map((r) => r.innerText).find((s) => s.includes(%q)) || ""`, table+" tbody tr", want)
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err == nil && got != "" {
			return adminPlain(got)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no row with %q in %s: %v", want, table, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// adminPlain turns the no-break spaces French typography puts in numbers
// ("2,15 %", "30,00 €") into plain ones, so tests can spell them plainly.
func adminPlain(s string) string {
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s)
}

func adminAttr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || { getAttribute: () => "" }).getAttribute(%q) || ""`, sel, name)))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func adminRate(rates []recouvra.Rate, kind recouvra.RateKind, start recouvra.Date) *recouvra.Rate {
	for i, r := range rates {
		if r.Kind == kind && r.PeriodStart.Equal(start) {
			return &rates[i]
		}
	}
	return nil
}

func adminCreditorID(t *testing.T, s *site, name string) uuid.UUID {
	t.Helper()
	page, err := s.svc.ListCreditors(context.Background(), app.System, app.PageRequest{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page.Items {
		if c.LegalName == name {
			return c.ID
		}
	}
	t.Fatalf("no creditor named %q", name)
	return uuid.Nil
}

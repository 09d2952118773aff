package server_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// noRedirect is a client that shows a 303 as it is.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// debtorGet fetches a debtor page path as a browser would (no credentials).
func (w *world) debtorGet(path string) *apitest.Response {
	w.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = w.srv.URL() + path
	}
	resp, err := noRedirect.Get(u)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// debtorToken returns the link of a case as staff see it, and its token.
func (w *world) debtorLink(caseID uuid.UUID) (string, string) {
	w.t.Helper()
	v, err := w.svc.DebtorLinkOf(context.Background(), app.System, caseID)
	if err != nil {
		w.t.Fatal(err)
	}
	return v.URL, v.URL[strings.LastIndex(v.URL, "/")+1:]
}

var formTokenRE = regexp.MustCompile(`action="(/d/[a-z2-7]+/(payment|dispute|callback|plan))"[^>]*>\s*<input type="hidden" name="form_token" value="([^"]+)"`)

// debtorForms reads the form tokens of a debtor page, by form.
func debtorForms(t testing.TB, page []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range formTokenRE.FindAllSubmatch(page, -1) {
		out[string(m[2])] = string(m[3])
	}
	return out
}

// debtorPost posts a form (fields, then files by field name) to a debtor page.
func (w *world) debtorPost(path string, fields map[string]string, files map[string][][]byte) *apitest.Response {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for field, contents := range files {
		for i, c := range contents {
			fw, _ := mw.CreateFormFile(field, fmt.Sprintf("piece-%d.bin", i))
			_, _ = fw.Write(c)
		}
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", w.srv.URL()+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := noRedirect.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// letterURL produces an amicable letter for the case and reads the debtor
// page's address back from the PDF's text, as a person would type it.
func (w *world) letterURL(caseID uuid.UUID) (uuid.UUID, string) {
	w.t.Helper()
	d, err := w.svc.GenerateDocument(context.Background(), app.System, caseID, "amicable_letter", app.DocOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	status, pdf := w.get("admin", "/api/v1/documents/"+d.ID.String()+"/content")
	if status != 200 {
		w.t.Fatalf("letter content: %d", status)
	}
	text := apitest.PDFText(w.t, pdf)
	m := regexp.MustCompile(`Votre espace en ligne : (http://\S+/d/[a-z2-7]{26})`).FindStringSubmatch(text)
	if m == nil {
		if strings.Contains(text, "/d/") {
			w.t.Fatalf("the letter's link is not readable whole:\n%s", text)
		}
		return d.ID, ""
	}
	return d.ID, m[1]
}

// tinyPNG is a real 1×1 PNG.
func tinyPNG(t testing.TB) []byte {
	var b bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDebtorLinkLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.caseA.Case

	// The first letter makes the link and prints it; a later letter prints the same one.
	_, printed := w.letterURL(c.ID)
	if printed == "" {
		t.Fatal("the letter prints no link to the debtor's page")
	}
	if _, again := w.letterURL(c.ID); again != printed {
		t.Fatalf("a later letter prints %q, the first %q", again, printed)
	}
	r := w.debtorGet(printed)
	if r.Status != 200 {
		t.Fatalf("GET %s: %d", printed, r.Status)
	}
	page := apitest.Flat(string(r.Body))
	for _, want := range []string{c.Reference, "Menuiserie Dupont SARL", "Agence Recouvra Test", "FR76 3000 6000 0112 3456 7890 189",
		"AGRIFRPP", recouvra.PaymentReference(c.Reference)[:4], "sous-traitant", "CNIL", "Courriers envoyés", "relance-"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, never := range []string{w.caseB.Case.Reference, "Minoterie Girard", "Boulangerie Martin", "<script"} {
		if strings.Contains(page, never) {
			t.Errorf("the page shows %q", never)
		}
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q", csp)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	// The letters download through the token.
	href := regexp.MustCompile(`href="(/d/[a-z2-7]+/documents/[0-9a-f-]+)"`).FindSubmatch(r.Body)
	if href == nil {
		t.Fatal("no letter to download")
	}
	if d := w.debtorGet(string(href[1])); d.Status != 200 || !bytes.HasPrefix(d.Body, []byte("%PDF")) {
		t.Fatalf("download: %d", d.Status)
	}

	// Staff see the same link; a creditor may not.
	var link struct {
		URL     *string `json:"url"`
		Version int     `json:"version"`
		Active  bool    `json:"active"`
	}
	res := w.as("agent").Do("GET", "/api/v1/cases/"+c.ID.String()+"/debtor-link", nil)
	res.Decode(t, &link)
	if res.Status != 200 || link.URL == nil || *link.URL != printed || !link.Active || link.Version != 1 {
		t.Fatalf("staff view: %d %s", res.Status, res.Body)
	}
	if res := w.as("creditor").Do("GET", "/api/v1/cases/"+c.ID.String()+"/debtor-link", nil); res.Status != 403 {
		t.Fatalf("creditor: %d", res.Status)
	}

	// Revoked: the neutral page; a letter produced meanwhile prints no link.
	res = w.as("agent").Do("POST", "/api/v1/cases/"+c.ID.String()+"/debtor-link/revoke", nil)
	res.Decode(t, &link)
	if res.Status != 200 || link.URL != nil || link.Active {
		t.Fatalf("revoke: %d %s", res.Status, res.Body)
	}
	neutral := w.debtorGet("/d/aaaaaaaaaaaaaaaaaaaaaaaaaa")
	gone := w.debtorGet(printed)
	if gone.Status != 404 || neutral.Status != 404 || !bytes.Equal(gone.Body, neutral.Body) {
		t.Fatalf("revoked %d / wrong %d: the two answers must be the same 404", gone.Status, neutral.Status)
	}
	if _, none := w.letterURL(c.ID); none != "" {
		t.Fatalf("a letter printed the revoked link %q", none)
	}
	// Issued again: a new link, the old one still dead.
	res = w.as("admin").Do("POST", "/api/v1/cases/"+c.ID.String()+"/debtor-link/reissue", nil)
	res.Decode(t, &link)
	if res.Status != 200 || link.URL == nil || *link.URL == printed || link.Version != 2 {
		t.Fatalf("reissue: %d %s", res.Status, res.Body)
	}
	if w.debtorGet(*link.URL).Status != 200 || w.debtorGet(printed).Status != 404 {
		t.Fatal("after reissue the new link opens, the old does not")
	}
	if _, now := w.letterURL(c.ID); now != *link.URL {
		t.Fatalf("letters now print %q, want %q", now, *link.URL)
	}

	// The case closes (the creditor withdraws it): the link expires with it.
	v, err := w.svc.GetCase(context.Background(), app.System, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Transition(context.Background(), app.System, c.ID, v.Case.Version,
		recouvra.Move{To: recouvra.StageClosed, CloseReason: recouvra.CloseWithdrawn, Reason: "Retrait du créancier"}); err != nil {
		t.Fatal(err)
	}
	if r := w.debtorGet(*link.URL); r.Status != 404 || !bytes.Equal(r.Body, neutral.Body) {
		t.Fatalf("closed case: %d", r.Status)
	}
}

func TestDebtorLinkThrottled(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, tok := w.debtorLink(w.caseA.Case.ID)
	if r := w.debtorGet("/d/" + tok); r.Status != 200 {
		t.Fatalf("valid link: %d", r.Status)
	}
	for i := range app.DebtorFailuresPerMinute {
		last := "a"
		if tok[25] == 'a' {
			last = "e"
		}
		wrong := []string{"/d/" + strings.Repeat("c", 25) + "a", "/d/nope", "/d/" + tok[:25] + last}[i%3]
		if r := w.debtorGet(wrong); r.Status != 404 {
			t.Fatalf("wrong try %d: %d", i+1, r.Status)
		}
	}
	// The eleventh try from the address is refused, even with a good link.
	r := w.debtorGet("/d/" + tok)
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("after %d wrong tries: %d", app.DebtorFailuresPerMinute, r.Status)
	}
	if strings.Contains(string(r.Body), w.caseA.Case.Reference) {
		t.Fatal("the 429 page names the case")
	}
	// A minute later the address may try again.
	w.clock.Advance(61e9)
	if r := w.debtorGet("/d/" + tok); r.Status != 200 {
		t.Fatalf("a minute later: %d", r.Status)
	}
}

// timeline lists the case's events as the creditor sees them.
func (w *world) creditorTimeline(caseID uuid.UUID) []map[string]any {
	w.t.Helper()
	var out struct {
		Items []map[string]any `json:"items"`
	}
	r := w.as("creditor").Do("GET", "/api/v1/cases/"+caseID.String()+"/events?limit=200", nil)
	if r.Status != 200 {
		w.t.Fatalf("events: %d %s", r.Status, r.Body)
	}
	r.Decode(w.t, &out)
	return out.Items
}

func countEvents(events []map[string]any, typ string) (n int, last map[string]any) {
	for _, e := range events {
		if e["type"] == typ {
			n++
			last, _ = e["data"].(map[string]any)
		}
	}
	return n, last
}

func TestDebtorActionsOnceEach(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.caseA.Case
	_, tok := w.debtorLink(c.ID)
	forms := debtorForms(t, w.debtorGet("/d/"+tok).Body)
	if len(forms) != 4 {
		t.Fatalf("forms: %v", forms)
	}
	today := recouvra.DateOf(w.clock.Now())

	// A forged or foreign form token is refused and records nothing.
	if r := w.debtorPost("/d/"+tok+"/callback", map[string]string{"form_token": forms["dispute"], "phone": "06 12 34 56 78"}, nil); r.Status != 403 {
		t.Fatalf("another form's token: %d", r.Status)
	}

	// Declared payment with its proof, tapped twice: recorded once.
	pay := map[string]string{"form_token": forms["payment"], "amount": "1 200,50", "paid_on": today.AddDays(-2).String(), "note": "Virement du 28"}
	for i := range 2 {
		r := w.debtorPost("/d/"+tok+"/payment", pay, map[string][][]byte{"proof": {tinyPNG(t)}})
		if r.Status != 303 || !strings.Contains(r.Header.Get("Location"), "fait=payment") {
			t.Fatalf("declare #%d: %d %s", i+1, r.Status, r.Body)
		}
	}
	// Dispute, twice; callback, twice.
	for i := range 2 {
		if r := w.debtorPost("/d/"+tok+"/dispute", map[string]string{"form_token": forms["dispute"], "reason": "La facture a déjà été réglée par compensation."},
			map[string][][]byte{"files": {[]byte("%PDF-1.4\n%µ¶\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")}}); r.Status != 303 {
			t.Fatalf("dispute #%d: %d %s", i+1, r.Status, r.Body)
		}
		if r := w.debtorPost("/d/"+tok+"/callback", map[string]string{"form_token": forms["callback"], "phone": "+33 6 12 34 56 78", "best_time": "mardi matin"}, nil); r.Status != 303 {
			t.Fatalf("callback #%d: %d %s", i+1, r.Status, r.Body)
		}
	}
	events := w.creditorTimeline(c.ID)
	n, data := countEvents(events, "direct_payment_reported")
	if n != 1 || data["by"] != "debtor" || data["amount_cents"] != float64(120050) || data["document_id"] == nil {
		t.Fatalf("declared payments on the creditor's timeline: %d %v", n, data)
	}
	if n, data := countEvents(events, "dispute_opened"); n != 1 || data["by"] != "debtor" || data["document_ids"] == nil {
		t.Fatalf("disputes: %d %v", n, data)
	}
	if n, data := countEvents(events, "message"); n != 1 || !strings.Contains(fmt.Sprint(data["text"]), "mardi matin") {
		t.Fatalf("callbacks: %d %v", n, data)
	}
	if n, _ := countEvents(events, "document_added"); n != 2 {
		t.Fatalf("documents added: %d, want the proof and the dispute's piece", n)
	}
	v, err := w.svc.GetCase(context.Background(), app.System, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Case.OpenDispute || v.Debtor.BestTimeToCall != "mardi matin" || !slicesContains(v.Debtor.Phones, "+33 6 12 34 56 78") {
		t.Fatalf("case after the debtor's actions: dispute %v, best time %q, phones %v", v.Case.OpenDispute, v.Debtor.BestTimeToCall, v.Debtor.Phones)
	}
	if v.Case.NextActionOn.After(today) {
		t.Fatalf("the case waits until %s: it must be in the agents' queue today", v.Case.NextActionOn)
	}
	// The page now says the dispute is being examined and offers no second one.
	page := w.debtorGet("/d/" + tok).Body
	if !bytes.Contains(page, []byte("en cours d&#39;examen")) || debtorForms(t, page)["dispute"] != "" {
		t.Fatal("the page still offers to open a dispute")
	}
	// Bad input: a readable refusal, 422, on the page.
	r := w.debtorPost("/d/"+tok+"/payment", map[string]string{"form_token": debtorForms(t, page)["payment"], "amount": "beaucoup", "paid_on": today.String()}, nil)
	if r.Status != 422 || !bytes.Contains(r.Body, []byte("role=\"alert\"")) {
		t.Fatalf("bad amount: %d", r.Status)
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestDebtorUploadsRefused(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.MaxUploadBytes = 4 << 10 })
	c := w.caseA.Case
	_, tok := w.debtorLink(c.ID)
	forms := debtorForms(t, w.debtorGet("/d/"+tok).Body)
	today := recouvra.DateOf(w.clock.Now()).String()
	for _, tc := range []struct {
		name    string
		content []byte
		status  int
	}{
		{"a script named like a PDF", []byte("#!/bin/sh\nrm -rf /\n"), 415},
		{"HTML", []byte("<html><script>alert(1)</script></html>"), 415},
		{"too large a PNG", append(tinyPNG(t), make([]byte, 5<<10)...), 413},
	} {
		r := w.debtorPost("/d/"+tok+"/payment", map[string]string{"form_token": forms["payment"], "amount": "10", "paid_on": today},
			map[string][][]byte{"proof": {tc.content}})
		if r.Status != tc.status || !bytes.Contains(r.Body, []byte("role=\"alert\"")) {
			t.Errorf("%s: %d, want %d", tc.name, r.Status, tc.status)
		}
	}
	if n, _ := countEvents(w.creditorTimeline(c.ID), "direct_payment_reported"); n != 0 {
		t.Fatalf("a refused upload recorded %d declarations", n)
	}
}

var svcPathRE = regexp.MustCompile(`M(\d+) (\d+)h1v1h-1z`)
var svgBoxRE = regexp.MustCompile(`<svg class="qr"[^>]*viewBox="0 0 (\d+) (\d+)"`)

// rasterQR draws the page's QR code (its SVG path) as an image, 8 pixels
// per module, as a screen would.
func rasterQR(t testing.TB, page []byte) image.Image {
	t.Helper()
	box := svgBoxRE.FindSubmatch(page)
	if box == nil {
		t.Fatal("no QR code on the page")
	}
	n, _ := strconv.Atoi(string(box[1]))
	const px = 8
	img := image.NewGray(image.Rect(0, 0, (n+8)*px, (n+8)*px))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	svg := page[bytes.Index(page, box[0]):]
	svg = svg[:bytes.Index(svg, []byte("</svg>"))]
	for _, m := range svcPathRE.FindAllSubmatch(svg, -1) {
		x, _ := strconv.Atoi(string(m[1]))
		y, _ := strconv.Atoi(string(m[2]))
		for dy := range px {
			for dx := range px {
				img.SetGray((x+4)*px+dx, (y+4)*px+dy, color.Gray{})
			}
		}
	}
	return img
}

func TestDebtorPageEPCQRCodeDecodes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.caseA.Case
	_, tok := w.debtorLink(c.ID)
	page := w.debtorGet("/d/" + tok).Body
	bmp, err := gozxing.NewBinaryBitmapFromImage(rasterQR(t, page))
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode the page's QR code: %v", err)
	}
	st, err := w.svc.Statement(context.Background(), app.System, c.ID, recouvra.Date{})
	if err != nil {
		t.Fatal(err)
	}
	due := st.Statement.Totals.TotalDueCents
	lines := strings.Split(res.GetText(), "\n")
	want := []string{"BCD", "002", "1", "SCT", "AGRIFRPP", "Agence Recouvra Test", "FR7630006000011234567890189",
		fmt.Sprintf("EUR%d.%02d", due/100, due%100), "", recouvra.PaymentReference(c.Reference)}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Fatalf("EPC payload\n%q\nwant\n%q", lines, want)
	}
	if due <= 120000 {
		t.Fatalf("due %d: interest and the indemnity should add to the 1 200 € invoice", due)
	}
}

func TestDebtorTokenOpensOneCaseOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, tokA := w.debtorLink(w.caseA.Case.ID)
	_, tokB := w.debtorLink(w.caseB.Case.ID)
	docB := w.document(w.caseB.Case.ID)
	docA := w.document(w.caseA.Case.ID)
	if r := w.debtorGet("/d/" + tokA + "/documents/" + docA.String()); r.Status != 200 {
		t.Fatalf("own document: %d", r.Status)
	}
	// Another case's document, through this case's link: the neutral 404.
	if r := w.debtorGet("/d/" + tokA + "/documents/" + docB.String()); r.Status != 404 {
		t.Fatalf("another creditor's document through the link: %d", r.Status)
	}
	// Nor another case of the same creditor, even of the same debtor: its
	// document is the neutral 404, its reference absent from the page.
	sibling := w.newCase(w.credA.ID, "Sœur du débiteur SAS "+w.unique(), "552100554")
	docSibling := w.document(sibling.Case.ID)
	if r := w.debtorGet("/d/" + tokA + "/documents/" + docSibling.String()); r.Status != 404 {
		t.Fatalf("another case of the same creditor through the link: %d", r.Status)
	}
	if page := w.debtorGet("/d/" + tokA).Body; bytes.Contains(page, []byte(sibling.Case.Reference)) || bytes.Contains(page, []byte(w.caseB.Case.Reference)) {
		t.Fatal("the page names another case")
	}
	// The token is no credential for the API: not as a bearer token, not
	// as a cookie, not on the staff routes of its own case.
	idA := w.caseA.Case.ID.String()
	staff := []string{"/api/v1/cases", "/api/v1/cases/" + idA, "/api/v1/documents/" + docA.String(), "/api/v1/cases/" + idA + "/statement",
		"/api/v1/cases/" + idA + "/plans", "/api/v1/cases/" + idA + "/debtor-link", "/api/v1/cases/" + idA + "/events", "/api/v1/queue"}
	for _, tok := range []string{tokA, "Bearer " + tokA} {
		c := apitest.New(t, w.srv.URL())
		c.Header.Set("Authorization", tok)
		for _, p := range staff {
			if r := c.Do("GET", p, nil); r.Status != 401 {
				t.Errorf("%s with the debtor's token: %d", p, r.Status)
			}
		}
		for _, p := range []string{"/api/v1/cases/" + idA + "/debtor-link/reissue", "/api/v1/cases/" + idA + "/debtor-link/revoke"} {
			if r := c.Do("POST", p, nil); r.Status != 401 {
				t.Errorf("POST %s with the debtor's token: %d", p, r.Status)
			}
		}
	}
	for _, name := range []string{"recouvra_session", "session", "token"} {
		c := apitest.New(t, w.srv.URL())
		c.Header.Set("Cookie", name+"="+tokA)
		if r := c.Do("GET", "/api/v1/cases/"+idA, nil); r.Status != 401 {
			t.Errorf("the debtor's token as cookie %s: %d", name, r.Status)
		}
	}
	if l, _ := w.debtorLink(w.caseA.Case.ID); !strings.HasSuffix(l, tokA) {
		t.Fatal("the staff routes, tried with the token, changed the link")
	}
	// A form token of case A's page does not act on case B.
	forms := debtorForms(t, w.debtorGet("/d/"+tokA).Body)
	if r := w.debtorPost("/d/"+tokB+"/callback", map[string]string{"form_token": forms["callback"], "phone": "0612345678"}, nil); r.Status != 403 {
		t.Fatalf("A's form on B's page: %d", r.Status)
	}
}

func TestDebtorProposesPlan(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.caseA.Case
	_, tok := w.debtorLink(c.ID)
	forms := debtorForms(t, w.debtorGet("/d/"+tok).Body)
	first := recouvra.DateOf(w.clock.Now()).AddDays(10).String()
	// Out of order input first: a readable 422 on the page, nothing recorded.
	if r := w.debtorPost("/d/"+tok+"/plan", map[string]string{"form_token": forms["plan"], "frequency": "monthly", "count": "trois", "first_on": first}, nil); r.Status != 422 {
		t.Fatalf("bad count: %d", r.Status)
	}
	// Three monthly instalments, tapped twice: one plan, running at once.
	for i := range 2 {
		r := w.debtorPost("/d/"+tok+"/plan", map[string]string{"form_token": forms["plan"], "frequency": "monthly", "count": "3", "first_on": first}, nil)
		if r.Status != 303 {
			t.Fatalf("plan #%d: %d %s", i+1, r.Status, r.Body)
		}
	}
	plans, err := w.svc.Plans(context.Background(), app.System, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 1 || plans[0].Plan.Status != recouvra.PlanKept || plans[0].Plan.Origin != recouvra.PlanByDebtor || len(plans[0].Plan.Instalments) != 3 {
		t.Fatalf("plans: %+v", plans)
	}
	page := w.debtorGet("/d/" + tok).Body
	if !bytes.Contains(page, []byte("Échéancier accepté et en cours.")) || debtorForms(t, page)["plan"] != "" {
		t.Fatal("the page does not show the running plan")
	}
}

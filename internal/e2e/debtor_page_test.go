package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestDebtorPageOnAPhone: the debtor types the address printed on its
// letter (read back from the PDF) on a 390 px phone, reads what it owes,
// scans the transfer QR code (decoded from Chromium's rendering), declares
// a payment with its proof and opens a dispute — without JavaScript of the
// page's own; axe finds nothing serious or critical.
func TestDebtorPageOnAPhone(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.cases["own"]
	ctx := context.Background()

	doc, err := s.svc.GenerateDocument(ctx, app.System, c.Case.ID, "amicable_letter", app.DocOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, rc, err := s.svc.OpenDocument(ctx, app.System, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(rc)
	rc.Close()
	m := regexp.MustCompile(`Votre espace en ligne : (http://\S+/d/[a-z2-7]{26})`).FindStringSubmatch(apitest.PDFText(t, pdf))
	if m == nil {
		t.Fatal("the letter prints no link to the debtor's page")
	}
	link := m[1]
	st, err := s.svc.Statement(ctx, app.System, c.Case.ID, recouvra.Date{})
	if err != nil {
		t.Fatal(err)
	}
	due := st.Statement.Totals.TotalDueCents

	b := browser(t)
	if err := chromedp.Do(b, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("total-du"))); err != nil {
		t.Fatal(err)
	}
	if got, want := text(t, b, "#total-du"), spaces(recouvra.FrenchMoney(due, "EUR")); got != want {
		t.Fatalf("amount due shown %q, want %q", got, want)
	}
	if got := text(t, b, "#reference"); got != spaces(documentsRF(c.Case)) {
		t.Fatalf("reference shown %q", got)
	}
	axe := axeSource(t)
	injectAxe(t, b, axe)
	runAxe(t, b, "debtor page at 390 px")
	noSidewaysScroll(t, b, "debtor page at 390 px")
	screenshot(t, b, "debtor-page-390")

	// The transfer QR code as the phone draws it, decoded.
	shot, err := chromedp.Run(b, chromedp.Screenshot(chromedp.CSS("svg.qr")))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	payload := decodeQR(t, img)
	want := fmt.Sprintf("BCD\n002\n1\nSCT\nAGRIFRPP\nAgence Recouvra E2E\nFR7630006000011234567890189\nEUR%d.%02d\n\n%s", due/100, due%100, c.Case.PaymentReference())
	if payload != want {
		t.Fatalf("the QR code says\n%q\nwant\n%q", payload, want)
	}

	// A payment already made, with its proof.
	dir := t.TempDir()
	proof := filepath.Join(dir, "virement.png")
	var pb bytes.Buffer
	_ = png.Encode(&pb, image.NewGray(image.Rect(0, 0, 4, 4)))
	if err := os.WriteFile(proof, pb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b, typeIn(chromedp.ID("amount"), "150,00")); err != nil {
		t.Fatal(err)
	}
	setDate(t, b, "#paid_on", recouvra.DateOf(time.Now()).AddDays(-1))
	if err := chromedp.Do(b,
		chromedp.SetUploadFiles(chromedp.ID("proof"), []string{proof}),
		chromedp.Click(chromedp.CSS(`form[action$="/payment"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, b, `[role="status"]`, "déclaration de paiement a été transmise", 5*time.Second)

	// A dispute with a document.
	piece := filepath.Join(dir, "avoir.pdf")
	if err := os.WriteFile(piece, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b,
		typeIn(chromedp.ID("reason"), "Un avoir de 300 € n'a pas été déduit."),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{piece}),
		chromedp.Click(chromedp.CSS(`form[action$="/dispute"] button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, b, `[role="status"]`, "contestation a été enregistrée", 5*time.Second)
	injectAxe(t, b, axe)
	runAxe(t, b, "debtor page after the dispute")

	// Both landed on the timeline, by the debtor, shared with the creditor.
	events, _, err := s.svc.ListEvents(ctx, app.System, c.Case.ID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Data["by"] == "debtor" && e.Visibility == recouvra.Shared {
			got = append(got, string(e.Type))
		}
	}
	if strings.Join(got, ",") != "direct_payment_reported,dispute_opened" {
		t.Fatalf("the debtor's events: %v", got)
	}
}

// documentsRF is the case's RF reference as printed, in groups of four.
func documentsRF(c recouvra.Case) string {
	rf := c.PaymentReference()
	var parts []string
	for i := 0; i < len(rf); i += 4 {
		parts = append(parts, rf[i:min(i+4, len(rf))])
	}
	return strings.Join(parts, " ")
}

// decodeQR reads the QR code in img.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		res, err = qrcode.NewQRCodeReader().Decode(bmp, nil)
	}
	if err != nil {
		t.Fatalf("decode the QR code: %v", err)
	}
	return res.GetText()
}

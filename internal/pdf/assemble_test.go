package pdf_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/pdf"
)

// crop is the text of page (1-based) inside the rectangle x0..x1, y0..y1
// (mm from the left and top edges), read with pdftotext.
func crop(t *testing.T, data []byte, page int, x0, y0, x1, y1 float64) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	pt := func(mm float64) string { return strconv.Itoa(int(mm / 25.4 * 72)) }
	p := strconv.Itoa(page)
	out, err := exec.Command("pdftotext", "-f", p, "-l", p, "-x", pt(x0), "-y", pt(y0), "-W", pt(x1-x0), "-H", pt(y1-y0),
		"-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestAssembleStartsEachPartOnItsOwnSheetWithTheAddressInTheWindow
// assembles a one-page letter and a two-page one for duplex printing: the
// first gets a blank back, the second starts on page 3, and each one's
// address reads inside the band a DL window envelope always shows.
func TestAssembleStartsEachPartOnItsOwnSheetWithTheAddressInTheWindow(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	lh := pdf.Letterhead{Name: "Cabinet Recouvra", Address: []string{"12 rue de la République", "69002 Lyon"}, SIREN: "732829320"}
	letter := func(name string, paras int) []byte {
		d := pdf.New(lh, "Relance", at)
		d.Address(name, "8 rue des Tonneliers", "39000 Lons-le-Saunier")
		for i := 0; i < paras; i++ {
			d.Para(strings.Repeat("Nous vous prions de régler la somme due. ", 12))
		}
		b, err := d.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	one, two := letter("Tonnellerie Vidal", 1), letter("Distillerie Martin", 40)
	out, err := pdf.Assemble("Courrier du jour", at, []pdf.Part{{PDF: one}, {PDF: two}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if out.Pages[0] != 1 || out.Pages[1] < 2 || out.FirstPage[1] != 3 {
		t.Fatalf("pages %v, first pages %v", out.Pages, out.FirstPage)
	}
	want := 2 + out.Pages[1] + out.Pages[1]%2
	if out.Total != want {
		t.Fatalf("%d pages in the file, want %d", out.Total, want)
	}
	// The window's band: 50–84 mm from the top, 100–190 mm from the left.
	if got := crop(t, out.PDF, 1, pdf.WindowLeft-15, 50, 190, 84); got != "Tonnellerie Vidal 8 rue des Tonneliers 39000 Lons-le-Saunier" {
		t.Errorf("window of the first letter: %q", got)
	}
	if got := crop(t, out.PDF, 2, 0, 0, 210, 297); got != "" {
		t.Errorf("the blank back carries %q", got)
	}
	if got := crop(t, out.PDF, 3, pdf.WindowLeft-15, 50, 190, 84); got != "Distillerie Martin 8 rue des Tonneliers 39000 Lons-le-Saunier" {
		t.Errorf("window of the second letter: %q", got)
	}
	// Nothing else of the letterhead or the text shows through the window.
	if got := crop(t, out.PDF, 1, 0, 0, 210, 50); strings.Contains(got, "Tonnellerie") {
		t.Errorf("the address starts above the window: %q", got)
	}
}

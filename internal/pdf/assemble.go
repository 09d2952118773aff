package pdf

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"codeberg.org/go-pdf/fpdf/contrib/gofpdi"
)

// WindowTop and WindowLeft place the recipient's address (mm from the top
// and left edges of a letter's first page) for the standard French window
// envelope: DL (110 × 220 mm) with its 45 × 100 mm window on the RIGHT,
// 20 mm from the right edge and 15 mm from the bottom (La Poste's "fenêtre
// à droite"; the left window is Germany's DIN 5008). An A4 sheet folded in
// three (99 mm panels) slides up to 11 mm up or down and 10 mm sideways in
// it: the band the window always shows is 50–84 mm from the top and
// 100–190 mm from the left. The address block starts at 55 mm, 115 mm from
// the left and 75 mm wide, six lines of 5 mm at most: inside that band
// however the sheet sits (the usual French letter template's frame, 85 × 33
// mm at 110 × 55 mm, less its right margin).
const (
	WindowTop    = 55.0
	WindowLeft   = 115.0
	WindowWidth  = 75.0
	WindowHeight = 33.0 // kept clear of anything but the address
)

// Part is one document of an assembled print file.
type Part struct {
	PDF []byte
}

// Assembled is a print file: the PDF and, for each part, the sheet its
// first page prints on and how many pages it has.
type Assembled struct {
	PDF       []byte
	Pages     []int // per part
	FirstPage []int // per part, 1-based page of the whole file
	Total     int   // pages in the file, blank backs included
}

// Assemble puts PDFs one after the other in one file (A4), each starting
// on a new sheet: printed duplex, a part with an odd number of pages gets a
// blank back page, so that no sheet carries two letters and each envelope
// takes one sheet set. The parts' pages are copied as they are (their
// stored bytes are what was sent), not drawn again.
func Assemble(title string, at time.Time, parts []Part, duplex bool) (out Assembled, err error) {
	defer func() {
		// gofpdi panics on a file it cannot read.
		if r := recover(); r != nil {
			err = fmt.Errorf("assemble %q: %v", title, r)
		}
	}()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(at.UTC())
	f.SetModificationDate(at.UTC())
	f.SetProducer("Recouvra", true)
	f.SetTitle(title, true)
	f.SetAutoPageBreak(false, 0)
	imp := gofpdi.NewImporter()
	for i := range parts {
		// Each part its own ReadSeeker variable: gofpdi keys its readers by
		// the variable's address.
		rs := io.ReadSeeker(bytes.NewReader(parts[i].PDF))
		first := imp.ImportPageFromStream(f, &rs, 1, "/MediaBox")
		n := len(imp.GetPageSizes())
		out.Pages = append(out.Pages, n)
		out.FirstPage = append(out.FirstPage, f.PageNo()+1)
		for p := 1; p <= n; p++ {
			tpl := first
			if p > 1 {
				tpl = imp.ImportPageFromStream(f, &rs, p, "/MediaBox")
			}
			f.AddPage()
			imp.UseImportedTemplate(f, tpl, 0, 0, 210, 297)
		}
		if duplex && n%2 == 1 {
			f.AddPage() // the blank back of the part's last sheet
		}
		if err := f.Error(); err != nil {
			return out, fmt.Errorf("assemble part %d: %w", i+1, err)
		}
	}
	out.Total = f.PageNo()
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return out, err
	}
	out.PDF = b.Bytes()
	return out, nil
}

// Package pdf renders Recouvra's documents with fpdf (codeberg.org/go-pdf/
// fpdf, the maintained continuation of gofpdf): an embedded DejaVu font
// family for French text, accents, € and the narrow no-break space, the
// agency's letterhead, page numbers, and deterministic output for a fixed
// clock — the same inputs give the same bytes.
//
// Every text drawn goes through one gate (Doc.text, see text.go): a
// character the embedded fonts cannot print — CJK, emoji, private-use or
// unassigned code points, controls, bidi overrides — is drawn as U+FFFD and
// counted, so a document is always produced, shows where something could
// not be printed, and says so to its caller (File.Replaced). Lines that
// would run off the page wrap instead.
package pdf

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

//go:embed fonts/DejaVuSans.ttf
var regular []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var bold []byte

const family = "DejaVu"

// Letterhead is the agency's identity printed at the top of every page.
type Letterhead struct {
	Name    string
	Address []string // lines
	SIREN   string
	Phone   string
	Email   string
	Logo    []byte // PNG or JPEG, optional
}

// Doc is a document being written, A4 portrait, millimetres.
type Doc struct {
	f        *fpdf.Fpdf
	title    string
	replaced Replacements
	top      float64 // where text starts on a page, below the letterhead
}

// New starts a document. at stamps its metadata (creation date), so a
// fixed clock gives byte-identical output.
func New(lh Letterhead, title string, at time.Time) *Doc {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(at.UTC())
	f.SetModificationDate(at.UTC())
	f.SetProducer("Recouvra", true)
	f.SetTitle(title, true)
	f.SetAuthor(lh.Name, true)
	f.AddUTF8FontFromBytes(family, "", regular)
	f.AddUTF8FontFromBytes(family, "B", bold)
	f.SetMargins(20, 18, 20)
	f.SetAutoPageBreak(true, 22)
	f.AliasNbPages("{nb}")
	d := &Doc{f: f, title: title}
	// The letterhead and title are cleaned once, not on every page, so
	// that a replaced character is counted once.
	lh.Name = d.text(lh.Name, "B", false)
	lh.Address = append([]string(nil), lh.Address...)
	for i := range lh.Address {
		lh.Address[i] = d.text(lh.Address[i], "", false)
	}
	lh.SIREN, lh.Phone, lh.Email = d.text(lh.SIREN, "", false), d.text(lh.Phone, "", false), d.text(lh.Email, "", false)
	footer := d.text(title, "", false)
	f.SetHeaderFunc(func() { d.header(lh) })
	f.SetFooterFunc(func() {
		f.SetY(-15)
		f.SetFont(family, "", 8)
		f.SetTextColor(110, 110, 110)
		f.CellFormat(0, 5, fmt.Sprintf("%s — page %d/{nb}", footer, f.PageNo()), "", 0, "C", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	d.top = f.GetY()
	return d
}

func (d *Doc) header(lh Letterhead) {
	f := d.f
	x := 20.0
	if len(lh.Logo) > 0 {
		kind := "PNG"
		if bytes.HasPrefix(lh.Logo, []byte{0xFF, 0xD8}) {
			kind = "JPG"
		}
		f.RegisterImageOptionsReader("logo", fpdf.ImageOptions{ImageType: kind}, bytes.NewReader(lh.Logo))
		f.ImageOptions("logo", 20, 12, 0, 14, false, fpdf.ImageOptions{ImageType: kind}, 0, "")
		x = 40
	}
	f.SetXY(x, 12)
	f.SetFont(family, "B", 11)
	f.MultiCell(0, 5, lh.Name, "", "L", false)
	f.SetFont(family, "", 8)
	info := append([]string{}, lh.Address...)
	var contact []string
	if lh.SIREN != "" {
		contact = append(contact, "SIREN "+lh.SIREN)
	}
	if lh.Phone != "" {
		contact = append(contact, "Tél. "+lh.Phone)
	}
	if lh.Email != "" {
		contact = append(contact, lh.Email)
	}
	if len(contact) > 0 {
		info = append(info, strings.Join(contact, " — "))
	}
	for _, l := range info {
		f.SetX(x)
		f.MultiCell(0, 3.8, l, "", "L", false)
	}
	f.SetDrawColor(180, 180, 180)
	f.Line(20, f.GetY()+2, 190, f.GetY()+2)
	f.SetY(f.GetY() + 6)
}

// text is the one gate of every text drawn: s made printable with the face
// of style ("" or "B"), its replaced characters counted (text.go).
func (d *Doc) text(s, style string, multiline bool) string {
	c := regularCover
	if style == "B" {
		c = boldCover
	}
	return clean(s, c, multiline, &d.replaced)
}

// Address prints a block of lines at the right, where a window envelope
// shows the recipient (WindowTop, WindowLeft: assemble.go); a line too
// long for the window wraps inside it (a word longer than the window
// breaks) rather than run off the page.
func (d *Doc) Address(lines ...string) {
	d.f.SetFont(family, "", 10)
	if d.f.PageNo() == 1 && d.f.GetY() < WindowTop {
		d.f.SetY(WindowTop)
	}
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		d.f.SetX(WindowLeft)
		d.f.MultiCell(WindowWidth, 5, d.text(l, "", false), "", "L", false)
	}
	d.f.Ln(6)
	if d.f.PageNo() == 1 && d.f.GetY() < WindowTop+WindowHeight {
		d.f.SetY(WindowTop + WindowHeight) // nothing else shows through the window
	}
}

// Right prints a line aligned right (place and date).
func (d *Doc) Right(text string) {
	d.f.SetFont(family, "", 10)
	d.f.MultiCell(0, 5, d.text(text, "", false), "", "R", false)
	d.f.Ln(2)
}

// Title prints a bold heading.
func (d *Doc) Title(text string) {
	d.f.SetFont(family, "B", 13)
	d.f.MultiCell(0, 6, d.text(text, "B", true), "", "L", false)
	d.f.Ln(2)
}

// Heading prints a bold subheading.
func (d *Doc) Heading(text string) {
	d.f.Ln(1)
	d.f.SetFont(family, "B", 10.5)
	d.f.MultiCell(0, 5.5, d.text(text, "B", true), "", "L", false)
	d.f.Ln(1)
}

// Para prints a justified paragraph.
func (d *Doc) Para(text string) {
	d.f.SetFont(family, "", 10)
	d.f.MultiCell(0, 5, d.text(text, "", true), "", "J", false)
	d.f.Ln(2)
}

// Small prints a paragraph in small type (legal texts, notes).
func (d *Doc) Small(text string) {
	d.f.SetFont(family, "", 8.5)
	d.f.MultiCell(0, 4.2, d.text(text, "", true), "", "J", false)
	d.f.Ln(1.5)
}

// Field prints "label: value"; a long value wraps under itself.
func (d *Doc) Field(label, value string) {
	d.f.SetFont(family, "B", 10)
	label = d.text(label, "B", false)
	w := d.f.GetStringWidth(label+" : ") + 1
	d.f.CellFormat(w, 5, label+" :", "", 0, "L", false, 0, "")
	d.f.SetFont(family, "", 10)
	d.f.MultiCell(0, 5, d.text(value, "", false), "", "L", false)
}

// Column is one column of a table.
type Column struct {
	Title string
	Width float64 // mm
	Align string  // "L", "R", "C"
}

// Table prints a table with a header row. A cell too long for its column
// wraps onto more lines, and the row takes the height of its tallest cell:
// a receipt number or a debtor's name is read whole, never cut. A row that
// would not fit at the bottom of a page goes to the next one, with the
// header repeated. bold marks rows (totals) to print in bold.
func (d *Doc) Table(cols []Column, rows [][]string, bold map[int]bool) {
	f := d.f
	titles := make([]string, len(cols))
	aligns := make([]string, len(cols))
	for j, c := range cols {
		titles[j], aligns[j] = d.text(c.Title, "B", false), "C"
	}
	headerRow := func() {
		f.SetFont(family, "B", 8.5)
		f.SetFillColor(235, 235, 235)
		d.row(cols, titles, []string(nil), 4.2, true)
	}
	f.SetFont(family, "B", 8.5)
	if f.GetY()+d.rowHeight(cols, titles, 4.2)+5.5 > d.bottom() {
		f.AddPage() // a header alone at the foot of a page says nothing
	}
	headerRow()
	for j, c := range cols {
		aligns[j] = c.Align
	}
	for i, r := range rows {
		style := ""
		if bold[i] {
			style = "B"
		}
		cells := make([]string, len(cols))
		for j := range cols {
			if j < len(r) {
				cells[j] = d.text(r[j], style, false)
			}
		}
		f.SetFont(family, style, 8.5)
		if f.GetY()+d.rowHeight(cols, cells, 4.2) > d.bottom() {
			f.AddPage()
			headerRow()
			f.SetFont(family, style, 8.5)
		}
		d.row(cols, cells, aligns, 4.2, false)
	}
	f.Ln(3)
}

// cellPad is the space above and below a table cell's lines, in mm.
const cellPad = 0.8

// bottom is where the page's text area ends.
func (d *Doc) bottom() float64 {
	_, h := d.f.GetPageSize()
	_, margin := d.f.GetAutoPageBreak()
	return h - margin
}

// lines splits s into the lines it takes in a box w wide, with the
// current font; a word longer than the box breaks inside it.
func (d *Doc) lines(s string, w float64) []string {
	if s == "" {
		return []string{""}
	}
	return d.f.SplitText(s, w)
}

// rowHeight is the height of a row of cells with the current font.
func (d *Doc) rowHeight(cols []Column, cells []string, lineH float64) float64 {
	n := 1
	for j, c := range cols {
		n = max(n, len(d.lines(cells[j], c.Width)))
	}
	return float64(n)*lineH + 2*cellPad
}

// row draws one row of bordered cells, each cell's lines one under the
// other, every cell as tall as the tallest; aligns nil centres them.
func (d *Doc) row(cols []Column, cells, aligns []string, lineH float64, fill bool) {
	f := d.f
	h := d.rowHeight(cols, cells, lineH)
	x0, y0 := f.GetX(), f.GetY()
	style := "D"
	if fill {
		style = "FD"
	}
	x := x0
	for j, c := range cols {
		f.Rect(x, y0, c.Width, h, style)
		align := "C"
		if aligns != nil {
			align = aligns[j]
		}
		for k, l := range d.lines(cells[j], c.Width) {
			f.SetXY(x, y0+cellPad+float64(k)*lineH)
			f.CellFormat(c.Width, lineH, l, "", 0, align, false, 0, "")
		}
		x += c.Width
	}
	f.SetXY(x0, y0+h)
}

// Legal prints a text the law requires in full: an introducing sentence
// in the body's type, then the text's paragraphs in small type, kept
// together. When the block does not fit in what is left of the page it
// starts on the next one, so that no page carries a line or two of it
// apart from the rest; a block longer than a whole page is split, but only
// where at least four of its lines fit.
func (d *Doc) Legal(intro string, paragraphs ...string) {
	f := d.f
	w, _ := f.GetPageSize()
	left, _, right, _ := f.GetMargins()
	width := w - left - right
	intro = d.text(intro, "", true)
	paras := make([]string, len(paragraphs))
	for i, p := range paragraphs {
		paras[i] = d.text(p, "", true)
	}
	f.SetFont(family, "", 10)
	h := float64(len(d.lines(intro, width)))*5 + 2
	f.SetFont(family, "", 8.5)
	for _, p := range paras {
		// One line more than measured: MultiCell's justified wrapping may
		// break a little earlier than SplitText.
		h += float64(len(d.lines(p, width))+1)*4.2 + 1.5
	}
	room := d.bottom() - f.GetY()
	if h > room && (h <= d.bottom()-d.top || room < 5+2+4*4.2) {
		f.AddPage()
	}
	f.SetFont(family, "", 10)
	f.MultiCell(0, 5, intro, "", "J", false)
	f.Ln(2)
	f.SetFont(family, "", 8.5)
	for _, p := range paras {
		f.MultiCell(0, 4.2, p, "", "J", false)
		f.Ln(1.5)
	}
}

// Signature prints a closing and signature block.
func (d *Doc) Signature(lines ...string) {
	d.f.Ln(4)
	d.f.SetFont(family, "", 10)
	for _, l := range lines {
		d.f.SetX(115)
		d.f.MultiCell(75, 5, d.text(l, "", false), "", "L", false)
	}
}

// NewPage starts a new page.
func (d *Doc) NewPage() { d.f.AddPage() }

// WriteTo writes the PDF.
func (d *Doc) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	if err := d.f.Output(cw); err != nil {
		return cw.n, err
	}
	return cw.n, d.f.Error()
}

// Bytes renders the PDF in memory.
func (d *Doc) Bytes() ([]byte, error) {
	var b bytes.Buffer
	_, err := d.WriteTo(&b)
	return b.Bytes(), err
}

// File is a rendered document and the characters its fonts could not print.
type File struct {
	PDF      []byte
	Replaced Replacements // drawn as U+FFFD; Count 0 when none
}

// File renders the PDF in memory with its replacements.
func (d *Doc) File() (File, error) {
	b, err := d.Bytes()
	return File{PDF: b, Replaced: d.replaced}, err
}

// Replaced reports the characters replaced so far.
func (d *Doc) Replaced() Replacements { return d.replaced }

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

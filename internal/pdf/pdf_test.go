package pdf_test

import (
	"bytes"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/recouvra/recouvra/internal/pdf"
)

// Text extracts a PDF's text with pdftotext (poppler-utils), as a person
// copying it would get it.
func Text(t testing.TB, data []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext (apt-get install poppler-utils): %v\n%s", err, out)
	}
	return string(out)
}

// flat is the text in reading order (not the layout: a line wrapped in
// the address window follows its start), white space collapsed.
func flat(t testing.TB, data []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(Spaces(string(out))), " ")
}

// Column is the text between x0 and x1 (mm from the left edge) of every
// page, read with pdftotext cropped to that band.
func Column(t testing.TB, data []byte, x0, x1 float64) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	pt := func(mm float64) string { return strconv.Itoa(int(mm / 25.4 * 72)) }
	out, err := exec.Command("pdftotext", "-x", pt(x0+0.5), "-y", "0", "-W", pt(x1-x0-1), "-H", "842", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// Spaces turns no-break spaces into plain ones.
func Spaces(s string) string {
	return strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(s)
}

func TestFrenchTextRoundTripsAndOutputIsDeterministic(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	render := func() []byte {
		d := pdf.New(pdf.Letterhead{Name: "Agence Recouvra", Address: []string{"10 rue de la Paix", "75002 Paris"}, SIREN: "732 829 320"}, "Relance amiable", at)
		d.Address("Boulangerie Martin SARL", "4 place du Marché", "21000 Dijon")
		d.Title("Objet : facture impayée")
		d.Para("Nous vous prions de régler la somme de 1\u202f234,56\u00a0€ à réception — ç, é, è, ê, à, ù, œ, «\u00a0guillemets\u00a0».")
		d.Table([]pdf.Column{{"Facture", 60, "L"}, {"Montant", 40, "R"}}, [][]string{{"FA-1", "1\u202f234,56\u00a0€"}}, nil)
		b, err := d.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := render(), render()
	if !bytes.Equal(a, b) {
		t.Fatal("same inputs and clock gave different bytes")
	}
	// pdftotext writes the no-break spaces as plain spaces: compare with
	// them normalised (what matters is no "1.234,56" from a cp1252 mapping).
	text := Spaces(Text(t, a))
	for _, want := range []string{"Agence Recouvra", "SIREN 732 829 320", "Boulangerie Martin SARL", "1\u202f234,56\u00a0€", "œ", "«\u00a0guillemets\u00a0»", "page 1/1"} {
		if !strings.Contains(text, Spaces(want)) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
}

func render(t *testing.T, draw func(d *pdf.Doc), lh pdf.Letterhead) pdf.File {
	t.Helper()
	if lh.Name == "" {
		lh.Name = "Agence Recouvra"
	}
	d := pdf.New(lh, "Lettre", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	draw(d)
	f, err := d.File()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Every drawing method, with s where a name or address would be.
func everyMethod(s string) func(d *pdf.Doc) {
	return func(d *pdf.Doc) {
		d.Address(s, "4 rue du Moulin")
		d.Right("Paris, " + s)
		d.Title("Objet : " + s)
		d.Heading("Débiteur " + s)
		d.Para("Madame, Monsieur " + s + ",")
		d.Small("Note " + s)
		d.Field("Débiteur", s)
		d.Table([]pdf.Column{{Title: "Nom", Width: 120, Align: "L"}}, [][]string{{s}, {s}}, map[int]bool{1: true})
		d.Signature(s)
	}
}

const drawn = 10 // how many times everyMethod draws s

func TestGreekCyrillicAndAccentedLatinPrintAsTheyAre(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"Ελληνικά Τρόφιμα ΑΕ Παπαδόπουλος",
		"ООО «Жёлтый Щит» Чайковский",
		"Łódź Šťastný Çağrı Ærø Grüße Núñez Đoàn",
	} {
		f := render(t, everyMethod(name), pdf.Letterhead{Name: name, Address: []string{name}})
		if f.Replaced.Count != 0 {
			t.Errorf("%q: %d characters replaced: %v", name, f.Replaced.Count, f.Replaced.CodePoints())
		}
		if n := strings.Count(flat(t, f.PDF), name); n != drawn+2 {
			t.Errorf("%q read back %d times, want %d:\n%s", name, n, drawn+2, flat(t, f.PDF))
		}
	}
}

func TestCharactersNoFontHasAreReplacedVisiblyAndCounted(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		class, in string
		want      []rune // the replaced characters, once each
	}{
		{"CJK", "山田", []rune{'山', '田'}},
		{"emoji (beyond the BMP, an error in fpdf)", "😀", []rune{'😀'}},
		{"private use", "\uE000", []rune{'\uE000'}},
		{"unassigned", "\u0378", []rune{'\u0378'}},
		{"noncharacter", "\uFFFF", []rune{'\uFFFF'}},
		{"C0 control", "\x01", []rune{1}},
		{"NUL", "\x00", []rune{0}},
		{"DEL", "\x7f", []rune{0x7f}},
		{"C1 control", "\u0085", []rune{0x85}},
		{"bidi override", "\u202E", []rune{0x202E}},
		{"bidi isolate", "\u2066", []rune{0x2066}},
		{"invalid UTF-8", "\xff", []rune{utf8.RuneError}},
	} {
		t.Run(c.class, func(t *testing.T) {
			t.Parallel()
			name := "Ab" + c.in + "cd"
			f := render(t, everyMethod(name), pdf.Letterhead{})
			if f.Replaced.Count != drawn*utf8.RuneCountInString(c.in) || !slices.Equal(f.Replaced.Runes, c.want) {
				t.Errorf("replaced %d %v, want %d %U", f.Replaced.Count, f.Replaced.CodePoints(), drawn*utf8.RuneCountInString(c.in), c.want)
			}
			visible := "Ab" + strings.Repeat("\uFFFD", utf8.RuneCountInString(c.in)) + "cd"
			if n := strings.Count(Text(t, f.PDF), visible); n != drawn {
				t.Errorf("%q read back %d times, want %d:\n%s", visible, n, drawn, Text(t, f.PDF))
			}
		})
	}
}

func TestInvisibleFormattingIsDroppedAndLineBreaksKeptOnlyInParagraphs(t *testing.T) {
	t.Parallel()
	f := render(t, func(d *pdf.Doc) {
		d.Address("Ma\u200Drie\uFE0F Dupont\u00AD", "Line\tone\ntwo")
		d.Para("first\nsecond")
	}, pdf.Letterhead{})
	if f.Replaced.Count != 0 {
		t.Errorf("replaced %v", f.Replaced.CodePoints())
	}
	text := Text(t, f.PDF)
	for _, want := range []string{"Marie Dupont", "Line one two"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in:\n%s", want, text)
		}
	}
	if !regexp.MustCompile(`first\s*\n\s*second`).MatchString(text) {
		t.Errorf("paragraph line break lost:\n%s", text)
	}
}

// words reads each word's box with pdftotext -bbox (points).
func words(t *testing.T, data []byte) map[string][]float64 {
	t.Helper()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-bbox", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	boxes := map[string][]float64{}
	re := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		minX, _ := strconv.ParseFloat(m[1], 64)
		maxX, _ := strconv.ParseFloat(m[2], 64)
		boxes[html.UnescapeString(m[3])] = []float64{minX, maxX}
	}
	return boxes
}

func TestLongWordsWrapInsideThePage(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Schleswig", 40) // 360 letters, no space
	f := render(t, func(d *pdf.Doc) {
		d.Address(long)
		d.Right(long)
		d.Field("Débiteur", long)
		d.Para(long)
		d.Signature(long)
		d.Table([]pdf.Column{{Title: "Nom", Width: 60, Align: "L"}}, [][]string{{long}}, nil)
	}, pdf.Letterhead{Name: long, Address: []string{long}})
	const rightEdge = (210 - 20) / 25.4 * 72 // the right margin, in points
	var joined strings.Builder
	for w, box := range words(t, f.PDF) {
		if box[1] > rightEdge+0.5 {
			t.Errorf("%q ends at %.1f pt, past the right margin (%.1f pt)", w, box[1], rightEdge)
		}
		joined.WriteString(w)
	}
	// The wrapped pieces put back together give every letter: seven times
	// the word, the table cell's included (it wraps, it is not cut).
	text := strings.Join(strings.Fields(Text(t, f.PDF)), "")
	if n := strings.Count(text, long); n < 7 {
		t.Errorf("the long word reads back whole %d times, want 7 or more:\n%s", n, text)
	}
	if strings.Contains(text, "…") {
		t.Errorf("an ellipsis in the table cell:\n%s", text)
	}
}

// A table cell wraps inside its column and the row is as tall as its
// tallest cell: long receipt numbers, names and headers read back whole,
// each inside its column, the next row below the tallest cell.
func TestTableCellsWrapWithoutClipping(t *testing.T) {
	t.Parallel()
	receipt := "REC-2026-000123456789-ABCDEFGH"
	name := "Société d'exploitation des établissements Martin-Dubois et fils"
	cols := []pdf.Column{{Title: "Reçu n°", Width: 24, Align: "L"}, {Title: "Débiteur", Width: 34, Align: "L"}, {Title: "Encaissé par", Width: 21, Align: "L"}, {Title: "Montant", Width: 24, Align: "R"}}
	var rows [][]string
	for i := range 40 { // more than a page: the header is repeated
		rows = append(rows, []string{fmt.Sprintf("%s-%02d", receipt, i), name, "au créancier", "1 234,56 €"})
	}
	f := render(t, func(d *pdf.Doc) { d.Table(cols, rows, nil) }, pdf.Letterhead{})
	// Column by column (pdftotext cropped to each), the lines of a cell
	// follow one another.
	receipts := strings.Join(strings.Fields(Column(t, f.PDF, 20, 44)), "")
	names := strings.Join(strings.Fields(Spaces(Column(t, f.PDF, 44, 78))), " ")
	for i := range 40 {
		if !strings.Contains(receipts, fmt.Sprintf("%s-%02d", receipt, i)) {
			t.Fatalf("receipt %d does not read back whole:\n%s", i, receipts)
		}
	}
	if n := strings.Count(names, name); n != 40 || strings.Contains(receipts+names, "…") {
		t.Errorf("the debtor's name reads back whole %d times, want 40 (no ellipsis):\n%s", n, names)
	}
	if n := strings.Count(receipts, "Reçun°"); n < 2 {
		t.Errorf("header %d times, want it repeated on the next page", n)
	}
	if n := strings.Count(strings.Join(strings.Fields(Column(t, f.PDF, 78, 99)), " "), "Encaissé par"); n < 2 {
		t.Errorf("the wrapped header reads back whole %d times, want 2 or more", n)
	}
	// Every word stays inside the table (20 mm + 103 mm wide).
	const right = (20 + 24 + 34 + 21 + 24) / 25.4 * 72
	for w, box := range words(t, f.PDF) {
		if box[1] > right+0.5 {
			t.Errorf("%q ends at %.1f pt, past the table (%.1f pt)", w, box[1], right)
		}
	}
}

// The legal text is never split so that a page carries fewer than four of
// its lines: whatever fills the page before it, read page by page, the
// block is either whole on one page or absent from it.
func TestLegalTextIsKeptTogether(t *testing.T) {
	t.Parallel()
	intro := "Conformément à la loi, nous reproduisons ci-dessous les alinéas 2 et 3 de l'article L111-8."
	paras := []string{
		"Sauf s'ils concernent un acte dont l'accomplissement est prescrit par la loi, les frais de recouvrement entrepris sans titre exécutoire restent à la charge du créancier. Toute stipulation contraire est réputée non écrite, sauf disposition législative contraire.",
		"Cependant, le créancier qui justifie du caractère nécessaire des démarches entreprises pour recouvrer sa créance peut demander au juge de l'exécution de laisser tout ou partie des frais ainsi exposés à la charge du débiteur de mauvaise foi.",
	}
	split := 0
	for filler := 30; filler <= 52; filler++ {
		f := render(t, func(d *pdf.Doc) {
			for i := range filler {
				d.Small(fmt.Sprintf("Ligne de remplissage %d.", i))
			}
			d.Legal(intro, slices.Clone(paras)...)
		}, pdf.Letterhead{})
		in := filepath.Join(t.TempDir(), "doc.pdf")
		if err := os.WriteFile(in, f.PDF, 0o600); err != nil {
			t.Fatal(err)
		}
		pages := 0
		for p := 1; ; p++ {
			out, err := exec.Command("pdftotext", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), "-enc", "UTF-8", in, "-").CombinedOutput()
			if err != nil {
				break
			}
			pages++
			page := strings.Join(strings.Fields(Spaces(string(out))), " ")
			has := 0
			for _, s := range []string{"Conformément à la loi", "Sauf s'ils concernent", "réputée non écrite", "Cependant, le créancier", "débiteur de mauvaise foi."} {
				if strings.Contains(page, s) {
					has++
				}
			}
			if has != 0 && has != 5 {
				t.Errorf("filler %d: page %d holds part of the legal text:\n%s", filler, p, page)
			}
		}
		if pages > 1 {
			split++
		}
	}
	if split == 0 {
		t.Fatal("no filler pushed the text to a second page: the test does not test")
	}
}

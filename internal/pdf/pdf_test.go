package pdf_test

import (
	"bytes"
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
	// the word (the table cell is shortened with an ellipsis on purpose).
	text := strings.Join(strings.Fields(Text(t, f.PDF)), "")
	if n := strings.Count(text, long); n < 6 {
		t.Errorf("the long word reads back whole %d times, want 6 or more:\n%s", n, text)
	}
	if !regexp.MustCompile(`Nom(Schleswig)+[a-zA-Z]*…`).MatchString(text) {
		t.Errorf("no ellipsis in the table cell:\n%s", text)
	}
}

package pdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

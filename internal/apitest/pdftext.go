package apitest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// PDFText extracts a PDF's text with pdftotext (poppler-utils), as a person
// copying it would get it, with every run of white space — line breaks of
// the layout, justified spacing, no-break spaces — made one plain space, so
// that a sentence can be looked for whole.
func PDFText(t testing.TB, data []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext (apt-get install poppler-utils): %v\n%s", err, out)
	}
	return Flat(string(out))
}

// Flat collapses white space, no-break spaces included, to single spaces.
func Flat(s string) string {
	s = strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

package sheet_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/sheet"
)

// TestSnifferMatchesOpen: a file written to a Sniffer one byte at a time
// (every rune cut across writes) is found the same as Open finds it whole,
// and OpenStream then reads the same rows.
func TestSnifferMatchesOpen(t *testing.T) {
	t.Parallel()
	for _, data := range []string{
		"\xEF\xBB\xBFnom;montant\nCafé;1,5\nÉté ☃;2\n",
		"nom,montant\nCaf\xe9,\"1,5\"\n",
		"nom\tmontant\nCafé\t1,5\n",
		"nom;montant\nCaf\xc3", // a rune cut by the end of the file: not UTF-8
	} {
		s := sheet.NewSniffer()
		for i := range len(data) {
			_, _ = s.Write([]byte{data[i]})
		}
		info, err := s.Info(sheet.CSV)
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		whole, want, err := sheet.Open([]byte(data), sheet.CSV)
		if err != nil || info.Encoding != want.Encoding {
			t.Fatalf("%q: sniffed %+v, Open %+v %v", data, info, want, err)
		}
		rows, got, err := sheet.OpenStream(strings.NewReader(data), info)
		if err != nil || got.Separator != want.Separator {
			t.Fatalf("%q: stream %+v, Open %+v %v", data, got, want, err)
		}
		for {
			a, la, ea := whole.Next()
			b, lb, eb := rows.Next()
			if strings.Join(a, "|") != strings.Join(b, "|") || la != lb || (ea == nil) != (eb == nil) {
				t.Fatalf("%q: whole %q line %d %v, streamed %q line %d %v", data, a, la, ea, b, lb, eb)
			}
			if errors.Is(ea, io.EOF) {
				break
			}
		}
	}
}

func TestSnifferRefuses(t *testing.T) {
	t.Parallel()
	for data, want := range map[string]string{
		"nom\nCaf\xe9\nx\x81\n":    "ligne 3 : Encodage inconnu : enregistrez le fichier en UTF-8 ou Windows-1252.",
		"PK\x03\x04rest":           "Le fichier annoncé comme CSV est un classeur (XLSX) : nommez-le .xlsx.",
		"\xD0\xCF\x11\xE0 old xls": "Fichier Excel 97-2003 (.xls) : enregistrez-le en .xlsx ou en CSV.",
	} {
		s := sheet.NewSniffer()
		_, _ = s.Write([]byte(data))
		if _, err := s.Info(sheet.CSV); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %q", data, err, want)
		}
		if _, _, err := sheet.Open([]byte(data), sheet.CSV); err == nil || err.Error() != want {
			t.Errorf("Open %q: %v, want %q", data, err, want)
		}
	}
	s := sheet.NewSniffer()
	_, _ = s.Write([]byte(" \r\n\t"))
	if !s.Blank() {
		t.Error("white space only: not blank")
	}
}

package sheet_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/sheet"
)

// A NUL byte never leaves the reader (PostgreSQL refuses it in text: the
// job's COPY would fail with no line): the upload's sniffer refuses a CSV
// holding one, naming its line, and the rows refuse a cell holding one —
// CSV in UTF-8 or Windows-1252 — naming line and column (XLSX cells go
// through the same check). A CSV saved as UTF-16 is the usual cause, and
// the message says so (a NUL in its first bytes is refused as no CSV at all).
func TestNULIsRefusedWithItsLine(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		data []byte
		line int
	}{
		"UTF-8":        {[]byte("nom;montant\nDupont;10\nDup\x00ont;12\n"), 3},
		"Windows-1252": {[]byte("nom;montant\nLef\xe8vre;10\nx;1\x00\n"), 3},
	} {
		s := sheet.NewSniffer()
		for _, b := range c.data { // one byte at a time: lines counted across writes
			_, _ = s.Write([]byte{b})
		}
		_, err := s.Info(sheet.CSV)
		var se *sheet.Error
		if !errors.As(err, &se) || se.Line != c.line || !strings.Contains(se.Message, "NUL") || !strings.Contains(se.Message, "UTF-16") {
			t.Errorf("%s: sniffer %v, want line %d naming NUL and UTF-16", name, err, c.line)
		}
		rows, _, err := sheet.Open(c.data, sheet.CSV)
		if err != nil {
			t.Fatalf("%s: open %v", name, err)
		}
		var last error
		for {
			_, _, err := rows.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				last = err
				break
			}
		}
		if !errors.As(last, &se) || se.Line != c.line || !strings.Contains(se.Message, "colonne") {
			t.Errorf("%s: rows %v, want line %d and its column", name, last, c.line)
		}
	}

}

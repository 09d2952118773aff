package sheet_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/recouvra/recouvra/internal/sheet"
)

func TestNeutralize(t *testing.T) {
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+33 6": "'+33 6", "-2": "'-2", "@cmd": "'@cmd", "\tx": "'\tx", "\rx": "'\rx", "Dupont": "Dupont", "": ""} {
		if got := sheet.Neutralize(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestCSVDetection(t *testing.T) {
	for _, c := range []struct {
		data string
		enc  sheet.Encoding
		sep  rune
	}{
		{"\xEF\xBB\xBFnom;montant\nCafé;1,5\n", sheet.UTF8, ';'},
		{"nom,montant\nCaf\xe9,\"1,5\"\n", sheet.Windows1252, ','},
		{"nom\tmontant\nCafé\t1,5\n", sheet.UTF8, '\t'},
	} {
		rows, info, err := sheet.Open([]byte(c.data), sheet.CSV)
		if err != nil || info.Encoding != c.enc || info.Separator != c.sep {
			t.Fatalf("%q: %+v %v", c.data, info, err)
		}
		head, _, _ := rows.Next()
		row, line, err := rows.Next()
		if head[0] != "nom" || row[0] != "Café" || row[1] != "1,5" || line != 2 || err != nil {
			t.Errorf("%q: %q %q line %d %v", c.data, head, row, line, err)
		}
		if _, _, err := rows.Next(); err != io.EOF {
			t.Errorf("end: %v", err)
		}
	}
}

func TestXLSXWriterWritesFormulasAsText(t *testing.T) {
	var b bytes.Buffer
	w, err := sheet.NewWriter(&b, sheet.XLSX, "Dossiers")
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Write([]sheet.Cell{sheet.Text("=HYPERLINK(\"http://x\")"), sheet.Int(42)})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	formula, _ := f.GetCellFormula("Dossiers", "A1")
	v, _ := f.GetCellValue("Dossiers", "A1")
	n, _ := f.GetCellValue("Dossiers", "B1")
	if formula != "" || !strings.HasPrefix(v, "=HYPERLINK") || n != "42" {
		t.Fatalf("formula %q value %q number %q", formula, v, n)
	}
}

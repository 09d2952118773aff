package bankfile_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/recouvra/recouvra/internal/bankfile"
)

// A statement is the payer's words: a NUL or another control byte in a
// CFONB record, a C1 control or a bidi override in a camt.053 name are
// cleaned, not stored as they came (PostgreSQL refuses NUL in text) and
// not a reason to refuse the whole statement; names in any script are
// kept as they are. A camt.053 text over its schema's length is refused,
// naming its element.
func TestHostileTextIsCleaned(t *testing.T) {
	t.Parallel()
	st := bankfile.Statement{ID: "STMT-H", Account: agencyIBAN, Currency: "EUR", On: d("2026-11-30"), Entries: []bankfile.Entry{
		{Reference: "H1", BookedOn: d("2026-11-30"), AmountCents: 10_00, Credit: true, Currency: "EUR", Unstructured: "MARKERU", DebtorName: "MARKERN", EndToEndID: "E2E-H1"},
	}}
	var camt, cfonb bytes.Buffer
	if err := bankfile.WriteCAMT053(&camt, "MSG-H", st); err != nil {
		t.Fatal(err)
	}
	if err := bankfile.WriteCFONB120(&cfonb, st); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name         string
		format       bankfile.Format
		file         []byte
		unstructured string
		debtor       string
	}{
		{"CFONB NUL and controls", bankfile.CFONB120,
			bytes.Replace(bytes.Replace(cfonb.Bytes(), []byte("MARKERU"), []byte("FA\x00\x01 12"), 1), []byte("MARKERN"), []byte("DUP\x00\x1bNT"), 1),
			"FA 12", "DUP NT"},
		{"camt C1, bidi and replacement", bankfile.CAMT053,
			bytes.Replace(bytes.Replace(camt.Bytes(), []byte("MARKERU"), []byte("FA&#x85;12 &#x202E;21"), 1), []byte("MARKERN"), []byte("Nguyễn &#x2066;Łódź&#x2069; 株式会社 \uFFFD"), 1),
			"FA 12 21", "Nguyễn Łódź 株式会社 \uFFFD"},
	} {
		got, err := readAll(t, c.file, c.format)
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: %v %+v", c.name, err, got)
		}
		e := got[0]
		if e.Unstructured != c.unstructured {
			t.Errorf("%s: remittance %q, want %q", c.name, e.Unstructured, c.unstructured)
		}
		if e.DebtorName != c.debtor {
			t.Errorf("%s: name %q, want %q", c.name, e.DebtorName, c.debtor)
		}
		for _, s := range []string{e.Reference, e.EndToEndID, e.Structured, e.StatementID, e.Unstructured, e.DebtorName} {
			if strings.ContainsAny(s, "\x00\x01\x1b\u0085\u202E\u2066") || !utf8.ValidString(s) {
				t.Errorf("%s: %q kept a control", c.name, s)
			}
		}
	}
	long := bytes.Replace(camt.Bytes(), []byte("MARKERU"), []byte(strings.Repeat("FACTURE 12 ", 2000)), 1)
	if _, err := readAll(t, long, bankfile.CAMT053); err == nil || !strings.Contains(err.Error(), "RmtInf/Ustrd") {
		t.Errorf("long remittance: %v", err)
	}
}

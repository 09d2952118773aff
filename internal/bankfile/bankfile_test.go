package bankfile_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/bankfile"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const agencyIBAN = "FR7630006000011234567890189" // bank 30006, branch 00001, account 12345678901, key 89

func d(s string) recouvra.Date { return recouvra.MustDate(s) }

// known is a statement of known payments: credits with every kind of
// remittance information, a debit, a reversal.
func known() bankfile.Statement {
	return bankfile.Statement{ID: "STMT-2026-11-30", Account: agencyIBAN, Currency: "EUR", On: d("2026-11-30"), OpeningCents: 1_000_00,
		Entries: []bankfile.Entry{
			{Reference: "E1", BookedOn: d("2026-11-30"), ValueOn: d("2026-11-29"), AmountCents: 1234_56, Credit: true, Currency: "EUR",
				Structured: "RF69D2026000042", DebtorName: "SCIERIE DU JURA", DebtorIBAN: "FR1420041010050500013M02606", EndToEndID: "E2E-1"},
			{Reference: "E2", BookedOn: d("2026-11-30"), AmountCents: 50_00, Credit: true, Currency: "EUR",
				Unstructured: "FACTURE FA-2025-001", DebtorName: "MARTIN & FILS <SARL>"},
			{Reference: "E3", BookedOn: d("2026-11-30"), AmountCents: 7_09, Credit: false, Currency: "EUR", Unstructured: "FRAIS"},
			{Reference: "E4", BookedOn: d("2026-11-30"), AmountCents: 1234_56, Credit: false, Reversal: true, Currency: "EUR",
				Structured: "RF69D2026000042", EndToEndID: "E2E-1"},
			{Reference: "E5", BookedOn: d("2026-11-30"), AmountCents: 1, Credit: true, Currency: "EUR", Unstructured: "D-2026-000043"},
		}}
}

func readAll(t *testing.T, data []byte, f bankfile.Format) ([]bankfile.Entry, error) {
	t.Helper()
	var out []bankfile.Entry
	err := bankfile.Read(bytes.NewReader(data), f, func(e bankfile.Entry) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

func TestCAMT053RoundTrip(t *testing.T) {
	t.Parallel()
	s := known()
	var buf bytes.Buffer
	if err := bankfile.WriteCAMT053(&buf, "MSG-1", s); err != nil {
		t.Fatal(err)
	}
	if f, ok := bankfile.Detect(buf.Bytes()); !ok || f != bankfile.CAMT053 {
		t.Fatalf("Detect = %q, %v", f, ok)
	}
	got, err := readAll(t, buf.Bytes(), bankfile.CAMT053)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(s.Entries) {
		t.Fatalf("%d entries, want %d", len(got), len(s.Entries))
	}
	for i, want := range s.Entries {
		want.Account, want.StatementID = agencyIBAN, s.ID
		if want.ValueOn.IsZero() {
			want.ValueOn = want.BookedOn
		}
		g := got[i]
		if g.Where == "" {
			t.Errorf("entry %d: no position", i)
		}
		g.Where = ""
		if !reflect.DeepEqual(g, want) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, want)
		}
	}
}

func TestCFONB120RoundTrip(t *testing.T) {
	t.Parallel()
	s := known()
	var buf bytes.Buffer
	if err := bankfile.WriteCFONB120(&buf, s); err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n") {
		if len(line) != 120 {
			t.Fatalf("line %d has %d characters", i+1, len(line))
		}
	}
	if f, ok := bankfile.Detect(buf.Bytes()); !ok || f != bankfile.CFONB120 {
		t.Fatalf("Detect = %q, %v", f, ok)
	}
	for _, data := range [][]byte{buf.Bytes(), bytes.ReplaceAll(buf.Bytes(), []byte("\r\n"), nil), bytes.ReplaceAll(buf.Bytes(), []byte("\r\n"), []byte("\n"))} {
		got, err := readAll(t, data, bankfile.CFONB120)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(s.Entries) {
			t.Fatalf("%d entries, want %d", len(got), len(s.Entries))
		}
		refs := map[string]bool{}
		for i, want := range s.Entries {
			g := got[i]
			if g.Account != agencyIBAN || g.StatementID != agencyIBAN+"-2026-11-30" || g.Currency != "EUR" {
				t.Errorf("entry %d: account %q statement %q currency %q", i, g.Account, g.StatementID, g.Currency)
			}
			if g.AmountCents != want.AmountCents || g.Credit != want.Credit || g.Reversal != want.Reversal ||
				!g.BookedOn.Equal(want.BookedOn) || g.Structured != want.Structured || g.DebtorName != want.DebtorName ||
				g.DebtorIBAN != want.DebtorIBAN || g.Unstructured != want.Unstructured || g.EndToEndID != want.EndToEndID {
				t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, want)
			}
			if !want.ValueOn.IsZero() && !g.ValueOn.Equal(want.ValueOn) {
				t.Errorf("entry %d: value date %s, want %s", i, g.ValueOn, want.ValueOn)
			}
			if refs[g.Reference] {
				t.Errorf("entry %d: reference %q given twice", i, g.Reference)
			}
			refs[g.Reference] = true
			if want := "ligne "; !strings.HasPrefix(g.Where, want) {
				t.Errorf("entry %d: where %q", i, g.Where)
			}
		}
	}
}

// The sign character of a CFONB amount carries the last digit.
func TestCFONBAmounts(t *testing.T) {
	t.Parallel()
	for _, cents := range []int64{0, 1, 9, 10, 123456, 100000000, -1, -10, -987654321} {
		s := known()
		s.OpeningCents = cents
		s.Entries = nil
		var buf bytes.Buffer
		if err := bankfile.WriteCFONB120(&buf, s); err != nil {
			t.Fatal(err)
		}
		line := strings.SplitN(buf.String(), "\r\n", 2)[0]
		field := line[90:104]
		if _, err := readAll(t, buf.Bytes(), bankfile.CFONB120); err != nil {
			t.Errorf("%d (%s): %v", cents, field, err)
		}
		want := map[int64]string{0: "0000000000000{", 1: "0000000000000A", 9: "0000000000000I", 10: "0000000000001{",
			-1: "0000000000000J", -10: "0000000000001}", -987654321: "0000098765432J"}[cents]
		if want != "" && field != want {
			t.Errorf("%d written %q, want %q", cents, field, want)
		}
	}
}

// A statement in a file not written by us: a hand-made CFONB file with
// three decimals and an account number holding a letter.
func TestCFONBByHand(t *testing.T) {
	t.Parallel()
	rec := func(parts ...string) string {
		s := strings.Join(parts, "")
		return s + strings.Repeat(" ", 120-len(s))
	}
	// 0:2 code, 2:7 bank, 7:11 op, 11:16 branch, 16:19 ccy, 19 dec, 20, 21:32 account, 32:34, 34:40 date, 40:90, 90:104 amount
	head := func(code string) string {
		return code + "20041" + "    " + "01005" + "EUR" + "3" + " " + "0500013M026" + "  " + "011226"
	}
	file := rec(head("01"), strings.Repeat(" ", 50), "0000000010000{") + "\n" + // 100.000 €
		rec(head("04"), "  ", "021226", pad("VIR SEPA M DUPONT", 32), " ", "0000042", "  ", "0000000002500{") + "\n" + // +25.000 with 3 decimals
		rec(head("05"), "     ", "NPY", "M DUPONT") + "\n" +
		rec(head("04"), "  ", "021226", pad("PRLV", 32), " ", "0000043", "  ", "0000000000750}") + "\n" + // −7.500
		rec(head("07"), strings.Repeat(" ", 50), "0000000011750{") + "\n"
	got, err := readAll(t, []byte(file), bankfile.CFONB120)
	if err != nil {
		t.Fatal(err)
	}
	// La Banque Postale's documented example RIB 20041 01005 0500013M026 06.
	if len(got) != 2 || got[0].Account != "FR1420041010050500013M02606" || got[0].AmountCents != 2500 || !got[0].Credit ||
		got[0].DebtorName != "M DUPONT" || got[0].Reference != "2026-12-01/0000042" || !got[0].ValueOn.Equal(d("2026-12-02")) ||
		got[1].AmountCents != 750 || got[1].Credit {
		t.Fatalf("got %+v", got)
	}
}

func pad(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }

func TestRefusals(t *testing.T) {
	t.Parallel()
	var camt, cfonb bytes.Buffer
	if err := bankfile.WriteCAMT053(&camt, "MSG-1", known()); err != nil {
		t.Fatal(err)
	}
	if err := bankfile.WriteCFONB120(&cfonb, known()); err != nil {
		t.Fatal(err)
	}
	c, f := camt.String(), cfonb.String()
	lines := strings.Split(f, "\r\n")
	cases := []struct {
		name    string
		format  bankfile.Format
		data    string
		line    int
		element string
		msg     string
	}{
		{"camt truncated", bankfile.CAMT053, c[:len(c)/2], 0, "Stmt/Ntry", "tronqué"},
		{"camt doctype", bankfile.CAMT053, strings.Replace(c, "<Document", "<!DOCTYPE d [<!ENTITY a \"aaaa\">]><Document", 1), 2, "", "DOCTYPE"},
		{"camt entity used", bankfile.CAMT053, strings.Replace(c, "<Id>STMT", "<Id>&a;STMT", 1), 0, "", "XML invalide"},
		{"camt not a statement", bankfile.CAMT053, "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"><CstmrCdtTrfInitn/></Document>", 1, "", "pain.001"},
		{"camt bad amount", bankfile.CAMT053, strings.Replace(c, ">1234.56<", ">12,34<", 1), 0, "Stmt/Ntry/Amt", "Montant illisible"},
		{"camt no currency", bankfile.CAMT053, strings.Replace(c, `<Amt Ccy="EUR">50.00`, `<Amt>50.00`, 1), 0, "Stmt/Ntry/Amt", "devise"},
		{"camt balance", bankfile.CAMT053, strings.Replace(c, ">50.00<", ">51.00<", 1), 0, "Stmt/Bal", "solde final"},
		{"camt no sign", bankfile.CAMT053, strings.Replace(c, "<CdtDbtInd>CRDT</CdtDbtInd><Sts>", "<Sts>", 1), 0, "Stmt/Ntry[1]/CdtDbtInd", "sens"},
		{"camt no booking date", bankfile.CAMT053, strings.Replace(c, "<BookgDt><Dt>2026-11-30</Dt></BookgDt>", "", 1), 0, "Stmt/Ntry[1]/BookgDt", "date"},
		{"camt bad date", bankfile.CAMT053, strings.Replace(c, "<BookgDt><Dt>2026-11-30", "<BookgDt><Dt>2026-13-30", 1), 0, "Stmt/Ntry/BookgDt/Dt", "Date"},
		{"not xml", bankfile.CAMT053, f, 0, "", "XML"},
		{"camt invalid utf-8", bankfile.CAMT053, strings.Replace(c, "<Id>STMT", "<Id>\xe9\xff STMT", 1), 0, "", "UTF-8"},
		{"camt declared latin-1", bankfile.CAMT053, strings.Replace(c, `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1), 1, "", "UTF-8"},
		{"camt unknown encoding", bankfile.CAMT053, strings.Replace(c, `encoding="UTF-8"`, `encoding="EBCDIC-FR"`, 1), 1, "", "EBCDIC-FR"},
		{"cfonb truncated line", bankfile.CFONB120, strings.Join(append(append([]string{}, lines[:2]...), lines[2][:80]), "\r\n") + "\r\n" + strings.Join(lines[3:], "\r\n"), 3, "", "80 caractères"},
		{"cfonb no new balance", bankfile.CFONB120, strings.Join(lines[:len(lines)-2], "\r\n") + "\r\n", 0, "07", "tronqué"},
		{"cfonb wrong total", bankfile.CFONB120, strings.Replace(f, "0000000000500{", "0000000000501{", 1), len(lines) - 1, "07", "nouveau solde"},
		{"cfonb bad sign", bankfile.CFONB120, strings.Replace(f, "0000000000500{", "0000000000500X", 1), 0, "04", "dernier caractère"},
		{"cfonb unknown code", bankfile.CFONB120, strings.Replace(f, "\r\n05", "\r\n09", 1), 0, "09", "inconnu"},
		{"cfonb movement first", bankfile.CFONB120, strings.Join(lines[1:], "\r\n"), 1, "04", "ancien solde"},
		{"cfonb bad date", bankfile.CFONB120, lines[0] + "\r\n" + lines[1][:34] + "311326" + lines[1][40:] + "\r\n", 2, "04", "Date de comptabilisation"},
		{"cfonb empty", bankfile.CFONB120, "", 0, "", "vide"},
		{"camt as cfonb", bankfile.CFONB120, c, 1, "", "caractères"},
		{"unknown format", bankfile.Format("mt940"), c, 0, "", "inconnu"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAll(t, []byte(tc.data), tc.format)
			var e *bankfile.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *bankfile.Error", err, err)
			}
			if tc.line != 0 && e.Line != tc.line {
				t.Errorf("line %d, want %d (%v)", e.Line, tc.line, err)
			}
			if tc.line == 0 && tc.name != "cfonb empty" && tc.name != "unknown format" && e.Line == 0 && tc.element == "" {
				t.Errorf("no line: %v", err)
			}
			if !strings.HasPrefix(e.Element, tc.element) {
				t.Errorf("element %q, want %q (%v)", e.Element, tc.element, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q lacks %q", err.Error(), tc.msg)
			}
		})
	}
}

// The callback's error stops the reading and comes back as is.
func TestCallbackStops(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := bankfile.WriteCAMT053(&buf, "MSG-1", known()); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	n := 0
	err := bankfile.Read(&buf, bankfile.CAMT053, func(bankfile.Entry) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d entries", err, n)
	}
}

package ident_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/ident"
)

// wantErr checks err is an *ident.Error of the given kind and code, with a
// message for a person.
func wantErr(t *testing.T, in string, err error, kind, code string) {
	t.Helper()
	var e *ident.Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: err = %v (%T), want *ident.Error %s/%s", in, err, err, kind, code)
	}
	if e.Kind != kind || e.Code != code {
		t.Errorf("%q: error %s/%s (%q), want %s/%s", in, e.Kind, e.Code, e.Msg, kind, code)
	}
	if e.Msg == "" || e.Error() != e.Msg {
		t.Errorf("%q: Msg %q, Error() %q: want the same non-empty French message", in, e.Msg, e.Error())
	}
}

func TestParseSIREN(t *testing.T) {
	valid := []struct{ in, want string }{
		{"732829320", "732829320"},
		{"542107651", "542107651"},
		{"356000000", "356000000"}, // La Poste: the SIREN itself passes Luhn
		{"303265045", "303265045"},
		{"552032534", "552032534"},
		{"552081317", "552081317"},
		{"732 829 320", "732829320"},
		{" 732829320\n", "732829320"},
		{"732.829.320", "732829320"},
		{"732-829-320", "732829320"},
		{"732\u00a0829\u00a0320", "732829320"}, // no-break space
		{"732\u202f829\u202f320", "732829320"}, // narrow no-break space (French thousands separator)
		{"732\t829\u2009320", "732829320"},     // tab, thin space
		{"\ufeff732\u200b829\u2011320", "732829320"},
	}
	for _, c := range valid {
		got, err := ident.ParseSIREN(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("ParseSIREN(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}

	invalid := []struct{ in, code string }{
		{"", ident.CodeEmpty},
		{" \u00a0.-", ident.CodeEmpty},
		{"73282932", ident.CodeLength},
		{"7328293201", ident.CodeLength},
		{"73282932000074", ident.CodeLength}, // a SIRET
		{"732829321", ident.CodeChecksum},
		{"732829302", ident.CodeChecksum}, // transposition
		{"73282932O", ident.CodeDigits},   // letter O for zero
		{"siren 732829320", ident.CodeDigits},
		{"732/829/320", ident.CodeDigits},
		{"732_829_320", ident.CodeDigits},
		{"７３２８２９３２０", ident.CodeDigits}, // full-width digits
		{"٧٣٢٨٢٩٣٢٠", ident.CodeDigits}, // Arabic-Indic digits
		{"732829320\x00", ident.CodeDigits},
		{"732829\xff320", ident.CodeDigits}, // invalid UTF-8
	}
	for _, c := range invalid {
		got, err := ident.ParseSIREN(c.in)
		if got != "" {
			t.Errorf("ParseSIREN(%q) = %q, want \"\" with an error", c.in, got)
		}
		wantErr(t, c.in, err, ident.KindSIREN, c.code)
	}
}

func TestParseSIRET(t *testing.T) {
	valid := []struct{ in, want string }{
		{"73282932000074", "73282932000074"},
		{"732 829 320 00074", "73282932000074"},
		{"732\u202f829\u202f320\u00a000074", "73282932000074"},
		{"44306184100047", "44306184100047"},
		{"55210055400013", "55210055400013"},
		// La Poste's head office passes Luhn (its digit sum, 26, is no multiple of 5).
		{"35600000000048", "35600000000048"},
		{"356 000 000 00048", "35600000000048"},
		// La Poste establishments: Luhn fails, digit sum is a multiple of 5.
		{"35600000024221", "35600000024221"}, // sum 25
		{"35600000049837", "35600000049837"}, // sum 45
		{"356 000 000 00137", "35600000000137"},
		{"35600000000411", "35600000000411"},
		{"35600000001096", "35600000001096"},
	}
	for _, c := range valid {
		got, err := ident.ParseSIRET(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("ParseSIRET(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}

	invalid := []struct{ in, code string }{
		{"", ident.CodeEmpty},
		{"732829320", ident.CodeLength}, // a SIREN
		{"7328293200007", ident.CodeLength},
		{"732829320000740", ident.CodeLength},
		{"73282932000075", ident.CodeChecksum},
		{"73282932000047", ident.CodeChecksum},
		// Digit sum 40, a multiple of 5: only La Poste gets that exception.
		{"73282932000077", ident.CodeChecksum},
		// La Poste, failing both Luhn and the multiple-of-5 rule.
		{"35600000024222", ident.CodeChecksum},
		{"35600000000049", ident.CodeChecksum},
		// Passes Luhn on 14 digits but its SIREN 732829321 is invalid.
		{"73282932100007", ident.CodeSIREN},
		{"7328293200007A", ident.CodeDigits},
		{"732 829 320 0007/4", ident.CodeDigits},
	}
	for _, c := range invalid {
		got, err := ident.ParseSIRET(c.in)
		if got != "" {
			t.Errorf("ParseSIRET(%q) = %q, want \"\" with an error", c.in, got)
		}
		wantErr(t, c.in, err, ident.KindSIRET, c.code)
	}
}

func TestSIRETParts(t *testing.T) {
	s, err := ident.ParseSIRET("732 829 320 00074")
	if err != nil {
		t.Fatal(err)
	}
	if s.SIREN() != "732829320" || s.NIC() != "00074" {
		t.Errorf("SIREN() = %q, NIC() = %q", s.SIREN(), s.NIC())
	}
	if got := s.Format(); got != "732 829 320 00074" {
		t.Errorf("Format() = %q", got)
	}
	if got := s.SIREN().Format(); got != "732 829 320" {
		t.Errorf("SIREN().Format() = %q", got)
	}
	// Values not built by a Parse function must not panic.
	if ident.SIRET("123").SIREN() != "" || ident.SIRET("").NIC() != "" || ident.SIRET("12").Format() != "12" ||
		ident.SIREN("1").Format() != "1" {
		t.Error("methods on malformed values should return \"\" or the value unchanged")
	}
}

func TestParseVAT(t *testing.T) {
	valid := []struct{ in, want string }{
		{"FR40303265045", "FR40303265045"}, // 303265045 mod 97 = 74; (12 + 3 × 74) mod 97 = 40
		{"FR44732829320", "FR44732829320"},
		{"FR13542107651", "FR13542107651"},
		{"FR39356000000", "FR39356000000"},
		{"FR27552032534", "FR27552032534"},
		{"FR03552081317", "FR03552081317"}, // key with a leading zero
		{"FR 40 303 265 045", "FR40303265045"},
		{"fr40303265045", "FR40303265045"},
		{"Fr\u00a040\u00a0303\u202f265\u202f045", "FR40303265045"},
		{"FR-40-303.265.045", "FR40303265045"},
	}
	for _, c := range valid {
		got, err := ident.ParseVAT(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("ParseVAT(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}

	invalid := []struct{ in, code string }{
		{"", ident.CodeEmpty},
		{"FR41303265045", ident.CodeChecksum}, // wrong key
		{"FR04303265045", ident.CodeChecksum},
		{"FR44303265045", ident.CodeChecksum},
		{"FR40303265046", ident.CodeSIREN},  // SIREN fails Luhn
		{"FR40303265054", ident.CodeSIREN},  // transposition in the SIREN
		{"40303265045", ident.CodeCountry},  // no country code
		{"303265045", ident.CodeCountry},    // a bare SIREN
		{"DE123456789", ident.CodeCountry},  // German VAT number
		{"BE0403170701", ident.CodeCountry}, // Belgian VAT number
		{"F", ident.CodeCountry},
		{"FR", ident.CodeLength},
		{"FR4030326504", ident.CodeLength},
		{"FR403032650450", ident.CodeLength},
		{"FRAB303265045", ident.CodeAlphaKey}, // alphanumeric key, not supported
		{"FR4A303265045", ident.CodeAlphaKey},
		{"FR40A03265045", ident.CodeDigits},
		{"FR40/303265045", ident.CodeCharacters},
		{"FR40303265045é", ident.CodeCharacters},
	}
	for _, c := range invalid {
		got, err := ident.ParseVAT(c.in)
		if got != "" {
			t.Errorf("ParseVAT(%q) = %q, want \"\" with an error", c.in, got)
		}
		wantErr(t, c.in, err, ident.KindVAT, c.code)
	}
}

// TestVATKeyArithmetic redoes the key formula by hand for the values in the
// tables, so that a wrong expected key cannot hide in both table and code.
func TestVATKeyArithmetic(t *testing.T) {
	for _, c := range []struct{ siren, mod, key int }{
		{303265045, 74, 40}, // (12 + 222) mod 97 = 234 − 2 × 97 = 40
		{732829320, 43, 44}, // (12 + 129) mod 97 = 141 − 97 = 44
		{542107651, 65, 13}, // (12 + 195) mod 97 = 207 − 2 × 97 = 13
		{356000000, 9, 39},  // 12 + 27 = 39
		{552032534, 5, 27},  // 12 + 15 = 27
		{552081317, 94, 3},  // (12 + 282) mod 97 = 294 − 3 × 97 = 3
	} {
		if got := c.siren % 97; got != c.mod {
			t.Errorf("%d mod 97 = %d, table says %d", c.siren, got, c.mod)
		}
		if got := (12 + 3*c.mod) % 97; got != c.key {
			t.Errorf("SIREN %d: key = %d, table says %d", c.siren, got, c.key)
		}
	}
}

func TestVATFromSIREN(t *testing.T) {
	for _, c := range []struct{ siren, vat string }{
		{"303265045", "FR40303265045"},
		{"732829320", "FR44732829320"},
		{"542107651", "FR13542107651"},
		{"356000000", "FR39356000000"},
		{"552081317", "FR03552081317"},
	} {
		s, err := ident.ParseSIREN(c.siren)
		if err != nil {
			t.Fatal(err)
		}
		v := ident.VATFromSIREN(s)
		if string(v) != c.vat {
			t.Errorf("VATFromSIREN(%s) = %s, want %s", c.siren, v, c.vat)
		}
		if v.SIREN() != s {
			t.Errorf("%s.SIREN() = %s, want %s", v, v.SIREN(), s)
		}
	}
	if v := ident.VATFromSIREN("12345"); v != "" {
		t.Errorf("VATFromSIREN on a malformed SIREN = %q, want \"\"", v)
	}
	if ident.VAT("FR").SIREN() != "" {
		t.Error("SIREN() of a malformed VAT should be \"\"")
	}
}

func TestParseIBAN(t *testing.T) {
	valid := []struct{ in, want, country string }{
		{"FR1420041010050500013M02606", "FR1420041010050500013M02606", "FR"},
		{"FR7630006000011234567890189", "FR7630006000011234567890189", "FR"},
		{"DE89370400440532013000", "DE89370400440532013000", "DE"},
		{"GB82WEST12345698765432", "GB82WEST12345698765432", "GB"},
		{"BE68539007547034", "BE68539007547034", "BE"},
		{"NL91ABNA0417164300", "NL91ABNA0417164300", "NL"},
		{"CH9300762011623852957", "CH9300762011623852957", "CH"},
		{"LU280019400644750000", "LU280019400644750000", "LU"},
		{"MC5811222000010123456789030", "MC5811222000010123456789030", "MC"},
		{"ES9121000418450200051332", "ES9121000418450200051332", "ES"},
		{"IT60X0542811101000000123456", "IT60X0542811101000000123456", "IT"},
		{"PT50000201231234567890154", "PT50000201231234567890154", "PT"},
		{"AT611904300234573201", "AT611904300234573201", "AT"},
		{"IE29AIBK93115212345678", "IE29AIBK93115212345678", "IE"},
		{"NO9386011117947", "NO9386011117947", "NO"},
		{"FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189", "FR"},
		{"FR76\u00a03000\u00a06000\u00a00112\u00a03456\u00a07890\u00a0189", "FR7630006000011234567890189", "FR"},
		{"FR76\u202f3000\u202f6000\u202f0112\u202f3456\u202f7890\u202f189", "FR7630006000011234567890189", "FR"},
		{"fr76 3000-6000-0112-3456-7890-189\r\n", "FR7630006000011234567890189", "FR"},
		{"fr14 2004 1010 0505 0001 3m02 606", "FR1420041010050500013M02606", "FR"},
		{"gb82 west 1234 5698 7654 32", "GB82WEST12345698765432", "GB"},
	}
	for _, c := range valid {
		got, err := ident.ParseIBAN(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("ParseIBAN(%q) = %q, %v; want %q", c.in, got, err, c.want)
			continue
		}
		if got.Country() != c.country {
			t.Errorf("%s.Country() = %q, want %q", got, got.Country(), c.country)
		}
	}

	invalid := []struct{ in, code string }{
		{"", ident.CodeEmpty},
		{"   ", ident.CodeEmpty},
		{"FR7630006000011234567890188", ident.CodeChecksum},
		{"FR7730006000011234567890189", ident.CodeChecksum},
		{"FR1420041010050500013N02606", ident.CodeChecksum},
		{"DE89370400440532013001", ident.CodeChecksum},
		{"GB82WEST12345698765433", ident.CodeChecksum},
		{"BE68539007547035", ident.CodeChecksum},
		// Check digits 00, 01 and 99 pass mod 97 when the true ones are 97,
		// 98 and 02 (see TestIBANCheckDigitAliases) but are never issued.
		{"FR0030006000010000000005400", ident.CodeChecksum},
		{"FR0130006000010000000004800", ident.CodeChecksum},
		{"FR9930006000010000000004200", ident.CodeChecksum},
		{"FR763000600001123456789018", ident.CodeLength},   // 26 characters
		{"FR76300060000112345678901890", ident.CodeLength}, // 28
		{"DE8937040044053201300", ident.CodeLength},
		{"BE6853900754703", ident.CodeLength},
		{"BE685390075470340", ident.CodeLength},
		{"DE7630006000011234567890189", ident.CodeLength}, // a French BBAN under DE
		{"XX89370400440532013000", ident.CodeCountry},
		{"US64SVBKUS6S3300958879", ident.CodeCountry}, // no IBAN in the USA
		{"1234567890", ident.CodeCountry},
		{"F", ident.CodeCountry},
		{"7630006000011234567890189", ident.CodeCountry}, // country code forgotten
		{"FRAB30006000011234567890189", ident.CodeFormat},
		{"FR76 3000/6000 0112 3456 7890 189", ident.CodeCharacters},
		{"IBAN: FR7630006000011234567890189", ident.CodeCharacters},
		{"FR76 3000 6000 0112 3456 7890 18９", ident.CodeCharacters},
	}
	for _, c := range invalid {
		got, err := ident.ParseIBAN(c.in)
		if got != "" {
			t.Errorf("ParseIBAN(%q) = %q, want \"\" with an error", c.in, got)
		}
		wantErr(t, c.in, err, ident.KindIBAN, c.code)
	}
}

// TestIBANCheckDigitAliases proves the three aliases above do pass mod 97,
// so their rejection comes from the 02–98 rule and not from the checksum.
func TestIBANCheckDigitAliases(t *testing.T) {
	for _, c := range []struct{ alias, real string }{
		{"FR0030006000010000000005400", "FR9730006000010000000005400"},
		{"FR0130006000010000000004800", "FR9830006000010000000004800"},
		{"FR9930006000010000000004200", "FR0230006000010000000004200"},
	} {
		if _, err := ident.ParseIBAN(c.real); err != nil {
			t.Errorf("ParseIBAN(%s): %v", c.real, err)
		}
		if m := refMod97(c.alias); m != 1 {
			t.Errorf("%s mod 97 = %d, want 1 for a true alias", c.alias, m)
		}
	}
}

func TestIBANFormat(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"FR7630006000011234567890189", "FR76 3000 6000 0112 3456 7890 189"},
		{"FR1420041010050500013M02606", "FR14 2004 1010 0505 0001 3M02 606"},
		{"DE89370400440532013000", "DE89 3704 0044 0532 0130 00"},
		{"BE68539007547034", "BE68 5390 0754 7034"},
		{"NO9386011117947", "NO93 8601 1117 947"},
	} {
		i, err := ident.ParseIBAN(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := i.Format(); got != c.want {
			t.Errorf("%s.Format() = %q, want %q", c.in, got, c.want)
		}
	}
	if ident.IBAN("").Format() != "" || ident.IBAN("F").Country() != "" {
		t.Error("methods on malformed values should return \"\"")
	}
}

func TestErrorMessages(t *testing.T) {
	// The messages are for people: French, naming what to fix.
	for _, c := range []struct {
		err  func() error
		want string
	}{
		{func() error { _, err := ident.ParseSIREN("12345678"); return err }, "Le SIREN doit compter 9 chiffres (8 saisis)."},
		{func() error { _, err := ident.ParseSIREN("732829321"); return err }, "Clé de contrôle du SIREN invalide"},
		{func() error { _, err := ident.ParseSIREN("73282932A"); return err }, "caractère « A » refusé"},
		{func() error { _, err := ident.ParseSIREN("73282932\x07"); return err }, "caractère U+0007 refusé"},
		{func() error { _, err := ident.ParseSIREN("73282932\u0301"); return err }, "caractère U+0301 refusé"}, // combining accent
		{func() error { _, err := ident.ParseIBAN("FR76\xff"); return err }, "caractère U+FFFD refusé"},        // invalid UTF-8
		{func() error { _, err := ident.ParseSIRET("732829320"); return err }, "est-ce un SIREN ?"},
		{func() error { _, err := ident.ParseIBAN("FR763000600001123456789018"); return err }, "Un IBAN FR doit compter 27 caractères (26 saisis)."},
		{func() error { _, err := ident.ParseIBAN("XX89370400440532013000"); return err }, "« XX »"},
	} {
		err := c.err()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want it to contain %q", err, c.want)
		}
	}
}

func TestCompleteSIREN(t *testing.T) {
	if got := ident.CompleteSIREN("73282932"); got != "732829320" {
		t.Fatalf("got %s", got)
	}
	for _, p := range []string{"00000000", "12345678", "99999999", "54210765"} {
		s := ident.CompleteSIREN(p)
		if _, err := ident.ParseSIREN(string(s)); err != nil {
			t.Errorf("%s → %s: %v", p, s, err)
		}
	}
}

package ident_test

import (
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/ident"
)

// The fuzzers check properties against reference implementations written
// differently from the package's (math/big, the digit-sum-of-products form of
// Luhn), so that a shared misunderstanding is less likely to pass unseen.

var codes = map[string]bool{
	ident.CodeEmpty: true, ident.CodeCharacters: true, ident.CodeDigits: true,
	ident.CodeLength: true, ident.CodeChecksum: true, ident.CodeSIREN: true,
	ident.CodeCountry: true, ident.CodeFormat: true, ident.CodeAlphaKey: true,
}

// checkErr asserts err is a well-formed *ident.Error of the given kind.
func checkErr(t *testing.T, in string, err error, kind string) {
	t.Helper()
	var e *ident.Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %v is %T, not *ident.Error", in, err, err)
	}
	if e.Kind != kind || !codes[e.Code] || e.Msg == "" {
		t.Fatalf("%q: malformed error %+v", in, e)
	}
}

func isASCIIDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// refLuhn: sum the digits of each product, weights 1, 2, 1, 2… from the right.
func refLuhn(s string) bool {
	sum := 0
	for i, w := len(s)-1, 1; i >= 0; i, w = i-1, 3-w {
		p := int(s[i]-'0') * w
		sum += p/10 + p%10
	}
	return sum%10 == 0
}

func refDigitSum(s string) int {
	sum := 0
	for _, c := range s {
		sum += int(c - '0')
	}
	return sum
}

// refMod97 moves the first four characters to the end, spells letters as
// 10…35 and takes the whole number modulo 97 with math/big.
func refMod97(iban string) int64 {
	var b strings.Builder
	for _, c := range iban[4:] + iban[:4] {
		if 'A' <= c && c <= 'Z' {
			b.WriteString(big.NewInt(int64(c - 'A' + 10)).String())
		} else {
			b.WriteRune(c)
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	if !ok {
		return -1
	}
	return new(big.Int).Mod(n, big.NewInt(97)).Int64()
}

func refVATKey(siren string) string {
	n, _ := new(big.Int).SetString(siren, 10)
	m := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	k := (12 + 3*m) % 97
	return string([]byte{byte('0' + k/10), byte('0' + k%10)})
}

// spread puts sep between every byte of an ASCII string: a noisier spelling
// that must parse to the same value.
func spread(s, sep string) string {
	return strings.Join(strings.Split(s, ""), sep)
}

var sirenSeeds = []string{
	"732829320", "542107651", "356000000", "303265045", "732 829 320",
	"732\u00a0829\u202f320", "732.829-320", "732829321", "73282932", "73282932A",
	"", " ", "７３２８２９３２０", "\xff", "ſ", "000000000",
}

func FuzzParseSIREN(f *testing.F) {
	for _, s := range sirenSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_ = ident.SIREN(in).Format() // never panics, whatever the value
		_ = ident.VATFromSIREN(ident.SIREN(in))

		v, err := ident.ParseSIREN(in)
		if isASCIIDigits(in, 9) && (err == nil) != refLuhn(in) {
			t.Fatalf("ParseSIREN(%q) error %v, reference Luhn says %v", in, err, refLuhn(in))
		}
		if err != nil {
			if v != "" {
				t.Fatalf("ParseSIREN(%q) = %q with error %v", in, v, err)
			}
			checkErr(t, in, err, ident.KindSIREN)
			return
		}
		if !isASCIIDigits(string(v), 9) || !refLuhn(string(v)) {
			t.Fatalf("ParseSIREN(%q) accepted %q", in, v)
		}
		for _, again := range []string{string(v), v.Format(), spread(string(v), "\u202f"), " " + in + "\u00a0"} {
			if w, err := ident.ParseSIREN(again); w != v || err != nil {
				t.Fatalf("ParseSIREN(%q) = %q, %v; want %q (from %q)", again, w, err, v, in)
			}
		}
	})
}

func FuzzParseSIRET(f *testing.F) {
	for _, s := range []string{
		"73282932000074", "732 829 320 00074", "35600000000048", "35600000024221",
		"35600000049837", "35600000024222", "73282932000077", "73282932100007",
		"732829320", "7328293200007A", "", "\u00a0", "356000000\u202f00137",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, _, _ = ident.SIRET(in).SIREN(), ident.SIRET(in).NIC(), ident.SIRET(in).Format()

		v, err := ident.ParseSIRET(in)
		if isASCIIDigits(in, 14) {
			want := refLuhn(in[:9]) && (refLuhn(in) || (in[:9] == "356000000" && refDigitSum(in)%5 == 0))
			if (err == nil) != want {
				t.Fatalf("ParseSIRET(%q) error %v, reference says valid=%v", in, err, want)
			}
		}
		if err != nil {
			if v != "" {
				t.Fatalf("ParseSIRET(%q) = %q with error %v", in, v, err)
			}
			checkErr(t, in, err, ident.KindSIRET)
			return
		}
		if !isASCIIDigits(string(v), 14) {
			t.Fatalf("ParseSIRET(%q) accepted %q", in, v)
		}
		if s, err := ident.ParseSIREN(string(v.SIREN())); err != nil || s != v.SIREN() {
			t.Fatalf("SIRET %q holds SIREN %q that does not parse: %v", v, v.SIREN(), err)
		}
		if string(v.SIREN())+v.NIC() != string(v) {
			t.Fatalf("SIREN()+NIC() of %q = %q+%q", v, v.SIREN(), v.NIC())
		}
		for _, again := range []string{string(v), v.Format(), spread(string(v), "."), "\t" + in + "\n"} {
			if w, err := ident.ParseSIRET(again); w != v || err != nil {
				t.Fatalf("ParseSIRET(%q) = %q, %v; want %q (from %q)", again, w, err, v, in)
			}
		}
	})
}

func FuzzParseVAT(f *testing.F) {
	for _, s := range []string{
		"FR40303265045", "FR 40 303 265 045", "fr44732829320", "FR03552081317",
		"FR41303265045", "FR40303265046", "DE123456789", "FRAB303265045",
		"FR4030326504", "", "FR", "F", "FR40303265045é", "ＦＲ40303265045",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_ = ident.VAT(in).SIREN()

		v, err := ident.ParseVAT(in)
		if err != nil {
			if v != "" {
				t.Fatalf("ParseVAT(%q) = %q with error %v", in, v, err)
			}
			checkErr(t, in, err, ident.KindVAT)
			return
		}
		if len(v) != 13 || v[:2] != "FR" || !isASCIIDigits(string(v[2:]), 11) {
			t.Fatalf("ParseVAT(%q) accepted %q", in, v)
		}
		if !refLuhn(string(v[4:])) || string(v[2:4]) != refVATKey(string(v[4:])) {
			t.Fatalf("ParseVAT(%q) accepted %q: SIREN or key wrong per the reference", in, v)
		}
		s, err := ident.ParseSIREN(string(v.SIREN()))
		if err != nil || s != v.SIREN() {
			t.Fatalf("VAT %q holds SIREN %q that does not parse: %v", v, v.SIREN(), err)
		}
		if ident.VATFromSIREN(s) != v {
			t.Fatalf("VATFromSIREN(%q) = %q, want %q", s, ident.VATFromSIREN(s), v)
		}
		for _, again := range []string{string(v), strings.ToLower(string(v)), spread(string(v), " "), " " + in + " "} {
			if w, err := ident.ParseVAT(again); w != v || err != nil {
				t.Fatalf("ParseVAT(%q) = %q, %v; want %q (from %q)", again, w, err, v, in)
			}
		}
	})
}

// FuzzVATFromSIREN draws 9-digit numbers, one in ten a valid SIREN, so that
// the key formula is exercised far more often than random text would.
func FuzzVATFromSIREN(f *testing.F) {
	for _, n := range []uint32{732829320, 542107651, 356000000, 303265045, 552081317, 0, 999999999, 100000000} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n uint32) {
		d := []byte("000000000")
		for i, m := 8, n%1_000_000_000; i >= 0; i, m = i-1, m/10 {
			d[i] = byte('0' + m%10)
		}
		s, err := ident.ParseSIREN(string(d))
		if err != nil {
			return
		}
		v := ident.VATFromSIREN(s)
		if string(v) != "FR"+refVATKey(string(s))+string(s) {
			t.Fatalf("VATFromSIREN(%q) = %q, reference key %s", s, v, refVATKey(string(s)))
		}
		w, err := ident.ParseVAT(string(v))
		if err != nil || w != v || w.SIREN() != s {
			t.Fatalf("ParseVAT(VATFromSIREN(%q) = %q) = %q, %v; SIREN() = %q", s, v, w, err, w.SIREN())
		}
	})
}

// ibanLengths is the test's own copy of a few registry lengths, to catch a
// typo in the package's table for the countries that matter most.
var ibanLengths = map[string]int{
	"FR": 27, "DE": 22, "BE": 16, "ES": 24, "IT": 27, "NL": 18, "LU": 20,
	"CH": 21, "GB": 22, "MC": 27, "PT": 25, "AT": 20, "IE": 22, "NO": 15,
	"MT": 31, "PL": 28, "SE": 24, "DK": 18, "FI": 18, "GR": 27, "RU": 33,
}

func FuzzParseIBAN(f *testing.F) {
	for _, s := range []string{
		"FR1420041010050500013M02606", "DE89370400440532013000", "GB82WEST12345698765432",
		"BE68539007547034", "FR76 3000 6000 0112 3456 7890 189",
		"FR76\u00a03000\u00a06000\u00a00112\u00a03456\u00a07890\u00a0189",
		"fr76-3000-6000-0112-3456-7890-189", "FR7630006000011234567890188",
		"FR0030006000010000000005400", "FR9730006000010000000005400",
		"XX89370400440532013000", "DE8937040044053201300", "FRAB30006000011234567890189",
		"", "F", "FR", "FR76", "ǅ", "\u212a", "RU0204452560040702810412345678901",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, _ = ident.IBAN(in).Format(), ident.IBAN(in).Country()

		v, err := ident.ParseIBAN(in)
		if err != nil {
			if v != "" {
				t.Fatalf("ParseIBAN(%q) = %q with error %v", in, v, err)
			}
			checkErr(t, in, err, ident.KindIBAN)
			return
		}
		for _, c := range []byte(v) {
			if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z') {
				t.Fatalf("ParseIBAN(%q) accepted %q with byte %q", in, v, c)
			}
		}
		if len(v) < 15 || len(v) > 34 || v.Country() != string(v[:2]) || !isASCIIDigits(string(v[2:4]), 2) {
			t.Fatalf("ParseIBAN(%q) accepted malformed %q", in, v)
		}
		if want, ok := ibanLengths[v.Country()]; ok && len(v) != want {
			t.Fatalf("ParseIBAN(%q) accepted %q of length %d, want %d", in, v, len(v), want)
		}
		if cd := v[2:4]; cd < "02" || cd > "98" || refMod97(string(v)) != 1 {
			t.Fatalf("ParseIBAN(%q) accepted %q failing the reference checksum", in, v)
		}
		for _, again := range []string{string(v), v.Format(), strings.ToLower(v.Format()), spread(string(v), "\u202f"), "\u00a0" + in + " "} {
			if w, err := ident.ParseIBAN(again); w != v || err != nil {
				t.Fatalf("ParseIBAN(%q) = %q, %v; want %q (from %q)", again, w, err, v, in)
			}
		}
		// ISO 7064 MOD 97-10 catches every substitution of one digit by
		// another digit, or one letter by another letter: the difference,
		// at most 96 times a power of 10, is never a multiple of 97.
		for i := range len(v) {
			b := []byte(v)
			if c := b[i]; c <= '9' {
				b[i] = '0' + (c-'0'+1+byte(len(in)%9))%10
			} else {
				b[i] = 'A' + (c-'A'+1+byte(len(in)%25))%26
			}
			if w, err := ident.ParseIBAN(string(b)); err == nil {
				t.Fatalf("ParseIBAN(%q) accepted %q, one character off the valid %q", string(b), w, v)
			}
		}
	})
}

// FuzzIBANFromParts builds a valid IBAN from arbitrary bytes — any country of
// the test's table, a BBAN of the right length, check digits computed by the
// reference — since random text almost never is one. ParseIBAN must accept it
// in every spelling and reject every one-character substitution.
func FuzzIBANFromParts(f *testing.F) {
	f.Add(uint8(0), []byte("3000600001123456789018"))
	f.Add(uint8(7), []byte("WEST12345698765432"))
	f.Add(uint8(200), []byte{})
	f.Add(uint8(3), []byte("\x00\xff zz"))
	countries := make([]string, 0, len(ibanLengths))
	for c := range ibanLengths {
		countries = append(countries, c)
	}
	slices.Sort(countries)
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	f.Fuzz(func(t *testing.T, ci uint8, raw []byte) {
		country := countries[int(ci)%len(countries)]
		bban := make([]byte, ibanLengths[country]-4)
		for i := range bban {
			if i < len(raw) {
				bban[i] = alnum[int(raw[i])%len(alnum)]
			} else {
				bban[i] = '0'
			}
		}
		cd := 98 - refMod97(country+"00"+string(bban))
		want := ident.IBAN(country + string([]byte{byte('0' + cd/10), byte('0' + cd%10)}) + string(bban))
		if refMod97(string(want)) != 1 {
			t.Fatalf("test bug: built %q with mod 97 = %d", want, refMod97(string(want)))
		}
		for _, in := range []string{string(want), want.Format(), strings.ToLower(want.Format()), spread(string(want), "\u00a0")} {
			if got, err := ident.ParseIBAN(in); got != want || err != nil {
				t.Fatalf("ParseIBAN(%q) = %q, %v; want %q", in, got, err, want)
			}
		}
		for i := range len(want) {
			b := []byte(want)
			if c := b[i]; c <= '9' {
				b[i] = '0' + (c-'0'+1+byte(len(raw)%9))%10
			} else {
				b[i] = 'A' + (c-'A'+1+byte(len(raw)%25))%26
			}
			if got, err := ident.ParseIBAN(string(b)); err == nil {
				t.Fatalf("ParseIBAN(%q) accepted %q, one character off the valid %q", string(b), got, want)
			}
		}
	})
}

package ident_test

import (
	"testing"

	"github.com/recouvra/recouvra/internal/ident"
)

func TestNewRF(t *testing.T) {
	cases := []struct{ ref, want string }{
		{"539007547034", "RF18539007547034"},                   // ISO 11649's own example (RF18 5390 0754 7034)
		{"2348231", "RF712348231"},                             // the EPC's example (RF71 2348 231)
		{"D-2026-000042", "RF69D2026000042"},                   // a case reference, separators dropped
		{"d 2026 000042", "RF69D2026000042"},                   // the same reference, however typed
		{"A", "RF25A"},                                         // checked by hand: A RF00 → 10271500, mod 97 = 73, 98 − 73 = 25
		{"123456789012345678901", "RF40123456789012345678901"}, // 21 characters, the longest
	}
	for _, c := range cases {
		got, err := ident.NewRF(c.ref)
		if err != nil || string(got) != c.want {
			t.Errorf("NewRF(%q) = %q, %v; want %q", c.ref, got, err, c.want)
			continue
		}
		if back, err := ident.ParseRF(string(got)); err != nil || back != got {
			t.Errorf("ParseRF(NewRF(%q)) = %q, %v", c.ref, back, err)
		}
		if got.Reference() == "" {
			t.Errorf("%q: no reference part", got)
		}
	}
	for _, c := range []struct{ ref, code string }{
		{"", ident.CodeEmpty},
		{" - ", ident.CodeEmpty},
		{"1234567890123456789012", ident.CodeLength}, // 22
		{"D/2026", ident.CodeCharacters},
		{"DÉ2026", ident.CodeCharacters},
	} {
		got, err := ident.NewRF(c.ref)
		if got != "" {
			t.Errorf("NewRF(%q) = %q, want an error", c.ref, got)
		}
		wantErr(t, c.ref, err, ident.KindRF, c.code)
	}
}

func TestParseRF(t *testing.T) {
	valid := []struct{ in, want string }{
		{"RF18 5390 0754 7034", "RF18539007547034"},
		{"RF18539007547034", "RF18539007547034"},
		{"rf18 5390 0754 7034", "RF18539007547034"},
		{"RF18000000000539007547034", "RF18000000000539007547034"}, // leading zeros: 25 characters
		{"RF71 2348 231", "RF712348231"},
		{"RF69 D202 6000 042", "RF69D2026000042"},
	}
	for _, c := range valid {
		got, err := ident.ParseRF(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("ParseRF(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if f := ident.RF("RF18539007547034").Format(); f != "RF18 5390 0754 7034" {
		t.Errorf("Format = %q", f)
	}
	invalid := []struct{ in, code string }{
		{"", ident.CodeEmpty},
		{"RF19 5390 0754 7034", ident.CodeChecksum}, // wrong check digits
		{"RF18 5390 0754 7043", ident.CodeChecksum}, // transposition
		{"RF00 0000 0000 0000", ident.CodeChecksum},
		{"RF99 1234", ident.CodeChecksum},
		{"RF1", ident.CodeLength},
		{"RF18", ident.CodeLength},
		{"RF18 0000 0000 0539 0075 4703 4X", ident.CodeLength}, // 26
		{"RFAB1234", ident.CodeFormat},
		{"FR18 5390 0754 7034", ident.CodeFormat},
		{"RF18_5390", ident.CodeCharacters},
	}
	for _, c := range invalid {
		got, err := ident.ParseRF(c.in)
		if got != "" {
			t.Errorf("ParseRF(%q) = %q, want an error", c.in, got)
		}
		wantErr(t, c.in, err, ident.KindRF, c.code)
	}
}

func TestFindRF(t *testing.T) {
	cases := []struct{ text, want string }{
		{"RF69 D202 6000 042", "RF69D2026000042"},
		{"Paiement RF69D2026000042 facture F-12", "RF69D2026000042"},
		{"/RFB/RF18539007547034", "RF18539007547034"},
		{"Ref RF18 5390 0754 7034 merci", "RF18539007547034"},
		{"rf18 5390 0754 7034", "RF18539007547034"},
		{"RF19 5390 0754 7034", ""}, // check digits wrong
		{"SURF18539007547034", ""},  // inside a word
		{"facture 2026-17", ""},
		{"", ""},
	}
	for _, c := range cases {
		if got := ident.FindRF(c.text); string(got) != c.want {
			t.Errorf("FindRF(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

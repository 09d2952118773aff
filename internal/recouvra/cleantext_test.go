package recouvra_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestCleanText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in    string
		lines recouvra.Lines
		max   int
		want  string
	}{
		{"Dupont SA", recouvra.OneLine, 0, "Dupont SA"},
		{"Dup\x00ont", recouvra.OneLine, 0, "Dup ont"},
		{"Dup\x01\x7f\u0085ont", recouvra.OneLine, 0, "Dup ont"},
		{"Dup\u202Eont\u2066", recouvra.OneLine, 0, "Dupont"},
		{"caf\xe9 \xff", recouvra.OneLine, 0, "caf\uFFFD \uFFFD"},
		{"priv\uE000 \u0378", recouvra.OneLine, 0, "priv\uFFFD \uFFFD"},
		{"  VIR\tSEPA\r\nFACT  12  ", recouvra.OneLine, 0, "VIR SEPA FACT 12"},
		{"ligne 1\r\nligne\x00 2", recouvra.MultiLine, 0, "ligne 1\nligne 2"},
		{"12\u00a0345\u202f€", recouvra.OneLine, 0, "12\u00a0345\u202f€"},
		{"Łódź 株式会社 😀 Nguyễn", recouvra.OneLine, 0, "Łódź 株式会社 😀 Nguyễn"},
		{"ÉÉÉÉÉ", recouvra.OneLine, 3, "ÉÉÉ"},
	} {
		got := recouvra.CleanText(c.in, c.lines, c.max)
		if got != c.want {
			t.Errorf("CleanText(%q) = %q, want %q", c.in, got, c.want)
		}
		if _, _, ok := recouvra.Unprintable(got, c.lines); !ok && !strings.ContainsRune(got, utf8.RuneError) {
			t.Errorf("CleanText(%q) = %q is still refused by Unprintable", c.in, got)
		}
	}
	long := strings.Repeat("é", 10_000)
	if got := recouvra.CleanText(long, recouvra.OneLine, 140); utf8.RuneCountInString(got) != 140 || !utf8.ValidString(got) {
		t.Errorf("long text cut to %d runes, valid %v", utf8.RuneCountInString(got), utf8.ValidString(got))
	}
}

package ident

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// normalize removes separators (see isSeparator) and upper-cases ASCII
// letters. Digits are always kept, ASCII letters only when letters is true.
// At the first other character it stops and returns that character with
// ok == false. Only ASCII is ever kept: unicode.ToUpper would turn 'ſ' into
// 'S' or the Kelvin sign into 'K', and unicode.IsDigit accepts Arabic-Indic
// digits, none of which belong in an identifier.
func normalize(s string, letters bool) (norm string, bad rune, ok bool) {
	b := make([]byte, 0, min(len(s), 64))
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			b = append(b, byte(r))
		case letters && 'A' <= r && r <= 'Z':
			b = append(b, byte(r))
		case letters && 'a' <= r && r <= 'z':
			b = append(b, byte(r-'a'+'A'))
		case isSeparator(r):
		default:
			return "", r, false
		}
	}
	return string(b), 0, true
}

// isSeparator reports whether r is one of the characters people type or paste
// inside identifiers: white space (including U+00A0 and U+202F), invisible
// zero-width characters, dots and hyphens.
func isSeparator(r rune) bool {
	switch r {
	case '.', '-',
		'\u2010', '\u2011', '\u2012', '\u2013', // hyphen, non-breaking hyphen, figure dash, en dash
		'\u200B', '\u2060', '\uFEFF': // zero-width space, word joiner, byte order mark
		return true
	}
	return unicode.IsSpace(r) // includes U+00A0 and U+202F
}

// quoteRune shows r for a French message: « A » when it is printable,
// U+0007 otherwise.
func quoteRune(r rune) string {
	if r != utf8.RuneError && unicode.IsGraphic(r) && !unicode.Is(unicode.Mn, r) {
		return "« " + string(r) + " »"
	}
	return fmt.Sprintf("U+%04X", r)
}

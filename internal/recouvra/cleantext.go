package recouvra

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText is the other side of Unprintable, for text that comes from
// outside and is kept rather than refused — a bank statement's names and
// remittance information, a value echoed in a refusal: what Unprintable
// would refuse is made harmless instead. A NUL (which PostgreSQL refuses
// in text), the other controls and, on one line, line breaks and tabs
// become a space; the bidi embeddings, overrides and isolates, which would
// reorder what a reader sees, are dropped; a byte that is not UTF-8, a
// private-use or an unassigned code point becomes U+FFFD. Runs of spaces
// are collapsed, the ends trimmed, and the result cut to max runes (0: no
// limit) on a rune boundary.
func CleanText(s string, lines Lines, max int) string {
	if _, _, ok := Unprintable(s, lines); ok && !strings.Contains(s, "  ") && strings.TrimSpace(s) == s && (max <= 0 || utf8.RuneCountInString(s) <= max) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	n := 0
	put := func(r rune) {
		if r == ' ' {
			space = b.Len() > 0
			return
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	for i, w := 0, 0; i < len(s) && (max <= 0 || n < max); i += w {
		var r rune
		r, w = utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n' && lines == MultiLine:
			space = false
			b.WriteByte('\n')
			n++
		case r == '\r' && lines == MultiLine && strings.HasPrefix(s[i+w:], "\n"):
		case r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069':
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', unicode.IsSpace(r) && r != '\u00A0' && r != '\u202F':
			put(' ')
		case r == utf8.RuneError && w == 1, unicode.Is(unicode.Co, r),
			!unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs, unicode.Cf):
			put(utf8.RuneError)
		default:
			put(r)
		}
	}
	return strings.TrimRight(b.String(), " \n")
}

// bounded appends to f an error on field when value is longer than the
// contract allows (max runes): the API's gate refuses it from the
// schema's maxLength, but text that comes in files (placement rows,
// electronic invoices) reaches the rules without the gate.
func bounded(f []FieldError, field, value string, max int) []FieldError {
	if utf8.RuneCountInString(value) > max {
		f = append(f, FieldError{field, "too_long", fmt.Sprintf("%d caractères au plus.", max)})
	}
	return f
}

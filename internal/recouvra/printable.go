package recouvra

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// What may be printed on a legal letter. Names, addresses, references and
// the other fields that documents print must be text a person can read and
// copy back: no control characters (a tab or a line break splits a name on
// the envelope; NUL, DEL and the C1 controls print nothing), no U+FFFD (the
// mark of a text already mangled by a conversion), no private-use or
// unassigned code points (they mean nothing outside one font), and no bidi
// embedding, override or isolate (U+202A–U+202E, U+2066–U+2069), which
// reorder the characters a reader sees and can make "0001" read "1000".
// Every script is welcome: a character the documents' fonts lack is drawn
// as U+FFFD and logged (internal/pdf), which is not a reason to refuse it.

// Lines says whether a text may span lines.
type Lines bool

const (
	OneLine   Lines = false // names, addresses, references: one line each
	MultiLine Lines = true  // free text (notes): line breaks allowed
)

// Unprintable returns the first character of s that cannot be printed on a
// letter, with a stable code and a French message saying why, or ok when
// every character can be printed.
func Unprintable(s string, lines Lines) (code, message string, ok bool) {
	for i, w := 0, 0; i < len(s); i += w {
		var r rune
		r, w = utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w <= 1:
			return "unprintable.encoding", "Le texte n'est pas un UTF-8 valide.", false
		case r == '\n' && lines == MultiLine:
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029':
			return "unprintable.line_break", "Ce champ tient sur une ligne : retirez le retour à la ligne ou la tabulation (" + codePoint(r) + ").", false
		case unicode.IsControl(r):
			return "unprintable.control", "Caractère de contrôle " + codePoint(r) + " : il ne s'imprime pas.", false
		case r == utf8.RuneError:
			return "unprintable.replacement", "Caractère de remplacement U+FFFD : le texte a été mal converti, saisissez-le à nouveau.", false
		case r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069':
			return "unprintable.bidi", "Commande de sens d'écriture " + codePoint(r) + " : elle inverserait l'ordre des caractères imprimés.", false
		case unicode.Is(unicode.Co, r):
			return "unprintable.private_use", "Caractère à usage privé " + codePoint(r) + " : il n'a de sens que dans une police particulière.", false
		case !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs, unicode.Cf):
			return "unprintable.unassigned", "Caractère " + codePoint(r) + " non attribué par Unicode.", false
		}
	}
	return "", "", true
}

// printable appends to f an error on field when value cannot be printed on
// a letter.
func printable(f []FieldError, field, value string, lines Lines) []FieldError {
	if code, msg, ok := Unprintable(value, lines); !ok {
		f = append(f, FieldError{field, code, msg})
	}
	return f
}

// PrintableField is printable for the callers outside the domain: nil when
// value can be printed, else the one field error.
func PrintableField(field, value string, lines Lines) []FieldError {
	return printable(nil, field, value, lines)
}

// printableAddress checks each line of an address, and its length as the
// contract's Address bounds it; prefix is its field path with its dot
// ("debtor.address.").
func printableAddress(f []FieldError, prefix string, a Address) []FieldError {
	f = bounded(f, prefix+"line1", a.Line1, 200)
	f = bounded(f, prefix+"line2", a.Line2, 200)
	f = bounded(f, prefix+"postal_code", a.PostalCode, 20)
	f = bounded(f, prefix+"city", a.City, 100)
	f = printable(f, prefix+"line1", a.Line1, OneLine)
	f = printable(f, prefix+"line2", a.Line2, OneLine)
	f = printable(f, prefix+"postal_code", a.PostalCode, OneLine)
	f = printable(f, prefix+"city", a.City, OneLine)
	return printable(f, prefix+"country", a.Country, OneLine)
}

// indexed names an element of a list field: "debtor.emails[0]".
func indexed(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

func codePoint(r rune) string { return fmt.Sprintf("U+%04X", r) }

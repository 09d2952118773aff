package ident

import (
	"fmt"
	"strings"
)

// KindRF is the Error.Kind of a structured creditor reference.
const KindRF = "rf"

// RF is a valid ISO 11649 structured creditor reference: "RF", two check
// digits, then 1 to 21 upper-case letters and digits, no separator
// ("RF18539007547034").
//
// The check digits are ISO 7064 MOD 97-10, as for an IBAN: the reference
// followed by "RF00", letters replaced by their values (A=10 … Z=35), taken
// modulo 97, subtracted from 98. Checking moves the first four characters to
// the end; the number must then be 1 modulo 97.
type RF string

// rfMaxRef is the longest reference part (25 characters in all).
const rfMaxRef = 21

// NewRF builds the RF reference of ref, a reference of 1 to 21 letters and
// digits once separators are removed ("D-2026-000042" gives
// "RF..D2026000042"). The same ref always gives the same RF.
func NewRF(ref string) (RF, error) {
	n, bad, ok := normalize(ref, true)
	switch {
	case !ok:
		return "", newError(KindRF, CodeCharacters, "La référence ne doit contenir que des lettres et des chiffres (caractère "+quoteRune(bad)+" refusé).")
	case n == "":
		return "", newError(KindRF, CodeEmpty, "La référence est vide.")
	case len(n) > rfMaxRef:
		return "", newError(KindRF, CodeLength, fmt.Sprintf("Une référence RF porte au plus %d lettres et chiffres (%d ici).", rfMaxRef, len(n)))
	}
	return RF(fmt.Sprintf("RF%02d%s", 98-mod97(n+"RF00"), n)), nil
}

// ParseRF normalises s (separators removed, letters upper-cased) and checks
// it is an ISO 11649 reference: "RF", two digits, 1 to 21 letters and digits,
// and check digits that make the rearranged number 1 modulo 97.
func ParseRF(s string) (RF, error) {
	n, bad, ok := normalize(s, true)
	if !ok {
		return "", newError(KindRF, CodeCharacters, "La référence RF ne doit contenir que des lettres et des chiffres (caractère "+quoteRune(bad)+" refusé).")
	}
	if n == "" {
		return "", newError(KindRF, CodeEmpty, "La référence RF est vide.")
	}
	if !strings.HasPrefix(n, "RF") {
		return "", newError(KindRF, CodeFormat, "Une référence structurée commence par « RF ».")
	}
	if len(n) < 5 || len(n) > 4+rfMaxRef {
		return "", newError(KindRF, CodeLength, fmt.Sprintf("Une référence RF compte de 5 à %d caractères (%d saisis).", 4+rfMaxRef, len(n)))
	}
	if !allDigits(n[2:4]) {
		return "", newError(KindRF, CodeFormat, "Les 3e et 4e caractères d'une référence RF (la clé de contrôle) doivent être des chiffres.")
	}
	if cd := n[2:4]; cd == "00" || cd == "01" || cd == "99" || mod97(n[4:]+n[:4]) != 1 {
		return "", newError(KindRF, CodeChecksum, "Clé de contrôle de la référence RF invalide : vérifiez les caractères saisis.")
	}
	return RF(n), nil
}

// Reference returns the creditor's own reference inside r (what follows the
// check digits), "" if r is too short.
func (r RF) Reference() string {
	if len(r) < 5 {
		return ""
	}
	return string(r[4:])
}

// Format returns r in groups of 4 separated by spaces, the printed form:
// "RF18 5390 0754 7034".
func (r RF) Format() string { return IBAN(r).Format() }

// FindRF returns the first valid RF reference written in free text (a
// transfer's remittance information), spaces between its groups of four
// allowed; "" when there is none.
func FindRF(text string) RF {
	up := strings.ToUpper(text)
	for i := 0; i+5 <= len(up); i++ {
		if up[i] != 'R' || up[i+1] != 'F' || (i > 0 && isAlnum(up[i-1])) {
			continue
		}
		// Take letters and digits, and single spaces between groups of
		// four (the printed form), up to 25; remember where words end.
		var b []byte
		var ends []int
		for j := i; j < len(up) && len(b) < 4+rfMaxRef; j++ {
			c := up[j]
			if isAlnum(c) {
				b = append(b, c)
				continue
			}
			if c == ' ' && len(b)%4 == 0 && j+1 < len(up) && isAlnum(up[j+1]) {
				ends = append(ends, len(b))
				continue
			}
			break
		}
		ends = append(ends, len(b))
		// The longest run up to a word's end that checks is the reference.
		for k := len(ends) - 1; k >= 0; k-- {
			if ends[k] < 5 {
				break
			}
			if rf, err := ParseRF(string(b[:ends[k]])); err == nil {
				return rf
			}
		}
	}
	return ""
}

func isAlnum(c byte) bool { return isLetter(c) || ('0' <= c && c <= '9') }

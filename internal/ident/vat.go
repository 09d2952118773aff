package ident

import "fmt"

// VAT is a valid French intra-community VAT number: "FR", the 2-digit key and
// the SIREN, 13 characters with no separator ("FR40303265045").
type VAT string

// ParseVAT normalises s and checks it is a French VAT number with a numeric
// key: "FR" + key + SIREN, the SIREN valid and the key equal to
// (12 + 3 × (SIREN mod 97)) mod 97.
func ParseVAT(s string) (VAT, error) {
	n, bad, ok := normalize(s, true)
	switch {
	case !ok:
		return "", newError(KindVAT, CodeCharacters, "Le numéro de TVA ne doit contenir que des lettres et des chiffres (caractère "+quoteRune(bad)+" refusé).")
	case n == "":
		return "", newError(KindVAT, CodeEmpty, "Le numéro de TVA est vide.")
	case len(n) < 2 || !isLetter(n[0]) || !isLetter(n[1]):
		return "", newError(KindVAT, CodeCountry, "Le numéro de TVA doit commencer par le code pays « FR ».")
	case n[:2] != "FR":
		return "", newError(KindVAT, CodeCountry, "Seuls les numéros de TVA intracommunautaire français (commençant par « FR ») sont acceptés.")
	case len(n) != 13:
		return "", newError(KindVAT, CodeLength, fmt.Sprintf("Le numéro de TVA doit compter 13 caractères : « FR », une clé de 2 chiffres et le SIREN (%d saisis).", len(n)))
	case !allDigits(n[4:]):
		return "", newError(KindVAT, CodeDigits, "Les 9 derniers caractères du numéro de TVA (le SIREN) doivent être des chiffres.")
	case !allDigits(n[2:4]):
		return "", newError(KindVAT, CodeAlphaKey, "Les numéros de TVA à clé alphanumérique ne sont pas pris en charge : seule la clé de 2 chiffres calculée à partir du SIREN l'est.")
	case !luhn(n[4:]):
		return "", newError(KindVAT, CodeSIREN, "Le SIREN contenu dans le numéro de TVA (9 derniers chiffres) est invalide : vérifiez les chiffres saisis.")
	case n[2:4] != vatKey(n[4:]):
		return "", newError(KindVAT, CodeChecksum, "Clé du numéro de TVA invalide : elle ne correspond pas au SIREN.")
	}
	return VAT(n), nil
}

// VATFromSIREN returns the French VAT number of the company with SIREN s. s
// must come from ParseSIREN (or SIRET.SIREN, VAT.SIREN); for a value that is
// not 9 ASCII digits it returns "".
func VATFromSIREN(s SIREN) VAT {
	if len(s) != 9 || !allDigits(string(s)) {
		return ""
	}
	return VAT("FR" + vatKey(string(s)) + string(s))
}

// SIREN returns the SIREN inside the VAT number; "" if v is not 13 bytes
// long.
func (v VAT) SIREN() SIREN {
	if len(v) != 13 {
		return ""
	}
	return SIREN(v[4:])
}

// vatKey returns the 2-digit key (12 + 3 × (siren mod 97)) mod 97 for the
// ASCII digits in siren.
func vatKey(siren string) string {
	m := 0
	for i := range len(siren) {
		m = (m*10 + int(siren[i]-'0')) % 97
	}
	k := (12 + 3*m) % 97
	return string([]byte{byte('0' + k/10), byte('0' + k%10)})
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'A' <= c && c <= 'Z' }

package ident

import "fmt"

// SIREN is a valid SIREN (company number): 9 digits, no separator.
type SIREN string

// SIRET is a valid SIRET (establishment number): 14 digits, the SIREN then
// the NIC, no separator.
type SIRET string

// laPoste is the SIREN of La Poste, whose establishments do not follow Luhn.
const laPoste = "356000000"

// ParseSIREN normalises s and checks it is a SIREN: 9 digits passing Luhn.
func ParseSIREN(s string) (SIREN, error) {
	n, bad, ok := normalize(s, false)
	switch {
	case !ok:
		return "", newError(KindSIREN, CodeDigits, "Le SIREN ne doit contenir que des chiffres (caractère "+quoteRune(bad)+" refusé).")
	case n == "":
		return "", newError(KindSIREN, CodeEmpty, "Le SIREN est vide.")
	case len(n) != 9:
		msg := fmt.Sprintf("Le SIREN doit compter 9 chiffres (%d saisis).", len(n))
		if len(n) == 14 {
			msg = "Le SIREN doit compter 9 chiffres ; 14 chiffres saisis : est-ce un SIRET ?"
		}
		return "", newError(KindSIREN, CodeLength, msg)
	case !luhn(n):
		return "", newError(KindSIREN, CodeChecksum, "Clé de contrôle du SIREN invalide : vérifiez les chiffres saisis.")
	}
	return SIREN(n), nil
}

// Format returns the SIREN grouped as usual in France: "732 829 320". For a
// value not of 9 bytes it returns the value unchanged.
func (s SIREN) Format() string {
	if len(s) != 9 {
		return string(s)
	}
	return string(s[0:3]) + " " + string(s[3:6]) + " " + string(s[6:9])
}

// ParseSIRET normalises s and checks it is a SIRET: 14 digits whose first 9
// are a valid SIREN, passing Luhn — or, for La Poste (SIREN 356000000), whose
// digit sum is a multiple of 5.
func ParseSIRET(s string) (SIRET, error) {
	n, bad, ok := normalize(s, false)
	switch {
	case !ok:
		return "", newError(KindSIRET, CodeDigits, "Le SIRET ne doit contenir que des chiffres (caractère "+quoteRune(bad)+" refusé).")
	case n == "":
		return "", newError(KindSIRET, CodeEmpty, "Le SIRET est vide.")
	case len(n) != 14:
		msg := fmt.Sprintf("Le SIRET doit compter 14 chiffres (%d saisis).", len(n))
		if len(n) == 9 {
			msg = "Le SIRET doit compter 14 chiffres (SIREN et NIC) ; 9 chiffres saisis : est-ce un SIREN ?"
		}
		return "", newError(KindSIRET, CodeLength, msg)
	case !luhn(n[:9]):
		return "", newError(KindSIRET, CodeSIREN, "Le SIREN contenu dans le SIRET (9 premiers chiffres) est invalide : vérifiez les chiffres saisis.")
	case !luhn(n) && !(n[:9] == laPoste && digitSum(n)%5 == 0):
		return "", newError(KindSIRET, CodeChecksum, "Clé de contrôle du SIRET invalide : vérifiez les chiffres saisis.")
	}
	return SIRET(n), nil
}

// SIREN returns the first 9 digits, the company's SIREN; "" if s is not 14
// bytes long.
func (s SIRET) SIREN() SIREN {
	if len(s) != 14 {
		return ""
	}
	return SIREN(s[:9])
}

// NIC returns the last 5 digits, the establishment's number within the
// company; "" if s is not 14 bytes long.
func (s SIRET) NIC() string {
	if len(s) != 14 {
		return ""
	}
	return string(s[9:])
}

// Format returns the SIRET grouped as usual in France: "732 829 320 00074".
// For a value not of 14 bytes it returns the value unchanged.
func (s SIRET) Format() string {
	if len(s) != 14 {
		return string(s)
	}
	return s.SIREN().Format() + " " + s.NIC()
}

// luhn reports whether the ASCII digits in d pass the Luhn check: doubling
// every second digit from the right (subtracting 9 above 9), the sum is a
// multiple of 10.
func luhn(d string) bool {
	sum := 0
	for i := range len(d) {
		v := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

// digitSum returns the sum of the ASCII digits in d.
func digitSum(d string) int {
	sum := 0
	for i := range len(d) {
		sum += int(d[i] - '0')
	}
	return sum
}

// CompleteSIREN appends to 8 digits the Luhn check digit that makes them a
// SIREN (used to generate demonstration data). It panics on anything but 8
// ASCII digits: callers build the digits themselves.
func CompleteSIREN(first8 string) SIREN {
	if len(first8) != 8 || !allDigits(first8) {
		panic("ident: CompleteSIREN needs 8 digits")
	}
	for d := byte('0'); d <= '9'; d++ {
		if s := first8 + string(d); luhn(s) {
			return SIREN(s)
		}
	}
	panic("unreachable: one check digit always fits")
}

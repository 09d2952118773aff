package ident

import (
	"fmt"
	"strings"
)

// IBAN is a valid International Bank Account Number (ISO 13616): upper-case
// letters and digits, no separator ("FR7630006000011234567890189").
type IBAN string

// ParseIBAN normalises s and checks it is an IBAN: a known country code, the
// length the registry gives for that country, and check digits (02 to 98)
// such that the rearranged number modulo 97 is 1.
func ParseIBAN(s string) (IBAN, error) {
	n, bad, ok := normalize(s, true)
	if !ok {
		return "", newError(KindIBAN, CodeCharacters, "L'IBAN ne doit contenir que des lettres et des chiffres (caractère "+quoteRune(bad)+" refusé).")
	}
	if n == "" {
		return "", newError(KindIBAN, CodeEmpty, "L'IBAN est vide.")
	}
	if len(n) < 2 || !isLetter(n[0]) || !isLetter(n[1]) {
		return "", newError(KindIBAN, CodeCountry, "L'IBAN doit commencer par le code pays sur 2 lettres (par exemple « FR »).")
	}
	want, known := ibanLengths[n[:2]]
	if !known {
		return "", newError(KindIBAN, CodeCountry, "Code pays de l'IBAN inconnu ou sans IBAN : « "+n[:2]+" ».")
	}
	if len(n) != want {
		return "", newError(KindIBAN, CodeLength, fmt.Sprintf("Un IBAN %s doit compter %d caractères (%d saisis).", n[:2], want, len(n)))
	}
	if !allDigits(n[2:4]) {
		return "", newError(KindIBAN, CodeFormat, "Les 3e et 4e caractères de l'IBAN (la clé de contrôle) doivent être des chiffres.")
	}
	if cd := n[2:4]; cd == "00" || cd == "01" || cd == "99" || mod97(n[4:]+n[:4]) != 1 {
		return "", newError(KindIBAN, CodeChecksum, "Clé de contrôle de l'IBAN invalide : vérifiez les caractères saisis.")
	}
	return IBAN(n), nil
}

// Country returns the 2-letter country code, "FR" for a French IBAN; "" if
// i is shorter than 2 bytes.
func (i IBAN) Country() string {
	if len(i) < 2 {
		return ""
	}
	return string(i[:2])
}

// Format returns the IBAN in groups of 4 separated by spaces, the form
// printed on a RIB: "FR76 3000 6000 0112 3456 7890 189".
func (i IBAN) Format() string {
	var b strings.Builder
	b.Grow(len(i) + len(i)/4)
	for k := 0; k < len(i); k += 4 {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(i[k:min(k+4, len(i))]))
	}
	return b.String()
}

// mod97 returns the remainder modulo 97 of the number written by s, letters
// standing for 10 (A) to 35 (Z). s holds only ASCII digits and upper-case
// letters.
func mod97(s string) int {
	r := 0
	for i := range len(s) {
		c := s[i]
		if isLetter(c) {
			r = (r*100 + int(c-'A'+10)) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
}

// ibanLengths gives the IBAN length of every country in the SWIFT IBAN
// registry (89 countries as of 2025, every SEPA country among them).
// Territories without their own entry use their
// parent's code: the French overseas departments and collectivities use FR,
// Jersey, Guernsey and the Isle of Man GB, Åland FI.
var ibanLengths = map[string]int{
	"AD": 24, // Andorra
	"AE": 23, // United Arab Emirates
	"AL": 28, // Albania
	"AT": 20, // Austria
	"AZ": 28, // Azerbaijan
	"BA": 20, // Bosnia and Herzegovina
	"BE": 16, // Belgium
	"BG": 22, // Bulgaria
	"BH": 22, // Bahrain
	"BI": 27, // Burundi
	"BR": 29, // Brazil
	"BY": 28, // Belarus
	"CH": 21, // Switzerland
	"CR": 22, // Costa Rica
	"CY": 28, // Cyprus
	"CZ": 24, // Czechia
	"DE": 22, // Germany
	"DJ": 27, // Djibouti
	"DK": 18, // Denmark
	"DO": 28, // Dominican Republic
	"EE": 20, // Estonia
	"EG": 29, // Egypt
	"ES": 24, // Spain
	"FI": 18, // Finland
	"FK": 18, // Falkland Islands
	"FO": 18, // Faroe Islands
	"FR": 27, // France
	"GB": 22, // United Kingdom
	"GE": 22, // Georgia
	"GI": 23, // Gibraltar
	"GL": 18, // Greenland
	"GR": 27, // Greece
	"GT": 28, // Guatemala
	"HN": 28, // Honduras
	"HR": 21, // Croatia
	"HU": 28, // Hungary
	"IE": 22, // Ireland
	"IL": 23, // Israel
	"IQ": 23, // Iraq
	"IS": 26, // Iceland
	"IT": 27, // Italy
	"JO": 30, // Jordan
	"KW": 30, // Kuwait
	"KZ": 20, // Kazakhstan
	"LB": 28, // Lebanon
	"LC": 32, // Saint Lucia
	"LI": 21, // Liechtenstein
	"LT": 20, // Lithuania
	"LU": 20, // Luxembourg
	"LV": 21, // Latvia
	"LY": 25, // Libya
	"MC": 27, // Monaco
	"MD": 24, // Moldova
	"ME": 22, // Montenegro
	"MK": 19, // North Macedonia
	"MN": 20, // Mongolia
	"MR": 27, // Mauritania
	"MT": 31, // Malta
	"MU": 30, // Mauritius
	"NI": 28, // Nicaragua
	"NL": 18, // Netherlands
	"NO": 15, // Norway
	"OM": 23, // Oman
	"PK": 24, // Pakistan
	"PL": 28, // Poland
	"PS": 29, // Palestine
	"PT": 25, // Portugal
	"QA": 29, // Qatar
	"RO": 24, // Romania
	"RS": 22, // Serbia
	"RU": 33, // Russia
	"SA": 24, // Saudi Arabia
	"SC": 31, // Seychelles
	"SD": 18, // Sudan
	"SE": 24, // Sweden
	"SI": 19, // Slovenia
	"SK": 24, // Slovakia
	"SM": 27, // San Marino
	"SO": 23, // Somalia
	"ST": 25, // São Tomé and Príncipe
	"SV": 28, // El Salvador
	"TL": 23, // Timor-Leste
	"TN": 24, // Tunisia
	"TR": 26, // Türkiye
	"UA": 29, // Ukraine
	"VA": 22, // Vatican City
	"VG": 24, // British Virgin Islands
	"XK": 20, // Kosovo
	"YE": 30, // Yemen
}

package documents

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// aspirated are words beginning with an aspirated h, before which French
// does not elide ("de Hongrie", "de Hautes-Alpes Bois"): the few that
// start company and place names. Every other h is mute ("d'Hôtel Dieu").
var aspirated = map[string]bool{
	"hache": true, "haie": true, "hall": true, "halle": true, "halles": true, "hameau": true, "hangar": true, "hanche": true,
	"hardi": true, "hareng": true, "haricot": true, "harpe": true, "hasard": true, "hâte": true, "haut": true, "haute": true,
	"hautes": true, "hauts": true, "havre": true, "hérisson": true, "héros": true, "hêtre": true, "hibou": true, "hockey": true,
	"hollande": true, "homard": true, "hongrie": true, "honte": true, "houille": true, "houblon": true, "huit": true, "hutte": true,
}

// elides reports whether a word elides before name: a vowel, a mute h, or a
// y sounded as a vowel (Yves, Ypres, not Yaourt).
func elides(name string) bool {
	r, size := utf8.DecodeRuneInString(name)
	if r == utf8.RuneError {
		return false
	}
	switch base(unicode.ToLower(r)) {
	case 'a', 'e', 'i', 'o', 'u', 'æ', 'œ':
		return true
	case 'y':
		next, _ := utf8.DecodeRuneInString(name[size:])
		return !strings.ContainsRune("aeiouy", base(unicode.ToLower(next)))
	case 'h':
		word := strings.ToLower(strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) })[0])
		return !aspirated[word]
	}
	return false
}

// base is a lower-case letter without its accent, for the few letters
// that matter here.
func base(r rune) rune {
	switch r {
	case 'à', 'â', 'ä':
		return 'a'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'î', 'ï':
		return 'i'
	case 'ô', 'ö':
		return 'o'
	case 'ù', 'û', 'ü':
		return 'u'
	case 'ÿ':
		return 'y'
	}
	return r
}

// elide writes word before name as French does: "de Dupont",
// "d'Imprimerie", "qu'Agence"; word is one of de, que, le, la, ne, je.
func elide(word, name string) string {
	name = strings.TrimSpace(name)
	if name != "" && elides(name) && len(word) >= 2 {
		return word[:len(word)-1] + "'" + name
	}
	return word + " " + name
}

// de is "de name" with elision: "de Dupont", "d'Imprimerie".
func de(name string) string { return elide("de", name) }

// que is "que name" with elision: "que Dupont", "qu'Imprimerie".
func que(name string) string { return elide("que", name) }

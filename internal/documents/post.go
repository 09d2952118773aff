package documents

import (
	"fmt"
	"strconv"
	"time"

	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// PostLine is one letter of a print file's cover list.
type PostLine struct {
	CaseReference string
	Reference     string // the letter's reference
	Debtor        string
	Kind          string // amicable_letter, formal_notice
	Registered    bool   // registered with acknowledgement of receipt
	Number        string // its registered number, once recorded
	Page          int    // the page of the print file it starts on (0: not known yet)
}

// postKinds names the letters' kinds on the cover list.
var postKinds = map[string]string{
	string(KindAmicableLetter): "Lettre de relance",
	string(KindFormalNotice):   "Mise en demeure",
}

// PostCover is the cover list of a day's print file: the counts per kind
// and registered or not — what the person at the post office needs to
// prepare envelopes and registered-mail forms — then one line per letter
// in the file's order, with the page it starts on.
func PostCover(a Agency, runOn recouvra.Date, pass string, lines []PostLine, at time.Time) ([]byte, error) {
	d := newDoc(a, "Courrier à poster", at)
	d.Title("Courrier à poster — passage du " + recouvra.FrenchDate(runOn))
	d.Field("Passage", pass)
	d.Field("Lettres", strconv.Itoa(len(lines)))
	type key struct {
		kind       string
		registered bool
	}
	counts := map[key]int{}
	for _, l := range lines {
		counts[key{l.Kind, l.Registered}]++
	}
	d.Heading("Décompte")
	var rows [][]string
	for _, kind := range []string{string(KindFormalNotice), string(KindAmicableLetter)} {
		for _, reg := range []bool{true, false} {
			if n := counts[key{kind, reg}]; n > 0 {
				rows = append(rows, []string{postKinds[kind], postMode(reg), strconv.Itoa(n)})
			}
		}
	}
	registered := 0
	for k, n := range counts {
		if k.registered {
			registered += n
		}
	}
	rows = append(rows, []string{"Total", fmt.Sprintf("dont %d en recommandé", registered), strconv.Itoa(len(lines))})
	d.Table([]pdf.Column{{Title: "Courrier", Width: 70, Align: "L"}, {Title: "Envoi", Width: 70, Align: "L"}, {Title: "Nombre", Width: 30, Align: "R"}},
		rows, map[int]bool{len(rows) - 1: true})
	d.Small("Chaque lettre commence sur une nouvelle feuille (impression recto verso : un verso blanc complète les lettres d'un nombre impair de pages). " +
		"L'adresse est placée pour une enveloppe DL 110 × 220 mm à fenêtre à droite. Les numéros des lettres recommandées se saisissent ensuite " +
		"en important la liste de dépôt (référence du dossier, numéro, date d'envoi).")
	d.Heading("Lettres")
	list := make([][]string, len(lines))
	for i, l := range lines {
		page := ""
		if l.Page > 0 {
			page = strconv.Itoa(l.Page)
		}
		mode := postMode(l.Registered)
		if l.Number != "" {
			mode += " n° " + l.Number
		}
		list[i] = []string{strconv.Itoa(i + 1), l.CaseReference, l.Reference, l.Debtor, postKinds[l.Kind], mode, page}
	}
	d.Table([]pdf.Column{{Title: "N°", Width: 10, Align: "R"}, {Title: "Dossier", Width: 26, Align: "L"}, {Title: "Lettre", Width: 28, Align: "L"},
		{Title: "Débiteur", Width: 42, Align: "L"}, {Title: "Courrier", Width: 24, Align: "L"}, {Title: "Envoi", Width: 28, Align: "L"}, {Title: "Page", Width: 12, Align: "R"}},
		list, nil)
	return d.Bytes()
}

func postMode(registered bool) string {
	if registered {
		return "Recommandé avec AR"
	}
	return "Lettre simple"
}

package pdf

import "testing"

func TestCmapCoverageOfTheEmbeddedFaces(t *testing.T) {
	for name, c := range map[string]*coverage{"regular": regularCover, "bold": boldCover} {
		for r := rune(0x20); r < 0x7F; r++ {
			if !c.has(r) {
				t.Errorf("%s lacks ASCII %q", name, r)
			}
		}
		for _, r := range "éèêëàâçôûùœæÉÈÀÇŒ€«»\u00a0\u202fΩωΔЖжЩщŁłŠšĐđ\uFFFD" {
			if !c.has(r) {
				t.Errorf("%s lacks %q (U+%04X)", name, r, r)
			}
		}
		for _, r := range "山田あ한\uE000" {
			if c.has(r) {
				t.Errorf("%s claims %q (U+%04X)", name, r, r)
			}
		}
	}
}

// A character is judged against the face it is drawn with (DejaVu's two
// faces differ only in private-use glyphs, refused anyway; a face without
// 'é' shows the rule).
func TestCleanJudgesByTheFacesGlyphs(t *testing.T) {
	face := *regularCover
	face[0xE9/64] &^= 1 << (0xE9 % 64) // no 'é'
	var rep Replacements
	if got := clean("café", regularCover, false, &rep); got != "café" || rep.Count != 0 {
		t.Errorf("regular: %q, %+v", got, rep)
	}
	if got := clean("café é", &face, false, &rep); got != "caf\uFFFD \uFFFD" || rep.Count != 2 || len(rep.Runes) != 1 || rep.Runes[0] != 'é' {
		t.Errorf("without é: %q, %+v", got, rep)
	}
	face[0xFFFD/64] &^= 1 << (0xFFFD % 64) // nor U+FFFD: a question mark
	if got := clean("é", &face, false, &rep); got != "?" {
		t.Errorf("without é nor U+FFFD: %q", got)
	}
}

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

// A decomposed accent (letter then combining mark) is composed before it
// is judged and drawn: the precomposed glyph prints, not a loose mark
// beside its letter; a sequence with no precomposed form keeps its mark.
func TestCleanComposesAccents(t *testing.T) {
	t.Parallel()
	var rep Replacements
	for in, want := range map[string]string{
		"Nguye\u0302\u0303n E\u0301glise": "Nguyễn Église",
		"L\u0323\u0304":                   "Ḹ",
		"q\u0301":                         "q\u0301", // no precomposed form: the mark stays
	} {
		if got := clean(in, regularCover, false, &rep); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	if rep.Count != 0 {
		t.Errorf("replaced: %+v", rep)
	}
}

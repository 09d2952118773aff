package pdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Replacement is what is drawn instead of a character the fonts cannot
// print: U+FFFD REPLACEMENT CHARACTER, which DejaVu has, so a reader sees
// that something stood there instead of a blank or a box that copies as
// the original text.
const Replacement = '\uFFFD'

// coverage is the set of BMP runes a font's cmap maps to a glyph.
type coverage [0x10000 / 64]uint64

func (c *coverage) has(r rune) bool {
	return r >= 0 && r < 0x10000 && c[r/64]&(1<<(uint(r)%64)) != 0
}

func (c *coverage) add(r rune) { c[r/64] |= 1 << (uint(r) % 64) }

// Each embedded face's coverage, read once from its cmap. A font that
// cannot be read is a build defect, found by any test that renders.
var (
	regularCover = mustCover(regular)
	boldCover    = mustCover(bold)
)

func mustCover(ttf []byte) *coverage {
	c, err := cmapCoverage(ttf)
	if err != nil {
		panic("pdf: embedded font: " + err.Error())
	}
	return c
}

// cmapCoverage reads the Unicode BMP subtable (format 4) of a TrueType
// font's cmap: the very table fpdf's UTF-8 fonts map runes through, so
// that what it says is covered is what fpdf draws with a real glyph. fpdf
// reads no other subtable: runes beyond the BMP are never covered (fpdf
// fails the whole document on them).
func cmapCoverage(ttf []byte) (*coverage, error) {
	u16 := func(o int) (int, error) {
		if o < 0 || o+2 > len(ttf) {
			return 0, errors.New("truncated font")
		}
		return int(binary.BigEndian.Uint16(ttf[o:])), nil
	}
	u32 := func(o int) (int, error) {
		if o < 0 || o+4 > len(ttf) {
			return 0, errors.New("truncated font")
		}
		return int(binary.BigEndian.Uint32(ttf[o:])), nil
	}
	tables, err := u16(4)
	if err != nil {
		return nil, err
	}
	cmap := -1
	for i := range tables {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			return nil, errors.New("truncated table directory")
		}
		if string(ttf[rec:rec+4]) == "cmap" {
			if cmap, err = u32(rec + 8); err != nil {
				return nil, err
			}
		}
	}
	if cmap < 0 {
		return nil, errors.New("no cmap table")
	}
	n, err := u16(cmap + 2)
	if err != nil {
		return nil, err
	}
	sub := -1
	for i := range n {
		rec := cmap + 4 + 8*i
		platform, err1 := u16(rec)
		encoding, err2 := u16(rec + 2)
		off, err3 := u32(rec + 4)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, err
		}
		// fpdf's choice: the first Windows Unicode BMP or Unicode-platform
		// subtable in format 4.
		if platform == 3 && encoding == 1 || platform == 0 {
			if f, err := u16(cmap + off); err == nil && f == 4 {
				sub = cmap + off
				break
			}
		}
	}
	if sub < 0 {
		return nil, errors.New("no Unicode BMP (format 4) cmap subtable")
	}
	segX2, err := u16(sub + 6)
	if err != nil {
		return nil, err
	}
	ends, starts, deltas, ranges := sub+14, sub+16+segX2, sub+16+2*segX2, sub+16+3*segX2
	c := new(coverage)
	for s := 0; s < segX2; s += 2 {
		end, err1 := u16(ends + s)
		start, err2 := u16(starts + s)
		delta, err3 := u16(deltas + s)
		rangeOff, err4 := u16(ranges + s)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return nil, err
		}
		for r := start; r <= end && r != 0xFFFF; r++ {
			glyph := (r + delta) & 0xFFFF
			if rangeOff != 0 {
				g, err := u16(ranges + s + rangeOff + 2*(r-start))
				if err != nil {
					return nil, fmt.Errorf("cmap segment %d: %w", s/2, err)
				}
				glyph = 0
				if g != 0 {
					glyph = (g + delta) & 0xFFFF
				}
			}
			if glyph != 0 {
				c.add(rune(r))
			}
		}
	}
	return c, nil
}

// invisible are formatting characters that draw nothing by design and that
// fpdf cannot apply (it shapes no emoji sequence and joins no script):
// zero-width space, joiners, word joiner, byte order mark, variation
// selectors, the soft hyphen (fpdf would print it as a hyphen mid-word),
// and the bidi marks. Dropped, not replaced: nothing a reader would see is
// lost. The bidi embeddings, overrides and isolates are not among them:
// they reorder text, so they are replaced like any other character that
// cannot be printed faithfully.
func invisible(r rune) bool {
	switch {
	case r == '\u00AD', r == '\u061C', r >= '\u200B' && r <= '\u200F', r == '\u2060', r == '\uFEFF',
		r >= '\uFE00' && r <= '\uFE0F', r >= 0xE0100 && r <= 0xE01EF:
		return true
	}
	return false
}

// printable are the general categories drawn as they are when the font has
// the glyph: letters, marks, numbers, punctuation, symbols, spaces and the
// format characters not handled above. Controls, private-use code points,
// surrogates and unassigned code points are in none of them.
var printable = []*unicode.RangeTable{unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs, unicode.Cf}

// drawable reports whether r is drawn as it is with a face of coverage c.
func drawable(r rune, c *coverage) bool {
	if r < 0x80 {
		return r >= 0x20 && r != 0x7F && c.has(r) // ASCII but its controls
	}
	return c.has(r) && !bidiControl(r) && !invisible(r) && unicode.In(r, printable...)
}

func bidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// clean makes s drawable with a face of coverage c: s is composed (NFC),
// then every character the face cannot print faithfully becomes
// Replacement (or '?' if the face lacked even that), and each is added to
// rep. multiline keeps line breaks
// (paragraphs); elsewhere a line break or tab is a space.
func clean(s string, c *coverage, multiline bool, rep *Replacements) string {
	if !norm.NFC.IsNormalString(s) {
		// fpdf places each code point on its own: a base letter and its
		// combining accents (a decomposed "Nguyễn", as some keyboards and
		// PDFs give it) would print side by side. Composed, the font's
		// precomposed glyph prints; an accent with no precomposed form
		// stays a combining mark.
		s = norm.NFC.String(s)
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError || !drawable(r, c) }) {
		return s // the common case: text the face has, nothing to change
	}
	sub := Replacement
	if !c.has(sub) {
		sub = '?'
	}
	var b strings.Builder
	b.Grow(len(s))
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for i, w := 0, 0; i < len(s); i += w {
		var r rune
		r, w = utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			if multiline {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case r == '\t':
			b.WriteByte(' ')
		case r == utf8.RuneError && w == 1: // a byte that is not UTF-8
			b.WriteRune(sub)
			rep.add(r)
		case invisible(r):
		case drawable(r, c):
			b.WriteRune(r)
		default:
			b.WriteRune(sub)
			rep.add(r)
		}
	}
	return b.String()
}

// Replacements are the characters of a document that the fonts could not
// print and that were drawn as Replacement instead.
type Replacements struct {
	Count int    // occurrences
	Runes []rune // each distinct character once, in order of first appearance
}

func (r *Replacements) add(c rune) {
	r.Count++
	for _, x := range r.Runes {
		if x == c {
			return
		}
	}
	r.Runes = append(r.Runes, c)
}

// CodePoints names the replaced characters as U+XXXX, for a log line (the
// code points, not the text they were part of).
func (r Replacements) CodePoints() []string {
	out := make([]string, len(r.Runes))
	for i, c := range r.Runes {
		out[i] = fmt.Sprintf("U+%04X", c)
	}
	return out
}

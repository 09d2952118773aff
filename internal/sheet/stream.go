package sheet

import (
	"bufio"
	"bytes"
	"io"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// Sniffer watches a file's bytes as they go by (written to it while the
// upload is copied elsewhere) and learns what Open would have learnt from
// the whole file: its first bytes, whether it is all blank, whether it is
// valid UTF-8 and where the first byte no encoding maps is. It holds a
// few bytes, never the file.
type Sniffer struct {
	head    []byte // the first 8 bytes (Detect)
	lines   int    // newlines seen so far
	badLine int    // line of the first byte Windows-1252 does not map (0: none)
	invalid bool   // not valid UTF-8
	nulLine int    // line of the first NUL byte (0: none); a CSV holds none
	carry   []byte // the start of a rune cut by a chunk boundary
	filled  bool   // a byte that is not white space
}

// NewSniffer returns a Sniffer that has seen nothing.
func NewSniffer() *Sniffer { return &Sniffer{} }

// Write records p; it never fails.
func (s *Sniffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(s.head) < 8 {
		s.head = append(s.head, p[:min(len(p), 8-len(s.head))]...)
	}
	if !s.filled && len(bytes.TrimSpace(p)) > 0 {
		s.filled = true
	}
	if s.badLine == 0 {
		for i, b := range p {
			if b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D {
				s.badLine = 1 + s.lines + bytes.Count(p[:i], []byte("\n"))
				break
			}
		}
	}
	if s.nulLine == 0 {
		if i := bytes.IndexByte(p, 0); i >= 0 {
			s.nulLine = 1 + s.lines + bytes.Count(p[:i], []byte("\n"))
		}
	}
	s.lines += bytes.Count(p, []byte("\n"))
	if !s.invalid {
		s.validate(p)
	}
	return n, nil
}

// validate checks p continues valid UTF-8, a rune cut at the end of the
// previous chunk included.
func (s *Sniffer) validate(p []byte) {
	for len(s.carry) > 0 && len(p) > 0 && !utf8.FullRune(s.carry) {
		s.carry, p = append(s.carry, p[0]), p[1:]
	}
	if len(s.carry) > 0 {
		if !utf8.FullRune(s.carry) {
			return // still cut: p was too short
		}
		if r, size := utf8.DecodeRune(s.carry); r == utf8.RuneError && size == 1 {
			s.invalid = true
			return
		}
		s.carry = s.carry[:0]
	}
	for i := 0; i < len(p); {
		if p[i] < utf8.RuneSelf {
			i++
			continue
		}
		if !utf8.FullRune(p[i:]) {
			s.carry = append(s.carry, p[i:]...)
			return
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 {
			s.invalid = true
			return
		}
		i += size
	}
}

// Blank reports a file with nothing but white space (or nothing).
func (s *Sniffer) Blank() bool { return !s.filled }

// Info checks the whole file seen is of the kind its name declares and,
// for a CSV, readable in an encoding it names; it answers what OpenStream
// needs but the separator (found when the CSV is opened).
func (s *Sniffer) Info(kind Kind) (Info, error) {
	got, err := Detect(s.head)
	if err != nil {
		return Info{}, err
	}
	if kind != "" && got != kind {
		if kind == XLSX {
			return Info{}, &Error{Message: "Le fichier annoncé comme XLSX n'est pas un classeur Excel."}
		}
		return Info{}, &Error{Message: "Le fichier annoncé comme CSV est un classeur (XLSX) : nommez-le .xlsx."}
	}
	if got == XLSX {
		return Info{Kind: XLSX}, nil
	}
	if s.nulLine > 0 {
		// Refused at the upload, whatever line it is on: the preview
		// reads only the first rows, and the job would fail on it later.
		return Info{}, &Error{Line: s.nulLine, Message: "caractère NUL (U+0000). " + nulAdvice}
	}
	info := Info{Kind: CSV, Encoding: UTF8}
	if s.invalid || len(s.carry) > 0 {
		// Windows-1252 maps every byte but five; those mean neither encoding.
		if s.badLine > 0 {
			return Info{}, &Error{Line: s.badLine, Message: "Encodage inconnu : enregistrez le fichier en UTF-8 ou Windows-1252."}
		}
		info.Encoding = Windows1252
	}
	return info, nil
}

// OpenStream reads a file whose Info a Sniffer (or an earlier upload)
// established, from r, without holding it: a CSV goes through a 64 KiB
// buffer; its separator is info's, or found on its first line when info
// has none. An XLSX is a zip, which excelize reads whole before streaming
// its rows: its size is bounded by the upload limit.
func OpenStream(r io.Reader, info Info) (Rows, Info, error) {
	if info.Kind == XLSX {
		f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 16 << 20})
		if err != nil {
			return nil, Info{}, &Error{Message: "Classeur XLSX illisible."}
		}
		rows, err := firstSheet(f)
		return rows, info, err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
	}
	var text io.Reader = br
	if info.Encoding == Windows1252 {
		text = charmap.Windows1252.NewDecoder().Reader(br)
	}
	return readCSV(text, info)
}

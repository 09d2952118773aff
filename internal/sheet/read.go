// Package sheet reads and writes the tabular files creditors exchange with
// the agency: CSV (separator and encoding detected) and XLSX (excelize,
// streamed both ways). Reading hands out one row at a time; writing never
// holds more than a row, and neutralises cells a spreadsheet would run as
// formulas.
package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// Kind is a file's format.
type Kind string

const (
	CSV  Kind = "csv"
	XLSX Kind = "xlsx"
)

// Encoding is a CSV file's character set.
type Encoding string

const (
	UTF8        Encoding = "utf-8"
	Windows1252 Encoding = "windows-1252"
)

// Error is a problem with the file itself, at a line (1-based; 0: the file).
type Error struct {
	Line    int
	Message string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("ligne %d : %s", e.Line, e.Message)
	}
	return e.Message
}

// MaxColumns bounds the width of a row; MaxCell the length of a cell.
const (
	MaxColumns = 100
	MaxCell    = 2000
)

// Detect tells the kind of a file from its first bytes: a zip (XLSX) or
// text (CSV); anything else (a PDF, an image, a legacy .xls) is refused.
func Detect(head []byte) (Kind, error) {
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return XLSX, nil
	}
	if bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}) {
		return "", &Error{Message: "Fichier Excel 97-2003 (.xls) : enregistrez-le en .xlsx ou en CSV."}
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "", &Error{Message: "Ce fichier n'est ni un CSV ni un classeur XLSX."}
	}
	return CSV, nil
}

// KindOfName is the kind a file name declares by its extension ("" when none).
func KindOfName(name string) Kind {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".csv"), strings.HasSuffix(n, ".txt"), strings.HasSuffix(n, ".tsv"):
		return CSV
	case strings.HasSuffix(n, ".xlsx"):
		return XLSX
	}
	return ""
}

// Rows reads a file row by row.
type Rows interface {
	// Next returns the next row and its line number (1-based, the header
	// is line 1), or io.EOF.
	Next() (cells []string, line int, err error)
	Close() error
}

// Info is what was detected of a CSV file.
type Info struct {
	Kind      Kind
	Encoding  Encoding
	Separator rune
}

// Open reads data (the whole file, already bounded by the caller) as kind.
func Open(data []byte, kind Kind) (Rows, Info, error) {
	got, err := Detect(data[:min(len(data), 8)])
	if err != nil {
		return nil, Info{}, err
	}
	if kind != "" && got != kind {
		if kind == XLSX {
			return nil, Info{}, &Error{Message: "Le fichier annoncé comme XLSX n'est pas un classeur Excel."}
		}
		return nil, Info{}, &Error{Message: "Le fichier annoncé comme CSV est un classeur (XLSX) : nommez-le .xlsx."}
	}
	if got == XLSX {
		r, err := openXLSX(data)
		return r, Info{Kind: XLSX}, err
	}
	return openCSV(data)
}

func openCSV(data []byte) (Rows, Info, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	info := Info{Kind: CSV, Encoding: UTF8}
	var text io.Reader = bytes.NewReader(data)
	if !utf8.Valid(data) {
		// Windows-1252 maps every byte but five; those mean neither encoding.
		for i, b := range data {
			if b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D {
				return nil, Info{}, &Error{Line: 1 + bytes.Count(data[:i], []byte("\n")), Message: "Encodage inconnu : enregistrez le fichier en UTF-8 ou Windows-1252."}
			}
		}
		info.Encoding = Windows1252
		text = charmap.Windows1252.NewDecoder().Reader(text)
	}
	return readCSV(text, info)
}

// readCSV reads CSV text; the separator is info's, or the one most used
// on the first line.
func readCSV(text io.Reader, info Info) (Rows, Info, error) {
	br := bufio.NewReaderSize(text, 64<<10)
	if info.Separator != 0 {
		return newCSVRows(br, info), info, nil
	}
	head, _ := br.Peek(4096)
	first := string(head)
	if i := strings.IndexAny(first, "\r\n"); i >= 0 {
		first = first[:i]
	}
	info.Separator = ','
	best := strings.Count(first, ",")
	for _, sep := range []rune{';', '\t'} {
		if n := strings.Count(first, string(sep)); n > best {
			info.Separator, best = sep, n
		}
	}
	return newCSVRows(br, info), info, nil
}

func newCSVRows(br io.Reader, info Info) *csvRows {
	r := csv.NewReader(br)
	r.Comma = info.Separator
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	return &csvRows{r: r}
}

type csvRows struct {
	r    *csv.Reader
	line int
}

func (c *csvRows) Next() ([]string, int, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	line, _ := c.r.FieldPos(0)
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.Line, &Error{Line: pe.Line, Message: "CSV illisible : " + pe.Err.Error()}
		}
		return nil, c.line + 1, &Error{Line: c.line + 1, Message: "CSV illisible."}
	}
	c.line = line
	return check(rec, line)
}

func (c *csvRows) Close() error { return nil }

// nulAdvice says what a NUL in a sheet usually means: a CSV saved as
// UTF-16 ("Texte Unicode" in Excel) has one after every ASCII letter.
const nulAdvice = "Le fichier n'est pas du texte lisible : s'il vient d'Excel, enregistrez-le en « CSV UTF-8 » (pas en « Texte Unicode », qui est de l'UTF-16)."

// check bounds a row's width and cells and refuses a NUL in any cell.
func check(rec []string, line int) ([]string, int, error) {
	if len(rec) > MaxColumns {
		return nil, line, &Error{Line: line, Message: fmt.Sprintf("%d colonnes au plus.", MaxColumns)}
	}
	for i, v := range rec {
		if strings.IndexByte(v, 0) >= 0 {
			// PostgreSQL refuses NUL in text: a NUL must stop here, named,
			// not fail the COPY of the job with no line.
			return nil, line, &Error{Line: line, Message: fmt.Sprintf("colonne %d : caractère NUL (U+0000). %s", i+1, nulAdvice)}
		}
		if len(v) > MaxCell {
			return nil, line, &Error{Line: line, Message: fmt.Sprintf("Cellule de plus de %d caractères.", MaxCell)}
		}
		rec[i] = strings.TrimSpace(v)
	}
	return rec, line, nil
}

type xlsxRows struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func openXLSX(data []byte) (Rows, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, &Error{Message: "Classeur XLSX illisible."}
	}
	return firstSheet(f)
}

// firstSheet streams the rows of f's first sheet (f is closed with them).
func firstSheet(f *excelize.File) (Rows, error) {
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, &Error{Message: "Le classeur n'a aucune feuille."}
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		_ = f.Close()
		return nil, &Error{Message: "Première feuille du classeur illisible."}
	}
	return &xlsxRows{f: f, rows: rows}, nil
}

func (x *xlsxRows) Next() ([]string, int, error) {
	for x.rows.Next() {
		x.line++
		rec, err := x.rows.Columns(excelize.Options{RawCellValue: true}) // dates as serial numbers, amounts unformatted
		if err != nil {
			return nil, x.line, &Error{Line: x.line, Message: "Ligne illisible."}
		}
		return check(rec, x.line)
	}
	if err := x.rows.Error(); err != nil {
		return nil, x.line + 1, &Error{Line: x.line + 1, Message: "Classeur XLSX illisible."}
	}
	return nil, 0, io.EOF
}

func (x *xlsxRows) Close() error { return errors.Join(x.rows.Close(), x.f.Close()) }

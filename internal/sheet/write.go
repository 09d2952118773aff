package sheet

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Cell is a value to write: text, or a number (Number true) written as such
// in XLSX and as its text in CSV.
type Cell struct {
	Text   string
	Number bool
	Value  float64
}

// Text is a text cell.
func Text(s string) Cell { return Cell{Text: s} }

// Int is a whole-number cell.
func Int(n int64) Cell { return Cell{Text: fmt.Sprint(n), Number: true, Value: float64(n)} }

// Neutralize keeps a spreadsheet from running a text cell as a formula
// (CSV injection): a cell starting with = + - @, a tab or a carriage
// return gets a leading apostrophe.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Writer writes rows to a CSV or XLSX file.
type Writer interface {
	Write(cells []Cell) error
	// Close finishes the file (XLSX: writes the whole archive to the output).
	Close() error
}

// NewWriter writes kind to w. CSV: UTF-8 with a byte-order mark (Excel
// reads the accents) and ";" (the French list separator).
func NewWriter(w io.Writer, kind Kind, sheetName string) (Writer, error) {
	if kind == XLSX {
		return newXLSXWriter(w, sheetName)
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	if _, err := bw.WriteString("\xEF\xBB\xBF"); err != nil {
		return nil, err
	}
	c := csv.NewWriter(bw)
	c.Comma = ';'
	c.UseCRLF = true
	return &csvWriter{bw: bw, c: c}, nil
}

type csvWriter struct {
	bw  *bufio.Writer
	c   *csv.Writer
	rec []string
}

func (w *csvWriter) Write(cells []Cell) error {
	w.rec = w.rec[:0]
	for _, c := range cells {
		if c.Number {
			w.rec = append(w.rec, c.Text)
		} else {
			w.rec = append(w.rec, Neutralize(c.Text))
		}
	}
	return w.c.Write(w.rec)
}

func (w *csvWriter) Close() error {
	w.c.Flush()
	if err := w.c.Error(); err != nil {
		return err
	}
	return w.bw.Flush()
}

// xlsxWriter streams rows through excelize's StreamWriter, which keeps
// them in a temporary file, not in memory; text is always written as a
// string cell, never as a formula.
type xlsxWriter struct {
	out  io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	row  int
	vals []any
}

func newXLSXWriter(out io.Writer, name string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if name == "" {
		name = "Feuil1"
	}
	if err := f.SetSheetName("Sheet1", name); err != nil {
		_ = f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &xlsxWriter{out: out, f: f, sw: sw}, nil
}

func (w *xlsxWriter) Write(cells []Cell) error {
	w.row++
	w.vals = w.vals[:0]
	for _, c := range cells {
		if c.Number {
			w.vals = append(w.vals, c.Value)
		} else {
			// A string cell: excelize writes it as inline text (t="str"),
			// never as a formula, whatever it starts with.
			w.vals = append(w.vals, excelize.Cell{Value: c.Text})
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, w.vals)
}

func (w *xlsxWriter) Close() error {
	defer w.f.Close()
	if err := w.sw.Flush(); err != nil {
		return err
	}
	_, err := w.f.WriteTo(w.out)
	return err
}

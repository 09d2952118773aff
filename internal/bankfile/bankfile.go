// Package bankfile reads bank account statements — ISO 20022 camt.053
// (XML) and the French CFONB 120 (fixed-width records) — as one stream of
// entries of the same shape, whatever the format. Both readers are
// streaming: they hold one entry at a time, never the file, and hand each
// entry to a callback as soon as it is complete. A file that is not what it
// claims, is cut short or does not add up is refused with an *Error naming
// the line and, for XML, the element.
//
// It also writes both formats (WriteCAMT053, WriteCFONB120) from entries,
// so that tests, benchmarks and demos build statements from known payments.
package bankfile

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Format is a statement format.
type Format string

// The formats read and written.
const (
	CAMT053  Format = "camt.053"
	CFONB120 Format = "cfonb120"
)

// Entry is one movement of a statement.
type Entry struct {
	// Account is the IBAN of the statement's account (for CFONB 120, built
	// from the bank, branch and account numbers with the French RIB key).
	Account     string
	StatementID string // the statement's identification (CFONB: account and date of the old balance)
	// Reference identifies the entry within its statement: the bank's
	// reference (AcctSvcrRef, else NtryRef; CFONB: booking date and entry
	// number), else its position in the statement.
	Reference   string
	EndToEndID  string // the payer's end-to-end reference, when given
	BookedOn    recouvra.Date
	ValueOn     recouvra.Date
	AmountCents int64  // always positive; Credit says which way
	Currency    string // ISO 4217
	Credit      bool   // money in (CRDT, a positive CFONB amount)
	Reversal    bool   // reverses an earlier entry (RvslInd; a CFONB rejection code)
	// Remittance information: free text, and the creditor's structured
	// reference (ISO 11649 RF or another scheme) when the payer gave one.
	Unstructured string
	Structured   string
	DebtorName   string
	DebtorIBAN   string
	// Where the entry is in the file, for messages ("ligne 12",
	// "ligne 40, Ntry n° 3").
	Where string
}

// Error says why a file was refused and where.
type Error struct {
	Line    int    // 1-based line of the file; 0 when unknown
	Element string // XML: the element's path from Stmt ("Stmt/Ntry/Amt"); CFONB: the record ("04")
	Msg     string // in French, for a person
}

func (e *Error) Error() string {
	var at []string
	if e.Line > 0 {
		at = append(at, fmt.Sprintf("ligne %d", e.Line))
	}
	if e.Element != "" {
		at = append(at, e.Element)
	}
	if len(at) == 0 {
		return e.Msg
	}
	return strings.Join(at, ", ") + " : " + e.Msg
}

// Detect guesses a file's format from its first bytes: XML (after an
// optional byte-order mark and white space) is camt.053, a line starting
// with record code 01 is CFONB 120.
func Detect(head []byte) (Format, bool) {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("<")):
		return CAMT053, true
	case bytes.HasPrefix(head, []byte("01")):
		return CFONB120, true
	}
	return "", false
}

// Read reads a statement file of format f and calls fn with each entry in
// file order. fn's error stops the reading and is returned as is.
func Read(r io.Reader, f Format, fn func(Entry) error) error {
	clean := func(e Entry) error { return fn(e.cleaned()) }
	switch f {
	case CAMT053:
		return ReadCAMT053(r, clean)
	case CFONB120:
		return ReadCFONB120(r, clean)
	}
	return &Error{Msg: fmt.Sprintf("Format de relevé inconnu : %q (camt.053 ou cfonb120).", f)}
}

// centsOf turns a decimal amount with at most 2 decimals into cents
// ("1234.5" → 123450); ok is false for anything else.
func centsOf(s string) (int64, bool) {
	intPart, frac, dot := strings.Cut(s, ".")
	if intPart == "" || len(intPart) > 15 || len(frac) > 2 || (dot && frac == "") {
		return 0, false
	}
	var n int64
	for _, c := range intPart + frac + strings.Repeat("0", 2-len(frac)) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// decimal writes cents as the XML amount "1234.50".
func decimal(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

// cleaned is e with its text made safe to keep (recouvra.CleanText): a
// bank's file is the payer's words, not the agency's, so what cannot be
// stored or shown — a NUL, which PostgreSQL refuses in text; a CFONB
// record's stray control byte; a bidi override in a name — is cleaned
// rather than refusing the whole statement, and each field is bounded
// (ISO 20022 caps references at 35 and names at 140 characters; a payer's
// free text is kept to 1,000).
func (e Entry) cleaned() Entry {
	one := func(s string, max int) string { return recouvra.CleanText(s, recouvra.OneLine, max) }
	e.Account, e.StatementID, e.Currency = one(e.Account, 140), one(e.StatementID, 140), one(e.Currency, 3)
	e.Reference, e.EndToEndID, e.Structured = one(e.Reference, 140), one(e.EndToEndID, 140), one(e.Structured, 140)
	e.Unstructured, e.DebtorName, e.DebtorIBAN = one(e.Unstructured, 1000), one(e.DebtorName, 200), one(e.DebtorIBAN, 140)
	return e
}

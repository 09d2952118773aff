package bankfile

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Limits of a camt.053 file: deeper nesting or longer text is not a bank
// statement, and would only cost memory.
const (
	maxDepth = 32
	maxText  = 4096
)

// camtReader walks a camt.053 document token by token.
type camtReader struct {
	d               *xml.Decoder
	path            []string // local names from the root
	text            strings.Builder
	fn              func(Entry) error
	sawDoc, sawStmt bool

	// The statement being read.
	stmtID, account, acctCcy string
	stmtLine                 int
	nEntries                 int
	opening, closing         *int64 // signed, from Bal OPBD/PRCD and CLBD
	sum                      int64  // signed sum of the entries
	bal                      balance

	// The entry being read.
	e         Entry
	inEntry   bool
	entryLine int
	ntryRef   string
	svcrRef   string
	sign      string
	txs       int // TxDtls seen in the entry
}

// balance is a Bal element being read.
type balance struct {
	code, sign string
	cents      int64
	ok         bool
}

// ReadCAMT053 reads an ISO 20022 BankToCustomerStatement (camt.053, any
// version from 001.02) and calls fn with each entry (Ntry) of each
// statement (Stmt). A document type declaration or entity is refused (no
// XML bombs, no external entities), as are entries without amount, sign,
// currency or booking date, a statement without an account IBAN, and a
// statement whose closing balance is not its opening balance plus its
// entries. Only the first transaction details of an entry are read (a
// batch entry carries one debtor per transaction; the entry is matched as
// a whole).
func ReadCAMT053(r io.Reader, fn func(Entry) error) error {
	src := &sourceReader{r: r}
	c := &camtReader{d: xml.NewDecoder(src), fn: fn}
	c.d.Strict = true
	c.d.Entity = nil // only the five predefined entities
	// ISO 20022 messages are UTF-8: another declared encoding is the
	// file's fault, said in words (the decoder's own error would not be).
	c.d.CharsetReader = func(label string, _ io.Reader) (io.Reader, error) {
		return nil, &Error{Line: c.line(), Msg: fmt.Sprintf("Encodage %q déclaré : un relevé camt.053 est en UTF-8 (ISO 20022).", label)}
	}
	for {
		tok, err := c.d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if src.err != nil && errors.Is(err, src.err) {
				return err // reading failed (the body's size limit…): not the file's fault
			}
			var fe *Error
			if errors.As(err, &fe) {
				return fe
			}
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return c.fail("XML invalide ou tronqué : " + se.Msg)
			}
			// Any other decoder error is about the bytes of the file.
			return c.fail("XML invalide : " + strings.TrimPrefix(err.Error(), "xml: "))
		}
		switch t := tok.(type) {
		case xml.Directive:
			return c.fail("Déclaration de type de document (DOCTYPE) ou entité refusée dans un relevé.")
		case xml.ProcInst:
			if t.Target != "xml" {
				return c.fail("Instruction de traitement inattendue : " + t.Target)
			}
		case xml.StartElement:
			if err := c.start(t); err != nil {
				return err
			}
		case xml.CharData:
			if c.text.Len()+len(t) > maxText {
				return c.fail("Texte trop long.")
			}
			c.text.Write(t)
		case xml.EndElement:
			if err := c.end(); err != nil {
				return err
			}
		}
	}
	if !c.sawDoc {
		return &Error{Msg: "Ce fichier n'est pas un relevé camt.053 : pas d'élément Document/BkToCstmrStmt."}
	}
	if len(c.path) > 0 {
		return c.fail("Fichier tronqué : l'élément " + c.path[len(c.path)-1] + " n'est pas fermé.")
	}
	if !c.sawStmt {
		return &Error{Element: "BkToCstmrStmt", Msg: "Aucun relevé (Stmt) dans le fichier."}
	}
	return nil
}

// sourceReader remembers the error of the reader under the decoder, so that
// a failure to read (a request body cut by its size limit, a closed
// connection) is told apart from a file that is not valid XML.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		s.err = err
	}
	return n, err
}

// line is the decoder's current line.
func (c *camtReader) line() int {
	l, _ := c.d.InputPos()
	return l
}

// where names the current element from Stmt on (or the whole path before it).
func (c *camtReader) where() string {
	for i, n := range c.path {
		if n == "Stmt" {
			return strings.Join(c.path[i:], "/")
		}
	}
	return strings.Join(c.path, "/")
}

func (c *camtReader) fail(msg string) error {
	return &Error{Line: c.line(), Element: c.where(), Msg: msg}
}

// failAt names an element that is not (or no longer) the current one.
func (c *camtReader) failAt(line int, element, msg string) error {
	return &Error{Line: line, Element: element, Msg: msg}
}

// under says whether the current path ends with names.
func (c *camtReader) under(names ...string) bool {
	if len(c.path) < len(names) {
		return false
	}
	tail := c.path[len(c.path)-len(names):]
	for i := range names {
		if tail[i] != names[i] {
			return false
		}
	}
	return true
}

// inside says whether name is anywhere on the current path.
func (c *camtReader) inside(name string) bool {
	for _, n := range c.path {
		if n == name {
			return true
		}
	}
	return false
}

func (c *camtReader) start(t xml.StartElement) error {
	if len(c.path) >= maxDepth {
		return c.fail("Imbrication trop profonde.")
	}
	name := t.Name.Local
	if len(c.path) == 0 {
		if name != "Document" {
			return c.fail("Ce fichier n'est pas un relevé camt.053 : l'élément racine est " + name + ", Document attendu.")
		}
		if ns := t.Name.Space; ns != "" && !strings.HasPrefix(ns, "urn:iso:std:iso:20022:tech:xsd:camt.053.") {
			return c.fail("Ce fichier n'est pas un relevé camt.053 (espace de noms " + ns + ").")
		}
	}
	if len(c.path) == 1 {
		if name != "BkToCstmrStmt" {
			return c.fail("Ce fichier n'est pas un relevé camt.053 : " + name + " au lieu de BkToCstmrStmt.")
		}
		c.sawDoc = true
	}
	c.path = append(c.path, name)
	c.text.Reset()
	switch {
	case name == "Stmt" && len(c.path) == 3:
		c.sawStmt = true
		c.stmtID, c.account, c.acctCcy, c.stmtLine, c.nEntries = "", "", "", c.line(), 0
		c.opening, c.closing, c.sum = nil, nil, 0
	case name == "Bal" && c.under("Stmt", "Bal"):
		c.bal = balance{}
	case name == "Ntry" && c.under("Stmt", "Ntry"):
		if c.account == "" {
			return c.fail("Le relevé ne donne pas l'IBAN de son compte (Stmt/Acct/Id/IBAN) avant ses écritures.")
		}
		c.nEntries++
		c.inEntry, c.entryLine, c.ntryRef, c.svcrRef, c.sign, c.txs = true, c.line(), "", "", "", 0
		c.e = Entry{Account: c.account, StatementID: c.stmtID, Currency: c.acctCcy}
	case name == "TxDtls" && c.inEntry:
		c.txs++
	case name == "Amt" && (c.under("Ntry", "Amt") || c.under("Bal", "Amt")):
		ccy := ""
		for _, a := range t.Attr {
			if a.Name.Local == "Ccy" {
				ccy = strings.TrimSpace(a.Value)
			}
		}
		if ccy == "" {
			return c.fail("Montant sans devise (attribut Ccy).")
		}
		if c.under("Ntry", "Amt") {
			c.e.Currency = ccy
		}
	}
	return nil
}

func (c *camtReader) end() error {
	text := strings.TrimSpace(c.text.String())
	c.text.Reset()
	defer func() { c.path = c.path[:len(c.path)-1] }()
	inTx := c.inside("TxDtls")
	firstTx := c.txs <= 1
	switch {
	// The statement.
	case c.under("Stmt", "Id"):
		c.stmtID = text
	case c.under("Stmt", "Acct", "Id", "IBAN"):
		c.account = strings.ToUpper(strings.ReplaceAll(text, " ", ""))
	case c.under("Stmt", "Acct", "Ccy"):
		c.acctCcy = text
	case c.under("Bal", "Tp", "CdOrPrtry", "Cd"):
		c.bal.code = text
	case c.under("Bal", "Amt"):
		n, ok := centsOf(text)
		if !ok {
			return c.fail("Montant illisible : " + quote(text))
		}
		c.bal.cents, c.bal.ok = n, true
	case c.under("Bal", "CdtDbtInd"):
		c.bal.sign = text
	case c.under("Stmt", "Bal"):
		if !c.bal.ok || (c.bal.sign != "CRDT" && c.bal.sign != "DBIT") {
			return c.fail("Solde sans montant ou sans sens (CdtDbtInd).")
		}
		v := c.bal.cents
		if c.bal.sign == "DBIT" {
			v = -v
		}
		switch c.bal.code {
		case "OPBD", "PRCD":
			c.opening = &v
		case "CLBD":
			c.closing = &v
		}
	case c.under("BkToCstmrStmt", "Stmt"):
		if c.stmtID == "" {
			return c.failAt(c.stmtLine, "Stmt/Id", "Relevé sans identifiant.")
		}
		if c.opening != nil && c.closing != nil && *c.opening+c.sum != *c.closing {
			return c.failAt(c.line(), "Stmt/Bal", fmt.Sprintf("Le solde final (%s) n'est pas le solde initial (%s) plus les %d écritures (%s).",
				decimal(*c.closing), decimal(*c.opening), c.nEntries, decimal(c.sum)))
		}

	// The entry.
	case c.under("Ntry", "NtryRef"):
		c.ntryRef = text
	case c.under("Ntry", "AcctSvcrRef"):
		c.svcrRef = text
	case c.under("Ntry", "Amt"):
		n, ok := centsOf(text)
		if !ok || n == 0 {
			return c.fail("Montant illisible : " + quote(text))
		}
		c.e.AmountCents = n
	case c.under("Ntry", "CdtDbtInd"):
		c.sign = text
	case c.under("Ntry", "RvslInd"):
		c.e.Reversal = text == "true" || text == "1"
	case c.under("Ntry", "BookgDt", "Dt"), c.under("Ntry", "BookgDt", "DtTm"):
		d, err := dateOf(text)
		if err != nil {
			return c.fail("Date illisible : " + quote(text))
		}
		c.e.BookedOn = d
	case c.under("Ntry", "ValDt", "Dt"), c.under("Ntry", "ValDt", "DtTm"):
		d, err := dateOf(text)
		if err != nil {
			return c.fail("Date illisible : " + quote(text))
		}
		c.e.ValueOn = d
	case inTx && firstTx && c.under("Refs", "EndToEndId"):
		if text != "NOTPROVIDED" {
			c.e.EndToEndID = text
		}
	case inTx && firstTx && c.under("RmtInf", "Ustrd"):
		c.e.Unstructured = strings.TrimSpace(c.e.Unstructured + " " + text)
	case inTx && firstTx && c.under("CdtrRefInf", "Ref"):
		c.e.Structured = text
	case inTx && firstTx && (c.under("RltdPties", "Dbtr", "Nm") || c.under("RltdPties", "Dbtr", "Pty", "Nm")):
		c.e.DebtorName = text
	case inTx && firstTx && c.under("RltdPties", "DbtrAcct", "Id", "IBAN"):
		c.e.DebtorIBAN = strings.ToUpper(strings.ReplaceAll(text, " ", ""))
	case c.under("Stmt", "Ntry"):
		return c.endEntry()
	}
	return nil
}

func (c *camtReader) endEntry() error {
	c.inEntry = false
	e := &c.e
	e.Where = fmt.Sprintf("ligne %d, écriture n° %d du relevé %s", c.entryLine, c.nEntries, c.stmtID)
	el := fmt.Sprintf("Stmt/Ntry[%d]", c.nEntries)
	switch {
	case e.AmountCents == 0:
		return c.failAt(c.entryLine, el+"/Amt", "Écriture sans montant.")
	case c.sign != "CRDT" && c.sign != "DBIT":
		return c.failAt(c.entryLine, el+"/CdtDbtInd", "Écriture sans sens (CRDT ou DBIT attendu).")
	case e.BookedOn.IsZero():
		return c.failAt(c.entryLine, el+"/BookgDt", "Écriture sans date de comptabilisation.")
	case e.Currency == "":
		return c.failAt(c.entryLine, el+"/Amt", "Écriture sans devise.")
	}
	e.Credit = c.sign == "CRDT"
	if e.ValueOn.IsZero() {
		e.ValueOn = e.BookedOn
	}
	if e.StatementID == "" {
		e.StatementID = c.stmtID
	}
	switch {
	case c.svcrRef != "":
		e.Reference = c.svcrRef
	case c.ntryRef != "":
		e.Reference = c.ntryRef
	default:
		e.Reference = fmt.Sprintf("#%d", c.nEntries)
	}
	if e.Credit {
		c.sum += e.AmountCents
	} else {
		c.sum -= e.AmountCents
	}
	return c.fn(*e)
}

// dateOf reads an ISO date, or the date of an ISO date-time.
func dateOf(s string) (recouvra.Date, error) {
	if len(s) > 10 {
		s = s[:10]
	}
	return recouvra.ParseDate(s)
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return "« " + s + " »"
}

package bankfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// CFONB 120 ("relevé de compte sur support informatique", CFONB 2004):
// one 120-character record per line. Positions below are 0-based, end
// excluded.
//
//	all records   0:2 code, 2:7 bank, 11:16 branch, 16:19 currency,
//	              19:20 number of decimals, 21:32 account, 34:40 date DDMMYY
//	01, 07        90:104 old / new balance
//	04 movement   7:11 internal operation code, 32:34 interbank code,
//	              40:42 rejection code, 42:48 value date, 48:80 label,
//	              81:88 entry number, 90:104 amount, 104:120 reference
//	05 complement 45:48 qualifier (NPY payer's name, IPY payer's
//	              identifier, RCN payer's reference, REF end-to-end
//	              reference, LIB/LCC/LC2 free text), 48:118 text
//
// An amount is 14 characters: 13 digits then one character holding the
// last digit and the sign — '{' and A to I are +0 to +9, '}' and J to R
// are −0 to −9 — with the number of decimals of the record.
const cfonbLen = 120

// cfonbReader reads the records of a CFONB 120 file.
type cfonbReader struct {
	line int
	fn   func(Entry) error

	open        bool // a 01 was read and its 07 not yet
	openLine    int
	account     string // IBAN
	rawAccount  string // bank + branch + account, as in the records
	currency    string
	stmtID      string
	balance     int64 // the old balance plus the movements so far, in cents
	pending     *Entry
	pendingLine int
	n           int // movements of the statement
	sawAny      bool
}

// ReadCFONB120 reads a CFONB 120 statement file (one or several accounts
// or days, each a 01 old balance, its 04 movements with their 05
// complements, and a 07 new balance) and calls fn with each movement.
// Records may be separated by line breaks (CR LF or LF) or follow each
// other without any. The new balance must be the old one plus the
// movements; a record of the wrong length, an unknown code, a movement
// outside a statement, a file ending before its new balance, or an
// unreadable amount or date is refused, naming the line.
func ReadCFONB120(r io.Reader, fn func(Entry) error) error {
	c := &cfonbReader{fn: fn}
	br := bufio.NewReaderSize(r, 64<<10)
	rec := make([]byte, 0, cfonbLen)
	flush := func() error {
		if len(rec) == 0 {
			return nil
		}
		c.line++
		if len(rec) != cfonbLen {
			return c.fail("", fmt.Sprintf("Enregistrement de %d caractères : un relevé CFONB en compte %d par ligne.", len(rec), cfonbLen))
		}
		err := c.record(string(rec))
		rec = rec[:0]
		return err
	}
	for {
		b, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch b {
		case '\r':
			continue
		case '\n':
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		rec = append(rec, b)
		if len(rec) == cfonbLen {
			// A full record: the next byte decides whether lines are
			// separated; either way this one is complete.
			if err := flush(); err != nil {
				return err
			}
			// Swallow the line break that follows a full record.
			if next, err := br.Peek(1); err == nil && (next[0] == '\r' || next[0] == '\n') {
				_, _ = br.ReadByte()
				if next[0] == '\r' {
					if nn, err := br.Peek(1); err == nil && nn[0] == '\n' {
						_, _ = br.ReadByte()
					}
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if !c.sawAny {
		return &Error{Msg: "Ce fichier n'est pas un relevé CFONB 120 : il est vide."}
	}
	if c.open {
		return &Error{Line: c.line, Element: "07", Msg: fmt.Sprintf("Fichier tronqué : le relevé ouvert ligne %d n'a pas de nouveau solde (enregistrement 07).", c.openLine)}
	}
	return nil
}

func (c *cfonbReader) fail(code, msg string) error {
	return &Error{Line: c.line, Element: code, Msg: msg}
}

// latin1 turns a field's text into UTF-8: as is when it is valid UTF-8,
// else byte by byte as ISO 8859-1 (positions are bytes: CFONB files are
// ASCII or Latin-1).
func latin1(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var s strings.Builder
	for _, x := range b {
		s.WriteRune(rune(x))
	}
	return s.String()
}

// field is the text between two byte positions of an ASCII record.
func field(rec string, from, to int) string { return strings.TrimSpace(latin1([]byte(rec[from:to]))) }

func (c *cfonbReader) record(rec string) error {
	code := rec[0:2]
	c.sawAny = true
	switch code {
	case "01":
		return c.oldBalance(rec)
	case "04":
		return c.movement(rec)
	case "05":
		return c.complement(rec)
	case "07":
		return c.newBalance(rec)
	}
	if c.line == 1 {
		return c.fail(code, "Ce fichier n'est pas un relevé CFONB 120 : il doit commencer par un ancien solde (code 01).")
	}
	return c.fail(code, fmt.Sprintf("Code d'enregistrement inconnu : %q (01, 04, 05 ou 07 attendu).", code))
}

// amount reads the signed amount at 90:104 in cents.
func (c *cfonbReader) amount(rec, code string) (int64, error) {
	raw := rec[90:104]
	decimals := int(rec[19] - '0')
	if rec[19] < '0' || rec[19] > '9' {
		return 0, c.fail(code, "Nombre de décimales illisible (position 20).")
	}
	digits, last := raw[:13], raw[13]
	var sign int64 = 1
	var lastDigit byte
	switch {
	case last == '{':
		lastDigit = 0
	case 'A' <= last && last <= 'I':
		lastDigit = last - 'A' + 1
	case last == '}':
		sign, lastDigit = -1, 0
	case 'J' <= last && last <= 'R':
		sign, lastDigit = -1, last-'J'+1
	default:
		return 0, c.fail(code, fmt.Sprintf("Montant illisible : le dernier caractère %q ne code ni signe ni chiffre.", string(last)))
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, c.fail(code, fmt.Sprintf("Montant illisible : %q.", raw))
	}
	v = v*10 + int64(lastDigit)
	switch {
	case decimals == 2:
	case decimals < 2:
		for range 2 - decimals {
			v *= 10
		}
	default:
		for range decimals - 2 {
			if v%10 != 0 {
				return 0, c.fail(code, "Montant avec des fractions de centime.")
			}
			v /= 10
		}
	}
	return sign * v, nil
}

// date reads a DDMMYY date (years 00–79 are 2000–2079).
func (c *cfonbReader) date(rec string, from int, code, what string) (recouvra.Date, error) {
	s := rec[from : from+6]
	if strings.TrimSpace(s) == "" {
		return recouvra.Date{}, nil
	}
	d, e1 := strconv.Atoi(s[0:2])
	m, e2 := strconv.Atoi(s[2:4])
	y, e3 := strconv.Atoi(s[4:6])
	if e1 != nil || e2 != nil || e3 != nil {
		return recouvra.Date{}, c.fail(code, fmt.Sprintf("%s illisible : %q (JJMMAA).", what, s))
	}
	if y < 80 {
		y += 2000
	} else {
		y += 1900
	}
	dt, err := recouvra.ParseDate(fmt.Sprintf("%04d-%02d-%02d", y, m, d))
	if err != nil {
		return recouvra.Date{}, c.fail(code, fmt.Sprintf("%s invalide : %q (JJMMAA).", what, s))
	}
	return dt, nil
}

// sameAccount checks a record is about the open statement's account.
func (c *cfonbReader) sameAccount(rec, code string) error {
	if !c.open {
		return c.fail(code, "Enregistrement hors relevé : un ancien solde (01) doit le précéder.")
	}
	if raw := rec[2:7] + rec[11:16] + rec[21:32]; raw != c.rawAccount {
		return c.fail(code, "Enregistrement d'un autre compte que l'ancien solde qui le précède.")
	}
	return nil
}

func (c *cfonbReader) oldBalance(rec string) error {
	if c.open {
		return c.fail("01", fmt.Sprintf("Ancien solde alors que le relevé ouvert ligne %d n'a pas de nouveau solde (07).", c.openLine))
	}
	bal, err := c.amount(rec, "01")
	if err != nil {
		return err
	}
	on, err := c.date(rec, 34, "01", "Date du solde")
	if err != nil {
		return err
	}
	if on.IsZero() {
		return c.fail("01", "Ancien solde sans date.")
	}
	bank, branch, acct := rec[2:7], rec[11:16], rec[21:32]
	iban, err := frenchIBAN(bank, branch, acct)
	if err != nil {
		return c.fail("01", err.Error())
	}
	c.open, c.openLine, c.n = true, c.line, 0
	c.rawAccount, c.account, c.currency = bank+branch+acct, iban, field(rec, 16, 19)
	c.balance = bal
	c.stmtID = iban + "-" + on.String()
	return nil
}

func (c *cfonbReader) movement(rec string) error {
	if err := c.sameAccount(rec, "04"); err != nil {
		return err
	}
	if err := c.emit(); err != nil {
		return err
	}
	amt, err := c.amount(rec, "04")
	if err != nil {
		return err
	}
	if amt == 0 {
		return c.fail("04", "Mouvement de montant nul.")
	}
	booked, err := c.date(rec, 34, "04", "Date de comptabilisation")
	if err != nil {
		return err
	}
	if booked.IsZero() {
		return c.fail("04", "Mouvement sans date de comptabilisation.")
	}
	value, err := c.date(rec, 42, "04", "Date de valeur")
	if err != nil {
		return err
	}
	if value.IsZero() {
		value = booked
	}
	c.n++
	c.balance += amt
	e := Entry{Account: c.account, StatementID: c.stmtID, BookedOn: booked, ValueOn: value, Currency: field(rec, 16, 19),
		Credit: amt > 0, AmountCents: max(amt, -amt), Reversal: field(rec, 40, 42) != "",
		Unstructured: field(rec, 48, 80), Where: fmt.Sprintf("ligne %d", c.line)}
	number, ref := field(rec, 81, 88), field(rec, 104, 120)
	switch {
	case number != "":
		e.Reference = booked.String() + "/" + number
	case ref != "":
		e.Reference = booked.String() + "/" + ref
	default:
		e.Reference = fmt.Sprintf("#%d", c.n)
	}
	if ref != "" {
		e.EndToEndID = ref
	}
	c.pending, c.pendingLine = &e, c.line
	return nil
}

func (c *cfonbReader) complement(rec string) error {
	if err := c.sameAccount(rec, "05"); err != nil {
		return err
	}
	if c.pending == nil {
		return c.fail("05", "Complément (05) sans mouvement (04) avant lui.")
	}
	e, text := c.pending, field(rec, 48, 118)
	switch field(rec, 45, 48) {
	case "NPY":
		e.DebtorName = field(rec, 48, 83)
	case "IPY":
		id := strings.ToUpper(strings.ReplaceAll(field(rec, 48, 83), " ", ""))
		if len(id) >= 15 && id[0] >= 'A' && id[0] <= 'Z' && id[1] >= 'A' && id[1] <= 'Z' {
			e.DebtorIBAN = id
		}
	case "RCN":
		e.Structured = field(rec, 48, 83)
		if purpose := field(rec, 83, 118); purpose != "" {
			e.Unstructured = strings.TrimSpace(e.Unstructured + " " + purpose)
		}
	case "REF":
		e.EndToEndID = field(rec, 48, 83)
	default: // LIB, LCC, LC2, … : free text
		e.Unstructured = strings.TrimSpace(e.Unstructured + " " + text)
	}
	return nil
}

func (c *cfonbReader) newBalance(rec string) error {
	if err := c.sameAccount(rec, "07"); err != nil {
		return err
	}
	if err := c.emit(); err != nil {
		return err
	}
	bal, err := c.amount(rec, "07")
	if err != nil {
		return err
	}
	if bal != c.balance {
		return c.fail("07", fmt.Sprintf("Le nouveau solde (%s) n'est pas l'ancien solde plus les %d mouvements (%s) : fichier incomplet ou altéré.",
			signed(bal), c.n, signed(c.balance)))
	}
	c.open = false
	return nil
}

// emit hands the pending movement, complete with its complements, to fn.
func (c *cfonbReader) emit() error {
	if c.pending == nil {
		return nil
	}
	e := *c.pending
	c.pending = nil
	return c.fn(e)
}

func signed(cents int64) string {
	if cents < 0 {
		return "-" + decimal(-cents)
	}
	return decimal(cents)
}

// frenchIBAN builds the IBAN of a French account from its bank code,
// branch code and account number, computing the RIB key (letters of the
// account number count as digits: A and J as 1, B, K and S as 2, …).
func frenchIBAN(bank, branch, account string) (string, error) {
	digits := func(s string) (string, bool) {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			x := s[i]
			switch {
			case '0' <= x && x <= '9':
				b.WriteByte(x)
			case 'A' <= x && x <= 'Z':
				b.WriteByte("12345678912345678923456789"[x-'A'])
			default:
				return "", false
			}
		}
		return b.String(), true
	}
	nb, ok1 := digits(bank)
	ng, ok2 := digits(branch)
	na, ok3 := digits(account)
	if !ok1 || !ok2 || !ok3 || len(nb) != 5 || len(ng) != 5 || len(na) != 11 {
		return "", errors.New("Code banque, guichet ou numéro de compte illisible.")
	}
	b, _ := strconv.ParseInt(nb, 10, 64)
	g, _ := strconv.ParseInt(ng, 10, 64)
	a, _ := strconv.ParseInt(na, 10, 64)
	key := 97 - (89*b+15*g+3*a)%97
	bban := fmt.Sprintf("%s%s%s%02d", bank, branch, account, key)
	check := 98 - mod97(bban+"FR00")
	return fmt.Sprintf("FR%02d%s", check, bban), nil
}

// mod97 is the remainder modulo 97 of s's digits, letters as 10 to 35.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		x := s[i]
		if 'A' <= x && x <= 'Z' {
			r = (r*100 + int(x-'A'+10)) % 97
		} else {
			r = (r*10 + int(x-'0')) % 97
		}
	}
	return r
}

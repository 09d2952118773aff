package bankfile

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Statement is what the writers put in a file: one account's statement.
type Statement struct {
	ID           string // camt.053 Stmt/Id (CFONB has none: the reader makes one of the account and date)
	Account      string // IBAN; French for CFONB 120
	Currency     string // ISO 4217
	On           recouvra.Date
	OpeningCents int64 // signed: negative for an overdraft
	Entries      []Entry
}

// Closing is the statement's closing balance in cents.
func (s Statement) Closing() int64 {
	b := s.OpeningCents
	for _, e := range s.Entries {
		if e.Credit {
			b += e.AmountCents
		} else {
			b -= e.AmountCents
		}
	}
	return b
}

// WriteCAMT053 writes statements as one camt.053.001.08 document.
func WriteCAMT053(w io.Writer, msgID string, stmts ...Statement) error {
	bw := bufio.NewWriter(w)
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	bal := func(code string, cents int64, ccy string, on recouvra.Date) {
		sign := "CRDT"
		if cents < 0 {
			sign, cents = "DBIT", -cents
		}
		fmt.Fprintf(bw, "<Bal><Tp><CdOrPrtry><Cd>%s</Cd></CdOrPrtry></Tp><Amt Ccy=\"%s\">%s</Amt><CdtDbtInd>%s</CdtDbtInd><Dt><Dt>%s</Dt></Dt></Bal>\n",
			code, esc(ccy), decimal(cents), sign, on)
	}
	fmt.Fprintf(bw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">\n<BkToCstmrStmt>\n")
	fmt.Fprintf(bw, "<GrpHdr><MsgId>%s</MsgId><CreDtTm>%sT00:00:00Z</CreDtTm></GrpHdr>\n", esc(msgID), stmts[0].On)
	for _, s := range stmts {
		fmt.Fprintf(bw, "<Stmt>\n<Id>%s</Id>\n<Acct><Id><IBAN>%s</IBAN></Id><Ccy>%s</Ccy></Acct>\n", esc(s.ID), esc(s.Account), esc(s.Currency))
		bal("OPBD", s.OpeningCents, s.Currency, s.On)
		bal("CLBD", s.Closing(), s.Currency, s.On)
		for _, e := range s.Entries {
			sign := "DBIT"
			if e.Credit {
				sign = "CRDT"
			}
			ccy := e.Currency
			if ccy == "" {
				ccy = s.Currency
			}
			fmt.Fprintf(bw, "<Ntry>\n<NtryRef>%s</NtryRef><Amt Ccy=\"%s\">%s</Amt><CdtDbtInd>%s</CdtDbtInd>", esc(e.Reference), esc(ccy), decimal(e.AmountCents), sign)
			if e.Reversal {
				bw.WriteString("<RvslInd>true</RvslInd>")
			}
			value := e.ValueOn
			if value.IsZero() {
				value = e.BookedOn
			}
			fmt.Fprintf(bw, "<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>%s</Dt></BookgDt><ValDt><Dt>%s</Dt></ValDt><AcctSvcrRef>%s</AcctSvcrRef>\n", e.BookedOn, value, esc(e.Reference))
			fmt.Fprintf(bw, "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>\n")
			bw.WriteString("<NtryDtls><TxDtls>")
			e2e := e.EndToEndID
			if e2e == "" {
				e2e = "NOTPROVIDED"
			}
			fmt.Fprintf(bw, "<Refs><EndToEndId>%s</EndToEndId></Refs>", esc(e2e))
			if e.DebtorName != "" || e.DebtorIBAN != "" {
				bw.WriteString("<RltdPties>")
				if e.DebtorName != "" {
					fmt.Fprintf(bw, "<Dbtr><Pty><Nm>%s</Nm></Pty></Dbtr>", esc(e.DebtorName))
				}
				if e.DebtorIBAN != "" {
					fmt.Fprintf(bw, "<DbtrAcct><Id><IBAN>%s</IBAN></Id></DbtrAcct>", esc(e.DebtorIBAN))
				}
				bw.WriteString("</RltdPties>")
			}
			if e.Unstructured != "" || e.Structured != "" {
				bw.WriteString("<RmtInf>")
				if e.Unstructured != "" {
					fmt.Fprintf(bw, "<Ustrd>%s</Ustrd>", esc(e.Unstructured))
				}
				if e.Structured != "" {
					fmt.Fprintf(bw, "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>%s</Ref></CdtrRefInf></Strd>", esc(e.Structured))
				}
				bw.WriteString("</RmtInf>")
			}
			bw.WriteString("</TxDtls></NtryDtls>\n</Ntry>\n")
		}
		bw.WriteString("</Stmt>\n")
	}
	bw.WriteString("</BkToCstmrStmt>\n</Document>\n")
	return bw.Flush()
}

// WriteCFONB120 writes statements as CFONB 120 records, CR LF after each,
// amounts with 2 decimals. Each entry's movement number is its position in
// the statement, its EndToEndID the movement's reference; the debtor's
// name (NPY), IBAN (IPY), structured reference (RCN) and the free text
// beyond the 31 characters of the label (LCC) follow as 05 records.
func WriteCFONB120(w io.Writer, stmts ...Statement) error {
	bw := bufio.NewWriter(w)
	for _, s := range stmts {
		if len(s.Account) != 27 || !strings.HasPrefix(s.Account, "FR") {
			return fmt.Errorf("bankfile: CFONB 120 needs a French IBAN, not %q", s.Account)
		}
		bank, branch, acct := s.Account[4:9], s.Account[9:14], s.Account[14:25]
		rec := func(code, opCode string, on recouvra.Date, mid string, amount *int64, tail string) {
			b := []byte(strings.Repeat(" ", cfonbLen))
			put := func(at int, v string) { copy(b[at:], v) }
			put(0, code)
			put(2, bank)
			put(7, opCode)
			put(11, branch)
			put(16, s.Currency)
			put(19, "2")
			put(21, acct)
			put(34, ddmmyy(on))
			put(40, mid)
			if amount != nil {
				put(90, cfonbAmount(*amount))
			}
			put(104, tail)
			bw.Write(b[:cfonbLen])
			bw.WriteString("\r\n")
		}
		opening, closing := s.OpeningCents, s.Closing()
		rec("01", "    ", s.On, "", &opening, "")
		for i, e := range s.Entries {
			amt := e.AmountCents
			if !e.Credit {
				amt = -amt
			}
			value := e.ValueOn
			if value.IsZero() {
				value = e.BookedOn
			}
			reject := "  "
			if e.Reversal {
				reject = "01"
			}
			label, rest := ascii(e.Unstructured), ""
			if len(label) > 31 {
				label, rest = label[:31], label[31:]
			}
			// 40: rejection code, 42: value date, 48: label, 81: number.
			mid := reject + ddmmyy(value) + pad(label, 32) + " " + fmt.Sprintf("%07d", i+1) + "  "
			rec("04", "0001", e.BookedOn, mid, &amt, pad(ascii(e.EndToEndID), 16))
			detail := func(q, text string) {
				rec("05", "0001", e.BookedOn, "     "+q+pad(text, 70), nil, "")
			}
			if e.DebtorName != "" {
				detail("NPY", pad(ascii(e.DebtorName), 35))
			}
			if e.DebtorIBAN != "" {
				detail("IPY", pad(e.DebtorIBAN, 35))
			}
			if e.Structured != "" {
				detail("RCN", pad(ascii(e.Structured), 35))
			}
			for rest != "" {
				n := min(70, len(rest))
				detail("LCC", rest[:n])
				rest = rest[n:]
			}
		}
		rec("07", "    ", s.On, "", &closing, "")
	}
	return bw.Flush()
}

// cfonbAmount writes a signed amount of cents in 14 characters, the last
// holding the last digit and the sign.
func cfonbAmount(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	digits := fmt.Sprintf("%014d", cents)
	last := digits[13] - '0'
	var c byte
	switch {
	case !neg && last == 0:
		c = '{'
	case !neg:
		c = 'A' + last - 1
	case last == 0:
		c = '}'
	default:
		c = 'J' + last - 1
	}
	return digits[:13] + string(c)
}

func ddmmyy(d recouvra.Date) string {
	return fmt.Sprintf("%02d%02d%02d", d.Day(), int(d.Month()), d.Year()%100)
}

// pad cuts or pads s to n bytes.
func pad(s string, n int) string {
	if len(s) >= n {
		return s[:n]
	}
	return s + strings.Repeat(" ", n-len(s))
}

// ascii keeps printable ASCII, replacing anything else by a space (CFONB
// records are positional: one byte per character).
func ascii(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0x20 && r < 0x7f {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

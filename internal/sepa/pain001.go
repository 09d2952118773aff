// Package sepa writes SEPA credit transfer initiations: ISO 20022
// pain.001.001.09 as the EPC's SCT customer-to-bank guidelines use it (one
// payment information block debiting one account, amounts in euros, the
// service level SEPA, charges shared, the SEPA character set).
package sepa

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/recouvra/recouvra/internal/ident"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Namespace is pain.001.001.09's.
const Namespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"

// Transfer is one credit transfer: an amount to a beneficiary's account.
type Transfer struct {
	EndToEndID   string // the remittance reference, given back on the beneficiary's statement
	AmountCents  int64
	CreditorName string
	IBAN         string
	BIC          string // optional
	Remittance   string // unstructured remittance information (140 characters at most)
}

// Initiation is a file: transfers from one account on one day.
type Initiation struct {
	MsgID         string
	CreatedAt     time.Time
	DebtorName    string
	DebtorIBAN    string
	DebtorBIC     string // optional ("NOTPROVIDED" is written without it)
	ExecutionDate recouvra.Date
	Transfers     []Transfer
}

// Totals are a file's control figures.
func (in Initiation) Totals() (n int, cents int64) {
	for _, t := range in.Transfers {
		cents += t.AmountCents
	}
	return len(in.Transfers), cents
}

// Pain001 writes the file; it refuses what a bank would reject: no
// transfer, an amount not in 0.01–999 999 999.99, an invalid IBAN, a
// reference too long or outside the SEPA character set.
func Pain001(in Initiation) ([]byte, error) {
	if len(in.Transfers) == 0 {
		return nil, fmt.Errorf("pain.001: no transfer")
	}
	if _, err := ident.ParseIBAN(in.DebtorIBAN); err != nil {
		return nil, fmt.Errorf("pain.001: the debtor's IBAN: %w", err)
	}
	if err := checkID("MsgId", in.MsgID); err != nil {
		return nil, err
	}
	n, sum := in.Totals()
	doc := document{Xmlns: Namespace}
	c := &doc.Initn
	c.GrpHdr = grpHdr{MsgID: in.MsgID, CreDtTm: in.CreatedAt.UTC().Format("2006-01-02T15:04:05"), NbOfTxs: fmt.Sprint(n), CtrlSum: amount(sum),
		InitgPty: party{Nm: Text(in.DebtorName, 70)}}
	p := pmtInf{PmtInfID: in.MsgID, PmtMtd: "TRF", NbOfTxs: fmt.Sprint(n), CtrlSum: amount(sum), SvcLvl: "SEPA",
		ReqdExctnDt: in.ExecutionDate.String(), Dbtr: party{Nm: Text(in.DebtorName, 70)},
		DbtrAcct: account{IBAN: compactIBAN(in.DebtorIBAN)}, DbtrAgt: agentOf(in.DebtorBIC), ChrgBr: "SLEV"}
	for _, t := range in.Transfers {
		if t.AmountCents < 1 || t.AmountCents > 99999999999 {
			return nil, fmt.Errorf("pain.001: transfer %s: amount %d cents out of 0.01–999 999 999.99", t.EndToEndID, t.AmountCents)
		}
		if _, err := ident.ParseIBAN(t.IBAN); err != nil {
			return nil, fmt.Errorf("pain.001: transfer %s: %w", t.EndToEndID, err)
		}
		if err := checkID("EndToEndId", t.EndToEndID); err != nil {
			return nil, err
		}
		tx := cdtTrfTxInf{EndToEndID: t.EndToEndID, Amt: instdAmt{Ccy: "EUR", Value: amount(t.AmountCents)},
			Cdtr: party{Nm: Text(t.CreditorName, 70)}, CdtrAcct: account{IBAN: compactIBAN(t.IBAN)}}
		if b := strings.TrimSpace(t.BIC); b != "" {
			tx.CdtrAgt = &agent{BICFI: strings.ToUpper(b)}
		}
		if r := Text(t.Remittance, 140); r != "" {
			tx.RmtInf = &rmtInf{Ustrd: r}
		}
		p.Txs = append(p.Txs, tx)
	}
	c.PmtInf = p
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// Read reads back a file's control figures and transfers (for tests and
// for showing a file before it is sent).
func Read(data []byte) (Initiation, error) {
	var doc document
	if err := xml.Unmarshal(data, &doc); err != nil {
		return Initiation{}, err
	}
	if doc.XMLName.Space != Namespace {
		return Initiation{}, fmt.Errorf("not a pain.001.001.09 file: %q", doc.XMLName.Space)
	}
	in := Initiation{MsgID: doc.Initn.GrpHdr.MsgID, DebtorName: doc.Initn.PmtInf.Dbtr.Nm, DebtorIBAN: doc.Initn.PmtInf.DbtrAcct.IBAN}
	for _, t := range doc.Initn.PmtInf.Txs {
		cents, err := cents(t.Amt.Value)
		if err != nil {
			return Initiation{}, err
		}
		tr := Transfer{EndToEndID: t.EndToEndID, AmountCents: cents, CreditorName: t.Cdtr.Nm, IBAN: t.CdtrAcct.IBAN}
		if t.RmtInf != nil {
			tr.Remittance = t.RmtInf.Ustrd
		}
		in.Transfers = append(in.Transfers, tr)
	}
	return in, nil
}

// ControlSum is the group header's CtrlSum in cents.
func ControlSum(data []byte) (int64, error) {
	var doc document
	if err := xml.Unmarshal(data, &doc); err != nil {
		return 0, err
	}
	return cents(doc.Initn.GrpHdr.CtrlSum)
}

func cents(s string) (int64, error) {
	var units, frac int64
	if _, err := fmt.Sscanf(s, "%d.%02d", &units, &frac); err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	return units*100 + frac, nil
}

func amount(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

func compactIBAN(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

func agentOf(bic string) agent {
	if b := strings.TrimSpace(bic); b != "" {
		return agent{BICFI: strings.ToUpper(b)}
	}
	return agent{Othr: &othr{ID: "NOTPROVIDED"}}
}

// checkID: an identifier of 1 to 35 characters of the SEPA set, neither
// starting nor ending with '/' and without "//" (EPC guidelines).
func checkID(what, s string) error {
	if s == "" || len(s) > 35 || Text(s, 35) != s || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "//") {
		return fmt.Errorf("pain.001: %s %q: 1 to 35 characters of the SEPA set", what, s)
	}
	return nil
}

// Text brings s into the SEPA character set (Latin letters, digits,
// / - ? : ( ) . , ' + and space): accents are dropped, anything else
// becomes a space, runs of spaces one; at most max characters.
func Text(s string, max int) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("/-?:().,'+", r)):
			b.WriteRune(r)
			space = false
		default:
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
		}
	}
	out := strings.TrimSpace(b.String())
	if len(out) > max {
		out = strings.TrimSpace(out[:max])
	}
	return out
}

type document struct {
	XMLName xml.Name  `xml:"Document"`
	Xmlns   string    `xml:"xmlns,attr"`
	Initn   cstmrInit `xml:"CstmrCdtTrfInitn"`
}

type cstmrInit struct {
	GrpHdr grpHdr `xml:"GrpHdr"`
	PmtInf pmtInf `xml:"PmtInf"`
}

type grpHdr struct {
	MsgID    string `xml:"MsgId"`
	CreDtTm  string `xml:"CreDtTm"`
	NbOfTxs  string `xml:"NbOfTxs"`
	CtrlSum  string `xml:"CtrlSum"`
	InitgPty party  `xml:"InitgPty"`
}

type party struct {
	Nm string `xml:"Nm"`
}

type pmtInf struct {
	PmtInfID    string        `xml:"PmtInfId"`
	PmtMtd      string        `xml:"PmtMtd"`
	NbOfTxs     string        `xml:"NbOfTxs"`
	CtrlSum     string        `xml:"CtrlSum"`
	SvcLvl      string        `xml:"PmtTpInf>SvcLvl>Cd"`
	ReqdExctnDt string        `xml:"ReqdExctnDt>Dt"`
	Dbtr        party         `xml:"Dbtr"`
	DbtrAcct    account       `xml:"DbtrAcct"`
	DbtrAgt     agent         `xml:"DbtrAgt"`
	ChrgBr      string        `xml:"ChrgBr"`
	Txs         []cdtTrfTxInf `xml:"CdtTrfTxInf"`
}

type account struct {
	IBAN string `xml:"Id>IBAN"`
}

type agent struct {
	BICFI string `xml:"FinInstnId>BICFI,omitempty"`
	Othr  *othr  `xml:"FinInstnId>Othr,omitempty"`
}

type othr struct {
	ID string `xml:"Id"`
}

type cdtTrfTxInf struct {
	EndToEndID string   `xml:"PmtId>EndToEndId"`
	Amt        instdAmt `xml:"Amt>InstdAmt"`
	CdtrAgt    *agent   `xml:"CdtrAgt,omitempty"`
	Cdtr       party    `xml:"Cdtr"`
	CdtrAcct   account  `xml:"CdtrAcct"`
	RmtInf     *rmtInf  `xml:"RmtInf,omitempty"`
}

type instdAmt struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

type rmtInf struct {
	Ustrd string `xml:"Ustrd"`
}

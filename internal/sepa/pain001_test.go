package sepa_test

import (
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/sepa"
)

func sample() sepa.Initiation {
	return sepa.Initiation{MsgID: "REV-2026-11-0001", CreatedAt: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC),
		DebtorName: "Agence Recouvra — compte clients", DebtorIBAN: "FR76 3000 6000 0112 3456 7890 189", DebtorBIC: "AGRIFRPP",
		ExecutionDate: recouvra.MustDate("2026-12-02"),
		Transfers: []sepa.Transfer{
			{EndToEndID: "REV-2026-11-0001-01", AmountCents: 76000, CreditorName: "Menuiserie Dupont SARL", IBAN: "DE89370400440532013000", Remittance: "Reversement REV-2026-11-0001-01"},
			{EndToEndID: "REV-2026-11-0001-02", AmountCents: 12345, CreditorName: "Boulangerie Martin & Fils (Dijon)", IBAN: "FR1420041010050500013M02606", BIC: "PSSTFRPPDIJ"},
		}}
}

func TestPain001RoundTrip(t *testing.T) {
	b, err := sepa.Pain001(sample())
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">`, "<NbOfTxs>2</NbOfTxs>", "<CtrlSum>883.45</CtrlSum>",
		"<Cd>SEPA</Cd>", "<ReqdExctnDt>\n", "<Dt>2026-12-02</Dt>", "<ChrgBr>SLEV</ChrgBr>", "<BICFI>AGRIFRPP</BICFI>", `<InstdAmt Ccy="EUR">760.00</InstdAmt>`,
		"<IBAN>FR7630006000011234567890189</IBAN>", "<Nm>Boulangerie Martin Fils (Dijon)</Nm>", "<Nm>Agence Recouvra compte clients</Nm>"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	got, err := sepa.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := sepa.ControlSum(b)
	if err != nil || sum != 88345 {
		t.Errorf("control sum %d %v", sum, err)
	}
	if len(got.Transfers) != 2 || got.Transfers[0].AmountCents != 76000 || got.Transfers[1].AmountCents != 12345 ||
		got.Transfers[0].EndToEndID != "REV-2026-11-0001-01" || got.Transfers[1].IBAN != "FR1420041010050500013M02606" {
		t.Errorf("read back %+v", got)
	}
}

func TestPain001Refuses(t *testing.T) {
	for name, edit := range map[string]func(*sepa.Initiation){
		"no transfer":       func(in *sepa.Initiation) { in.Transfers = nil },
		"bad debtor IBAN":   func(in *sepa.Initiation) { in.DebtorIBAN = "FR7630006000011234567890188" },
		"bad creditor IBAN": func(in *sepa.Initiation) { in.Transfers[1].IBAN = "FR1420041010050500013M02607" },
		"zero amount":       func(in *sepa.Initiation) { in.Transfers[0].AmountCents = 0 },
		"long reference":    func(in *sepa.Initiation) { in.Transfers[0].EndToEndID = strings.Repeat("A", 36) },
		"slash reference":   func(in *sepa.Initiation) { in.Transfers[0].EndToEndID = "REV//1" },
		"accented msg id":   func(in *sepa.Initiation) { in.MsgID = "RÉV-1" },
	} {
		in := sample()
		edit(&in)
		if _, err := sepa.Pain001(in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"Société Générale — Agence d'Évry": "Societe Generale Agence d'Evry",
		"  Müller & Søn  ":                 "Muller S n",
		"ok/ref-1?:().,'+":                 "ok/ref-1?:().,'+",
	} {
		if got := sepa.Text(in, 70); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	if got := sepa.Text(strings.Repeat("abc ", 50), 10); got != "abc abc ab" {
		t.Errorf("cut to %q", got)
	}
}

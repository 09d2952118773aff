package recouvra_test

import (
	"testing"

	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestParseAmountCents(t *testing.T) {
	for in, want := range map[string]int64{
		"1 234,56": 123456, "1\u00a0234,56 €": 123456, "1\u202f234,5": 123450, "1.234,56": 123456, "1,234.56": 123456,
		"1234.56": 123456, "-12,5": -1250, "80": 8000, "1.234.567": 123456700, "'-120,00": -12000, "0,07": 7,
	} {
		if got, err := recouvra.ParseAmountCents(in); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "beaucoup", "1,2,3", "12,345", "1e5", "=1+2", "--3"} {
		if got, err := recouvra.ParseAmountCents(in); err == nil {
			t.Errorf("%q read as %d", in, got)
		}
	}
}

func TestParseDayDate(t *testing.T) {
	for in, want := range map[string]string{
		"15/01/2026": "2026-01-15", "5/1/2026": "2026-01-05", "15-01-2026": "2026-01-15", "15.01.26": "2026-01-15",
		"2026-01-15": "2026-01-15", "46037": "2026-01-15", "2026-01-15T00:00:00": "2026-01-15", "29/02/2028": "2028-02-29",
	} {
		if got, err := recouvra.ParseDayDate(in); err != nil || got.String() != want {
			t.Errorf("%q: %s %v, want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "31/02/2026", "01/13/2026", "2026-02-30", "hier", "12", "15/01/202"} {
		if got, err := recouvra.ParseDayDate(in); err == nil {
			t.Errorf("%q read as %s", in, got)
		}
	}
}

func TestGuessPlacementMapping(t *testing.T) {
	m := recouvra.GuessPlacementMapping([]string{"Raison sociale", "N° SIREN", "Code postal", "N° de facture", "Date facture", "Échéance", "Montant TTC", "Votre référence", "Téléphone"})
	want := recouvra.PlacementMapping{recouvra.PFDebtorName: 0, recouvra.PFSIREN: 1, recouvra.PFPostalCode: 2, recouvra.PFInvoiceNumber: 3,
		recouvra.PFIssuedOn: 4, recouvra.PFDueOn: 5, recouvra.PFAmount: 6, recouvra.PFReference: 7, recouvra.PFPhone: 8}
	if len(m) != len(want) {
		t.Fatalf("got %v", m)
	}
	for f, i := range want {
		if m[f] != i {
			t.Errorf("%s: %d, want %d (%v)", f, m[f], i, m)
		}
	}
	en := recouvra.GuessPlacementMapping([]string{"Customer name", "Invoice number", "Invoice date", "Due date", "Amount", "Reference"})
	if len(en) != 6 || len(en.Check(6)) != 0 {
		t.Errorf("English headers: %v %v", en, en.Check(6))
	}
	if f := (recouvra.PlacementMapping{recouvra.PFDebtorName: 0, recouvra.PFAmount: 0}).Check(3); len(f) < 4 {
		t.Errorf("a column twice and missing fields: %v", f)
	}
}

func TestReadPlacementRowUsesTheAPIRules(t *testing.T) {
	m := recouvra.PlacementMapping{recouvra.PFDebtorName: 0, recouvra.PFSIREN: 1, recouvra.PFInvoiceNumber: 2, recouvra.PFIssuedOn: 3,
		recouvra.PFDueOn: 4, recouvra.PFAmount: 5, recouvra.PFPostalCode: 6}
	row, p := recouvra.ReadPlacementRow([]string{"Garage SARL", "443 061 841", "F-1", "15/01/2026", "15/02/2026", "1 234,56", "69007"}, m)
	if len(p) != 0 || row.Debtor.SIREN != "443061841" || row.Claim.AmountCents != 123456 || row.GroupKey != "siren:443061841|ref:|EUR" {
		t.Fatalf("%+v %v", row, p)
	}
	_, p = recouvra.ReadPlacementRow([]string{"", "123456789", "F-1", "15/02/2026", "15/01/2026", "0", ""}, m)
	fields := map[recouvra.PlacementField]bool{}
	for _, x := range p {
		fields[x.Field] = true
	}
	for _, f := range []recouvra.PlacementField{recouvra.PFDebtorName, recouvra.PFSIREN, recouvra.PFDueOn, recouvra.PFAmount} {
		if !fields[f] {
			t.Errorf("no problem on %s: %v", f, p)
		}
	}
	a, _ := recouvra.ReadPlacementRow([]string{"Café de l'Été", "", "F-2", "15/01/2026", "15/02/2026", "10", "29 200"}, m)
	b, _ := recouvra.ReadPlacementRow([]string{"CAFE DE L ETE", "", "F-3", "15/01/2026", "15/02/2026", "10", "29200"}, m)
	if a.GroupKey != b.GroupKey {
		t.Errorf("same debtor, two groups: %q %q", a.GroupKey, b.GroupKey)
	}
}

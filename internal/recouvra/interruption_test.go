package recouvra_test

import (
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestClaimNatureTerms: the nature of a claim comes before the parties
// where the law gives it its own term.
func TestClaimNatureTerms(t *testing.T) {
	consumer := recouvra.Debtor{Kind: recouvra.DebtorPerson, Name: "Jean Dupont"}
	cases := []struct {
		name     string
		creditor recouvra.LegalStatus
		nature   recouvra.ClaimNature
		due      string
		today    string
		wantLast string
		barred   bool
	}{
		{"law 89-462 art. 7-1: rent, three years", recouvra.StatusIndividual, recouvra.NatureResidentialRent,
			"2023-06-30", "2026-07-01", "2026-06-30", true},
		{"law 89-462 art. 7-1: rent, three years, the last day still open", recouvra.StatusBusiness, recouvra.NatureResidentialRent,
			"2023-12-02", "2026-12-02", "2026-12-02", false},
		{"C. civ. 2224: the same landlord's general claim keeps five years", recouvra.StatusIndividual, recouvra.NatureGeneral,
			"2023-06-30", "2026-07-01", "2028-06-30", false},
		{"C. conso. L218-2: an empty nature is general", recouvra.StatusBusiness, "",
			"2024-12-02", "2026-12-03", "2026-12-02", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl := recouvra.Claim{InvoiceNumber: "L-1", DueOn: recouvra.MustDate(tc.due), AmountCents: 80000, Nature: tc.nature}
			f := recouvra.Facts{Today: recouvra.MustDate(tc.today), Debtor: consumer,
				Mandate: recouvra.Mandate{LegalStatus: tc.creditor}, Claims: []recouvra.Claim{cl}}
			c := &recouvra.Case{Stage: recouvra.StageFormalNotice}
			bar, ok := deadline(c.Deadlines(f), "time_bar")
			if !ok || bar.On.String() != tc.wantLast {
				t.Fatalf("time_bar deadline %+v (found %v), want %s", bar, ok, tc.wantLast)
			}
			if got := len(c.TimeBarred(f)) > 0; got != tc.barred {
				t.Fatalf("barred %v, want %v: %v", got, tc.barred, c.TimeBarred(f))
			}
		})
	}
	if (&recouvra.Claim{Nature: "lease", Currency: "EUR"}).Validate("EUR", "claims[0].") == nil {
		t.Fatal("an unknown nature must be refused")
	}
	var named bool
	for _, fe := range (&recouvra.Claim{Nature: "lease", Currency: "EUR"}).Validate("EUR", "claims[0].") {
		named = named || fe.Field == "claims[0].nature"
	}
	if !named {
		t.Fatal("the refusal must name claims[0].nature")
	}
}

// TestCourtInterruption: a filing holds the time bar until the proceedings
// end, a rejection or a lapsed order voids it, a title runs ten years.
func TestCourtInterruption(t *testing.T) {
	company := recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Dupont SAS"}
	d := recouvra.MustDate
	cases := []struct {
		name       string
		due        string
		inj        recouvra.Injunction
		today      string
		wantKind   string // the bar's deadline kind, "" for none
		wantOn     string
		wantBarred bool
	}{
		{"C. civ. 2229: without a filing the bar is acquired after its last day", "2021-11-30",
			recouvra.Injunction{}, "2026-12-02", "time_bar", "2026-11-30", true},
		{"C. civ. 2241-2242: no bar while the request is pending", "2021-11-30",
			recouvra.Injunction{FiledOn: d("2026-11-20")}, "2026-12-02", "", "", false},
		{"C. civ. 2241-2242: no bar while a granted order awaits service", "2021-11-30",
			recouvra.Injunction{FiledOn: d("2026-11-20"), Decision: "granted", DecidedOn: d("2026-11-25")}, "2026-12-02", "", "", false},
		{"C. civ. 2241-2242: no bar while the opposition is before the court", "2021-11-30",
			recouvra.Injunction{FiledOn: d("2026-10-20"), Decision: "granted", DecidedOn: d("2026-10-25"),
				ServedOn: d("2026-11-02"), ServedToPerson: true, OpposedOn: d("2026-11-20")}, "2026-12-02", "", "", false},
		{"C. civ. 2241: a filing after the bar was acquired holds nothing", "2021-11-30",
			recouvra.Injunction{FiledOn: d("2026-12-03")}, "2026-12-02", "time_bar", "2026-11-30", true},
		{"C. civ. 2243: a rejection voids the interruption", "2021-11-30",
			recouvra.Injunction{FiledOn: d("2026-11-20"), Decision: "rejected", DecidedOn: d("2026-11-25")}, "2026-12-02", "time_bar", "2026-11-30", true},
		{"C. civ. 2243, CPC 1411: an order lapsed unserved voids the interruption", "2021-05-10",
			recouvra.Injunction{FiledOn: d("2026-04-20"), Decision: "granted", DecidedOn: d("2026-04-27")}, "2026-12-02", "time_bar", "2026-05-10", true},
		{"CPCE L111-4: ten years from enforceability", "2021-05-10",
			recouvra.Injunction{FiledOn: d("2026-01-05"), Decision: "granted", DecidedOn: d("2026-01-12"),
				ServedOn: d("2026-02-02"), ServedToPerson: true, EnforceableOn: d("2026-03-16")}, "2026-12-02", "title_enforcement", "2036-03-16", false},
		{"CPCE L111-4: the title is lost the day after its ten years", "2021-05-10",
			recouvra.Injunction{FiledOn: d("2026-01-05"), Decision: "granted", DecidedOn: d("2026-01-12"),
				ServedOn: d("2026-02-02"), ServedToPerson: true, EnforceableOn: d("2026-03-16")}, "2036-03-17", "title_enforcement", "2036-03-16", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &recouvra.Case{Stage: recouvra.StageInjunction, Injunction: tc.inj}
			f := recouvra.Facts{Today: d(tc.today), Debtor: company, Mandate: recouvra.Mandate{LegalStatus: recouvra.StatusBusiness},
				Claims: []recouvra.Claim{{InvoiceNumber: "F-1", DueOn: d(tc.due), AmountCents: 100000}}}
			dls := c.Deadlines(f)
			bar, hasBar := deadline(dls, "time_bar")
			title, hasTitle := deadline(dls, "title_enforcement")
			switch tc.wantKind {
			case "":
				if hasBar || hasTitle {
					t.Fatalf("no bar deadline while the proceedings hold it, got %+v", dls)
				}
			case "time_bar":
				if !hasBar || hasTitle || bar.On.String() != tc.wantOn {
					t.Fatalf("want time_bar on %s only, got %+v", tc.wantOn, dls)
				}
			case "title_enforcement":
				if hasBar || !hasTitle || title.On.String() != tc.wantOn || !strings.Contains(title.Note, "L111-4") {
					t.Fatalf("want title_enforcement on %s only, got %+v", tc.wantOn, dls)
				}
			}
			if got := c.TimeBarred(f); (len(got) > 0) != tc.wantBarred {
				t.Fatalf("barred %v, want %v", got, tc.wantBarred)
			}
		})
	}
}

// TestCourtStepsKeepTheBarHonest: the steps recorded the way the lawyer
// records them; the filing does not restart the term, so a rejection leaves
// it where it was (C. civ. 2243), and the move's guard follows.
func TestCourtStepsKeepTheBarHonest(t *testing.T) {
	d := recouvra.MustDate
	company := recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Dupont SAS"}
	c := &recouvra.Case{Stage: recouvra.StageInjunction}
	f := recouvra.Facts{Today: d("2026-11-25"), Debtor: company, Mandate: recouvra.Mandate{LegalStatus: recouvra.StatusBusiness},
		Claims: []recouvra.Claim{{InvoiceNumber: "F-1", DueOn: d("2021-11-30"), AmountCents: 100000}}}
	if _, err := c.RecordCourtStep(recouvra.CourtStepInput{Step: recouvra.StepFiled, On: d("2026-11-20"), Court: "Tribunal de commerce de Lyon"}, f); err != nil {
		t.Fatal(err)
	}
	f.Today = d("2026-12-02")
	if got := c.TimeBarred(f); len(got) != 0 {
		t.Fatalf("C. civ. 2242: pending request, nothing barred, got %v", got)
	}
	if _, err := c.RecordCourtStep(recouvra.CourtStepInput{Step: recouvra.StepRejected, On: d("2026-12-01")}, f); err != nil {
		t.Fatal(err)
	}
	if !c.LastInterruptionOn.IsZero() {
		t.Fatalf("the filing must not restart the term, LastInterruptionOn = %s", c.LastInterruptionOn)
	}
	if got := c.TimeBarred(f); len(got) != 1 || !strings.Contains(got[0], "30/11/2026") {
		t.Fatalf("C. civ. 2243: after the rejection, barred since 30/11/2026; got %v", got)
	}
}

// TestTargetOn: the internal target is the margin earlier, on a working
// day, never after the legal day.
func TestTargetOn(t *testing.T) {
	cases := []struct {
		name   string
		legal  string
		margin int
		want   string
	}{
		{"five days before a Wednesday is the Friday before", "2026-12-02", 5, "2026-11-27"},
		{"a target on a Sunday moves back to the Friday", "2026-12-11", 5, "2026-12-04"},
		{"a target on 1 May moves back to 30 April", "2026-05-06", 5, "2026-04-30"},
		{"no margin: a time bar's last day on a Saturday gets the Friday", "2026-12-05", 0, "2026-12-04"},
		{"no margin on a working day: the legal day itself", "2026-12-02", 0, "2026-12-02"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := recouvra.TargetOn(recouvra.MustDate(tc.legal), tc.margin)
			if got.String() != tc.want || got.After(recouvra.MustDate(tc.legal)) || !recouvra.WorkingDay(got) {
				t.Fatalf("target %s, want %s", got, tc.want)
			}
		})
	}
	if !recouvra.TargetOn(recouvra.Date{}, 5).IsZero() {
		t.Fatal("no legal date, no target")
	}
	c := &recouvra.Case{Stage: recouvra.StageFormalNotice, FormalNoticeDeadline: recouvra.MustDate("2026-12-16")}
	f := recouvra.Facts{Today: recouvra.MustDate("2026-12-02"), MarginDays: 5,
		Debtor:  recouvra.Debtor{Kind: recouvra.DebtorCompany},
		Mandate: recouvra.Mandate{LegalStatus: recouvra.StatusBusiness},
		Claims:  []recouvra.Claim{{InvoiceNumber: "F-1", DueOn: recouvra.MustDate("2025-12-02"), AmountCents: 1000}}}
	for _, dl := range c.Deadlines(f) {
		if want := recouvra.TargetOn(dl.On, 5); dl.TargetOn != want || dl.TargetOn.IsZero() {
			t.Fatalf("%s: target %s, want %s", dl.Kind, dl.TargetOn, want)
		}
	}
	if nd, _ := deadline(c.Deadlines(f), "notice_deadline"); nd.TargetOn.String() != "2026-12-11" {
		t.Fatalf("notice deadline target %s, want 2026-12-11", nd.TargetOn)
	}
}

func deadline(dls []recouvra.Deadline, kind string) (recouvra.Deadline, bool) {
	for _, d := range dls {
		if d.Kind == kind {
			return d, true
		}
	}
	return recouvra.Deadline{}, false
}

// TestStatementTimeBarPerClaim: the statement gives each claim its own last
// day to act, the nature first.
func TestStatementTimeBarPerClaim(t *testing.T) {
	d := recouvra.MustDate
	in := recouvra.StatementInput{AsOf: d("2026-12-02"), Currency: "EUR", CreditorStatus: recouvra.StatusIndividual, DebtorKind: recouvra.DebtorPerson,
		TimeBar: recouvra.TermCivil,
		Claims: []recouvra.Claim{
			{InvoiceNumber: "LOYER-1", IssuedOn: d("2025-01-01"), DueOn: d("2025-01-05"), AmountCents: 70000, Currency: "EUR", Nature: recouvra.NatureResidentialRent},
			{InvoiceNumber: "TRAVAUX-1", IssuedOn: d("2025-01-01"), DueOn: d("2025-01-05"), AmountCents: 30000, Currency: "EUR", Nature: recouvra.NatureGeneral},
		}}
	got := map[string]string{}
	for _, c := range recouvra.ComputeStatement(in).Claims {
		got[c.InvoiceNumber] = c.TimeBarOn.String()
	}
	// law 89-462 art. 7-1: rent, three years; C. civ. 2224: the rest, five.
	if got["LOYER-1"] != "2028-01-05" || got["TRAVAUX-1"] != "2030-01-05" {
		t.Fatalf("time bars %v", got)
	}
}

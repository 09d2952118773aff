package recouvra_test

import (
	"testing"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestTimeBars follows the Code civil's count: the first day is not
// counted, the bar is acquired when the last day is over; the term depends
// on who owes whom.
func TestTimeBars(t *testing.T) {
	company := recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: "Dupont SAS"}
	consumer := recouvra.Debtor{Kind: recouvra.DebtorPerson, Name: "Jean Dupont"}
	soleTrader := recouvra.Debtor{Kind: recouvra.DebtorPerson, Name: "Jean Dupont, plombier", SIREN: "732829320"}
	cases := []struct {
		name        string
		creditor    recouvra.LegalStatus
		debtor      recouvra.Debtor
		due, ack    string // ack: last interruption, "" for none
		today       string
		wantLastDay string
		wantBarred  bool
		wantBasis   string
	}{
		{"C. civ. 2228-2229: the last day of the term is still open (L110-4, 5 years)", recouvra.StatusBusiness, company,
			"2021-12-02", "", "2026-12-02", "2026-12-02", false, "art. L110-4 C. com."},
		{"C. civ. 2229: barred the day after the last day", recouvra.StatusBusiness, company,
			"2021-12-02", "", "2026-12-03", "2026-12-02", true, "art. L110-4 C. com."},
		{"C. civ. 2229: a year ends on the same day number, 29 February on 28 February", recouvra.StatusBusiness, company,
			"2024-02-29", "", "2029-02-28", "2029-02-28", false, "art. L110-4 C. com."},
		{"C. conso. L218-2: a professional against a consumer, two years", recouvra.StatusBusiness, consumer,
			"2024-12-02", "", "2026-12-02", "2026-12-02", false, "art. L218-2 C. conso."},
		{"C. conso. L218-2: the consumer's bar is acquired the day after", recouvra.StatusBusiness, consumer,
			"2024-12-02", "", "2026-12-03", "2026-12-02", true, "art. L218-2 C. conso."},
		{"C. com. L110-4: a person with a SIREN owes as a professional, five years", recouvra.StatusBusiness, soleTrader,
			"2024-06-30", "", "2026-12-03", "2029-06-30", false, "art. L110-4 C. com."},
		{"C. civ. 2224: an individual creditor against a person, five years", recouvra.StatusIndividual, consumer,
			"2022-06-30", "", "2026-12-03", "2027-06-30", false, "art. 2224 C. civ."},
		{"C. civ. 2240: an acknowledgement restarts a new term from its date", recouvra.StatusBusiness, consumer,
			"2023-01-15", "2025-03-10", "2026-12-03", "2027-03-10", false, "art. L218-2 C. conso."},
		{"C. civ. 2240: an interruption before the due date changes nothing", recouvra.StatusBusiness, company,
			"2021-12-02", "2021-11-01", "2026-12-03", "2026-12-02", true, "art. L110-4 C. com."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			term := recouvra.TimeBarTermFor(tc.creditor, tc.debtor.Consumer())
			var ack recouvra.Date
			if tc.ack != "" {
				ack = recouvra.MustDate(tc.ack)
			}
			last := recouvra.TimeBarOn(recouvra.MustDate(tc.due), ack, term)
			if last.String() != tc.wantLastDay || term.Basis != tc.wantBasis {
				t.Fatalf("last day %s under %s, want %s under %s", last, term.Basis, tc.wantLastDay, tc.wantBasis)
			}
			if got := recouvra.TimeBarPassed(last, recouvra.MustDate(tc.today)); got != tc.wantBarred {
				t.Fatalf("barred on %s: %v, want %v", tc.today, got, tc.wantBarred)
			}
		})
	}
}

// TestTimeBarGuardOnTheLastDay: the move to injunction is allowed on the
// last day to act and refused the next day (C. civ. 2228, 2229); the
// docket's deadline is that last day.
func TestTimeBarGuardOnTheLastDay(t *testing.T) {
	c, f := ready(recouvra.StageFormalNotice)
	f.Claims[0].DueOn = recouvra.MustDate("2021-12-02")
	f.Today = recouvra.MustDate("2026-12-02")
	if b := c.Blockers(recouvra.Move{To: recouvra.StageInjunction}, f); len(b) > 0 {
		t.Fatalf("last day to act: %v", b)
	}
	if got := deadlineMap(c.Deadlines(f))["time_bar"]; got != "2026-12-02" {
		t.Fatalf("time_bar deadline %s, want the last day to act", got)
	}
	f.Today = recouvra.MustDate("2026-12-03")
	if b := c.Blockers(recouvra.Move{To: recouvra.StageInjunction}, f); len(b) != 1 || b[0].Code != recouvra.GuardTimeBarred {
		t.Fatalf("the day after: %v", b)
	}
}

func TestResidence(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    recouvra.Address
		want recouvra.Residence
	}{
		{"Paris", recouvra.Address{PostalCode: "75002", Country: "FR"}, recouvra.ResidenceMetropolitan},
		{"Corse", recouvra.Address{PostalCode: "20000", Country: "FR"}, recouvra.ResidenceMetropolitan},
		{"Guadeloupe by postal code", recouvra.Address{PostalCode: "97110", Country: "FR"}, recouvra.ResidenceOverseas},
		{"Mayotte by postal code", recouvra.Address{PostalCode: "97600", Country: "FR"}, recouvra.ResidenceOverseas},
		{"Saint-Barthélemy", recouvra.Address{PostalCode: "97133"}, recouvra.ResidenceOverseas},
		{"Nouvelle-Calédonie", recouvra.Address{PostalCode: "98800", Country: "FR"}, recouvra.ResidenceOverseas},
		{"Polynésie by its own code", recouvra.Address{PostalCode: "98714", Country: "PF"}, recouvra.ResidenceOverseas},
		{"Monaco is abroad", recouvra.Address{PostalCode: "98000", Country: "MC"}, recouvra.ResidenceAbroad},
		{"Belgique", recouvra.Address{PostalCode: "1000", Country: "BE"}, recouvra.ResidenceAbroad},
	} {
		if got := tc.a.Residence(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestProceduralDeadlines applies CPC 640-644 to every court deadline.
func TestProceduralDeadlines(t *testing.T) {
	served := recouvra.Injunction{Decision: "granted", DecidedOn: recouvra.MustDate("2026-06-15"), ServedOn: recouvra.MustDate("2026-07-31"), ServedToPerson: true}
	for _, tc := range []struct {
		name string
		got  recouvra.Date
		want string
	}{
		// 15 May 2026 + 6 months = Sunday 15 November → Monday 16.
		{"CPC 1411 and 642: the order's lapse moves off a Sunday",
			recouvra.Injunction{Decision: "granted", DecidedOn: recouvra.MustDate("2026-05-15")}.OrderLapse(), "2026-11-16"},
		{"CPC 1416: one month after service to the person",
			served.OppositionEnd(recouvra.Address{PostalCode: "69002", Country: "FR"}), "2026-08-31"},
		{"CPC 643: one more month for a debtor overseas",
			served.OppositionEnd(recouvra.Address{PostalCode: "97200", Country: "FR"}), "2026-09-30"},
		// 31 July + 3 months = Saturday 31 October; Sunday 1 November is a
		// holiday too → Monday 2 November.
		{"CPC 643 and 642: two more months for a debtor abroad, off a weekend",
			served.OppositionEnd(recouvra.Address{PostalCode: "1000", Country: "BE"}), "2026-11-02"},
		// 14 July 2026 is a holiday (Tuesday).
		{"C. com. R622-24 and CPC 642: two months after the BODACC, off a holiday",
			recouvra.Insolvency{PublishedOn: recouvra.MustDate("2026-05-14")}.DeclarationDeadline(false), "2026-07-15"},
		{"C. com. R622-24: four months for a creditor overseas",
			recouvra.Insolvency{PublishedOn: recouvra.MustDate("2026-05-14")}.DeclarationDeadline(true), "2026-09-14"},
	} {
		if tc.got.String() != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, tc.got, tc.want)
		}
	}
}

// TestSoleTraderCarriesASIREN: a natural person may be given a SIREN (an
// entrepreneur individuel); it then owes as a professional.
func TestSoleTraderCarriesASIREN(t *testing.T) {
	d := recouvra.Debtor{Kind: recouvra.DebtorPerson, Name: "Jean Dupont", SIREN: "732 829 320",
		Address: recouvra.Address{Line1: "1 rue de la Paix", PostalCode: "75002", City: "Paris"}}
	if f := d.Validate(); len(f) > 0 {
		t.Fatalf("a person with a SIREN is refused: %v", f)
	}
	if d.SIREN != "732829320" || d.Consumer() {
		t.Fatalf("SIREN %q, consumer %v", d.SIREN, d.Consumer())
	}
	if (recouvra.Debtor{Kind: recouvra.DebtorPerson, Name: "Jean Dupont"}).Consumer() != true {
		t.Fatal("a person without SIREN is a consumer")
	}
}

package recouvra_test

import (
	"math"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/configs"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestNewcombeInterval checks the hybrid score interval against the worked
// example of Newcombe (1998, Statistics in Medicine 17:873, table II,
// method 10): 56/70 − 48/80 = 0.2000, 95 % interval 0.0524 to 0.3339.
func TestNewcombeInterval(t *testing.T) {
	t.Parallel()
	ci, ok := recouvra.ProportionDifferenceCI(48, 80, 56, 70)
	if !ok || math.Abs(ci.Low-0.0524) > 5e-5 || math.Abs(ci.High-0.3339) > 5e-5 {
		t.Fatalf("Newcombe 56/70 − 48/80: %+v", ci)
	}
	if _, ok := recouvra.ProportionDifferenceCI(0, 0, 1, 2); ok {
		t.Fatal("an interval for an empty arm")
	}
}

// TestExperimentArms: shares add up to 100, each arm's bucket bound is the
// running sum, bad arms are named; a draw falls in the arm of its bucket.
func TestExperimentArms(t *testing.T) {
	t.Parallel()
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	_, arms, err := recouvra.ParseExperimentArms("Essai", []recouvra.ExperimentArmInput{{a, 20}, {b, 30}, {c, 50}})
	if err != nil || arms[0].BucketBelow != 2000 || arms[1].BucketBelow != 5000 || arms[2].BucketBelow != 10000 {
		t.Fatalf("%v %+v", err, arms)
	}
	e := recouvra.Experiment{Arms: arms}
	for bucket, want := range map[int]int{0: 0, 1999: 0, 2000: 1, 4999: 1, 5000: 2, 9999: 2} {
		if got := e.ArmOf(bucket); got != want {
			t.Errorf("bucket %d: arm %d, want %d", bucket, got, want)
		}
	}
	_, _, err = recouvra.ParseExperimentArms(" ", []recouvra.ExperimentArmInput{{a, 60}, {a, 0}})
	msg := err.Error()
	for _, f := range []string{"name", "arms[1].strategy_id", "arms[1].share_percent"} {
		if !strings.Contains(fieldsOf(err), f) {
			t.Errorf("%s not named: %s", f, msg)
		}
	}
	// The draw spreads evenly: 20,000 random cases at 20/30/50 land within
	// 1.5 points of their shares.
	n := [3]int{}
	for range 20000 {
		n[e.ArmOf(recouvra.ExperimentBucket(42, uuid.New()))]++
	}
	for i, share := range []float64{0.2, 0.3, 0.5} {
		if got := float64(n[i]) / 20000; math.Abs(got-share) > 0.015 {
			t.Errorf("arm %d got %.3f of the cases, share %.2f", i, got, share)
		}
	}
}

func fieldsOf(err error) string {
	var b strings.Builder
	if e, ok := err.(*recouvra.Error); ok {
		for _, f := range e.Fields {
			b.WriteString(f.Field + " ")
		}
	}
	return b.String()
}

// TestActionCostsShipped: the shipped cost table reads, has every action
// with a source, and the cost on a day is the row in force that day.
func TestActionCostsShipped(t *testing.T) {
	t.Parallel()
	costs, err := recouvra.ParseActionCosts(configs.ActionCostsCSV)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range recouvra.CostActions {
		c, ok := costs.On(a, recouvra.NewDate(2026, 6, 1))
		if !ok || c.Source == "" || c.Currency != "EUR" {
			t.Errorf("%s: %+v", a, c)
		}
	}
	later, err := recouvra.ParseActionCosts([]byte("letter,2026-01-01,100,EUR,A\nletter,2027-01-01,150,EUR,B\nregistered_letter,2026-01-01,1,EUR,x\nemail,2026-01-01,1,EUR,x\ncall,2026-01-01,1,EUR,x\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := later.On("letter", recouvra.NewDate(2026, 12, 31)); c.Cents != 100 {
		t.Errorf("31 Dec 2026: %+v", c)
	}
	if c, _ := later.On("letter", recouvra.NewDate(2027, 1, 1)); c.Cents != 150 {
		t.Errorf("1 Jan 2027: %+v", c)
	}
}

package recouvra

import (
	"bytes"
	"crypto/md5" //nolint:gosec // a reproducible draw, not a secret: md5 is what PostgreSQL has built in
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Strategy experiments (champion/challenger, issue 14): while an
// experiment runs for a creditor, each of its cases that enters a strategy
// is drawn into one of two or more arms, each a strategy with a share.
// The draw is a hash of the experiment's seed and the case's id, so the
// same seed splits the same cases the same way; the arm is recorded per
// case and kept when the experiment stops.

// Experiment is one champion/challenger test of a creditor.
type Experiment struct {
	ID         uuid.UUID
	CreditorID uuid.UUID
	Name       string
	Seed       int64
	Arms       []ExperimentArm // the first is the champion
	StartedOn  Date
	StartedAt  time.Time
	StoppedOn  Date // zero while it runs
	StoppedAt  *time.Time
}

// Running reports whether new cases still join the experiment.
func (e Experiment) Running() bool { return e.StoppedAt == nil }

// ExperimentArm is one strategy of an experiment and its share.
type ExperimentArm struct {
	StrategyID   uuid.UUID
	StrategyName string
	SharePercent int
	// BucketBelow: a case whose bucket is below it, and not below the
	// previous arm's, goes to this arm (the running sum of the shares, in
	// hundredths of a percent).
	BucketBelow int
}

// ExperimentBuckets is the number of buckets a draw falls into.
const ExperimentBuckets = 10000

// ExperimentBucket is the case's draw in an experiment of seed: the first
// 32 bits of md5("<seed>:<case id>") modulo 10,000. PostgreSQL's
// experiment_bucket (migration 00034) computes the same (tested).
func ExperimentBucket(seed int64, caseID uuid.UUID) int {
	sum := md5.Sum([]byte(strconv.FormatInt(seed, 10) + ":" + caseID.String())) //nolint:gosec // see the import
	return int(binary.BigEndian.Uint32(sum[:4]) % ExperimentBuckets)
}

// ArmOf is the index of the arm a bucket falls in.
func (e Experiment) ArmOf(bucket int) int {
	for i, a := range e.Arms {
		if bucket < a.BucketBelow {
			return i
		}
	}
	return len(e.Arms) - 1
}

// ExperimentArmInput is an arm as a client writes it.
type ExperimentArmInput struct {
	StrategyID   uuid.UUID
	SharePercent int
}

// Experiment bounds.
const (
	MinExperimentArms = 2
	MaxExperimentArms = 5
)

// ParseExperimentArms checks the arms (two to five distinct strategies,
// whole percentages of at least 1 adding up to 100) and sets each one's
// bucket bound; each problem names the arm and its field.
func ParseExperimentArms(name string, in []ExperimentArmInput) (string, []ExperimentArm, error) {
	var f []FieldError
	bad := func(field, code, msg string) { f = append(f, FieldError{field, code, msg}) }
	name = strings.TrimSpace(name)
	switch n := len([]rune(name)); {
	case n == 0:
		bad("name", "required", "Le nom de l'expérience est obligatoire.")
	case n > 120:
		bad("name", "too_long", "Le nom ne peut dépasser 120 caractères.")
	}
	f = printable(f, "name", name, OneLine)
	if len(in) < MinExperimentArms || len(in) > MaxExperimentArms {
		bad("arms", "count", fmt.Sprintf("Une expérience compare de %d à %d stratégies.", MinExperimentArms, MaxExperimentArms))
	}
	seen := map[uuid.UUID]bool{}
	total := 0
	arms := make([]ExperimentArm, len(in))
	for i, a := range in {
		p := fmt.Sprintf("arms[%d].", i)
		if seen[a.StrategyID] {
			bad(p+"strategy_id", "duplicate", "Chaque stratégie ne figure qu'une fois dans l'expérience.")
		}
		seen[a.StrategyID] = true
		if a.SharePercent < 1 || a.SharePercent > 99 {
			bad(p+"share_percent", "out_of_range", "La part d'une stratégie est un pourcentage entier entre 1 et 99.")
		}
		total += a.SharePercent
		arms[i] = ExperimentArm{StrategyID: a.StrategyID, SharePercent: a.SharePercent, BucketBelow: total * (ExperimentBuckets / 100)}
	}
	if len(in) >= MinExperimentArms && total != 100 {
		bad("arms", "shares_total", fmt.Sprintf("Les parts totalisent %d %% : elles doivent faire 100 %%.", total))
	}
	if len(f) > 0 {
		return "", nil, Invalid("Expérience invalide.", f...)
	}
	return name, arms, nil
}

// Interval is a confidence interval.
type Interval struct{ Low, High float64 }

// z95 is the standard normal's 97.5th percentile: a two-sided 95 % interval.
const z95 = 1.959963984540054

// RatioSample is what the delta method needs of one arm, per case i with
// placed amount x_i and recovered amount y_i: the count, the means and
// the sample (co)variances (n − 1 denominators).
type RatioSample struct {
	N                 int64
	MeanX, MeanY      float64
	VarX, VarY, CovXY float64
}

// Ratio is the arm's recovery rate, Σy / Σx.
func (s RatioSample) Ratio() float64 {
	if s.MeanX == 0 {
		return 0
	}
	return s.MeanY / s.MeanX
}

// ratioVariance is the delta method's variance of Σy/Σx when the cases
// are the units drawn: (s²_y − 2R·s_xy + R²·s²_x) / (n·x̄²).
func (s RatioSample) ratioVariance() float64 {
	r := s.Ratio()
	v := (s.VarY - 2*r*s.CovXY + r*r*s.VarX) / (float64(s.N) * s.MeanX * s.MeanX)
	return math.Max(v, 0)
}

// RatioDifferenceCI is the 95 % interval of b's recovery rate minus a's,
// the arms independent: (R_b − R_a) ± 1.96·√(V_a + V_b), each V by the
// delta method on the case-level amounts (Deng, Knoblich & Lu, 2018,
// "Applying the delta method in metric analytics"). The case, not the
// euro, is what the experiment draws, so the variance comes from the
// spread between cases. False when either arm has fewer than two cases or
// nothing placed: no interval can be stated.
func RatioDifferenceCI(a, b RatioSample) (Interval, bool) {
	if a.N < 2 || b.N < 2 || a.MeanX <= 0 || b.MeanX <= 0 {
		return Interval{}, false
	}
	d := b.Ratio() - a.Ratio()
	h := z95 * math.Sqrt(a.ratioVariance()+b.ratioVariance())
	return Interval{d - h, d + h}, true
}

// wilson is the 95 % Wilson score interval of k successes in n.
func wilson(k, n int64) Interval {
	p, nf := float64(k)/float64(n), float64(n)
	z2 := z95 * z95
	centre := (p + z2/(2*nf)) / (1 + z2/nf)
	half := z95 / (1 + z2/nf) * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return Interval{math.Max(0, centre-half), math.Min(1, centre+half)}
}

// ProportionDifferenceCI is Newcombe's hybrid score interval (1998,
// method 10) of the difference kb/nb − ka/na of two independent
// proportions, from each one's Wilson interval: unlike the Wald interval it
// stays inside [−1, 1] and keeps its coverage near 0 and 1 and with small
// arms. False when an arm is empty.
func ProportionDifferenceCI(ka, na, kb, nb int64) (Interval, bool) {
	if na == 0 || nb == 0 {
		return Interval{}, false
	}
	pa, pb := float64(ka)/float64(na), float64(kb)/float64(nb)
	wa, wb := wilson(ka, na), wilson(kb, nb)
	d := pb - pa
	return Interval{d - math.Sqrt((pb-wb.Low)*(pb-wb.Low)+(wa.High-pa)*(wa.High-pa)),
		d + math.Sqrt((wb.High-pb)*(wb.High-pb)+(pa-wa.Low)*(pa-wa.Low))}, true
}

// Action kinds a unit cost is given for.
const (
	CostLetter           = "letter"
	CostRegisteredLetter = "registered_letter"
	CostEmail            = "email"
	CostCall             = "call"
)

// CostActions lists the action kinds in the report's order.
var CostActions = []string{CostLetter, CostRegisteredLetter, CostEmail, CostCall}

// CostActionOf is the costed action a strategy step's acted channel is:
// the formal notice goes by registered letter; a hand-over to the lawyers
// is not an action on the debtor and costs nothing here.
func CostActionOf(channel Channel) string {
	switch channel {
	case ChannelLetter:
		return CostLetter
	case ChannelEmail:
		return CostEmail
	case ChannelCallTask:
		return CostCall
	case ChannelFormalNotice:
		return CostRegisteredLetter
	}
	return ""
}

// ActionCost is the unit cost of an action from a date on.
type ActionCost struct {
	Action   string
	From     Date
	Cents    int64
	Currency string
	Source   string
}

// ActionCosts is the table of unit costs, by action, each action's rows
// in date order.
type ActionCosts map[string][]ActionCost

// ParseActionCosts reads the cost table (configs/action-costs.csv):
// action,valid_from,cost_cents,currency,source; lines starting with #
// are comments.
func ParseActionCosts(data []byte) (ActionCosts, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("action costs: %w", err)
	}
	out := ActionCosts{}
	for i, row := range rows {
		if i == 0 && row[0] == "action" {
			continue
		}
		if len(row) != 5 {
			return nil, fmt.Errorf("action costs line %d: 5 fields expected", i+1)
		}
		from, err := ParseDate(row[1])
		if err != nil {
			return nil, fmt.Errorf("action costs line %d: %w", i+1, err)
		}
		cents, err := strconv.ParseInt(row[2], 10, 64)
		if err != nil || cents < 0 {
			return nil, fmt.Errorf("action costs line %d: cost_cents %q", i+1, row[2])
		}
		known := false
		for _, a := range CostActions {
			known = known || a == row[0]
		}
		if !known || len(row[3]) != 3 || strings.TrimSpace(row[4]) == "" {
			return nil, fmt.Errorf("action costs line %d: action, currency and source required", i+1)
		}
		list := out[row[0]]
		if len(list) > 0 && !list[len(list)-1].From.Before(from) {
			return nil, fmt.Errorf("action costs line %d: rows of %s out of date order", i+1, row[0])
		}
		out[row[0]] = append(list, ActionCost{Action: row[0], From: from, Cents: cents, Currency: row[3], Source: row[4]})
	}
	for _, a := range CostActions {
		if len(out[a]) == 0 {
			return nil, fmt.Errorf("action costs: no cost for %s", a)
		}
	}
	return out, nil
}

// On is the cost of action on day d: the last row from on or before d
// (the first row for a day before every row), and whether there is one.
func (c ActionCosts) On(action string, d Date) (ActionCost, bool) {
	list := c[action]
	if len(list) == 0 {
		return ActionCost{}, false
	}
	cur := list[0]
	for _, r := range list[1:] {
		if r.From.After(d) {
			break
		}
		cur = r
	}
	return cur, true
}

package recouvra

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Collection strategies (issue 14): an ordered list of steps the engine
// runs by itself on each case, one after the other, each on its due date.
// A step says when (a delay in calendar or working days from the placement,
// the previous step or the oldest due date), how (a channel and its
// template) and for whom (conditions on the case and the debtor). Facts that
// call for a person pause the whole strategy (PauseReasons); it goes on from
// where it stood when they end.

// Channel is how a step acts on the case.
type Channel string

const (
	ChannelLetter       Channel = "letter"         // an amicable letter (PDF), for the day's post
	ChannelEmail        Channel = "email"          // the amicable letter, e-mailed; by post when no address is usable
	ChannelCallTask     Channel = "call_task"      // a call for an agent, in the queue, with a script
	ChannelFormalNotice Channel = "formal_notice"  // the move to formal notice, under its guards
	ChannelHandToLawyer Channel = "hand_to_lawyer" // the case to the lawyers' docket once the notice has run
)

// Channels lists the channels in a stable order.
var Channels = []Channel{ChannelLetter, ChannelEmail, ChannelCallTask, ChannelFormalNotice, ChannelHandToLawyer}

// Valid reports whether ch is a known channel.
func (ch Channel) Valid() bool {
	for _, c := range Channels {
		if c == ch {
			return true
		}
	}
	return false
}

// DelayUnit says how a step's delay is counted.
type DelayUnit string

const (
	CalendarDays DelayUnit = "calendar_days"
	WorkingDays  DelayUnit = "working_days" // Monday to Friday, French public holidays aside (PublicHoliday)
)

// DelayFrom is the date a step's delay runs from.
type DelayFrom string

const (
	FromPlacement    DelayFrom = "placement"     // the day the case was placed with the agency
	FromPreviousStep DelayFrom = "previous_step" // the day the step before ran (the placement for the first)
	FromOldestDue    DelayFrom = "oldest_due"    // the due date of the oldest unpaid invoice
)

// StrategyTemplates are the templates each channel may name; "" is the
// channel's default (the first listed).
var StrategyTemplates = map[Channel][]string{
	ChannelLetter:       {"amicable_letter"},
	ChannelEmail:        {"amicable_letter"},
	ChannelCallTask:     {"call_first_reminder", "call_firm", "call_before_notice"},
	ChannelFormalNotice: {"formal_notice"},
	ChannelHandToLawyer: {"lawyer_handover"},
}

// CallScripts are the call tasks' scripts, by template, in French.
var CallScripts = map[string]string{
	"call_first_reminder": "Se présenter (société de recouvrement mandatée par le créancier), rappeler la référence de la première lettre et le solde dû ; demander la date de règlement et la noter comme promesse ; en cas de contestation, ouvrir un litige.",
	"call_firm":           "Rappeler les relances restées sans réponse et le solde dû ; obtenir un règlement ou un engagement daté ; prévenir qu'à défaut une mise en demeure sera adressée.",
	"call_before_notice":  "Dernier appel amiable : annoncer la mise en demeure par lettre recommandée si rien n'est réglé, proposer un échéancier si le débiteur le demande.",
}

// StepConditions restrict a step to some cases: a step whose conditions do
// not hold when it falls due is skipped. Nil and empty fields do not
// restrict.
type StepConditions struct {
	MinBalanceCents *int64       `json:"min_balance_cents,omitempty"` // balance at least
	MaxBalanceCents *int64       `json:"max_balance_cents,omitempty"` // balance at most
	DebtorKinds     []DebtorKind `json:"debtor_kinds,omitempty"`
	Stages          []Stage      `json:"stages,omitempty"`
	HasEmail        *bool        `json:"has_email,omitempty"` // a usable e-mail address is known (or not)
	HasPhone        *bool        `json:"has_phone,omitempty"`
}

// ConditionFields are the fields a step's conditions may name.
var ConditionFields = []string{"min_balance_cents", "max_balance_cents", "debtor_kinds", "stages", "has_email", "has_phone"}

// StrategyStep is one step of a strategy.
type StrategyStep struct {
	Name       string         `json:"name"`
	Delay      int            `json:"delay"`
	Unit       DelayUnit      `json:"unit"`
	From       DelayFrom      `json:"from"`
	Channel    Channel        `json:"channel"`
	Template   string         `json:"template"`
	Conditions StepConditions `json:"conditions"`
	// FallbackToLetter: an e-mail step with no usable address sends the
	// letter by post instead (true by default in the API).
	FallbackToLetter bool `json:"fallback_to_letter"`
}

// Strategy is the agency's plan for a kind of case.
type Strategy struct {
	ID          uuid.UUID
	Name        string
	Description string
	Steps       []StrategyStep
	// PauseAfterPaymentDays: a payment received within this many days
	// pauses the strategy (the debtor is paying; give it time).
	PauseAfterPaymentDays int
	Version               int
	CreatedAt, UpdatedAt  time.Time
}

// MaxStrategySteps bounds a strategy.
const MaxStrategySteps = 30

// MaxStepDelay bounds one step's delay, in days.
const MaxStepDelay = 3650

// StrategyInput is a strategy as a client writes it: conditions come as
// raw objects so that an unknown field is named in the refusal.
type StrategyInput struct {
	Name                  string
	Description           string
	PauseAfterPaymentDays int
	Steps                 []StepInput
}

// StepInput is one step as written.
type StepInput struct {
	Name             string
	Delay            int
	Unit             string
	From             string
	Channel          string
	Template         string
	Conditions       map[string]any
	FallbackToLetter *bool
}

// ParseStrategy checks a written strategy and returns it; every problem
// is one field error naming the step and its field (steps[2].channel).
func ParseStrategy(in StrategyInput) (Strategy, error) {
	var f []FieldError
	bad := func(field, code, msg string) { f = append(f, FieldError{field, code, msg}) }
	st := Strategy{Name: strings.TrimSpace(in.Name), Description: strings.TrimSpace(in.Description), PauseAfterPaymentDays: in.PauseAfterPaymentDays}
	switch n := len([]rune(st.Name)); {
	case n == 0:
		bad("name", "required", "Le nom de la stratégie est obligatoire.")
	case n > 120:
		bad("name", "too_long", "Le nom ne peut dépasser 120 caractères.")
	}
	f = printable(f, "name", st.Name, OneLine)
	if len([]rune(st.Description)) > 2000 {
		bad("description", "too_long", "La description ne peut dépasser 2 000 caractères.")
	}
	f = printable(f, "description", st.Description, MultiLine)
	if st.PauseAfterPaymentDays < 0 || st.PauseAfterPaymentDays > 365 {
		bad("pause_after_payment_days", "out_of_range", "Le nombre de jours de pause après un paiement est compris entre 0 et 365.")
	}
	switch {
	case len(in.Steps) == 0:
		bad("steps", "required", "Une stratégie compte au moins une étape.")
	case len(in.Steps) > MaxStrategySteps:
		bad("steps", "too_many", fmt.Sprintf("Une stratégie compte au plus %d étapes.", MaxStrategySteps))
	}
	handed := -1
	for i, s := range in.Steps {
		p := fmt.Sprintf("steps[%d].", i)
		step := StrategyStep{Name: strings.TrimSpace(s.Name), Delay: s.Delay, Unit: DelayUnit(s.Unit), From: DelayFrom(s.From),
			Channel: Channel(s.Channel), Template: s.Template, FallbackToLetter: s.FallbackToLetter == nil || *s.FallbackToLetter}
		if len([]rune(step.Name)) > 120 {
			bad(p+"name", "too_long", "Le nom d'une étape ne peut dépasser 120 caractères.")
		}
		f = printable(f, p+"name", step.Name, OneLine)
		switch {
		case s.Delay < 0:
			bad(p+"delay", "negative", "Le délai d'une étape ne peut être négatif.")
		case s.Delay > MaxStepDelay:
			bad(p+"delay", "too_long", fmt.Sprintf("Le délai d'une étape est d'au plus %d jours.", MaxStepDelay))
		}
		if step.Unit == "" {
			step.Unit = CalendarDays
		}
		if step.Unit != CalendarDays && step.Unit != WorkingDays {
			bad(p+"unit", "invalid", "Unité inconnue : calendar_days ou working_days.")
		}
		if step.From == "" {
			step.From = FromPreviousStep
		}
		if step.From != FromPlacement && step.From != FromPreviousStep && step.From != FromOldestDue {
			bad(p+"from", "invalid", "Point de départ inconnu : placement, previous_step ou oldest_due.")
		}
		if !step.Channel.Valid() {
			bad(p+"channel", "invalid", "Canal inconnu : letter, email, call_task, formal_notice ou hand_to_lawyer.")
		} else {
			known := StrategyTemplates[step.Channel]
			if step.Template == "" {
				step.Template = known[0]
			}
			found := false
			for _, t := range known {
				found = found || t == step.Template
			}
			if !found {
				bad(p+"template", "unknown", fmt.Sprintf("Modèle inconnu pour le canal %s : %s.", step.Channel, strings.Join(known, ", ")))
			}
		}
		if step.Name == "" {
			step.Name = fmt.Sprintf("Étape %d", i+1)
		}
		cond, cf := parseConditions(s.Conditions, p+"conditions.")
		f = append(f, cf...)
		step.Conditions = cond
		if step.Channel == ChannelHandToLawyer && handed < 0 {
			handed = i
		}
		st.Steps = append(st.Steps, step)
	}
	// Nothing is sent to the debtor once the lawyers have the case: a step
	// after the hand-over would never make sense.
	if handed >= 0 && handed < len(st.Steps)-1 {
		bad(fmt.Sprintf("steps[%d].channel", handed+1), "after_hand_over", "Aucune étape ne peut suivre la remise au service juridique.")
	}
	if len(f) > 0 {
		return Strategy{}, Invalid("Stratégie invalide.", f...)
	}
	return st, nil
}

func parseConditions(raw map[string]any, prefix string) (StepConditions, []FieldError) {
	var c StepConditions
	var f []FieldError
	bad := func(field, code, msg string) { f = append(f, FieldError{prefix + field, code, msg}) }
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	amount := func(k string, v any) *int64 {
		n, ok := v.(float64)
		if i, isInt := v.(int64); isInt {
			n, ok = float64(i), true
		}
		if i, isInt := v.(int); isInt {
			n, ok = float64(i), true
		}
		if !ok || n != float64(int64(n)) || n < 0 {
			bad(k, "invalid", "Montant attendu en centimes, entier positif ou nul.")
			return nil
		}
		x := int64(n)
		return &x
	}
	flag := func(k string, v any) *bool {
		b, ok := v.(bool)
		if !ok {
			bad(k, "invalid", "Valeur attendue : true ou false.")
			return nil
		}
		return &b
	}
	list := func(k string, v any) []string {
		items, ok := v.([]any)
		if !ok {
			bad(k, "invalid", "Liste attendue.")
			return nil
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, ok := it.(string)
			if !ok {
				bad(k, "invalid", "Liste de textes attendue.")
				return nil
			}
			out = append(out, s)
		}
		return out
	}
	for _, k := range keys {
		v := raw[k]
		switch k {
		case "min_balance_cents":
			c.MinBalanceCents = amount(k, v)
		case "max_balance_cents":
			c.MaxBalanceCents = amount(k, v)
		case "has_email":
			c.HasEmail = flag(k, v)
		case "has_phone":
			c.HasPhone = flag(k, v)
		case "debtor_kinds":
			for _, s := range list(k, v) {
				if DebtorKind(s) != DebtorCompany && DebtorKind(s) != DebtorPerson {
					bad(k, "invalid", "Type de débiteur inconnu : company ou person.")
					break
				}
				c.DebtorKinds = append(c.DebtorKinds, DebtorKind(s))
			}
		case "stages":
			for _, s := range list(k, v) {
				if !Stage(s).Valid() || Stage(s) == StageClosed {
					bad(k, "invalid", "Étape de dossier inconnue : amicable, formal_notice, injunction ou irrecoverable.")
					break
				}
				c.Stages = append(c.Stages, Stage(s))
			}
		default:
			bad(k, "unknown_field", "Condition inconnue : "+strings.Join(ConditionFields, ", ")+".")
		}
	}
	if c.MinBalanceCents != nil && c.MaxBalanceCents != nil && *c.MinBalanceCents > *c.MaxBalanceCents {
		bad("max_balance_cents", "below_min", "Le plafond est inférieur au plancher.")
	}
	return c, f
}

// StepFacts are what a step's conditions read about a case.
type StepFacts struct {
	BalanceCents int64
	DebtorKind   DebtorKind
	Stage        Stage
	HasEmail     bool // a usable address: well formed and never refused for good
	HasPhone     bool
}

// Holds reports whether the conditions hold, and when they do not, why
// (in French).
func (c StepConditions) Holds(f StepFacts) (bool, string) {
	switch {
	case c.MinBalanceCents != nil && f.BalanceCents < *c.MinBalanceCents:
		return false, "solde inférieur au plancher de l'étape"
	case c.MaxBalanceCents != nil && f.BalanceCents > *c.MaxBalanceCents:
		return false, "solde supérieur au plafond de l'étape"
	case len(c.DebtorKinds) > 0 && !contains(c.DebtorKinds, f.DebtorKind):
		return false, "type de débiteur non visé par l'étape"
	case len(c.Stages) > 0 && !contains(c.Stages, f.Stage):
		return false, "étape du dossier non visée"
	case c.HasEmail != nil && *c.HasEmail != f.HasEmail:
		if f.HasEmail {
			return false, "l'étape vise les débiteurs sans adresse e-mail"
		}
		return false, "aucune adresse e-mail utilisable"
	case c.HasPhone != nil && *c.HasPhone != f.HasPhone:
		if f.HasPhone {
			return false, "l'étape vise les débiteurs sans téléphone"
		}
		return false, "aucun numéro de téléphone"
	}
	return true, ""
}

func contains[T comparable](list []T, x T) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// AddWorkingDays is d moved n working days forward (WorkingDay): 0 is d
// itself when it is a working day, else the next one.
func AddWorkingDays(d Date, n int) Date {
	d = ProceduralDeadline(d)
	for ; n > 0; n-- {
		d = ProceduralDeadline(d.AddDays(1))
	}
	return d
}

// StepDates are the dates a step's delay may run from.
type StepDates struct {
	Placement    Date // the case's placement
	OldestDue    Date // the oldest unpaid invoice's due date (zero: the placement)
	PreviousStep Date // the day the step before ran (zero: the placement)
}

// DueOn is the day the step falls due.
func (s StrategyStep) DueOn(d StepDates) Date {
	base := d.Placement
	switch s.From {
	case FromPreviousStep:
		if !d.PreviousStep.IsZero() {
			base = d.PreviousStep
		}
	case FromOldestDue:
		if !d.OldestDue.IsZero() {
			base = d.OldestDue
		}
	}
	if s.Unit == WorkingDays {
		return AddWorkingDays(base, s.Delay)
	}
	return base.AddDays(s.Delay)
}

// Pause reason codes: stable, for clients.
const (
	PauseDispute     = "dispute"
	PausePromise     = "promise"
	PausePlan        = "payment_plan"
	PauseRecentPay   = "recent_payment"
	PauseInsolvency  = "insolvency"
	PauseWithdrawal  = "withdrawal_requested"
	PauseCaseClosed  = "case_closed"
	PauseCourtStages = "court_stage"
)

// PauseReason is one fact that stops a strategy for now.
type PauseReason struct {
	Code string
	Text string // French
}

// PauseFacts are what the pause rules read beyond the case.
type PauseFacts struct {
	Today         Date
	LastPaymentOn Date // the latest payment received and not reversed (zero: none)
	Insolvent     bool // the debtor is in insolvency proceedings
	PauseDays     int  // the strategy's PauseAfterPaymentDays
}

// PauseReasons lists what stops the strategy of c today; none means it
// runs. They are the very rules the engine's selection applies in SQL
// (internal/postgres strategyPaused), tested against each other.
func PauseReasons(c Case, f PauseFacts) []PauseReason {
	var out []PauseReason
	if !c.Open() {
		return []PauseReason{{PauseCaseClosed, "Dossier clos"}}
	}
	if c.Stage == StageInjunction || c.Stage == StageIrrecoverable {
		out = append(out, PauseReason{PauseCourtStages, "Dossier au stade judiciaire : les juristes le conduisent"})
	}
	if c.OpenDispute {
		out = append(out, PauseReason{PauseDispute, "Litige ouvert"})
	}
	if !c.PromiseDueOn.IsZero() {
		out = append(out, PauseReason{PausePromise, fmt.Sprintf("Promesse de paiement en cours (échéance le %s)", FrenchDate(c.PromiseDueOn))})
	}
	if c.RunningPlanID != nil {
		out = append(out, PauseReason{PausePlan, "Échéancier en cours"})
	}
	if f.PauseDays > 0 && !f.LastPaymentOn.IsZero() && f.Today.Before(f.LastPaymentOn.AddDays(f.PauseDays+1)) {
		out = append(out, PauseReason{PauseRecentPay, fmt.Sprintf("Paiement reçu le %s (pause de %d jours)", FrenchDate(f.LastPaymentOn), f.PauseDays)})
	}
	if f.Insolvent {
		out = append(out, PauseReason{PauseInsolvency, "Débiteur en procédure collective"})
	}
	if c.WithdrawalRequested {
		out = append(out, PauseReason{PauseWithdrawal, "Le créancier a demandé le retrait du dossier"})
	}
	return out
}

// SampleCase is a case to simulate a strategy on.
type SampleCase struct {
	PlacedOn     Date
	OldestDueOn  Date
	BalanceCents int64
	DebtorKind   DebtorKind
	HasEmail     bool
	HasPhone     bool
	NoticeDays   int // the mandate's formal-notice deadline (0: the usual 8 days)
}

// SimulatedStep is a step as the simulation dates it.
type SimulatedStep struct {
	Index   int
	Name    string
	Channel Channel // the channel that would act (letter for an e-mail falling back)
	On      Date
	Skipped bool
	Note    string // French: why skipped, a fallback, a wait
}

// Simulate dates the steps of st on a sample case, as the engine would run
// them if nothing paused it and each step ran on its due day: conditions
// read the sample, an e-mail without address falls back to a letter, the
// formal notice moves the case to its stage, and the hand-over waits for
// the notice's deadline to have run. No side effect.
func Simulate(st Strategy, s SampleCase) []SimulatedStep {
	stage := StageAmicable
	var previous, noticeEnd Date
	out := make([]SimulatedStep, 0, len(st.Steps))
	notice := s.NoticeDays
	if notice <= 0 {
		notice = DefaultNoticeDeadlineDays
	}
	for i, step := range st.Steps {
		on := step.DueOn(StepDates{Placement: s.PlacedOn, OldestDue: s.OldestDueOn, PreviousStep: previous})
		sim := SimulatedStep{Index: i, Name: step.Name, Channel: step.Channel, On: on}
		ok, why := step.Conditions.Holds(StepFacts{BalanceCents: s.BalanceCents, DebtorKind: s.DebtorKind, Stage: stage, HasEmail: s.HasEmail, HasPhone: s.HasPhone})
		switch {
		case !ok:
			sim.Skipped, sim.Note = true, "Étape sautée : "+why+"."
		case step.Channel == ChannelEmail && !s.HasEmail && step.FallbackToLetter:
			sim.Channel, sim.Note = ChannelLetter, "Aucune adresse e-mail : la lettre part par courrier."
		case step.Channel == ChannelEmail && !s.HasEmail:
			sim.Skipped, sim.Note = true, "Aucune adresse e-mail : étape sautée."
		case step.Channel == ChannelCallTask && !s.HasPhone:
			sim.Note = "Aucun numéro connu : la tâche d'appel invite à le rechercher."
		case step.Channel == ChannelFormalNotice:
			if stage != StageAmicable {
				sim.Skipped, sim.Note = true, "Le dossier n'est plus au stade amiable."
				break
			}
			stage, noticeEnd = StageFormalNotice, on.AddDays(notice)
			sim.Note = fmt.Sprintf("Mise en demeure ; délai de %d jours jusqu'au %s.", notice, FrenchDate(noticeEnd))
		case step.Channel == ChannelHandToLawyer:
			if stage != StageFormalNotice {
				sim.Skipped, sim.Note = true, "Pas de mise en demeure : la remise au service juridique attend une étape de mise en demeure."
				break
			}
			if !on.After(noticeEnd) {
				on = noticeEnd.AddDays(1)
				sim.On, sim.Note = on, "Reportée au lendemain de la fin du délai de la mise en demeure."
			}
		}
		if !sim.Skipped {
			previous = on
		}
		out = append(out, sim)
	}
	return out
}

// CaseStrategyState is where a case stands in its strategy.
type CaseStrategyState struct {
	CaseID     uuid.UUID
	CreditorID uuid.UUID
	StrategyID uuid.UUID
	// Position is the index of the next step to run (len(Steps): done).
	Position   int
	LastStep   *int // the last step run (or skipped), if any
	LastStepOn Date
	NextDueOn  Date // the next step's date (zero: none planned, or waiting for a call)
	// WaitingTaskID: a call task the strategy waits for before going on.
	WaitingTaskID *uuid.UUID
	AssignedOn    Date
	UpdatedAt     time.Time
}

// Plan sets the state's next due date from its position: the step at
// Position, dated from its base; zero when the strategy is done or waits.
func (s *CaseStrategyState) Plan(st Strategy, d StepDates) {
	s.NextDueOn = Date{}
	if s.WaitingTaskID != nil || s.Position >= len(st.Steps) {
		return
	}
	d.PreviousStep = s.LastStepOn
	s.NextDueOn = st.Steps[s.Position].DueOn(d)
}

// Done reports whether every step has run.
func (s CaseStrategyState) Done(st Strategy) bool { return s.Position >= len(st.Steps) }

// DefaultStrategies are the three French strategies shipped with the
// agency (migration 00029 inserts the same; the test checks both agree).
func DefaultStrategies() []StrategyInput {
	yes := true
	return []StrategyInput{
		{Name: "B2B standard", Description: "Entreprises, montants courants : deux relances écrites, un appel, la mise en demeure, puis le service juridique.",
			PauseAfterPaymentDays: 10, Steps: []StepInput{
				{Name: "Première relance par e-mail", Delay: 0, Unit: "working_days", From: "placement", Channel: "email", Template: "amicable_letter", FallbackToLetter: &yes},
				{Name: "Appel de relance", Delay: 5, Unit: "working_days", From: "previous_step", Channel: "call_task", Template: "call_first_reminder", Conditions: map[string]any{"has_phone": true}},
				{Name: "Deuxième relance par courrier", Delay: 10, Unit: "calendar_days", From: "previous_step", Channel: "letter", Template: "amicable_letter"},
				{Name: "Mise en demeure", Delay: 10, Unit: "calendar_days", From: "previous_step", Channel: "formal_notice", Template: "formal_notice"},
				{Name: "Remise au service juridique", Delay: 1, Unit: "working_days", From: "previous_step", Channel: "hand_to_lawyer", Template: "lawyer_handover"},
			}},
		{Name: "B2B gros montants", Description: "Entreprises, soldes d'au moins 10 000 € : appel d'abord, relances rapprochées, mise en demeure rapide.",
			PauseAfterPaymentDays: 15, Steps: []StepInput{
				{Name: "Appel de prise de contact", Delay: 0, Unit: "working_days", From: "placement", Channel: "call_task", Template: "call_first_reminder"},
				{Name: "Relance écrite par e-mail", Delay: 2, Unit: "working_days", From: "previous_step", Channel: "email", Template: "amicable_letter", FallbackToLetter: &yes},
				{Name: "Appel ferme", Delay: 5, Unit: "working_days", From: "previous_step", Channel: "call_task", Template: "call_firm"},
				{Name: "Mise en demeure", Delay: 7, Unit: "calendar_days", From: "previous_step", Channel: "formal_notice", Template: "formal_notice"},
				{Name: "Remise au service juridique", Delay: 1, Unit: "working_days", From: "previous_step", Channel: "hand_to_lawyer", Template: "lawyer_handover",
					Conditions: map[string]any{"min_balance_cents": float64(1_000_000)}},
			}},
		{Name: "Particuliers", Description: "Consommateurs : relances espacées et courtoises, appel aux heures ouvrables, mise en demeure après 45 jours.",
			PauseAfterPaymentDays: 20, Steps: []StepInput{
				{Name: "Première relance par courrier", Delay: 0, Unit: "working_days", From: "placement", Channel: "letter", Template: "amicable_letter"},
				{Name: "Relance par e-mail", Delay: 15, Unit: "calendar_days", From: "previous_step", Channel: "email", Template: "amicable_letter", FallbackToLetter: &yes},
				{Name: "Appel courtois", Delay: 10, Unit: "working_days", From: "previous_step", Channel: "call_task", Template: "call_before_notice", Conditions: map[string]any{"has_phone": true}},
				{Name: "Mise en demeure", Delay: 45, Unit: "calendar_days", From: "placement", Channel: "formal_notice", Template: "formal_notice"},
			}},
	}
}

// EventStrategyStep records on a case's timeline what the strategy engine
// did, skipped or failed at a step (internal to the agency), or a case
// being put on a strategy. Its actor is the system acting for the mandate.
const EventStrategyStep EventType = "strategy_step"

// CallTaskState says whether a call task is still to do.
type CallTaskState string

const (
	CallTaskOpen CallTaskState = "open"
	CallTaskDone CallTaskState = "done"
)

// CallTask is a call the strategy engine asks an agent to make.
type CallTask struct {
	ID          uuid.UUID
	CaseID      uuid.UUID
	CreditorID  uuid.UUID
	DueAt       time.Time
	Script      string
	State       CallTaskState
	Outcome     string
	CompletedBy *uuid.UUID
	CompletedAt *time.Time
	CreatedAt   time.Time
}

// ReasonCallTask is the queue's reason for a case whose call task is due.
const ReasonCallTask = "call_task_due"

// CallTaskReason is the queue's words for a due call task.
func CallTaskReason(t CallTask) QueueReason {
	return QueueReason{ReasonCallTask, "Tâche d'appel due depuis le " + FrenchDate(DateOf(t.DueAt))}
}

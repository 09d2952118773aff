package app

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// PromiseRepo keeps the promises to pay (internal/postgres).
type PromiseRepo interface {
	InsertPromise(ctx context.Context, p *recouvra.Promise) error
	// PromisesOfCase lists a case's promises, oldest first.
	PromisesOfCase(ctx context.Context, caseID uuid.UUID) ([]recouvra.Promise, error)
	// SetPromiseStatus writes p's status and decision date.
	SetPromiseStatus(ctx context.Context, p recouvra.Promise, at time.Time) error
	// ReplacePendingPromises marks the case's pending promises replaced.
	ReplacePendingPromises(ctx context.Context, caseID uuid.UUID, at time.Time) error
	// CasesWithPromisesDueBefore lists, set-based, the cases holding a
	// pending promise due before day (at most limit of them).
	CasesWithPromisesDueBefore(ctx context.Context, day recouvra.Date, limit int) ([]uuid.UUID, error)
	// ForecastRows reads what a forecast is computed from.
	ForecastRows(ctx context.Context, scope recouvra.Scope, q ForecastQuery) (ForecastRows, error)
}

// reckonPromises judges the case's promises today against payments (the
// case's, reversed ones included) and returns the events of those whose
// status moved: promise_kept or promise_broken, written by the system for
// the mandate and shared with the creditor. A kept promise going back to
// pending (its payment reversed within its grace) writes no event of its
// own: the reversal is on the timeline and the case shows the promise
// pending again. c must be locked by the caller's transaction.
func (s *Service) reckonPromises(ctx context.Context, r Repo, c *recouvra.Case, payments []recouvra.Payment, today recouvra.Date) ([]recouvra.Event, error) {
	ps, err := r.PromisesOfCase(ctx, c.ID)
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	var events []recouvra.Event
	for _, ch := range c.ReckonPromises(ps, payments, s.cfg.PromiseGraceDays, today) {
		if err := r.SetPromiseStatus(ctx, ch.Promise, s.now()); err != nil {
			return nil, err
		}
		t := recouvra.EventPromiseKept
		switch ch.Promise.Status {
		case recouvra.PromiseKept:
		case recouvra.PromiseBroken:
			t = recouvra.EventPromiseBroken
		default:
			continue
		}
		p := ch.Promise
		events = append(events, s.newEvent(System, c, t, recouvra.Shared, map[string]any{
			"promise_id": p.ID.String(), "promise_amount_cents": p.AmountCents, "promise_due_on": p.DueOn.String(),
			"promise_made_on": p.MadeOn.String(), "grace_days": s.cfg.PromiseGraceDays, "grace_ends_on": p.GraceEnd(s.cfg.PromiseGraceDays).String(),
			"paid_cents": ch.CoveredCents, "previous_status": string(ch.From), "automatic": true,
		}))
	}
	return events, nil
}

// promiseLogged keeps the promises table in step with an event a person
// logged on c (already applied to it): a new promise replaces a pending
// one; a promise declared broken is marked so. Then the case's promises
// are judged against its payments.
func (s *Service) promiseLogged(ctx context.Context, r Repo, c *recouvra.Case, t recouvra.EventType, today recouvra.Date) ([]recouvra.Event, error) {
	switch t {
	case recouvra.EventPromise:
		if err := r.ReplacePendingPromises(ctx, c.ID, s.now()); err != nil {
			return nil, err
		}
		p := recouvra.Promise{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, CreditorID: c.CreditorID, AmountCents: c.PromiseAmountCents,
			Currency: c.Currency, MadeOn: today, DueOn: c.PromiseDueOn, Status: recouvra.PromisePending, CreatedAt: s.now()}
		if err := r.InsertPromise(ctx, &p); err != nil {
			return nil, err
		}
	case recouvra.EventPromiseBroken:
		ps, err := r.PromisesOfCase(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for i := len(ps) - 1; i >= 0; i-- {
			if ps[i].Status == recouvra.PromisePending {
				ps[i].Status, ps[i].DecidedOn = recouvra.PromiseBroken, today
				if err := r.SetPromiseStatus(ctx, ps[i], s.now()); err != nil {
					return nil, err
				}
				break
			}
		}
	default:
		return nil, nil
	}
	payments, err := r.PaymentsOfCase(ctx, recouvra.AllCreditors, c.ID)
	if err != nil {
		return nil, err
	}
	return s.reckonPromises(ctx, r, c, payments, today)
}

// promiseSweepBatch bounds the cases one sweep reads at a time.
const promiseSweepBatch = 500

// SweepPromises marks broken the pending promises whose grace ended
// before today (the periodic job). The due ones are selected by one query
// on the pending promises' due dates — never a walk over every case — and
// each case is then judged in its own transaction with the case locked:
// the status is read again under that lock, so two instances, or a run
// retried after a crash, write one event per promise, never two. It
// returns how many promises were broken.
func (s *Service) SweepPromises(ctx context.Context) (int, error) {
	today := s.today()
	// A promise is due for judgement once its last grace day is past:
	// due_on + grace < today.
	before := today.AddDays(-s.cfg.PromiseGraceDays)
	broken := 0
	seen := map[uuid.UUID]bool{}
	for {
		ids, err := s.store.CasesWithPromisesDueBefore(ctx, before, promiseSweepBatch)
		if err != nil {
			return broken, err
		}
		fresh := 0
		for _, id := range ids {
			if seen[id] {
				continue // judged already this run and still pending: not due after all
			}
			seen[id], fresh = true, fresh+1
			n, err := s.judgeCasePromises(ctx, id, today)
			if err != nil {
				return broken, fmt.Errorf("promises of case %s: %w", id, err)
			}
			broken += n
		}
		if len(ids) < promiseSweepBatch || fresh == 0 {
			return broken, nil
		}
	}
}

// judgeCasePromises judges one case's promises in a transaction holding
// the case, and returns how many were broken.
func (s *Service) judgeCasePromises(ctx context.Context, id uuid.UUID, today recouvra.Date) (int, error) {
	broken := 0
	err := s.store.Tx(ctx, func(r Repo) error {
		c, err := r.CaseByID(ctx, recouvra.AllCreditors, id, ForUpdate)
		if err != nil {
			return err
		}
		expected := c.Version
		payments, err := r.PaymentsOfCase(ctx, recouvra.AllCreditors, c.ID)
		if err != nil {
			return err
		}
		events, err := s.reckonPromises(ctx, r, &c, payments, today)
		if err != nil || len(events) == 0 {
			return err
		}
		for _, e := range events {
			if e.Type == recouvra.EventPromiseBroken {
				broken++
			}
		}
		return s.commitSettled(ctx, r, &c, expected, events, nil)
	})
	return broken, err
}

// ForecastWeeks is how many ISO weeks a forecast looks ahead (the current
// one first) and back (the complete weeks before it).
const ForecastWeeks = 13

// NeutralKeptRateBps weighs the promises of a creditor none of whose
// promises was judged yet: one in two.
const NeutralKeptRateBps = 5000

// ForecastQuery is what the store reads for a forecast.
type ForecastQuery struct {
	CreditorID    uuid.UUID
	Currency      string
	Today         recouvra.Date
	GraceDays     int
	Last          recouvra.Date // the last day forecast
	ReceivedFrom  recouvra.Date // the first day of the first past week
	ReceivedUntil recouvra.Date // the day before the current week
}

// PendingPromise is what a pending promise still expects: its amount less
// the payments that already count towards it.
type PendingPromise struct {
	DueOn          recouvra.Date
	RemainingCents int64
}

// ForecastRows are the store's figures for a ForecastQuery.
type ForecastRows struct {
	Pending      []PendingPromise // pending promises and unpaid instalments of kept plans, still within grace, due by q.Last
	Kept, Broken int64            // the creditor's promises judged so far
	Received     []WeekCents      // payments kept, by ISO week (its Monday)
}

// WeekCents is an amount for an ISO week, named by its Monday.
type WeekCents struct {
	Week  recouvra.Date
	Cents int64
}

// ForecastWeek is one ISO week of a forecast.
type ForecastWeek struct {
	Monday        recouvra.Date
	Promises      int
	PromisedCents int64 // still to come on the promises due that week
	ExpectedCents int64 // PromisedCents weighted by the kept rate
}

// Forecast is the cash a creditor can expect over the next ForecastWeeks
// ISO weeks, beside what came in over the ForecastWeeks before.
type Forecast struct {
	AsOf         recouvra.Date
	CreditorID   uuid.UUID
	Currency     string
	GraceDays    int
	Kept, Broken int64
	KeptRateBps  int  // kept / (kept + broken), or the neutral rate
	NeutralRate  bool // no promise judged yet: NeutralKeptRateBps
	Weeks        []ForecastWeek
	Received     []WeekCents // oldest first, ForecastWeeks of them
}

// mondayOf is the Monday of d's ISO week.
func mondayOf(d recouvra.Date) recouvra.Date {
	wd := int(d.Weekday()+6) % 7 // Monday 0 … Sunday 6
	return d.AddDays(-wd)
}

// Forecast computes a creditor's 13-week cash forecast: each pending
// promise's remainder in the ISO week it falls due (one whose date passed
// but whose grace runs still, in the current week), weighted by the share
// of its promises the creditor's debtors kept. A creditor sees its own;
// staff name the creditor.
func (s *Service) Forecast(ctx context.Context, p recouvra.Principal, creditorID *uuid.UUID, currency string) (Forecast, error) {
	if currency == "" {
		currency = "EUR"
	}
	if !currencyCode.MatchString(currency) {
		return Forecast{}, recouvra.Invalid("Devise invalide.", recouvra.FieldError{Field: "currency", Code: "invalid", Message: "Code de devise ISO 4217 attendu, par exemple EUR."})
	}
	scope := p.Scope()
	if creditorID == nil {
		creditorID = scope.CreditorID // a creditor's own; naming another's answers 404 (CreditorByID below)
	}
	if creditorID == nil {
		return Forecast{}, recouvra.Invalid("Créancier manquant.", recouvra.FieldError{Field: "query.creditor_id", Code: "required",
			Message: "Choisissez le créancier : la prévision pondère ses promesses par celles que ses débiteurs ont tenues."})
	}
	today := s.today()
	monday := mondayOf(today)
	q := ForecastQuery{CreditorID: *creditorID, Currency: currency, Today: today, GraceDays: s.cfg.PromiseGraceDays,
		Last: monday.AddDays(7*ForecastWeeks - 1), ReceivedFrom: monday.AddDays(-7 * ForecastWeeks), ReceivedUntil: monday.AddDays(-1)}
	out := Forecast{AsOf: today, CreditorID: *creditorID, Currency: currency, GraceDays: s.cfg.PromiseGraceDays}
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if _, err := r.CreditorByID(ctx, scope, *creditorID); err != nil {
			return err
		}
		rows, err := r.ForecastRows(ctx, scope, q)
		if err != nil {
			return err
		}
		out.fill(monday, rows)
		return nil
	})
	return out, err
}

func (f *Forecast) fill(monday recouvra.Date, rows ForecastRows) {
	f.Kept, f.Broken = rows.Kept, rows.Broken
	f.KeptRateBps = recouvra.KeptRate(rows.Kept, rows.Broken, NeutralKeptRateBps)
	f.NeutralRate = rows.Kept+rows.Broken == 0
	f.Weeks = make([]ForecastWeek, ForecastWeeks)
	for i := range f.Weeks {
		f.Weeks[i].Monday = monday.AddDays(7 * i)
	}
	for _, p := range rows.Pending {
		i := 0
		if !p.DueOn.Before(monday) {
			i = monday.DaysUntil(p.DueOn) / 7
		}
		if i >= ForecastWeeks || p.RemainingCents <= 0 {
			continue
		}
		f.Weeks[i].Promises++
		f.Weeks[i].PromisedCents += p.RemainingCents
	}
	for i := range f.Weeks {
		f.Weeks[i].ExpectedCents = recouvra.Prorata(f.Weeks[i].PromisedCents, int64(f.KeptRateBps), 10_000)
	}
	got := map[recouvra.Date]int64{}
	for _, w := range rows.Received {
		got[mondayOf(w.Week)] += w.Cents
	}
	for i := ForecastWeeks; i >= 1; i-- {
		m := monday.AddDays(-7 * i)
		f.Received = append(f.Received, WeekCents{Week: m, Cents: got[m]})
	}
}

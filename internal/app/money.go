package app

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// ParseRates reads the shipped rate tables (configs/rates.csv): lines
// kind,period_start,value,source — the source may contain commas.
func ParseRates(data []byte) ([]recouvra.Rate, error) {
	var out []recouvra.Rate
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, ",", 4)
		if len(f) != 4 {
			return nil, fmt.Errorf("rates line %d: want kind,period_start,value,source", n)
		}
		d, err := recouvra.ParseDate(f[1])
		if err != nil {
			return nil, fmt.Errorf("rates line %d: %w", n, err)
		}
		v, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("rates line %d: value %q", n, f[2])
		}
		r := recouvra.Rate{Kind: recouvra.RateKind(f[0]), PeriodStart: d, Value: v, Source: strings.TrimSpace(f[3])}
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("rates line %d: %w", n, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// SeedRates loads the shipped rows that the database does not have yet.
func (s *Service) SeedRates(ctx context.Context, rates []recouvra.Rate) (int64, error) {
	return s.store.SeedRates(ctx, rates, s.now())
}

// ListRates returns the legal tables.
func (s *Service) ListRates(ctx context.Context, p recouvra.Principal) ([]recouvra.Rate, error) {
	if err := requireRole(p, recouvra.RoleAdmin, recouvra.RoleAgent, recouvra.RoleLawyer, recouvra.RoleAccountant); err != nil {
		return nil, err
	}
	return s.store.ListRates(ctx)
}

// PutRate adds or corrects a half-year's rate (admin), audited with the
// value it replaces.
func (s *Service) PutRate(ctx context.Context, p recouvra.Principal, r recouvra.Rate, meta Meta) (recouvra.Rate, error) {
	if err := requireRole(p, recouvra.RoleAdmin); err != nil {
		return recouvra.Rate{}, err
	}
	r.Source = strings.TrimSpace(r.Source)
	if err := r.Validate(); err != nil {
		return recouvra.Rate{}, err
	}
	by, _ := p.Actor()
	err := s.store.Tx(ctx, func(repo Repo) error {
		prev, err := repo.PutRate(ctx, r, by, s.now())
		if err != nil {
			return err
		}
		details := map[string]any{"kind": r.Kind, "period_start": r.PeriodStart.String(), "value": r.Value, "source": r.Source}
		if prev != nil {
			details["previous_value"], details["previous_source"] = prev.Value, prev.Source
		}
		return repo.InsertAudit(ctx, s.audit(p, meta, "rate.put", "rate", nil, details))
	})
	return r, err
}

// statementInput gathers the facts of a case's statement.
func statementInput(c recouvra.Case, creditor recouvra.Creditor, debtor recouvra.Debtor, claims []recouvra.Claim, payments []recouvra.Payment, rates []recouvra.Rate, asOf recouvra.Date) recouvra.StatementInput {
	return recouvra.StatementInput{
		AsOf: asOf, Currency: c.Currency, CreditorStatus: creditor.Mandate.LegalStatus, DebtorKind: debtor.Kind, DebtorProfessional: !debtor.Consumer(),
		FormalNoticeSentOn: c.FormalNoticeSentOn, FormalNoticeReceivedOn: c.FormalNoticeReceivedOn,
		EnforceableOn: c.Injunction.EnforceableOn, LastInterruptionOn: c.LastInterruptionOn,
		TimeBar: recouvra.TimeBarTermFor(creditor.Mandate.LegalStatus, debtor.Consumer()), Claims: claims, Payments: payments, Rates: recouvra.NewRateTable(rates),
	}
}

// StatementView is a statement with the case it is about.
type StatementView struct {
	Case      recouvra.Case
	Statement recouvra.Statement
}

// Statement computes a case's statement of claim at asOf (today when
// zero). The same facts and date always give the same figures.
func (s *Service) Statement(ctx context.Context, p recouvra.Principal, id uuid.UUID, asOf recouvra.Date) (StatementView, error) {
	if asOf.IsZero() {
		asOf = s.today()
	}
	var v StatementView
	var in recouvra.StatementInput
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		cp, err := r.CaseWithParties(ctx, scope, id, true)
		if err != nil {
			return err
		}
		c := cp.Case
		if asOf.Before(recouvra.DateOf(c.CreatedAt)) {
			return recouvra.Invalid("Date d'arrêté invalide.", recouvra.FieldError{Field: "query.as_of", Code: "before_case",
				Message: fmt.Sprintf("Le dossier n'existait pas encore : il a été ouvert le %s.", recouvra.FrenchDate(recouvra.DateOf(c.CreatedAt)))})
		}
		in = statementInput(c, cp.Creditor, cp.Debtor, cp.Claims, cp.Payments, cp.Rates, asOf)
		v.Case = c
		return s.withFreezes(ctx, r, scope, c, &in)
	})
	if err != nil {
		return StatementView{}, err
	}
	// Computed once the reads are done: the scope's connection goes back
	// to the pool first.
	v.Statement = recouvra.ComputeStatement(in)
	return v, nil
}

// gather reads the facts of c's statement within scope.
func (s *Service) gather(ctx context.Context, r Repo, scope recouvra.Scope, c recouvra.Case, asOf recouvra.Date) (recouvra.StatementInput, error) {
	pt, err := loadParties(ctx, r, scope, c)
	if err != nil {
		return recouvra.StatementInput{}, err
	}
	return s.gatherWith(ctx, r, scope, c, pt, asOf)
}

// gatherWith completes the parties already read with the case's payments
// and the rate tables.
func (s *Service) gatherWith(ctx context.Context, r Repo, scope recouvra.Scope, c recouvra.Case, pt parties, asOf recouvra.Date) (recouvra.StatementInput, error) {
	payments, err := r.PaymentsOfCase(ctx, scope, c.ID)
	if err != nil {
		return recouvra.StatementInput{}, err
	}
	rates, err := r.ListRates(ctx)
	if err != nil {
		return recouvra.StatementInput{}, err
	}
	in := statementInput(c, pt.creditor, pt.debtor, pt.claims, payments, rates, asOf)
	return in, s.withFreezes(ctx, r, scope, c, &in)
}

// withFreezes adds to in the days the case's payment plans froze interest
// over, and the days court-granted ones held off the penalties (C. civ.
// 1343-5 al. 4). Only a case on which such a plan has run
// (Case.InterestFreeze) reads its plans: every other statement, and a
// payment on it, reads none.
func (s *Service) withFreezes(ctx context.Context, r Repo, scope recouvra.Scope, c recouvra.Case, in *recouvra.StatementInput) error {
	if !c.InterestFreeze {
		return nil
	}
	plans, err := r.PlansOfCase(ctx, scope, c.ID)
	if err != nil {
		return err
	}
	in.Freezes = recouvra.PlanFreezes(plans, in.Payments, in.AsOf)
	in.CourtDelays = recouvra.PlanCourtDelays(plans, in.Payments, in.AsOf)
	return nil
}

// settle brings a case's balances in line with its statement today, and
// closes it as paid when nothing is due any more — or, with reopenIfDue
// (after a reversal), reopens a case closed as paid when something is due
// again. It returns the stage event, if any.
func (s *Service) settle(ctx context.Context, r Repo, p recouvra.Principal, c *recouvra.Case, mode settleMode) ([]recouvra.Event, error) {
	in, err := s.gather(ctx, r, recouvra.AllCreditors, *c, s.today())
	if err != nil {
		return nil, err
	}
	return s.settleWith(p, c, recouvra.ComputeStatement(in), mode), nil
}

// settleWith is settle for a caller that already has the case's
// statement today, st.
func (s *Service) settleWith(p recouvra.Principal, c *recouvra.Case, st recouvra.Statement, mode settleMode) []recouvra.Event {
	c.PaidCents = st.Totals.PaidCents - st.Totals.UnappliedCents
	c.BalanceCents = st.Totals.PrincipalOutstandingCents
	from := c.Stage
	switch {
	case c.CloseIfPaid(st.Totals.TotalDueCents, s.now()):
		return []recouvra.Event{s.newEvent(p, c, recouvra.EventStageChanged, recouvra.Shared,
			map[string]any{"from": string(from), "to": string(recouvra.StageClosed), "close_reason": string(recouvra.ClosePaid), "automatic": true})}
	case mode == reopenIfDue && c.ReopenIfUnpaid(st.Totals.TotalDueCents):
		return []recouvra.Event{s.newEvent(p, c, recouvra.EventStageChanged, recouvra.Shared,
			map[string]any{"from": string(recouvra.StageClosed), "to": string(c.Stage), "reason": "Paiement contrepassé : une somme est de nouveau due.", "automatic": true})}
	}
	return nil
}

// NewPayment is a payment to record.
type NewPayment struct {
	AmountCents    int64
	Currency       string
	ReceivedOn     recouvra.Date
	Method         recouvra.PaymentMethod
	PayerReference string
	ClaimID        *uuid.UUID
}

// PaymentView is a recorded payment with how it was applied.
type PaymentView struct {
	Payment        recouvra.Payment
	Allocations    []recouvra.Allocation
	UnappliedCents int64
}

// RecordPayment records money received for a case, gives it a receipt
// number (CPCE R124-6), tells the creditor on the timeline (R124-5), and
// brings the case's balance and stage along — in one transaction, which
// also computes, once, the statement the answer shows. It is
// recordPayments with a batch of one.
func (s *Service) RecordPayment(ctx context.Context, p recouvra.Principal, caseID uuid.UUID, in NewPayment) (PaymentView, error) {
	var v PaymentView
	var mails []uuid.UUID
	err := s.store.Tx(ctx, func(r Repo) error {
		out, queued, err := s.recordPayments(ctx, r, p, []paymentRequest{{CaseID: caseID, In: in}})
		if err != nil {
			return err
		}
		v, mails = out[0].View, queued
		return out[0].Err
	})
	if err == nil {
		for _, id := range mails {
			s.kick(ctx, id, 0)
		}
	}
	return v, err
}

// paymentRequest is one payment of a batch: money received for a case.
type paymentRequest struct {
	CaseID uuid.UUID
	In     NewPayment
}

// paymentOutcome is what became of a paymentRequest: the payment recorded
// and how it was applied, or why the case refused it (nothing of it was
// written then).
type paymentOutcome struct {
	View PaymentView
	Err  error
}

// batchCase is a case of a batch of payments as the batch goes: its state
// after the payments accepted so far, the version it was read at, its
// parties and payments, and how many of the batch's payments changed it.
type batchCase struct {
	c        recouvra.Case
	expected int
	pt       parties
	payments []recouvra.Payment
	steps    int
}

// recordPayments records payments in r's transaction, each exactly as
// RecordPayment would one after the other — the case checks it
// (AcceptPayment) against its state after the batch's earlier payments,
// a receipt number, the ledger posting, the statement that settles the
// case (closed as paid when nothing is due), the case's promises and
// running plan judged again, the payment_recorded event and the others,
// the receipt mail to the debtor where an address is known — but reads
// and writes each kind of row once for the whole batch. Only a case's
// promises and plan, which few cases have, are read and saved per case.
//
// A payment the case refuses gets its error in its outcome and writes
// nothing; the others are recorded. The error returned is one that undoes
// the whole batch (the caller's transaction or savepoint must roll back).
// The mails queued are returned so that the caller kicks them once
// committed.
func (s *Service) recordPayments(ctx context.Context, r Repo, p recouvra.Principal, reqs []paymentRequest) ([]paymentOutcome, []uuid.UUID, error) {
	today := s.today()
	out := make([]paymentOutcome, len(reqs))
	ids := make([]uuid.UUID, 0, len(reqs))
	seen := make(map[uuid.UUID]bool, len(reqs))
	for _, q := range reqs {
		if !seen[q.CaseID] {
			seen[q.CaseID] = true
			ids = append(ids, q.CaseID)
		}
	}
	// The cases, locked in id order, and what their rules need.
	cs, err := r.CasesByIDs(ctx, p.Scope(), ids, ForUpdate)
	if err != nil {
		return nil, nil, err
	}
	cases := make(map[uuid.UUID]*batchCase, len(cs))
	var found []uuid.UUID
	for _, c := range cs {
		cases[c.ID] = &batchCase{c: c, expected: c.Version}
		found = append(found, c.ID)
	}
	var rates []recouvra.Rate
	if len(found) > 0 {
		pts, err := r.PartiesOfCases(ctx, cs)
		if err != nil {
			return nil, nil, err
		}
		creditors, debtors, claims, payments := pts.Creditors, pts.Debtors, pts.Claims, pts.Payments
		rates = pts.Rates
		for id, bc := range cases {
			cr, ok := creditors[bc.c.CreditorID]
			if !ok {
				return nil, nil, recouvra.Errorf(recouvra.ECodeInternal, "creditor %s of case %s not found", bc.c.CreditorID, id)
			}
			d, ok := debtors[bc.c.DebtorID]
			if !ok {
				return nil, nil, recouvra.Errorf(recouvra.ECodeInternal, "debtor %s of case %s not found", bc.c.DebtorID, id)
			}
			bc.pt = parties{creditor: cr, debtor: d, claims: claims[id]}
			bc.payments = payments[id]
		}
	}

	// Each payment in turn, against its case as the batch left it.
	by, _ := p.Actor()
	type recorded struct {
		i      int
		bc     *batchCase
		pay    recouvra.Payment
		events []recouvra.Event // payment_recorded first
	}
	var done []recorded
	for i, q := range reqs {
		bc, ok := cases[q.CaseID]
		if !ok {
			// Not there, or not the caller's: the error CaseByID gives.
			_, err := r.CaseByID(ctx, p.Scope(), q.CaseID, ForUpdate)
			if err == nil {
				err = recouvra.Errorf(recouvra.ECodeInternal, "case %s read alone but not in its batch", q.CaseID)
			}
			if recouvra.ErrorCode(err) == recouvra.ECodeInternal {
				return nil, nil, err
			}
			out[i].Err = err
			continue
		}
		c := bc.c // a copy: a refused payment leaves the case as it was
		in := q.In
		pay := recouvra.Payment{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, AmountCents: in.AmountCents, Currency: in.Currency, ReceivedOn: in.ReceivedOn,
			Method: in.Method, PayerReference: strings.TrimSpace(in.PayerReference), ClaimID: in.ClaimID,
			CreatedAt: s.now().Truncate(time.Microsecond)} // as stored: the answer and a later read agree
		if err := c.AcceptPayment(pay, bc.pt.claims, today); err != nil {
			if recouvra.ErrorCode(err) == recouvra.ECodeInternal {
				return nil, nil, err
			}
			out[i].Err = err
			continue
		}
		pay.Currency = c.Currency
		payments := append(slices.Clip(bc.payments), pay)
		// The statement with the new payment: it settles the case and says
		// how the payment was applied.
		stIn := statementInput(c, bc.pt.creditor, bc.pt.debtor, bc.pt.claims, payments, rates, today)
		if err := s.withFreezes(ctx, r, recouvra.AllCreditors, c, &stIn); err != nil {
			return nil, nil, err
		}
		st := recouvra.ComputeStatement(stIn)
		// The case's promises judged again with this payment (promises.go):
		// only a pending promise, or one declared broken, can change when a
		// payment comes in, so a case with neither reads none (the payment
		// stays at its statement count, TestStatementsPerPayment).
		var judged []recouvra.Event
		if !c.PromiseDueOn.IsZero() || c.BrokenPromises > 0 {
			if judged, err = s.reckonPromises(ctx, r, &c, payments, today); err != nil {
				return nil, nil, err
			}
		}
		// Likewise the running payment plan (plans.go), read only when
		// the case names one.
		if c.RunningPlanID != nil {
			planEvents, err := s.reckonPlan(ctx, r, &c, payments, today)
			if err != nil {
				return nil, nil, err
			}
			judged = append(judged, planEvents...)
		}
		recordedEvent := s.newEvent(p, &c, recouvra.EventPaymentRecorded, recouvra.Shared, nil) // its data once the receipt is numbered
		events := append([]recouvra.Event{recordedEvent}, judged...)
		events = append(events, s.settleWith(p, &c, st, closeIfPaid)...)
		out[i].View = paymentView(pay, st)
		bc.c, bc.payments, bc.steps = c, payments, bc.steps+1
		done = append(done, recorded{i: i, bc: bc, pay: pay, events: events})
	}
	if len(done) == 0 {
		return out, nil, nil
	}

	// The receipt numbers, in the order the payments came.
	numbers, err := r.NextReceiptNumbers(ctx, today.Year(), len(done))
	if err != nil {
		return nil, nil, err
	}
	inserts := make([]PaymentToInsert, len(done))
	var events []recouvra.Event
	for k := range done {
		d := &done[k]
		d.pay.ReceiptNumber = numbers[k]
		out[d.i].View.Payment.ReceiptNumber = numbers[k]
		d.events[0].Data = map[string]any{
			"payment_id": d.pay.ID.String(), "receipt_number": d.pay.ReceiptNumber, "amount_cents": d.pay.AmountCents, "currency": d.pay.Currency,
			"received_on": d.pay.ReceivedOn.String(), "method": string(d.pay.Method),
		}
		// The ledger posts the payment with it (CPCE R124-2): money on the
		// client account is held for the creditor; a direct payment earns
		// the mandate's commission.
		inserts[k] = PaymentToInsert{CreditorID: d.bc.c.CreditorID, Payment: d.pay, By: by,
			Post: recouvra.PaymentPosting(d.pay, d.bc.c.CreditorID, d.bc.pt.creditor.Mandate)}
		events = append(events, d.events...)
	}
	if err := r.InsertPayments(ctx, inserts); err != nil {
		return nil, nil, err
	}
	// Each case changed, saved once at the version its payments lead to.
	now := s.now()
	var advanced []CaseAdvance
	for _, id := range found {
		if bc := cases[id]; bc.steps > 0 {
			bc.c.UpdatedAt = now
			advanced = append(advanced, CaseAdvance{Case: &bc.c, Expected: bc.expected, Steps: bc.steps})
		}
	}
	if err := r.AdvanceCases(ctx, advanced); err != nil {
		return nil, nil, err
	}
	if err := r.InsertEvents(ctx, events); err != nil {
		return nil, nil, err
	}
	// The receipt goes to the debtor by e-mail where an address is known
	// (R124-6): queued with the payment, sent by the job queue.
	receipts := make([]receiptToMail, len(done))
	for k, d := range done {
		receipts[k] = receiptToMail{c: d.bc.c, debtor: d.bc.pt.debtor, pay: d.pay}
	}
	mails, err := s.queueReceiptMails(ctx, r, p, receipts)
	return out, mails, err
}

// paymentView is pay with how statement st applies it.
func paymentView(pay recouvra.Payment, st recouvra.Statement) PaymentView {
	v := PaymentView{Payment: pay}
	if pay.ReversedAt != nil {
		return v
	}
	for _, ps := range st.Payments {
		if ps.Payment.ID == pay.ID {
			v.Allocations, v.UnappliedCents = ps.Allocations, ps.UnappliedCents
		}
	}
	return v
}

// Payment returns a payment the caller may see, with how it is applied
// today.
func (s *Service) Payment(ctx context.Context, p recouvra.Principal, id uuid.UUID) (PaymentView, error) {
	var v PaymentView
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		var err error
		v, err = s.paymentIn(ctx, r, scope, id)
		return err
	})
	return v, err
}

// paymentIn reads a payment and how it is applied today, within r.
func (s *Service) paymentIn(ctx context.Context, r Repo, scope recouvra.Scope, id uuid.UUID) (PaymentView, error) {
	pay, err := r.PaymentByID(ctx, scope, id)
	if err != nil {
		return PaymentView{}, err
	}
	if pay.ReversedAt != nil {
		return PaymentView{Payment: pay}, nil
	}
	c, err := r.CaseByID(ctx, scope, pay.CaseID, NoLock)
	if err != nil {
		return PaymentView{}, err
	}
	asOf := s.today()
	if pay.ReceivedOn.After(asOf) {
		asOf = pay.ReceivedOn
	}
	in, err := s.gather(ctx, r, scope, c, asOf)
	if err != nil {
		return PaymentView{}, err
	}
	return paymentView(pay, recouvra.ComputeStatement(in)), nil
}

// ReversePayment cancels a payment (a bounced cheque, a recalled transfer):
// every later payment is applied again as if it had never been, and a case
// closed as paid reopens.
func (s *Service) ReversePayment(ctx context.Context, p recouvra.Principal, id uuid.UUID, reason string) (PaymentView, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return PaymentView{}, recouvra.Invalid("Motif manquant.", recouvra.FieldError{Field: "reason", Code: "required", Message: "Indiquez le motif de la contrepassation (chèque impayé, virement rappelé…)."})
	}
	var v PaymentView
	err := s.store.Tx(ctx, func(r Repo) error {
		pay, err := r.PaymentByID(ctx, p.Scope(), id)
		if err != nil {
			return err
		}
		c, err := r.CaseByID(ctx, p.Scope(), pay.CaseID, ForUpdate)
		if err != nil {
			return err
		}
		by, _ := p.Actor()
		if err := r.ReversePayment(ctx, id, s.now(), reason, by); err != nil {
			return err
		}
		acts, err := r.InterruptingActs(ctx, c.ID)
		if err != nil {
			return err
		}
		c.ReckonInterruption(acts)
		reversed := s.newEvent(p, &c, recouvra.EventPaymentReversed, recouvra.Shared, map[string]any{
			"payment_id": id.String(), "receipt_number": pay.ReceiptNumber, "amount_cents": pay.AmountCents, "reason": reason,
		})
		// The case's promises judged again without this payment: a kept
		// one may be pending again, or broken once its grace is over.
		payments, err := r.PaymentsOfCase(ctx, recouvra.AllCreditors, c.ID)
		if err != nil {
			return err
		}
		expected := c.Version
		judged, err := s.reckonPromises(ctx, r, &c, payments, s.today())
		if err != nil {
			return err
		}
		planEvents, err := s.reckonPlan(ctx, r, &c, payments, s.today())
		if err != nil {
			return err
		}
		judged = append(judged, planEvents...)
		if err := s.commit(ctx, r, p, &c, expected, append([]recouvra.Event{reversed}, judged...), reopenIfDue); err != nil {
			return err
		}
		// Read back in the same transaction: the answer is what was committed.
		v, err = s.paymentIn(ctx, r, p.Scope(), id)
		return err
	})
	return v, err
}

// ListPayments lists a case's payments, reversed ones included.
func (s *Service) ListPayments(ctx context.Context, p recouvra.Principal, caseID uuid.UUID) ([]recouvra.Payment, error) {
	var out []recouvra.Payment
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if _, err := r.CaseByID(ctx, scope, caseID, NoLock); err != nil {
			return err
		}
		var err error
		out, err = r.PaymentsOfCase(ctx, scope, caseID)
		return err
	})
	return out, err
}

// errNotKept rolls back a request whose response is not to be remembered.
var errNotKept = errors.New("idempotent response not kept")

// Idempotent runs do at most once per (principal, key): a retry with the
// same request gets the first response back; the same key with another
// request is refused; a retry while the first is in flight waits for it.
//
// The key is claimed in the transaction do runs in (do must use the
// context it is given): the claim, do's effect and the response commit
// together. A response do does not keep (a failure on our side) rolls all
// of it back, and so does a crash at any point; either way a retry runs
// the request again, once. replayed tells that resp is a stored response.
func (s *Service) Idempotent(ctx context.Context, principal, key string, requestHash []byte, do func(context.Context) (StoredResponse, bool)) (resp StoredResponse, replayed bool, err error) {
	err = s.store.Atomic(ctx, func(ctx context.Context, r Repo) error {
		stored, err := r.ClaimIdempotent(ctx, principal, key, requestHash, s.now())
		if err != nil {
			return err
		}
		if stored != nil {
			resp, replayed = *stored, true
			return nil
		}
		var keep bool
		if resp, keep = do(ctx); !keep {
			return errNotKept
		}
		return r.FinishIdempotent(ctx, principal, key, resp)
	})
	if errors.Is(err, errNotKept) {
		return resp, false, nil
	}
	return resp, replayed, err
}

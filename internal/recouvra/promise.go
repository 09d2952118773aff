package recouvra

import (
	"time"

	"github.com/google/uuid"
)

// PromiseStatus is where a promise to pay stands, as judged by the
// payments and the calendar (JudgePromise), never by a person's say-so.
type PromiseStatus string

const (
	PromisePending  PromiseStatus = "pending"  // not covered yet, grace not over
	PromiseKept     PromiseStatus = "kept"     // payments from its making cover it by its due date plus grace
	PromiseBroken   PromiseStatus = "broken"   // grace over without that (or declared so by an agent)
	PromiseReplaced PromiseStatus = "replaced" // a newer promise took its place while it was pending
)

// DefaultPromiseGraceDays is how many days after its due date a promise
// may still be kept, unless configured otherwise.
const DefaultPromiseGraceDays = 3

// Promise is a debtor's dated commitment to pay an amount.
type Promise struct {
	ID          uuid.UUID
	CaseID      uuid.UUID
	CreditorID  uuid.UUID
	AmountCents int64
	Currency    string
	MadeOn      Date // the day it was made: payments before it do not count
	DueOn       Date
	Status      PromiseStatus
	DecidedOn   Date // when it was last judged kept or broken
	CreatedAt   time.Time
}

// GraceEnd is the last day a payment still keeps the promise.
func (p Promise) GraceEnd(graceDays int) Date { return p.DueOn.AddDays(graceDays) }

// CoveredCents sums the payments that count towards p: not reversed,
// received from the day it was made to the end of its grace.
func (p Promise) CoveredCents(payments []Payment, graceDays int) int64 {
	end := p.GraceEnd(graceDays)
	var sum int64
	for _, pay := range payments {
		if pay.ReversedAt != nil || pay.CaseID != p.CaseID || pay.ReceivedOn.Before(p.MadeOn) || pay.ReceivedOn.After(end) {
			continue
		}
		sum += pay.AmountCents
	}
	return sum
}

// JudgePromise says where p stands today given the case's payments
// (reversed ones included; they do not count). Payments decide: covered is
// kept, whatever was said before; not covered, a promise already broken
// stays broken, and another is broken once its grace is over (the last
// grace day still keeps it) and pending until then — so a kept promise
// whose payment is reversed becomes pending again within its grace and
// broken after it. A replaced promise is never judged again.
func JudgePromise(p Promise, payments []Payment, graceDays int, today Date) PromiseStatus {
	switch {
	case p.Status == PromiseReplaced:
		return PromiseReplaced
	case p.CoveredCents(payments, graceDays) >= p.AmountCents:
		return PromiseKept
	case p.Status == PromiseBroken, today.After(p.GraceEnd(graceDays)):
		return PromiseBroken
	}
	return PromisePending
}

// PromiseChange is one promise whose status moved.
type PromiseChange struct {
	Promise      Promise // with its new status
	From         PromiseStatus
	CoveredCents int64
}

// ReckonPromises judges the case's promises (oldest first) today and
// brings the case along: BrokenPromises counts each move into and out of
// broken, PromiseAmountCents/PromiseDueOn become the latest pending
// promise (or none), and a promise newly broken puts the case in the
// agents' queue today. It returns the promises whose status moved, with
// ps updated in place.
func (c *Case) ReckonPromises(ps []Promise, payments []Payment, graceDays int, today Date) []PromiseChange {
	var changes []PromiseChange
	c.PromiseAmountCents, c.PromiseDueOn = 0, Date{}
	for i := range ps {
		p := &ps[i]
		to := JudgePromise(*p, payments, graceDays, today)
		if to != p.Status {
			from := p.Status
			switch {
			case to == PromiseBroken:
				c.BrokenPromises++
				if c.NextActionOn.IsZero() || today.Before(c.NextActionOn) {
					c.NextActionOn = today
				}
			case from == PromiseBroken && c.BrokenPromises > 0:
				c.BrokenPromises--
			}
			p.Status = to
			if to != PromisePending {
				p.DecidedOn = today
			}
			changes = append(changes, PromiseChange{Promise: *p, From: from, CoveredCents: p.CoveredCents(payments, graceDays)})
		}
		if p.Status == PromisePending {
			c.PromiseAmountCents, c.PromiseDueOn = p.AmountCents, p.DueOn
		}
	}
	return changes
}

// KeptRate is the share of a creditor's judged promises that were kept, in
// basis points: kept / (kept + broken), or neutralBps when none was judged
// yet.
func KeptRate(kept, broken int64, neutralBps int) int {
	if kept+broken == 0 {
		return neutralBps
	}
	return int(kept * 10000 / (kept + broken))
}

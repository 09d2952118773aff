package recouvra

import (
	"fmt"

	"github.com/google/uuid"
)

// The agents' queue ranks the cases due for action by these keys, in this
// order: priority (higher first), broken promises (more first), balance
// (larger first), then the case's id, so that the order is total. The
// database walks the same keys (internal/postgres queueOrder, on the
// cases_queue index); QueueBefore is that order in Go, and QueueReasons
// says it in words for each case.

// QueueBefore reports whether a comes before b in an agent's queue.
func QueueBefore(a, b Case) bool {
	switch {
	case a.Priority != b.Priority:
		return a.Priority > b.Priority
	case a.BrokenPromises != b.BrokenPromises:
		return a.BrokenPromises > b.BrokenPromises
	case a.BalanceCents != b.BalanceCents:
		return a.BalanceCents > b.BalanceCents
	}
	return a.ID.String() < b.ID.String()
}

// Queue reason codes: stable, for clients that say them in their own
// language from the case's fields.
const (
	ReasonHeld           = "held"             // the agent already holds the case (its lease)
	ReasonPromiseToCheck = "promise_to_check" // a promise's date has passed: kept or broken?
	ReasonPriority       = "priority"         // the first ranking key
	ReasonBrokenPromises = "broken_promises"  // the second
	ReasonBalance        = "balance"          // the third
)

// QueueReason is one reason a case stands where it does in the queue.
type QueueReason struct {
	Code string
	Text string // in French
}

// QueueReasons says why c is where it is in agent's queue on today: first
// what makes it due now (a lease the agent holds, a promise to check), then
// each ranking key in the order QueueBefore applies them.
func (c *Case) QueueReasons(agent uuid.UUID, today Date) []QueueReason {
	var out []QueueReason
	if c.LeaseAgentID != nil && *c.LeaseAgentID == agent {
		out = append(out, QueueReason{ReasonHeld, "Dossier que vous traitez en ce moment"})
	}
	if !c.PromiseDueOn.IsZero() && c.PromiseDueOn.Before(today) {
		out = append(out, QueueReason{ReasonPromiseToCheck, fmt.Sprintf("Promesse du %s à vérifier", FrenchDate(c.PromiseDueOn))})
	}
	out = append(out, QueueReason{ReasonPriority, "Priorité " + priorityWord(c.Priority)})
	if n := c.BrokenPromises; n == 1 {
		out = append(out, QueueReason{ReasonBrokenPromises, "1 promesse non tenue"})
	} else if n > 1 {
		out = append(out, QueueReason{ReasonBrokenPromises, fmt.Sprintf("%d promesses non tenues", n)})
	}
	out = append(out, QueueReason{ReasonBalance, "Solde de " + FrenchMoney(c.BalanceCents, c.Currency)})
	return out
}

func priorityWord(p int) string {
	switch {
	case p >= 3:
		return "urgente"
	case p == 2:
		return "haute"
	case p == 1:
		return "normale"
	}
	return "basse"
}

// DaysOverdue is how many days the case's oldest invoice is past its due
// date on today (0 when none is due yet).
func (c *Case) DaysOverdue(today Date) int {
	if c.OldestDueOn.IsZero() || !today.After(c.OldestDueOn) {
		return 0
	}
	return c.OldestDueOn.DaysUntil(today)
}

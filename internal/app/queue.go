package app

import (
	"context"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// QueueItem is a line of an agent's queue: the case, and what the agent
// weighs before taking it — whose it is, how late, the last contact, and
// why it stands where it does.
type QueueItem struct {
	CaseSummary
	CreditorName string
	DaysOverdue  int
	LastContact  *recouvra.Event // the latest call, e-mail or letter, if any
	Reasons      []recouvra.QueueReason
	CallTask     *recouvra.CallTask // the strategy's call due on the case, with its script
}

// QueuePage is the head of the queue and how many cases it holds in all.
type QueuePage struct {
	Items []QueueItem
	Total int64
}

// Queue lists the cases due for the calling agent, best first
// (recouvra.QueueBefore), with the reasons of their rank and the queue's
// total count.
func (s *Service) Queue(ctx context.Context, p recouvra.Principal, limit int) (QueuePage, error) {
	if limit <= 0 || limit > maxPageSize {
		limit = defaultPageSize
	}
	today, now := s.today(), s.now()
	cases, err := s.store.Queue(ctx, p.UserID, today, now, limit)
	if err != nil {
		return QueuePage{}, err
	}
	total, err := s.store.QueueCount(ctx, p.UserID, today, now)
	if err != nil {
		return QueuePage{}, err
	}
	sums, err := summaries(ctx, s.store, recouvra.AllCreditors, cases)
	if err != nil {
		return QueuePage{}, err
	}
	ids, creditors := make([]uuid.UUID, len(cases)), make([]uuid.UUID, 0, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
		creditors = append(creditors, c.CreditorID)
	}
	contacts, err := s.store.LastContacts(ctx, ids)
	if err != nil {
		return QueuePage{}, err
	}
	names, err := s.store.CreditorNames(ctx, creditors)
	if err != nil {
		return QueuePage{}, err
	}
	tasks, err := s.store.OpenCallTasks(ctx, ids)
	if err != nil {
		return QueuePage{}, err
	}
	out := QueuePage{Items: make([]QueueItem, len(sums)), Total: max(total, int64(len(sums)))}
	for i, c := range sums {
		it := QueueItem{CaseSummary: c, CreditorName: names[c.CreditorID], DaysOverdue: c.DaysOverdue(today), Reasons: c.QueueReasons(p.UserID, today)}
		// A call the strategy engine asked for, due now: what makes the case
		// due, said first.
		if t, ok := tasks[c.ID]; ok && !t.DueAt.After(now) {
			it.Reasons = append([]recouvra.QueueReason{recouvra.CallTaskReason(t)}, it.Reasons...)
			it.CallTask = &t
		}
		if e, ok := contacts[c.ID]; ok {
			it.LastContact = &e
		}
		out.Items[i] = it
	}
	return out, nil
}

// Settings are the agency's settings the web app follows.
type Settings struct {
	// LargePaymentCents: a payment of at least this amount is confirmed
	// before it is recorded, as is one above what is due.
	LargePaymentCents int64
}

// Settings returns the settings the web app follows.
func (s *Service) Settings() Settings {
	return Settings{LargePaymentCents: s.cfg.LargePaymentCents}
}

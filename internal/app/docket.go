package app

import (
	"context"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// DocketEntry is a case on the lawyers' docket: its dates that matter and,
// while it waits at the formal-notice stage, what still stands between it
// and the injunction request (nothing: it is ready).
type DocketEntry struct {
	CaseSummary
	Deadlines []recouvra.Deadline
	Blockers  []recouvra.FieldError
	// Urgent: the nearest dated deadline is overdue or within the
	// configured number of days (Config.UrgentDays).
	Urgent bool
}

// Ready says the injunction request can be filed today: the case waits at
// formal notice and the transition's own guards (Case.Blockers) find
// nothing missing.
func (e DocketEntry) Ready() bool {
	return e.Stage == recouvra.StageFormalNotice && len(e.Blockers) == 0
}

// Next is the nearest dated deadline, if any.
func (e DocketEntry) Next() (recouvra.Deadline, bool) {
	for _, d := range e.Deadlines {
		if !d.On.IsZero() {
			return d, true
		}
	}
	return recouvra.Deadline{}, false
}

// docketStages are the stages a lawyer watches.
var docketStages = []recouvra.Stage{recouvra.StageFormalNotice, recouvra.StageInjunction, recouvra.StageIrrecoverable}

// maxDocket bounds what one docket reads: far more than a legal team works
// at once; Truncated says when there was more.
const maxDocket = 2000

// filingBlockers is what stands between a case at formal notice and a
// filed injunction request: prepareFiling's list, the very one the move
// to injunction and the request's generation refuse with.
func (s *Service) filingBlockers(ctx context.Context, r Repo, c recouvra.Case, f recouvra.Facts, creditor recouvra.Creditor, rates []recouvra.Rate) ([]recouvra.FieldError, error) {
	ff, err := s.filingFactsOf(ctx, r, c, f, creditor, rates)
	if err != nil {
		return nil, err
	}
	return prepareFiling(ff, s.cfg.Agency).blockers, nil
}

// provisionalBlockers refuses a statement that uses a provisional rate
// before a court: the rate of each half-year named must be entered first.
// The injunction request's generation calls it too, so the docket and the
// request refuse in the same words.
func provisionalBlockers(st recouvra.Statement) []recouvra.FieldError {
	if !st.Provisional {
		return nil
	}
	return []recouvra.FieldError{{Field: "statement", Code: "provisional", Message: "Le décompte utilise un taux provisoire (semestre " +
		strings.Join(st.ProvisionalHalfYears(), ", ") + ") : enregistrez le taux avant de saisir le tribunal."}}
}

// DocketQuery narrows the docket: Mine keeps the caller's own cases, Ready
// those whose injunction request can be filed today.
type DocketQuery struct {
	Mine, Ready bool
	Limit       int
}

// Docket lists the open cases at the formal-notice, injunction and
// irrecoverability stages, nearest deadline first, cases without a dated
// deadline last.
func (s *Service) Docket(ctx context.Context, p recouvra.Principal, q DocketQuery) (entries []DocketEntry, truncated bool, err error) {
	mine, limit := q.Mine, q.Limit
	if err := requireRole(p, recouvra.RoleLawyer, recouvra.RoleAdmin); err != nil {
		return nil, false, err
	}
	if limit <= 0 || limit > maxDocket {
		limit = maxDocket
	}
	scope := p.Scope()
	f := CaseFilter{Stages: docketStages, Status: "open"}
	if mine {
		f.AssigneeID = &p.UserID
	}
	today := s.today()
	err = s.store.Scoped(ctx, scope, func(r Repo) error {
		cases, err := r.ListCases(ctx, scope, f, nil, maxDocket+1)
		if err != nil {
			return err
		}
		if len(cases) > maxDocket {
			cases, truncated = cases[:maxDocket], true
		}
		caseIDs, debtorIDs := make([]uuid.UUID, len(cases)), make([]uuid.UUID, len(cases))
		for i, c := range cases {
			caseIDs[i], debtorIDs[i] = c.ID, c.DebtorID
		}
		debtors, err := r.DebtorsByIDs(ctx, scope, debtorIDs)
		if err != nil {
			return err
		}
		claims, err := r.ClaimsOfCases(ctx, scope, caseIDs)
		if err != nil {
			return err
		}
		rates, err := r.ListRates(ctx)
		if err != nil {
			return err
		}
		creditors := map[uuid.UUID]recouvra.Creditor{}
		for _, c := range cases {
			creditor, ok := creditors[c.CreditorID]
			if !ok {
				if creditor, err = r.CreditorByID(ctx, scope, c.CreditorID); err != nil {
					return err
				}
				creditors[c.CreditorID] = creditor
			}
			facts := s.facts(creditor, debtors[c.DebtorID], claims[c.ID])
			facts.Today = today
			e := DocketEntry{CaseSummary: CaseSummary{Case: c, DebtorName: debtors[c.DebtorID].Name}, Deadlines: c.Deadlines(facts)}
			if c.Stage == recouvra.StageFormalNotice {
				if e.Blockers, err = s.filingBlockers(ctx, r, c, facts, creditor, rates); err != nil {
					return err
				}
			}
			if q.Ready && !e.Ready() {
				continue
			}
			if d, ok := e.Next(); ok {
				e.Urgent = !d.On.After(today.AddDays(s.cfg.UrgentDays))
			}
			entries = append(entries, e)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	sort.SliceStable(entries, func(i, j int) bool {
		a, okA := entries[i].Next()
		b, okB := entries[j].Next()
		if okA != okB {
			return okA
		}
		if okA && !a.On.Equal(b.On) {
			return a.On.Before(b.On)
		}
		return entries[i].Reference < entries[j].Reference
	})
	if len(entries) > limit {
		entries, truncated = entries[:limit], true
	}
	return entries, truncated, nil
}

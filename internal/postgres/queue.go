package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// QueueCount is how many cases agentID's queue holds now (queueWhere):
// the agent's own cases plus the unassigned ones, two disjoint ranges of
// the cases_queue_count index (migration 00042) read without the table,
// where queueWhere's (agent OR nobody) as one predicate made PostgreSQL
// scan the whole table.
func (r repo) QueueCount(ctx context.Context, agentID uuid.UUID, today recouvra.Date, now time.Time) (int64, error) {
	var n int64
	if q := r.direct(ctx, recouvra.AllCreditors); q != nil {
		err := q.QueryRow(ctx, queueCount, agentID, today, now).Scan(&n)
		return n, dbErr(err, whatCase)
	}
	err := r.q(ctx).Raw(queueCount, agentID, today, now).Scan(&n).Error
	return n, dbErr(err, whatCase)
}

// queueCount counts queueWhere's cases for the agent at $1, today at $2
// and now at $3.
const queueCount = `SELECT
	(SELECT count(*) FROM cases WHERE stage IN ('amicable', 'formal_notice') AND assigned_agent_id = $1` + queueRest + `)
	+ (SELECT count(*) FROM cases WHERE stage IN ('amicable', 'formal_notice') AND assigned_agent_id IS NULL` + queueRest + `)`

// queueRest is the rest of queueWhere once the assignee is fixed.
const queueRest = `
	AND (next_action_on IS NULL OR next_action_on <= $2)
	AND (lease_until IS NULL OR lease_until < $3 OR lease_agent_id = $1)`

// LastContacts is, for each case of ids that has one, its latest contact
// with the debtor: a call, an e-mail or a letter (in the timeline's
// order). Unscoped: staff only.
func (r repo) LastContacts(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]recouvra.Event, error) {
	out := make(map[uuid.UUID]recouvra.Event, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if q := r.direct(ctx, recouvra.AllCreditors); q != nil {
		return out, lastContactsDirect(ctx, q, ids, out)
	}
	var rows []eventRow
	err := r.q(ctx).Raw(`SELECT DISTINCT ON (events.case_id) `+eventColumns+` FROM events
		WHERE events.case_id IN @ids AND events.type IN @types
		ORDER BY events.case_id, events.tx DESC, events.seq DESC`,
		map[string]any{"ids": ids, "types": []string{string(recouvra.EventCall), string(recouvra.EventEmail), string(recouvra.EventLetterSent)}}).
		Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatEvent)
	}
	for _, row := range rows {
		out[row.CaseID] = row.domain()
	}
	return out, nil
}

// CreditorNames maps each creditor of ids to its legal name. Unscoped:
// staff only.
func (r repo) CreditorNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if q := r.direct(ctx, recouvra.AllCreditors); q != nil {
		return out, creditorNamesDirect(ctx, q, ids, out)
	}
	var rows []struct {
		ID        uuid.UUID
		LegalName string
	}
	if err := r.q(ctx).Table("creditors").Select("id, legal_name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, dbErr(err, "Créancier")
	}
	for _, row := range rows {
		out[row.ID] = row.LegalName
	}
	return out, nil
}

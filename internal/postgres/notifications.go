package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/recouvra/recouvra/internal/recouvra"
)

const whatNotification = "Notification"

// Notifications are timeline events read through a user's rule (migration
// 00019 keeps only what each user has read): the rule's event types, on
// the cases it follows, not written by the user itself. Each query is also
// scoped like any read of events, and for a creditor it runs under row
// security (Store.Scoped), so another creditor's rows are not there at all.

// notificationRow is an event with its case's reference and whether the
// user has read it.
type notificationRow struct {
	Event     eventRow `gorm:"embedded"`
	Reference string
	Currency  string
	Read      bool
}

func (r notificationRow) domain() recouvra.Notification {
	return recouvra.Notification{Event: r.Event.domain(), CaseReference: r.Reference, CaseCurrency: strings.TrimSpace(r.Currency), Read: r.Read}
}

// notificationEvents selects the events rule reads, joined to their case
// (alias c) when they have one.
func notificationEvents(q *gorm.DB, scope recouvra.Scope, rule recouvra.NotificationRule) *gorm.DB {
	types := make([]string, len(rule.Types))
	for i, t := range rule.Types {
		types[i] = string(t)
	}
	// LEFT: a creditor's notice about no case (an endpoint disabled) has
	// none; the agent's and lawyer's rules, on c's columns, need one.
	q = sharedScope(q.Table("events").Joins("LEFT JOIN cases c ON c.id = events.case_id"), scope, "events.").
		Where("events.type IN ?", types).
		Where("events.actor_user_id IS DISTINCT FROM ?", rule.UserID)
	switch {
	case rule.CreditorID != nil:
		q = q.Where("events.creditor_id = ? AND events.visibility = 'shared'", *rule.CreditorID)
	case rule.AgentID != nil:
		q = q.Where("c.assigned_agent_id = ?", *rule.AgentID)
	case rule.LawyerID != nil:
		q = q.Where("c.assigned_lawyer_id = ?", *rule.LawyerID)
	default:
		q = q.Where("false")
	}
	return q
}

// readBelow is the user's mark: every event of a transaction below it is
// read. Read first and passed as a constant, so that the planner can range
// over the (creditor_id, tx, seq) and (case_id, tx, seq) indexes.
func (r repo) readBelow(ctx context.Context, userID uuid.UUID) (string, error) {
	var marks []string
	if err := r.q(ctx).Raw("SELECT read_below::text FROM notification_marks WHERE user_id = ?", userID).Scan(&marks).Error; err != nil {
		return "", dbErr(err, whatNotification)
	}
	if len(marks) == 0 {
		return "0", nil // made with every account (00019): absent only if removed by hand
	}
	return marks[0], nil
}

const notificationColumns = eventColumns + `, coalesce(c.reference, '') AS reference, coalesce(c.currency, '') AS currency,
	(events.tx < CAST(? AS text)::xid8 OR EXISTS (SELECT 1 FROM notification_reads nr WHERE nr.user_id = ? AND nr.event_seq = events.seq)) AS read`

func (r repo) Notifications(ctx context.Context, scope recouvra.Scope, rule recouvra.NotificationRule, before *recouvra.EventPosition, limit int) ([]recouvra.Notification, error) {
	mark, err := r.readBelow(ctx, rule.UserID)
	if err != nil {
		return nil, err
	}
	q := notificationEvents(r.q(ctx), scope, rule).Select(notificationColumns, mark, rule.UserID)
	if before != nil {
		q = q.Where("(events.tx, events.seq) < (CAST(? AS text)::xid8, ?)", strconv.FormatUint(before.Tx, 10), before.Seq)
	}
	var rows []notificationRow
	if err := q.Order("events.tx DESC, events.seq DESC").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, dbErr(err, whatNotification)
	}
	return domains(rows), nil
}

func (r repo) NotificationByID(ctx context.Context, scope recouvra.Scope, rule recouvra.NotificationRule, id uuid.UUID) (recouvra.Notification, error) {
	mark, err := r.readBelow(ctx, rule.UserID)
	if err != nil {
		return recouvra.Notification{}, err
	}
	var rows []notificationRow
	err = notificationEvents(r.q(ctx), scope, rule).Select(notificationColumns, mark, rule.UserID).Where("events.id = ?", id).Limit(1).Scan(&rows).Error
	if err != nil {
		return recouvra.Notification{}, dbErr(err, whatNotification)
	}
	if len(rows) == 0 {
		return recouvra.Notification{}, notFound(whatNotification)
	}
	return rows[0].domain(), nil
}

func (r repo) UnreadNotifications(ctx context.Context, scope recouvra.Scope, rule recouvra.NotificationRule) (int64, error) {
	mark, err := r.readBelow(ctx, rule.UserID)
	if err != nil {
		return 0, err
	}
	var n int64
	err = notificationEvents(r.q(ctx), scope, rule).
		Where("events.tx >= CAST(? AS text)::xid8", mark).
		Where("NOT EXISTS (SELECT 1 FROM notification_reads nr WHERE nr.user_id = ? AND nr.event_seq = events.seq)", rule.UserID).
		Count(&n).Error
	return n, dbErr(err, whatNotification)
}

func (r repo) MarkNotificationRead(ctx context.Context, userID uuid.UUID, n recouvra.Notification, at time.Time) error {
	if n.Read {
		return nil
	}
	err := r.q(ctx).Exec(`INSERT INTO notification_reads (user_id, event_seq, creditor_id, read_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, event_seq) DO NOTHING`, userID, n.Event.Seq, n.Event.CreditorID, at).Error
	return dbErr(err, whatNotification)
}

func (r repo) MarkAllNotificationsRead(ctx context.Context, scope recouvra.Scope, rule recouvra.NotificationRule, at time.Time) error {
	// The mark moves to the fence: every transaction below it has ended, so
	// whatever commits later lies above it and stays unread. The mark never
	// moves back.
	var marks []string
	err := r.q(ctx).Raw(`UPDATE notification_marks SET read_below = GREATEST(read_below, pg_snapshot_xmin(pg_current_snapshot())), updated_at = ?
		WHERE user_id = ? RETURNING read_below::text`, at, rule.UserID).Scan(&marks).Error
	if err != nil {
		return dbErr(err, whatNotification)
	}
	if len(marks) == 0 {
		err := r.q(ctx).Raw(`INSERT INTO notification_marks (user_id, creditor_id, read_below, updated_at)
			VALUES (?, ?, pg_snapshot_xmin(pg_current_snapshot()), ?) RETURNING read_below::text`, rule.UserID, rule.CreditorID, at).Scan(&marks).Error
		if err != nil || len(marks) == 0 {
			return dbErr(err, whatNotification)
		}
	}
	mark := marks[0]
	// What the mark now covers needs no row of its own…
	if err := r.q(ctx).Exec(`DELETE FROM notification_reads nr USING events e
		WHERE nr.user_id = ? AND e.seq = nr.event_seq AND e.tx < CAST(? AS text)::xid8`, rule.UserID, mark).Error; err != nil {
		return dbErr(err, whatNotification)
	}
	// …and what committed above it, already visible now, is read one by one.
	above := notificationEvents(r.q(ctx), scope, rule).Select("?, events.seq, events.creditor_id, ?", rule.UserID, at).
		Where("events.tx >= CAST(? AS text)::xid8", mark)
	err = r.q(ctx).Exec(`INSERT INTO notification_reads (user_id, event_seq, creditor_id, read_at) (?)
		ON CONFLICT (user_id, event_seq) DO NOTHING`, above).Error
	return dbErr(err, whatNotification)
}

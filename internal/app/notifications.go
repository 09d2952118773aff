package app

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Notifications are derived from the timeline (recouvra.NotificationsFor
// says whose are which); only what each person has read is stored. Every
// read runs in the caller's scope: for a creditor, under row security.

// NotificationPage is a page of notifications, newest first, with the
// caller's unread count.
type NotificationPage struct {
	Page[recouvra.Notification]
	Unread int64
}

// notificationRule is the caller's rule; ok is false for those who get no
// notifications (an admin, whom the HTTP policy refuses already). An API
// key is refused: notifications are a person's.
func notificationRule(p recouvra.Principal) (recouvra.NotificationRule, bool, error) {
	if p.Kind != recouvra.PrincipalUser {
		return recouvra.NotificationRule{}, false, recouvra.Errorf(recouvra.ECodeForbidden,
			"Une clé d'API n'a pas de notifications : elles sont celles d'une personne connectée ; le flux d'événements donne tout en direct.")
	}
	rule, ok := recouvra.NotificationsFor(p)
	return rule, ok, nil
}

// Notifications lists the caller's notifications, newest first.
func (s *Service) Notifications(ctx context.Context, p recouvra.Principal, page PageRequest) (NotificationPage, error) {
	rule, ok, err := notificationRule(p)
	if err != nil {
		return NotificationPage{}, err
	}
	limit := page.Limit
	switch {
	case limit <= 0:
		limit = defaultPageSize
	case limit > maxPageSize:
		limit = maxPageSize
	}
	before, err := decodePositionCursor(page.Cursor)
	if err != nil {
		return NotificationPage{}, err
	}
	out := NotificationPage{Page: Page[recouvra.Notification]{Items: []recouvra.Notification{}}}
	if !ok {
		return out, nil
	}
	scope := p.Scope()
	err = s.store.Scoped(ctx, scope, func(r Repo) error {
		items, err := r.Notifications(ctx, scope, rule, before, limit+1)
		if err != nil {
			return err
		}
		if len(items) > limit {
			items = items[:limit]
			out.NextCursor = encodePositionCursor(items[len(items)-1].Event.Position())
		}
		out.Items = items
		out.Unread, err = r.UnreadNotifications(ctx, scope, rule)
		return err
	})
	return out, err
}

// UnreadNotifications counts the caller's unread notifications.
func (s *Service) UnreadNotifications(ctx context.Context, p recouvra.Principal) (int64, error) {
	rule, ok, err := notificationRule(p)
	if err != nil || !ok {
		return 0, err
	}
	var n int64
	scope := p.Scope()
	err = s.store.Scoped(ctx, scope, func(r Repo) error {
		n, err = r.UnreadNotifications(ctx, scope, rule)
		return err
	})
	return n, err
}

// MarkNotificationRead marks one notification read (again: no change) and
// returns the unread count. An id that is not one of the caller's
// notifications is not found, whether it does not exist, is another
// creditor's event or is not news for the caller.
func (s *Service) MarkNotificationRead(ctx context.Context, p recouvra.Principal, id uuid.UUID) (int64, error) {
	rule, ok, err := notificationRule(p)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, recouvra.Errorf(recouvra.ECodeNotFound, "Notification introuvable.")
	}
	var n int64
	scope := p.Scope()
	err = s.store.Scoped(ctx, scope, func(r Repo) error {
		note, err := r.NotificationByID(ctx, scope, rule, id)
		if err != nil {
			return err
		}
		if err := r.MarkNotificationRead(ctx, rule.UserID, note, s.now()); err != nil {
			return err
		}
		n, err = r.UnreadNotifications(ctx, scope, rule)
		return err
	})
	return n, err
}

// MarkAllNotificationsRead marks read every notification committed now;
// one committed later is news again.
func (s *Service) MarkAllNotificationsRead(ctx context.Context, p recouvra.Principal) error {
	rule, ok, err := notificationRule(p)
	if err != nil || !ok {
		return err
	}
	scope := p.Scope()
	return s.store.Scoped(ctx, scope, func(r Repo) error {
		return r.MarkAllNotificationsRead(ctx, scope, rule, s.now())
	})
}

// A position cursor is "tx.seq" in base64url: notifications go by commit
// position, which an id alone does not give.
func encodePositionCursor(pos recouvra.EventPosition) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d", pos.Tx, pos.Seq))
}

func decodePositionCursor(c string) (*recouvra.EventPosition, error) {
	if c == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, badCursor()
	}
	var pos recouvra.EventPosition
	if n, err := fmt.Sscanf(string(raw), "%d.%d", &pos.Tx, &pos.Seq); err != nil || n != 2 || pos.Seq < 0 || encodePositionCursor(pos) != c {
		return nil, badCursor()
	}
	return &pos, nil
}

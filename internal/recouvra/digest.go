package recouvra

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The daily e-mail digest of notifications: once a day, each person who
// asked for it (or whose creditor chose to be told of payments by e-mail,
// CPCE R124-5) gets by e-mail its notifications that are still unread and
// were not in an earlier digest. Nothing is sent when there is nothing new.

// MailNotificationDigest is the outbox's kind for a digest: a mail to a
// user, about no case.
const MailNotificationDigest MailKind = "notification_digest"

// PaymentReports is how a creditor wants the agency to tell it of each
// payment (CPCE R124-5).
type PaymentReports string

const (
	// PaymentReportsPortal: the portal's notifications only (the default).
	PaymentReportsPortal PaymentReports = "portal"
	// PaymentReportsDigest: the portal's notifications, and the daily
	// e-mail digest to every active user of the creditor, who asked for it
	// or not.
	PaymentReportsDigest PaymentReports = "digest"
)

// Valid reports whether r is one of the choices.
func (r PaymentReports) Valid() bool { return r == PaymentReportsPortal || r == PaymentReportsDigest }

// DigestTime is the time of day, in Paris, when the digests are written.
type DigestTime struct{ Hour, Minute int }

// DefaultDigestTime is 07:00: read with the first coffee.
var DefaultDigestTime = DigestTime{Hour: 7}

// ParseDigestTime reads HH:MM (24-hour clock).
func ParseDigestTime(s string) (DigestTime, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(h) != 2 || len(m) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return DigestTime{}, fmt.Errorf("%q is not a time of day HH:MM such as 07:00", s)
	}
	return DigestTime{Hour: hh, Minute: mm}, nil
}

func (t DigestTime) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// DigestDue says whether the day's digests are due at now, and which
// day's: today's (in Paris) once its time of day has come, until midnight
// — so a run that comes late (the server was down at 07:00) still writes
// the day's digest, and a run before 07:00 writes none.
func DigestDue(now time.Time, at DigestTime) (Date, bool) {
	p := now.In(paris)
	due := time.Date(p.Year(), p.Month(), p.Day(), at.Hour, at.Minute, 0, 0, paris)
	return NewDate(p.Year(), p.Month(), p.Day()), !p.Before(due)
}

// DigestSourceKey is the outbox's idempotency key of user's digest of
// day: one digest per person per day, whatever runs write it.
func DigestSourceKey(user uuid.UUID, day Date) string {
	return "digest:" + user.String() + ":" + day.String()
}

// paymentTypes are the events of a payment a creditor is told of (R124-5):
// recorded by the agency, or reversed. A direct payment the creditor
// reported itself is not news to it.
var paymentTypes = []EventType{EventPaymentRecorded, EventPaymentReversed}

// DigestRule is the notification rule of a person's digest: the rule of
// the bell (NotificationsFor) when the person asked for the digest;
// otherwise, for a creditor's person whose creditor chose to be told of
// payments by e-mail, the bell's rule narrowed to payments; otherwise
// none (false).
func DigestRule(p Principal, optedIn bool, reports PaymentReports) (NotificationRule, bool) {
	rule, ok := NotificationsFor(p)
	if !ok {
		return NotificationRule{}, false
	}
	if optedIn {
		return rule, true
	}
	if rule.CreditorID == nil || reports != PaymentReportsDigest {
		return NotificationRule{}, false
	}
	var types []EventType
	for _, t := range rule.Types {
		if slices.Contains(paymentTypes, t) {
			types = append(types, t)
		}
	}
	rule.Types = types
	return rule, len(types) > 0
}

// DigestMaxItems bounds the notifications a digest lists; it says how many
// more the portal holds.
const DigestMaxItems = 50

// DigestSelect keeps, of the notifications read for a digest, those it
// tells: unread, oldest first, at most DigestMaxItems; more is how many
// were left out.
func DigestSelect(notes []Notification) (items []Notification, more int) {
	for _, n := range notes {
		if !n.Read {
			items = append(items, n)
		}
	}
	slices.SortStableFunc(items, func(a, b Notification) int {
		switch {
		case a.Event.Position().Before(b.Event.Position()):
			return -1
		case b.Event.Position().Before(a.Event.Position()):
			return 1
		}
		return 0
	})
	if len(items) > DigestMaxItems {
		more = len(items) - DigestMaxItems
		items = items[:DigestMaxItems]
	}
	return items, more
}

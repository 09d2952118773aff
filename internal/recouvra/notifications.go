package recouvra

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// NotificationKind is what a notification tells its reader.
type NotificationKind string

const (
	NotifyPayment           NotificationKind = "payment"            // a payment recorded by the agency
	NotifyPaymentReversed   NotificationKind = "payment_reversed"   // a payment reversed (bounced cheque, recalled transfer)
	NotifyDirectPayment     NotificationKind = "direct_payment"     // a payment the creditor says it received itself
	NotifyStageChanged      NotificationKind = "stage_changed"      // the case moved to another stage, or closed
	NotifyApprovalRequested NotificationKind = "approval_requested" // the agency asks the creditor's approval
	NotifyWebhookDisabled   NotificationKind = "webhook_disabled"   // a webhook endpoint failing for three days was disabled
)

// EventWebhookEndpointDisabled is the shared event written when a webhook
// endpoint whose deliveries all failed for WebhookDisableAfter is
// disabled: it is about the creditor, not a case, so it is the one event
// type whose case_id is NULL (migration 00041). It reaches the creditor's
// people as a notification of kind webhook_disabled (and by e-mail).
// data: endpoint_id, url, failing_since, disabled_at (RFC 3339).
const EventWebhookEndpointDisabled EventType = "webhook_endpoint_disabled"

// EventApprovalRequested is the shared event by which the agency asks a
// creditor's approval (a settlement proposal, a write-off, going to court
// — CPCE R124-5 asks that the creditor be told of every settlement
// proposal). Nothing writes it yet: the collection strategies (issue 14)
// will, and it then reaches the creditor as a notification of kind
// approval_requested with data.subject as its words.
const EventApprovalRequested EventType = "approval_requested"

// notificationKinds: which timeline events are notifications, and of what.
var notificationKinds = map[EventType]NotificationKind{
	EventPaymentRecorded:         NotifyPayment,
	EventPaymentReversed:         NotifyPaymentReversed,
	EventDirectPaymentReported:   NotifyDirectPayment,
	EventStageChanged:            NotifyStageChanged,
	EventApprovalRequested:       NotifyApprovalRequested,
	EventWebhookEndpointDisabled: NotifyWebhookDisabled,
}

// NotificationKindOf says whether an event of type t is a notification.
func NotificationKindOf(t EventType) (NotificationKind, bool) {
	k, ok := notificationKinds[t]
	return k, ok
}

// NotificationRule says whose notifications a user reads: the events of
// the listed types on the cases it follows, except those it wrote itself.
// Exactly one of CreditorID, AgentID and LawyerID is set.
type NotificationRule struct {
	UserID     uuid.UUID
	CreditorID *uuid.UUID // a creditor's people: the shared events of all its cases
	AgentID    *uuid.UUID // an agent: the cases assigned to it
	LawyerID   *uuid.UUID // a lawyer: the cases assigned to it
	Types      []EventType
}

// NotificationsFor is the rule of a signed-in person, and false for those
// who get none:
//   - a creditor's people: payments (recorded, reversed, or reported by a
//     colleague), stage changes and approvals asked, on every case of their
//     creditor — the events they already see on their timelines — and
//     their webhook endpoints disabled for failing;
//   - an agent: payments of the cases assigned to it (a payment changes
//     what to say on the next call);
//   - a lawyer: stage changes of the cases assigned to it (a case reaching
//     formal notice or injunction is its work);
//   - an admin: none — it sees every timeline and the portfolio, and a feed
//     of the whole agency would drown what matters;
//   - an API key: none — it is no person; its systems follow the stream.
func NotificationsFor(p Principal) (NotificationRule, bool) {
	if p.Kind != PrincipalUser {
		return NotificationRule{}, false
	}
	r := NotificationRule{UserID: p.UserID}
	me := p.UserID
	switch p.Role {
	case RoleCreditor:
		if p.CreditorID == nil {
			return NotificationRule{}, false
		}
		r.CreditorID = p.CreditorID
		r.Types = []EventType{EventPaymentRecorded, EventPaymentReversed, EventDirectPaymentReported, EventStageChanged, EventApprovalRequested,
			EventWebhookEndpointDisabled}
	case RoleAgent:
		r.AgentID = &me
		r.Types = []EventType{EventPaymentRecorded, EventPaymentReversed, EventDirectPaymentReported}
	case RoleLawyer:
		r.LawyerID = &me
		r.Types = []EventType{EventStageChanged}
	default:
		return NotificationRule{}, false
	}
	return r, true
}

// Notification is a timeline event as news for one user.
type Notification struct {
	Event         Event
	CaseReference string
	CaseCurrency  string
	Read          bool
}

// Kind is the notification's kind.
func (n Notification) Kind() NotificationKind { return notificationKinds[n.Event.Type] }

// Text says in French what happened, for the list and for API clients.
func (n Notification) Text() string {
	d := n.Event.Data
	str := func(k string) string { s, _ := d[k].(string); return strings.TrimSpace(s) }
	amount := func() string {
		cents, ok := n.AmountCents()
		if !ok {
			return ""
		}
		return " de " + FrenchMoney(cents, n.Currency())
	}
	ref := n.CaseReference
	switch n.Event.Type {
	case EventPaymentRecorded:
		return fmt.Sprintf("Paiement%s reçu sur le dossier %s.", amount(), ref)
	case EventPaymentReversed:
		s := fmt.Sprintf("Paiement%s contrepassé sur le dossier %s", amount(), ref)
		if r := str("reason"); r != "" {
			s += " : " + r
		}
		return s + "."
	case EventDirectPaymentReported:
		return fmt.Sprintf("Paiement direct%s signalé par le créancier sur le dossier %s.", amount(), ref)
	case EventStageChanged:
		to := Stage(str("to"))
		if to == StageClosed {
			if reason := closeReasonLabel(str("close_reason")); reason != "" {
				return fmt.Sprintf("Dossier %s clos (%s).", ref, reason)
			}
			return fmt.Sprintf("Dossier %s clos.", ref)
		}
		return fmt.Sprintf("Dossier %s passé à l'étape %s.", ref, StageLabel(to))
	case EventApprovalRequested:
		if s := str("subject"); s != "" {
			return fmt.Sprintf("Votre accord est demandé sur le dossier %s : %s", ref, s)
		}
		return fmt.Sprintf("Votre accord est demandé sur le dossier %s.", ref)
	case EventWebhookEndpointDisabled:
		return WebhookDisabledText(str("url"), eventTime(d["failing_since"]), eventTime(d["disabled_at"]))
	}
	return fmt.Sprintf("Dossier %s : %s.", ref, n.Event.Type)
}

// AmountCents is the amount of a payment notification.
func (n Notification) AmountCents() (int64, bool) { return eventCents(n.Event.Data["amount_cents"]) }

// Currency is the payment's currency; a reversal or a direct payment
// reported on the timeline does not repeat it: the case's.
func (n Notification) Currency() string {
	if c, _ := n.Event.Data["currency"].(string); len(c) == 3 {
		return c
	}
	if len(n.CaseCurrency) == 3 {
		return n.CaseCurrency
	}
	return "EUR"
}

// At is when it happened.
func (n Notification) At() time.Time { return n.Event.At }

func closeReasonLabel(r string) string {
	switch CloseReason(r) {
	case ClosePaid:
		return "payé"
	case CloseSettled:
		return "transigé"
	case CloseWithdrawn:
		return "retiré par le créancier"
	case CloseWrittenOff:
		return "passé en perte"
	}
	return ""
}

// WebhookDisabledText says in French that the endpoint at url was
// disabled at off after failing since since, and how to turn it back on.
func WebhookDisabledText(url string, since, off time.Time) string {
	return fmt.Sprintf("Webhooks : le point de réception %s a été désactivé le %s : tous ses envois ont échoué depuis le %s. "+
		"Rien ne lui est plus envoyé. Corrigez l'adresse ou votre serveur, puis réactivez-le dans Webhooks (bouton « Réactiver ») ; "+
		"les envois échoués se rejouent un par un depuis la liste des envois.", url, FrenchDate(DateOf(off)), FrenchDate(DateOf(since)))
}

// eventTime reads an RFC 3339 time from event data.
func eventTime(v any) time.Time {
	s, _ := v.(string)
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t.UTC()
}

// eventCents reads an amount in cents from event data, where JSON made it a
// float64 (or the use case left an int64).
func eventCents(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		if n == float64(int64(n)) {
			return int64(n), true
		}
	}
	return 0, false
}

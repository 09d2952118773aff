package recouvra_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestNotificationsFor(t *testing.T) {
	cred := uuid.Must(uuid.NewV7())
	me := uuid.Must(uuid.NewV7())
	user := func(role recouvra.Role, creditor *uuid.UUID) recouvra.Principal {
		return recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: me, Role: role, CreditorID: creditor}
	}
	for _, tc := range []struct {
		name  string
		p     recouvra.Principal
		ok    bool
		check func(recouvra.NotificationRule) bool
	}{
		{"creditor", user(recouvra.RoleCreditor, &cred), true, func(r recouvra.NotificationRule) bool {
			return r.CreditorID != nil && *r.CreditorID == cred && r.AgentID == nil && r.LawyerID == nil &&
				slices.Contains(r.Types, recouvra.EventPaymentRecorded) && slices.Contains(r.Types, recouvra.EventStageChanged) &&
				slices.Contains(r.Types, recouvra.EventApprovalRequested)
		}},
		{"agent", user(recouvra.RoleAgent, nil), true, func(r recouvra.NotificationRule) bool {
			return r.AgentID != nil && *r.AgentID == me && r.CreditorID == nil && !slices.Contains(r.Types, recouvra.EventStageChanged)
		}},
		{"lawyer", user(recouvra.RoleLawyer, nil), true, func(r recouvra.NotificationRule) bool {
			return r.LawyerID != nil && *r.LawyerID == me && slices.Equal(r.Types, []recouvra.EventType{recouvra.EventStageChanged})
		}},
		{"admin", user(recouvra.RoleAdmin, nil), false, nil},
		{"creditor without creditor", user(recouvra.RoleCreditor, nil), false, nil},
		{"API key", recouvra.Principal{Kind: recouvra.PrincipalAPIKey, Role: recouvra.RoleCreditor, CreditorID: &cred}, false, nil},
	} {
		r, ok := recouvra.NotificationsFor(tc.p)
		if ok != tc.ok || ok && (r.UserID != me || !tc.check(r)) {
			t.Errorf("%s: %+v %v", tc.name, r, ok)
		}
	}
}

func TestNotificationText(t *testing.T) {
	n := func(typ recouvra.EventType, data map[string]any) recouvra.Notification {
		return recouvra.Notification{Event: recouvra.Event{Type: typ, Data: data}, CaseReference: "D-2026-000042", CaseCurrency: "EUR"}
	}
	for _, tc := range []struct {
		n    recouvra.Notification
		kind recouvra.NotificationKind
		want string
	}{
		{n(recouvra.EventPaymentRecorded, map[string]any{"amount_cents": float64(123456), "currency": "EUR"}), recouvra.NotifyPayment,
			"Paiement de 1\u202f234,56\u00a0€ reçu sur le dossier D-2026-000042."},
		{n(recouvra.EventPaymentReversed, map[string]any{"amount_cents": int64(5000), "reason": "Chèque sans provision"}), recouvra.NotifyPaymentReversed,
			"Paiement de 50,00\u00a0€ contrepassé sur le dossier D-2026-000042 : Chèque sans provision."},
		{n(recouvra.EventDirectPaymentReported, map[string]any{"amount_cents": float64(700)}), recouvra.NotifyDirectPayment,
			"Paiement direct de 7,00\u00a0€ signalé par le créancier sur le dossier D-2026-000042."},
		{n(recouvra.EventStageChanged, map[string]any{"from": "amicable", "to": "formal_notice"}), recouvra.NotifyStageChanged,
			"Dossier D-2026-000042 passé à l'étape « mise en demeure »."},
		{n(recouvra.EventStageChanged, map[string]any{"to": "closed", "close_reason": "paid"}), recouvra.NotifyStageChanged,
			"Dossier D-2026-000042 clos (payé)."},
		{n(recouvra.EventApprovalRequested, map[string]any{"subject": "Accepter un règlement en 3 fois ?"}), recouvra.NotifyApprovalRequested,
			"Votre accord est demandé sur le dossier D-2026-000042 : Accepter un règlement en 3 fois ?"},
	} {
		if got := tc.n.Text(); got != tc.want || tc.n.Kind() != tc.kind {
			t.Errorf("%s: %q (%s), want %q (%s)", tc.n.Event.Type, got, tc.n.Kind(), tc.want, tc.kind)
		}
	}
	for _, typ := range []recouvra.EventType{recouvra.EventNote, recouvra.EventCall, recouvra.EventCaseCreated} {
		if _, ok := recouvra.NotificationKindOf(typ); ok {
			t.Errorf("%s is no notification", typ)
		}
	}
}

package postgres_test

import (
	"context"
	"testing"

	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// TestWebhookTypeOfMatchesTheTrigger: the events trigger's mapping
// (webhook_type_of, migration 00027) and recouvra.WebhookTypeOf agree on
// every event type, shared and internal: an internal event never makes a
// webhook.
func TestWebhookTypeOfMatchesTheTrigger(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	types := []recouvra.EventType{recouvra.EventCaseCreated, recouvra.EventClaimAdded, recouvra.EventStageChanged, recouvra.EventCourtStep,
		recouvra.EventCaseUpdated, recouvra.EventCaseLeased, recouvra.EventPaymentRecorded, recouvra.EventPaymentReversed, recouvra.EventDocumentAdded,
		recouvra.EventApprovalRequested, recouvra.EventEmailSent, recouvra.EventEmailRefused, recouvra.EventEmailFailed,
		recouvra.EventPlanProposed, recouvra.EventPlanAccepted, recouvra.EventPlanApproved, recouvra.EventPlanRefused, recouvra.EventPlanCancelled,
		recouvra.EventInstalmentMissed, recouvra.EventPlanBroken, recouvra.EventPlanCompleted}
	for k := range recouvra.LoggableEvents {
		types = append(types, k)
	}
	for _, typ := range types {
		for _, vis := range []recouvra.Visibility{recouvra.Shared, recouvra.Internal} {
			var sql *string
			if err := db.Pool.QueryRow(context.Background(), `SELECT webhook_type_of($1, $2)`, string(typ), string(vis)).Scan(&sql); err != nil {
				t.Fatal(err)
			}
			goType, ok := recouvra.WebhookTypeOf(recouvra.Event{Type: typ, Visibility: vis})
			if ok != (sql != nil) || ok && string(goType) != *sql {
				t.Errorf("%s (%s): Go %q %v, SQL %v", typ, vis, goType, ok, sql)
			}
		}
	}
}

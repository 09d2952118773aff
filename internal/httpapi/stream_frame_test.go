package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// A stream frame carries the event's case, and null — not the zero UUID a
// client would follow as a case's id — for a notice about the creditor
// itself, the one event type without a case (migration 00041).
func TestEventFrameCaseID(t *testing.T) {
	t.Parallel()
	caseID := uuid.Must(uuid.NewV7())
	for _, tc := range []struct {
		name string
		e    recouvra.Event
		want any
	}{
		{"a case's event", recouvra.Event{CaseID: caseID, Type: "note_added"}, caseID.String()},
		{"a notice about the creditor", recouvra.Event{Type: recouvra.EventWebhookEndpointDisabled}, nil},
	} {
		tc.e.ID, tc.e.CreditorID, tc.e.At, tc.e.Seq, tc.e.Visibility = uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), time.Now().UTC(), 7, recouvra.Shared
		frame, err := EventFrame(tc.e)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		_, data, ok := strings.Cut(string(frame), "\ndata: ")
		if !ok {
			t.Fatalf("%s: no data line in %q", tc.name, frame)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &got); err != nil {
			t.Fatalf("%s: %v in %q", tc.name, err, data)
		}
		if v, present := got["case_id"]; !present || v != tc.want {
			t.Errorf("%s: case_id = %#v (present %v), want %#v", tc.name, v, present, tc.want)
		}
	}
}

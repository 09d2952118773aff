package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// The import's "run" sent twice at once (a double click that got through,
// a retry) places the file once.
func TestImportRunTwiceAtOncePlacesOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.as("agent")
	r := w.uploadImport(c, w.credA.ID.String(), "twice.csv", csvBytes(t, placementRows, ';', false))
	if r.Status != 201 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var imp oapi.PlacementImport
	r.Decode(t, &imp)
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = rawDo(t, w, "agent", "POST", "/api/v1/imports/"+imp.Id.String()+"/run", nil).Status
		}()
	}
	wg.Wait()
	for _, s := range statuses {
		if s >= 500 || (s != 202 && s != 409) {
			t.Fatalf("run twice: %v", statuses)
		}
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		c.Do("GET", "/api/v1/imports/"+imp.Id.String(), nil).Decode(t, &imp)
		if imp.Status == oapi.PlacementImportStatusDone || imp.Status == oapi.PlacementImportStatusFailed {
			break
		}
	}
	var claims int
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM claims WHERE creditor_id = $1 AND invoice_number ~ '^F-[0-9]{3}$'`, w.credA.ID).Scan(&claims); err != nil {
		t.Fatal(err)
	}
	if imp.Status != oapi.PlacementImportStatusDone || claims != imp.PlacedRows {
		t.Fatalf("import %s placed %d, claims %d", imp.Status, imp.PlacedRows, claims)
	}
}

package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// waitBatch polls a batch until it ends.
func (w *world) waitBatch(id string) oapi.Batch {
	w.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var b oapi.Batch
		w.as("agent").Do("GET", "/api/v1/document-batches/"+id, nil).Decode(w.t, &b)
		if b.State == "done" || b.State == "failed" {
			return b
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("batch still %s after 60 s: %+v", b.State, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLetterBatch(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ids := []uuid.UUID{w.caseA.Case.ID}
	for i := 0; i < 3; i++ {
		ids = append(ids, w.newCase(w.credA.ID, "Débiteur du lot", "").Case.ID)
	}
	// One case whose debtor has no address: it gets no letter, the others do.
	noAddress := w.newCase(w.credB.ID, "Débiteur sans adresse", "")
	if _, err := w.svc.UpdateDebtor(context.Background(), app.System, noAddress.Debtor.ID, func(d *recouvra.Debtor) { d.Address = recouvra.Address{} }); err != nil {
		t.Fatal(err)
	}
	ids = append(ids, noAddress.Case.ID, w.caseA.Case.ID) // a duplicate counts once

	if r := w.as("agent").Do("POST", "/api/v1/document-batches", map[string]any{"kind": "formal_notice", "case_ids": ids}); r.Status != 422 {
		t.Fatalf("formal notices without numbers: %d %s", r.Status, r.Body)
	}
	r := w.as("agent").Do("POST", "/api/v1/document-batches", map[string]any{"kind": "amicable_letter", "case_ids": ids})
	var b oapi.Batch
	r.Decode(t, &b)
	if r.Status != 202 || b.Total != 5 || (b.State != "queued" && b.State != "running") {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	b = w.waitBatch(b.Id.String())
	if b.State != "done" || b.Done != 4 || b.Failed != 1 || b.Failures[0].CaseId != noAddress.Case.ID || !strings.Contains(b.Failures[0].Message, "adresse") {
		t.Fatalf("%+v", b)
	}
	resp, data := w.zip(b.Id.String())
	if resp != 200 {
		t.Fatalf("zip: %d", resp)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) != 4 || !strings.HasPrefix(zr.File[0].Name, "relance-") {
		t.Fatalf("zip: %v %d files", err, len(zr.File))
	}
	// Each letter is on its case as sent, like a single one.
	var c oapi.Case
	w.as("agent").Do("GET", "/api/v1/cases/"+ids[1].String(), nil).Decode(t, &c)
	if c.FirstLetterReference == "" || c.AmicableReminders != 1 {
		t.Fatalf("letter not recorded: %+v", c)
	}
	if r := w.as("creditor").Do("GET", "/api/v1/document-batches/"+b.Id.String(), nil); r.Status != 403 {
		t.Fatalf("creditor reading a batch: %d", r.Status)
	}
}

func (w *world) zip(id string) (int, []byte) {
	w.t.Helper()
	resp, body := w.get("agent", "/api/v1/document-batches/"+id+"/content")
	return resp, body
}

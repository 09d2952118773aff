package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// TestImportFileGoesToTheBlobStore: an uploaded placement file is kept in
// the blob store under its SHA-256 (the import row holds the key, not the
// bytes); an import stored before, its content in the row, is still
// previewed and placed; a file over the upload limit is refused while it
// streams, and nothing of it is kept.
func TestImportFileGoesToTheBlobStore(t *testing.T) {
	t.Parallel()
	var dataDir string
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.MaxUploadBytes, dataDir = 4096, c.DataDir })
	creditor := w.as("creditor")
	ctx := context.Background()
	data := csvBytes(t, placementRows[:3], ';', false)
	r := w.uploadImport(creditor, "", "impayes.csv", data)
	if r.Status != 201 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var imp oapi.PlacementImport
	r.Decode(t, &imp)
	var sha *string
	var inRow bool
	if err := w.db.Pool.QueryRow(ctx, `SELECT content_sha256, content IS NOT NULL FROM imports WHERE id = $1`, imp.Id).Scan(&sha, &inRow); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if want := hex.EncodeToString(sum[:]); sha == nil || *sha != want || inRow {
		t.Fatalf("stored: sha %v (want %s), content in the row %v", sha, want, inRow)
	}
	if stored, err := os.ReadFile(filepath.Join(dataDir, "documents", (*sha)[:2], (*sha)[2:4], *sha)); err != nil || string(stored) != string(data) {
		t.Fatalf("blob: %v", err)
	}

	// As an import uploaded before the blob store held them.
	if _, err := w.db.Pool.Exec(ctx, `UPDATE imports SET content = $2, content_sha256 = NULL WHERE id = $1`, imp.Id, data); err != nil {
		t.Fatal(err)
	}
	var old oapi.PlacementImport
	if r := creditor.Do("GET", "/api/v1/imports/"+imp.Id.String(), nil); r.Status != 200 {
		t.Fatalf("get: %d %s", r.Status, r.Body)
	} else {
		r.Decode(t, &old)
	}
	if len(old.Preview) != 2 || len(imp.Preview) != 2 || strings.Join(old.Preview[1].Cells, "|") != strings.Join(imp.Preview[1].Cells, "|") {
		t.Fatalf("preview of the stored content: %+v, want %+v", old.Preview, imp.Preview)
	}
	if r := creditor.Do("POST", "/api/v1/imports/"+imp.Id.String()+"/run", nil); r.Status != 202 {
		t.Fatalf("run: %d %s", r.Status, r.Body)
	}
	for deadline := time.Now().Add(60 * time.Second); old.Status != oapi.PlacementImportStatusDone; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) || old.Status == oapi.PlacementImportStatusFailed {
			t.Fatalf("import of the stored content: %s %q", old.Status, old.Error)
		}
		creditor.Do("GET", "/api/v1/imports/"+imp.Id.String(), nil).Decode(t, &old)
	}
	if old.PlacedRows != 2 || old.RefusedRows != 0 || old.CasesCreated != 1 {
		t.Fatalf("placed %d, refused %d, cases %d", old.PlacedRows, old.RefusedRows, old.CasesCreated)
	}

	// Over the limit: 413, and no temporary file left behind.
	big := append(csvBytes(t, placementRows[:3], ';', false), []byte(strings.Repeat("x;", 4096))...)
	if r := w.uploadImport(creditor, "", "impayes.csv", big); r.Status != 413 || !strings.Contains(string(r.Body), "Fichier trop volumineux (4096 octets au plus).") {
		t.Fatalf("too large: %d %s", r.Status, r.Body)
	}
	if left, _ := filepath.Glob(filepath.Join(dataDir, "documents", ".upload-*")); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

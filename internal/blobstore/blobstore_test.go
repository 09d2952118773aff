package blobstore_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/blobstore"
)

func TestPutOpenAndTamperDetection(t *testing.T) {
	s := blobstore.Local{Dir: t.TempDir()}
	ctx := context.Background()
	sha, size, err := s.Put(ctx, strings.NewReader("%PDF-1.4 contenu"))
	if err != nil || size != 16 || len(sha) != 64 {
		t.Fatal(sha, size, err)
	}
	again, _, err := s.Put(ctx, strings.NewReader("%PDF-1.4 contenu"))
	if err != nil || again != sha {
		t.Fatal("the same content must land on the same hash")
	}
	r, err := s.Open(ctx, sha)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "%PDF-1.4 contenu" {
		t.Fatalf("%q", b)
	}
	// Someone edits the file on disk: the read refuses it.
	p := filepath.Join(s.Dir, sha[:2], sha[2:4], sha)
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("%PDF-1.4 contenV"), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, sha); !errors.Is(err, blobstore.ErrTampered) {
		t.Fatalf("tampered content opened: %v", err)
	}
	if _, err := s.Open(ctx, strings.Repeat("ab", 32)); !errors.Is(err, blobstore.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	if _, err := s.Open(ctx, "../../etc/passwd"); err == nil {
		t.Fatal("a path that is not a hash must be refused")
	}
}

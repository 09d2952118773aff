package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/server"
)

// TestDocumentsInAnS3Bucket: with blob_url naming a bucket of an S3 server
// (gofakes3's, on a real port), a letter's PDF is stored there under its
// SHA-256 and nowhere on disk, downloaded whole through the API, refused
// (500, « Document altéré ») once the object is changed in the bucket; a
// server whose bucket does not exist does not start.
func TestDocumentsInAnS3Bucket(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s3 := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(s3.Close)
	host := strings.TrimPrefix(s3.URL, "http://")
	bucket, err := minio.New(host, &minio.Options{Creds: credentials.NewStaticV4("recouvra", "secret-de-test", "")})
	if err != nil {
		t.Fatal(err)
	}
	if err := bucket.MakeBucket(ctx, "recouvra-documents", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	w := newWorldWith(t, io.Discard, func(c *config.Config) {
		c.BlobURL = "s3+http://recouvra:secret-de-test@" + host + "/recouvra-documents/prod"
	})

	r, doc := w.generate("agent", w.caseA.Case.ID.String(), map[string]any{"kind": "amicable_letter"})
	if r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	key := "prod/" + doc.Sha256[:2] + "/" + doc.Sha256[2:4] + "/" + doc.Sha256
	obj, err := bucket.GetObject(ctx, "recouvra-documents", key, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := io.ReadAll(obj)
	if err != nil {
		t.Fatalf("object %s: %v", key, err)
	}
	if _, err := os.Stat(filepath.Join(w.dataDir, "documents")); !os.IsNotExist(err) {
		t.Fatalf("documents written on disk beside the bucket: %v", err)
	}
	resp, data := w.content("creditor", doc.Id.String())
	if resp.StatusCode != 200 || !bytes.Equal(data, stored) || !strings.Contains(apitest.PDFText(t, data), w.caseA.Case.Reference) {
		t.Fatalf("%d, %d bytes downloaded, %d stored", resp.StatusCode, len(data), len(stored))
	}

	if _, err := bucket.PutObject(ctx, "recouvra-documents", key, bytes.NewReader(append(stored, ' ')), int64(len(stored)+1), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	resp, data = w.content("creditor", doc.Id.String())
	if resp.StatusCode != 500 || !strings.Contains(string(data), "empreinte SHA-256") {
		t.Fatalf("a changed object: %d %s", resp.StatusCode, data)
	}

	cfg := testConfig(t)
	cfg.BlobURL = "s3+http://recouvra:secret-de-test@" + host + "/absent"
	if _, err := server.NewService(w.db, cfg, nil, time.Now); err == nil || !strings.Contains(err.Error(), `bucket "absent" does not exist`) {
		t.Fatalf("a server on a missing bucket: %v", err)
	}
}

package blobstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/recouvra/recouvra/internal/blobstore"
)

// s3Server starts an S3 server (gofakes3's, objects in memory) on a real
// port with the buckets given, and returns its host:port and a client of
// its own, to look at and change the objects behind the store's back.
func s3Server(t *testing.T, buckets ...string) (string, *minio.Client) {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	client, err := minio.New(host, &minio.Options{Creds: credentials.NewStaticV4("recouvra", "secret-de-test", ""), Secure: false})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buckets {
		if err := client.MakeBucket(context.Background(), b, minio.MakeBucketOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return host, client
}

// TestS3PutOpenAndTamperDetection: the S3 store keeps Local's promises
// against a real S3 server over HTTP — the content under its hash (in the
// ab/cd/<sha> layout, below the URL's prefix), the same content stored
// once, a changed object refused, a missing one not found, a name that is
// not a hash refused before any request.
func TestS3PutOpenAndTamperDetection(t *testing.T) {
	ctx := context.Background()
	host, client := s3Server(t, "documents")
	s, err := blobstore.ParseS3URL("s3+http://recouvra:secret-de-test@" + host + "/documents/agence-lyon/")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("%PDF-1.4 contenu "), 40_000) // 680 kB
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	sha, size, err := s.Put(ctx, bytes.NewReader(content))
	if err != nil || sha != want || size != int64(len(content)) {
		t.Fatal(sha, size, err)
	}
	key := "agence-lyon/" + sha[:2] + "/" + sha[2:4] + "/" + sha
	info, err := client.StatObject(ctx, "documents", key, minio.StatObjectOptions{})
	if err != nil || info.Size != size {
		t.Fatalf("object %s: %+v %v", key, info, err)
	}
	again, _, err := s.Put(ctx, bytes.NewReader(content))
	if err != nil || again != sha {
		t.Fatal("the same content must land on the same hash", again, err)
	}
	r, err := s.Open(ctx, sha)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) {
		t.Fatalf("read back %d bytes, stored %d", len(got), len(content))
	}

	// Someone rewrites the object in the bucket: the read refuses it.
	if _, err := client.PutObject(ctx, "documents", key, strings.NewReader("%PDF-1.4 autre"), 14, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, sha); !errors.Is(err, blobstore.ErrTampered) {
		t.Fatalf("tampered content opened: %v", err)
	}
	if _, err := s.Open(ctx, strings.Repeat("ab", 32)); !errors.Is(err, blobstore.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	if _, err := s.Open(ctx, "../../etc/passwd"); err == nil {
		t.Fatal("a name that is not a hash must be refused")
	}

	// A bucket that is not there stops the server at start.
	missing, err := blobstore.ParseS3URL("s3+http://recouvra:secret-de-test@" + host + "/absent")
	if err != nil {
		t.Fatal(err)
	}
	if err := missing.Check(ctx); err == nil || !strings.Contains(err.Error(), `bucket "absent" does not exist`) {
		t.Fatalf("missing bucket: %v", err)
	}
}

func TestParseS3URL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://h/b":                          "must be an s3:// or s3+http:// URL",
		"s3:///bucket":                         "names no host",
		"s3://k:s@minio.local:9000":            "names no bucket",
		"s3://k:s@minio.local:9000/":           "names no bucket",
		"s3://k:s@h/b?secure=false":            `takes no "secure" parameter`,
		"s3://k:s@h:9000/b/p?region=eu-west-3": "",
		"s3+http://h:9000/b":                   "",
	} {
		_, err := blobstore.ParseS3URL(raw)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
}

package blobstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 stores contents as objects of an S3-compatible bucket, under
// <prefix>ab/cd/<sha256> as Local lays out its files: for several servers
// on several machines, or more documents than one disk holds
// (docs/scaling.md). The same guarantees as Local: a content is stored
// whole under its hash or not at all (S3 writes an object whole), never
// overwritten, and verified against its hash before it is handed out.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
}

// ParseS3URL reads s3://ACCESS_KEY:SECRET@host[:port]/bucket[/prefix]
// (HTTPS) or s3+http://… (plain HTTP, for a server on the same machine).
// Without a user in the URL the keys come from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY; ?region= sets the region.
func ParseS3URL(raw string) (*S3, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("is not a URL (s3://ACCESS_KEY:SECRET@host:port/bucket)")
	}
	secure := true
	switch u.Scheme {
	case "s3":
	case "s3+http":
		secure = false
	default:
		return nil, errors.New("must be an s3:// or s3+http:// URL")
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("names no host (s3://ACCESS_KEY:SECRET@host:port/bucket)")
	}
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if bucket == "" {
		return nil, errors.New("names no bucket (s3://ACCESS_KEY:SECRET@host:port/bucket)")
	}
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		prefix += "/"
	}
	for k := range u.Query() {
		if k != "region" {
			return nil, fmt.Errorf("takes no %q parameter (only region)", k)
		}
	}
	creds := credentials.NewEnvAWS()
	if u.User != nil {
		secret, _ := u.User.Password()
		creds = credentials.NewStaticV4(u.User.Username(), secret, "")
	}
	client, err := minio.New(u.Host, &minio.Options{Creds: creds, Secure: secure, Region: u.Query().Get("region")})
	if err != nil {
		return nil, err
	}
	return &S3{client: client, bucket: bucket, prefix: prefix}, nil
}

// Check asks whether the bucket is there: a server with a wrong URL or
// keys refuses to start rather than fail on its first document.
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("document store %s: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("document store: bucket %q does not exist (create it first)", s.bucket)
	}
	return nil
}

func (s *S3) key(sha string) (string, error) {
	if err := checkSHA(sha); err != nil {
		return "", err
	}
	return s.prefix + sha[:2] + "/" + sha[2:4] + "/" + sha, nil
}

// Put spools r to a temporary file while hashing it (the key is the hash,
// known only at the end), then uploads it unless the bucket has it already.
func (s *S3) Put(ctx context.Context, r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp("", "recouvra-blob-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return "", 0, err
	}
	sha := hex.EncodeToString(h.Sum(nil))
	key, _ := s.key(sha)
	if _, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{}); err == nil {
		return sha, size, nil // same content already stored: immutable, keep it
	} else if minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return "", 0, fmt.Errorf("document store: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", 0, err
	}
	if _, err := s.client.PutObject(ctx, s.bucket, key, tmp, size, minio.PutObjectOptions{ContentType: "application/octet-stream"}); err != nil {
		return "", 0, fmt.Errorf("document store: %w", err)
	}
	return sha, size, nil
}

// Open downloads the content to a temporary file while hashing it and hands
// it out only if it still hashes to sha; the file goes when it is closed.
func (s *S3) Open(ctx context.Context, sha string) (io.ReadCloser, error) {
	key, err := s.key(sha)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("document store: %w", err)
	}
	defer obj.Close()
	tmp, err := os.CreateTemp("", "recouvra-blob-*")
	if err != nil {
		return nil, err
	}
	f := &removedOnClose{tmp}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), obj); err != nil {
		f.Close()
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("document store: %w", err)
	}
	return handOut(f, h.Sum(nil), sha)
}

// removedOnClose is a temporary file deleted when it is closed.
type removedOnClose struct{ *os.File }

func (f *removedOnClose) Close() error {
	err := f.File.Close()
	if rerr := os.Remove(f.Name()); err == nil {
		err = rerr
	}
	return err
}

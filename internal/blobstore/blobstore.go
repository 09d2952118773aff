// Package blobstore keeps document contents, immutable and addressed by
// their SHA-256: a content is written once and never overwritten, and a
// read checks the bytes still hash to what was recorded. The local
// filesystem store is the default; S3 keeps them in an S3-compatible bucket.
package blobstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Store keeps contents by their SHA-256.
type Store interface {
	// Put stores r's content and returns its SHA-256 (hex) and size. Storing
	// a content already there changes nothing.
	Put(ctx context.Context, r io.Reader) (sha string, size int64, err error)
	// Open returns the content stored under sha, verified: ErrTampered when
	// the stored bytes no longer hash to sha.
	Open(ctx context.Context, sha string) (io.ReadCloser, error)
}

// ErrTampered reports a stored content that no longer matches its hash.
var ErrTampered = errors.New("blobstore: stored content does not match its SHA-256")

// ErrNotFound reports a hash with no content.
var ErrNotFound = errors.New("blobstore: no content for this hash")

// Local stores contents as read-only files under Dir/ab/cd/<sha256>.
type Local struct {
	Dir string
}

// checkSHA refuses what is not a SHA-256 in hex before it names a path or
// an object.
func checkSHA(sha string) error {
	if _, err := hex.DecodeString(sha); err != nil || len(sha) != 64 {
		return fmt.Errorf("blobstore: %q is not a SHA-256", sha)
	}
	return nil
}

func (l Local) path(sha string) (string, error) {
	if err := checkSHA(sha); err != nil {
		return "", err
	}
	return filepath.Join(l.Dir, sha[:2], sha[2:4], sha), nil
}

// Put writes to a temporary file while hashing, then renames it into place:
// a crash never leaves a partial content under a hash.
func (l Local) Put(ctx context.Context, r io.Reader) (string, int64, error) {
	if err := os.MkdirAll(l.Dir, 0o750); err != nil {
		return "", 0, err
	}
	tmp, err := os.CreateTemp(l.Dir, ".upload-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name()) // gone once renamed; cleans up on failure
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	sha := hex.EncodeToString(h.Sum(nil))
	dst, _ := l.path(sha)
	if _, err := os.Stat(dst); err == nil {
		return sha, size, nil // same content already stored: immutable, keep it
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, err
	}
	if err := os.Chmod(tmp.Name(), 0o440); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, err
	}
	return sha, size, nil
}

// Open verifies the whole content against its hash before handing it out,
// so a tampered file is refused rather than half-sent.
func (l Local) Open(ctx context.Context, sha string) (io.ReadCloser, error) {
	p, err := l.path(sha)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		f.Close()
		return nil, err
	}
	return handOut(f, h.Sum(nil), sha)
}

// handOut returns f rewound if its content, read whole into sum, still
// hashes to sha; else closes it: ErrTampered.
func handOut(f io.ReadSeekCloser, sum []byte, sha string) (io.ReadCloser, error) {
	if hex.EncodeToString(sum) != sha {
		f.Close()
		return nil, ErrTampered
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

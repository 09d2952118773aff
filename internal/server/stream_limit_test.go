package server_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/config"
)

// TestStreamLimitPerPrincipal: with RECOUVRA_STREAMS_PER_PRINCIPAL=2, a
// third stream of the same account is refused 429 with a problem and
// Retry-After, while another principal of the same creditor still opens
// one; closing a stream frees its place.
func TestStreamLimitPerPrincipal(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.StreamsPerPrincipal = 2 })
	first := w.stream(t, "creditor", "")
	w.stream(t, "creditor", "")
	r := w.openStream(w.as("creditor"), "")
	if r.Status != 429 || r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "too_many_requests") {
		t.Fatalf("third stream: %d %v %s", r.Status, r.Header, r.Body)
	}
	if r := w.openStream(w.as("api_key"), ""); r.Status != 200 {
		t.Fatalf("another principal: %d %s", r.Status, r.Body)
	}
	first.cancel()
	deadline := time.Now().Add(streamWait)
	for {
		r := w.openStream(w.as("creditor"), "")
		if r.Status == 200 {
			break
		}
		if r.Status != 429 || time.Now().After(deadline) {
			t.Fatalf("after closing one: %d %s", r.Status, r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

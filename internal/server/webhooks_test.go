package server_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/webhook"
)

// received is one request a test receiver got, as a creditor's system
// would read it.
type received struct {
	id, timestamp string
	signatures    []string // the v1 signatures of the header
	body          []byte
	payload       struct {
		Type      string         `json:"type"`
		Timestamp time.Time      `json:"timestamp"`
		Data      map[string]any `json:"data"`
	}
}

// receiver is a creditor's system: a real HTTP server that answers with
// status (200 unless set) and keeps what it received.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	got    []received
	status func(n int) int // the answer to the n-th request (1-based)
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	r := &receiver{t: t, status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		m := received{id: req.Header.Get("webhook-id"), timestamp: req.Header.Get("webhook-timestamp"), body: body}
		for _, s := range strings.Fields(req.Header.Get("webhook-signature")) {
			if v, ok := strings.CutPrefix(s, "v1,"); ok {
				m.signatures = append(m.signatures, v)
			}
		}
		if err := json.Unmarshal(body, &m.payload); err != nil {
			t.Errorf("receiver: body is not JSON: %v: %s", err, body)
		}
		r.mu.Lock()
		r.got = append(r.got, m)
		n := len(r.got)
		r.mu.Unlock()
		st := 200
		if r.status != nil {
			st = r.status(n)
		}
		w.WriteHeader(st)
		_, _ = w.Write([]byte(`{"received":true,"n":` + strconv.Itoa(n) + `}`))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// waitMessages waits until n requests arrived and returns them.
func (r *receiver) waitMessages(n int) []received {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := r.messages(); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("receiver got %d requests, want %d", len(r.messages()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// verify checks a message the way the README tells creditors to: the
// HMAC-SHA256 of "id.timestamp.body" keyed with the secret's bytes after
// whsec_, base64, against each signature given; and a timestamp within
// five minutes of now.
func verify(m received, secret string, now time.Time) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	ts, err := strconv.ParseInt(m.timestamp, 10, 64)
	if err != nil || now.Sub(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(m.id + "." + m.timestamp + "." + string(m.body)))
	want := mac.Sum(nil)
	for _, s := range m.signatures {
		got, err := base64.StdEncoding.DecodeString(s)
		if err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// webhookWorld is a world whose webhooks may go to the test's own
// loopback receivers (RECOUVRA_WEBHOOK_ALLOW_PRIVATE).
func webhookWorld(t *testing.T) *world {
	return newWorldWith(t, io.Discard, func(c *config.Config) { c.WebhookAllowPrivate = true })
}

type endpointOut struct {
	ID                  string   `json:"id"`
	CreditorID          string   `json:"creditor_id"`
	Secret              string   `json:"secret"`
	Enabled             bool     `json:"enabled"`
	DisabledReason      *string  `json:"disabled_reason"`
	EventTypes          []string `json:"event_types"`
	PreviousSecretUntil *string  `json:"previous_secret_until"`
}

type deliveryOut struct {
	ID            string         `json:"id"`
	Type          string         `json:"type"`
	State         string         `json:"state"`
	Attempts      int            `json:"attempts"`
	NextAttemptAt *time.Time     `json:"next_attempt_at"`
	LastStatus    *int           `json:"last_status"`
	Payload       map[string]any `json:"payload"`
	Tries         []struct {
		Status    *int   `json:"status"`
		OK        bool   `json:"ok"`
		LatencyMS int64  `json:"latency_ms"`
		Excerpt   string `json:"excerpt"`
		Error     string `json:"error"`
	} `json:"tries"`
}

// register registers url for the types as principal and returns the
// endpoint with its secret.
func (w *world) register(as, url string, types ...string) endpointOut {
	w.t.Helper()
	r := w.as(as).Do("POST", "/api/v1/webhook-endpoints", map[string]any{"url": url, "description": "ERP", "event_types": types})
	if r.Status != 201 {
		w.t.Fatalf("register %s: %d %s", url, r.Status, r.Body)
	}
	var ep endpointOut
	r.Decode(w.t, &ep)
	if !strings.HasPrefix(ep.Secret, "whsec_") {
		w.t.Fatalf("secret %q", ep.Secret)
	}
	return ep
}

func (w *world) deliveries(as, endpoint string) []deliveryOut {
	w.t.Helper()
	r := w.as(as).Do("GET", "/api/v1/webhook-endpoints/"+endpoint+"/deliveries", nil)
	if r.Status != 200 {
		w.t.Fatalf("deliveries: %d %s", r.Status, r.Body)
	}
	var page struct{ Items []deliveryOut }
	r.Decode(w.t, &page)
	return page.Items
}

// TestWebhooksSignedAndOnlyTheCreditorsOwn: each creditor's receiver gets
// its own creditor's shared events of the types it chose, signed so that
// the README's check passes, and nothing else: not the other creditor's,
// not an internal note, not a type it did not ask for.
func TestWebhooksSignedAndOnlyTheCreditorsOwn(t *testing.T) {
	t.Parallel()
	w := webhookWorld(t)
	ctx := context.Background()
	recA, recB := newReceiver(t, nil), newReceiver(t, nil)
	epA := w.register("creditor", recA.srv.URL+"/hooks", "case.placed", "payment.recorded", "dispute.changed")
	epB := w.register("creditor_b", recB.srv.URL+"/hooks", "payment.recorded")

	placed := w.newCase(w.credA.ID, "Charpentes Leroy SARL", "")
	w.payment(placed.Case.ID)
	if _, err := w.svc.LogEvent(ctx, app.System, placed.Case.ID, recouvra.EventNote, recouvra.Internal, map[string]any{"text": "Ne pas rappeler avant lundi."}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.LogEvent(ctx, app.System, placed.Case.ID, recouvra.EventDisputeOpened, recouvra.Shared, map[string]any{"reason": "Livraison incomplète."}); err != nil {
		t.Fatal(err)
	}
	w.payment(w.caseB.Case.ID)

	got := recA.waitMessages(3)
	time.Sleep(300 * time.Millisecond) // anything more would come now
	if got = recA.messages(); len(got) != 3 {
		t.Fatalf("A's receiver got %d messages, want 3 (placed, payment, dispute): %v", len(got), got)
	}
	types := map[string]bool{}
	for _, m := range got {
		if !verify(m, epA.Secret, w.clock.Now()) {
			t.Errorf("A: signature of %s does not verify: %v", m.id, m.signatures)
		}
		if verify(m, epB.Secret, w.clock.Now()) {
			t.Errorf("A's message verifies with B's secret")
		}
		types[m.payload.Type] = true
		if m.payload.Data["case_id"] != placed.Case.ID.String() || m.payload.Data["creditor_id"] != w.credA.ID.String() {
			t.Errorf("A got another case's or creditor's event: %v", m.payload.Data)
		}
		if _, ok := m.payload.Data["actor_user_id"]; ok {
			t.Errorf("the body names who wrote the event: %v", m.payload.Data)
		}
		if strings.Contains(string(m.body), "rappeler") {
			t.Errorf("an internal note reached the creditor: %s", m.body)
		}
	}
	if !types["case.placed"] || !types["payment.recorded"] || !types["dispute.changed"] {
		t.Errorf("A's types: %v", types)
	}
	gotB := recB.waitMessages(1)
	time.Sleep(100 * time.Millisecond)
	if gotB = recB.messages(); len(gotB) != 1 || gotB[0].payload.Type != "payment.recorded" || gotB[0].payload.Data["case_id"] != w.caseB.Case.ID.String() {
		t.Fatalf("B's receiver: %+v", gotB)
	}
	if !verify(gotB[0], epB.Secret, w.clock.Now()) {
		t.Error("B's signature does not verify")
	}

	// The log: each delivery with its attempt (200, latency, the answer).
	ds := w.deliveries("creditor", epA.ID)
	if len(ds) != 3 {
		t.Fatalf("A's deliveries: %d", len(ds))
	}
	for _, d := range ds {
		if d.State != "delivered" || len(d.Tries) != 1 || !d.Tries[0].OK || *d.Tries[0].Status != 200 || !strings.Contains(d.Tries[0].Excerpt, `"received":true`) {
			t.Errorf("delivery %+v", d)
		}
	}
	// Walls: B never sees A's endpoint, its deliveries, nor replays them;
	// agents read; a lawyer has no access.
	for _, path := range []string{"/api/v1/webhook-endpoints/" + epA.ID, "/api/v1/webhook-endpoints/" + epA.ID + "/deliveries"} {
		if r := w.as("creditor_b").Do("GET", path, nil); r.Status != 404 {
			t.Errorf("B GET %s: %d", path, r.Status)
		}
	}
	if r := w.as("creditor_b").Do("POST", "/api/v1/webhook-deliveries/"+ds[0].ID+"/replay", nil); r.Status != 404 {
		t.Errorf("B replays A's delivery: %d", r.Status)
	}
	if r := w.as("creditor_b").Do("GET", "/api/v1/webhook-endpoints?creditor_id="+w.credA.ID.String(), nil); r.Status != 404 {
		t.Errorf("B lists A's endpoints: %d %s", r.Status, r.Body)
	}
	if r := w.as("agent").Do("GET", "/api/v1/webhook-endpoints?creditor_id="+w.credA.ID.String(), nil); r.Status != 200 || strings.Contains(string(r.Body), "whsec_") {
		t.Errorf("agent lists A's endpoints: %d %s", r.Status, r.Body)
	}
}

// TestWebhookRetriedAfter500ThenReplayed: a 500 is retried with backoff
// (on the world's clock), the same webhook-id every time; a replay sends
// it once more.
func TestWebhookRetriedAfter500ThenReplayed(t *testing.T) {
	t.Parallel()
	w := webhookWorld(t)
	rec := newReceiver(t, func(n int) int {
		if n == 1 {
			return 500
		}
		return 204
	})
	ep := w.register("creditor", rec.srv.URL, "case.placed")
	w.newCase(w.credA.ID, "Charpentes Leroy SARL", "")
	first := rec.waitMessages(1)[0]
	waitFor(t, func() bool { ds := w.deliveries("creditor", ep.ID); return len(ds) == 1 && len(ds[0].Tries) == 1 })
	d := w.deliveries("creditor", ep.ID)[0]
	if d.State != "pending" || d.Tries[0].OK || *d.Tries[0].Status != 500 || d.NextAttemptAt == nil || d.NextAttemptAt.Sub(w.clock.Now()).Round(time.Millisecond) != 5*time.Second {
		t.Fatalf("after a 500: %+v (next in %v)", d, d.NextAttemptAt.Sub(w.clock.Now()))
	}
	w.clock.Advance(6 * time.Second)
	second := rec.waitMessages(2)[1]
	if second.id != first.id || second.id != d.ID || !verify(second, ep.Secret, w.clock.Now()) || string(second.body) != string(first.body) {
		t.Fatalf("retry: id %s / %s, body equal %v", second.id, first.id, string(second.body) == string(first.body))
	}
	waitFor(t, func() bool { return w.deliveries("creditor", ep.ID)[0].State == "delivered" })

	r := w.as("creditor").Do("POST", "/api/v1/webhook-deliveries/"+d.ID+"/replay", nil)
	if r.Status != 202 {
		t.Fatalf("replay: %d %s", r.Status, r.Body)
	}
	third := rec.waitMessages(3)[2]
	if third.id != d.ID || !verify(third, ep.Secret, w.clock.Now()) {
		t.Fatalf("replay sent %s", third.id)
	}
	waitFor(t, func() bool {
		d := w.deliveries("creditor", ep.ID)[0]
		return d.State == "delivered" && len(d.Tries) == 3
	})
}

// TestWebhookSecretRotation: after a rotation, deliveries carry the new
// secret's signature and, for 24 hours, the previous one's; then only
// the new one.
func TestWebhookSecretRotation(t *testing.T) {
	t.Parallel()
	w := webhookWorld(t)
	rec := newReceiver(t, nil)
	ep := w.register("creditor", rec.srv.URL, "case.placed")
	r := w.as("creditor").Do("POST", "/api/v1/webhook-endpoints/"+ep.ID+"/rotate-secret", nil)
	if r.Status != 200 {
		t.Fatalf("rotate: %d %s", r.Status, r.Body)
	}
	var rotated endpointOut
	r.Decode(t, &rotated)
	if rotated.Secret == ep.Secret || rotated.PreviousSecretUntil == nil {
		t.Fatalf("rotated: %+v", rotated)
	}
	if r := w.as("creditor").Do("GET", "/api/v1/webhook-endpoints/"+ep.ID, nil); strings.Contains(string(r.Body), "whsec_") {
		t.Fatalf("the secret is shown again: %s", r.Body)
	}
	ping := func() received {
		r := w.as("creditor").Do("POST", "/api/v1/webhook-endpoints/"+ep.ID+"/ping", nil)
		var d deliveryOut
		if r.Status != 200 {
			t.Fatalf("ping: %d %s", r.Status, r.Body)
		}
		r.Decode(t, &d)
		if d.State != "delivered" || d.Type != "webhook.ping" {
			t.Fatalf("ping delivery: %+v", d)
		}
		got := rec.messages()
		return got[len(got)-1]
	}
	m := ping()
	if len(m.signatures) != 2 || !verify(m, rotated.Secret, w.clock.Now()) || !verify(m, ep.Secret, w.clock.Now()) {
		t.Fatalf("during the grace: %d signatures, new %v, old %v", len(m.signatures), verify(m, rotated.Secret, w.clock.Now()), verify(m, ep.Secret, w.clock.Now()))
	}
	w.clock.Advance(recouvra.WebhookRotationGrace + time.Minute)
	w.relogin()
	m = ping()
	if len(m.signatures) != 1 || !verify(m, rotated.Secret, w.clock.Now()) || verify(m, ep.Secret, w.clock.Now()) {
		t.Fatalf("after the grace: %d signatures", len(m.signatures))
	}
}

// TestWebhookEndpointDisabledAfterThreeDaysOfFailures: an endpoint that
// answers 503 to everything stays enabled while it fails for less than
// three days, and is disabled (reason failing, pending deliveries failed)
// at the first failure three days after the first one.
func TestWebhookEndpointDisabledAfterThreeDaysOfFailures(t *testing.T) {
	t.Parallel()
	w := webhookWorld(t)
	rec := newReceiver(t, func(int) int { return 503 })
	ep := w.register("creditor", rec.srv.URL, "case.placed")
	w.newCase(w.credA.ID, "Charpentes Leroy SARL", "")
	rec.waitMessages(1)
	start := w.clock.Now()
	get := func() endpointOut {
		var out endpointOut
		w.as("admin").Do("GET", "/api/v1/webhook-endpoints/"+ep.ID, nil).Decode(t, &out)
		return out
	}
	ctx := context.Background()
	for w.clock.Now().Sub(start) < recouvra.WebhookDisableAfter-8*time.Hour {
		w.clock.Advance(8 * time.Hour)
		w.relogin()
		if _, err := w.svc.DeliverWebhooks(ctx); err != nil {
			t.Fatal(err)
		}
		if !get().Enabled {
			t.Fatalf("disabled after %v of failures", w.clock.Now().Sub(start))
		}
	}
	w.clock.Advance(8 * time.Hour) // past three days
	w.relogin()
	if _, err := w.svc.DeliverWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return !get().Enabled })
	if got := get(); got.DisabledReason == nil || *got.DisabledReason != "failing" {
		t.Fatalf("endpoint: %+v", got)
	}
	ds := w.deliveries("creditor", ep.ID)
	if len(ds) != 1 || ds[0].State != "failed" || len(ds[0].Tries) < 5 {
		t.Fatalf("delivery: %+v", ds)
	}
	// Nothing more is sent to a disabled endpoint.
	n := len(rec.messages())
	w.newCase(w.credA.ID, "Scierie Vuillermoz SAS", "")
	w.clock.Advance(time.Hour)
	w.relogin()
	if _, err := w.svc.DeliverWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	if len(rec.messages()) != n {
		t.Fatal("a disabled endpoint still receives")
	}
	// Enabled again, it receives; the failed delivery can be replayed.
	if r := w.as("creditor").Do("PATCH", "/api/v1/webhook-endpoints/"+ep.ID, map[string]any{"enabled": true}); r.Status != 200 {
		t.Fatalf("enable: %d %s", r.Status, r.Body)
	}
	if r := w.as("creditor").Do("POST", "/api/v1/webhook-deliveries/"+ds[0].ID+"/replay", nil); r.Status != 202 {
		t.Fatalf("replay: %d %s", r.Status, r.Body)
	}
	rec.waitMessages(n + 1)
}

// TestWebhookURLsRefused: without RECOUVRA_WEBHOOK_ALLOW_PRIVATE, a URL
// that is not https or whose host is (or resolves to) a private, loopback
// or link-local address is refused 422 with the reason; and a delivery's
// dial is refused at the address it connects to.
func TestWebhookURLsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for url, code := range map[string]string{
		"https://127.0.0.1/hooks":                  "private_address",
		"https://10.20.30.40/hooks":                "private_address",
		"https://169.254.169.254/latest/meta-data": "private_address",
		"https://[::1]:8443/hooks":                 "private_address",
		"https://[fd00::1]/hooks":                  "private_address",
		"https://0.0.0.0/hooks":                    "private_address",
		"https://[::ffff:192.168.1.1]/hooks":       "private_address",
		"https://localhost/hooks":                  "private_address",
		"http://erp.example.fr/hooks":              "not_https",
		"ftp://erp.example.fr/hooks":               "not_https",
		"https://user:pw@erp.example.fr/":          "credentials",
		"erp.example.fr/hooks":                     "invalid",
	} {
		r := w.as("creditor").Do("POST", "/api/v1/webhook-endpoints", map[string]any{"url": url, "event_types": []string{"case.placed"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"`+code+`"`) {
			t.Errorf("%s: %d %s, want 422 %s", url, r.Status, r.Body, code)
		}
	}
	if r := w.as("creditor").Do("POST", "/api/v1/webhook-endpoints", map[string]any{"url": "https://erp.example.fr/", "event_types": []string{"case.closed"}}); r.Status != 422 {
		t.Errorf("unknown type: %d", r.Status)
	}
	if r := w.as("admin").Do("POST", "/api/v1/webhook-endpoints", map[string]any{"url": "https://127.0.0.1/", "event_types": []string{"case.placed"}}); r.Status != 422 {
		t.Errorf("admin without creditor: %d", r.Status)
	}
	// At delivery: the dialer refuses the loopback receiver even when the
	// URL got past registration (a name that now resolves elsewhere).
	var reached atomic.Int64
	tlsRec := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	t.Cleanup(tlsRec.Close)
	res := webhook.New(false).Post(context.Background(), tlsRec.URL, map[string]string{"webhook-id": uuid.NewString()}, []byte(`{}`))
	if res.Status != 0 || !strings.Contains(res.Err, "127.0.0.1") || reached.Load() != 0 {
		t.Fatalf("loopback delivery: %+v, reached %d", res, reached.Load())
	}
	rec := newReceiver(t, nil)
	// Redirects are not followed: the 3xx is the answer.
	redirect := httptest.NewServer(http.RedirectHandler(rec.srv.URL, http.StatusFound))
	t.Cleanup(redirect.Close)
	if res := webhook.New(true).Post(context.Background(), redirect.URL, nil, []byte(`{}`)); res.Status != 302 || len(rec.messages()) != 0 {
		t.Fatalf("redirect: %+v, received %d", res, len(rec.messages()))
	}
}

// TestWebhookImportFinished: a placement file run to its end tells the
// creditor's endpoint that asked for import.finished — signed, with the
// import's counts — once, and nobody else's.
func TestWebhookImportFinished(t *testing.T) {
	t.Parallel()
	w := webhookWorld(t)
	recA, recB := newReceiver(t, nil), newReceiver(t, nil)
	epA := w.register("creditor", recA.srv.URL+"/hooks", "import.finished")
	w.register("creditor_b", recB.srv.URL+"/hooks", "import.finished")

	imp := w.runImport(w.as("creditor"), "", "impayes.csv", csvBytes(t, placementRows, ';', false))
	got := recA.waitMessages(1)
	time.Sleep(300 * time.Millisecond) // a second delivery would come now
	if got = recA.messages(); len(got) != 1 {
		t.Fatalf("A's receiver got %d messages, want 1: %v", len(got), got)
	}
	m := got[0]
	if !verify(m, epA.Secret, w.clock.Now()) {
		t.Errorf("the signature does not verify: %v", m.signatures)
	}
	d := m.payload.Data
	if m.payload.Type != "import.finished" || d["import_id"] != imp.Id.String() || d["creditor_id"] != w.credA.ID.String() ||
		d["status"] != "done" || d["placed_rows"] != float64(imp.PlacedRows) || d["refused_rows"] != float64(imp.RefusedRows) ||
		d["cases_created"] != float64(imp.CasesCreated) || imp.PlacedRows == 0 {
		t.Fatalf("payload %v for import %+v", m.payload, imp)
	}
	if n := len(recB.messages()); n != 0 {
		t.Fatalf("creditor B's endpoint got %d messages of A's import", n)
	}
}

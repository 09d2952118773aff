package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/recouvra/recouvra/api"
	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/rbac"
	"github.com/recouvra/recouvra/internal/recouvra"
)

type fixture struct {
	api    *API
	srv    *httptest.Server
	client *apitest.Client
	logs   *apitest.LogBuffer
}

func newFixture(t *testing.T, spec []byte, probes ...Probe) *fixture {
	t.Helper()
	logs := &apitest.LogBuffer{}
	a, err := New(context.Background(), Deps{
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
		Version:  "test-1",
		Spec:     spec,
		Probes:   probes,
		Registry: prometheus.NewRegistry(),
		Authn:    tokens{},
		Authz:    policy(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return &fixture{api: a, srv: srv, client: apitest.NewWithSpec(t, srv.URL, spec), logs: logs}
}

// tokens is an in-memory Authenticator for tests of the HTTP layer alone;
// the real one is exercised through the server's tests.
type tokens map[string]recouvra.Principal

func (ts tokens) Authenticate(_ context.Context, token string) (recouvra.Principal, error) {
	if p, ok := ts[token]; ok {
		return p, nil
	}
	return recouvra.Principal{}, recouvra.Errorf(recouvra.ECodeUnauthorized, "unknown token")
}

func policy(t *testing.T) *rbac.Policy {
	p, err := rbac.Load()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHealthzAndRequestID(t *testing.T) {
	f := newFixture(t, api.Spec)
	r := f.client.Do("GET", "/healthz", nil)
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var h oapi.Health
	r.Decode(t, &h)
	if h.Status != oapi.Ok || h.Version != "test-1" {
		t.Fatalf("%+v", h)
	}
	if id := r.Header.Get("X-Request-Id"); len(id) != 36 {
		t.Fatalf("want a generated UUID request id, got %q", id)
	}
	if got := f.client.Do("GET", "/healthz", nil, "X-Request-Id", "lb-1234.abc").Header.Get("X-Request-Id"); got != "lb-1234.abc" {
		t.Fatalf("a sane incoming id is kept, got %q", got)
	}
	// Replaced by a generated UUID (not "does not contain 'bad'": a random
	// hex UUID does, once in about 150 runs — 01a23a36-…-5bad5ca200f5 failed
	// a clean clone).
	if got := f.client.Do("GET", "/healthz", nil, "X-Request-Id", "bad id\" injected").Header.Get("X-Request-Id"); len(got) != 36 || uuid.Validate(got) != nil {
		t.Fatalf("an unsafe incoming id must be replaced by a generated UUID, got %q", got)
	}
	if !strings.Contains(f.logs.String(), `"request_id":"lb-1234.abc"`) {
		t.Fatalf("access log lacks the request id: %s", f.logs)
	}
}

func TestReadyzReportsFailingChecks(t *testing.T) {
	var dbErr error
	f := newFixture(t, api.Spec,
		Probe{Name: oapi.Database, Check: func(context.Context) error { return dbErr }},
		Probe{Name: oapi.Migrations, Check: func(context.Context) error { return nil }},
	)
	if r := f.client.Do("GET", "/readyz", nil); r.Status != 200 {
		t.Fatalf("ready: %d %s", r.Status, r.Body)
	}
	dbErr = errors.New("connection refused")
	r := f.client.Do("GET", "/readyz", nil)
	if r.Status != 503 {
		t.Fatalf("want 503, got %d", r.Status)
	}
	var rd oapi.Readiness
	r.Decode(t, &rd)
	if rd.Status != oapi.Unavailable || rd.Checks[0].Ok || *rd.Checks[0].Detail != "connection refused" || !rd.Checks[1].Ok {
		t.Fatalf("%+v", rd)
	}
}

func TestUnknownRouteAndMethodAreProblems(t *testing.T) {
	f := newFixture(t, api.Spec)
	r := f.client.Do("GET", "/api/v1/nothing-here", nil)
	p := r.Problem(t)
	if r.Status != 404 || p.Code != "not_found" || p.RequestID != r.Header.Get("X-Request-Id") || p.Type != "urn:recouvra:problem:not_found" {
		t.Fatalf("%d %+v", r.Status, p)
	}
	r = f.client.Do("DELETE", "/healthz", nil)
	if p := r.Problem(t); r.Status != 405 || p.Code != "method_not_allowed" {
		t.Fatalf("%d %+v", r.Status, p)
	}
}

func TestPanicIsA500ProblemWithTheStackOnlyInTheLog(t *testing.T) {
	f := newFixture(t, api.Spec)
	f.api.engine.GET("/boom", func(*gin.Context) { panic("kaboom: secret detail") })
	r := f.client.Do("GET", "/boom", nil)
	p := r.Problem(t)
	if r.Status != 500 || p.Code != "internal" || p.RequestID == "" {
		t.Fatalf("%d %+v", r.Status, p)
	}
	if strings.Contains(string(r.Body), "kaboom") || strings.Contains(string(r.Body), "goroutine") {
		t.Fatalf("panic details leaked to the client: %s", r.Body)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "kaboom") || !strings.Contains(logs, "httpapi_test.go") || !strings.Contains(logs, p.RequestID) {
		t.Fatalf("the log must hold the panic, its stack and the request id: %s", logs)
	}
}

// thingsSpec is a contract with a JSON body, to exercise request validation
// independently of the product's routes.
var thingsSpec = []byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things:
    post:
      operationId: postThing
      x-rbac: public
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [name, amount_cents]
              properties:
                name: {type: string, minLength: 1}
                amount_cents: {type: integer, minimum: 1}
                kind: {type: string, enum: [invoice, credit_note]}
      responses:
        "204": {description: ok}
        default:
          description: problem
          content:
            application/problem+json:
              schema: {type: object}
`)

func TestRequestValidation(t *testing.T) {
	f := newFixture(t, thingsSpec)
	var reached int
	f.api.contract.POST("/things", func(c *gin.Context) { reached++; c.Status(204) })

	r := f.client.Do("POST", "/things", `{"name": "x", `)
	if p := r.Problem(t); r.Status != 400 || p.Code != "malformed_request" {
		t.Fatalf("malformed JSON: %d %+v", r.Status, p)
	}

	r = f.client.Do("POST", "/things", map[string]any{"amount_cents": -5, "kind": "bribe", "colour": "red"})
	p := r.Problem(t)
	if r.Status != 422 || p.Code != "validation" {
		t.Fatalf("invalid body: %d %+v", r.Status, p)
	}
	got := map[string]string{}
	for _, e := range p.Errors {
		got[e.Field] = e.Code + ": " + e.Message
	}
	want := map[string]string{
		"body.name":         "required: Ce champ est obligatoire.",
		"body.amount_cents": "minimum: La valeur doit être au moins 1.",
		"body.kind":         "enum: Valeur non autorisée ; valeurs possibles : invoice, credit_note.",
		"body.colour":       "additionalProperties: Champ inconnu.",
	}
	for field, w := range want {
		if got[field] != w {
			t.Errorf("%s: got %q, want %q (all: %v)", field, got[field], w, got)
		}
	}

	if r := f.client.Do("POST", "/things", map[string]any{"name": "ok", "amount_cents": 100}); r.Status != 204 {
		t.Fatalf("valid body: %d %s", r.Status, r.Body)
	}
	if reached != 1 {
		t.Fatalf("only the valid request may reach the handler, reached %d times", reached)
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	f := newFixture(t, api.Spec)
	f.client.Do("GET", "/healthz", nil)
	f.client.Do("GET", "/api/no/such/thing", nil)
	resp, err := http.Get(f.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`recouvra_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`recouvra_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`recouvra_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le=`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestSpecAndDocsAreServedFromTheBinary(t *testing.T) {
	f := newFixture(t, api.Spec)
	get := func(path string) (*http.Response, []byte) {
		resp, err := http.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, body := get("/api/openapi.yaml")
	if resp.StatusCode != 200 || !bytes.Equal(body, api.Spec) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/yaml") {
		t.Fatalf("spec: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, body = get("/api/docs")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `spec-url="/api/openapi.yaml"`) {
		t.Fatalf("docs page: %d", resp.StatusCode)
	}
	if strings.Contains(string(body), "https://") {
		t.Fatal("the docs page must not load anything from the internet")
	}
	resp, body = get("/api/docs/redoc.standalone.js")
	if resp.StatusCode != 200 || len(body) < 500_000 {
		t.Fatalf("redoc bundle: %d, %d bytes", resp.StatusCode, len(body))
	}
}

func TestEveryOperationNeedsAPolicy(t *testing.T) {
	spec := []byte(strings.Replace(string(thingsSpec), "      x-rbac: public\n", "", 1))
	_, err := New(context.Background(), Deps{
		Logger: slog.New(slog.DiscardHandler), Spec: spec, Registry: prometheus.NewRegistry(), Authn: tokens{}, Authz: policy(t),
	})
	if err == nil || !strings.Contains(err.Error(), "postThing has no x-rbac") {
		t.Fatalf("want a start-up error naming the operation, got %v", err)
	}
	spec = []byte(strings.Replace(string(thingsSpec), "x-rbac: public", "x-rbac: things:write", 1))
	_, err = New(context.Background(), Deps{
		Logger: slog.New(slog.DiscardHandler), Spec: spec, Registry: prometheus.NewRegistry(), Authn: tokens{}, Authz: policy(t),
	})
	if err == nil || !strings.Contains(err.Error(), "no policy line grants things:write") {
		t.Fatalf("want a start-up error naming the missing policy, got %v", err)
	}
}

func TestGateOrderAuthenticateThenAuthorizeThenValidate(t *testing.T) {
	spec := []byte(strings.Replace(string(thingsSpec), "x-rbac: public", "x-rbac: users:write", 1))
	logs := &apitest.LogBuffer{}
	a, err := New(context.Background(), Deps{
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Spec: spec, Registry: prometheus.NewRegistry(),
		Authn: tokens{"admin-token": {Role: recouvra.RoleAdmin}, "agent-token": {Role: recouvra.RoleAgent}},
		Authz: policy(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	a.contract.POST("/things", func(c *gin.Context) { c.Status(204) })
	srv := httptest.NewServer(a)
	defer srv.Close()
	c := apitest.NewWithSpec(t, srv.URL, spec)

	bad := map[string]any{"amount_cents": 0}
	r := c.Do("POST", "/things", bad)
	if p := r.Problem(t); r.Status != 401 || p.Code != "unauthorized" || r.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("anonymous: %d %+v", r.Status, p)
	}
	r = c.Do("POST", "/things", bad, "Authorization", "Bearer nope")
	if r.Status != 401 {
		t.Fatalf("unknown token: %d", r.Status)
	}
	r = c.Do("POST", "/things", bad, "Authorization", "Basic YWRtaW46YWRtaW4=")
	if r.Status != 401 {
		t.Fatalf("another scheme: %d", r.Status)
	}
	r = c.Do("POST", "/things", bad, "Authorization", "Bearer agent-token")
	if p := r.Problem(t); r.Status != 403 || p.Code != "forbidden" {
		t.Fatalf("agent: %d %+v", r.Status, p)
	}
	r = c.Do("POST", "/things", bad, "Authorization", "Bearer admin-token")
	if r.Status != 422 {
		t.Fatalf("admin, invalid body: %d", r.Status)
	}
	r = c.Do("POST", "/things", map[string]any{"name": "x", "amount_cents": 1}, "Authorization", "bearer admin-token")
	if r.Status != 204 {
		t.Fatalf("admin, valid body: %d %s", r.Status, r.Body)
	}
	if strings.Contains(logs.String(), "admin-token") {
		t.Fatal("a token appeared in the logs")
	}
}

func TestWebAppIsServedWithDeepLinks(t *testing.T) {
	app := fstest.MapFS{
		"index.html":             {Data: []byte("<!doctype html><div id=root></div>")},
		"assets/app-1a2b3c4d.js": {Data: []byte("console.log(1)")},
		"favicon.svg":            {Data: []byte("<svg/>")},
	}
	a, err := New(context.Background(), Deps{Logger: slog.New(slog.DiscardHandler), Spec: api.Spec, Registry: prometheus.NewRegistry(),
		Authn: tokens{}, Authz: policy(t), Web: app})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a)
	defer srv.Close()
	get := func(path string) (*http.Response, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for _, p := range []string{"/", "/dossiers/123", "/portail"} {
		if resp, body := get(p); resp.StatusCode != 200 || !strings.Contains(body, "id=root") {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
	if resp, body := get("/assets/app-1a2b3c4d.js"); resp.StatusCode != 200 || body != "console.log(1)" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("asset: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp, body := get("/api/v1/nothing"); resp.StatusCode != 404 || !strings.Contains(body, `"code":"not_found"`) {
		t.Errorf("API 404 must stay problem+json: %d %s", resp.StatusCode, body)
	}

	// Without a build, / says how to make one.
	b, err := New(context.Background(), Deps{Logger: slog.New(slog.DiscardHandler), Spec: api.Spec, Registry: prometheus.NewRegistry(), Authn: tokens{}, Authz: policy(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv2 := httptest.NewServer(b)
	defer srv2.Close()
	resp, err := http.Get(srv2.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "make web") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/recouvra/recouvra/api"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// fuzzOp is one operation of the contract with its path's ids filled in.
type fuzzOp struct {
	method, path string // path with real ids
	template     string // as in api/openapi.yaml, for messages
	body         []byte // a body the operation's schema accepts, its strings fuzzMark, or nil
}

// fuzzMark stands for every string of an operation's example body; the
// seeds replace it with hostile text, so that the hostile text is in a
// body that passes the contract's validation and would reach PostgreSQL
// if the gate let it through.
const fuzzMark = "FUZZMARK"

// fuzzTexts replace fuzzMark in the seeds: raw JSON string contents.
var fuzzTexts = []string{`a\u0000b`, `x\ud800y`, "caf\xe9", `Zoë Ελλάδα 東京 \ud83d\ude00`}

// hostileSeeds are the inputs the gate must refuse without a 5xx; the
// fuzzer starts from them and from a few well-formed bodies.
var hostileSeeds = []string{
	`{"type":"note","data":{"text":"a\u0000b"}}`,
	`{"type":"note","data":{"text":"\ud800"}}`,
	"{\"name\":\"caf\xe9\",\"email\":\"x@y.fr\"}",
	strings.Repeat(`{"a":`, 64) + "1" + strings.Repeat("}", 64),
	`{"name":"a","name":"b"}`,
	`{"amount_cents":1} trailing`,
	`{"amount_cents":1e999999,"received_on":"2026-01-01","method":"transfer"}`,
	`{"amount_cents":-9223372036854775809}`,
	`[` + strings.Repeat("0,", 20_000) + `0]`,
	`{"a\u0000":1}`,
	`{"type":"note","data":{"text":"Zoë — Ελλάδα — 東京 \ud83d\ude00"}}`,
	`{"email":"admin@recouvra.test","password":"mot de passe de test, assez long"}`,
	`{"kind":"statement","case_ids":["00000000-0000-0000-0000-000000000000"]}`,
	``,
}

var hostileQueries = []string{"q=a%00b", "q=caf%E9", "q=%zz", "limit=99999999999999999999", "cursor=\x00", "status=%ff&due=1", ""}

var hostileHeaders = []string{"a\x00b", "caf\xe9", "\"1\"", "\r\nX-Injected: 1", "\xed\xa0\x80", strings.Repeat("x", 5000), ""}

// FuzzGate feeds random bodies, query strings and header values to every
// operation of the contract, through the server's real router on a real
// database, as an administrator and as a creditor, and fails on any 5xx:
// hostile input is the caller's fault, always a 4xx. The requests are
// handed to the handler directly so that they may carry what no HTTP
// client sends (NUL in headers, raw bytes in the query).
func FuzzGate(f *testing.F) {
	// No rate limit and no sign-in throttle: the fuzzer is one very busy
	// caller, and it signs in again after it signed itself out.
	w := newWorldWith(f, io.Discard, func(c *config.Config) { c.RateLimit, c.LoginMaxFailures = 0, 0 })
	ops := fuzzOps(f, w)
	for i, op := range ops {
		for k := range 3 {
			f.Add(uint16(i), (i+k)%2 == 0,
				hostileQueries[(i+k)%len(hostileQueries)],
				[]byte(hostileSeeds[(i*3+k)%len(hostileSeeds)]),
				hostileHeaders[(i+k)%len(hostileHeaders)])
		}
		if op.body == nil {
			continue
		}
		for k, text := range fuzzTexts {
			f.Add(uint16(i), k%2 == 1, "", bytes.ReplaceAll(op.body, []byte(fuzzMark), []byte(text)), "")
		}
	}
	handler := w.srv.Handler()
	tokens := map[bool]string{false: w.tokens["admin"], true: w.tokens["creditor"]}
	emails := map[bool]string{false: w.users["admin"].Email, true: w.users["creditor"].Email}

	f.Fuzz(func(t *testing.T, opIndex uint16, asCreditor bool, query string, body []byte, header string) {
		op := ops[int(opIndex)%len(ops)]
		send := func() *httptest.ResponseRecorder {
			req := httptest.NewRequest(op.method, "/", bytes.NewReader(body))
			req.URL.Path = op.path
			req.URL.RawQuery = query
			req.RequestURI = op.path + "?" + query
			if len(body) == 0 {
				req.Body, req.ContentLength = http.NoBody, 0
			} else {
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("Authorization", "Bearer "+tokens[asCreditor])
			req.Header.Set("Accept-Encoding", "gzip, zstd")
			req.Header["X-Fuzz"] = []string{header}
			req.Header["If-Match"] = []string{header}
			req.Header["Idempotency-Key"] = []string{header}
			// The event stream answers until its client leaves.
			wait := 20 * time.Second
			if strings.HasSuffix(op.template, "/stream") {
				wait = 100 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req.WithContext(ctx))
			return rec
		}
		rec := send()
		if rec.Code == http.StatusUnauthorized && op.template != "/api/v1/auth/login" {
			// The fuzzer signed out (POST /auth/logout): sign in again.
			tokens[asCreditor] = fuzzLogin(t, handler, emails[asCreditor])
			rec = send()
		}
		if rec.Code >= 500 {
			t.Fatalf("%s %s (as creditor: %v)\nquery %q\nheader %q\nbody %q\n→ %d %s", op.method, op.template, asCreditor, query, header, body, rec.Code, rec.Body)
		}
	})
}

// fuzzOps lists every operation of the contract with its path parameters
// replaced by ids of the world (a throwaway user and API key, so that the
// fuzzer may deactivate or revoke them).
func fuzzOps(t testing.TB, w *world) []fuzzOp {
	ctx := context.Background()
	doc, err := api.Load(ctx, api.Spec)
	if err != nil {
		t.Fatal(err)
	}
	spare := w.createUser("fuzz-"+w.unique()+"@recouvra.test", recouvra.RoleAgent, nil)
	key, err := w.svc.CreateAPIKey(ctx, app.System, w.credA.ID, "clé à révoquer", app.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{
		"users":                spare.ID.String(),
		"creditors":            w.credA.ID.String(),
		"api-keys":             key.ID.String(),
		"debtors":              w.caseA.Debtor.ID.String(),
		"cases":                w.caseA.Case.ID.String(),
		"documents":            w.document(w.caseA.Case.ID).String(),
		"document-batches":     w.batch().String(),
		"payments":             w.payment(w.caseA.Case.ID).String(),
		"bank-entries":         w.unmatchedEntry().String(),
		"notifications":        w.notification().String(),
		"plans":                w.freshPlan(w.credA.ID, true).String(),
		"remittance-runs":      w.remittanceRun().String(),
		"invoices":             func() string { a, _ := w.invoicePair(); return a.String() }(),
		"strategies":           w.freshStrategy(),
		"call-tasks":           w.freshCallTask(w.caseA.Case.ID),
		"strategy-experiments": w.experimentFor(own),
		"strategy-runs":        w.letterPass(),
		"imports":              w.importFor(w.credA.ID).String(),
		"webhook-endpoints":    w.fuzzWebhook(false),
		"webhook-deliveries":   w.fuzzWebhook(true),
	}
	var ops []fuzzOp
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			segs := strings.Split(path, "/")
			for i, s := range segs {
				if strings.HasPrefix(s, "{") {
					id, ok := ids[segs[i-1]]
					if !ok {
						t.Fatalf("%s: no id for %s in the fuzz world", path, s)
					}
					segs[i] = id
				}
			}
			op := fuzzOp{method: method, path: strings.Join(segs, "/"), template: path}
			if rb := item.GetOperation(method).RequestBody; rb != nil && rb.Value != nil {
				if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					op.body, _ = json.Marshal(exampleOf(mt.Schema.Value, ids, "", 0))
				}
			}
			ops = append(ops, op)
		}
	}
	// A fixed order: the corpus names operations by index.
	sort.Slice(ops, func(i, j int) bool { return ops[i].template+ops[i].method < ops[j].template+ops[j].method })
	return ops
}

// fuzzLogin signs in through the handler (the fuzz target may not use the
// world's helpers, which fail the outer test).
func fuzzLogin(t *testing.T, h http.Handler, email string) string {
	body, _ := json.Marshal(map[string]string{"email": email, "password": testPassword})
	req := httptest.NewRequest("POST", "/api/v1/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out struct{ Token string }
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		t.Fatalf("sign in again as %s: %d %s", email, rec.Code, rec.Body)
	}
	return out.Token
}

// exampleOf builds a value that schema accepts, every free string being
// fuzzMark, ids taken from the world by the property's name.
func exampleOf(s *openapi3.Schema, ids map[string]string, name string, depth int) any {
	if s == nil || depth > 6 {
		return nil
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	for _, alt := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf, s.AllOf} {
		if len(alt) > 0 {
			return exampleOf(alt[0].Value, ids, name, depth+1)
		}
	}
	switch {
	case s.Type.Is("object") || len(s.Properties) > 0:
		out := map[string]any{}
		for prop, ref := range s.Properties {
			if ref.Value == nil || ref.Value.ReadOnly {
				continue
			}
			if v := exampleOf(ref.Value, ids, prop, depth+1); v != nil {
				out[prop] = v
			}
		}
		if len(s.Properties) == 0 { // free-form data: a field of text
			out["note"] = fuzzMark
		}
		return out
	case s.Type.Is("array"):
		var item *openapi3.Schema
		if s.Items != nil {
			item = s.Items.Value
		}
		return []any{exampleOf(item, ids, strings.TrimSuffix(name, "s"), depth+1)}
	case s.Type.Is("integer"), s.Type.Is("number"):
		if s.Min != nil && *s.Min > 1 {
			return *s.Min
		}
		return 1
	case s.Type.Is("boolean"):
		return false
	}
	switch s.Format {
	case "uuid":
		for prefix, id := range map[string]string{"creditor": ids["creditors"], "debtor": ids["debtors"], "user": ids["users"],
			"agent": ids["users"], "lawyer": ids["users"], "document": ids["documents"], "payment": ids["payments"], "supersedes": ids["documents"]} {
			if strings.Contains(name, prefix) {
				return id
			}
		}
		return ids["cases"]
	case "date":
		return time.Now().Format("2006-01-02")
	case "date-time":
		return time.Now().UTC().Format(time.RFC3339)
	case "email":
		return fuzzMark + "@recouvra.test"
	}
	if s.Pattern != "" || (s.MaxLength != nil && *s.MaxLength < uint64(len(fuzzMark)+10)) {
		return nil // a code with a shape of its own: left out
	}
	return fuzzMark
}

// notification is one of the creditor user's notifications: the payment
// the fuzz world records on its case (ids["payments"]) tells it.
func (w *world) notification() uuid.UUID {
	w.t.Helper()
	u := w.users["creditor"]
	p := recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: u.ID, Email: u.Email, Role: recouvra.RoleCreditor, CreditorID: u.CreditorID}
	page, err := w.svc.Notifications(context.Background(), p, app.PageRequest{Limit: 1})
	if err != nil || len(page.Items) == 0 {
		w.t.Fatalf("the creditor's notification: %v %+v", err, page)
	}
	return page.Items[0].Event.ID
}

package server_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/config"
)

// rawDo sends a request with any bytes, outside apitest (whose contract
// check knows only the statuses the spec declares), and reads the answer.
func rawDo(t *testing.T, w *world, as, method, path string, body io.Reader, header ...string) *apitest.Response {
	t.Helper()
	req, err := http.NewRequest(method, w.srv.URL()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if tok, ok := w.tokens[as]; ok {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// TestHostileInputIsRefusedAtTheGate sends every kind of hostile text the
// gate must stop, in the body, the query and the headers, and checks the
// status, the code and the field named: nothing of it may reach
// PostgreSQL (a NUL there is a 500).
func TestHostileInputIsRefusedAtTheGate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	events := "/api/v1/cases/" + w.caseA.Case.ID.String() + "/events"
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	long := `{"type":"note","data":{"list":[` + strings.TrimSuffix(strings.Repeat("0,", 10_001), ",") + `]}}`
	for _, tc := range []struct {
		name         string
		as           string
		method, path string
		body         string
		header       []string
		status       int
		code, field  string
	}{
		{"NUL in a data string", "agent", "POST", events, `{"type":"note","data":{"text":"a\u0000b"}}`, nil, 422, "validation", "body.data.text"},
		{"NUL deep in data", "agent", "POST", events, `{"type":"note","data":{"x":{"y":["ok","\u0000"]}}}`, nil, 422, "validation", "body.data.x.y.1"},
		{"NUL in a key", "agent", "POST", events, `{"type":"note","data":{"a\u0000":"x"}}`, nil, 422, "validation", `body.data.a\u0000`},
		{"NUL at the top", "agent", "POST", events, `{"type":"note\u0000"}`, nil, 422, "validation", "body.type"},
		{"lone high surrogate", "agent", "POST", events, `{"type":"note","data":{"text":"\ud800"}}`, nil, 422, "validation", "body.data.text"},
		{"lone low surrogate", "agent", "POST", events, `{"type":"note","data":{"text":"x\udc00x"}}`, nil, 422, "validation", "body.data.text"},
		{"high surrogate then a letter", "agent", "POST", events, `{"type":"note","data":{"text":"\ud800\u0041"}}`, nil, 422, "validation", "body.data.text"},
		{"invalid UTF-8 in JSON", "agent", "POST", events, "{\"type\":\"note\",\"data\":{\"text\":\"caf\xe9\"}}", nil, 422, "validation", "body.data.text"},
		{"trailing garbage", "agent", "POST", events, `{"type":"note"} x`, nil, 400, "malformed_request", ""},
		{"two JSON values", "agent", "POST", events, `{"type":"note"} {"type":"note"}`, nil, 400, "malformed_request", ""},
		{"not JSON", "agent", "POST", events, `{"type":`, nil, 400, "malformed_request", ""},
		{"duplicate key", "agent", "POST", events, `{"type":"note","type":"call"}`, nil, 422, "validation", "body.type"},
		{"duplicate nested key", "agent", "POST", events, `{"type":"note","data":{"a":1,"b":{"c":1,"c":2}}}`, nil, 422, "validation", "body.data.b.c"},
		{"too deep", "agent", "POST", events, `{"type":"note","data":` + deep + `}`, nil, 422, "validation", "body.data" + strings.Repeat(".a", 31)},
		{"array too long", "agent", "POST", events, long, nil, 422, "validation", "body.data.list"},
		{"NUL in a public body", "", "POST", "/api/v1/auth/login", `{"email":"a\u0000@b.fr","password":"x"}`, nil, 422, "validation", "body.email"},
		{"NUL in the query", "agent", "GET", "/api/v1/cases?q=a%00b", "", nil, 422, "validation", "query.q"},
		{"invalid UTF-8 in the query", "agent", "GET", "/api/v1/cases?q=caf%E9", "", nil, 422, "validation", "query.q"},
		{"bad escape in the query", "agent", "GET", "/api/v1/debtors?q=%zz", "", nil, 422, "validation", "query"},
		{"invalid UTF-8 in a header", "agent", "GET", "/api/v1/cases", "", []string{"X-Note", "caf\xe9"}, 422, "validation", "header.X-Note"},
		{"invalid UTF-8 in the user agent", "", "POST", "/api/v1/auth/login", `{"email":"x@y.fr","password":"x"}`, []string{"User-Agent", "bot\xff"}, 422, "validation", "header.User-Agent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			r := rawDo(t, w, tc.as, tc.method, tc.path, body, tc.header...)
			if r.Status != tc.status {
				t.Fatalf("want %d, got %d: %s", tc.status, r.Status, r.Body)
			}
			p := r.Problem(t)
			if p.Code != tc.code || p.Detail == "" {
				t.Fatalf("want code %s and a French detail, got %+v", tc.code, p)
			}
			if tc.field == "" {
				return
			}
			for _, f := range p.Errors {
				if f.Field == tc.field && f.Message != "" {
					return
				}
			}
			t.Fatalf("no error names %s: %s", tc.field, r.Body)
		})
	}

	t.Run("NUL in a header", func(t *testing.T) {
		// No HTTP client sends it and net/http's server refuses it on the
		// wire; behind another front end it could arrive, so the gate checks.
		req := httptest.NewRequest("GET", "/api/v1/cases", nil)
		req.Header.Set("Authorization", "Bearer "+w.tokens["agent"])
		req.Header["X-Note"] = []string{"a\x00b"}
		rec := httptest.NewRecorder()
		w.srv.Handler().ServeHTTP(rec, req)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"field":"header.X-Note"`) {
			t.Fatalf("want 422 naming header.X-Note, got %d: %s", rec.Code, rec.Body)
		}
	})

	for _, tc := range []struct{ name, kind, file, field string }{
		{"invalid UTF-8 in an upload's file name", "contract", "contrat\xe9.pdf", "form.file"},
		{"NUL in an upload's form field", "contract\x00", "contrat.pdf", "form.kind"},
		{"invalid UTF-8 in an upload's form field", "contr\xe9t", "contrat.pdf", "form.kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			_ = mw.WriteField("kind", tc.kind)
			part, _ := mw.CreateFormFile("file", tc.file)
			_, _ = part.Write([]byte("%PDF-1.4\n%%EOF\n"))
			_ = mw.Close()
			r := rawDo(t, w, "agent", "POST", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/attachments", &buf, "Content-Type", mw.FormDataContentType())
			if r.Status != 422 || !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
				t.Fatalf("want 422 naming %s, got %d: %s", tc.field, r.Status, r.Body)
			}
		})
	}

	t.Run("a JSON operation sent as multipart", func(t *testing.T) {
		// Only upload operations skip the gate's body checks.
		r := rawDo(t, w, "agent", "POST", events, strings.NewReader(`{"type":"note","data":{"text":"a\u0000b"}}`),
			"Content-Type", "multipart/form-data; boundary=x")
		if r.Status < 400 || r.Status >= 500 {
			t.Fatalf("want a 4xx, got %d: %s", r.Status, r.Body)
		}
		r.Problem(t)
	})

	t.Run("any valid Unicode goes through unchanged", func(t *testing.T) {
		text := "Zoë Ångström — Ελλάδα — Москва — 東京 — 😀"
		r := w.as("agent").Do("POST", events, `{"type":"note","data":{"text":"Zoë Ångström — Ελλάδα — Москва — 東京 — \ud83d\ude00"}}`)
		if r.Status != 201 {
			t.Fatalf("want 201, got %d: %s", r.Status, r.Body)
		}
		var e struct{ Data map[string]any }
		r.Decode(t, &e)
		if e.Data["text"] != text {
			t.Fatalf("text changed on the way: %q", e.Data["text"])
		}
	})
}

// TestBodiesAreBounded checks the body limit with a small configured one:
// refused with 413 from Content-Length before reading, and after the limit
// when the body comes chunked; uploads keep their own limit.
func TestBodiesAreBounded(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.MaxBodyBytes = 4096 })
	events := "/api/v1/cases/" + w.caseA.Case.ID.String() + "/events"
	note := func(n int) string { return `{"type":"note","data":{"text":"` + strings.Repeat("é", n/2) + `"}}` }

	if r := rawDo(t, w, "agent", "POST", events, strings.NewReader(note(3000))); r.Status != 201 {
		t.Fatalf("a body under the limit: want 201, got %d: %s", r.Status, r.Body)
	}
	for name, body := range map[string]io.Reader{
		"Content-Length": strings.NewReader(note(5000)),
		// io.MultiReader hides the length: the client sends it chunked.
		"chunked": io.MultiReader(strings.NewReader(note(5000))),
	} {
		r := rawDo(t, w, "agent", "POST", events, body)
		if r.Status != 413 {
			t.Fatalf("%s: want 413, got %d: %s", name, r.Status, r.Body)
		}
		if p := r.Problem(t); p.Code != "too_large" || !strings.Contains(p.Detail, "4 Kio") {
			t.Fatalf("%s: %+v", name, p)
		}
	}

	// An upload larger than the body limit is still accepted.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("kind", "contract")
	part, _ := mw.CreateFormFile("file", "contrat.pdf")
	_, _ = part.Write(append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("%"+strings.Repeat("x", 99)+"\n"), 100)...))
	_, _ = part.Write([]byte("%%EOF\n"))
	_ = mw.Close()
	if r := rawDo(t, w, "agent", "POST", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/attachments", &buf, "Content-Type", mw.FormDataContentType()); r.Status != 201 {
		t.Fatalf("upload over the body limit: want 201, got %d: %s", r.Status, r.Body)
	}
}

// TestRateLimit checks the per-caller token bucket: the burst goes
// through with RateLimit-* headers counting down, the next request is 429
// with Retry-After, and another caller is not affected.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	// The burst covers the world's sign-ins, which share the address's
	// bucket: one per user of the world.
	const burst = 6
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.RateLimit = 0.01; c.RateBurst = burst })
	// The world's set-up spent tokens signing in; start from what is left.
	var last int
	for i := 0; ; i++ {
		r := rawDo(t, w, "agent", "GET", "/api/v1/me", nil)
		if r.Header.Get("RateLimit-Limit") != strconv.Itoa(burst) {
			t.Fatalf("RateLimit-Limit %q", r.Header.Get("RateLimit-Limit"))
		}
		if r.Status == 429 {
			if i == 0 {
				t.Fatal("the first request of a fresh caller was refused")
			}
			p := r.Problem(t)
			retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
			if p.Code != "too_many_requests" || err != nil || retry < 1 || r.Header.Get("RateLimit-Remaining") != "0" {
				t.Fatalf("429 without its headers: %v %s", r.Header, r.Body)
			}
			if last != 0 {
				t.Fatalf("refused with %d requests left announced", last)
			}
			break
		}
		if r.Status != 200 {
			t.Fatalf("%d: %s", r.Status, r.Body)
		}
		remaining, err := strconv.Atoi(r.Header.Get("RateLimit-Remaining"))
		if err != nil || (i > 0 && remaining != last-1) {
			t.Fatalf("RateLimit-Remaining %q after %d", r.Header.Get("RateLimit-Remaining"), last)
		}
		if reset, err := strconv.Atoi(r.Header.Get("RateLimit-Reset")); err != nil || reset < 1 {
			t.Fatalf("RateLimit-Reset %q", r.Header.Get("RateLimit-Reset"))
		}
		last = remaining
		if i >= burst {
			t.Fatal("more requests than the burst went through")
		}
	}
	if r := rawDo(t, w, "lawyer", "GET", "/api/v1/me", nil); r.Status != 200 {
		t.Fatalf("another caller must keep its own bucket: %d", r.Status)
	}
}

// TestDefaultLimitsAreGenerous: the defaults must stay out of the way of
// a person, the web app and the tests.
func TestDefaultLimitsAreGenerous(t *testing.T) {
	d := config.Default()
	if d.MaxBodyBytes != 1<<20 || d.RateLimit < 50 || d.RateBurst < 500 {
		t.Fatalf("%+v", d)
	}
}

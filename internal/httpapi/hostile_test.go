package httpapi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/zstd"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/recouvra/recouvra/api"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func TestScreenJSON(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		code       recouvra.Code // "" = accepted
		field      string
	}{
		{"plain", `{"a":"b","c":[1,2,{"d":null}]}`, "", ""},
		{"escapes and a pair", `{"a":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`, "", ""},
		{"raw UTF-8", `{"a":"Ελλάδα 東京 😀"}`, "", ""},
		{"same key in two objects", `[{"a":1},{"a":2}]`, "", ""},
		{"32 levels", strings.Repeat("[", 32) + strings.Repeat("]", 32), "", ""},
		{"33 levels", strings.Repeat("[", 33) + strings.Repeat("]", 33), recouvra.ECodeInvalid, "body" + strings.Repeat(".0", 32)},
		{"NUL", `{"a":{"b":"\u0000"}}`, recouvra.ECodeInvalid, "body.a.b"},
		{"NUL in key", `{"a\u0000b":1}`, recouvra.ECodeInvalid, `body.a\u0000b`},
		{"lone high", `["\ud83d"]`, recouvra.ECodeInvalid, "body.0"},
		{"high then high", `["\ud83d\ud83d"]`, recouvra.ECodeInvalid, "body.0"},
		{"lone low", `{"k":"\ude00"}`, recouvra.ECodeInvalid, "body.k"},
		{"bad UTF-8", "{\"k\":\"\xc3\x28\"}", recouvra.ECodeInvalid, "body.k"},
		{"bad UTF-8 in key", "{\"\xff\":1}", recouvra.ECodeInvalid, "body.\uFFFD"},
		{"duplicate", `{"a":1,"b":2,"a":3}`, recouvra.ECodeInvalid, "body.a"},
		{"duplicate after escape", `{"a":1,"\u0061":2}`, recouvra.ECodeInvalid, "body.a"},
		{"trailing", `{} 1`, recouvra.ECodeMalformed, ""},
		{"trailing comma", `{"a":1,}`, recouvra.ECodeMalformed, ""},
		{"two values", `1 2`, recouvra.ECodeMalformed, ""},
		{"huge number", `{"n":1e999999999}`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := screenJSON([]byte(tc.body))
			if recouvra.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) {
				t.Fatalf("want %q, got %v", tc.code, err)
			}
			if tc.field == "" {
				return
			}
			e := err.(*recouvra.Error)
			if len(e.Fields) != 1 || e.Fields[0].Field != tc.field || e.Fields[0].Message == "" {
				t.Fatalf("want one error on %s, got %+v", tc.field, e.Fields)
			}
		})
	}
	big := "[" + strings.TrimSuffix(strings.Repeat("1,", maxJSONArray), ",") + "]"
	if err := screenJSON([]byte(big)); err != nil {
		t.Fatalf("%d elements are allowed: %v", maxJSONArray, err)
	}
	if err := screenJSON([]byte(big[:len(big)-1] + ",1]")); recouvra.ErrorCode(err) != recouvra.ECodeInvalid {
		t.Fatalf("%d elements: want a refusal, got %v", maxJSONArray+1, err)
	}
}

func TestPickEncoding(t *testing.T) {
	for accept, want := range map[string]string{
		"":                         "",
		"gzip":                     "gzip",
		"gzip, deflate, br, zstd":  "zstd",
		"br":                       "",
		"zstd;q=0.5, gzip":         "gzip",
		"zstd;q=0, gzip;q=0.1":     "gzip",
		"gzip;q=0":                 "",
		"*":                        "zstd",
		"*;q=0.5, zstd;q=0":        "gzip",
		"identity":                 "",
		"GZIP;Q=1":                 "gzip",
		"gzip;q=abc":               "",
		"zstd;q=0.8,gzip;q=0.9,br": "gzip",
	} {
		if got := pickEncoding(accept); got != want {
			t.Errorf("Accept-Encoding %q: want %q, got %q", accept, want, got)
		}
	}
}

// compressServer serves a few kinds of responses behind compress().
func compressServer(t *testing.T) *httptest.Server {
	e := gin.New()
	e.Use(compress())
	big := `{"items":"` + strings.Repeat("créance ", 1000) + `"}`
	e.GET("/big", func(c *gin.Context) { c.Data(200, "application/json", []byte(big)) })
	e.GET("/small", func(c *gin.Context) { c.Data(200, "application/json", []byte(`{"a":1}`)) })
	e.GET("/pdf", func(c *gin.Context) { c.Data(200, "application/pdf", []byte(strings.Repeat("%PDF", 1000))) })
	e.GET("/pieces", func(c *gin.Context) {
		c.Header("Content-Type", "text/plain; charset=utf-8")
		for i := 0; i < 300; i++ {
			fmt.Fprintf(c.Writer, "ligne %d\n", i)
		}
	})
	e.GET("/stream", func(c *gin.Context) {
		c.Header("Content-Type", "text/event-stream")
		c.Status(200)
		fmt.Fprint(c.Writer, "data: un\n\n")
		c.Writer.Flush()
		<-c.Request.Context().Done() // holds the response open: only a flush gets the event out
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

func rawGet(t *testing.T, url, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", accept) // set by hand: the transport then leaves the body alone
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func decode(t *testing.T, encoding string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch encoding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	default:
		return b
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", encoding, err)
	}
	return out
}

func TestCompression(t *testing.T) {
	srv := compressServer(t)
	_, plain := rawGet(t, srv.URL+"/big", "")
	_, pieces := rawGet(t, srv.URL+"/pieces", "")
	for _, tc := range []struct {
		path, accept, want string
		body               []byte
	}{
		{"/big", "gzip", "gzip", plain},
		{"/big", "gzip, zstd", "zstd", plain},
		{"/big", "zstd;q=0.1, gzip", "gzip", plain},
		{"/big", "br", "", plain},
		{"/big", "", "", plain},
		{"/pieces", "gzip", "gzip", pieces},
		{"/small", "gzip, zstd", "", []byte(`{"a":1}`)},
		{"/pdf", "gzip, zstd", "", []byte(strings.Repeat("%PDF", 1000))},
	} {
		resp, b := rawGet(t, srv.URL+tc.path, tc.accept)
		if got := resp.Header.Get("Content-Encoding"); got != tc.want {
			t.Errorf("%s with %q: want encoding %q, got %q", tc.path, tc.accept, tc.want, got)
			continue
		}
		if tc.want != "" && (len(b) >= len(tc.body) || resp.Header.Get("Content-Length") == fmt.Sprint(len(tc.body))) {
			t.Errorf("%s %s: %d bytes for %d", tc.path, tc.want, len(b), len(tc.body))
		}
		if got := decode(t, tc.want, b); !bytes.Equal(got, tc.body) {
			t.Errorf("%s with %q: body differs after decoding", tc.path, tc.accept)
		}
		if tc.path != "/pdf" && !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: no Vary: Accept-Encoding", tc.path)
		}
	}
	if len(plain) < 8000 {
		t.Fatalf("plain body %d bytes", len(plain))
	}
}

// TestCompressionLeavesTheStreamUnbuffered: an event flushed by the
// handler reaches the client while the response is still open.
func TestCompressionLeavesTheStreamUnbuffered(t *testing.T) {
	srv := compressServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/stream", nil)
	req.Header.Set("Accept-Encoding", "gzip, zstd")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ce := resp.Header.Get("Content-Encoding"); ce != "" {
		t.Fatalf("the event stream was compressed (%s)", ce)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "data: un\n" {
		t.Fatalf("first line %q: %v", line, err)
	}
}

func TestSecurityHeaders(t *testing.T) {
	a, err := New(context.Background(), Deps{Logger: slog.New(slog.DiscardHandler), Spec: api.Spec,
		Registry: prometheus.NewRegistry(), Authn: tokens{}, Authz: policy(t)})
	if err != nil {
		t.Fatal(err)
	}
	plain := httptest.NewServer(a)
	defer plain.Close()
	tls := httptest.NewTLSServer(a)
	defer tls.Close()
	for _, tc := range []struct {
		srv  *httptest.Server
		path string
		csp  string
		hsts bool
	}{
		{plain, "/healthz", appCSP, false},
		{plain, "/api/v1/cases", appCSP, false}, // a 401 problem
		{plain, "/", "sha256-", false},          // the "not built" page, its style by hash
		{plain, "/api/docs", docsCSP, false},
		{tls, "/healthz", appCSP, true},
		{tls, "/api/nothing", appCSP, true},
	} {
		resp, err := tc.srv.Client().Get(tc.srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, tc.csp) || !strings.Contains(csp, "frame-ancestors 'none'") ||
			strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("%s: CSP %q", tc.path, csp)
		}
		if tc.csp == appCSP && strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
			t.Errorf("%s: the app's CSP allows inline code", tc.path)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: %v", tc.path, h)
		}
		if got := h.Get("Strict-Transport-Security") != ""; got != tc.hsts {
			t.Errorf("%s: HSTS %v over TLS %v", tc.path, got, tc.hsts)
		}
	}
}

func TestPrecompressedAssets(t *testing.T) {
	js := []byte(strings.Repeat("console.log('créance');\n", 200))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(js)
	_ = zw.Close()
	// No brotli encoder in Go's library: the .br file stands for what
	// precompress.mjs writes, and must come out byte for byte.
	br := bytes.NewBufferString("brotli bytes of the build")
	app := fstest.MapFS{
		"index.html":                  {Data: []byte(`<!doctype html><script type="module" src="/assets/index-AbCd1234.js"></script>`)},
		"assets/index-AbCd1234.js":    {Data: js},
		"assets/index-AbCd1234.js.gz": {Data: gz.Bytes()},
		"assets/index-AbCd1234.js.br": {Data: br.Bytes()},
		"favicon.svg":                 {Data: []byte("<svg/>")},
	}
	e := gin.New()
	e.Use(compress())
	e.NoRoute(webApp(app, func(c *gin.Context) { c.Status(404) }))
	srv := httptest.NewServer(e)
	defer srv.Close()
	for _, tc := range []struct{ accept, want string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip", "gzip"},
		{"br;q=0.5, gzip", "gzip"},
		{"", ""},
		{"zstd", "zstd"}, // no zstd file: compressed on the fly
	} {
		resp, b := rawGet(t, srv.URL+"/assets/index-AbCd1234.js", tc.accept)
		if got := resp.Header.Get("Content-Encoding"); got != tc.want {
			t.Errorf("%q: want %q, got %q", tc.accept, tc.want, got)
			continue
		}
		want := js
		if tc.want == "br" {
			want = br.Bytes()
		}
		if got := decode(t, tc.want, b); !bytes.Equal(got, want) {
			t.Errorf("%q: body differs", tc.accept)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("%q: Content-Type %q", tc.accept, ct)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("hashed asset Cache-Control %q", cc)
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%q: no Vary", tc.accept)
		}
	}
	for _, p := range []string{"/", "/cases/123", "/favicon.svg"} {
		resp, _ := rawGet(t, srv.URL+p, "gzip")
		if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q", p, cc)
		}
	}
}

func TestLimiterForgetsIdleCallers(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	l := newLimiter(10, 20, func() time.Time { return now })
	for i := 0; i < 20; i++ {
		if ok, _, _ := l.take("a"); !ok {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	if ok, remaining, wait := l.take("a"); ok || remaining != 0 || wait <= 0 || wait > 100*time.Millisecond {
		t.Fatalf("over the burst: ok=%v remaining=%d wait=%v", ok, remaining, wait)
	}
	now = now.Add(time.Second)
	if ok, remaining, _ := l.take("a"); !ok || remaining != 9 {
		t.Fatalf("after 1 s at 10/s: ok=%v remaining=%d", ok, remaining)
	}
	for i := 0; i < 1000; i++ {
		l.take(fmt.Sprint("addr:", i))
	}
	if n := l.size(); n != 1001 {
		t.Fatalf("%d buckets", n)
	}
	now = now.Add(time.Hour) // every bucket is full again
	l.take("b")
	if n := l.size(); n != 1 {
		t.Fatalf("idle buckets kept: %d", n)
	}
	// A flood of distinct callers within the refill time stays bounded.
	for i := 0; i < maxBuckets+500; i++ {
		l.take(fmt.Sprint("flood:", i))
	}
	if n := l.size(); n > maxBuckets {
		t.Fatalf("%d buckets for a bound of %d", n, maxBuckets)
	}
}

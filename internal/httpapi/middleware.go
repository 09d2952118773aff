package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// RequestIDHeader carries the request id both ways.
const RequestIDHeader = "X-Request-Id"

type ctxKey int

const requestIDKey ctxKey = iota

// validRequestID accepts ids from a proxy in front of us, but nothing that
// could forge log lines or headers.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// withRequestID takes the caller's X-Request-Id when it is sane, else makes
// one, and puts it on the response, the gin context and the request context.
func withRequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !validRequestID.MatchString(id) {
			id = uuid.Must(uuid.NewV7()).String()
		}
		c.Header(RequestIDHeader, id)
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey, id))
		c.Next()
	}
}

func requestID(c *gin.Context) string {
	id, _ := c.Request.Context().Value(requestIDKey).(string)
	return id
}

// routeLabel is the route template ("/api/v1/cases/:id"), never the raw path,
// so metrics keep a bounded number of series.
func routeLabel(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// accessLog writes one structured line per request.
func accessLog(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		logger.LogAttrs(c.Request.Context(), level, "http request",
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Request.Method),
			slog.String("route", routeLabel(c)),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("client", c.ClientIP()),
		)
	}
}

// httpMetrics counts requests and observes their latency by route, method
// and status.
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recouvra_http_requests_total",
			Help: "HTTP requests served, by route template, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "recouvra_http_request_duration_seconds",
			Help:    "HTTP request latency, by route template, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register http metrics: %w", err)
		}
	}
	return m, nil
}

func (m *httpMetrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		labels := prometheus.Labels{"route": routeLabel(c), "method": c.Request.Method, "status": strconv.Itoa(c.Writer.Status())}
		m.requests.With(labels).Inc()
		m.latency.With(labels).Observe(time.Since(start).Seconds())
	}
}

// recoverPanics turns a panic into a 500 problem carrying the request id;
// the stack goes to the log only.
func recoverPanics(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
				panic(rec) // the client is gone; let net/http handle it
			}
			logger.ErrorContext(c.Request.Context(), "panic in handler",
				"request_id", requestID(c), "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
			if c.Writer.Written() {
				c.Abort()
				return
			}
			writeProblem(c, logger, recouvra.Errorf(recouvra.ECodeInternal, "panic"))
		}()
		c.Next()
	}
}

// appCSP is the Content-Security-Policy of every response but the API
// docs: the web app loads only its own scripts, styles and API (Vite
// builds no inline script or style; React sets style properties through
// the DOM, which CSP allows), and nothing may frame it.
const appCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// docsCSP is the policy of the Redoc page at /api/docs: Redoc injects its
// styles as <style> elements and runs its search index in a blob: worker.
// Scripts still come from this server only.
const docsCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
	"worker-src 'self' blob:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// hsts asks browsers to come back over HTTPS only, for a year.
const hsts = "max-age=31536000; includeSubDomains"

// securityHeaders sets headers every response should have. HSTS only over
// TLS: sent over plain HTTP it is ignored, and a development server on
// http://127.0.0.1 must stay reachable.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if p := c.Request.URL.Path; p == "/api/docs" || strings.HasPrefix(p, "/api/docs/") {
			h.Set("Content-Security-Policy", docsCSP)
		} else {
			h.Set("Content-Security-Policy", appCSP)
		}
		if c.Request.TLS != nil {
			h.Set("Strict-Transport-Security", hsts)
		}
		c.Next()
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

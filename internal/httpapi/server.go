// Package httpapi is Recouvra's HTTP adapter: gin, the handlers generated
// from api/openapi.yaml, request validation against that contract, problem
// details for every error, request ids, access logs and metrics. Only this
// package imports gin.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/recouvra/recouvra/api"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/live"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func init() {
	// gin's mode is process-wide; release mode stops its debug route dump.
	gin.SetMode(gin.ReleaseMode)
}

// Probe is one readiness check: nil from Check means ready.
type Probe struct {
	Name  oapi.CheckName
	Check func(ctx context.Context) error
}

// Deps is what the HTTP layer needs from the rest of the program.
type Deps struct {
	Logger   *slog.Logger
	Version  string
	Spec     []byte // api/openapi.yaml
	Probes   []Probe
	Registry *prometheus.Registry // request metrics are added to it; /metrics serves it
	App      *app.Service         // the use cases behind the handlers
	Authn    Authenticator        // bearer token → principal (normally App)
	Authz    Authorizer           // role policy (internal/rbac)
	Now      func() time.Time     // the clock ("today" for due filters); time.Now when nil
	Live     *live.Hub            // the live event stream's hub (nil: no stream route)
	// MaxUploadBytes bounds an uploaded attachment.
	MaxUploadBytes int64
	// MaxBodyBytes bounds every other request body (0: DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// RateLimit is the requests per second each caller may make to the
	// API, with bursts of RateBurst (0: the defaults; negative: no limit).
	RateLimit float64
	RateBurst int
	// Web is the built web app served at / (nil: a page says how to build it).
	Web fs.FS
	// SessionCookieInsecure drops the Secure flag (and the __Host- prefix)
	// of the web app's session cookie, for plain HTTP on a host other than
	// localhost (RECOUVRA_SESSION_COOKIE_SECURE=false).
	SessionCookieInsecure bool
}

// API is the HTTP handler of the whole service.
type API struct {
	deps    Deps
	closing context.Context // done when the server shuts down: ends live streams
	streams streamHold      // HoldStreams: live streams ended and refused for a while
	close   context.CancelFunc
	engine  *gin.Engine
	cookie  sessionCookie // the web app's session cookie
	// contract is the route group behind the contract gate (authentication,
	// role policy, validation against the spec); every generated route
	// lives in it.
	contract *gin.RouterGroup
}

var _ oapi.StrictServerInterface = (*API)(nil)

// New builds the router: middleware, the generated routes, docs and metrics.
func New(ctx context.Context, deps Deps) (*API, error) {
	if deps.Logger == nil || deps.Registry == nil || deps.Spec == nil || deps.Authn == nil || deps.Authz == nil {
		return nil, errors.New("httpapi: Logger, Registry, Spec, Authn and Authz are required")
	}
	doc, err := api.Load(ctx, deps.Spec)
	if err != nil {
		return nil, err
	}
	if err := checkPolicies(doc, deps.Authz); err != nil {
		return nil, err
	}
	metrics, err := newHTTPMetrics(deps.Registry)
	if err != nil {
		return nil, err
	}
	a := &API{deps: deps, cookie: sessionCookie{insecure: deps.SessionCookieInsecure}}
	a.closing, a.close = context.WithCancel(context.Background())
	var idem Idempotency
	if deps.App != nil {
		idem = deps.App
	}
	gate, err := contractGate(doc, deps.Authn, deps.Authz, idem, deps.gateLimits(), a.cookie, a.fail)
	if err != nil {
		return nil, err
	}

	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true // handlers get the request context through gin.Context
	// Never trust X-Forwarded-For unless a deployment configures proxies.
	if err := e.SetTrustedProxies(nil); err != nil {
		return nil, err
	}
	e.Use(withRequestID(), accessLog(deps.Logger), metrics.middleware(), compress(), recoverPanics(deps.Logger), securityHeaders())
	e.NoRoute(webApp(deps.Web, func(c *gin.Context) {
		a.fail(c, recouvra.Errorf(recouvra.ECodeNotFound, "Aucune ressource à l'adresse %s.", c.Request.URL.Path))
	}))
	e.NoMethod(func(c *gin.Context) {
		a.fail(c, recouvra.Errorf(recouvra.ECodeMethodNotAllowed, "La méthode %s n'est pas acceptée ici.", c.Request.Method))
	})

	registerDocs(e, deps.Spec)
	a.registerDebtorPage(e) // /d/<token>: the debtor's page, HTML outside the contract
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(deps.Registry, promhttp.HandlerOpts{})))

	a.contract = e.Group("", gate)
	oapi.RegisterHandlersWithOptions(a.contract, oapi.NewStrictHandlerWithOptions(a, nil, oapi.StrictGinServerOptions{
		RequestErrorHandlerFunc: func(c *gin.Context, err error) {
			a.fail(c, &recouvra.Error{Code: recouvra.ECodeMalformed, Message: "Le corps de la requête est illisible.", Err: err})
		},
		HandlerErrorFunc: a.fail,
		ResponseErrorHandlerFunc: func(c *gin.Context, err error) {
			a.fail(c, fmt.Errorf("write response: %w", err))
		},
	}), oapi.GinServerOptions{
		ErrorHandler: func(c *gin.Context, err error, status int) {
			// Parameter binding failed (the validator normally catches it first).
			a.fail(c, recouvra.Invalid(err.Error()))
		},
	})
	if deps.Live != nil {
		a.contract.GET("/api/v1/events/stream", a.streamEvents)
	}
	a.contract.GET("/api/v1/documents/:id/content", a.documentContent)
	a.contract.POST("/api/v1/cases/:id/attachments", a.uploadAttachment)
	a.contract.POST("/api/v1/bank-statements", a.importBankStatement)
	a.contract.POST("/api/v1/imports", a.uploadImport)
	a.contract.GET("/api/v1/imports/:id/refused", a.importRefused)
	a.contract.POST("/api/v1/e-invoices", a.uploadEInvoices)
	a.contract.GET("/api/v1/document-batches/:id/content", a.batchContent)
	a.contract.GET("/api/v1/strategy-runs/:id/print-file", a.strategyRunPrintFile)
	a.contract.POST("/api/v1/strategy-runs/:id/registered-numbers", a.recordRegisteredNumbers)
	a.engine = e
	return a, nil
}

// Close ends the live streams; call it when the server shuts down.
func (a *API) Close() { a.close() }

// ServeHTTP makes the API an http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.engine.ServeHTTP(w, r) }

// Route is one registered method and path template ("/api/v1/users/:id").
type Route struct{ Method, Path string }

// Routes lists every registered route, for tests that must cover them all.
func (a *API) Routes() []Route {
	var out []Route
	for _, r := range a.engine.Routes() {
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	return out
}

func (a *API) fail(c *gin.Context, err error) { writeProblem(c, a.deps.Logger, err) }

func (a *API) now() time.Time {
	if a.deps.Now != nil {
		return a.deps.Now()
	}
	return time.Now()
}

package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gin-gonic/gin"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Authenticator resolves a bearer token to the caller.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (recouvra.Principal, error)
}

// Authorizer decides whether a role may do an action on a resource.
type Authorizer interface {
	Allowed(role, resource, action string) bool
	Covers(resource, action string) bool
}

// rule is an operation's x-rbac: public, or the resource:action it needs.
type rule struct {
	public           bool
	resource, action string
}

func (r rule) String() string {
	if r.public {
		return "public"
	}
	return r.resource + ":" + r.action
}

// operationRule reads the x-rbac extension of op.
func operationRule(op *openapi3.Operation) (rule, error) {
	raw, ok := op.Extensions["x-rbac"]
	if !ok {
		return rule{}, fmt.Errorf("operation %s has no x-rbac policy", op.OperationID)
	}
	s, ok := raw.(string)
	if !ok {
		return rule{}, fmt.Errorf("operation %s: x-rbac must be a string", op.OperationID)
	}
	if s == "public" {
		return rule{public: true}, nil
	}
	resource, action, ok := strings.Cut(s, ":")
	if !ok || resource == "" || action == "" {
		return rule{}, fmt.Errorf("operation %s: x-rbac %q is not public nor resource:action", op.OperationID, s)
	}
	return rule{resource: resource, action: action}, nil
}

// checkPolicies fails when an operation of the contract has no policy
// decision: no x-rbac, or a resource:action no role is granted. The server
// refuses to start rather than serve a route nobody thought about.
func checkPolicies(doc *openapi3.T, authz Authorizer) error {
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			r, err := operationRule(op)
			if err != nil {
				return fmt.Errorf("%s %s: %w", method, path, err)
			}
			if !r.public && !authz.Covers(r.resource, r.action) {
				return fmt.Errorf("%s %s: no policy line grants %s (configs/rbac_policy.csv)", method, path, r)
			}
		}
	}
	return nil
}

// requestContext returns the request's own context when handed a
// *gin.Context, as the generated strict handlers do. A gin.Context is
// recycled for the next request as soon as this one ends, so it must never
// reach code that may keep it (database/sql watches its context from a
// goroutine): every handler starts with ctx = requestContext(ctx).
func requestContext(ctx context.Context) context.Context {
	if c, ok := ctx.(*gin.Context); ok {
		return c.Request.Context()
	}
	return ctx
}

type principalKey struct{}
type metaKey struct{}

// principalFrom returns the authenticated caller of the request.
func principalFrom(ctx context.Context) recouvra.Principal {
	p, _ := ctx.Value(principalKey{}).(recouvra.Principal)
	return p
}

// metaFrom returns where the request came from, for the audit log.
func metaFrom(ctx context.Context) app.Meta {
	m, _ := ctx.Value(metaKey{}).(app.Meta)
	return m
}

// contractGate stands before every operation of the contract: it
// authenticates the caller (401), checks the role policy (403), then
// validates the request against the spec (400/422) — in that order, so that
// an anonymous caller learns nothing about what a valid request looks like.
// Before all that it refuses hostile text in the path, query and headers
// (hostile.go), and after authentication it charges the caller's rate
// limit (429, ratelimit.go) and bounds and screens the body (413/400/422).
// Requests outside the contract (docs, metrics, unknown routes) pass through
// to gin.
func contractGate(doc *openapi3.T, authn Authenticator, authz Authorizer, idem Idempotency, lim gateLimits, cookie sessionCookie, fail func(*gin.Context, error)) (gin.HandlerFunc, error) {
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi router: %w", err)
	}
	opts := &openapi3filter.Options{
		MultiError:         true,
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, // done above, with our own rules
	}
	routes := indexRoutes(doc)
	return func(c *gin.Context) {
		route, pathParams, ok := routes.find(c)
		if !ok {
			// A route gin knows by another pattern than the spec's: the
			// spec's own router decides.
			var err error
			if route, pathParams, err = router.FindRoute(c.Request); err != nil {
				c.Next() // not in the contract: gin routes it or answers 404/405
				return
			}
		}
		r, err := operationRule(route.Operation)
		if err != nil {
			fail(c, err) // unreachable: checked at start
			return
		}
		if err := screenRequest(c.Request, pathParams); err != nil {
			fail(c, err) // nothing hostile reaches authentication, logs or PostgreSQL
			return
		}
		ctx := context.WithValue(c.Request.Context(), metaKey{}, app.Meta{ClientIP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
		rateKey := "addr:" + c.ClientIP()
		if !r.public {
			// The Authorization header wins; without one, the web app's
			// session cookie (session.go).
			token, ok := bearer(c.GetHeader("Authorization"))
			fromCookie := false
			if !ok {
				token, ok = cookie.token(c.Request)
				fromCookie = ok
			}
			if !ok {
				if !lim.rate.allow(c, rateKey, fail) {
					return
				}
				c.Header("WWW-Authenticate", `Bearer realm="recouvra"`)
				fail(c, recouvra.Errorf(recouvra.ECodeUnauthorized, "Authentification requise : en-tête Authorization: Bearer <jeton>."))
				return
			}
			p, err := authn.Authenticate(ctx, token)
			if err != nil {
				if !lim.rate.allow(c, rateKey, fail) { // guessing tokens costs the address
					return
				}
				if recouvra.ErrorCode(err) == recouvra.ECodeUnauthorized {
					c.Header("WWW-Authenticate", `Bearer realm="recouvra", error="invalid_token"`)
					if fromCookie { // a dead session: the browser forgets it
						cookie.set(c.Writer, "", time.Time{}, time.Now())
					}
				}
				fail(c, err)
				return
			}
			if fromCookie {
				// A cookie goes with every request to this site, whoever made
				// the page that sends it: a change needs the CSRF token too.
				if !safeMethod(c.Request.Method) && !credential.CSRFMatches(token, c.GetHeader(CSRFHeader)) {
					if !lim.rate.allow(c, rateKey, fail) {
						return
					}
					fail(c, errCSRF())
					return
				}
				ctx = context.WithValue(ctx, cookieTokenKey{}, token)
			}
			if !authz.Allowed(string(p.Role), r.resource, r.action) {
				fail(c, recouvra.Errorf(recouvra.ECodeForbidden, "Votre rôle (%s) ne permet pas cette action.", p.Role))
				return
			}
			ctx = context.WithValue(ctx, principalKey{}, p)
			rateKey = callerKey(p)
		}
		if !lim.rate.allow(c, rateKey, fail) {
			return
		}
		c.Request = c.Request.WithContext(ctx)
		vopts := opts
		if strings.HasPrefix(c.GetHeader("Content-Type"), "multipart/") && declaresUpload(route.Operation) {
			// Uploads stream to the store; the handler checks the parts
			// and bounds them with MaxUploadBytes.
			o := *opts
			o.ExcludeRequestBody = true
			vopts = &o
		} else if err := screenedBody(c.Request, lim.maxBody); err != nil {
			fail(c, err)
			return
		}
		in := &openapi3filter.RequestValidationInput{Request: c.Request, PathParams: pathParams, Route: route, Options: vopts}
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			fail(c, requestProblem(err))
			return
		}
		// "required": the key must come (payments, plans); "optional": a
		// request that brings one is run once per key like those (a
		// retry after a lost answer or a crash replays the first answer).
		switch route.Operation.Extensions["x-idempotency"] {
		case "required":
			if idem != nil {
				idempotent(c, idem, lim.maxUpload, fail)
				return
			}
		case "optional":
			if idem != nil && c.GetHeader("Idempotency-Key") != "" {
				idempotent(c, idem, lim.maxUpload, fail)
				return
			}
		}
		c.Next()
	}, nil
}

// Idempotency runs a request at most once per caller and key, in one
// transaction with the key (app.Service.Idempotent).
type Idempotency interface {
	Idempotent(ctx context.Context, principal, key string, requestHash []byte, do func(context.Context) (app.StoredResponse, bool)) (app.StoredResponse, bool, error)
}

// idempotent serves an operation that takes an Idempotency-Key: the first
// request with a key runs and its response is kept; a retry with the same
// request gets that response again; the key with another request is
// refused; a retry while the first still runs waits for its outcome.
//
// The handler runs inside the key's transaction and its response is held
// back until that transaction commits: a client never sees a success that
// then rolls back (a failed commit, a crash), and a success it did see is
// on disk with its key.
func idempotent(c *gin.Context, idem Idempotency, maxUpload int64, fail func(*gin.Context, error)) {
	ctx := c.Request.Context()
	p := principalFrom(ctx)
	principal := "user:" + p.UserID.String()
	if p.Kind == recouvra.PrincipalAPIKey {
		principal = "key:" + p.APIKeyID.String()
	}
	// Other bodies were bounded by screenedBody; an upload is bounded here,
	// as it is read whole to be hashed before its handler runs.
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxUpload))
	if err != nil {
		fail(c, uploadError(err))
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", c.Request.Method, c.Request.URL.Path)
	hashBody(h, c.GetHeader("Content-Type"), body)

	var held *heldResponse
	resp, replayed, err := idem.Idempotent(ctx, principal, c.GetHeader("Idempotency-Key"), h.Sum(nil), func(txCtx context.Context) (app.StoredResponse, bool) {
		w := c.Writer
		held = holdResponse(w)
		c.Writer, c.Request = held, c.Request.WithContext(txCtx)
		// Deferred: after a panic (the transaction rolled back), the
		// recovering middleware must answer on the real writer.
		defer func() { c.Writer, c.Request = w, c.Request.WithContext(ctx) }()
		c.Next()
		return app.StoredResponse{Status: held.status, ContentType: held.header.Get("Content-Type"), Body: held.body.Bytes()}, held.status < 500
	})
	switch {
	case err != nil:
		// Nothing was sent, nothing was committed: the client may retry.
		fail(c, err)
	case replayed:
		c.Header("Idempotent-Replayed", "true")
		c.Data(resp.Status, resp.ContentType, resp.Body)
	default:
		held.send()
	}
	c.Abort()
}

// hashBody adds a request's body to the hash of its Idempotency-Key. A
// multipart body is hashed by its parts (name, file name, content), not
// its bytes: a client sending the same form again draws a new boundary,
// and its retry must still be recognised as the same request.
func hashBody(h io.Writer, contentType string, body []byte) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.HasPrefix(mediaType, "multipart/") || params["boundary"] == "" {
		h.Write(body) //nolint:errcheck // a hash never fails
		return
	}
	var parts bytes.Buffer
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			h.Write(body) //nolint:errcheck // not a readable form: its bytes, as they came
			return
		}
		content, err := io.ReadAll(part)
		if err != nil {
			h.Write(body) //nolint:errcheck
			return
		}
		// Length-prefixed: no two different forms give the same bytes.
		fmt.Fprintf(&parts, "%d:%s %d:%s %d:", len(part.FormName()), part.FormName(), len(part.FileName()), part.FileName(), len(content))
		parts.Write(content)
	}
	fmt.Fprintf(h, "%s\n", mediaType)
	h.Write(parts.Bytes()) //nolint:errcheck
}

// heldResponse keeps a handler's response, headers included, until send
// passes it on to the real writer.
type heldResponse struct {
	gin.ResponseWriter // the real writer: Hijack, CloseNotify, Pusher
	header             http.Header
	status             int
	body               bytes.Buffer
	written            bool
}

func holdResponse(w gin.ResponseWriter) *heldResponse {
	return &heldResponse{ResponseWriter: w, header: http.Header{}, status: http.StatusOK}
}

func (w *heldResponse) Header() http.Header { return w.header }

func (w *heldResponse) WriteHeader(code int) {
	if !w.written {
		w.status = code
	}
}

func (w *heldResponse) WriteHeaderNow() { w.written = true }

func (w *heldResponse) Write(b []byte) (int, error) {
	w.written = true
	return w.body.Write(b)
}

func (w *heldResponse) WriteString(s string) (int, error) {
	w.written = true
	return w.body.WriteString(s)
}

func (w *heldResponse) Status() int   { return w.status }
func (w *heldResponse) Written() bool { return w.written }

func (w *heldResponse) Size() int {
	if !w.written {
		return -1 // gin's "nothing written yet"
	}
	return w.body.Len()
}

// Flush does nothing: nothing leaves before the transaction commits.
func (w *heldResponse) Flush() {}

// send writes the held response to the real writer.
func (w *heldResponse) send() {
	dst := w.ResponseWriter.Header()
	for k, v := range w.header {
		dst[k] = v
	}
	w.ResponseWriter.WriteHeader(w.status)
	w.ResponseWriter.Write(w.body.Bytes()) //nolint:errcheck // the client is gone; nothing to do
}

// bearer extracts the token of an "Authorization: Bearer <token>" header.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

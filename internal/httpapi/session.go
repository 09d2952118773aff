package httpapi

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// The web app signs in with a cookie rather than a bearer token: the token
// is out of reach of page scripts (HttpOnly), never sent by another site
// (SameSite=Strict), and shared by every tab, so a new tab or a reload stays
// signed in. A state-changing request made with the cookie must also carry
// the session's CSRF token in CSRFHeader (credential.CSRFToken).

// CSRFHeader carries the CSRF token of a cookie session.
const CSRFHeader = "X-CSRF-Token"

// sessionCookie says how the session cookie is named and flagged.
type sessionCookie struct {
	insecure bool // plain HTTP on a host other than localhost: no Secure flag
}

// name is the cookie's name: with Secure, the __Host- prefix makes browsers
// refuse it unless it is Secure, host-only and for the whole site.
func (sc sessionCookie) name() string {
	if sc.insecure {
		return "recouvra_session"
	}
	return "__Host-recouvra_session"
}

// set writes the cookie holding token until expires; a zero expires clears it.
func (sc sessionCookie) set(w http.ResponseWriter, token string, expires, now time.Time) {
	ck := &http.Cookie{Name: sc.name(), Value: token, Path: "/", HttpOnly: true, Secure: !sc.insecure, SameSite: http.SameSiteStrictMode}
	if expires.IsZero() {
		ck.MaxAge = -1 // "Max-Age=0": gone at once
	} else {
		ck.MaxAge = max(1, int(math.Ceil(expires.Sub(now).Seconds())))
	}
	http.SetCookie(w, ck)
}

// token returns the session token the request's cookie holds.
func (sc sessionCookie) token(r *http.Request) (string, bool) {
	ck, err := r.Cookie(sc.name())
	if err != nil || ck.Value == "" {
		return "", false
	}
	return ck.Value, true
}

// safeMethod: reads, which the CSRF check lets through.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// errCSRF is the refusal of a cookie request without its CSRF token.
func errCSRF() error {
	return recouvra.Errorf(recouvra.ECodeForbidden,
		"Requête refusée : jeton anti-falsification (en-tête %s) absent ou invalide. Rechargez la page puis recommencez.", CSRFHeader)
}

type cookieTokenKey struct{}

// cookieToken returns the session token of a request authenticated by the
// session cookie, "" for a bearer token or an API key.
func cookieToken(ctx context.Context) string {
	t, _ := ctx.Value(cookieTokenKey{}).(string)
	return t
}

// ginContext is the gin context the strict handlers are handed.
func ginContext(ctx context.Context) (*gin.Context, bool) {
	c, ok := ctx.(*gin.Context)
	return c, ok
}

func (a *API) CreateSession(ctx context.Context, req oapi.CreateSessionRequestObject) (oapi.CreateSessionResponseObject, error) {
	gc, _ := ginContext(ctx)
	ctx = requestContext(ctx)
	res, err := a.deps.App.LoginWeb(ctx, req.Body.Email, req.Body.Password, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	now := a.now()
	if gc != nil {
		a.cookie.set(gc.Writer, res.Token, res.ExpiresAt, now)
	}
	info := app.SessionInfo{User: res.User, ExpiresAt: res.ExpiresAt, IdleExpiresAt: res.IdleExpiresAt, Now: now}
	if res.IdleExpiresAt != nil {
		info.IdleTimeout = a.deps.App.SessionIdle()
	}
	return oapi.CreateSession200JSONResponse(apiSession(info, res.Token)), nil
}

func (a *API) GetSession(ctx context.Context, _ oapi.GetSessionRequestObject) (oapi.GetSessionResponseObject, error) {
	ctx = requestContext(ctx)
	info, err := a.deps.App.CurrentSession(ctx, principalFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.GetSession200JSONResponse(apiSession(info, cookieToken(ctx))), nil
}

// apiSession shows a session; token is the cookie's (its CSRF token is
// shown), "" for a bearer token (no CSRF token).
func apiSession(s app.SessionInfo, token string) oapi.Session {
	end := s.ExpiresAt
	if s.IdleExpiresAt != nil && s.IdleExpiresAt.Before(end) {
		end = *s.IdleExpiresAt
	}
	left := max(0, min(math.MaxInt32, int(math.Round(end.Sub(s.Now).Seconds())))) // the database keeps microseconds
	out := oapi.Session{
		User: apiMe(s.User), ExpiresAt: s.ExpiresAt, IdleExpiresAt: nullOf(s.IdleExpiresAt),
		IdleTimeoutSeconds: int(s.IdleTimeout.Round(time.Second).Seconds()), SecondsLeft: left,
	}
	var csrf *string
	if token != "" {
		t := credential.CSRFToken(token)
		csrf = &t
	}
	out.CsrfToken = nullOf(csrf)
	return out
}

package server_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// webSession is a browser's sign-in: the cookie it holds and the CSRF
// token the page keeps.
type webSession struct {
	cookie string // "name=value", as the browser sends it
	csrf   string
	body   oapi.Session
	resp   *apitest.Response
}

// webLogin signs in through POST /api/v1/auth/session as the web app does.
func (w *world) webLogin(email string) webSession {
	w.t.Helper()
	r := w.anon.Do("POST", "/api/v1/auth/session", map[string]string{"email": email, "password": testPassword})
	if r.Status != 200 {
		w.t.Fatalf("web sign-in %s: %d %s", email, r.Status, r.Body)
	}
	s := webSession{resp: r}
	r.Decode(w.t, &s.body)
	set := r.Header.Get("Set-Cookie")
	s.cookie, _, _ = strings.Cut(set, ";")
	if v, err := s.body.CsrfToken.Get(); err == nil {
		s.csrf = v
	}
	return s
}

// do sends a request with the session's cookie and, when csrf, its token.
func (s webSession) do(w *world, method, path string, body any, csrf bool) *apitest.Response {
	w.t.Helper()
	h := []string{"Cookie", s.cookie}
	if csrf {
		h = append(h, "X-CSRF-Token", s.csrf)
	}
	return apitest.New(w.t, w.srv.URL()).Do(method, path, body, h...)
}

// TestWebSessionCookie: the web app's sign-in sets an HttpOnly, Secure,
// SameSite=Strict cookie that authenticates reads by itself; the token
// never appears in the body; the answer says when the session ends.
func TestWebSessionCookie(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.webLogin("creditor@recouvra.test")
	set := s.resp.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-recouvra_session=rcv_s_", "Path=/", "Max-Age=43200", "HttpOnly", "Secure", "SameSite=Strict"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %q", set, want)
		}
	}
	if strings.Contains(set, "Domain=") {
		t.Errorf("a __Host- cookie names no domain: %q", set)
	}
	token := strings.TrimPrefix(s.cookie, "__Host-recouvra_session=")
	if strings.Contains(string(s.resp.Body), token) {
		t.Fatal("the session token is in the body: scripts could read it")
	}
	b := s.body
	idle, _ := b.IdleExpiresAt.Get()
	if b.User.Email != "creditor@recouvra.test" || b.IdleTimeoutSeconds != 1800 || b.SecondsLeft != 1800 ||
		!idle.Equal(w.clock.Now().Add(30*time.Minute)) || !b.ExpiresAt.Equal(w.clock.Now().Add(12*time.Hour)) || len(s.csrf) < 40 {
		t.Fatalf("%+v (idle %s)", b, idle)
	}

	// A new tab or a reload sends the cookie alone.
	var me oapi.Me
	if r := s.do(w, "GET", "/api/v1/me", nil, false); r.Status != 200 {
		t.Fatalf("me by cookie: %d %s", r.Status, r.Body)
	} else if r.Decode(t, &me); me.Id != w.users["creditor"].ID {
		t.Fatalf("%+v", me)
	}
	if r := s.do(w, "GET", "/api/v1/cases/"+w.caseA.Case.ID.String(), nil, false); r.Status != 200 {
		t.Fatalf("own case by cookie: %d", r.Status)
	}
	if r := s.do(w, "GET", "/api/v1/cases/"+w.caseB.Case.ID.String(), nil, false); r.Status != 404 {
		t.Fatalf("another creditor's case by cookie: %d", r.Status)
	}
	// The session as a new tab reads it: the same CSRF token.
	var again oapi.Session
	if r := s.do(w, "GET", "/api/v1/auth/session", nil, false); r.Status != 200 {
		t.Fatalf("session: %d %s", r.Status, r.Body)
	} else if r.Decode(t, &again); again.CsrfToken.MustGet() != s.csrf || again.User.Id != me.Id {
		t.Fatalf("%+v", again)
	}

	// A wrong password sets nothing.
	r := w.anon.Do("POST", "/api/v1/auth/session", map[string]string{"email": "creditor@recouvra.test", "password": "pas le bon mot de passe"})
	if r.Status != 401 || r.Header.Get("Set-Cookie") != "" {
		t.Fatalf("wrong password: %d, Set-Cookie %q", r.Status, r.Header.Get("Set-Cookie"))
	}
	// A forged cookie is refused, and the browser told to forget it.
	forged := webSession{cookie: "__Host-recouvra_session=rcv_s_forged"}
	if r := forged.do(w, "GET", "/api/v1/me", nil, false); r.Status != 401 || !strings.Contains(r.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("forged cookie: %d, Set-Cookie %q", r.Status, r.Header.Get("Set-Cookie"))
	}
}

// TestWebSessionCSRF: with the cookie, a change without the session's CSRF
// token is refused (403, in French, naming the header) and changes
// nothing; with it, it goes through. Bearer tokens and API keys need none.
func TestWebSessionCSRF(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.webLogin("creditor@recouvra.test")
	other := w.webLogin("creditor_b@recouvra.test")
	path := "/api/v1/cases/" + w.caseA.Case.ID.String() + "/events"
	msg := func(text string) map[string]any {
		return map[string]any{"type": "message", "data": map[string]any{"text": text}}
	}

	for name, r := range map[string]*apitest.Response{
		"no token":                  s.do(w, "POST", path, msg("sans jeton"), false),
		"another session's token":   apitest.New(t, w.srv.URL()).Do("POST", path, msg("jeton d'un autre"), "Cookie", s.cookie, "X-CSRF-Token", other.csrf),
		"the cookie as CSRF token":  apitest.New(t, w.srv.URL()).Do("POST", path, msg("jeton = cookie"), "Cookie", s.cookie, "X-CSRF-Token", strings.TrimPrefix(s.cookie, "__Host-recouvra_session=")),
		"sign-out without token":    s.do(w, "POST", "/api/v1/auth/logout", nil, false),
		"a PATCH without the token": s.do(w, "PATCH", "/api/v1/cases/"+w.caseA.Case.ID.String(), map[string]any{"priority": 2}, false),
	} {
		p := r.Problem(t)
		if r.Status != 403 || p.Code != "forbidden" || !strings.Contains(p.Detail, "X-CSRF-Token") || !strings.Contains(p.Detail, "Rechargez la page") {
			t.Errorf("%s: %d %+v", name, r.Status, p)
		}
	}
	// Nothing was written, and the refused sign-out signed nobody out.
	var events struct{ Items []struct{ Type string } }
	s.do(w, "GET", path, nil, false).Decode(t, &events)
	for _, e := range events.Items {
		if e.Type == "message" {
			t.Fatalf("a refused request wrote an event: %+v", events.Items)
		}
	}
	if r := s.do(w, "POST", path, msg("avec jeton"), true); r.Status != 201 {
		t.Fatalf("with the CSRF token: %d %s", r.Status, r.Body)
	}

	// Bearer tokens and API keys: unchanged, no CSRF token.
	if r := w.as("creditor").Do("POST", path, msg("par jeton porteur")); r.Status != 201 {
		t.Fatalf("bearer: %d %s", r.Status, r.Body)
	}
	if r := w.as("api_key").Do("POST", path, msg("par clé d'API")); r.Status != 201 {
		t.Fatalf("API key: %d %s", r.Status, r.Body)
	}
	// The Authorization header wins over a cookie: a bearer request with a
	// stale cookie is judged by its token alone.
	if r := w.as("creditor").Do("POST", path, msg("jeton et vieux cookie"), "Cookie", "__Host-recouvra_session=rcv_s_stale"); r.Status != 201 {
		t.Fatalf("bearer with a stale cookie: %d %s", r.Status, r.Body)
	}
	// A bearer session has no idle deadline and no CSRF token.
	var bs oapi.Session
	w.as("creditor").Do("GET", "/api/v1/auth/session", nil).Decode(t, &bs)
	if !bs.CsrfToken.IsNull() || !bs.IdleExpiresAt.IsNull() || bs.IdleTimeoutSeconds != 0 || bs.SecondsLeft != 12*3600 {
		t.Fatalf("bearer session: %+v", bs)
	}
	// An API key has no session.
	if r := w.as("api_key").Do("GET", "/api/v1/auth/session", nil); r.Status != 403 {
		t.Fatalf("API key session: %d", r.Status)
	}
}

// TestWebSessionSignOut: signing out revokes the session on the server —
// the cookie no longer works even if a copy is sent again — and clears the
// cookie; other sessions live on. Deactivating a user ends its web
// sessions too.
func TestWebSessionSignOut(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.webLogin("agent@recouvra.test")
	second := w.webLogin("agent@recouvra.test") // another browser
	r := s.do(w, "POST", "/api/v1/auth/logout", nil, true)
	if r.Status != 204 {
		t.Fatalf("sign-out: %d %s", r.Status, r.Body)
	}
	set := r.Header.Get("Set-Cookie")
	if !strings.HasPrefix(set, "__Host-recouvra_session=;") || !strings.Contains(set, "Max-Age=0") {
		t.Fatalf("the cookie is not cleared: %q", set)
	}
	if r := s.do(w, "GET", "/api/v1/me", nil, false); r.Status != 401 {
		t.Fatalf("the old cookie after sign-out: %d", r.Status)
	}
	if r := second.do(w, "GET", "/api/v1/me", nil, false); r.Status != 200 {
		t.Fatalf("the other browser: %d", r.Status)
	}
	if r := w.as("agent").Do("GET", "/api/v1/me", nil); r.Status != 200 {
		t.Fatalf("the bearer session: %d", r.Status)
	}
	// A bearer sign-out sets no cookie.
	tok := w.login("agent@recouvra.test")
	if r := bearer(apitest.New(t, w.srv.URL()), tok).Do("POST", "/api/v1/auth/logout", nil); r.Status != 204 || r.Header.Get("Set-Cookie") != "" {
		t.Fatalf("bearer sign-out: %d, Set-Cookie %q", r.Status, r.Header.Get("Set-Cookie"))
	}

	// Deactivation and a role change revoke the web sessions as they do tokens.
	lawyer := w.webLogin("lawyer@recouvra.test")
	if r := w.as("admin").Do("PATCH", "/api/v1/users/"+w.users["lawyer"].ID.String(), map[string]any{"active": false}); r.Status != 200 {
		t.Fatalf("deactivate: %d", r.Status)
	}
	if r := lawyer.do(w, "GET", "/api/v1/me", nil, false); r.Status != 401 {
		t.Fatalf("a deactivated user's cookie: %d", r.Status)
	}
	if r := w.as("admin").Do("PATCH", "/api/v1/users/"+w.users["agent"].ID.String(), map[string]any{"role": "lawyer"}); r.Status != 200 {
		t.Fatalf("role change: %d", r.Status)
	}
	if r := second.do(w, "GET", "/api/v1/me", nil, false); r.Status != 401 {
		t.Fatalf("cookie after a role change: %d", r.Status)
	}
}

// TestWebSessionIdleExpiry: a web session ends after
// RECOUVRA_SESSION_IDLE_MINUTES without activity; reading the session (the
// web app does it while the person works) pushes the deadline on, other
// requests do not (a page that polls still expires); the absolute end
// still holds; bearer tokens have no idle deadline.
func TestWebSessionIdleExpiry(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, io.Discard, func(c *config.Config) { c.SessionIdle = 20 * time.Minute })
	idle := w.webLogin("creditor@recouvra.test")
	active := w.webLogin("creditor@recouvra.test")
	tok := w.login("creditor@recouvra.test")
	if idle.body.IdleTimeoutSeconds != 1200 || idle.body.SecondsLeft != 1200 {
		t.Fatalf("%+v", idle.body)
	}
	alive := func(s webSession) int { return s.do(w, "GET", "/api/v1/me", nil, false).Status }

	w.clock.Advance(15 * time.Minute)
	if alive(idle) != 200 || alive(active) != 200 {
		t.Fatal("both alive after 15 min")
	}
	// Activity: the deadline moves 20 min on from now.
	var s oapi.Session
	active.do(w, "GET", "/api/v1/auth/session", nil, false).Decode(t, &s)
	if got, _ := s.IdleExpiresAt.Get(); got.Sub(w.clock.Now().Add(20*time.Minute)).Abs() > time.Millisecond || s.SecondsLeft != 1200 {
		t.Fatalf("after activity: %+v", s)
	}
	w.clock.Advance(5*time.Minute - time.Second)
	if alive(idle) != 200 {
		t.Fatal("a second before the idle deadline")
	}
	w.clock.Advance(time.Second)
	if alive(idle) != 401 {
		t.Fatal("the idle session still works at its deadline (its reads of /me did not extend it)")
	}
	if r := idle.do(w, "GET", "/api/v1/auth/session", nil, false); r.Status != 401 {
		t.Fatalf("an expired session cannot be revived: %d", r.Status)
	}
	if alive(active) != 200 {
		t.Fatal("the active session died with the idle one")
	}
	w.clock.Advance(15*time.Minute + time.Second)
	if alive(active) != 401 {
		t.Fatal("the active session outlived 20 min without activity")
	}
	// The bearer token of the same account: no idle expiry.
	if r := bearer(apitest.New(t, w.srv.URL()), tok).Do("GET", "/api/v1/me", nil); r.Status != 200 {
		t.Fatalf("bearer after 35 min: %d", r.Status)
	}

	// The absolute end holds, whatever the activity.
	late := w.webLogin("creditor@recouvra.test")
	for range 37 { // 37 × 19 min = 11 h 43 min
		w.clock.Advance(19 * time.Minute)
		if r := late.do(w, "GET", "/api/v1/auth/session", nil, false); r.Status != 200 {
			t.Fatalf("active web session ended early: %d", r.Status)
		}
	}
	w.clock.Advance(19 * time.Minute) // 12 h 2 min after sign-in
	if alive(late) != 401 {
		t.Fatal("a web session outlived RECOUVRA_SESSION_TTL")
	}
}

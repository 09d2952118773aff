package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

func bearer(c *apitest.Client, token string) *apitest.Client {
	c.Header.Set("Authorization", "Bearer "+token)
	return c
}

func TestSignInMeAndLogout(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.anon.Do("POST", "/api/v1/auth/login", map[string]string{"email": "  AGENT@Recouvra.TEST ", "password": testPassword})
	if r.Status != 200 {
		t.Fatalf("login with another case and spaces: %d %s", r.Status, r.Body)
	}
	var login oapi.LoginResponse
	r.Decode(t, &login)
	if login.User.Role != "agent" || !login.User.CreditorId.IsNull() || !strings.HasPrefix(login.Token, "rcv_s_") {
		t.Fatalf("%+v", login)
	}
	if d := login.ExpiresAt.Sub(w.clock.Now()); d != 12*time.Hour {
		t.Fatalf("token lives %s, want 12h", d)
	}
	c := bearer(apitest.New(t, w.srv.URL()), login.Token)
	var me oapi.Me
	c.Do("GET", "/api/v1/me", nil).Decode(t, &me)
	if me.Id != w.users["agent"].ID || me.Email != "agent@recouvra.test" {
		t.Fatalf("%+v", me)
	}
	if r := c.Do("POST", "/api/v1/auth/logout", nil); r.Status != 204 {
		t.Fatalf("logout: %d", r.Status)
	}
	if r := c.Do("GET", "/api/v1/me", nil); r.Status != 401 {
		t.Fatalf("after logout: %d", r.Status)
	}
	// Other sessions of the same account live on.
	if r := w.as("agent").Do("GET", "/api/v1/me", nil); r.Status != 200 {
		t.Fatalf("other session: %d", r.Status)
	}
}

func TestTokensExpire(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.clock.Advance(12*time.Hour - time.Second)
	if r := w.as("lawyer").Do("GET", "/api/v1/me", nil); r.Status != 200 {
		t.Fatalf("just before expiry: %d", r.Status)
	}
	w.clock.Advance(2 * time.Second)
	if r := w.as("lawyer").Do("GET", "/api/v1/me", nil); r.Status != 401 {
		t.Fatalf("after expiry: %d", r.Status)
	}
	// API keys do not expire; they are revoked.
	if r := w.as("api_key").Do("GET", "/api/v1/creditors", nil); r.Status != 200 {
		t.Fatalf("api key: %d", r.Status)
	}
}

func TestSessionsRevokedOnDeactivationRoleChangeAndPasswordReset(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	admin := w.as("admin")
	patch := func(user string, body map[string]any) *apitest.Response {
		return admin.Do("PATCH", "/api/v1/users/"+w.users[user].ID.String(), body)
	}
	alive := func(user string) bool { return w.as(user).Do("GET", "/api/v1/me", nil).Status == 200 }

	// Demotion: a second admin made agent loses admin rights at once.
	second := w.createUser("second.admin@recouvra.test", "admin", nil)
	w.users["second"], w.tokens["second"] = second, w.login(second.Email)
	if r := w.as("second").Do("GET", "/api/v1/users", nil); r.Status != 200 {
		t.Fatalf("admin lists users: %d", r.Status)
	}
	if r := patch("second", map[string]any{"role": "agent"}); r.Status != 200 {
		t.Fatalf("demote: %d %s", r.Status, r.Body)
	}
	if alive("second") {
		t.Fatal("a demoted user's token still works")
	}
	w.tokens["second"] = w.login(second.Email)
	if r := w.as("second").Do("GET", "/api/v1/users", nil); r.Status != 403 {
		t.Fatalf("demoted user lists users: %d", r.Status)
	}

	// A rename keeps sessions.
	if r := patch("lawyer", map[string]any{"name": "Maître Lefèvre"}); r.Status != 200 || !alive("lawyer") {
		t.Fatalf("rename: %d, alive %v", r.Status, alive("lawyer"))
	}
	// Deactivation: the token dies and signing in fails like a wrong password.
	if r := patch("lawyer", map[string]any{"active": false}); r.Status != 200 || alive("lawyer") {
		t.Fatalf("deactivate: %d, alive %v", r.Status, alive("lawyer"))
	}
	if r := w.anon.Do("POST", "/api/v1/auth/login", map[string]string{"email": w.users["lawyer"].Email, "password": testPassword}); r.Status != 401 {
		t.Fatalf("deactivated login: %d", r.Status)
	}
	// Password reset: old sessions end, the new password works.
	if r := patch("agent", map[string]any{"password": "un tout nouveau mot de passe"}); r.Status != 200 || alive("agent") {
		t.Fatalf("reset: %d, alive %v", r.Status, alive("agent"))
	}
	if r := w.anon.Do("POST", "/api/v1/auth/login", map[string]string{"email": w.users["agent"].Email, "password": "un tout nouveau mot de passe"}); r.Status != 200 {
		t.Fatalf("new password: %d", r.Status)
	}
}

func TestUserValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	admin := w.as("admin")
	cases := []struct {
		name  string
		body  map[string]any
		field string
		code  string
	}{
		{"creditor without creditor", map[string]any{"email": "a@b.fr", "name": "A", "role": "creditor", "password": testPassword}, "creditor_id", "required"},
		{"staff with creditor", map[string]any{"email": "a@b.fr", "name": "A", "role": "agent", "creditor_id": w.credA.ID, "password": testPassword}, "creditor_id", "forbidden"},
		{"unknown creditor", map[string]any{"email": "a@b.fr", "name": "A", "role": "creditor", "creditor_id": "01a21060-2cef-7cf9-8a00-f9b31d260f55", "password": testPassword}, "creditor_id", "unknown"},
		{"e-mail taken in another case", map[string]any{"email": "Agent@Recouvra.test", "name": "A", "role": "agent", "password": testPassword}, "email", "taken"},
		{"bad e-mail", map[string]any{"email": "not an address", "name": "A", "role": "agent", "password": testPassword}, "email", "invalid"},
		{"short password", map[string]any{"email": "a@b.fr", "name": "A", "role": "agent", "password": "court"}, "body.password", "minLength"},
		{"unknown role", map[string]any{"email": "a@b.fr", "name": "A", "role": "boss", "password": testPassword}, "body.role", "enum"},
		{"blank name", map[string]any{"email": "a@b.fr", "name": "   ", "role": "agent", "password": testPassword}, "name", "required"},
	}
	for _, c := range cases {
		r := admin.Do("POST", "/api/v1/users", c.body)
		p := r.Problem(t)
		found := false
		for _, e := range p.Errors {
			found = found || (e.Field == c.field && e.Code == c.code)
		}
		if r.Status != 422 || !found {
			t.Errorf("%s: %d %+v", c.name, r.Status, p.Errors)
		}
	}
	// Changing an agent into a creditor needs the creditor.
	r := admin.Do("PATCH", "/api/v1/users/"+w.users["agent"].ID.String(), map[string]any{"role": "creditor"})
	if r.Status != 422 {
		t.Fatalf("agent → creditor without creditor: %d", r.Status)
	}
	r = admin.Do("PATCH", "/api/v1/users/"+w.users["agent"].ID.String(), map[string]any{"role": "creditor", "creditor_id": w.credB.ID})
	var u oapi.User
	r.Decode(t, &u)
	if r.Status != 200 || u.CreditorId.IsNull() || u.CreditorId.MustGet() != w.credB.ID {
		t.Fatalf("agent → creditor of B: %d %s", r.Status, r.Body)
	}
	// An admin cannot lock themselves out.
	r = admin.Do("PATCH", "/api/v1/users/"+w.users["admin"].ID.String(), map[string]any{"active": false})
	if p := r.Problem(t); r.Status != 422 || p.Errors[0].Code != "self_lockout" {
		t.Fatalf("self deactivation: %d %+v", r.Status, p)
	}
}

func TestSignInThrottling(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	try := func(email, password string) *apitest.Response {
		return w.anon.Do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password})
	}
	victim := w.users["agent"].Email

	wrong := try(victim, "pas le bon mot de passe")
	unknown := try("nobody@recouvra.test", "pas le bon mot de passe")
	pw, pu := wrong.Problem(t), unknown.Problem(t)
	if wrong.Status != 401 || unknown.Status != 401 || pw.Detail != pu.Detail || pw.Title != pu.Title || pw.Code != pu.Code {
		t.Fatalf("unknown e-mail and wrong password must answer alike:\n%s\n%s", wrong.Body, unknown.Body)
	}
	for i := 0; i < 3; i++ {
		try(victim, "pas le bon mot de passe")
	}
	// Five failures from this address within the window: the next attempt
	// waits, even with the right password.
	r := try(victim, testPassword)
	if r.Status != 429 {
		t.Fatalf("sixth attempt: %d %s", r.Status, r.Body)
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 14*60 || secs > 15*60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	w.clock.Advance(15*time.Minute + time.Second)
	if r := try(victim, testPassword); r.Status != 200 {
		t.Fatalf("after the window: %d %s", r.Status, r.Body)
	}
}

func TestSignInThrottlingPerAccount(t *testing.T) {
	t.Parallel()
	// With the per-address limit out of the way, the account's own counter
	// shows: failures count until its next successful sign-in.
	w := newWorld(t)
	try := func(password string) int {
		return w.anon.Do("POST", "/api/v1/auth/login", map[string]string{"email": w.users["lawyer"].Email, "password": password}).Status
	}
	for i := 0; i < 4; i++ {
		try("faux mot de passe")
	}
	if s := try(testPassword); s != 200 {
		t.Fatalf("fifth attempt, right password: %d", s)
	}
	w.clock.Advance(time.Minute)
	// The success reset the account's count, but the address has four failures:
	// one more makes five and locks both.
	if s := try("faux mot de passe"); s != 401 {
		t.Fatalf("after success: %d", s)
	}
	if s := try(testPassword); s != 429 {
		t.Fatalf("fifth failure from this address: %d", s)
	}
}

func TestAuditLogRecordsAndIsAppendOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.anon.Do("POST", "/api/v1/auth/login", map[string]string{"email": w.users["agent"].Email, "password": "faux mot de passe"})
	w.as("admin").Do("PATCH", "/api/v1/users/"+w.users["lawyer"].ID.String(), map[string]any{"role": "agent"})

	var page oapi.AuditPage
	w.as("admin").Do("GET", "/api/v1/audit?limit=200", nil).Decode(t, &page)
	seen := map[string]int{}
	for _, e := range page.Items {
		seen[e.Action]++
		if e.Action == "auth.login_failed" && (e.Email != w.users["agent"].Email || e.ClientIp != "127.0.0.1") {
			t.Errorf("failed sign-in entry: %+v", e)
		}
		if e.Action == "user.update" && (e.ActorUserId.IsNull() || e.ActorUserId.MustGet() != w.users["admin"].ID || e.Details["role"] != "agent") {
			t.Errorf("user.update entry: %+v", e)
		}
	}
	for _, a := range []string{"auth.login", "auth.login_failed", "user.create", "user.update", "creditor.create", "api_key.create"} {
		if seen[a] == 0 {
			t.Errorf("no %s in the audit log: %v", a, seen)
		}
	}

	// Even the database owner (the superuser, in tests) cannot rewrite history.
	for _, stmt := range []string{"UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"} {
		if _, err := w.db.Pool.Exec(context.Background(), stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: want refusal, got %v", stmt, err)
		}
	}
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	admin := w.as("admin")
	r := admin.Do("POST", "/api/v1/creditors/"+w.credA.ID.String()+"/api-keys", map[string]any{"name": "ERP Sage"})
	var created oapi.APIKeyCreated
	r.Decode(t, &created)
	if r.Status != 201 || !strings.HasPrefix(created.Key, created.Prefix) || created.CreditorId != w.credA.ID {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	key := bearer(apitest.New(t, w.srv.URL()), created.Key)
	var creditors oapi.CreditorPage
	key.Do("GET", "/api/v1/creditors", nil).Decode(t, &creditors)
	if len(creditors.Items) != 1 || creditors.Items[0].Id != w.credA.ID {
		t.Fatalf("a key sees its creditor only: %+v", creditors)
	}
	if r := key.Do("POST", "/api/v1/creditors", map[string]any{"legal_name": "X"}); r.Status != 403 {
		t.Fatalf("key creating a creditor: %d", r.Status)
	}

	var list struct{ Items []oapi.APIKey }
	lr := admin.Do("GET", "/api/v1/creditors/"+w.credA.ID.String()+"/api-keys", nil)
	lr.Decode(t, &list)
	if strings.Contains(string(lr.Body), created.Key) {
		t.Fatal("the secret is listed")
	}
	var listed *oapi.APIKey
	for i := range list.Items {
		if list.Items[i].Id == created.Id {
			listed = &list.Items[i]
		}
	}
	if listed == nil || listed.LastUsedAt.IsNull() {
		t.Fatalf("last use not recorded: %+v", list.Items)
	}

	if r := admin.Do("POST", "/api/v1/api-keys/"+created.Id.String()+"/revoke", nil); r.Status != 200 {
		t.Fatalf("revoke: %d", r.Status)
	}
	if r := key.Do("GET", "/api/v1/creditors", nil); r.Status != 401 {
		t.Fatalf("revoked key: %d", r.Status)
	}
	// Revoking again is harmless.
	if r := admin.Do("POST", "/api/v1/api-keys/"+created.Id.String()+"/revoke", nil); r.Status != 200 {
		t.Fatalf("revoke twice: %d", r.Status)
	}
	if r := key.Do("POST", "/api/v1/auth/logout", nil); r.Status != 401 {
		t.Fatalf("a revoked key logging out: %d", r.Status)
	}
}

func TestAPIKeyCannotUsePeopleRoutes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, path := range []string{"/api/v1/me", "/api/v1/auth/logout"} {
		method := "GET"
		if strings.HasSuffix(path, "logout") {
			method = "POST"
		}
		if r := w.as("api_key").Do(method, path, nil); r.Status != 403 {
			t.Errorf("%s %s with a key: %d", method, path, r.Status)
		}
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	logs := &apitest.LogBuffer{}
	w := newWorldWithLogs(t, logs)
	w.anon.Do("POST", "/api/v1/auth/login", map[string]string{"email": w.users["agent"].Email, "password": "un mot de passe faux et secret"})
	w.as("admin").Do("GET", "/api/v1/users", nil)
	w.as("api_key").Do("GET", "/api/v1/creditors", nil)
	out := logs.String()
	if out == "" {
		t.Fatal("no logs captured")
	}
	for _, secret := range []string{testPassword, "un mot de passe faux et secret", w.tokens["admin"], w.tokens["api_key"]} {
		if strings.Contains(out, secret) {
			t.Errorf("a secret appears in the logs: %.12s…", secret)
		}
	}
}

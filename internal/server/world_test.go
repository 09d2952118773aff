package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/server"
)

// cheapHash keeps password hashing out of the tests' running time; the
// production cost is tested in internal/credential.
var cheapHash = credential.Params{Memory: 64, Time: 1, Threads: 1}

const testPassword = "mot de passe de test, assez long"

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// world is a running server with two creditors and a user of every role.
type world struct {
	t      *testing.T
	db     *postgres.DB
	srv    *server.Server
	svc    *app.Service
	clock  *clock
	anon   *apitest.Client
	credA  recouvra.Creditor        // "own": the creditor users' creditor
	credB  recouvra.Creditor        // "other"
	users  map[string]recouvra.User // by principal name
	tokens map[string]string        // by principal name
	keyA   app.NewAPIKey
	seq    atomic.Int64
}

// principals are the columns of the access matrix.
var principals = []string{"admin", "agent", "lawyer", "creditor", "api_key"}

func newWorld(t *testing.T) *world { return newWorldWithLogs(t, io.Discard) }

// newWorldWithLogs is newWorld with the server's JSON logs going to logs.
func newWorldWithLogs(t *testing.T, logs io.Writer) *world {
	t.Helper()
	db := pgtest.DB(t)
	c := testConfig(t)
	clk := &clock{t: time.Now().UTC()}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.Start(context.Background(), c, server.Options{DB: db, Password: &cheapHash, Now: clk.Now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	svc, err := server.NewService(db, c, &cheapHash, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, db: db, srv: srv, svc: svc, clock: clk, anon: apitest.New(t, srv.URL()),
		users: map[string]recouvra.User{}, tokens: map[string]string{}}
	ctx := context.Background()
	if w.credA, err = svc.CreateCreditor(ctx, app.System, recouvra.Creditor{LegalName: "Menuiserie Dupont SARL"}, app.Meta{}); err != nil {
		t.Fatal(err)
	}
	if w.credB, err = svc.CreateCreditor(ctx, app.System, recouvra.Creditor{LegalName: "Boulangerie Martin SAS"}, app.Meta{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"admin", "agent", "lawyer", "creditor", "creditor_b"} {
		role, creditor := recouvra.Role(name), (*uuid.UUID)(nil)
		switch name {
		case "creditor":
			creditor = &w.credA.ID
		case "creditor_b":
			role, creditor = recouvra.RoleCreditor, &w.credB.ID
		}
		u := w.createUser(name+"@recouvra.test", role, creditor)
		w.users[name] = u
		w.tokens[name] = w.login(u.Email)
	}
	if w.keyA, err = svc.CreateAPIKey(ctx, app.System, w.credA.ID, "ERP de Dupont", app.Meta{}); err != nil {
		t.Fatal(err)
	}
	w.tokens["api_key"] = w.keyA.Secret
	return w
}

func (w *world) createUser(email string, role recouvra.Role, creditor *uuid.UUID) recouvra.User {
	w.t.Helper()
	u, err := w.svc.CreateUser(context.Background(), app.System, app.NewUser{
		Email: email, Name: "Test " + string(role), Role: role, CreditorID: creditor, Password: testPassword,
	}, app.Meta{})
	if err != nil {
		w.t.Fatal(err)
	}
	return u
}

// login signs in through the API and returns the token.
func (w *world) login(email string) string {
	w.t.Helper()
	r := w.anon.Do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": testPassword})
	if r.Status != 200 {
		w.t.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	var out struct{ Token string }
	r.Decode(w.t, &out)
	return out.Token
}

// as returns a client authenticated as the named principal (or anonymous).
func (w *world) as(name string) *apitest.Client {
	c := apitest.New(w.t, w.srv.URL())
	if tok, ok := w.tokens[name]; ok {
		c.Header.Set("Authorization", "Bearer "+tok)
	}
	return c
}

// unique returns a fresh suffix for names that must not collide.
func (w *world) unique() string { return fmt.Sprint(w.seq.Add(1)) }

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

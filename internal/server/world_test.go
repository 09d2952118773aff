package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/config"
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
	t       testing.TB
	db      *postgres.DB
	dataDir string
	srv     *server.Server
	svc     *app.Service
	clock   *clock
	anon    *apitest.Client
	credA   recouvra.Creditor        // "own": the creditor users' creditor
	credB   recouvra.Creditor        // "other"
	users   map[string]recouvra.User // by principal name
	tokens  map[string]string        // by principal name
	keyA    app.NewAPIKey
	caseA   app.CaseView // a case of creditor A
	caseB   app.CaseView // a case of creditor B
	seq     atomic.Int64
}

// principals are the columns of the access matrix.
var principals = []string{"admin", "agent", "lawyer", "accountant", "creditor", "api_key"}

func newWorld(t testing.TB) *world { return newWorldWithLogs(t, io.Discard) }

// newWorldWithLogs is newWorld with the server's JSON logs going to logs.
func newWorldWithLogs(t testing.TB, logs io.Writer) *world {
	return newWorldWith(t, logs, func(*config.Config) {})
}

// newWorldWith is newWorld with a configuration changed by edit.
func newWorldWith(t testing.TB, logs io.Writer, edit func(*config.Config)) *world {
	t.Helper()
	return newWorldOn(t, pgtest.DB(t), logs, edit)
}

// newWorldOn is newWorldWith on a database the test opened itself.
func newWorldOn(t testing.TB, db *postgres.DB, logs io.Writer, edit func(*config.Config)) *world {
	t.Helper()
	c := testConfig(t)
	edit(&c)
	clk := &clock{t: time.Now().UTC()}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.Start(context.Background(), c, server.Options{DB: db, Password: &cheapHash, Now: clk.Now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return newWorldFrom(t, db, srv, clk, c.DataDir)
}

// newWorldFrom fills the world around a started server.
func newWorldFrom(t testing.TB, db *postgres.DB, srv *server.Server, clk *clock, dataDir string) *world {
	t.Helper()
	svc := srv.Service() // the server's own: same clock, store, agency and job queue
	w := &world{t: t, db: db, dataDir: dataDir, srv: srv, svc: svc, clock: clk, anon: apitest.New(t, srv.URL()),
		users: map[string]recouvra.User{}, tokens: map[string]string{}}
	ctx := context.Background()
	var err error
	creditor := func(name, line1, postal, city string) recouvra.Creditor {
		return recouvra.Creditor{LegalName: name, CreditorDetails: recouvra.CreditorDetails{
			Address: recouvra.Address{Line1: line1, PostalCode: postal, City: city}}}
	}
	if w.credA, err = svc.CreateCreditor(ctx, app.System, creditor("Menuiserie Dupont SARL", "12 rue des Lilas", "69003", "Lyon"), app.Meta{}); err != nil {
		t.Fatal(err)
	}
	if w.credB, err = svc.CreateCreditor(ctx, app.System, creditor("Boulangerie Martin SAS", "3 place du Marché", "21000", "Dijon"), app.Meta{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"admin", "agent", "lawyer", "accountant", "creditor", "creditor_b"} {
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
	w.caseA = w.newCase(w.credA.ID, "Scierie du Jura SAS", "732829320")
	w.caseB = w.newCase(w.credB.ID, "Minoterie Girard SA", "542107651")
	return w
}

// newCase opens an amicable case of creditor for a company debtor with
// one invoice of 1 200,00 € due last year.
func (w *world) newCase(creditor uuid.UUID, debtor, siren string) app.CaseView {
	w.t.Helper()
	today := recouvra.DateOf(w.clock.Now())
	v, err := w.svc.CreateCase(context.Background(), app.System, app.NewCase{
		CreditorID: &creditor, CreditorReference: "REF-" + w.unique(),
		Debtor: &recouvra.Debtor{Kind: recouvra.DebtorCompany, Name: debtor, SIREN: siren,
			Address: recouvra.Address{Line1: "4 rue du Moulin", PostalCode: "39000", City: "Lons-le-Saunier"}},
		Claims: []recouvra.Claim{{InvoiceNumber: "F-" + w.unique(), IssuedOn: today.AddDays(-400), DueOn: today.AddDays(-370), AmountCents: 120000, VATCents: 20000}},
	}, app.Meta{})
	if err != nil {
		w.t.Fatal(err)
	}
	return v
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

// etag reads a case's current ETag as staff.
func (w *world) etag(id string) string {
	w.t.Helper()
	r := w.as("admin").Do("GET", "/api/v1/cases/"+id, nil)
	switch r.Status {
	case 200:
		return r.Header.Get("ETag")
	case 404:
		return `"1"` // a missing case: the call under test answers 404 anyway
	}
	w.t.Fatalf("read case %s: %d", id, r.Status)
	return ""
}

// openStream opens the event stream with client c's credentials, reads its
// answer's head (and the body, for an error) and closes it.
func (w *world) openStream(c *apitest.Client, lastEventID string) *apitest.Response {
	w.t.Helper()
	return w.openStreamAt(c, "", lastEventID)
}

// openStreamAt is openStream with a query string ("?last_event_id=…" or
// empty).
func (w *world) openStreamAt(c *apitest.Client, query, lastEventID string) *apitest.Response {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", w.srv.URL()+"/api/v1/events/stream"+query, nil)
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := &apitest.Response{Status: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode != 200 {
		out.Body, _ = io.ReadAll(resp.Body)
		return out
	}
	buf := make([]byte, 64)
	n, _ := resp.Body.Read(buf)
	out.Body = buf[:n]
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		w.t.Errorf("stream content type %q", ct)
	}
	return out
}

// payment records a small payment on a case through the use case and
// returns its id.
func (w *world) payment(caseID uuid.UUID) uuid.UUID {
	w.t.Helper()
	v, err := w.svc.RecordPayment(context.Background(), app.System, caseID, app.NewPayment{
		AmountCents: 100, ReceivedOn: recouvra.DateOf(w.clock.Now()), Method: recouvra.MethodTransfer})
	if err != nil {
		w.t.Fatal(err)
	}
	return v.Payment.ID
}

// document produces a statement document on a case through the use case
// and returns its id.
func (w *world) document(caseID uuid.UUID) uuid.UUID {
	w.t.Helper()
	d, err := w.svc.GenerateDocument(context.Background(), app.System, caseID, "statement", app.DocOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	return d.ID
}

// relogin gives every person a fresh session (after moving the clock past
// their expiry).
func (w *world) relogin() {
	w.t.Helper()
	for name, u := range w.users {
		w.tokens[name] = w.login(u.Email)
	}
}

// get fetches a raw body as principal as.
func (w *world) get(as, path string) (int, []byte) {
	w.t.Helper()
	req, _ := http.NewRequest("GET", w.srv.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+w.tokens[as])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// batch queues a one-case statement batch as the agent and returns its id.
func (w *world) batch() uuid.UUID {
	w.t.Helper()
	b, err := w.svc.StartBatch(context.Background(), recouvra.Principal{Kind: recouvra.PrincipalUser, UserID: w.users["agent"].ID, Role: recouvra.RoleAgent},
		"statement", []uuid.UUID{w.caseA.Case.ID}, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return b.ID
}

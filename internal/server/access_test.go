package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// target says which object a request names: the caller's own creditor's,
// another creditor's, one that does not exist, or none (no id in the path).
type target string

const (
	own     target = "own"
	other   target = "other"
	missing target = "missing"
	none    target = ""
)

// routeCase describes how to call one route and what the policy promises.
type routeCase struct {
	public  bool     // anyone, signed in or not
	allowed []string // principals the role policy lets through
	scoped  bool     // creditor data: a creditor principal gets 404 on another creditor's
	ok      int      // status of a successful call
	// call makes the request for principal as (its client c) on target.
	call func(w *world, c *apitest.Client, as string, t target) *apitest.Response
}

var (
	everyone  = []string{"admin", "agent", "lawyer", "creditor", "api_key"}
	people    = []string{"admin", "agent", "lawyer", "creditor"}
	adminOnl  = []string{"admin"}
	staff     = []string{"admin", "agent", "lawyer"}
	openers   = []string{"admin", "agent", "creditor", "api_key"}
	lawyers   = []string{"admin", "lawyer"}
	queueWork = []string{"admin", "agent"}
	notified  = []string{"agent", "lawyer", "creditor"} // people with notifications (not an admin)
)

// id picks the id for a target among the own and other objects.
func pick(t target, ownID, otherID uuid.UUID) string {
	switch t {
	case own:
		return ownID.String()
	case other:
		return otherID.String()
	}
	return uuid.Must(uuid.NewV7()).String()
}

// routeTable has one entry per route the server answers. The test fails
// when a route has none: a new route must state who may call it.
func routeTable() map[string]routeCase {
	get := func(path string) func(*world, *apitest.Client, string, target) *apitest.Response {
		return func(_ *world, c *apitest.Client, _ string, _ target) *apitest.Response { return c.Do("GET", path, nil) }
	}
	table := map[string]routeCase{
		"GET /healthz":                      {public: true, ok: 200, call: get("/healthz")},
		"GET /readyz":                       {public: true, ok: 200, call: get("/readyz")},
		"GET /metrics":                      {public: true, ok: 200, call: get("/metrics")},
		"GET /api/openapi.yaml":             {public: true, ok: 200, call: get("/api/openapi.yaml")},
		"GET /api/docs":                     {public: true, ok: 200, call: get("/api/docs")},
		"GET /api/docs/redoc.standalone.js": {public: true, ok: 200, call: get("/api/docs/redoc.standalone.js")},
		"POST /api/v1/auth/login": {public: true, ok: 200, call: func(w *world, c *apitest.Client, as string, _ target) *apitest.Response {
			// Sign in as the principal's own account (the creditor user's for a key or nobody).
			u, ok := w.users[as]
			if !ok {
				u = w.users["creditor"]
			}
			return c.Do("POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": testPassword})
		}},
		"POST /api/v1/auth/logout": {allowed: people, ok: 204, call: func(w *world, c *apitest.Client, as string, _ target) *apitest.Response {
			// Sign out a fresh session of the same account, so the matrix keeps its tokens.
			if u, ok := w.users[as]; ok {
				return c.Do("POST", "/api/v1/auth/logout", nil, "Authorization", "Bearer "+w.login(u.Email))
			}
			return c.Do("POST", "/api/v1/auth/logout", nil)
		}},
		"POST /api/v1/auth/session": {public: true, ok: 200, call: func(w *world, c *apitest.Client, as string, _ target) *apitest.Response {
			// The web app's sign-in, as the principal's own account (the creditor user's for a key or nobody).
			u, ok := w.users[as]
			if !ok {
				u = w.users["creditor"]
			}
			return c.Do("POST", "/api/v1/auth/session", map[string]string{"email": u.Email, "password": testPassword})
		}},
		"GET /api/v1/auth/session": {allowed: people, ok: 200, call: get("/api/v1/auth/session")},
		"GET /api/v1/me":           {allowed: people, ok: 200, call: get("/api/v1/me")},
		"GET /api/v1/settings":     {allowed: everyone, ok: 200, call: get("/api/v1/settings")},
		"GET /api/v1/users":        {allowed: adminOnl, ok: 200, call: get("/api/v1/users")},
		"POST /api/v1/users": {allowed: adminOnl, ok: 201, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/users", map[string]any{
				"email": "new" + w.unique() + "@recouvra.test", "name": "Nouvelle", "role": "agent", "password": testPassword,
			})
		}},
		"GET /api/v1/users/:id": {allowed: adminOnl, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/users/"+pick(t, w.users["creditor"].ID, w.users["creditor_b"].ID), nil)
		}},
		"PATCH /api/v1/users/:id": {allowed: adminOnl, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("PATCH", "/api/v1/users/"+pick(t, w.users["creditor"].ID, w.users["creditor_b"].ID), map[string]any{"name": "Renommé " + w.unique()})
		}},
		"GET /api/v1/creditors": {allowed: everyone, ok: 200, call: get("/api/v1/creditors")},
		"POST /api/v1/creditors": {allowed: adminOnl, ok: 201, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/creditors", map[string]any{"legal_name": "Nouveau client " + w.unique()})
		}},
		"GET /api/v1/creditors/:id": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/creditors/"+pick(t, w.credA.ID, w.credB.ID), nil)
		}},
		"GET /api/v1/creditors/:id/api-keys": {allowed: adminOnl, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/creditors/"+pick(t, w.credA.ID, w.credB.ID)+"/api-keys", nil)
		}},
		"POST /api/v1/creditors/:id/api-keys": {allowed: adminOnl, ok: 201, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/creditors/"+pick(t, w.credA.ID, w.credB.ID)+"/api-keys", map[string]any{"name": "Clé " + w.unique()})
		}},
		"POST /api/v1/api-keys/:id/revoke": {allowed: adminOnl, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			// A throwaway key of each creditor, so the matrix's own key stays valid.
			ka, err := w.svc.CreateAPIKey(context.Background(), app.System, w.credA.ID, "jetable", app.Meta{})
			if err != nil {
				w.t.Fatal(err)
			}
			kb, err := w.svc.CreateAPIKey(context.Background(), app.System, w.credB.ID, "jetable", app.Meta{})
			if err != nil {
				w.t.Fatal(err)
			}
			return c.Do("POST", "/api/v1/api-keys/"+pick(t, ka.ID, kb.ID)+"/revoke", nil)
		}},
		"GET /api/v1/audit": {allowed: adminOnl, ok: 200, call: get("/api/v1/audit")},
		"PATCH /api/v1/creditors/:id": {allowed: adminOnl, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("PATCH", "/api/v1/creditors/"+pick(t, w.credA.ID, w.credB.ID), map[string]any{"bic": "AGRIFRPP" + w.unique()[:1]})
		}},
		"GET /api/v1/debtors": {allowed: everyone, ok: 200, call: get("/api/v1/debtors")},
		"POST /api/v1/debtors": {allowed: staff, ok: 201, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/debtors", map[string]any{"kind": "person", "name": "Jean Martin " + w.unique()})
		}},
		"GET /api/v1/debtors/:id": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/debtors/"+pick(t, w.caseA.Debtor.ID, w.caseB.Debtor.ID), nil)
		}},
		"PATCH /api/v1/debtors/:id": {allowed: staff, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("PATCH", "/api/v1/debtors/"+pick(t, w.caseA.Debtor.ID, w.caseB.Debtor.ID), map[string]any{"phones": []string{"+33 3 84 00 00 0" + w.unique()[:1]}})
		}},
		"GET /api/v1/cases": {allowed: everyone, ok: 200, call: get("/api/v1/cases")},
		"GET /api/v1/cases/export": {allowed: everyone, ok: 200, call: func(w *world, _ *apitest.Client, as string, _ target) *apitest.Response {
			return w.rawGet(as, "/api/v1/cases/export?format=xlsx")
		}},
		"GET /api/v1/cases/:id/events/export": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, _ *apitest.Client, as string, t target) *apitest.Response {
			return w.rawGet(as, "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/events/export")
		}},
		"POST /api/v1/imports": {allowed: openers, ok: 201, call: func(w *world, c *apitest.Client, as string, _ target) *apitest.Response {
			return w.uploadImportAs(c, as)
		}},
		"POST /api/v1/e-invoices": {allowed: openers, ok: 200, call: func(w *world, c *apitest.Client, as string, _ target) *apitest.Response {
			return w.uploadEInvoiceAs(c, as)
		}},
		"GET /api/v1/e-invoice-uploads": {allowed: openers, ok: 200, call: get("/api/v1/e-invoice-uploads")},
		"GET /api/v1/imports/:id": {allowed: openers, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/imports/"+pick(t, w.importFor(w.credA.ID), w.importFor(w.credB.ID)), nil)
		}},
		"PUT /api/v1/imports/:id/mapping": {allowed: openers, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("PUT", "/api/v1/imports/"+pick(t, w.importFor(w.credA.ID), w.importFor(w.credB.ID))+"/mapping",
				map[string]any{"mapping": map[string]int{"debtor_name": 0, "invoice_number": 5, "issued_on": 6, "due_on": 7, "amount": 8}})
		}},
		"POST /api/v1/imports/:id/run": {allowed: openers, scoped: true, ok: 202, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/imports/"+pick(t, w.importFor(w.credA.ID), w.importFor(w.credB.ID))+"/run", nil)
		}},
		"GET /api/v1/imports/:id/refused": {allowed: openers, scoped: true, ok: 200, call: func(w *world, _ *apitest.Client, as string, t target) *apitest.Response {
			return w.rawGet(as, "/api/v1/imports/"+pick(t, w.importFor(w.credA.ID), w.importFor(w.credB.ID))+"/refused")
		}},
		"POST /api/v1/cases": {allowed: openers, ok: 201, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/cases", map[string]any{
				"creditor_id": w.credA.ID, "debtor": map[string]any{"kind": "person", "name": "Paul Durand " + w.unique()},
				"claims": []map[string]any{{"invoice_number": "N-" + w.unique(), "issued_on": "2026-09-01", "due_on": "2026-10-01", "amount_cents": 9900}},
			})
		}},
		"GET /api/v1/cases/:id": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID), nil)
		}},
		"PATCH /api/v1/cases/:id": {allowed: staff, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			id := pick(t, w.caseA.Case.ID, w.caseB.Case.ID)
			return c.Do("PATCH", "/api/v1/cases/"+id, map[string]any{"priority": 2}, "If-Match", w.etag(id))
		}},
		"POST /api/v1/cases/:id/claims": {allowed: openers, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/claims", map[string]any{
				"claims": []map[string]any{{"invoice_number": "C-" + w.unique(), "issued_on": "2026-09-01", "due_on": "2026-10-01", "amount_cents": 100}},
			})
		}},
		"POST /api/v1/cases/:id/transitions": {allowed: staff, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			// A case of each creditor to close, so the matrix's own cases stay open.
			a, b := w.newCase(w.credA.ID, "Débiteur jetable", ""), w.newCase(w.credB.ID, "Débiteur jetable", "")
			id := pick(t, a.Case.ID, b.Case.ID)
			return c.Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "closed", "close_reason": "withdrawn"}, "If-Match", w.etag(id))
		}},
		"POST /api/v1/cases/:id/court-steps": {allowed: lawyers, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			a, b := w.newCase(w.credA.ID, "Débiteur au tribunal", ""), w.newCase(w.credB.ID, "Débiteur au tribunal", "")
			for _, id := range []uuid.UUID{a.Case.ID, b.Case.ID} {
				// Fixture shortcut: the guards on the way are tested elsewhere.
				if _, err := w.db.Pool.Exec(context.Background(), "UPDATE cases SET stage = 'injunction' WHERE id = $1", id); err != nil {
					w.t.Fatal(err)
				}
			}
			id := pick(t, a.Case.ID, b.Case.ID)
			return c.Do("POST", "/api/v1/cases/"+id+"/court-steps", map[string]any{"step": "filed", "on": "2026-11-02", "court": "Tribunal de commerce de Lons-le-Saunier"}, "If-Match", w.etag(id))
		}},
		"GET /api/v1/cases/:id/events": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/events", nil)
		}},
		"POST /api/v1/cases/:id/events": {allowed: everyone, scoped: true, ok: 201, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/events", map[string]any{"type": "message", "data": map[string]any{"text": "Bonjour"}})
		}},
		"GET /api/v1/events/stream": {allowed: everyone, ok: 200, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return w.openStream(c, "")
		}},
		"GET /api/v1/queue":                 {allowed: queueWork, ok: 200, call: get("/api/v1/queue")},
		"GET /api/v1/portfolio":             {allowed: everyone, ok: 200, call: get("/api/v1/portfolio")},
		"GET /api/v1/portfolio/performance": {allowed: everyone, ok: 200, call: get("/api/v1/portfolio/performance")},
		"GET /api/v1/portfolio/export": {allowed: everyone, ok: 200, call: func(w *world, _ *apitest.Client, as string, _ target) *apitest.Response {
			return w.rawGet(as, "/api/v1/portfolio/export?format=xlsx")
		}},
		"GET /api/v1/portfolio/forecast": {allowed: everyone, ok: 200, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("GET", "/api/v1/portfolio/forecast?creditor_id="+w.credA.ID.String(), nil)
		}},
		"GET /api/v1/docket":            {allowed: lawyers, ok: 200, call: get("/api/v1/docket")},
		"GET /api/v1/ledger/balances":   {allowed: []string{"admin", "creditor", "api_key"}, ok: 200, call: get("/api/v1/ledger/balances")},
		"GET /api/v1/ledger/entries":    {allowed: []string{"admin", "creditor", "api_key"}, ok: 200, call: get("/api/v1/ledger/entries")},
		"GET /api/v1/ledger/commission": {allowed: adminOnl, ok: 200, call: get("/api/v1/ledger/commission")},
		"GET /api/v1/remittances":       {allowed: []string{"admin", "creditor", "api_key"}, ok: 200, call: get("/api/v1/remittances")},
		"GET /api/v1/invoices":          {allowed: []string{"admin", "creditor", "api_key"}, ok: 200, call: get("/api/v1/invoices")},
		"GET /api/v1/invoices/:id": {allowed: []string{"admin", "creditor", "api_key"}, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			a, b := w.invoicePair()
			return c.Do("GET", "/api/v1/invoices/"+pick(t, a, b), nil)
		}},
		"GET /api/v1/invoices/:id/pdf": {allowed: []string{"admin", "creditor", "api_key"}, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			a, b := w.invoicePair()
			return c.Do("GET", "/api/v1/invoices/"+pick(t, a, b)+"/pdf", nil)
		}},
		"GET /api/v1/invoices/:id/cii": {allowed: []string{"admin", "creditor", "api_key"}, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			a, b := w.invoicePair()
			return c.Do("GET", "/api/v1/invoices/"+pick(t, a, b)+"/cii", nil)
		}},
		"POST /api/v1/invoices/:id/correct": {allowed: adminOnl, ok: 201, call: func(w *world, c *apitest.Client, as string, t target) *apitest.Response {
			id := uuid.Must(uuid.NewV7())
			if (as == "admin" || as == "accountant") && t != missing { // a fresh invoice each time: one is corrected once
				id = w.freshInvoice(w.credA.ID, w.caseA.Case.ID)
				if t == other {
					id = w.freshInvoice(w.credB.ID, w.caseB.Case.ID)
				}
			}
			return c.Do("POST", "/api/v1/invoices/"+id.String()+"/correct", map[string]any{"reason": "Adresse corrigée"})
		}},
		"GET /api/v1/remittance-runs": {allowed: adminOnl, ok: 200, call: get("/api/v1/remittance-runs")},
		"GET /api/v1/remittance-runs/:id/export": {allowed: adminOnl, ok: 404, call: func(w *world, _ *apitest.Client, as string, _ target) *apitest.Response {
			return w.rawGet(as, "/api/v1/remittance-runs/"+uuid.Must(uuid.NewV7()).String()+"/export")
		}},
		"POST /api/v1/remittance-runs": {allowed: adminOnl, ok: 422, call: func(_ *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/remittance-runs", map[string]any{}) // nothing held in this world: 422 with the reason
		}},
		"GET /api/v1/remittance-runs/:id": {allowed: adminOnl, ok: 404, call: func(_ *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("GET", "/api/v1/remittance-runs/"+uuid.Must(uuid.NewV7()).String(), nil)
		}},
		"GET /api/v1/ledger/balances/export":   {allowed: []string{"admin", "creditor", "api_key"}, ok: 200, call: exportAs("/api/v1/ledger/balances/export")},
		"GET /api/v1/ledger/entries/export":    {allowed: []string{"admin", "creditor", "api_key"}, ok: 200, call: exportAs("/api/v1/ledger/entries/export")},
		"GET /api/v1/ledger/commission/export": {allowed: adminOnl, ok: 200, call: exportAs("/api/v1/ledger/commission/export?format=xlsx")},
		"GET /api/v1/remittance-runs/export":   {allowed: adminOnl, ok: 200, call: exportAs("/api/v1/remittance-runs/export")},
		"GET /api/v1/remittances/export":       {allowed: []string{"admin", "creditor", "api_key"}, ok: 200, call: exportAs("/api/v1/remittances/export")},
		"GET /api/v1/remittance-runs/:id/pain001": {allowed: adminOnl, ok: 404, call: func(_ *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("GET", "/api/v1/remittance-runs/"+uuid.Must(uuid.NewV7()).String()+"/pain001", nil)
		}},
		"POST /api/v1/remittance-runs/:id/book": {allowed: adminOnl, ok: 404, call: func(_ *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/remittance-runs/"+uuid.Must(uuid.NewV7()).String()+"/book", nil)
		}},
		"POST /api/v1/remittance-runs/:id/sent": {allowed: adminOnl, ok: 404, call: func(_ *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/remittance-runs/"+uuid.Must(uuid.NewV7()).String()+"/sent", nil)
		}},
		"POST /api/v1/remittance-runs/:id/cancel": {allowed: adminOnl, ok: 404, call: func(_ *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/remittance-runs/"+uuid.Must(uuid.NewV7()).String()+"/cancel", nil)
		}},
		"POST /api/v1/notifications/read-all": {allowed: notified, ok: 200, call: func(_ *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/notifications/read-all", nil)
		}},
		"POST /api/v1/notifications/:id/read": {allowed: notified, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, as string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/notifications/"+w.notificationFor(as, t)+"/read", nil)
		}},
		"GET /api/v1/notifications":              {allowed: notified, ok: 200, call: get("/api/v1/notifications")},
		"GET /api/v1/notifications/unread-count": {allowed: notified, ok: 200, call: get("/api/v1/notifications/unread-count")},
		"GET /api/v1/notifications/settings":     {allowed: notified, ok: 200, call: get("/api/v1/notifications/settings")},
		"PUT /api/v1/notifications/settings": {allowed: notified, ok: 200, call: func(_ *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("PUT", "/api/v1/notifications/settings", map[string]any{"email_digest": false, "language": "fr"})
		}},
		"GET /api/v1/creditors/:id/payment-reports": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/creditors/"+pick(t, w.credA.ID, w.credB.ID)+"/payment-reports", nil)
		}},
		"PUT /api/v1/creditors/:id/payment-reports": {allowed: []string{"admin", "creditor", "api_key"}, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("PUT", "/api/v1/creditors/"+pick(t, w.credA.ID, w.credB.ID)+"/payment-reports", map[string]any{"payment_reports": "portal"})
		}},
		"GET /api/v1/cases/:id/statement": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/statement", nil)
		}},
		"GET /api/v1/cases/:id/payments": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/payments", nil)
		}},
		"POST /api/v1/cases/:id/payments": {allowed: staff, ok: 201, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/payments",
				map[string]any{"amount_cents": 100, "received_on": recouvra.DateOf(w.clock.Now()).String(), "method": "transfer"}, "Idempotency-Key", "matrix-"+w.unique())
		}},
		"GET /api/v1/payments/:id": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			a, b := w.payment(w.caseA.Case.ID), w.payment(w.caseB.Case.ID)
			return c.Do("GET", "/api/v1/payments/"+pick(t, a, b), nil)
		}},
		"POST /api/v1/payments/:id/reverse": {allowed: staff, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			a, b := w.payment(w.caseA.Case.ID), w.payment(w.caseB.Case.ID)
			return c.Do("POST", "/api/v1/payments/"+pick(t, a, b)+"/reverse", map[string]any{"reason": "Chèque impayé"})
		}},
		"GET /api/v1/rates": {allowed: staff, ok: 200, call: get("/api/v1/rates")},
		"GET /api/v1/cases/:id/plans": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/plans", nil)
		}},
		"POST /api/v1/cases/:id/plans": {allowed: queueWork, ok: 201, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			var id uuid.UUID
			switch t {
			case own:
				id = w.newCase(w.credA.ID, "Échelonné SAS", "552100554").Case.ID
			case other:
				id = w.newCase(w.credB.ID, "Échelonné SAS", "552100554").Case.ID
			default:
				id = uuid.Must(uuid.NewV7())
			}
			return w.newPlan(c, id, 2, 10, false)
		}},
		"GET /api/v1/plans/:id": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/plans/"+w.planOf(t, true), nil)
		}},
		"POST /api/v1/plans/:id/approve": {allowed: []string{"creditor", "api_key"}, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/plans/"+w.planOf(t, true)+"/approve", map[string]any{})
		}},
		"POST /api/v1/plans/:id/refuse": {allowed: []string{"creditor", "api_key"}, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/plans/"+w.planOf(t, true)+"/refuse", map[string]any{"reason": "Trop long"})
		}},
		"POST /api/v1/plans/:id/cancel": {allowed: queueWork, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/plans/"+w.planOf(t, true)+"/cancel", map[string]any{"reason": "Annulé"})
		}},
		"POST /api/v1/plans/:id/sign": {allowed: queueWork, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/plans/"+w.planOf(t, false)+"/sign", map[string]any{})
		}},
		"GET /api/v1/strategies": {allowed: staff, ok: 200, call: get("/api/v1/strategies")},
		"POST /api/v1/strategies": {allowed: adminOnl, ok: 201, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/strategies", strategyBody("Matrice "+w.unique(), map[string]any{"channel": "letter"}))
		}},
		"GET /api/v1/strategies/:id": {allowed: staff, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/strategies/"+w.strategyFor(t), nil)
		}},
		"PUT /api/v1/strategies/:id": {allowed: adminOnl, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			body := strategyBody("Matrice modifiée "+w.unique(), map[string]any{"channel": "email"})
			body["version"] = 1
			return c.Do("PUT", "/api/v1/strategies/"+w.strategyFor(t), body)
		}},
		"DELETE /api/v1/strategies/:id": {allowed: adminOnl, ok: 204, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("DELETE", "/api/v1/strategies/"+w.strategyFor(t), nil)
		}},
		"POST /api/v1/strategy-simulations": {allowed: staff, ok: 200, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/strategy-simulations", map[string]any{"strategy": strategyBody("Essai", map[string]any{"channel": "letter"}), "sample": map[string]any{}})
		}},
		"PUT /api/v1/creditors/:id/strategy": {allowed: adminOnl, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("PUT", "/api/v1/creditors/"+pick(t, w.credA.ID, w.credB.ID)+"/strategy", map[string]any{"strategy_id": w.freshStrategy()})
		}},
		"GET /api/v1/cases/:id/strategy": {allowed: staff, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/cases/"+w.strategyCaseFor(t)+"/strategy", nil)
		}},
		"PUT /api/v1/cases/:id/strategy": {allowed: queueWork, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("PUT", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/strategy", map[string]any{"strategy_id": w.freshStrategy()})
		}},
		"GET /api/v1/strategy-experiments": {allowed: everyone, ok: 200, call: get("/api/v1/strategy-experiments")},
		"POST /api/v1/strategy-experiments": {allowed: adminOnl, ok: 201, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			w.stopExperiments(w.credA.ID)
			return c.Do("POST", "/api/v1/strategy-experiments", map[string]any{"creditor_id": w.credA.ID, "name": "Matrice", "arms": []any{
				map[string]any{"strategy_id": w.freshStrategy(), "share_percent": 30}, map[string]any{"strategy_id": w.freshStrategy(), "share_percent": 70}}})
		}},
		"GET /api/v1/strategy-experiments/:id": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/strategy-experiments/"+w.experimentFor(t), nil)
		}},
		"GET /api/v1/strategy-experiments/:id/report": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/strategy-experiments/"+w.experimentFor(t)+"/report", nil)
		}},
		"POST /api/v1/strategy-experiments/:id/stop": {allowed: adminOnl, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/strategy-experiments/"+w.experimentFor(t)+"/stop", nil)
		}},
		"GET /api/v1/strategy-runs":         {allowed: adminOnl, ok: 200, call: get("/api/v1/strategy-runs")},
		"GET /api/v1/strategy-runs/preview": {allowed: adminOnl, ok: 200, call: get("/api/v1/strategy-runs/preview")},
		"GET /api/v1/strategy-runs/:id/print-file": {allowed: adminOnl, ok: 200, call: func(w *world, _ *apitest.Client, as string, t target) *apitest.Response {
			return w.rawGet(as, "/api/v1/strategy-runs/"+w.letterPassFor(t)+"/print-file")
		}},
		"POST /api/v1/strategy-runs/:id/registered-numbers": {allowed: adminOnl, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return w.registeredCSV(c, uuid.MustParse(w.letterPassFor(t)), w.caseA.Case.Reference+";1A 000 000 0001 7\n")
		}},
		"POST /api/v1/call-tasks/:id/complete": {allowed: queueWork, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/call-tasks/"+w.callTaskFor(t)+"/complete", map[string]any{"outcome": "no_answer"})
		}},
		"POST /api/v1/creditors/:id/remittance-statements": {allowed: adminOnl, ok: 201, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			today := recouvra.DateOf(w.clock.Now())
			return c.Do("POST", "/api/v1/creditors/"+pick(t, w.credA.ID, w.credB.ID)+"/remittance-statements", map[string]any{"from": today.AddDays(-30).String(), "to": today.String()})
		}},
		"GET /api/v1/creditors/:id/documents": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/creditors/"+pick(t, w.credA.ID, w.credB.ID)+"/documents", nil)
		}},
		"POST /api/v1/document-batches": {allowed: staff, ok: 202, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/document-batches", map[string]any{"kind": "statement", "case_ids": []uuid.UUID{w.caseA.Case.ID}})
		}},
		"GET /api/v1/document-batches/:id": {allowed: staff, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/document-batches/"+pick(t, w.batch(), w.batch()), nil)
		}},
		"GET /api/v1/document-batches/:id/content": {allowed: staff, ok: 200, call: func(w *world, c *apitest.Client, as string, t target) *apitest.Response {
			id := pick(t, w.batch(), w.batch())
			if t != missing {
				w.waitBatch(id)
			}
			status, body := w.get(as, "/api/v1/document-batches/"+id+"/content")
			return &apitest.Response{Status: status, Body: body, Header: http.Header{"Content-Type": {"application/problem+json"}}}
		}},
		"GET /api/v1/cases/:id/documents": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/documents", nil)
		}},
		"POST /api/v1/cases/:id/documents": {allowed: everyone, scoped: true, ok: 201, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/documents", map[string]any{"kind": "statement"})
		}},
		"POST /api/v1/cases/:id/attachments": {allowed: everyone, scoped: true, ok: 201, call: func(w *world, c *apitest.Client, as string, t target) *apitest.Response {
			return w.upload(as, pick(t, w.caseA.Case.ID, w.caseB.Case.ID), "invoice", "", "facture.pdf", tinyPDF)
		}},
		"GET /api/v1/documents/:id": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/documents/"+pick(t, w.document(w.caseA.Case.ID), w.document(w.caseB.Case.ID)), nil)
		}},
		"GET /api/v1/documents/:id/content": {allowed: everyone, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, as string, t target) *apitest.Response {
			resp, body := w.content(as, pick(t, w.document(w.caseA.Case.ID), w.document(w.caseB.Case.ID)))
			return &apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
		}},
		// No SMTP server in this world, and the document is a statement: the
		// staff who may send get 422 (not an amicable letter) once through the
		// role check; TestEmailAmicableLetter sends for real.
		"POST /api/v1/documents/:id/email": {allowed: queueWork, scoped: true, ok: 422, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/documents/"+pick(t, w.document(w.caseA.Case.ID), w.document(w.caseB.Case.ID))+"/email", nil)
		}},
		"POST /api/v1/rates": {allowed: adminOnl, ok: 200, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("POST", "/api/v1/rates", map[string]any{"kind": "ecb_refi", "period_start": "2026-07-01", "value": 200, "source": "BCE, taux au 1er juillet 2026"})
		}},
		"GET /api/v1/terms/due-date": {allowed: everyone, ok: 200, call: get("/api/v1/terms/due-date?issued_on=2026-01-20&kind=days_then_end_of_month&days=45")},
		"POST /api/v1/bank-statements": {allowed: adminOnl, ok: 201, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			today := recouvra.DateOf(w.clock.Now())
			return w.importStatement(c, "releve.xml", camtFile(w.t, "STMT-"+w.unique(), today), "")
		}},
		"GET /api/v1/bank-entries": {allowed: queueWork, ok: 200, call: get("/api/v1/bank-entries?status=unmatched")},
		"POST /api/v1/bank-entries/:id/book": {allowed: queueWork, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/bank-entries/"+pick(t, w.unmatchedEntry(), w.unmatchedEntry())+"/book", map[string]any{"case_id": w.caseA.Case.ID})
		}},
		"POST /api/v1/bank-entries/:id/reject": {allowed: queueWork, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/bank-entries/"+pick(t, w.unmatchedEntry(), w.unmatchedEntry())+"/reject", map[string]any{"reason": "Hors mandat"})
		}},
		"POST /api/v1/queue/next": {allowed: queueWork, ok: 200, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			w.newCase(w.credA.ID, "Débiteur en file", "") // something to take
			return c.Do("POST", "/api/v1/queue/next", nil)
		}},
		// The debtor's page: its link is the only credential (a bearer
		// token changes nothing), on a fresh case each call so that the
		// staff routes revoking links cannot interfere.
		"GET /d/:token": {public: true, ok: 200, call: func(w *world, _ *apitest.Client, _ string, _ target) *apitest.Response {
			_, tok := w.debtorLink(w.newCase(w.credA.ID, "Débiteur en ligne", "").Case.ID)
			return w.debtorGet("/d/" + tok)
		}},
		"GET /d/:token/documents/:doc": {public: true, ok: 200, call: func(w *world, _ *apitest.Client, _ string, _ target) *apitest.Response {
			id := w.newCase(w.credA.ID, "Débiteur en ligne", "").Case.ID
			_, tok := w.debtorLink(id)
			return w.debtorGet("/d/" + tok + "/documents/" + w.document(id).String())
		}},
		"POST /d/:token/:form": {public: true, ok: 303, call: func(w *world, _ *apitest.Client, _ string, _ target) *apitest.Response {
			_, tok := w.debtorLink(w.newCase(w.credA.ID, "Débiteur en ligne", "").Case.ID)
			forms := debtorForms(w.t, w.debtorGet("/d/"+tok).Body)
			return w.debtorPost("/d/"+tok+"/callback", map[string]string{"form_token": forms["callback"], "phone": "01 40 00 00 01"}, nil)
		}},
		"GET /api/v1/cases/:id/debtor-link": {allowed: queueWork, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("GET", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/debtor-link", nil)
		}},
		"POST /api/v1/cases/:id/debtor-link/revoke": {allowed: queueWork, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/debtor-link/revoke", nil)
		}},
		"POST /api/v1/cases/:id/debtor-link/reissue": {allowed: queueWork, scoped: true, ok: 200, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			return c.Do("POST", "/api/v1/cases/"+pick(t, w.caseA.Case.ID, w.caseB.Case.ID)+"/debtor-link/reissue", nil)
		}},
	}
	for route, rc := range webhookRoutes() { // webhooks_fixture_test.go
		table[route] = rc
	}
	return table
}

// TestAccessMatrix calls every route as every principal on every target and
// checks the status the policy promises — 401 anonymous, 403 role refused,
// 404 for another creditor's object exactly as for a missing one — and that
// no body answered to a creditor principal carries an id of the other
// creditor's data.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	table := routeTable()
	withAccountant(t, table) // access_accountant_test.go

	for _, r := range w.srv.Routes() {
		if _, ok := table[r.Method+" "+r.Path]; !ok {
			t.Errorf("route %s %s has no entry in the access matrix: say who may call it", r.Method, r.Path)
		}
	}

	// Ids a creditor principal of creditor A must never see.
	foreign := []string{w.credB.ID.String(), w.users["creditor_b"].ID.String(), w.caseB.Case.ID.String(),
		w.caseB.Debtor.ID.String(), w.caseB.Case.Reference, w.caseB.Debtor.Name}

	for key, rc := range table {
		method, path, _ := strings.Cut(key, " ")
		targets := []target{none}
		if strings.Contains(path, ":id") {
			targets = []target{own, other, missing}
		}
		for _, as := range append([]string{"anonymous"}, principals...) {
			for _, tg := range targets {
				name := fmt.Sprintf("%s %s as %s on %s", method, path, as, tg)
				want := expected(rc, as, tg)
				resp := rc.call(w, w.as(as), as, tg)
				if resp.Status != want {
					t.Errorf("%s: status %d, want %d: %s", name, resp.Status, want, resp.Body)
					continue
				}
				if resp.Status >= 400 {
					resp.Problem(t) // every refusal is problem+json
				}
				if as == "creditor" || as == "api_key" {
					for _, id := range foreign {
						if strings.Contains(string(resp.Body), id) {
							t.Errorf("%s: body carries foreign id %s", name, id)
						}
					}
				}
			}
		}
	}
}

func expected(rc routeCase, as string, t target) int {
	if rc.public {
		return rc.ok
	}
	if as == "anonymous" {
		return http.StatusUnauthorized
	}
	allowed := false
	for _, a := range rc.allowed {
		allowed = allowed || a == as
	}
	switch {
	case !allowed:
		return http.StatusForbidden
	case t == missing:
		return http.StatusNotFound
	case t == other && rc.scoped && (as == "creditor" || as == "api_key"):
		return http.StatusNotFound
	}
	return rc.ok
}

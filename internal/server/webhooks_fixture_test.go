package server_test

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/apitest"
)

// webhookFixture inserts an endpoint of creditor A and one of creditor B,
// each with a failed delivery, straight into the tables (the access
// matrix's world refuses loopback URLs at registration, and sends nothing
// out of the machine): their URL is refused again at the dial, so a ping
// or a replay fails at once without leaving the host. Their type,
// import.finished, is one nothing else in the matrix makes.
func (w *world) webhookFixture() (endpointA, endpointB, deliveryA, deliveryB uuid.UUID) {
	w.t.Helper()
	ctx := context.Background()
	one := func(sql string, args ...any) uuid.UUID {
		w.t.Helper()
		var id uuid.UUID
		if err := w.db.Pool.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
			w.t.Fatalf("%s: %v", sql, err)
		}
		return id
	}
	ep := func(creditor uuid.UUID) uuid.UUID {
		return one(`INSERT INTO webhook_endpoints (creditor_id, url, event_types, secret)
			VALUES ($1, 'https://127.0.0.1:1/hooks', '["import.finished"]', 'whsec_c2VjcmV0IGRlIHRlc3Q=') RETURNING id`, creditor)
	}
	del := func(endpoint, creditor uuid.UUID) uuid.UUID {
		return one(`INSERT INTO webhook_deliveries (endpoint_id, creditor_id, type, payload, state, retry_until, finished_at)
			VALUES ($1, $2, 'import.finished', '{"type":"import.finished"}', 'failed', now(), now()) RETURNING id`, endpoint, creditor)
	}
	// One endpoint per creditor and world (a creditor may have 20, and the
	// matrix calls each route many times); a fresh failed delivery per
	// call, since a replay queues it again.
	endpointA = uuid.MustParse(w.once("webhook endpoint A", func() string { return ep(w.credA.ID).String() }))
	endpointB = uuid.MustParse(w.once("webhook endpoint B", func() string { return ep(w.credB.ID).String() }))
	return endpointA, endpointB, del(endpointA, w.credA.ID), del(endpointB, w.credB.ID)
}

// spareWebhookEndpoints are endpoints of creditors A and B made for one
// call that removes them.
func (w *world) spareWebhookEndpoints() (endpointA, endpointB uuid.UUID) {
	w.t.Helper()
	ctx := context.Background()
	ep := func(creditor uuid.UUID) uuid.UUID {
		var id uuid.UUID
		if err := w.db.Pool.QueryRow(ctx, `INSERT INTO webhook_endpoints (creditor_id, url, event_types, secret)
			VALUES ($1, 'https://127.0.0.1:1/hooks', '["import.finished"]', 'whsec_c2VjcmV0IGRlIHRlc3Q=') RETURNING id`, creditor).Scan(&id); err != nil {
			w.t.Fatal(err)
		}
		return id
	}
	return ep(w.credA.ID), ep(w.credB.ID)
}

// fuzzWebhook is the id of an endpoint of creditor A (or of its
// delivery) for the fuzz world.
func (w *world) fuzzWebhook(delivery bool) string {
	a, _, d, _ := w.webhookFixture()
	if delivery {
		return d.String()
	}
	return a.String()
}

// webhookRoutes are the access matrix's cases for the webhook routes.
func webhookRoutes() map[string]routeCase {
	readers := []string{"admin", "agent", "creditor", "api_key"}
	writers := []string{"admin", "creditor", "api_key"}
	onEndpoint := func(method, suffix string, body any) func(*world, *apitest.Client, string, target) *apitest.Response {
		return func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			a, b, _, _ := w.webhookFixture()
			return c.Do(method, "/api/v1/webhook-endpoints/"+pick(t, a, b)+suffix, body)
		}
	}
	return map[string]routeCase{
		"GET /api/v1/webhook-endpoints": {allowed: readers, ok: 200, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			return c.Do("GET", "/api/v1/webhook-endpoints?creditor_id="+w.credA.ID.String(), nil)
		}},
		"POST /api/v1/webhook-endpoints": {allowed: writers, ok: 201, call: func(w *world, c *apitest.Client, _ string, _ target) *apitest.Response {
			// A public address written as such: no DNS, and nothing is sent
			// to it (nothing in the matrix makes an import.finished).
			return c.Do("POST", "/api/v1/webhook-endpoints", map[string]any{"creditor_id": w.credA.ID, "url": "https://93.184.216.34/hooks",
				"event_types": []string{"import.finished"}})
		}},
		"GET /api/v1/webhook-endpoints/:id":   {allowed: readers, scoped: true, ok: 200, call: onEndpoint("GET", "", nil)},
		"PATCH /api/v1/webhook-endpoints/:id": {allowed: writers, scoped: true, ok: 200, call: onEndpoint("PATCH", "", map[string]any{"description": "ERP de test"})},
		"DELETE /api/v1/webhook-endpoints/:id": {allowed: writers, scoped: true, ok: 204, call: func(w *world, c *apitest.Client, as string, t target) *apitest.Response {
			// A spare pair only for those who may delete: a creditor may
			// have 20 endpoints, and the refused principals (the accountant
			// among them) would otherwise fill them up.
			a, b, _, _ := w.webhookFixture()
			if slices.Contains(writers, as) {
				a, b = w.spareWebhookEndpoints()
			}
			return c.Do("DELETE", "/api/v1/webhook-endpoints/"+pick(t, a, b), nil)
		}},
		"POST /api/v1/webhook-endpoints/:id/rotate-secret": {allowed: writers, scoped: true, ok: 200, call: onEndpoint("POST", "/rotate-secret", nil)},
		"POST /api/v1/webhook-endpoints/:id/ping":          {allowed: writers, scoped: true, ok: 200, call: onEndpoint("POST", "/ping", nil)},
		"GET /api/v1/webhook-endpoints/:id/deliveries":     {allowed: readers, scoped: true, ok: 200, call: onEndpoint("GET", "/deliveries", nil)},
		"POST /api/v1/webhook-deliveries/:id/replay": {allowed: writers, scoped: true, ok: 202, call: func(w *world, c *apitest.Client, _ string, t target) *apitest.Response {
			_, _, a, b := w.webhookFixture()
			return c.Do("POST", "/api/v1/webhook-deliveries/"+pick(t, a, b)+"/replay", nil)
		}},
	}
}

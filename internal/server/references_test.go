package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/recouvra/recouvra/api"
	"github.com/recouvra/recouvra/internal/apitest"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// referencingFields lists every field of the contract through which a
// request names another object: query and header parameters and request
// body properties (JSON or multipart, at any depth) of format uuid, or
// named *_id, *_ids or supersedes. Each is "METHOD /path field", the field
// as "query.name", "header.name" or "body.a.b".
func referencingFields(t *testing.T) []string {
	t.Helper()
	doc, err := api.Load(context.Background(), api.Spec)
	if err != nil {
		t.Fatal(err)
	}
	isRef := func(name string, s *openapi3.Schema) bool {
		if s != nil && (s.Format == "uuid" || (s.Items != nil && s.Items.Value != nil && s.Items.Value.Format == "uuid")) {
			return true
		}
		return strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_ids") || name == "supersedes"
	}
	var out []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			seen := map[string]bool{}
			add := func(field string) {
				if !seen[field] {
					seen[field] = true
					out = append(out, key+" "+field)
				}
			}
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.Value == nil || p.Value.In == openapi3.ParameterInPath {
					continue
				}
				var s *openapi3.Schema
				if p.Value.Schema != nil {
					s = p.Value.Schema.Value
				}
				if isRef(strings.ToLower(p.Value.Name), s) || strings.EqualFold(p.Value.Name, "Last-Event-ID") {
					add(p.Value.In + "." + p.Value.Name)
				}
			}
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			var walk func(prefix string, s *openapi3.SchemaRef, depth int)
			walk = func(prefix string, s *openapi3.SchemaRef, depth int) {
				if s == nil || s.Value == nil || depth > 10 {
					return
				}
				v := s.Value
				for _, sub := range slices.Concat(v.AllOf, v.OneOf, v.AnyOf) {
					walk(prefix, sub, depth+1)
				}
				if v.Items != nil {
					walk(prefix, v.Items, depth+1)
				}
				for name, p := range v.Properties {
					if isRef(name, p.Value) {
						add(prefix + "." + name)
					}
					walk(prefix+"."+name, p, depth+1)
				}
			}
			for _, media := range op.RequestBody.Value.Content {
				walk("body", media.Schema, 0)
			}
		}
	}
	sort.Strings(out)
	return out
}

// refCase says how to send one referencing field and which objects to name.
type refCase struct {
	callers []string // the principals the role policy lets call the operation
	// foreign is an object of the right kind belonging to creditor B (or,
	// for a reference to a person, one a creditor of A may not use).
	foreign func(w *world) string
	// missing is an id nothing has; nil means a random UUID.
	missing func(w *world) string
	// alsoMissing are objects the operation must refuse exactly as a
	// missing one whoever calls: another case's of creditor A where the
	// operation needs one of this case.
	alsoMissing map[string]func(w *world) string
	// filter: the field narrows a read (a list, a stream's start), where
	// naming nothing that matches is an empty answer, not a refusal.
	filter bool
	// caseBound: the operation needs an object of the case it is about, so
	// creditor B's object is refused as a missing one to staff as well.
	caseBound bool
	// valid, when set, is an object the caller may name: it must not be
	// refused as unknown (else the comparison proves nothing).
	valid func(w *world) string
	// hiddenFromCreditor are creditor A's objects its users may not see
	// (internal ones): refused to them exactly as a missing one.
	hiddenFromCreditor map[string]func(w *world) string
	// call sends the request as principal as naming ref in the field.
	call func(w *world, c *apitest.Client, as, ref string) *apitest.Response
}

var arrayIndex = regexp.MustCompile(`\[[0-9]+\]`)

// refTable has one entry per referencing field of the contract; the test
// fails when the contract has a field without one.
func refTable() map[string]refCase {
	claim := func(w *world) map[string]any {
		return map[string]any{"invoice_number": "R-" + w.unique(), "issued_on": "2026-01-05", "due_on": "2026-02-05", "amount_cents": 5000}
	}
	listCases := func(param string) func(*world, *apitest.Client, string, string) *apitest.Response {
		return func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
			return c.Do("GET", "/api/v1/cases?"+param+"="+ref, nil)
		}
	}
	createCase := func(field string) func(*world, *apitest.Client, string, string) *apitest.Response {
		return func(w *world, c *apitest.Client, as, ref string) *apitest.Response {
			body := map[string]any{"claims": []any{claim(w)}, "debtor": map[string]any{"kind": "person", "name": "Lucie Bernard " + w.unique()}}
			if as != "creditor" && as != "api_key" {
				body["creditor_id"] = w.credA.ID
			}
			if field == "debtor_id" {
				delete(body, "debtor")
			}
			body[field] = ref
			return c.Do("POST", "/api/v1/cases", body)
		}
	}
	patchCase := func(field string) func(*world, *apitest.Client, string, string) *apitest.Response {
		return func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
			id := w.caseA.Case.ID.String()
			return c.Do("PATCH", "/api/v1/cases/"+id, map[string]any{field: ref}, "If-Match", w.etag(id))
		}
	}
	// supersedes is refused for a document of another case of A, and, to
	// A's own users, for an internal document of the case itself.
	// Objects that are only ever refused are made once per world; a valid
	// document is made per call, since superseding it uses it up.
	otherCaseDoc := map[string]func(*world) string{"a document of another case of A": func(w *world) string {
		return w.once("doc A2", func() string { return w.document(w.caseA2().Case.ID).String() })
	}}
	ownDoc := func(w *world) string { return w.document(w.caseA.Case.ID).String() }
	internalDoc := map[string]func(*world) string{"an internal document of the case": func(w *world) string {
		return w.once("internal doc A", func() string { return w.internalDocument(w.caseA.Case.ID) })
	}}
	foreignDoc := func(w *world) string {
		return w.once("doc B", func() string { return w.document(w.caseB.Case.ID).String() })
	}
	exportCases := func(param string) func(*world, *apitest.Client, string, string) *apitest.Response {
		return func(w *world, _ *apitest.Client, as, ref string) *apitest.Response {
			return w.rawGet(as, "/api/v1/cases/export?"+param+"="+ref)
		}
	}
	exportOf := func(path string) func(*world, *apitest.Client, string, string) *apitest.Response {
		return func(w *world, _ *apitest.Client, as, ref string) *apitest.Response {
			return w.rawGet(as, path+"?creditor_id="+ref)
		}
	}
	return map[string]refCase{
		"POST /api/v1/users body.creditor_id": {callers: adminOnl, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("POST", "/api/v1/users", map[string]any{"email": "ref" + w.unique() + "@recouvra.test", "name": "Réf", "role": "creditor",
					"creditor_id": ref, "password": testPassword})
			}},
		"PATCH /api/v1/users/{id} body.creditor_id": {callers: adminOnl, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				u := w.createUser("patch"+w.unique()+"@recouvra.test", recouvra.RoleAgent, nil)
				return c.Do("PATCH", "/api/v1/users/"+u.ID.String(), map[string]any{"role": "creditor", "creditor_id": ref})
			}},
		// Any creditor's case may receive a bank credit (the agency's
		// account holds them all); each call books a fresh unmatched entry.
		"POST /api/v1/bank-entries/{id}/book body.case_id": {callers: []string{"admin", "agent", "accountant"}, foreign: func(w *world) string { return w.caseB.Case.ID.String() },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("POST", "/api/v1/bank-entries/"+w.unmatchedEntry().String()+"/book", map[string]any{"case_id": ref})
			}},
		// Strategies are the agency's: any of them may be named, for any
		// creditor's case or mandate.
		"PUT /api/v1/cases/{id}/strategy body.strategy_id": {callers: queueWork, foreign: func(w *world) string { return w.freshStrategy() },
			valid: func(w *world) string { return w.freshStrategy() },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("PUT", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/strategy", map[string]any{"strategy_id": ref})
			}},
		"PUT /api/v1/creditors/{id}/strategy body.strategy_id": {callers: adminOnl, foreign: func(w *world) string { return w.freshStrategy() },
			valid: func(w *world) string { return w.freshStrategy() },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("PUT", "/api/v1/creditors/"+w.credA.ID.String()+"/strategy", map[string]any{"strategy_id": ref})
			}},
		// Experiments: the admin names any creditor and any strategy (the
		// agency's); a creditor's list narrowed to another creditor is empty.
		"GET /api/v1/strategy-experiments query.creditor_id": {callers: []string{"admin", "agent", "lawyer", "creditor", "api_key"}, filter: true,
			foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("GET", "/api/v1/strategy-experiments?creditor_id="+ref, nil)
			}},
		"POST /api/v1/strategy-experiments body.creditor_id": {callers: adminOnl, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("POST", "/api/v1/strategy-experiments", map[string]any{"creditor_id": ref, "name": "Réf", "arms": []any{
					map[string]any{"strategy_id": w.freshStrategy(), "share_percent": 50}, map[string]any{"strategy_id": w.freshStrategy(), "share_percent": 50}}})
			}},
		"POST /api/v1/strategy-experiments body.arms.strategy_id": {callers: adminOnl, foreign: func(w *world) string { return w.freshStrategy() },
			valid: func(w *world) string { return w.freshStrategy() },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				w.stopExperiments(w.credA.ID)
				return c.Do("POST", "/api/v1/strategy-experiments", map[string]any{"creditor_id": w.credA.ID, "name": "Réf", "arms": []any{
					map[string]any{"strategy_id": w.freshStrategy(), "share_percent": 50}, map[string]any{"strategy_id": ref, "share_percent": 50}}})
			}},
		// E-invoice uploads: a creditor's list narrowed to another creditor
		// is empty, as for a missing one; staff name any.
		"GET /api/v1/e-invoice-uploads query.creditor_id": {callers: openers, filter: true, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("GET", "/api/v1/e-invoice-uploads?creditor_id="+ref, nil)
			}},
		"GET /api/v1/cases/export query.creditor_id": {callers: withAcc(everyone), filter: true, foreign: func(w *world) string { return w.credB.ID.String() }, call: exportCases("creditor_id")},
		"GET /api/v1/cases/export query.debtor_id":   {callers: withAcc(everyone), filter: true, foreign: func(w *world) string { return w.caseB.Debtor.ID.String() }, call: exportCases("debtor_id")},
		"GET /api/v1/cases/export query.assignee_id": {callers: withAcc(everyone), filter: true, foreign: func(w *world) string { return w.agentOfB() }, call: exportCases("assignee_id")},
		"POST /api/v1/imports body.creditor_id": {callers: openers, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return w.uploadImport(c, ref, "impayes.csv", csvBytes(w.t, placementRows[:3], ';', false))
			}},
		"POST /api/v1/e-invoices body.creditor_id": {callers: openers, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return w.uploadEInvoices(c, ref, namedFile{"FA-2026-0150.xml", einvoiceSample(w.t, "ubl-invoice.xml")})
			}},
		"GET /api/v1/cases query.creditor_id": {callers: withAcc(everyone), filter: true, foreign: func(w *world) string { return w.credB.ID.String() }, call: listCases("creditor_id")},
		"GET /api/v1/cases query.debtor_id":   {callers: withAcc(everyone), filter: true, foreign: func(w *world) string { return w.caseB.Debtor.ID.String() }, call: listCases("debtor_id")},
		"GET /api/v1/cases query.assignee_id": {callers: withAcc(everyone), filter: true, foreign: func(w *world) string { return w.agentOfB() }, call: listCases("assignee_id")},
		"POST /api/v1/cases body.creditor_id": {callers: openers, foreign: func(w *world) string { return w.credB.ID.String() }, call: createCase("creditor_id")},
		"POST /api/v1/cases body.debtor_id":   {callers: openers, foreign: func(w *world) string { return w.caseB.Debtor.ID.String() }, call: createCase("debtor_id")},
		"POST /api/v1/cases body.assigned_agent_id": {callers: openers, foreign: func(w *world) string { return w.users["agent"].ID.String() },
			call: createCase("assigned_agent_id")},
		"POST /api/v1/cases body.assigned_lawyer_id": {callers: openers, foreign: func(w *world) string { return w.users["lawyer"].ID.String() },
			call: createCase("assigned_lawyer_id")},
		"PATCH /api/v1/cases/{id} body.assigned_agent_id": {callers: staff, foreign: func(w *world) string { return w.users["agent"].ID.String() },
			call: patchCase("assigned_agent_id")},
		"PATCH /api/v1/cases/{id} body.assigned_lawyer_id": {callers: staff, foreign: func(w *world) string { return w.users["lawyer"].ID.String() },
			call: patchCase("assigned_lawyer_id")},
		"POST /api/v1/cases/{id}/transitions body.proof.document_id": {callers: staff, foreign: foreignDoc, alsoMissing: otherCaseDoc, caseBound: true,
			// A case of its own, which the valid proof may close for good.
			valid: func(w *world) string { return w.document(w.caseA3().Case.ID).String() },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				id := w.caseA3().Case.ID.String()
				return c.Do("POST", "/api/v1/cases/"+id+"/transitions", map[string]any{"to": "irrecoverable",
					"proof": map[string]any{"cause": "debtor_vanished", "on": recouvra.DateOf(w.clock.Now()).String(), "document_id": ref}}, "If-Match", w.etag(id))
			}},
		"GET /api/v1/events/stream query.last_event_id": {callers: withAcc(everyone), filter: true,
			foreign: func(w *world) string { return fmt.Sprint(w.lastEventOf(w.caseB.Case.ID)) },
			missing: func(w *world) string { return fmt.Sprint(w.lastEventOf(w.caseB.Case.ID) + 1_000_000) },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return w.openStreamAt(c, "?last_event_id="+ref, "")
			}},
		"GET /api/v1/events/stream header.Last-Event-ID": {callers: withAcc(everyone), filter: true,
			foreign: func(w *world) string { return fmt.Sprint(w.lastEventOf(w.caseB.Case.ID)) },
			missing: func(w *world) string { return fmt.Sprint(w.lastEventOf(w.caseB.Case.ID) + 1_000_000) },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return w.openStreamAt(c, "", ref)
			}},
		"GET /api/v1/portfolio query.creditor_id": {callers: everyone, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("GET", "/api/v1/portfolio?creditor_id="+ref, nil)
			}},
		"GET /api/v1/portfolio/performance query.creditor_id": {callers: everyone, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("GET", "/api/v1/portfolio/performance?creditor_id="+ref, nil)
			}},
		"GET /api/v1/portfolio/forecast query.creditor_id": {callers: everyone, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("GET", "/api/v1/portfolio/forecast?creditor_id="+ref, nil)
			}},
		"GET /api/v1/ledger/balances query.creditor_id": {callers: []string{"admin", "accountant", "creditor", "api_key"}, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("GET", "/api/v1/ledger/balances?creditor_id="+ref, nil)
			}},
		"GET /api/v1/ledger/entries query.creditor_id": {callers: []string{"admin", "accountant", "creditor", "api_key"}, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("GET", "/api/v1/ledger/entries?creditor_id="+ref, nil)
			}},
		"GET /api/v1/invoices query.creditor_id": {callers: []string{"admin", "accountant", "creditor", "api_key"}, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("GET", "/api/v1/invoices?creditor_id="+ref, nil)
			}},
		"GET /api/v1/invoices query.run_id": {callers: []string{"admin", "accountant", "creditor", "api_key"}, filter: true,
			foreign: func(w *world) string {
				_, b := w.invoicePair()
				inv, err := w.svc.Invoice(context.Background(), app.System, b, false)
				if err != nil {
					w.t.Fatal(err)
				}
				return inv.RunID.String()
			},
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("GET", "/api/v1/invoices?run_id="+ref, nil)
			}},
		"GET /api/v1/remittances query.creditor_id": {callers: []string{"admin", "accountant", "creditor", "api_key"}, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("GET", "/api/v1/remittances?creditor_id="+ref, nil)
			}},
		// The exports of those lists name the creditor the same way and
		// answer the same: a file of rows is no way round the wall.
		"GET /api/v1/portfolio/export query.creditor_id": {callers: everyone, foreign: func(w *world) string { return w.credB.ID.String() },
			call: exportOf("/api/v1/portfolio/export")},
		"GET /api/v1/ledger/balances/export query.creditor_id": {callers: []string{"admin", "accountant", "creditor", "api_key"}, foreign: func(w *world) string { return w.credB.ID.String() },
			call: exportOf("/api/v1/ledger/balances/export")},
		"GET /api/v1/ledger/entries/export query.creditor_id": {callers: []string{"admin", "accountant", "creditor", "api_key"}, foreign: func(w *world) string { return w.credB.ID.String() },
			call: exportOf("/api/v1/ledger/entries/export")},
		"GET /api/v1/remittances/export query.creditor_id": {callers: []string{"admin", "accountant", "creditor", "api_key"}, foreign: func(w *world) string { return w.credB.ID.String() },
			call: exportOf("/api/v1/remittances/export")},
		"GET /api/v1/webhook-endpoints query.creditor_id": {callers: []string{"admin", "agent", "creditor", "api_key"}, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("GET", "/api/v1/webhook-endpoints?creditor_id="+ref, nil)
			}},
		"POST /api/v1/webhook-endpoints body.creditor_id": {callers: []string{"admin", "creditor", "api_key"}, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("POST", "/api/v1/webhook-endpoints", map[string]any{"creditor_id": ref, "url": "https://93.184.216.34/hooks",
					"event_types": []string{"import.finished"}})
			}},
		"POST /api/v1/remittance-runs body.creditor_id": {callers: []string{"admin", "accountant"}, foreign: func(w *world) string { return w.credB.ID.String() },
			call: func(_ *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("POST", "/api/v1/remittance-runs", map[string]any{"creditor_id": ref})
			}},
		"POST /api/v1/cases/{id}/payments body.claim_id": {callers: withAcc(staff), foreign: func(w *world) string { return w.caseB.Claims[0].ID.String() },
			caseBound: true, valid: func(w *world) string { return w.caseA.Claims[0].ID.String() },
			alsoMissing: map[string]func(*world) string{"a claim of another case of A": func(w *world) string { return w.caseA2().Claims[0].ID.String() }},
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("POST", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/payments", map[string]any{"amount_cents": 100,
					"received_on": recouvra.DateOf(w.clock.Now()).String(), "method": "transfer", "claim_id": ref}, "Idempotency-Key", "body-reference-"+w.unique())
			}},
		"POST /api/v1/cases/{id}/documents body.supersedes": {callers: everyone, foreign: foreignDoc, alsoMissing: otherCaseDoc, hiddenFromCreditor: internalDoc,
			caseBound: true, valid: ownDoc,
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("POST", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/documents", map[string]any{"kind": "statement", "supersedes": ref})
			}},
		"POST /api/v1/cases/{id}/documents body.options.payment_id": {callers: everyone,
			foreign: func(w *world) string {
				return w.once("payment B", func() string { return w.payment(w.caseB.Case.ID).String() })
			},
			caseBound: true, valid: func(w *world) string {
				return w.once("payment A", func() string { return w.payment(w.caseA.Case.ID).String() })
			},
			alsoMissing: map[string]func(*world) string{"a payment of another case of A": func(w *world) string {
				return w.once("payment A2", func() string { return w.payment(w.caseA2().Case.ID).String() })
			}},
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("POST", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/documents", map[string]any{"kind": "payment_receipt", "options": map[string]any{"payment_id": ref}})
			}},
		"POST /api/v1/cases/{id}/documents body.options.plan_id": {callers: everyone,
			foreign: func(w *world) string {
				return w.once("plan B", func() string { return w.newPlanOn(w.caseB.Case.ID, false).String() })
			},
			caseBound: true, valid: func(w *world) string {
				return w.once("plan A", func() string { return w.newPlanOn(w.caseA.Case.ID, false).String() })
			},
			alsoMissing: map[string]func(*world) string{"a plan of another case of A": func(w *world) string {
				return w.once("plan A2", func() string { return w.newPlanOn(w.caseA2().Case.ID, false).String() })
			}},
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("POST", "/api/v1/cases/"+w.caseA.Case.ID.String()+"/documents", map[string]any{"kind": "plan_agreement", "options": map[string]any{"plan_id": ref}})
			}},
		"POST /api/v1/cases/{id}/attachments body.supersedes": {callers: everyone, foreign: foreignDoc, alsoMissing: otherCaseDoc, hiddenFromCreditor: internalDoc,
			caseBound: true, valid: ownDoc,
			call: func(w *world, _ *apitest.Client, as, ref string) *apitest.Response {
				return w.uploadSuperseding(as, w.caseA.Case.ID.String(), ref)
			}},
		"POST /api/v1/document-batches body.case_ids": {callers: staff, foreign: func(w *world) string { return w.caseB.Case.ID.String() },
			// A batch may span cases and creditors: any case staff may see.
			valid: func(w *world) string { return w.caseA.Case.ID.String() },
			call: func(w *world, c *apitest.Client, _, ref string) *apitest.Response {
				return c.Do("POST", "/api/v1/document-batches", map[string]any{"kind": "statement", "case_ids": []string{ref}})
			}},
	}
}

// TestBodyReferences walks every referencing field of the contract and
// sends it, as every principal that may call its operation, naming an
// object it may not use and a missing one: to creditor A's principals
// creditor B's object must get exactly the answer a missing id gets
// (status, problem code, title, detail, field errors) — and so must, for
// anyone, another case's object where the operation needs this case's.
// Staff may name any creditor's object: that succeeds or is refused for a
// reason of the domain, never a 5xx. The accountant (« comptable ») is
// staff, and a caller of exactly the fields of the routes it may call
// (accountantRoutes).
func TestBodyReferences(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	table := refTable()
	fields := referencingFields(t)
	if len(fields) < 10 {
		t.Fatalf("found only %d referencing fields in the contract: %v", len(fields), fields)
	}
	for _, f := range fields {
		if _, ok := table[f]; !ok {
			t.Errorf("referencing field %q has no case in TestBodyReferences: say what it may name", f)
		}
	}
	for key, rc := range table {
		if !slices.Contains(fields, key) {
			t.Errorf("TestBodyReferences has a case for %q, which the contract does not have", key)
		}
		// The accountant is a caller exactly where accountantRoutes lets it
		// through: the table must not forget it (nor list it where it gets 403).
		if may, listed := slices.Contains(accountantRoutes, routeOfRefKey(key)), slices.Contains(rc.callers, "accountant"); may != listed {
			t.Errorf("TestBodyReferences, %s: the accountant may call the route: %v, is among its callers: %v", key, may, listed)
		}
	}

	for _, key := range fields {
		rc, ok := table[key]
		if !ok {
			continue
		}
		for _, as := range rc.callers {
			c := w.as(as)
			missingID := uuid.Must(uuid.NewV7()).String()
			if rc.missing != nil {
				missingID = rc.missing(w)
			}
			missing := rc.call(w, c, as, missingID)
			if missing.Status >= 500 {
				t.Errorf("%s as %s, missing id: %d %s", key, as, missing.Status, missing.Body)
				continue
			}
			if !rc.filter && missing.Status < 400 {
				t.Errorf("%s as %s: a missing id was accepted (%d): references are resolved when the request is made", key, as, missing.Status)
			}
			field := refFieldName(key)
			if missing.Status == http.StatusUnprocessableEntity && !namesField(t, missing, field) {
				t.Errorf("%s as %s, missing id: the refusal does not name field %s: %s", key, as, field, missing.Body)
			}
			if rc.valid != nil {
				if r := rc.call(w, c, as, rc.valid(w)); r.Status >= 500 || (r.Status == http.StatusUnprocessableEntity && namesField(t, r, field)) {
					t.Errorf("%s as %s: a valid reference is refused like a missing one: %d %s", key, as, r.Status, r.Body)
				}
			}
			creditorSide := as == "creditor" || as == "api_key"
			others := map[string]string{}
			for what, id := range rc.alsoMissing {
				others[what] = id(w)
			}
			if creditorSide || rc.caseBound {
				others["an object of creditor B"] = rc.foreign(w)
			}
			if creditorSide {
				for what, id := range rc.hiddenFromCreditor {
					others[what] = id(w)
				}
			} else {
				foreign := rc.call(w, c, as, rc.foreign(w))
				if foreign.Status >= 500 {
					t.Errorf("%s as %s, creditor B's object: %d %s", key, as, foreign.Status, foreign.Body)
				}
			}
			for what, id := range others {
				got := rc.call(w, c, as, id)
				if diff := sameAnswer(t, missing, got); diff != "" {
					t.Errorf("%s as %s: %s answers differently from a missing id: %s\nmissing: %d %s\n%s: %d %s",
						key, as, what, diff, missing.Status, missing.Body, what, got.Status, got.Body)
				}
			}
		}
	}
}

// withAcc is a list of callers with the accountant (« comptable ») added:
// it is staff, and reaches the routes of accountantRoutes.
func withAcc(callers []string) []string {
	return append(slices.Clone(callers), "accountant")
}

// routeOfRefKey is the route of the access matrix a referencing field key
// belongs to: "POST /api/v1/cases/{id}/payments body.claim_id" →
// "POST /api/v1/cases/:id/payments".
func routeOfRefKey(key string) string {
	route := key[:strings.LastIndexByte(key, ' ')]
	return strings.ReplaceAll(route, "{id}", ":id")
}

// refFieldName is the field a refusal names for a referencing field key:
// "body.options.payment_id" → "options.payment_id", "query.debtor_id" →
// "query.debtor_id".
func refFieldName(key string) string {
	f := key[strings.LastIndexByte(key, ' ')+1:]
	return strings.TrimPrefix(f, "body.")
}

// namesField tells whether a refusal's field errors name field; an item
// of an array is named with its index (arms[1].strategy_id for the
// contract's arms.strategy_id).
func namesField(t *testing.T, r *apitest.Response, field string) bool {
	t.Helper()
	for _, e := range r.Problem(t).Errors {
		if e.Field == field || arrayIndex.ReplaceAllString(e.Field, "") == field {
			return true
		}
	}
	return false
}

// sameAnswer compares two answers as a caller can tell them apart: status,
// and for a refusal its problem's code, title, detail and field errors (not
// the request id); for a read that succeeded, its body. It returns what
// differs, or "".
func sameAnswer(t *testing.T, a, b *apitest.Response) string {
	t.Helper()
	if a.Status != b.Status {
		return fmt.Sprintf("status %d ≠ %d", a.Status, b.Status)
	}
	if a.Status >= 400 {
		pa, pb := a.Problem(t), b.Problem(t)
		pa.RequestID, pb.RequestID = "", ""
		if !reflect.DeepEqual(pa, pb) {
			ja, _ := json.Marshal(pa)
			jb, _ := json.Marshal(pb)
			return fmt.Sprintf("problem %s ≠ %s", ja, jb)
		}
		return ""
	}
	if ct := a.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") && !bytes.Equal(a.Body, b.Body) {
		// A list or figures the foreign id changed: it leaked something.
		var ja, jb any
		if json.Unmarshal(a.Body, &ja) == nil && json.Unmarshal(b.Body, &jb) == nil && !reflect.DeepEqual(ja, jb) && !createdSomething(a) {
			return "bodies differ"
		}
	}
	return ""
}

// createdSomething tells an answer to a write (whose body names the new
// object, so differs between two calls) from a read's.
func createdSomething(r *apitest.Response) bool {
	return r.Status == http.StatusCreated || r.Status == http.StatusAccepted || r.Header.Get("ETag") != ""
}

// fixtures keeps objects made once per world and name.
var fixtures sync.Map // fixtureKey → string

type fixtureKey struct {
	w    *world
	name string
}

// once returns the object named name of this world, made by make the
// first time.
func (w *world) once(name string, make func() string) string {
	k := fixtureKey{w, name}
	if v, ok := fixtures.Load(k); ok {
		return v.(string)
	}
	v := make()
	fixtures.Store(k, v)
	return v
}

// secondCases keeps each world's second case of creditor A.
var secondCases sync.Map // *world → app.CaseView

// caseA2 is a second case of creditor A (opened on first use).
func (w *world) caseA2() app.CaseView {
	w.t.Helper()
	if v, ok := secondCases.Load(w); ok {
		return v.(app.CaseView)
	}
	v := w.newCase(w.credA.ID, "Tuilerie Comtoise SARL", "")
	secondCases.Store(w, v)
	return v
}

// thirdCases keeps each world's third case of creditor A.
var thirdCases sync.Map // *world → app.CaseView

// caseA3 is a third case of creditor A (opened on first use), for the
// moves that may close it.
func (w *world) caseA3() app.CaseView {
	w.t.Helper()
	if v, ok := thirdCases.Load(w); ok {
		return v.(app.CaseView)
	}
	v := w.newCase(w.credA.ID, "Fromagerie des Monts SAS", "")
	thirdCases.Store(w, v)
	return v
}

// internalDocument uploads, as the agent, an internal attachment on a case
// and returns its id.
func (w *world) internalDocument(caseID uuid.UUID) string {
	w.t.Helper()
	r := w.upload("agent", caseID.String(), "correspondence", "internal", "note-interne.pdf", tinyPDF)
	if r.Status != http.StatusCreated {
		w.t.Fatalf("internal upload: %d %s", r.Status, r.Body)
	}
	var d struct{ ID string }
	r.Decode(w.t, &d)
	return d.ID
}

// agentOfB is a person creditor A's users have nothing to do with: creditor
// B's user.
func (w *world) agentOfB() string { return w.users["creditor_b"].ID.String() }

// lastEventOf is the number of the last event of a case.
func (w *world) lastEventOf(caseID uuid.UUID) int64 {
	w.t.Helper()
	var seq int64
	if err := w.db.Pool.QueryRow(context.Background(), "SELECT max(seq) FROM events WHERE case_id = $1", caseID).Scan(&seq); err != nil {
		w.t.Fatal(err)
	}
	return seq
}

// uploadSuperseding uploads an invoice on a case as principal as, naming
// the document it supersedes.
func (w *world) uploadSuperseding(as, caseID, supersedes string) *apitest.Response {
	w.t.Helper()
	return w.uploadForm(as, caseID, map[string]string{"kind": "invoice", "supersedes": supersedes}, "facture-corrigee.pdf", tinyPDF)
}

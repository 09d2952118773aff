package server_test

import (
	"slices"
	"testing"
)

// accountantRoutes are the routes the accountant (« comptable ») may call,
// decided one by one (configs/rbac_policy.csv says the same in policy
// lines): the client account's money — ledger and its reports, bank
// statements and the unmatched queue, remittance runs, invoices, the money
// exports — and the reads needed to check a match (creditors, cases,
// debtors, statements, payments, documents, rates), with recording and
// reversing payments. Every other route of the matrix refuses it with 403:
// moving, editing or logging on cases, the queue, plans, letters and court
// filings, strategies, imports, webhooks, users, creditors and mandates,
// the portfolio, the docket, the audit log and notifications.
//
// It is staff: on another creditor's object it gets 200 like the admin,
// never the 404 of a creditor's scope (expected in access_test.go).
var accountantRoutes = []string{
	// Its own session.
	"POST /api/v1/auth/logout", "GET /api/v1/auth/session", "GET /api/v1/me", "GET /api/v1/settings",
	// Creditors (read): whom a run pays, their mandates' terms.
	"GET /api/v1/creditors", "GET /api/v1/creditors/:id", "GET /api/v1/creditors/:id/payment-reports", "GET /api/v1/creditors/:id/documents",
	// Cases, debtors, statements and payments, read: checking a match.
	"GET /api/v1/cases", "GET /api/v1/cases/export", "GET /api/v1/cases/:id", "GET /api/v1/cases/:id/events", "GET /api/v1/cases/:id/events/export",
	"GET /api/v1/events/stream", "GET /api/v1/cases/:id/statement", "GET /api/v1/cases/:id/payments", "GET /api/v1/cases/:id/plans",
	"GET /api/v1/plans/:id", "GET /api/v1/payments/:id", "GET /api/v1/cases/:id/documents", "GET /api/v1/documents/:id",
	"GET /api/v1/documents/:id/content", "GET /api/v1/debtors", "GET /api/v1/debtors/:id", "GET /api/v1/terms/due-date", "GET /api/v1/rates",
	// Payments: recorded and reversed.
	"POST /api/v1/cases/:id/payments", "POST /api/v1/payments/:id/reverse",
	// Bank statements and the unmatched queue.
	"POST /api/v1/bank-statements", "GET /api/v1/bank-entries", "POST /api/v1/bank-entries/:id/book", "POST /api/v1/bank-entries/:id/reject",
	// The ledger and its reports, with their exports.
	"GET /api/v1/ledger/balances", "GET /api/v1/ledger/entries", "GET /api/v1/ledger/commission",
	"GET /api/v1/ledger/balances/export", "GET /api/v1/ledger/entries/export", "GET /api/v1/ledger/commission/export",
	// Remittance runs and remittances.
	"GET /api/v1/remittance-runs", "POST /api/v1/remittance-runs", "GET /api/v1/remittance-runs/:id", "POST /api/v1/remittance-runs/:id/book",
	"POST /api/v1/remittance-runs/:id/sent", "POST /api/v1/remittance-runs/:id/cancel", "GET /api/v1/remittance-runs/:id/pain001",
	"GET /api/v1/remittance-runs/export", "GET /api/v1/remittance-runs/:id/export", "GET /api/v1/remittances", "GET /api/v1/remittances/export",
	// Invoices: read, download, correct.
	"GET /api/v1/invoices", "GET /api/v1/invoices/:id", "GET /api/v1/invoices/:id/pdf", "GET /api/v1/invoices/:id/cii", "POST /api/v1/invoices/:id/correct",
}

// withAccountant adds the accountant to the routes of accountantRoutes.
func withAccountant(t testing.TB, table map[string]routeCase) {
	for _, route := range accountantRoutes {
		rc, ok := table[route]
		if !ok {
			t.Fatalf("accountantRoutes names %s, which the access matrix does not have", route)
		}
		if slices.Contains(rc.allowed, "accountant") || rc.public {
			t.Fatalf("accountantRoutes names %s twice, or a public route", route)
		}
		rc.allowed = append(slices.Clone(rc.allowed), "accountant")
		table[route] = rc
	}
}

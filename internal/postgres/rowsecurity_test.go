package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/recouvra/recouvra/internal/pgtest"
	"github.com/recouvra/recouvra/internal/postgres"
)

// rlsCase says which rows of a table with row-level security a creditor
// may see: key selects a row's identity, own is the WHERE clause ($1 the
// creditor) that picks them as the application role would, hiddenOwn (if
// any) picks rows of that creditor it must not see (internal ones).
type rlsCase struct {
	key, own, hiddenOwn string
}

// rlsTables has one entry per table with row-level security; the test
// fails when a table has it and no entry here.
var rlsTables = map[string]rlsCase{
	"creditors":          {key: "id::text", own: "id = $1"},
	"cases":              {key: "id::text", own: "creditor_id = $1"},
	"claims":             {key: "id::text", own: "creditor_id = $1"},
	"debtors":            {key: "id::text", own: "id IN (SELECT debtor_id FROM cases WHERE creditor_id = $1)"},
	"events":             {key: "seq::text", own: "creditor_id = $1 AND visibility = 'shared'", hiddenOwn: "creditor_id = $1 AND visibility = 'internal'"},
	"payments":           {key: "id::text", own: "creditor_id = $1"},
	"documents":          {key: "id::text", own: "creditor_id = $1 AND visibility = 'shared'", hiddenOwn: "creditor_id = $1 AND visibility = 'internal'"},
	"remittances":        {key: "document_id::text", own: "creditor_id = $1"},
	"promises":           {key: "id::text", own: "creditor_id = $1"},
	"plans":              {key: "id::text", own: "creditor_id = $1"},
	"plan_instalments":   {key: "plan_id::text || ':' || seq::text", own: "creditor_id = $1"},
	"mail_messages":      {key: "id::text", own: "creditor_id = $1"},
	"notification_marks": {key: "user_id::text", own: "creditor_id = $1"},
	"notification_reads": {key: "user_id::text || ':' || event_seq::text", own: "creditor_id = $1"},
	"imports":            {key: "id::text", own: "creditor_id = $1"},
	"import_rows":        {key: "import_id::text || ':' || line::text", own: "creditor_id = $1"},
	"import_mappings":    {key: "creditor_id::text", own: "creditor_id = $1"},
	"einvoices":          {key: "id::text", own: "creditor_id = $1"},
	"einvoice_uploads":   {key: "id::text", own: "creditor_id = $1"},
	"webhook_endpoints":  {key: "id::text", own: "creditor_id = $1"},
	"webhook_deliveries": {key: "id::text", own: "creditor_id = $1"},
	"webhook_attempts":   {key: "id::text", own: "creditor_id = $1"},
	"remittance_run_lines": {key: "run_id::text || ':' || creditor_id::text", own: "creditor_id = $1 AND state IN ('booked', 'sent')",
		hiddenOwn: "creditor_id = $1 AND state = 'draft'"},
	"ledger_entries": {key: "id::text", own: "creditor_id = $1 AND account IN ('owed_to_creditor', 'commission_receivable', 'creditor_direct', 'creditor_direct_offset')",
		hiddenOwn: "creditor_id = $1 AND account = 'client_bank'"},
	"case_strategies":           {key: "case_id::text", own: "creditor_id = $1"},
	"strategy_step_runs":        {key: "id::text", own: "creditor_id = $1"},
	"call_tasks":                {key: "id::text", own: "creditor_id = $1"},
	"strategy_experiments":      {key: "id::text", own: "creditor_id = $1"},
	"strategy_experiment_arms":  {key: "experiment_id::text || ':' || position::text", own: "creditor_id = $1"},
	"strategy_experiment_cases": {key: "case_id::text", own: "creditor_id = $1"},
	"registered_letters":        {key: "document_id::text", own: "creditor_id = $1"},
	"invoices":                  {key: "id::text", own: "creditor_id = $1"},
}

// agencyWide are the tables the creditor scope may read whole, without
// row-level security, and why.
var agencyWide = map[string]string{
	"rates": "the legal interest rates, public figures the statements use",
}

// creditorData fills two creditors' worth of every creditor-owned table:
// cases with claims, events and documents both shared and internal,
// payments, creditor-level documents with remittances, a debtor of each
// alone and one owing both. It returns the two creditors.
func creditorData(t *testing.T, db *postgres.DB) (a, b uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	one := func(sql string, args ...any) uuid.UUID {
		t.Helper()
		var id uuid.UUID
		if err := db.Pool.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return id
	}
	a = one(`INSERT INTO creditors (legal_name) VALUES ('Menuiserie Dupont SARL') RETURNING id`)
	b = one(`INSERT INTO creditors (legal_name) VALUES ('Boulangerie Martin SAS') RETURNING id`)
	both := one(`INSERT INTO debtors (kind, name) VALUES ('company', 'Minoterie Girard SA') RETURNING id`)
	n := 0
	strategy := one(`INSERT INTO strategies (name, steps) VALUES ('RLS', '[{"channel": "letter"}]') RETURNING id`)
	pass := one(`INSERT INTO strategy_passes (run_on) VALUES ('2026-03-01') RETURNING id`)
	for _, cr := range []uuid.UUID{a, b} {
		alone := one(`INSERT INTO debtors (kind, name) VALUES ('person', 'Débiteur de ' || $1::text) RETURNING id`, cr)
		for _, debtor := range []uuid.UUID{alone, both} {
			n++
			c := one(`INSERT INTO cases (reference, creditor_id, debtor_id) VALUES ($1, $2, $3) RETURNING id`, fmt.Sprintf("RLS-%d", n), cr, debtor)
			claim := one(`INSERT INTO claims (case_id, creditor_id, invoice_number, issued_on, due_on, amount_cents, currency)
				VALUES ($1, $2, 'F-1', '2026-01-05', '2026-02-05', 10000, 'EUR') RETURNING id`, c, cr)
			pay := one(`INSERT INTO payments (case_id, creditor_id, amount_cents, currency, received_on, method, claim_id, receipt_number)
				VALUES ($1, $2, 500, 'EUR', '2026-03-01', 'transfer', $3, $4) RETURNING id`, c, cr, claim, fmt.Sprintf("RLS-R-%d", n))
			// Its ledger posting: the creditor's account line and the agency's client_bank line.
			one(`WITH x AS (INSERT INTO ledger_entries (txn_id, kind, account, creditor_id, amount_cents, currency, booked_on, payment_id)
				SELECT g.t, 'payment', e.a, $1, e.v, 'EUR', '2026-03-01', $2 FROM (SELECT gen_random_uuid() AS t) g,
				(VALUES ('client_bank', 500), ('owed_to_creditor', -500)) AS e(a, v) RETURNING txn_id) SELECT txn_id FROM x LIMIT 1`, cr, pay)
			one(`INSERT INTO promises (case_id, creditor_id, amount_cents, currency, made_on, due_on)
				VALUES ($1, $2, 500, 'EUR', '2026-03-01', '2026-03-10') RETURNING id`, c, cr)
			plan := one(`INSERT INTO plans (case_id, creditor_id, origin, status, currency, total_cents, interest_frozen, grace_days, misses_before_broken, made_on)
				VALUES ($1, $2, 'agent', 'kept', 'EUR', 500, false, 5, 1, '2026-03-01') RETURNING id`, c, cr)
			one(`INSERT INTO plan_instalments (plan_id, seq, creditor_id, due_on, amount_cents) VALUES ($1, 0, $2, '2026-03-10', 500) RETURNING plan_id`, plan, cr)
			one(`INSERT INTO case_strategies (case_id, creditor_id, strategy_id, assigned_on) VALUES ($1, $2, $3, '2026-03-01') RETURNING case_id`, c, cr, strategy)
			one(`INSERT INTO strategy_step_runs (case_id, creditor_id, strategy_id, step_index, pass_id, due_on) VALUES ($1, $2, $3, 0, $4, '2026-03-01') RETURNING id`, c, cr, strategy, pass)
			one(`INSERT INTO call_tasks (case_id, creditor_id, due_at) VALUES ($1, $2, now()) RETURNING id`, c, cr)
			experiment := one(`INSERT INTO strategy_experiments (creditor_id, name, seed, started_on) VALUES ($1, 'RLS', 1, '2026-03-01')
				ON CONFLICT (creditor_id) WHERE stopped_at IS NULL DO UPDATE SET name = EXCLUDED.name RETURNING id`, cr)
			one(`INSERT INTO strategy_experiment_arms (experiment_id, position, creditor_id, strategy_id, strategy_name, share_percent, bucket_below)
				VALUES ($1, 0, $2, $3, 'RLS', 50, 10000) ON CONFLICT (experiment_id, position) DO UPDATE SET strategy_name = EXCLUDED.strategy_name RETURNING experiment_id`, experiment, cr, strategy)
			one(`INSERT INTO strategy_experiment_cases (case_id, experiment_id, creditor_id, strategy_id, bucket, assigned_on)
				VALUES ($1, $2, $3, $4, 0, '2026-03-01') RETURNING case_id`, c, experiment, cr, strategy)
			one(`INSERT INTO mail_messages (case_id, creditor_id, debtor_id, kind, source_key, recipient, message_id)
				VALUES ($1, $2, $3, 'amicable_letter', $4, 'debiteur@exemple.fr', $4 || '@recouvra.test') RETURNING id`, c, cr, debtor, fmt.Sprintf("rls-%d", n))
			for _, vis := range []string{"shared", "internal"} {
				one(`INSERT INTO events (case_id, creditor_id, type, visibility) VALUES ($1, $2, 'note', $3) RETURNING id`, c, cr, vis)
				one(`INSERT INTO documents (case_id, creditor_id, kind, generated, file_name, media_type, size_bytes, sha256, visibility)
					VALUES ($1, $2, 'other', false, 'piece.pdf', 'application/pdf', 1, repeat('a', 64), $3) RETURNING id`, c, cr, vis)
			}
			one(`INSERT INTO registered_letters (document_id, case_id, creditor_id, pass_id, number, sent_on)
				SELECT id, $1, $2, $3, $4, '2026-03-02' FROM documents WHERE case_id = $1 LIMIT 1 RETURNING document_id`, c, cr, pass, fmt.Sprintf("1A 000 000 %04d 0", n))
		}
		// A creditor's person (its notification mark made by the trigger)
		// who has read one of its creditor's events.
		user := one(`INSERT INTO users (email, name, role, creditor_id, password_hash)
			VALUES ('rls-' || $1::text || '@recouvra.test', 'RLS', 'creditor', $1::uuid, 'x') RETURNING id`, cr)
		one(`INSERT INTO notification_reads (user_id, event_seq, creditor_id)
			SELECT $1, min(seq), $2 FROM events WHERE creditor_id = $2 RETURNING user_id`, user, cr)
		// Its daily digest: the creditor's row (00023 sets creditor_id from the user).
		one(`INSERT INTO mail_messages (kind, source_key, user_id, digest_below, recipient, message_id)
			VALUES ('notification_digest', 'digest:' || $1::text, $1::uuid, pg_current_xact_id(), 'rls@recouvra.test', 'digest-' || $1::text || '@recouvra.test') RETURNING id`, user)
		// Its remittance runs' lines: one booked (shown), one still a draft (not).
		for i, state := range []string{"booked", "draft"} {
			run := one(`INSERT INTO remittance_runs (id, run_key, reference, state, booked_at, pain001)
				VALUES (gen_random_uuid(), $1, $2, $3, CASE WHEN $3 = 'booked' THEN now() END, CASE WHEN $3 = 'booked' THEN '\x00'::bytea END) RETURNING id`,
				fmt.Sprintf("rls-%s-%d", cr, i), fmt.Sprintf("REV-RLS-%s-%d", strings.ToUpper(cr.String()[30:]), i), state)
			one(`INSERT INTO remittance_run_lines (run_id, creditor_id, end_to_end_id, state, legal_name, iban, currency, held_cents, commission_cents,
				direct_commission_cents, fees_cents, vat_rate_bps, vat_cents, net_cents, period_from, period_to)
				VALUES ($1, $2, $3, $4, 'RLS', 'FR1420041010050500013M02606', 'EUR', 1000, 100, 0, 0, 2000, 20, 880, '2026-03-01', '2026-03-31') RETURNING run_id`,
				run, cr, fmt.Sprintf("REV-RLS-%s-%d-1", strings.ToUpper(cr.String()[30:]), i), state)
			if state == "booked" { // its invoice, numbered in the year's series
				one(`WITH n AS (INSERT INTO invoice_counters (series, last_number) VALUES ('FA-2026', 1)
					ON CONFLICT (series) DO UPDATE SET last_number = invoice_counters.last_number + 1 RETURNING last_number)
					INSERT INTO invoices (id, series, seq, number, kind, creditor_id, run_id, transfer_reference, issued_on, period_from, period_to, currency,
						commission_cents, direct_commission_cents, fees_cents, net_cents, vat_rate_bps, vat_cents, gross_cents, indemnity_cents, seller, buyer, pdf, cii)
					SELECT gen_random_uuid(), 'FA-2026', n.last_number, 'FA-2026-' || lpad(n.last_number::text, 6, '0'), 'invoice', $1, $2, 'REV-RLS', '2026-03-31',
						'2026-03-01', '2026-03-31', 'EUR', 100, 0, 0, 100, 2000, 20, 120, 4000, '{}', '{}', '\x00', '\x00' FROM n RETURNING id`, cr, run)
			}
		}
		doc := one(`INSERT INTO documents (creditor_id, kind, generated, file_name, media_type, size_bytes, sha256, visibility)
			VALUES ($1, 'remittance_statement', true, 'releve.pdf', 'application/pdf', 1, repeat('b', 64), 'shared') RETURNING id`, cr)
		one(`INSERT INTO remittances (document_id, creditor_id, period_from, period_to, currency, collected_cents, direct_cents,
			commission_cents, fees_cents, net_cents) VALUES ($1, $2, '2026-03-01', '2026-03-31', 'EUR', 1000, 0, 100, 0, 900) RETURNING document_id`, doc, cr)
		imp := one(`INSERT INTO imports (creditor_id, file_name, kind, content) VALUES ($1, 'impayes.csv', 'csv', 'x') RETURNING id`, cr)
		one(`INSERT INTO import_rows (import_id, line, creditor_id, status) VALUES ($1, 2, $2, 'refused') RETURNING import_id`, imp, cr)
		one(`INSERT INTO import_mappings (creditor_id, mapping) VALUES ($1, '{}') RETURNING creditor_id`, cr)
		one(`INSERT INTO einvoices (creditor_id, case_id, claim_id, document_id, syntax, profile, invoice_number, type_code, issued_on, due_on,
			currency, net_cents, vat_cents, gross_cents, due_cents, seller_name, seller_siren, buyer_name, file_name)
			SELECT $1, d.case_id, cl.id, d.id, 'ubl', 'urn:cen.eu:en16931:2017', 'F-1', 380, '2026-01-05', '2026-02-05', 'EUR', 8334, 1666, 10000, 10000,
			       'RLS', '404833048', 'Minoterie Girard SA', 'F-1.xml'
			FROM documents d JOIN claims cl ON cl.case_id = d.case_id WHERE d.creditor_id = $1 AND d.case_id IS NOT NULL LIMIT 1 RETURNING id`, cr)
		one(`INSERT INTO einvoice_uploads (creditor_id, outcome, refusals) VALUES ($1, 'refused', '[{"file": "f.xml", "element": "", "reason": "RLS"}]') RETURNING id`, cr)
		endpoint := one(`INSERT INTO webhook_endpoints (creditor_id, url, event_types, secret)
			VALUES ($1, 'https://erp.example.fr/hooks', '["case.placed"]', 'whsec_c2VjcmV0') RETURNING id`, cr)
		delivery := one(`INSERT INTO webhook_deliveries (endpoint_id, creditor_id, type, payload, retry_until)
			VALUES ($1, $2, 'webhook.ping', '{}', now()) RETURNING id`, endpoint, cr)
		one(`INSERT INTO webhook_attempts (delivery_id, creditor_id, at, status) VALUES ($1, $2, now(), 200) RETURNING id`, delivery, cr)
	}
	// A staff member's digest: no creditor's row.
	agent := one(`INSERT INTO users (email, name, role, password_hash) VALUES ('rls-agent@recouvra.test', 'RLS', 'agent', 'x') RETURNING id`)
	one(`INSERT INTO mail_messages (kind, source_key, user_id, digest_below, recipient, message_id)
		VALUES ('notification_digest', 'digest:' || $1::text, $1::uuid, pg_current_xact_id(), 'rls-agent@recouvra.test', 'digest-' || $1::text || '@recouvra.test') RETURNING id`, agent)
	return a, b
}

// asCreditorScope runs fn in a transaction entered exactly as
// postgres.Store.Scoped enters one: role recouvra_creditor_scope, the
// creditor in recouvra.creditor_id ("" for none).
func asCreditorScope(t *testing.T, db *postgres.DB, creditor string, fn func(tx pgx.Tx)) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SELECT set_config('role', 'recouvra_creditor_scope', true), set_config('recouvra.creditor_id', $1, true)", creditor); err != nil {
		t.Fatal(err)
	}
	fn(tx)
}

// keys runs a query returning one text column and gives its values sorted.
func keys(t *testing.T, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string, args ...any) []string {
	t.Helper()
	rows, err := q.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	sort.Strings(out)
	return out
}

// TestRowSecurityOnEveryCreditorTable runs the query that forgot its
// filter — SELECT every row, no WHERE — as creditor A's scope on every
// table with row-level security, and checks that exactly A's own rows come
// back (its shared ones where rows have a visibility), while the table
// holds B's rows and A's internal ones. Without a creditor the scope sees
// nothing.
func TestRowSecurityOnEveryCreditorTable(t *testing.T) {
	db := pgtest.DB(t)
	a, _ := creditorData(t, db)
	for table, rc := range rlsTables {
		all := keys(t, db.Pool, fmt.Sprintf("SELECT %s FROM %s", rc.key, table))
		want := keys(t, db.Pool, fmt.Sprintf("SELECT %s FROM %s WHERE %s", rc.key, table, rc.own), a)
		if len(want) == 0 || len(want) >= len(all) {
			t.Fatalf("%s: the fixture must give A some rows and others not A's (%d of %d)", table, len(want), len(all))
		}
		if rc.hiddenOwn != "" {
			if hidden := keys(t, db.Pool, fmt.Sprintf("SELECT %s FROM %s WHERE %s", rc.key, table, rc.hiddenOwn), a); len(hidden) == 0 {
				t.Fatalf("%s: the fixture must give A rows it may not see", table)
			}
		}
		asCreditorScope(t, db, a.String(), func(tx pgx.Tx) {
			got := keys(t, tx, fmt.Sprintf("SELECT %s FROM %s", rc.key, table)) // the forgotten filter
			if !slices.Equal(got, want) {
				t.Errorf("%s: creditor A's scope saw %d rows %v, want its own %d %v", table, len(got), got, len(want), want)
			}
		})
		asCreditorScope(t, db, "", func(tx pgx.Tx) {
			if got := keys(t, tx, fmt.Sprintf("SELECT %s FROM %s", rc.key, table)); len(got) != 0 {
				t.Errorf("%s: a scope without a creditor saw %v", table, got)
			}
		})
	}
}

// TestEveryCreditorTableIsWalled lists the tables with row-level security
// and the tables with a creditor_id column, and fails when a table the
// creditor scope may read has no row-level security (unless it is
// agency-wide by design), when a table with creditor_id is readable by the
// scope without it, or when a table with it has no case in
// TestRowSecurityOnEveryCreditorTable — so a table added later is covered.
func TestEveryCreditorTableIsWalled(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	rls := keys(t, db.Pool, `SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relrowsecurity`)
	withCreditor := keys(t, db.Pool, `SELECT DISTINCT table_name::text FROM information_schema.columns c
		JOIN pg_class r ON r.relname = c.table_name AND r.relkind IN ('r', 'p')
		WHERE c.table_schema = current_schema() AND c.column_name = 'creditor_id'`)
	readable := keys(t, db.Pool, `SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm')
		  AND has_table_privilege('recouvra_creditor_scope', c.oid, 'SELECT')`)
	if len(rls) < len(rlsTables) || len(withCreditor) == 0 {
		t.Fatalf("catalogue: rls %v, creditor_id %v", rls, withCreditor)
	}
	for _, table := range rls {
		if _, ok := rlsTables[table]; !ok {
			t.Errorf("table %s has row-level security and no case in TestRowSecurityOnEveryCreditorTable", table)
		}
	}
	for table := range rlsTables {
		if !slices.Contains(rls, table) {
			t.Errorf("table %s is expected to have row-level security and has not", table)
		}
	}
	for _, table := range readable {
		if !slices.Contains(rls, table) && agencyWide[table] == "" {
			t.Errorf("the creditor scope may read table %s, which has no row-level security", table)
		}
	}
	for _, table := range withCreditor {
		if slices.Contains(rls, table) {
			continue
		}
		if agencyWide[table] != "" || slices.Contains(readable, table) {
			t.Errorf("table %s carries creditor_id and the creditor scope reads it without row-level security", table)
			continue
		}
		// Closed altogether (users, api_keys): the scope cannot read it at all.
		asCreditorScope(t, db, uuid.NewString(), func(tx pgx.Tx) {
			_, err := tx.Exec(ctx, "SELECT * FROM "+pgx.Identifier{table}.Sanitize())
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" { // insufficient_privilege
				t.Errorf("table %s carries creditor_id, has no row-level security, and the scope's read gave %v, not a refusal", table, err)
			}
		})
	}
}

package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/recouvra/recouvra/internal/pgtest"
)

// The plan past one machine (docs/scaling.md) distributes the creditor-owned
// tables by creditor_id over Citus workers, co-located, so that everything a
// request of one creditor reads sits on one worker. Citus needs three things
// of a distributed table, which TestTablesStayDistributableByCreditor keeps
// true of every new table:
//
//   - it carries creditor_id, NOT NULL (the distribution column);
//   - every primary key and unique index includes creditor_id (a worker can
//     only enforce uniqueness within its own shards);
//   - a table that points at creditor-owned rows is creditor-owned too.
//
// The tables that were written before the plan are listed below with what
// they become; the test fails on any table or key that is in neither list,
// and on a list entry that no longer matches the schema.

// notDistributed are the tables that carry a creditor_id but are not
// distributed by it, and where they go instead.
var notDistributed = map[string]string{
	"users":              "reference: staff have no creditor; every request's session joins it",
	"api_keys":           "reference: looked up by key hash before the creditor is known",
	"bank_entries":       "coordinator: the agency's bank statement lines, matched to a creditor later (creditor_id NULL until then)",
	"ledger_entries":     "coordinator: the agency's books; the agency's own accounts carry no creditor",
	"mail_messages":      "coordinator: outgoing mail includes the agency's own (creditor_id NULL)",
	"remittance_runs":    "coordinator: one run may cover every creditor (creditor_id NULL)",
	"invoices":           "coordinator: the agency's invoices share one legal numbering series",
	"notification_marks": "coordinator: one row per user, staff included (creditor_id NULL)",
}

// notCreditorOwned are the tables without creditor_id that point at a
// creditor-owned table, and why they may.
var notCreditorOwned = map[string]string{
	"debtor_links": "to distribute: gains creditor_id (its case's) and the key (creditor_id, case_id); the debtor's page looks it up by token hash, which becomes a reference lookup table",
}

// pendingKeys are the unique keys of distributable tables that do not yet
// include creditor_id. Every one is a generated identifier (uuid v7, a
// sequence) or a number unique agency-wide; the distribution migration
// rewrites each as (creditor_id, …) — docs/scaling.md says how. Nothing may
// be added here: a new creditor table's keys include creditor_id.
var pendingKeys = map[string]string{
	"cases.cases_pkey":                                                                "(id) → (creditor_id, id)",
	"cases.cases_reference_key":                                                       "agency-wide case reference → (creditor_id, reference); uniqueness across creditors kept by the reference's sequence",
	"claims.claims_pkey":                                                              "(id) → (creditor_id, id)",
	"claims.claims_case_id_invoice_number_key":                                        "→ (creditor_id, case_id, invoice_number)",
	"documents.documents_pkey":                                                        "(id) → (creditor_id, id)",
	"documents.documents_superseded_once":                                             "→ (creditor_id, supersedes)",
	"einvoices.einvoices_pkey":                                                        "(id) → (creditor_id, id)",
	"einvoice_uploads.einvoice_uploads_pkey":                                          "(id) → (creditor_id, id)",
	"events.events_pkey":                                                              "(seq) → (creditor_id, seq); the stream orders by (tx, seq) per creditor",
	"events.events_id_key":                                                            "→ (creditor_id, id)",
	"import_rows.import_rows_pkey":                                                    "→ (creditor_id, import_id, line)",
	"imports.imports_pkey":                                                            "(id) → (creditor_id, id)",
	"notification_reads.notification_reads_pkey":                                      "→ (creditor_id, user_id, event_seq)",
	"payments.payments_pkey":                                                          "(id) → (creditor_id, id)",
	"payments.payments_receipt_number_key":                                            "receipt numbers are agency-wide (CPCE R124-6): numbered by the coordinator's sequence, checked there",
	"plan_instalments.plan_instalments_pkey":                                          "→ (creditor_id, plan_id, seq)",
	"plans.plans_pkey":                                                                "(id) → (creditor_id, id)",
	"plans.plans_one_open":                                                            "→ (creditor_id, case_id) WHERE open",
	"promises.promises_pkey":                                                          "(id) → (creditor_id, id)",
	"registered_letters.registered_letters_pkey":                                      "→ (creditor_id, document_id)",
	"registered_letters.registered_letters_number_key":                                "La Poste's numbers are unique by construction → (creditor_id, number)",
	"remittance_run_lines.remittance_run_lines_end_to_end_id_key":                     "SEPA end-to-end ids are generated unique → (creditor_id, end_to_end_id)",
	"remittances.remittances_pkey":                                                    "→ (creditor_id, document_id)",
	"call_tasks.call_tasks_pkey":                                                      "(id) → (creditor_id, id)",
	"case_strategies.case_strategies_pkey":                                            "→ (creditor_id, case_id)",
	"strategy_step_runs.strategy_step_runs_pkey":                                      "(id) → (creditor_id, id)",
	"strategy_step_runs.strategy_step_runs_case_id_strategy_id_step_index_key":        "→ (creditor_id, case_id, strategy_id, step_index)",
	"strategy_experiments.strategy_experiments_pkey":                                  "(id) → (creditor_id, id)",
	"strategy_experiment_arms.strategy_experiment_arms_pkey":                          "→ (creditor_id, experiment_id, position)",
	"strategy_experiment_arms.strategy_experiment_arms_experiment_id_strategy_id_key": "→ (creditor_id, experiment_id, strategy_id)",
	"strategy_experiment_cases.strategy_experiment_cases_pkey":                        "→ (creditor_id, case_id)",
	"webhook_attempts.webhook_attempts_pkey":                                          "(id) → (creditor_id, id)",
	"webhook_deliveries.webhook_deliveries_pkey":                                      "(id) → (creditor_id, id)",
	"webhook_deliveries.webhook_deliveries_once":                                      "→ (creditor_id, endpoint_id, event_id)",
	"webhook_endpoints.webhook_endpoints_pkey":                                        "(id) → (creditor_id, id)",
}

// TestTablesStayDistributableByCreditor fails when a table that holds a
// creditor's rows could not be distributed by creditor_id as planned in
// docs/scaling.md: no NOT NULL creditor_id, a unique key without it, or a
// table pointing at creditor rows without being one — unless the table or
// key is listed above with what it becomes.
func TestTablesStayDistributableByCreditor(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	for _, p := range distributionProblems(t, db.Pool) {
		t.Error(p)
	}
	// The check itself: a new creditor table keyed without creditor_id, and
	// one pointing at cases without a creditor_id, are both refused.
	if _, err := db.Pool.Exec(context.Background(), `
		CREATE TABLE probe_notes (id uuid PRIMARY KEY, creditor_id uuid NOT NULL REFERENCES creditors (id));
		CREATE TABLE probe_marks (case_id uuid PRIMARY KEY REFERENCES cases (id))`); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(distributionProblems(t, db.Pool), "\n")
	if !strings.Contains(got, "probe_notes: unique key probe_notes_pkey (id) lacks creditor_id") || !strings.Contains(got, "probe_marks points at cases") {
		t.Errorf("the probe tables were not refused:\n%s", got)
	}
}

// distributionProblems lists what keeps a table from being distributed by
// creditor_id as planned.
func distributionProblems(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	ctx := context.Background()
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	type table struct {
		name        string
		creditor    bool // has creditor_id
		notNull     bool // … NOT NULL
		uniqueKeys  map[string][]string
		referencing []string // tables its foreign keys point at
	}
	rows, err := pool.Query(ctx, `
		SELECT c.relname::text,
		       a.attnum IS NOT NULL, coalesce(a.attnotnull, false),
		       coalesce((SELECT array_agg(DISTINCT f.confrelid::regclass::text) FROM pg_constraint f
		                  WHERE f.conrelid = c.oid AND f.contype = 'f' AND f.confrelid <> c.oid), '{}')
		  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'creditor_id' AND NOT a.attisdropped
		 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`)
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]*table{}
	for rows.Next() {
		tb := &table{uniqueKeys: map[string][]string{}}
		if err := rows.Scan(&tb.name, &tb.creditor, &tb.notNull, &tb.referencing); err != nil {
			t.Fatal(err)
		}
		tables[tb.name] = tb
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Each unique index's key columns; an expression column reads as its text.
	rows, err = pool.Query(ctx, `
		SELECT r.relname::text, i.relname::text,
		       array(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) AS k)
		  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class r ON r.oid = x.indrelid
		  JOIN pg_namespace n ON n.oid = r.relnamespace
		 WHERE n.nspname = current_schema() AND x.indisunique`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var rel, index string
		var cols []string
		if err := rows.Scan(&rel, &index, &cols); err != nil {
			t.Fatal(err)
		}
		if tb := tables[rel]; tb != nil {
			tb.uniqueKeys[index] = cols
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(tables) < 20 || tables["cases"] == nil || !tables["cases"].creditor {
		t.Fatalf("catalogue not read: %d tables", len(tables))
	}

	distributed := func(tb *table) bool { return tb.creditor && notDistributed[tb.name] == "" }
	usedPending := map[string]bool{}
	for _, tb := range tables {
		switch {
		case distributed(tb):
			if !tb.notNull {
				report("%s: creditor_id may be NULL; a table distributed by creditor needs it NOT NULL (or list it in notDistributed with where it goes)", tb.name)
			}
			for index, cols := range tb.uniqueKeys {
				if slices.Contains(cols, "creditor_id") {
					continue
				}
				key := tb.name + "." + index
				if pendingKeys[key] != "" {
					usedPending[key] = true
					continue
				}
				report("%s: unique key %s (%s) lacks creditor_id: a table distributed by creditor can only keep keys that include it (docs/scaling.md)",
					tb.name, index, strings.Join(cols, ", "))
			}
		case !tb.creditor:
			for _, ref := range tb.referencing {
				if r := tables[ref]; r != nil && distributed(r) && notCreditorOwned[tb.name] == "" {
					report("%s points at %s, a creditor-owned table, without a creditor_id of its own (add creditor_id, or list it in notCreditorOwned with the reason)", tb.name, ref)
				}
			}
		}
	}
	// The lists say what the schema is: a stale entry fails too.
	// A table the lists name that this schema lacks altogether is skipped:
	// its migration may not be applied in every tree yet.
	for name, why := range notDistributed {
		if tb := tables[name]; tb != nil && !tb.creditor {
			report("notDistributed lists %s (%s), which has no creditor_id (any more)", name, why)
		}
	}
	for name := range notCreditorOwned {
		if tb := tables[name]; tb != nil && tb.creditor {
			report("notCreditorOwned lists %s, which now has creditor_id: remove it", name)
		}
	}
	for key, plan := range pendingKeys {
		if table, _, _ := strings.Cut(key, "."); !usedPending[key] && tables[table] != nil {
			report("pendingKeys lists %s (%s), which its table no longer has or which now includes creditor_id: remove it", key, plan)
		}
	}
	return problems
}

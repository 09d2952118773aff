package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/sheet"
)

const whatImport = "Import"

// Imports stores placement files and places their rows: COPY into
// import_rows, then set-based statements, all in one pgx transaction.
type Imports struct {
	db      *DB
	enqueue Enqueuer
}

// NewImports returns the import store; enqueue schedules an import's job.
func NewImports(db *DB, enqueue Enqueuer) *Imports { return &Imports{db: db, enqueue: enqueue} }

var _ app.ImportStore = (*Imports)(nil)

func mappingJSON(m recouvra.PlacementMapping) []byte {
	b, _ := json.Marshal(m)
	return b
}

func (s *Imports) CreateImport(ctx context.Context, imp app.Import, contentSHA256 string) error {
	headers, _ := json.Marshal(imp.Headers)
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO imports (id, creditor_id, created_by, created_by_api_key, file_name, kind, encoding, separator,
		content_sha256, headers, mapping, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		imp.ID, imp.CreditorID, imp.CreatedBy, imp.CreatedByAPIKey, imp.FileName, string(imp.Kind), imp.Encoding, imp.Separator,
		contentSHA256, headers, mappingJSON(imp.Mapping), imp.Status, imp.CreatedAt)
	return dbErr(err, whatImport)
}

func (s *Imports) Import(ctx context.Context, creditor *uuid.UUID, id uuid.UUID) (app.Import, error) {
	var imp app.Import
	var kind string
	var headers, mapping []byte
	err := s.db.Pool.QueryRow(ctx, `SELECT id, creditor_id, created_by, created_by_api_key, file_name, kind, encoding, separator, headers, mapping,
		status, total_rows, processed_rows, placed_rows, present_rows, refused_rows, cases_created, error, created_at, started_at, finished_at
		FROM imports WHERE id = $1 AND ($2::uuid IS NULL OR creditor_id = $2)`, id, creditor).Scan(
		&imp.ID, &imp.CreditorID, &imp.CreatedBy, &imp.CreatedByAPIKey, &imp.FileName, &kind, &imp.Encoding, &imp.Separator, &headers, &mapping,
		&imp.Status, &imp.TotalRows, &imp.ProcessedRows, &imp.Placed, &imp.Present, &imp.Refused, &imp.CasesCreated, &imp.Error,
		&imp.CreatedAt, &imp.StartedAt, &imp.FinishedAt)
	if err != nil {
		return app.Import{}, dbErr(err, whatImport)
	}
	imp.Kind = sheet.Kind(kind)
	imp.CreatedAt, imp.StartedAt, imp.FinishedAt = imp.CreatedAt.UTC(), utcPtr(imp.StartedAt), utcPtr(imp.FinishedAt)
	_ = json.Unmarshal(headers, &imp.Headers)
	imp.Mapping = recouvra.PlacementMapping{}
	_ = json.Unmarshal(mapping, &imp.Mapping)
	return imp, nil
}

func (s *Imports) ImportContent(ctx context.Context, id uuid.UUID) (string, []byte, error) {
	var sha *string
	var b []byte
	err := s.db.Pool.QueryRow(ctx, `SELECT content_sha256, CASE WHEN content_sha256 IS NULL THEN content END FROM imports WHERE id = $1`, id).Scan(&sha, &b)
	if sha != nil {
		return *sha, nil, dbErr(err, whatImport)
	}
	return "", b, dbErr(err, whatImport)
}

func (s *Imports) SetImportMapping(ctx context.Context, id uuid.UUID, m recouvra.PlacementMapping, byHeader map[string]string) error {
	saved, _ := json.Marshal(byHeader)
	return pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		var creditor uuid.UUID
		if err := tx.QueryRow(ctx, `UPDATE imports SET mapping = $2 WHERE id = $1 AND status = 'uploaded' RETURNING creditor_id`,
			id, mappingJSON(m)).Scan(&creditor); err != nil {
			return dbErr(err, whatImport)
		}
		_, err := tx.Exec(ctx, `INSERT INTO import_mappings (creditor_id, mapping, updated_at) VALUES ($1, $2, now())
			ON CONFLICT (creditor_id) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now()`, creditor, saved)
		return dbErr(err, whatImport)
	})
}

func (s *Imports) SavedMapping(ctx context.Context, creditor uuid.UUID) (map[string]string, error) {
	var b []byte
	if err := s.db.Pool.QueryRow(ctx, `SELECT mapping FROM import_mappings WHERE creditor_id = $1`, creditor).Scan(&b); err != nil {
		return nil, dbErr(err, whatImport)
	}
	out := map[string]string{}
	return out, json.Unmarshal(b, &out)
}

func (s *Imports) QueueImport(ctx context.Context, id uuid.UUID) (bool, error) {
	if s.enqueue == nil {
		return false, recouvra.Errorf(recouvra.ECodeUnavailable, "Aucune file de travaux n'est active dans ce processus.")
	}
	queued := false
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE imports SET status = 'queued' WHERE id = $1 AND status = 'uploaded'`, id)
		if err != nil || tag.RowsAffected() == 0 {
			return dbErr(err, whatImport)
		}
		queued = true
		return s.enqueue(ctx, tx, id)
	})
	return queued, err
}

func (s *Imports) ImportProgress(ctx context.Context, id uuid.UUID, status string, processed int, at time.Time) error {
	_, err := s.db.Pool.Exec(ctx, `UPDATE imports SET status = $2, processed_rows = $3, started_at = coalesce(started_at, $4) WHERE id = $1`,
		id, status, processed, at)
	return dbErr(err, whatImport)
}

func (s *Imports) FinishImport(ctx context.Context, id uuid.UUID, res app.PlacementResult, total int, errMsg string, at time.Time, webhook []byte) error {
	status := "done"
	if errMsg != "" {
		status = "failed"
	}
	// One statement: the import's outcome and its import.finished
	// deliveries commit together (an import finished twice — a job retried
	// after a crash — finds it done and returns before this).
	_, err := s.db.Pool.Exec(ctx, `WITH done AS (
			UPDATE imports SET status = $2, total_rows = $3, processed_rows = $3, placed_rows = $4, present_rows = $5,
				refused_rows = $6, cases_created = $7, error = $8, finished_at = $9, started_at = coalesce(started_at, $9)
			WHERE id = $1 RETURNING creditor_id)
		INSERT INTO webhook_deliveries (endpoint_id, creditor_id, type, payload, next_attempt_at, created_at, retry_until)
		SELECT e.id, e.creditor_id, $10, CAST($11 AS jsonb), $9, $9, $12
		  FROM done JOIN webhook_endpoints e ON e.creditor_id = done.creditor_id
		 WHERE e.enabled AND jsonb_exists(e.event_types, $10)`,
		id, status, total, res.Placed, res.Present, res.Refused, res.Cases, errMsg, at,
		string(recouvra.WebhookImportFinished), string(webhook), at.Add(recouvra.WebhookRetryFor))
	return dbErr(err, whatImport)
}

// stagedColumns are import_rows' columns in the COPY's order.
var stagedColumns = []string{"import_id", "line", "creditor_id", "status", "reason", "group_key",
	"debtor_name", "siren", "siret", "address", "postal_code", "city", "email", "phone", "reference", "invoice_number",
	"issued_on", "due_on", "amount", "vat", "currency", "issued_date", "due_date", "amount_cents", "vat_cents"}

// copySource feeds COPY one staged row at a time.
type copySource struct {
	imp          app.Import
	id, creditor pgtype.UUID // the import's and its creditor's, encoded once
	next         func() (app.StagedRow, bool, error)
	row          []any
	err          error
}

func (c *copySource) Next() bool {
	r, ok, err := c.next()
	if err != nil {
		c.err = err
		return false
	}
	if !ok {
		return false
	}
	status, raw := "valid", r.Raw
	text := func(f recouvra.PlacementField, parsed string) string {
		if r.Refused {
			return raw[f]
		}
		return parsed
	}
	pr := r.Row
	var issued, due, amount, vat any
	if !r.Refused {
		issued, due, amount, vat = pr.Claim.IssuedOn.Time(), pr.Claim.DueOn.Time(), pr.Claim.AmountCents, pr.Claim.VATCents
	} else {
		status = "refused"
	}
	email, phone := raw[recouvra.PFEmail], raw[recouvra.PFPhone]
	if !c.id.Valid {
		// As pgtype values: a uuid.UUID goes through its driver.Valuer
		// (a string parsed back) on every row, 8% of the job's CPU profile.
		c.id = pgtype.UUID{Bytes: c.imp.ID, Valid: true}
		c.creditor = pgtype.UUID{Bytes: c.imp.CreditorID, Valid: true}
	}
	c.row = append(c.row[:0], c.id, r.Line, c.creditor, status, r.Reason, r.GroupKey,
		text(recouvra.PFDebtorName, pr.Debtor.Name), text(recouvra.PFSIREN, pr.Debtor.SIREN), text(recouvra.PFSIRET, pr.Debtor.SIRET),
		text(recouvra.PFAddress, pr.Debtor.Address.Line1), text(recouvra.PFPostalCode, pr.Debtor.Address.PostalCode), text(recouvra.PFCity, pr.Debtor.Address.City),
		email, phone, text(recouvra.PFReference, pr.CreditorReference), text(recouvra.PFInvoiceNumber, pr.Claim.InvoiceNumber),
		raw[recouvra.PFIssuedOn], raw[recouvra.PFDueOn], raw[recouvra.PFAmount], raw[recouvra.PFVAT], text(recouvra.PFCurrency, pr.Currency),
		issued, due, amount, vat)
	return true
}

func (c *copySource) Values() ([]any, error) { return c.row, nil }
func (c *copySource) Err() error             { return c.err }

// placementSQL places the valid rows of import $1 (creditor $2) staged in
// import_staged, in set-based statements (the rows still 'valid' after
// them are the ones placed); $3 is now, $4 today, $5 the year of
// references, $6 and $7 the actor. PostgreSQL must see a type for each parameter up
// to the last a statement names: the events' name $4 and $5 for that.
var placementSQL = []string{
	// The same creditor reference and invoice number twice in the file:
	// the first valid line is kept. Grouped by hash, not a window over the
	// rows sorted by both texts (3.6 s of the job at 200,000 rows); only
	// the pairs seen more than once come back to the update.
	`UPDATE import_staged r SET status = 'refused', reason = 'Facture en double dans le fichier (déjà ligne ' || d.first || ').'
	FROM (SELECT reference, invoice_number, min(line) AS first
	      FROM import_staged WHERE import_id = $1 AND status = 'valid'
	      GROUP BY reference, invoice_number HAVING count(*) > 1) d
	WHERE r.import_id = $1 AND r.status = 'valid' AND r.reference = d.reference AND r.invoice_number = d.invoice_number
	  AND r.line <> d.first`,
	// Already placed: the same amount is left alone, another is reported.
	`UPDATE import_staged r SET status = CASE WHEN x.amount_cents = r.amount_cents THEN 'present' ELSE 'refused' END,
	       reason = CASE WHEN x.amount_cents = r.amount_cents THEN '' ELSE
	         'Montant modifié : la facture est déjà placée au dossier ' || x.reference || ' pour ' ||
	         replace(to_char(x.amount_cents / 100.0, 'FM999999999990.00'), '.', ',') ||
	         ' ; le nouveau montant n''est pas appliqué (signalez la correction à l''agence).' END
	FROM (SELECT DISTINCT ON (c.creditor_reference, cl.invoice_number) c.creditor_reference, cl.invoice_number, cl.amount_cents, c.reference
	      FROM claims cl JOIN cases c ON c.id = cl.case_id
	      WHERE cl.creditor_id = $2 AND (c.creditor_reference, cl.invoice_number) IN
	            (SELECT reference, invoice_number FROM import_staged WHERE import_id = $1 AND status = 'valid')
	      ORDER BY c.creditor_reference, cl.invoice_number, cl.created_at) x
	WHERE r.import_id = $1 AND r.status = 'valid' AND x.creditor_reference = r.reference AND x.invoice_number = r.invoice_number`,
	// A debtor's rows must add up to something owed.
	`UPDATE import_staged r SET status = 'refused', reason = 'Les factures et avoirs de ce débiteur dans le fichier ne laissent rien à recouvrer.'
	FROM (SELECT group_key FROM import_staged WHERE import_id = $1 AND status = 'valid' GROUP BY group_key HAVING sum(amount_cents) <= 0) g
	WHERE r.import_id = $1 AND r.status = 'valid' AND r.group_key = g.group_key`,
	`CREATE TEMP TABLE import_groups ON COMMIT DROP AS
	SELECT group_key, uuid_v7() AS case_id, NULL::uuid AS debtor_id, false AS existing, min(line) AS first_line,
	       sum(amount_cents) AS principal, min(due_date) FILTER (WHERE amount_cents > 0) AS oldest_due
	FROM import_staged WHERE import_id = $1 AND status = 'valid' GROUP BY group_key`,
	// A temporary table has no statistics until it is analysed: without
	// them the joins below were planned for a few rows.
	`ANALYZE import_groups`,
	// A reference already naming an open case of the creditor (same
	// currency): the new invoices join that case, as AddClaims would.
	`UPDATE import_groups g SET case_id = x.id, debtor_id = x.debtor_id, existing = true
	FROM (SELECT DISTINCT ON (g2.group_key) g2.group_key, c.id, c.debtor_id
	      FROM import_groups g2 JOIN import_staged r ON r.import_id = $1 AND r.line = g2.first_line
	      JOIN cases c ON c.creditor_id = $2 AND c.creditor_reference = r.reference AND c.currency = r.currency AND c.stage <> 'closed'
	      WHERE r.reference <> '' ORDER BY g2.group_key, c.id DESC) x
	WHERE x.group_key = g.group_key`,
	// Debtors: one known by its SIREN is reused (as the API does), others are new.
	`INSERT INTO debtors (kind, name, siren, siret, address_line1, postal_code, city, emails, phones, created_at, updated_at)
	SELECT DISTINCT ON (r.siren) 'company', r.debtor_name, r.siren, r.siret, r.address, r.postal_code, r.city,
	       CASE WHEN r.email = '' THEN '[]'::jsonb ELSE jsonb_build_array(r.email) END,
	       CASE WHEN r.phone = '' THEN '[]'::jsonb ELSE jsonb_build_array(r.phone) END, $3, $3
	FROM import_groups g JOIN import_staged r ON r.import_id = $1 AND r.line = g.first_line
	WHERE NOT g.existing AND r.siren <> '' AND $2::uuid IS NOT NULL ORDER BY r.siren, g.first_line
	ON CONFLICT (siren) WHERE siren <> '' DO NOTHING`,
	`UPDATE import_groups g SET debtor_id = d.id FROM import_staged r, debtors d
	WHERE NOT g.existing AND r.import_id = $1 AND r.line = g.first_line AND r.siren <> '' AND d.siren = r.siren`,
	`UPDATE import_groups SET debtor_id = uuid_v7() WHERE debtor_id IS NULL`,
	`INSERT INTO debtors (id, kind, name, siren, siret, address_line1, postal_code, city, emails, phones, created_at, updated_at)
	SELECT g.debtor_id, 'company', r.debtor_name, r.siren, r.siret, r.address, r.postal_code, r.city,
	       CASE WHEN r.email = '' THEN '[]'::jsonb ELSE jsonb_build_array(r.email) END,
	       CASE WHEN r.phone = '' THEN '[]'::jsonb ELSE jsonb_build_array(r.phone) END, $3, $3
	FROM import_groups g JOIN import_staged r ON r.import_id = $1 AND r.line = g.first_line
	WHERE NOT g.existing AND r.siren = '' AND $2::uuid IS NOT NULL`,
	// New cases, numbered in the order of the file.
	`INSERT INTO cases (id, reference, creditor_id, debtor_id, creditor_reference, currency, principal_cents, balance_cents,
	                    oldest_due_on, next_action_on, version, created_at, updated_at)
	SELECT s.case_id, 'D-' || $5::int || '-' || lpad(s.n::text, greatest(6, length(s.n::text)), '0'), $2, s.debtor_id,
	       r.reference, r.currency, s.principal, s.principal, s.oldest_due, $4, 1, $3, $3
	FROM (SELECT g.*, nextval('case_number_seq') AS n FROM (SELECT * FROM import_groups WHERE NOT existing ORDER BY first_line) g) s
	JOIN import_staged r ON r.import_id = $1 AND r.line = s.first_line`,
	// Cases joined: their balances move as Case.AddClaim moves them.
	`UPDATE cases c SET principal_cents = c.principal_cents + g.principal, balance_cents = c.balance_cents + g.principal,
	       oldest_due_on = CASE WHEN c.oldest_due_on IS NULL OR g.oldest_due < c.oldest_due_on THEN coalesce(g.oldest_due, c.oldest_due_on) ELSE c.oldest_due_on END,
	       version = c.version + 1, updated_at = $3
	FROM import_groups g WHERE g.existing AND c.id = g.case_id AND c.creditor_id = $2 AND $1::uuid IS NOT NULL`,
	// The timeline: the case opened, then each claim, as CreateCase and AddClaims write them.
	`INSERT INTO events (case_id, creditor_id, at, actor_user_id, actor_api_key_id, type, visibility, data)
	SELECT c.id, $2, $3, $6, $7, 'case_created', 'shared', jsonb_build_object('reference', c.reference,
	       'creditor_reference', c.creditor_reference, 'principal_cents', c.principal_cents, 'currency', c.currency, 'import_id', $1::uuid)
	FROM import_groups g JOIN cases c ON c.id = g.case_id WHERE NOT g.existing AND $4::date IS NOT NULL AND $5::int > 0 ORDER BY g.first_line`,
	`WITH added AS (
	    INSERT INTO claims (id, case_id, creditor_id, invoice_number, issued_on, due_on, amount_cents, vat_cents, currency, nature, created_at)
	    SELECT uuid_v7(), g.case_id, $2, r.invoice_number, r.issued_date, r.due_date, r.amount_cents, r.vat_cents, r.currency, 'general', $3
	    FROM import_staged r JOIN import_groups g ON g.group_key = r.group_key
	    WHERE r.import_id = $1 AND r.status = 'valid'
	    RETURNING id, case_id, invoice_number, issued_on, due_on, amount_cents, vat_cents, currency, nature)
	INSERT INTO events (case_id, creditor_id, at, actor_user_id, actor_api_key_id, type, visibility, data)
	SELECT a.case_id, $2, $3, $6, $7, 'claim_added', 'shared', jsonb_build_object('invoice_number', a.invoice_number,
	       'issued_on', a.issued_on, 'due_on', a.due_on, 'amount_cents', a.amount_cents, 'vat_cents', a.vat_cents,
	       'currency', a.currency, 'nature', a.nature)
	FROM added a JOIN import_groups g ON g.case_id = a.case_id WHERE $4::date IS NOT NULL AND $5::int > 0 ORDER BY g.first_line, a.id`,
}

func (s *Imports) Place(ctx context.Context, imp app.Import, actorUser, actorKey *uuid.UUID, now time.Time, today recouvra.Date,
	rows func() (app.StagedRow, bool, error)) (app.PlacementResult, error) {
	var res app.PlacementResult
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM import_rows WHERE import_id = $1`, imp.ID); err != nil { // a retried job
			return err
		}
		// Sorts and hashes over a file's rows (a million at most) stay in
		// memory rather than spilling to disk at the default 4 MB.
		// JIT compiling the big statements costs more than it saves here.
		if _, err := tx.Exec(ctx, `SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`); err != nil {
			return err
		}
		// Every row is staged in a temporary table, dropped at commit:
		// never WAL-logged, no foreign key checked per row nor index kept
		// up to date while COPY runs, no second version of each row when
		// its status changes. Profiled at 200,000 rows, staging into
		// import_rows itself (then marking the placed rows, then deleting
		// them) was a third of the job's time. Only the refused rows, the
		// ones the refused-rows file is read from, go to import_rows (under
		// row security), in this transaction.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_staged (LIKE import_rows INCLUDING DEFAULTS INCLUDING CONSTRAINTS) ON COMMIT DROP`); err != nil {
			return err
		}
		src := &copySource{imp: imp, next: rows}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_staged"}, stagedColumns, src); err != nil {
			if src.err != nil {
				return src.err
			}
			return fmt.Errorf("copy import rows: %w", err)
		}
		// Statistics for the columns the statements below filter, join
		// and group on only: the other seventeen (names, addresses, the
		// cells as written) were a third of ANALYZE's time.
		if _, err := tx.Exec(ctx, `ANALYZE import_staged (import_id, line, status, group_key, siren, reference, invoice_number, currency)`); err != nil {
			return err
		}
		for i, q := range placementSQL {
			args := []any{imp.ID, imp.CreditorID, now, today.Time(), today.Year(), actorUser, actorKey}
			args = args[:maxParam(q)] // PostgreSQL refuses arguments a statement does not name
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return fmt.Errorf("placement step %d: %w", i+1, err)
			}
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'valid'), count(*) FILTER (WHERE status = 'present'),
			count(*) FILTER (WHERE status = 'refused'), (SELECT count(*) FROM import_groups WHERE NOT existing) FROM import_staged`).Scan(
			&res.Placed, &res.Present, &res.Refused, &res.Cases); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO import_rows SELECT * FROM import_staged WHERE status = 'refused'`)
		return err
	})
	return res, err
}

// maxParam is the highest $n a statement names.
func maxParam(q string) int {
	for n := 9; n > 0; n-- {
		if strings.Contains(q, fmt.Sprintf("$%d", n)) {
			return n
		}
	}
	return 0
}

func (s *Imports) RefusedRows(ctx context.Context, id uuid.UUID, fn func(app.StagedRow) error) error {
	rows, err := s.db.Pool.Query(ctx, `SELECT line, reason, debtor_name, siren, siret, address, postal_code, city, email, phone, reference,
		invoice_number, issued_on, due_on, amount, vat, currency FROM import_rows WHERE import_id = $1 AND status = 'refused' ORDER BY line`, id)
	if err != nil {
		return dbErr(err, whatImport)
	}
	defer rows.Close()
	fields := []recouvra.PlacementField{recouvra.PFDebtorName, recouvra.PFSIREN, recouvra.PFSIRET, recouvra.PFAddress, recouvra.PFPostalCode,
		recouvra.PFCity, recouvra.PFEmail, recouvra.PFPhone, recouvra.PFReference, recouvra.PFInvoiceNumber, recouvra.PFIssuedOn, recouvra.PFDueOn,
		recouvra.PFAmount, recouvra.PFVAT, recouvra.PFCurrency}
	vals := make([]string, len(fields))
	dest := []any{nil, nil}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	for rows.Next() {
		var r app.StagedRow
		dest[0], dest[1] = &r.Line, &r.Reason
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		r.Refused, r.Raw = true, make(map[recouvra.PlacementField]string, len(fields))
		for i, f := range fields {
			r.Raw[f] = vals[i]
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

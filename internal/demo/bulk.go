package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/recouvra/recouvra/internal/ident"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Bulk adds n cases spread over creditors (200 extra ones are created) with
// one claim and one creation event each, through COPY: a million cases load
// in about a minute. The rows follow the same rules as the use cases
// (balances kept on the case, valid SIRENs); histories are not simulated.
func (s *Seeder) Bulk(ctx context.Context, db *postgres.DB, n int) error {
	if n <= 0 {
		return nil
	}
	start := time.Now()
	now := s.Clock.Now()
	today := recouvra.DateOf(now)
	var agents []uuid.UUID
	rows, err := db.Pool.Query(ctx, "SELECT id FROM users WHERE role = 'agent'")
	if err != nil {
		return err
	}
	agents, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return err
	}

	const nCreditors = 200
	creditors := make([]uuid.UUID, nCreditors)
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"creditors"},
		[]string{"id", "legal_name", "siren", "vat_number", "address_line1", "postal_code", "city", "commission_bps", "judicial_allowed",
			"legal_form", "registry", "representative_name", "representative_title", "created_at", "updated_at"},
		pgx.CopyFromSlice(nCreditors, func(i int) ([]any, error) {
			creditors[i] = uuid.Must(uuid.NewV7())
			siren := s.siren()
			city := cities[i%len(cities)]
			form := s.pick(forms)
			return []any{creditors[i], fmt.Sprintf("Client n°%03d %s", i+1, form), string(siren), string(ident.VATFromSIREN(siren)),
				fmt.Sprintf("%d %s", 1+i%90, s.pick(streets)), city.postal, city.name, 800 + s.Rand.IntN(1200), i%3 != 0,
				form, "RCS " + city.name, s.pick(forenames) + " " + s.pick(surnames), representativeTitle[form], now, now}, nil
		})); err != nil {
		return fmt.Errorf("copy creditors: %w", err)
	}

	nDebtors := max(n/10, 1)
	debtors := make([]uuid.UUID, nDebtors)
	names := make([]string, nDebtors)
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"debtors"},
		[]string{"id", "kind", "name", "siren", "address_line1", "postal_code", "city", "created_at", "updated_at"},
		pgx.CopyFromSlice(nDebtors, func(i int) ([]any, error) {
			debtors[i] = uuid.Must(uuid.NewV7())
			city := cities[s.Rand.IntN(len(cities))]
			// Unique SIRENs: the index number in the first eight digits.
			siren := ident.CompleteSIREN(fmt.Sprintf("9%07d", i))
			names[i] = fmt.Sprintf("%s %s %s %d", s.pick(trades), s.pick(surnames), s.pick(forms), i)
			return []any{debtors[i], "company", names[i], string(siren), fmt.Sprintf("%d %s", 1+s.Rand.IntN(120), s.pick(streets)), city.postal, city.name, now, now}, nil
		})); err != nil {
		return fmt.Errorf("copy debtors: %w", err)
	}

	var firstNumber int64
	if err := db.Pool.QueryRow(ctx, "SELECT nextval('case_number_seq')").Scan(&firstNumber); err != nil {
		return err
	}
	if _, err := db.Pool.Exec(ctx, "SELECT setval('case_number_seq', $1)", firstNumber+int64(n)); err != nil {
		return err
	}
	type caseInfo struct {
		id, creditor uuid.UUID
		amount       int64
		issued       recouvra.Date
		created      time.Time
	}
	stages := []string{"amicable", "amicable", "amicable", "amicable", "formal_notice", "formal_notice", "injunction", "irrecoverable", "closed", "closed"}
	infos := make([]caseInfo, n)
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"cases"},
		[]string{"id", "reference", "creditor_id", "debtor_id", "creditor_reference", "stage", "close_reason", "closed_at", "assigned_agent_id",
			"priority", "next_action_on", "currency", "principal_cents", "balance_cents", "oldest_due_on", "broken_promises", "promise_due_on", "version", "created_at", "updated_at"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			created := now.Add(-time.Duration(s.Rand.IntN(700*24)) * time.Hour)
			info := caseInfo{id: uuidAt(created), creditor: creditors[s.Rand.IntN(nCreditors)], amount: int64(5000 + s.Rand.IntN(5000000)),
				issued: recouvra.DateOf(created).AddDays(-60), created: created}
			infos[i] = info
			stage := stages[s.Rand.IntN(len(stages))]
			var closeReason, closedAt, agent, promise any
			balance := info.amount
			if stage == "closed" {
				closeReason, closedAt, balance = []string{"paid", "settled", "withdrawn"}[s.Rand.IntN(3)], created.Add(30*24*time.Hour), 0
				if closeReason != "paid" {
					balance = info.amount
				}
			}
			if len(agents) > 0 && s.Rand.IntN(3) > 0 {
				agent = agents[s.Rand.IntN(len(agents))]
			}
			if s.Rand.IntN(10) == 0 {
				promise = today.AddDays(s.Rand.IntN(40) - 20)
			}
			return []any{info.id, fmt.Sprintf("D-%d-%07d", created.Year(), firstNumber+int64(i)), info.creditor, debtors[s.Rand.IntN(nDebtors)],
				fmt.Sprintf("CL-%07d", i), stage, closeReason, closedAt, agent, s.Rand.IntN(4), today.AddDays(s.Rand.IntN(60) - 40), "EUR",
				info.amount, balance, info.issued.AddDays(30), s.Rand.IntN(3) * s.Rand.IntN(2), promise, 1, created, created}, nil
		})); err != nil {
		return fmt.Errorf("copy cases: %w", err)
	}
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"claims"},
		[]string{"id", "case_id", "creditor_id", "invoice_number", "issued_on", "due_on", "amount_cents", "vat_cents", "currency", "created_at"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			c := infos[i]
			return []any{uuid.Must(uuid.NewV7()), c.id, c.creditor, fmt.Sprintf("FB-%07d", i), c.issued, c.issued.AddDays(30), c.amount, c.amount / 6, "EUR", c.created}, nil
		})); err != nil {
		return fmt.Errorf("copy claims: %w", err)
	}
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"events"},
		[]string{"id", "case_id", "creditor_id", "at", "type", "visibility", "data"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			c := infos[i]
			return []any{uuid.Must(uuid.NewV7()), c.id, c.creditor, c.created, "case_created", "shared", fmt.Sprintf(`{"principal_cents": %d, "currency": "EUR"}`, c.amount)}, nil
		})); err != nil {
		return fmt.Errorf("copy events: %w", err)
	}
	if _, err := db.Pool.Exec(ctx, "ANALYZE creditors, debtors, cases, claims, events"); err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "Loaded %d cases, %d debtors, %d creditors in %s.\n", n, nDebtors, nCreditors, time.Since(start).Round(time.Millisecond))
	return nil
}

// uuidAt makes a version 7 UUID carrying time t, so that bulk cases sort by
// their (past) creation date like cases created at the time would.
func uuidAt(t time.Time) uuid.UUID {
	id := uuid.Must(uuid.NewV7())
	ms := uint64(t.UnixMilli())
	for i := 0; i < 6; i++ {
		id[i] = byte(ms >> (40 - 8*i))
	}
	return id
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/recouvra"
)

const (
	whatDebtor = "Débiteur"
	whatCase   = "Dossier"
	whatClaim  = "Créance"
	whatEvent  = "Événement"
)

type debtorRow struct {
	ID                    uuid.UUID
	Kind                  string
	Name                  string
	Siren                 string
	Siret                 string
	VATNumber             string `gorm:"column:vat_number"`
	AddressLine1          string `gorm:"column:address_line1"`
	AddressLine2          string `gorm:"column:address_line2"`
	PostalCode            string
	City                  string
	Country               string
	Emails                jsonCol[[]string]
	Phones                jsonCol[[]string]
	BestTimeToCall        string
	InsolvencyProceedings *string
	InsolvencyPublishedOn recouvra.Date
	InsolvencyCourt       string
	CreatedAt             time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt             time.Time `gorm:"autoUpdateTime:false"`
}

func (debtorRow) TableName() string { return "debtors" }

func debtorRowOf(d *recouvra.Debtor) debtorRow {
	row := debtorRow{
		ID: d.ID, Kind: string(d.Kind), Name: d.Name, Siren: d.SIREN, Siret: d.SIRET, VATNumber: d.VATNumber,
		AddressLine1: d.Address.Line1, AddressLine2: d.Address.Line2, PostalCode: d.Address.PostalCode, City: d.Address.City, Country: d.Address.Country,
		Emails: jsonCol[[]string]{nonNil(d.Emails)}, Phones: jsonCol[[]string]{nonNil(d.Phones)}, BestTimeToCall: d.BestTimeToCall,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if ins := d.Insolvency; ins != nil {
		p := string(ins.Proceedings)
		row.InsolvencyProceedings, row.InsolvencyPublishedOn, row.InsolvencyCourt = &p, ins.PublishedOn, ins.Court
	}
	return row
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (r debtorRow) domain() recouvra.Debtor {
	d := recouvra.Debtor{
		ID: r.ID, Kind: recouvra.DebtorKind(r.Kind), Name: r.Name, SIREN: r.Siren, SIRET: r.Siret, VATNumber: r.VATNumber,
		Address: recouvra.Address{Line1: r.AddressLine1, Line2: r.AddressLine2, PostalCode: r.PostalCode, City: r.City, Country: r.Country},
		Emails:  r.Emails.V, Phones: r.Phones.V, BestTimeToCall: r.BestTimeToCall, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.InsolvencyProceedings != nil {
		d.Insolvency = &recouvra.Insolvency{Proceedings: recouvra.Proceedings(*r.InsolvencyProceedings), PublishedOn: r.InsolvencyPublishedOn, Court: r.InsolvencyCourt}
	}
	return d
}

// debtorScope restricts debtors to those of the scope's cases.
func debtorScope(q *gorm.DB, scope recouvra.Scope) *gorm.DB {
	switch {
	case scope.Denied():
		return q.Where("false")
	case scope.CreditorID != nil:
		return q.Where("EXISTS (SELECT 1 FROM cases c WHERE c.debtor_id = debtors.id AND c.creditor_id = ?)", *scope.CreditorID)
	}
	return q
}

func (r repo) InsertDebtor(ctx context.Context, d *recouvra.Debtor) error {
	row := debtorRowOf(d)
	return dbErr(r.q(ctx).Create(&row).Error, whatDebtor)
}

func (r repo) UpdateDebtor(ctx context.Context, d *recouvra.Debtor) error {
	row := debtorRowOf(d)
	return oneRow(r.q(ctx).Model(&debtorRow{}).Where("id = ?", d.ID).Select("*").Omit("id", "created_at").Updates(&row), whatDebtor)
}

func (r repo) DebtorByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID) (recouvra.Debtor, error) {
	if q := r.direct(ctx, scope); q != nil {
		return debtorByIDDirect(ctx, q, scope, id)
	}
	var row debtorRow
	if err := debtorScope(r.q(ctx), scope).Where("id = ?", id).Take(&row).Error; err != nil {
		return recouvra.Debtor{}, dbErr(err, whatDebtor)
	}
	return row.domain(), nil
}

// DebtorBySIREN finds the one debtor with that SIREN, whoever's it is: it
// is only used to avoid creating a duplicate.
func (r repo) DebtorBySIREN(ctx context.Context, siren string) (recouvra.Debtor, error) {
	var row debtorRow
	if err := r.q(ctx).Where("siren = ?", siren).Take(&row).Error; err != nil {
		return recouvra.Debtor{}, dbErr(err, whatDebtor)
	}
	return row.domain(), nil
}

func (r repo) ListDebtors(ctx context.Context, scope recouvra.Scope, q string, after *uuid.UUID, limit int) ([]recouvra.Debtor, error) {
	var rows []debtorRow
	query := debtorScope(r.q(ctx), scope).Order("id").Limit(limit)
	if after != nil {
		query = query.Where("id > ?", *after)
	}
	if q = strings.TrimSpace(q); q != "" {
		query = query.Where("lower(name) LIKE ? OR siren = ?", "%"+escapeLike(strings.ToLower(q))+"%", q)
	}
	if err := query.Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatDebtor)
	}
	return domains(rows), nil
}

func (r repo) DebtorNames(ctx context.Context, scope recouvra.Scope, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if q := r.direct(ctx, scope); q != nil {
		return out, debtorNamesDirect(ctx, q, scope, ids, out)
	}
	var rows []struct {
		ID   uuid.UUID
		Name string
	}
	if err := debtorScope(r.q(ctx).Table("debtors"), scope).Select("id, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, dbErr(err, whatDebtor)
	}
	for _, row := range rows {
		out[row.ID] = row.Name
	}
	return out, nil
}

func (r repo) DebtorsByIDs(ctx context.Context, scope recouvra.Scope, ids []uuid.UUID) (map[uuid.UUID]recouvra.Debtor, error) {
	out := make(map[uuid.UUID]recouvra.Debtor, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if q := r.direct(ctx, scope); q != nil {
		return out, debtorsByIDsDirect(ctx, q, scope, ids, out)
	}
	var rows []debtorRow
	if err := debtorScope(r.q(ctx), scope).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatDebtor)
	}
	for _, row := range rows {
		out[row.ID] = row.domain()
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

type injunctionDoc struct {
	Court          string        `json:"court,omitempty"`
	FiledOn        recouvra.Date `json:"filed_on,omitzero"`
	Decision       string        `json:"decision,omitempty"`
	DecidedOn      recouvra.Date `json:"decided_on,omitzero"`
	ServedOn       recouvra.Date `json:"served_on,omitzero"`
	ServedToPerson bool          `json:"served_to_person,omitempty"`
	OpposedOn      recouvra.Date `json:"opposed_on,omitzero"`
	EnforceableOn  recouvra.Date `json:"enforceable_on,omitzero"`
}

type irrecoverabilityDoc struct {
	Cause      string        `json:"cause"`
	Proof      string        `json:"proof"`
	DocumentID *uuid.UUID    `json:"document_id,omitempty"`
	On         recouvra.Date `json:"on"`
}

type caseRow struct {
	ID                     uuid.UUID
	Reference              string
	CreditorID             uuid.UUID
	DebtorID               uuid.UUID
	CreditorReference      string
	Stage                  string
	CloseReason            *string
	ClosedAt               *time.Time
	AssignedAgentID        *uuid.UUID
	AssignedLawyerID       *uuid.UUID
	Priority               int
	NextActionOn           recouvra.Date
	OpenDispute            bool
	Currency               string
	PrincipalCents         int64
	PaidCents              int64
	BalanceCents           int64
	AmicableReminders      int
	FirstLetterReference   string
	FirstLetterOn          recouvra.Date
	OldestDueOn            recouvra.Date
	FormalNoticeSentOn     recouvra.Date
	FormalNoticeDeadline   recouvra.Date
	FormalNoticeReceivedOn recouvra.Date
	PromiseAmountCents     int64
	PromiseDueOn           recouvra.Date
	BrokenPromises         int
	RunningPlanID          *uuid.UUID
	InterestFreeze         bool
	LastInterruptionOn     recouvra.Date
	WithdrawalRequested    bool
	Injunction             jsonCol[injunctionDoc]
	Irrecoverability       *jsonCol[irrecoverabilityDoc]
	LeaseAgentID           *uuid.UUID
	LeaseUntil             *time.Time
	StageBeforeClose       *string
	Version                int
	CreatedAt              time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt              time.Time `gorm:"autoUpdateTime:false"`
}

func (caseRow) TableName() string { return "cases" }

func caseRowOf(c *recouvra.Case) caseRow {
	row := caseRow{
		ID: c.ID, Reference: c.Reference, CreditorID: c.CreditorID, DebtorID: c.DebtorID, CreditorReference: c.CreditorReference,
		Stage: string(c.Stage), ClosedAt: c.ClosedAt, AssignedAgentID: c.AssignedAgentID, AssignedLawyerID: c.AssignedLawyerID,
		Priority: c.Priority, NextActionOn: c.NextActionOn, OpenDispute: c.OpenDispute, Currency: c.Currency,
		PrincipalCents: c.PrincipalCents, PaidCents: c.PaidCents, BalanceCents: c.BalanceCents,
		AmicableReminders: c.AmicableReminders, FirstLetterReference: c.FirstLetterReference, FirstLetterOn: c.FirstLetterOn, OldestDueOn: c.OldestDueOn,
		FormalNoticeSentOn: c.FormalNoticeSentOn, FormalNoticeDeadline: c.FormalNoticeDeadline, FormalNoticeReceivedOn: c.FormalNoticeReceivedOn,
		PromiseAmountCents: c.PromiseAmountCents, PromiseDueOn: c.PromiseDueOn, BrokenPromises: c.BrokenPromises, RunningPlanID: c.RunningPlanID,
		InterestFreeze: c.InterestFreeze, LastInterruptionOn: c.LastInterruptionOn, WithdrawalRequested: c.WithdrawalRequested,
		LeaseAgentID: c.LeaseAgentID, LeaseUntil: c.LeaseUntil, Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	if c.CloseReason != "" {
		reason := string(c.CloseReason)
		row.CloseReason = &reason
	}
	if c.StageBeforeClose != "" {
		before := string(c.StageBeforeClose)
		row.StageBeforeClose = &before
	}
	inj := c.Injunction
	row.Injunction = jsonCol[injunctionDoc]{injunctionDoc{inj.Court, inj.FiledOn, inj.Decision, inj.DecidedOn, inj.ServedOn, inj.ServedToPerson, inj.OpposedOn, inj.EnforceableOn}}
	if ir := c.Irrecoverable; ir != nil {
		row.Irrecoverability = &jsonCol[irrecoverabilityDoc]{irrecoverabilityDoc{string(ir.Cause), ir.Proof, ir.DocumentID, ir.On}}
	}
	return row
}

func (r caseRow) domain() recouvra.Case {
	c := recouvra.Case{
		ID: r.ID, Reference: r.Reference, CreditorID: r.CreditorID, DebtorID: r.DebtorID, CreditorReference: r.CreditorReference,
		Stage: recouvra.Stage(r.Stage), ClosedAt: utcPtr(r.ClosedAt), AssignedAgentID: r.AssignedAgentID, AssignedLawyerID: r.AssignedLawyerID,
		Priority: r.Priority, NextActionOn: r.NextActionOn, OpenDispute: r.OpenDispute, Currency: strings.TrimSpace(r.Currency),
		PrincipalCents: r.PrincipalCents, PaidCents: r.PaidCents, BalanceCents: r.BalanceCents,
		AmicableReminders: r.AmicableReminders, FirstLetterReference: r.FirstLetterReference, FirstLetterOn: r.FirstLetterOn, OldestDueOn: r.OldestDueOn,
		FormalNoticeSentOn: r.FormalNoticeSentOn, FormalNoticeDeadline: r.FormalNoticeDeadline, FormalNoticeReceivedOn: r.FormalNoticeReceivedOn,
		PromiseAmountCents: r.PromiseAmountCents, PromiseDueOn: r.PromiseDueOn, BrokenPromises: r.BrokenPromises, RunningPlanID: r.RunningPlanID,
		InterestFreeze: r.InterestFreeze, LastInterruptionOn: r.LastInterruptionOn, WithdrawalRequested: r.WithdrawalRequested,
		LeaseAgentID: r.LeaseAgentID, LeaseUntil: utcPtr(r.LeaseUntil), Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.CloseReason != nil {
		c.CloseReason = recouvra.CloseReason(*r.CloseReason)
	}
	if r.StageBeforeClose != nil {
		c.StageBeforeClose = recouvra.Stage(*r.StageBeforeClose)
	}
	i := r.Injunction.V
	c.Injunction = recouvra.Injunction{Court: i.Court, FiledOn: i.FiledOn, Decision: i.Decision, DecidedOn: i.DecidedOn, ServedOn: i.ServedOn,
		ServedToPerson: i.ServedToPerson, OpposedOn: i.OpposedOn, EnforceableOn: i.EnforceableOn}
	if r.Irrecoverability != nil {
		d := r.Irrecoverability.V
		c.Irrecoverable = &recouvra.Irrecoverability{Cause: recouvra.IrrecoverableCause(d.Cause), Proof: d.Proof, DocumentID: d.DocumentID, On: d.On}
	}
	return c
}

// NextCaseReference draws the agency's next case reference, D-YYYY-NNNNNN.
func (r repo) NextCaseReference(ctx context.Context, year int) (string, error) {
	var n int64
	if err := r.q(ctx).Raw("SELECT nextval('case_number_seq')").Scan(&n).Error; err != nil {
		return "", dbErr(err, whatCase)
	}
	return fmt.Sprintf("D-%d-%06d", year, n), nil
}

func (r repo) InsertCase(ctx context.Context, c *recouvra.Case) error {
	row := caseRowOf(c)
	return dbErr(r.q(ctx).Create(&row).Error, whatCase)
}

func (r repo) CaseByID(ctx context.Context, scope recouvra.Scope, id uuid.UUID, lock app.RowLock) (recouvra.Case, error) {
	if q := r.direct(ctx, scope); q != nil {
		return caseByIDDirect(ctx, q, scope, id, lock)
	}
	var row caseRow
	if err := r.takeByID(ctx, scope, id, lock, &row, whatCase); err != nil {
		return recouvra.Case{}, err
	}
	return row.domain(), nil
}

func stale() error {
	return recouvra.Errorf(recouvra.ECodePrecondition, "Le dossier a été modifié entre-temps : rechargez-le puis recommencez.")
}

func (r repo) ListCases(ctx context.Context, scope recouvra.Scope, f app.CaseFilter, after *uuid.UUID, limit int) ([]recouvra.Case, error) {
	if q := r.direct(ctx, scope); q != nil && plainList(f) {
		return listCasesDirect(ctx, q, scope, after, limit)
	}
	q := scoped(r.q(ctx).Model(&caseRow{}), scope, "creditor_id")
	if f.CreditorID != nil {
		q = q.Where("creditor_id = ?", *f.CreditorID)
	}
	if f.DebtorID != nil {
		q = q.Where("debtor_id = ?", *f.DebtorID)
	}
	if len(f.Stages) > 0 {
		q = q.Where("stage IN ?", stagesOf(f.Stages))
	}
	switch f.Status {
	case "open":
		q = q.Where("stage <> 'closed'")
	case "closed":
		q = q.Where("stage = 'closed'")
	}
	if f.AssigneeID != nil {
		q = q.Where("(assigned_agent_id = ? OR assigned_lawyer_id = ?)", *f.AssigneeID, *f.AssigneeID)
	}
	if f.DueOn != nil {
		q = q.Where("stage <> 'closed' AND next_action_on <= ?", *f.DueOn)
	}
	if f.OverduePromiseOn != nil {
		q = q.Where("promise_due_on < ?", *f.OverduePromiseOn)
	}
	if f.MinBalance != nil {
		q = q.Where("balance_cents >= ?", *f.MinBalance)
	}
	if f.MaxBalance != nil {
		q = q.Where("balance_cents <= ?", *f.MaxBalance)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + escapeLike(strings.ToLower(s)) + "%"
		q = q.Where(`(reference = ? OR creditor_reference = ?
			OR id IN (SELECT case_id FROM claims WHERE invoice_number = ?)
			OR debtor_id IN (SELECT id FROM debtors WHERE siren = ? OR lower(name) LIKE ?))`, s, s, s, s, like)
	}
	if f.PlacedFrom != nil {
		q = q.Where("created_at >= ?", *f.PlacedFrom)
	}
	if f.PlacedTo != nil {
		q = q.Where("created_at < ?", f.PlacedTo.AddDays(1))
	}
	order, afterCursor, err := caseOrder(f)
	if err != nil {
		return nil, err
	}
	if after != nil {
		q = q.Where(afterCursor, *after)
	}
	var rows []caseRow
	if err := q.Order(order).Limit(limit).Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatCase)
	}
	return domains(rows), nil
}

func stagesOf(s []recouvra.Stage) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}

// queueWhere selects the cases an agent may work now: open at the amicable
// or formal-notice stage, his or nobody's, due (or never planned), and not
// held by another agent.
const queueWhere = `stage IN ('amicable', 'formal_notice')
	AND (assigned_agent_id = @agent OR assigned_agent_id IS NULL)
	AND (next_action_on IS NULL OR next_action_on <= @today)
	AND (lease_until IS NULL OR lease_until < @now OR lease_agent_id = @agent)`

// queueOrder is best first: priority, then broken promises, then the
// amount at stake, then age. It follows the cases_queue index.
const queueOrder = "priority DESC, broken_promises DESC, balance_cents DESC, id"

func (r repo) Queue(ctx context.Context, agentID uuid.UUID, today recouvra.Date, now time.Time, limit int) ([]recouvra.Case, error) {
	if q := r.direct(ctx, recouvra.AllCreditors); q != nil {
		return queueDirect(ctx, q, agentID, today, now, limit)
	}
	var rows []caseRow
	err := r.q(ctx).Raw("SELECT * FROM cases WHERE "+queueWhere+" ORDER BY "+queueOrder+" LIMIT @limit",
		map[string]any{"agent": agentID, "today": today, "now": now, "limit": limit}).Scan(&rows).Error
	if err != nil {
		return nil, dbErr(err, whatCase)
	}
	return domains(rows), nil
}

type claimRow struct {
	ID              uuid.UUID
	CaseID          uuid.UUID
	CreditorID      uuid.UUID
	InvoiceNumber   string
	IssuedOn        recouvra.Date
	DueOn           recouvra.Date
	AmountCents     int64
	VATCents        int64 `gorm:"column:vat_cents"`
	Currency        string
	InterestRegime  *string
	ContractRateBps int
	Nature          string
	Corrects        *uuid.UUID // the invoice a credit note corrects
	CreatedAt       time.Time  `gorm:"autoCreateTime:false"`
}

func (claimRow) TableName() string { return "claims" }

func (r repo) InsertClaim(ctx context.Context, creditorID uuid.UUID, cl *recouvra.Claim) error {
	row := claimRow{ID: cl.ID, CaseID: cl.CaseID, CreditorID: creditorID, InvoiceNumber: cl.InvoiceNumber, IssuedOn: cl.IssuedOn, DueOn: cl.DueOn,
		AmountCents: cl.AmountCents, VATCents: cl.VATCents, Currency: cl.Currency, ContractRateBps: cl.ContractRateBps, Nature: string(cl.Nature), Corrects: cl.Corrects, CreatedAt: cl.CreatedAt}
	if row.Nature == "" {
		row.Nature = string(recouvra.NatureGeneral)
	}
	if cl.Regime != "" {
		regime := string(cl.Regime)
		row.InterestRegime = &regime
	}
	err := r.q(ctx).Create(&row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return recouvra.Invalid("Facture en double.", recouvra.FieldError{Field: "claims.invoice_number", Code: "duplicate",
			Message: fmt.Sprintf("La facture %s figure déjà au dossier.", cl.InvoiceNumber)})
	}
	return dbErr(err, whatClaim)
}

func (r repo) ClaimsOfCase(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID) ([]recouvra.Claim, error) {
	if q := r.direct(ctx, scope); q != nil {
		return claimsOfCaseDirect(ctx, q, scope, caseID)
	}
	var rows []claimRow
	if err := scoped(r.q(ctx), scope, "creditor_id").Where("case_id = ?", caseID).Order("due_on, invoice_number").Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatClaim)
	}
	return domains(rows), nil
}

func (row claimRow) domain() recouvra.Claim {
	cl := recouvra.Claim{ID: row.ID, CaseID: row.CaseID, InvoiceNumber: row.InvoiceNumber, IssuedOn: row.IssuedOn, DueOn: row.DueOn,
		AmountCents: row.AmountCents, VATCents: row.VATCents, Currency: strings.TrimSpace(row.Currency),
		ContractRateBps: row.ContractRateBps, Nature: recouvra.ClaimNature(row.Nature), Corrects: row.Corrects, CreatedAt: row.CreatedAt.UTC()}
	if row.InterestRegime != nil {
		cl.Regime = recouvra.InterestRegime(*row.InterestRegime)
	}
	return cl
}

func (r repo) ClaimsOfCases(ctx context.Context, scope recouvra.Scope, caseIDs []uuid.UUID) (map[uuid.UUID][]recouvra.Claim, error) {
	out := make(map[uuid.UUID][]recouvra.Claim, len(caseIDs))
	if len(caseIDs) == 0 {
		return out, nil
	}
	if q := r.direct(ctx, scope); q != nil {
		return out, claimsOfCasesDirect(ctx, q, scope, caseIDs, out)
	}
	var rows []claimRow
	if err := scoped(r.q(ctx), scope, "creditor_id").Where("case_id IN ?", caseIDs).Order("case_id, due_on, invoice_number").Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatClaim)
	}
	for _, row := range rows {
		out[row.CaseID] = append(out[row.CaseID], row.domain())
	}
	return out, nil
}

// visibleCasesChunk keeps each query of VisibleCases well below
// PostgreSQL's 65,535 parameters.
const visibleCasesChunk = 10_000

func (r repo) VisibleCases(ctx context.Context, scope recouvra.Scope, ids []uuid.UUID) (map[uuid.UUID]bool, error) {
	out := make(map[uuid.UUID]bool, len(ids))
	for start := 0; start < len(ids); start += visibleCasesChunk {
		chunk := ids[start:min(start+visibleCasesChunk, len(ids))]
		var found []uuid.UUID
		if err := scoped(r.q(ctx).Table("cases"), scope, "creditor_id").Where("id IN ?", chunk).Pluck("id", &found).Error; err != nil {
			return nil, dbErr(err, whatCase)
		}
		for _, id := range found {
			out[id] = true
		}
	}
	return out, nil
}

type eventRow struct {
	Seq           int64 `gorm:"primaryKey;autoIncrement"`
	ID            uuid.UUID
	CaseID        uuid.UUID
	CreditorID    uuid.UUID
	At            time.Time
	ActorUserID   *uuid.UUID
	ActorAPIKeyID *uuid.UUID `gorm:"column:actor_api_key_id"`
	Type          string
	Visibility    string
	Data          jsonCol[map[string]any]
	// Tx is the writing transaction's xid8, read as text (eventColumns):
	// the driver has no type for xid8. The database sets it on insert.
	Tx string `gorm:"->"`
}

func (eventRow) TableName() string { return "events" }

// eventColumns selects an eventRow.
const eventColumns = "events.seq, events.id, events.case_id, events.creditor_id, events.at, events.actor_user_id, events.actor_api_key_id, " +
	"events.type, events.visibility, events.data, events.tx::text AS tx"

func (r eventRow) domain() recouvra.Event {
	tx, _ := strconv.ParseUint(r.Tx, 10, 64) // empty when not read: 0
	return recouvra.Event{Seq: r.Seq, Tx: tx, ID: r.ID, CaseID: r.CaseID, CreditorID: r.CreditorID, At: r.At.UTC(), ActorUserID: r.ActorUserID,
		ActorAPIKeyID: r.ActorAPIKeyID, Type: recouvra.EventType(r.Type), Visibility: recouvra.Visibility(r.Visibility), Data: r.Data.V}
}

// jsonObject is m for a jsonb object column: nil is stored as {}.
func jsonObject(m map[string]any) jsonCol[map[string]any] {
	if m == nil {
		m = map[string]any{}
	}
	return jsonCol[map[string]any]{m}
}

// afterPosition is the condition "after p in timeline order"; the index
// on (tx, seq) serves it.
func afterPosition(q *gorm.DB, p recouvra.EventPosition) *gorm.DB {
	return q.Where("(events.tx, events.seq) > (CAST(? AS text)::xid8, ?)", strconv.FormatUint(p.Tx, 10), p.Seq)
}

func (r repo) ListEvents(ctx context.Context, scope recouvra.Scope, caseID uuid.UUID, after recouvra.EventPosition, limit int) ([]recouvra.Event, error) {
	var rows []eventRow
	q := afterPosition(sharedScope(r.q(ctx), scope, ""), after).Select(eventColumns).Where("case_id = ?", caseID).Order("events.tx, events.seq").Limit(limit)
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbErr(err, whatEvent)
	}
	return domains(rows), nil
}

// streamFence is the oldest transaction still running when the statement's
// snapshot was taken: every transaction below it has ended, committed or
// not, and any that starts later gets a higher id. Within one statement
// every call gives the same value.
const streamFence = "pg_snapshot_xmin(pg_current_snapshot())"

// streamRow is an event read for a stream, with whether it is behind the
// fence (deliverable) or held back by a transaction still running.
type streamRow struct {
	Event eventRow `gorm:"embedded"`
	Ready bool
}

// eventsSinceQuery is EventsSince's one statement, so both halves see the
// same snapshot and fence: the next events behind the fence, and whether
// any visible one waits beyond it.
func eventsSinceQuery(db *gorm.DB, scope recouvra.Scope, after recouvra.EventPosition, limit int) *gorm.DB {
	base := func() *gorm.DB { return sharedScope(db.Model(&eventRow{}), scope, "") }
	ready := afterPosition(base(), after).Select(eventColumns + ", true AS ready").
		Where("events.tx < " + streamFence).Order("events.tx, events.seq").Limit(limit)
	// Held: a visible event beyond the fence. Strictly beyond: the fence is
	// the oldest transaction still running, whose own events no snapshot
	// but its own sees — so the index scan starts past them (a placement
	// import writing a million events in one transaction would otherwise be
	// walked on every wake-up while it runs). In index order, so that
	// PostgreSQL walks events_by_tx from the fence — the few newest rows —
	// and never the table: without the order, after such an import and
	// before autovacuum's ANALYZE, it chose a sequential scan of every
	// event for each page a stream read (0.3–0.6 s a page at a million).
	// Every event beyond the fence is beyond the cursor too (the fence only
	// moves forward, and the cursor is an event behind an earlier one); the
	// cursor stays as a filter all the same.
	tx := strconv.FormatUint(after.Tx, 10)
	held := base().Select(eventColumns+", false AS ready").Where("events.tx > "+streamFence).
		Where("(events.tx > CAST(? AS text)::xid8 OR events.tx = CAST(? AS text)::xid8 AND events.seq > ?)", tx, tx, after.Seq).
		Order("events.tx, events.seq").Limit(1)
	return db.Raw("(?) UNION ALL (?)", ready, held)
}

func (r repo) EventsSince(ctx context.Context, scope recouvra.Scope, after recouvra.EventPosition, limit int) ([]recouvra.Event, bool, error) {
	var rows []streamRow
	if err := eventsSinceQuery(r.q(ctx), scope, after, limit).Scan(&rows).Error; err != nil {
		return nil, false, dbErr(err, whatEvent)
	}
	out := make([]recouvra.Event, 0, len(rows))
	waiting := false
	for _, row := range rows {
		if !row.Ready {
			waiting = true
			continue
		}
		out = append(out, row.Event.domain())
	}
	slices.SortFunc(out, func(a, b recouvra.Event) int {
		switch {
		case a.Position().Before(b.Position()):
			return -1
		case b.Position().Before(a.Position()):
			return 1
		}
		return 0
	})
	return out, waiting, nil
}

func (r repo) CountEvents(ctx context.Context, caseID uuid.UUID, t recouvra.EventType) (int, error) {
	var n int64
	err := r.q(ctx).Model(&eventRow{}).Where("case_id = ? AND type = ?", caseID, string(t)).Count(&n).Error
	return int(n), dbErr(err, whatEvent)
}

func (r repo) InterruptingActs(ctx context.Context, caseID uuid.UUID) ([]recouvra.Date, error) {
	var out []recouvra.Date
	err := r.q(ctx).Raw(`SELECT (data->>'on')::date FROM events WHERE case_id = ? AND type = ? AND data->>'on' IS NOT NULL
		UNION SELECT received_on FROM payments WHERE case_id = ? AND reversed_at IS NULL`,
		caseID, string(recouvra.EventAcknowledgement), caseID).Scan(&out).Error
	return out, dbErr(err, whatEvent)
}

func (r repo) EventPosition(ctx context.Context, seq int64) (recouvra.EventPosition, error) {
	var row struct {
		Tx  string
		Seq int64
	}
	err := r.q(ctx).Raw("SELECT tx::text AS tx, seq FROM events WHERE seq <= ? ORDER BY seq DESC LIMIT 1", seq).Scan(&row).Error
	if err != nil {
		return recouvra.EventPosition{}, dbErr(err, whatEvent)
	}
	if row.Tx == "" {
		return recouvra.EventPosition{}, nil // no event that low: from the start
	}
	tx, err := strconv.ParseUint(row.Tx, 10, 64)
	return recouvra.EventPosition{Tx: tx, Seq: row.Seq}, err
}

func (r repo) StreamStart(ctx context.Context) (recouvra.EventPosition, error) {
	var fence string
	if err := r.q(ctx).Raw("SELECT " + streamFence + "::text").Scan(&fence).Error; err != nil {
		return recouvra.EventPosition{}, dbErr(err, whatEvent)
	}
	tx, err := strconv.ParseUint(fence, 10, 64)
	return recouvra.EventPosition{Tx: tx}, err
}

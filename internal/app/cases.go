package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// Policy answers the finer role questions the HTTP route cannot: which
// stage a role may move a case to, which events it may log.
type Policy interface {
	Allowed(role, resource, action string) bool
}

// CaseView is a case with what a screen shows beside it.
type CaseView struct {
	Case         recouvra.Case
	CreditorName string
	Debtor       recouvra.Debtor
	Claims       []recouvra.Claim
	Deadlines    []recouvra.Deadline
	Blockers     ActionBlockers
	// Court is where the injunction request goes; FilingBlockers, at the
	// formal notice and injunction stages, what still stands in its way
	// (prepareFiling: the docket's, the move's and the request's list).
	Court          recouvra.Competence
	FilingBlockers []recouvra.FieldError
}

// CaseSummary is a line of a case list.
type CaseSummary struct {
	recouvra.Case
	DebtorName string
}

// NewCase is a case submitted by staff or by a creditor (for itself).
type NewCase struct {
	CreditorID        *uuid.UUID // required for staff; a creditor's own otherwise
	CreditorReference string
	DebtorID          *uuid.UUID       // an existing debtor (staff only)…
	Debtor            *recouvra.Debtor // …or a new one (reused when its SIREN is known)
	Currency          string
	Priority          *int
	AssignedAgentID   *uuid.UUID
	AssignedLawyerID  *uuid.UUID
	NextActionOn      recouvra.Date
	Claims            []recouvra.Claim
}

func (s *Service) today() recouvra.Date { return recouvra.DateOf(s.now()) }

// newEvent builds an event on c by p.
func (s *Service) newEvent(p recouvra.Principal, c *recouvra.Case, t recouvra.EventType, v recouvra.Visibility, data map[string]any) recouvra.Event {
	e := recouvra.Event{ID: uuid.Must(uuid.NewV7()), CaseID: c.ID, CreditorID: c.CreditorID, At: s.now(), Type: t, Visibility: v, Data: data}
	e.ActorUserID, e.ActorAPIKeyID = p.Actor()
	return e
}

// CreateCase opens a case with its debtor and claims, in one transaction.
func (s *Service) CreateCase(ctx context.Context, p recouvra.Principal, in NewCase, meta Meta) (CaseView, error) {
	now := s.now()
	var fields []recouvra.FieldError
	creditorID := in.CreditorID
	switch {
	case p.Role == recouvra.RoleCreditor:
		if creditorID != nil && (p.CreditorID == nil || *creditorID != *p.CreditorID) {
			// Not "not found": the caller named a creditor that is not its own.
			fields = append(fields, recouvra.FieldError{Field: "creditor_id", Code: "forbidden", Message: "Un créancier ne dépose des dossiers que pour lui-même."})
		}
		creditorID = p.CreditorID
	case creditorID == nil:
		fields = append(fields, recouvra.FieldError{Field: "creditor_id", Code: "required", Message: "Indiquez le créancier du dossier."})
	}
	if in.DebtorID != nil && p.Role == recouvra.RoleCreditor {
		fields = append(fields, recouvra.FieldError{Field: "debtor_id", Code: "forbidden", Message: "Décrivez le débiteur : un créancier ne choisit pas parmi les débiteurs de l'agence."})
	}
	// Nor among its people: refused whoever is named, so the answer says
	// nothing of who exists.
	if p.Role == recouvra.RoleCreditor {
		for _, a := range []struct {
			field string
			id    *uuid.UUID
		}{{"assigned_agent_id", in.AssignedAgentID}, {"assigned_lawyer_id", in.AssignedLawyerID}} {
			if a.id != nil {
				fields = append(fields, recouvra.FieldError{Field: a.field, Code: "forbidden", Message: "L'agence affecte ses dossiers : un créancier ne choisit pas qui les traite."})
			}
		}
	}
	if (in.DebtorID == nil) == (in.Debtor == nil) {
		fields = append(fields, recouvra.FieldError{Field: "debtor", Code: "required", Message: "Indiquez soit debtor_id, soit le débiteur."})
	}
	if in.Debtor != nil {
		fields = append(fields, in.Debtor.Validate()...)
	}
	currency := strings.ToUpper(strings.TrimSpace(in.Currency))
	if currency == "" {
		currency = "EUR"
	}
	if !recouvra.KnownCurrency(currency) {
		fields = append(fields, recouvra.FieldError{Field: "currency", Code: "unknown", Message: "Devise inconnue (code ISO 4217 attendu, par exemple EUR)."})
	}
	if len(in.Claims) == 0 {
		fields = append(fields, recouvra.FieldError{Field: "claims", Code: "required", Message: "Un dossier compte au moins une facture."})
	}
	fields = append(fields, recouvra.PrintableField("creditor_reference", in.CreditorReference, recouvra.OneLine)...) // printed on letters
	c := recouvra.Case{
		ID: uuid.Must(uuid.NewV7()), CreditorReference: strings.TrimSpace(in.CreditorReference), Stage: recouvra.StageAmicable,
		Priority: 1, Currency: currency, NextActionOn: in.NextActionOn, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if c.NextActionOn.IsZero() {
		c.NextActionOn = s.today()
	}
	if in.Priority != nil {
		c.Priority = *in.Priority
	}
	if p.Role != recouvra.RoleCreditor {
		c.AssignedAgentID, c.AssignedLawyerID = in.AssignedAgentID, in.AssignedLawyerID
	}
	claims := slices.Clone(in.Claims)
	fields = append(fields, prepareClaims(claims, c.ID, currency, now)...)
	fields = append(fields, recouvra.ResolveCorrections(claims, nil)...) // a credit note names an invoice of the same request
	if len(fields) > 0 {
		return CaseView{}, recouvra.Invalid("Dossier invalide.", fields...)
	}

	err := s.store.Tx(ctx, func(r Repo) error {
		creditor, err := r.CreditorByID(ctx, recouvra.AllCreditors, *creditorID)
		if err != nil {
			return fieldNotFound(err, "creditor_id", "Aucun créancier ne porte cet identifiant.")
		}
		c.CreditorID = creditor.ID
		if err := s.checkAssignees(ctx, r, c.AssignedAgentID, c.AssignedLawyerID); err != nil {
			return err
		}
		debtor, err := s.resolveDebtor(ctx, r, in)
		if err != nil {
			return err
		}
		c.DebtorID = debtor.ID
		if c.Reference, err = r.NextCaseReference(ctx, recouvra.DateOf(now).Year()); err != nil {
			return err
		}
		for _, cl := range claims {
			if err := c.AddClaim(cl); err != nil {
				return err
			}
		}
		if err := r.InsertCase(ctx, &c); err != nil {
			return err
		}
		events := []recouvra.Event{s.newEvent(p, &c, recouvra.EventCaseCreated, recouvra.Shared, map[string]any{
			"reference": c.Reference, "creditor_reference": c.CreditorReference, "principal_cents": c.PrincipalCents, "currency": c.Currency,
		})}
		for i := range claims {
			if err := r.InsertClaim(ctx, c.CreditorID, &claims[i]); err != nil {
				return err
			}
			events = append(events, s.newEvent(p, &c, recouvra.EventClaimAdded, recouvra.Shared, claimData(claims[i])))
		}
		for i := range events {
			if err := r.InsertEvent(ctx, &events[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return CaseView{}, err
	}
	return s.GetCase(ctx, p, c.ID)
}

func claimData(cl recouvra.Claim) map[string]any {
	data := map[string]any{"invoice_number": cl.InvoiceNumber, "issued_on": cl.IssuedOn.String(), "due_on": cl.DueOn.String(),
		"amount_cents": cl.AmountCents, "vat_cents": cl.VATCents, "currency": cl.Currency, "nature": string(cl.Nature)}
	if cl.Corrects != nil {
		data["corrects"], data["corrects_invoice_number"] = cl.Corrects.String(), strings.TrimSpace(cl.CorrectsNumber)
	}
	return data
}

// resolveDebtor finds the case's debtor: the one named, the one already
// known by its SIREN, or a new one.
func (s *Service) resolveDebtor(ctx context.Context, r Repo, in NewCase) (recouvra.Debtor, error) {
	if in.DebtorID != nil {
		d, err := r.DebtorByID(ctx, recouvra.AllCreditors, *in.DebtorID)
		return d, fieldNotFound(err, "debtor_id", "Aucun débiteur ne porte cet identifiant.")
	}
	d := *in.Debtor
	if d.SIREN != "" {
		existing, err := r.DebtorBySIREN(ctx, d.SIREN)
		if err == nil {
			return existing, nil // the same company owing another creditor
		}
		if recouvra.ErrorCode(err) != recouvra.ECodeNotFound {
			return recouvra.Debtor{}, err
		}
	}
	d.ID, d.CreatedAt, d.UpdatedAt = uuid.Must(uuid.NewV7()), s.now(), s.now()
	return d, r.InsertDebtor(ctx, &d)
}

// fieldNotFound turns a not-found into a field error on a reference.
func fieldNotFound(err error, field, msg string) error {
	if recouvra.ErrorCode(err) == recouvra.ECodeNotFound {
		return recouvra.Invalid("Référence inconnue.", recouvra.FieldError{Field: field, Code: "unknown", Message: msg})
	}
	return err
}

// checkAssignees makes sure an assigned agent is an active agent and an
// assigned lawyer an active lawyer.
func (s *Service) checkAssignees(ctx context.Context, r Repo, agent, lawyer *uuid.UUID) error {
	var fields []recouvra.FieldError
	check := func(id *uuid.UUID, field string, roles ...recouvra.Role) error {
		if id == nil {
			return nil
		}
		u, err := r.UserByID(ctx, *id)
		if recouvra.ErrorCode(err) == recouvra.ECodeNotFound {
			fields = append(fields, recouvra.FieldError{Field: field, Code: "unknown", Message: "Aucun utilisateur ne porte cet identifiant."})
			return nil
		}
		if err != nil {
			return err
		}
		ok := false
		for _, role := range roles {
			ok = ok || u.Role == role
		}
		if !ok || !u.Active {
			fields = append(fields, recouvra.FieldError{Field: field, Code: "wrong_role", Message: fmt.Sprintf("%s n'est pas un %s actif.", u.Name, roleNoun(roles[0]))})
		}
		return nil
	}
	if err := check(agent, "assigned_agent_id", recouvra.RoleAgent, recouvra.RoleAdmin); err != nil {
		return err
	}
	if err := check(lawyer, "assigned_lawyer_id", recouvra.RoleLawyer); err != nil {
		return err
	}
	if len(fields) > 0 {
		return recouvra.Invalid("Affectation impossible.", fields...)
	}
	return nil
}

func roleNoun(r recouvra.Role) string {
	if r == recouvra.RoleLawyer {
		return "juriste"
	}
	return "gestionnaire"
}

// GetCase returns a case the caller may see, with its debtor, claims and
// deadlines.
func (s *Service) GetCase(ctx context.Context, p recouvra.Principal, id uuid.UUID) (CaseView, error) {
	var v CaseView
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		cp, err := r.CaseWithParties(ctx, scope, id, false)
		if err != nil {
			return err
		}
		v, err = s.viewOf(ctx, r, scope, cp.Case, parties{creditor: cp.Creditor, debtor: cp.Debtor, claims: cp.Claims})
		return err
	})
	return v, err
}

// view loads what a case is shown with.
func (s *Service) view(ctx context.Context, r Repo, scope recouvra.Scope, c recouvra.Case) (CaseView, error) {
	pt, err := loadParties(ctx, r, scope, c)
	if err != nil {
		return CaseView{Case: c}, err
	}
	return s.viewOf(ctx, r, scope, c, pt)
}

// viewOf is c's view with its parties in hand.
func (s *Service) viewOf(ctx context.Context, r Repo, scope recouvra.Scope, c recouvra.Case, pt parties) (CaseView, error) {
	f := s.facts(pt.creditor, pt.debtor, pt.claims)
	v := CaseView{Case: c, CreditorName: pt.creditor.LegalName, Debtor: pt.debtor, Claims: pt.claims,
		Deadlines: c.Deadlines(f), Blockers: s.actionBlockers(c, pt, f), Court: recouvra.CompetentCourt(pt.creditor, pt.debtor, pt.claims)}
	// Staff only: what the request waits for reads the case's internal
	// documents and who signs (the users table, closed to a creditor).
	staff := scope.CreditorID == nil && !scope.Denied()
	if staff && (c.Stage == recouvra.StageFormalNotice || c.Stage == recouvra.StageInjunction) {
		rates, err := r.ListRates(ctx)
		if err != nil {
			return v, err
		}
		ff, err := s.filingFactsOf(ctx, r, c, f, pt.creditor, rates)
		if err != nil {
			return v, err
		}
		v.FilingBlockers = prepareFiling(ff, s.cfg.Agency).blockers
	}
	return v, nil
}

// CaseParties is a case with its parties, read together; with money, its
// payments and the rate tables too.
type CaseParties struct {
	Case     recouvra.Case
	Creditor recouvra.Creditor
	Debtor   recouvra.Debtor
	Claims   []recouvra.Claim
	Payments []recouvra.Payment
	Rates    []recouvra.Rate
}

// CasesParties are what the rules of several cases need, by id.
type CasesParties struct {
	Creditors map[uuid.UUID]recouvra.Creditor
	Debtors   map[uuid.UUID]recouvra.Debtor
	Claims    map[uuid.UUID][]recouvra.Claim
	Payments  map[uuid.UUID][]recouvra.Payment
	Rates     []recouvra.Rate
}

// parties are what a case's rules are judged with besides the case: its
// creditor (the mandate), its debtor and its claims.
type parties struct {
	creditor recouvra.Creditor
	debtor   recouvra.Debtor
	claims   []recouvra.Claim
}

func loadParties(ctx context.Context, r Repo, scope recouvra.Scope, c recouvra.Case) (parties, error) {
	var pt parties
	var err error
	if pt.creditor, err = r.CreditorByID(ctx, scope, c.CreditorID); err != nil {
		return pt, err
	}
	if pt.debtor, err = r.DebtorByID(ctx, scope, c.DebtorID); err != nil {
		return pt, err
	}
	pt.claims, err = r.ClaimsOfCase(ctx, scope, c.ID)
	return pt, err
}

func (s *Service) facts(creditor recouvra.Creditor, debtor recouvra.Debtor, claims []recouvra.Claim) recouvra.Facts {
	return recouvra.Facts{
		Today: s.today(), Debtor: debtor, Mandate: creditor.Mandate, Claims: claims,
		CreditorAbroad: creditor.Abroad(), MarginDays: s.cfg.DeadlineMarginDays,
	}
}

// ListCases lists the cases the caller may see, newest first unless
// f.Sort says otherwise.
func (s *Service) ListCases(ctx context.Context, p recouvra.Principal, f CaseFilter, page PageRequest) (Page[CaseSummary], error) {
	limit, after, err := page.normalize()
	if err != nil {
		return Page[CaseSummary]{}, err
	}
	if err := f.check(); err != nil {
		return Page[CaseSummary]{}, err
	}
	var out []CaseSummary
	scope := p.Scope()
	err = s.store.Scoped(ctx, scope, func(r Repo) error {
		cases, err := r.ListCases(ctx, scope, f, after, limit+1)
		if err != nil {
			return err
		}
		out, err = summaries(ctx, r, scope, cases)
		return err
	})
	if err != nil {
		return Page[CaseSummary]{}, err
	}
	return pageOf(out, limit, func(c CaseSummary) uuid.UUID { return c.ID }), nil
}

// CasePatch changes a case's working fields; nil leaves a field as is, and
// the Clear flags empty one.
type CasePatch struct {
	CreditorReference *string
	Priority          *int
	NextActionOn      *recouvra.Date
	ClearNextAction   bool
	AssignedAgentID   *uuid.UUID
	ClearAgent        bool
	AssignedLawyerID  *uuid.UUID
	ClearLawyer       bool
}

// UpdateCase applies a patch if the case is still at version.
func (s *Service) UpdateCase(ctx context.Context, p recouvra.Principal, id uuid.UUID, version int, patch CasePatch) (CaseView, error) {
	return s.changeCase(ctx, p, id, &version, func(r Repo, c *recouvra.Case, _ recouvra.Facts) ([]recouvra.Event, error) {
		changes := map[string]any{}
		if patch.CreditorReference != nil {
			if f := recouvra.PrintableField("creditor_reference", *patch.CreditorReference, recouvra.OneLine); f != nil {
				return nil, recouvra.Invalid("Référence illisible.", f...)
			}
			c.CreditorReference = strings.TrimSpace(*patch.CreditorReference)
			changes["creditor_reference"] = c.CreditorReference
		}
		if patch.Priority != nil {
			c.Priority = *patch.Priority
			changes["priority"] = c.Priority
		}
		if patch.ClearNextAction {
			c.NextActionOn = recouvra.Date{}
			changes["next_action_on"] = nil
		} else if patch.NextActionOn != nil {
			c.NextActionOn = *patch.NextActionOn
			changes["next_action_on"] = c.NextActionOn.String()
		}
		var agent, lawyer *uuid.UUID
		if patch.ClearAgent {
			c.AssignedAgentID = nil
			changes["assigned_agent_id"] = nil
		} else if patch.AssignedAgentID != nil {
			agent, c.AssignedAgentID = patch.AssignedAgentID, patch.AssignedAgentID
			changes["assigned_agent_id"] = agent.String()
		}
		if patch.ClearLawyer {
			c.AssignedLawyerID = nil
			changes["assigned_lawyer_id"] = nil
		} else if patch.AssignedLawyerID != nil {
			lawyer, c.AssignedLawyerID = patch.AssignedLawyerID, patch.AssignedLawyerID
			changes["assigned_lawyer_id"] = lawyer.String()
		}
		if err := s.checkAssignees(ctx, r, agent, lawyer); err != nil {
			return nil, err
		}
		return []recouvra.Event{s.newEvent(p, c, recouvra.EventCaseUpdated, recouvra.Internal, changes)}, nil
	})
}

// changeCase is the shape of every command on a case: lock it, check the
// version when one is given, apply the change with the facts the rules
// need, close it if nothing is due any more, save, append the events — all
// in one transaction.
func (s *Service) changeCase(ctx context.Context, p recouvra.Principal, id uuid.UUID, version *int,
	apply func(r Repo, c *recouvra.Case, f recouvra.Facts) ([]recouvra.Event, error)) (CaseView, error) {
	scope := p.Scope()
	err := s.store.Tx(ctx, func(r Repo) error {
		c, err := r.CaseByID(ctx, scope, id, ForUpdate)
		if err != nil {
			return err
		}
		if version != nil && *version != c.Version {
			return stale()
		}
		expected := c.Version
		pt, err := loadParties(ctx, r, recouvra.AllCreditors, c)
		if err != nil {
			return err
		}
		events, err := apply(r, &c, s.facts(pt.creditor, pt.debtor, pt.claims))
		if err != nil {
			return err
		}
		return s.commit(ctx, r, p, &c, expected, events, closeIfPaid)
	})
	if err != nil {
		return CaseView{}, err
	}
	return s.GetCase(ctx, p, id)
}

// commit saves a changed case at its next version and appends its events,
// after bringing its balances in line with its statement (settle: a case
// with nothing left due closes as paid; with reopenIfDue, as after a
// reversal, a case closed as paid with something due again reopens).
func (s *Service) commit(ctx context.Context, r Repo, p recouvra.Principal, c *recouvra.Case, expected int, events []recouvra.Event, mode settleMode) error {
	settled, err := s.settle(ctx, r, p, c, mode)
	if err != nil {
		return err
	}
	return s.commitSettled(ctx, r, c, expected, events, settled)
}

// commitSettled is commit for a case already settled (settleWith), whose
// settlement gave the events settled.
func (s *Service) commitSettled(ctx context.Context, r Repo, c *recouvra.Case, expected int, events, settled []recouvra.Event) error {
	c.UpdatedAt = s.now()
	if err := r.UpdateCase(ctx, c, expected); err != nil {
		return err
	}
	// In place: the caller's events learn their numbers.
	for _, evs := range [][]recouvra.Event{events, settled} {
		for i := range evs {
			if err := r.InsertEvent(ctx, &evs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func stale() error {
	return recouvra.Errorf(recouvra.ECodePrecondition, "Le dossier a été modifié entre-temps : rechargez-le puis recommencez.")
}

// prepareClaims gives new claims of a case their ids, the case's currency
// when they name none, and checks them, each field named by its index.
func prepareClaims(claims []recouvra.Claim, caseID uuid.UUID, currency string, now time.Time) []recouvra.FieldError {
	var fields []recouvra.FieldError
	for i := range claims {
		cl := &claims[i]
		cl.ID, cl.CaseID, cl.CreatedAt = uuid.Must(uuid.NewV7()), caseID, now
		if cl.Currency == "" {
			cl.Currency = currency
		}
		if cl.Nature == "" {
			cl.Nature = recouvra.NatureGeneral // what the event and the case view show
		}
		fields = append(fields, cl.Validate(currency, fmt.Sprintf("claims[%d].", i))...)
	}
	return fields
}

// AddClaims adds invoices or credit notes to an open case.
func (s *Service) AddClaims(ctx context.Context, p recouvra.Principal, id uuid.UUID, claims []recouvra.Claim) (CaseView, error) {
	if len(claims) == 0 {
		return CaseView{}, recouvra.Invalid("Aucune créance.", recouvra.FieldError{Field: "claims", Code: "required", Message: "Ajoutez au moins une facture ou un avoir."})
	}
	return s.changeCase(ctx, p, id, nil, func(r Repo, c *recouvra.Case, _ recouvra.Facts) ([]recouvra.Event, error) {
		fields := prepareClaims(claims, c.ID, c.Currency, s.now())
		// A credit note names an invoice of this request or of the case.
		existing, err := r.ClaimsOfCase(ctx, recouvra.AllCreditors, c.ID)
		if err != nil {
			return nil, err
		}
		if fields = append(fields, recouvra.ResolveCorrections(claims, existing)...); len(fields) > 0 {
			return nil, recouvra.Invalid("Créances invalides.", fields...)
		}
		var events []recouvra.Event
		for i := range claims {
			if err := c.AddClaim(claims[i]); err != nil {
				return nil, err
			}
			if err := r.InsertClaim(ctx, c.CreditorID, &claims[i]); err != nil {
				return nil, err
			}
			events = append(events, s.newEvent(p, c, recouvra.EventClaimAdded, recouvra.Shared, claimData(claims[i])))
		}
		return events, nil
	})
}

// Transition moves a case to another stage if the role may and the guards
// hold.
func (s *Service) Transition(ctx context.Context, p recouvra.Principal, id uuid.UUID, version int, m recouvra.Move) (CaseView, error) {
	if !m.To.Valid() {
		return CaseView{}, recouvra.Invalid("Étape inconnue.", recouvra.FieldError{Field: "to", Code: "invalid", Message: "Étape inconnue."})
	}
	if !s.policy.Allowed(string(p.Role), "case_stage", string(m.To)) {
		return CaseView{}, recouvra.Errorf(recouvra.ECodeForbidden, "Votre rôle ne permet pas de passer un dossier à l'étape %s.", recouvra.StageLabel(m.To))
	}
	return s.changeCase(ctx, p, id, &version, func(r Repo, c *recouvra.Case, f recouvra.Facts) ([]recouvra.Event, error) {
		// The proving document, when named, is one of this case's.
		if m.Proof != nil && m.Proof.DocumentID != nil {
			if _, err := caseDocument(ctx, r, p.Scope(), c.ID, *m.Proof.DocumentID, "proof.document_id"); err != nil {
				return nil, err
			}
		}
		from := c.Stage
		// To court only when the request could be filed: the docket's and
		// the request's own list (prepareFiling), every item at once.
		if m.To == recouvra.StageInjunction && c.Stage == recouvra.StageFormalNotice {
			creditor, err := r.CreditorByID(ctx, recouvra.AllCreditors, c.CreditorID)
			if err != nil {
				return nil, err
			}
			rates, err := r.ListRates(ctx)
			if err != nil {
				return nil, err
			}
			ff, err := s.filingFactsOf(ctx, r, *c, f, creditor, rates)
			if err != nil {
				return nil, err
			}
			if blockers := prepareFiling(ff, s.cfg.Agency).blockers; len(blockers) > 0 {
				return nil, recouvra.Invalid("Changement d'étape refusé.", blockers...)
			}
		}
		if err := c.Transition(m, f, s.now()); err != nil {
			return nil, err
		}
		data := map[string]any{"from": string(from), "to": string(m.To), "reason": strings.TrimSpace(m.Reason)}
		if m.CloseReason != "" {
			data["close_reason"] = string(m.CloseReason)
		}
		if m.Proof != nil {
			data["cause"], data["proof"], data["proof_on"] = string(m.Proof.Cause), m.Proof.Proof, m.Proof.On.String()
		}
		return []recouvra.Event{s.newEvent(p, c, recouvra.EventStageChanged, recouvra.Shared, data)}, nil
	})
}

// RecordCourtStep records an injunction step.
func (s *Service) RecordCourtStep(ctx context.Context, p recouvra.Principal, id uuid.UUID, version int, in recouvra.CourtStepInput) (CaseView, error) {
	return s.changeCase(ctx, p, id, &version, func(_ Repo, c *recouvra.Case, f recouvra.Facts) ([]recouvra.Event, error) {
		data, err := c.RecordCourtStep(in, f)
		if err != nil {
			return nil, err
		}
		return []recouvra.Event{s.newEvent(p, c, recouvra.EventCourtStep, recouvra.Shared, data)}, nil
	})
}

// LogEvent adds what happened to the timeline and moves the case with it.
// A creditor may only send a message, report a payment made to it directly
// or ask for withdrawal, and always shared.
func (s *Service) LogEvent(ctx context.Context, p recouvra.Principal, id uuid.UUID, t recouvra.EventType, visibility recouvra.Visibility, data map[string]any) (recouvra.Event, error) {
	if !s.policy.Allowed(string(p.Role), "case_event", string(t)) {
		if _, known := recouvra.LoggableEvents[t]; !known {
			return recouvra.Event{}, recouvra.Invalid("Type d'événement inconnu.", recouvra.FieldError{Field: "type", Code: "invalid", Message: "Ce type d'événement ne peut être saisi."})
		}
		return recouvra.Event{}, recouvra.Errorf(recouvra.ECodeForbidden, "Votre rôle ne permet pas d'enregistrer un événement %s.", t)
	}
	if visibility == "" || p.Role == recouvra.RoleCreditor {
		visibility = recouvra.LoggableEvents[t]
		if p.Role == recouvra.RoleCreditor {
			visibility = recouvra.Shared
		}
	}
	if data == nil {
		data = map[string]any{}
	}
	// commit numbers the events it is given in place: logged is the one
	// it inserts, so the answer carries the event's real number (the
	// first; the system's judgement of a promise may follow it).
	var logged []recouvra.Event
	_, err := s.changeCase(ctx, p, id, nil, func(r Repo, c *recouvra.Case, f recouvra.Facts) ([]recouvra.Event, error) {
		if err := c.ApplyEvent(t, data, f); err != nil {
			return nil, err
		}
		judged, err := s.promiseLogged(ctx, r, c, t, f.Today)
		if err != nil {
			return nil, err
		}
		logged = append([]recouvra.Event{s.newEvent(p, c, t, visibility, data)}, judged...)
		return logged, nil
	})
	if err != nil {
		return recouvra.Event{}, err
	}
	return logged[0], nil
}

// ListEvents pages through a case's timeline in the order streams deliver
// it (by commit: transaction, then number), after event afterSeq (0: from
// the start); a creditor sees shared events only.
func (s *Service) ListEvents(ctx context.Context, p recouvra.Principal, id uuid.UUID, afterSeq int64, limit int) ([]recouvra.Event, bool, error) {
	if limit <= 0 || limit > maxPageSize {
		limit = defaultPageSize
	}
	var after recouvra.EventPosition
	if afterSeq > 0 {
		var err error
		if after, err = s.store.EventPosition(ctx, afterSeq); err != nil {
			return nil, false, err
		}
	}
	var out []recouvra.Event
	scope := p.Scope()
	err := s.store.Scoped(ctx, scope, func(r Repo) error {
		if _, err := r.CaseByID(ctx, scope, id, NoLock); err != nil {
			return err
		}
		var err error
		out, err = r.ListEvents(ctx, scope, id, after, limit+1)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// EventsSince returns the events after a position that the caller may
// see, for live streams: in commit order, only of transactions that have
// all ended, so that nothing can later appear before the last one returned.
// waiting says that visible events are held back by a transaction still
// running: look again shortly, as it may end without writing events (and
// so without a notification).
func (s *Service) EventsSince(ctx context.Context, p recouvra.Principal, after recouvra.EventPosition, limit int) (events []recouvra.Event, waiting bool, err error) {
	scope := p.Scope()
	err = s.store.Scoped(ctx, scope, func(r Repo) error {
		var err error
		events, waiting, err = r.EventsSince(ctx, scope, after, limit)
		return err
	})
	return events, waiting, err
}

// ResumeAfter is where a stream continues after event seq, the last one a
// client saw (Last-Event-ID): that event's position, or for a number that
// does not exist the greatest one below it. Only a position comes out of
// this unscoped lookup.
func (s *Service) ResumeAfter(ctx context.Context, seq int64) (recouvra.EventPosition, error) {
	return s.store.EventPosition(ctx, seq)
}

// StreamStart is where a new stream starts: at the fence, so that events of
// transactions still running are delivered when they commit.
func (s *Service) StreamStart(ctx context.Context) (recouvra.EventPosition, error) {
	return s.store.StreamStart(ctx)
}

// summaries puts the debtor's name beside each case, in one query.
func summaries(ctx context.Context, r Repo, scope recouvra.Scope, cases []recouvra.Case) ([]CaseSummary, error) {
	ids := make([]uuid.UUID, len(cases))
	for i, c := range cases {
		ids[i] = c.DebtorID
	}
	names, err := r.DebtorNames(ctx, scope, ids)
	if err != nil {
		return nil, err
	}
	out := make([]CaseSummary, len(cases))
	for i, c := range cases {
		out[i] = CaseSummary{Case: c, DebtorName: names[c.DebtorID]}
	}
	return out, nil
}

// NextCase leases the best case nobody else holds to the calling agent.
func (s *Service) NextCase(ctx context.Context, p recouvra.Principal) (CaseView, error) {
	if p.Kind != recouvra.PrincipalUser {
		return CaseView{}, recouvra.Errorf(recouvra.ECodeForbidden, "La file de travail est réservée aux gestionnaires.")
	}
	now := s.now()
	var leased recouvra.Case
	err := s.store.Tx(ctx, func(r Repo) error {
		var err error
		leased, err = r.LeaseNextCase(ctx, p.UserID, s.today(), now, now.Add(s.cfg.LeaseDuration))
		if err != nil {
			return err
		}
		e := s.newEvent(p, &leased, recouvra.EventCaseLeased, recouvra.Internal, map[string]any{"until": now.Add(s.cfg.LeaseDuration).Format(time.RFC3339)})
		return r.InsertEvent(ctx, &e)
	})
	if err != nil {
		return CaseView{}, err
	}
	// The case as the lease left it, in hand: shown without reading it
	// again, in the caller's scope as GetCase would.
	var v CaseView
	scope := p.Scope()
	err = s.store.Scoped(ctx, scope, func(r Repo) error {
		if scope.CreditorID != nil || scope.Denied() {
			c, err := r.CaseByID(ctx, scope, leased.ID, NoLock)
			if err != nil {
				return err
			}
			leased = c
		}
		v, err = s.view(ctx, r, scope, leased)
		return err
	})
	return v, err
}

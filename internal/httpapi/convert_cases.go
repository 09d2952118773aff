package httpapi

import (
	"strings"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func apiAddress(a recouvra.Address) oapi.Address {
	return oapi.Address{Line1: &a.Line1, Line2: &a.Line2, PostalCode: &a.PostalCode, City: &a.City, Country: &a.Country}
}

func domainAddress(a *oapi.Address) recouvra.Address {
	if a == nil {
		return recouvra.Address{}
	}
	return recouvra.Address{Line1: strings.TrimSpace(str(a.Line1)), Line2: strings.TrimSpace(str(a.Line2)),
		PostalCode: strings.TrimSpace(str(a.PostalCode)), City: strings.TrimSpace(str(a.City)), Country: str(a.Country)}
}

func apiCreditor(c recouvra.Creditor) oapi.Creditor {
	contacts := make([]oapi.Contact, len(c.Contacts))
	for i, ct := range c.Contacts {
		ct := ct
		contacts[i] = oapi.Contact{Name: &ct.Name, Email: &ct.Email, Phone: &ct.Phone, Role: &ct.Role}
	}
	m, id := c.Mandate, c.Identity
	return oapi.Creditor{
		Id: c.ID, LegalName: c.LegalName, Siren: c.SIREN, Siret: c.SIRET, VatNumber: c.VATNumber,
		Address: apiAddress(c.Address), Contacts: contacts, Iban: c.IBAN, Bic: c.BIC,
		Mandate: oapi.Mandate{
			SignedOn: nullDate(m.SignedOn), CommissionBps: m.CommissionBps, FixedFeeCents: m.FixedFeeCents,
			JudicialAllowed: m.JudicialAllowed, NoticeDeadlineDays: m.NoticeDeadlineDays, LegalStatus: oapi.MandateLegalStatus(m.LegalStatus),
			PlanMaxMonths: m.PlanMaxMonths, PlanMinFirstCents: m.PlanMinFirstCents, PlanMinInstalmentCents: m.PlanMinInstalmentCents,
			PlanMissesBeforeBroken: m.PlanMissesBeforeBroken, PlanInterestFrozen: m.PlanInterestFrozen,
		},
		Identity: oapi.CreditorIdentity{
			LegalForm: id.LegalForm, Registry: id.Registry, RepresentativeName: id.RepresentativeName, RepresentativeTitle: id.RepresentativeTitle,
			Profession: id.Profession, Nationality: id.Nationality, BornOn: nullDate(id.BornOn), BornIn: id.BornIn,
		},
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// applyCreditorInput copies the fields given into c: within the mandate and
// the identity too, what is sent replaces, what is left out stays.
func applyCreditorInput(c *recouvra.Creditor, legalName, siren, siret, vat, iban, bic *string, addr *oapi.Address, contacts *[]oapi.Contact, m *oapi.MandateInput, id *oapi.CreditorIdentityInput) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&c.LegalName, legalName)
	set(&c.SIREN, siren)
	set(&c.SIRET, siret)
	set(&c.VATNumber, vat)
	set(&c.IBAN, iban)
	set(&c.BIC, bic)
	if addr != nil {
		c.Address = domainAddress(addr)
	}
	if contacts != nil {
		c.Contacts = make([]recouvra.Contact, len(*contacts))
		for i, ct := range *contacts {
			c.Contacts[i] = recouvra.Contact{Name: str(ct.Name), Email: str(ct.Email), Phone: str(ct.Phone), Role: str(ct.Role)}
		}
	}
	if m != nil {
		if m.SignedOn != nil {
			c.Mandate.SignedOn = domainDate(*m.SignedOn)
		}
		if m.CommissionBps != nil {
			c.Mandate.CommissionBps = *m.CommissionBps
		}
		if m.FixedFeeCents != nil {
			c.Mandate.FixedFeeCents = *m.FixedFeeCents
		}
		if m.JudicialAllowed != nil {
			c.Mandate.JudicialAllowed = *m.JudicialAllowed
		}
		if m.NoticeDeadlineDays != nil {
			c.Mandate.NoticeDeadlineDays = *m.NoticeDeadlineDays
		}
		if m.LegalStatus != nil {
			c.Mandate.LegalStatus = recouvra.LegalStatus(*m.LegalStatus)
		}
		if m.PlanMaxMonths != nil {
			c.Mandate.PlanMaxMonths = *m.PlanMaxMonths
		}
		if m.PlanMinFirstCents != nil {
			c.Mandate.PlanMinFirstCents = *m.PlanMinFirstCents
		}
		if m.PlanMinInstalmentCents != nil {
			c.Mandate.PlanMinInstalmentCents = *m.PlanMinInstalmentCents
		}
		if m.PlanMissesBeforeBroken != nil {
			c.Mandate.PlanMissesBeforeBroken = *m.PlanMissesBeforeBroken
		}
		if m.PlanInterestFrozen != nil {
			c.Mandate.PlanInterestFrozen = *m.PlanInterestFrozen
		}
	}
	if id != nil {
		ci := &c.Identity
		set(&ci.LegalForm, id.LegalForm)
		set(&ci.Registry, id.Registry)
		set(&ci.RepresentativeName, id.RepresentativeName)
		set(&ci.RepresentativeTitle, id.RepresentativeTitle)
		set(&ci.Profession, id.Profession)
		set(&ci.Nationality, id.Nationality)
		set(&ci.BornIn, id.BornIn)
		if id.BornOn.IsSpecified() {
			ci.BornOn = recouvra.Date{}
			if d, err := id.BornOn.Get(); err == nil {
				ci.BornOn = domainDate(d)
			}
		}
	}
}

func apiDebtor(d recouvra.Debtor) oapi.Debtor {
	out := oapi.Debtor{
		Id: d.ID, Kind: oapi.DebtorKind(d.Kind), Name: d.Name, Siren: d.SIREN, Siret: d.SIRET, VatNumber: d.VATNumber,
		Address: apiAddress(d.Address), Emails: nonNilStrings(d.Emails), Phones: nonNilStrings(d.Phones), BestTimeToCall: d.BestTimeToCall,
		Insolvency: nullable.NewNullNullable[oapi.Insolvency](), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if ins := d.Insolvency; ins != nil {
		court := ins.Court
		out.Insolvency = nullable.NewNullableWithValue(oapi.Insolvency{
			Proceedings: oapi.InsolvencyProceedings(ins.Proceedings), PublishedOn: apiDate(ins.PublishedOn), Court: &court,
		})
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func domainInsolvency(in oapi.Insolvency) *recouvra.Insolvency {
	return &recouvra.Insolvency{Proceedings: recouvra.Proceedings(in.Proceedings), PublishedOn: domainDate(in.PublishedOn), Court: strings.TrimSpace(str(in.Court))}
}

func domainDebtor(in oapi.DebtorInput) recouvra.Debtor {
	d := recouvra.Debtor{
		Kind: recouvra.DebtorKind(in.Kind), Name: strings.TrimSpace(in.Name), SIREN: str(in.Siren), SIRET: str(in.Siret), VATNumber: str(in.VatNumber),
		Address: domainAddress(in.Address), BestTimeToCall: str(in.BestTimeToCall),
	}
	if in.Emails != nil {
		d.Emails = *in.Emails
	}
	if in.Phones != nil {
		d.Phones = *in.Phones
	}
	if in.Insolvency != nil {
		d.Insolvency = domainInsolvency(*in.Insolvency)
	}
	return d
}

func domainClaims(in []oapi.ClaimInput) []recouvra.Claim {
	out := make([]recouvra.Claim, len(in))
	for i, c := range in {
		out[i] = recouvra.Claim{InvoiceNumber: strings.TrimSpace(c.InvoiceNumber), IssuedOn: domainDate(c.IssuedOn), DueOn: domainDate(c.DueOn),
			AmountCents: c.AmountCents, Currency: str(c.Currency)}
		if c.VatCents != nil {
			out[i].VATCents = *c.VatCents
		}
		if c.InterestRegime != nil {
			out[i].Regime = recouvra.InterestRegime(*c.InterestRegime)
		}
		if c.ContractRateBps != nil {
			out[i].ContractRateBps = *c.ContractRateBps
		}
		// The invoice a credit note names: the use case resolves it to its id.
		out[i].CorrectsNumber = str(c.CorrectsInvoiceNumber)
		out[i].Nature = recouvra.NatureGeneral // the contract's default
		if c.Nature != nil {
			out[i].Nature = recouvra.ClaimNature(*c.Nature)
		}
	}
	return out
}

func apiClaim(c recouvra.Claim) oapi.Claim {
	out := oapi.Claim{Id: c.ID, InvoiceNumber: c.InvoiceNumber, IssuedOn: apiDate(c.IssuedOn), DueOn: apiDate(c.DueOn),
		AmountCents: c.AmountCents, VatCents: c.VATCents, Currency: c.Currency, CreditNote: c.CreditNote(),
		InterestRegime: nullable.NewNullNullable[oapi.InterestRegime](), ContractRateBps: c.ContractRateBps,
		Nature: oapi.ClaimNature(recouvra.NatureGeneral), CreatedAt: c.CreatedAt}
	if c.Nature != "" {
		out.Nature = oapi.ClaimNature(c.Nature)
	}
	if c.Regime != "" {
		out.InterestRegime = nullable.NewNullableWithValue(oapi.InterestRegime(c.Regime))
	}
	out.Corrects = c.Corrects
	return out
}

func caseStatus(c recouvra.Case) string {
	if c.Open() {
		return "open"
	}
	return "closed"
}

func apiCase(v app.CaseView) oapi.Case {
	c := v.Case
	inj := c.Injunction
	out := oapi.Case{
		Id: c.ID, Reference: c.Reference, PaymentReference: paymentReference(c), CreditorId: c.CreditorID, CreditorName: v.CreditorName, Debtor: apiDebtor(v.Debtor),
		CreditorReference: c.CreditorReference, Stage: oapi.Stage(c.Stage), Status: oapi.CaseStatus(caseStatus(c)),
		CloseReason: nullable.NewNullNullable[oapi.CaseCloseReason](), ClosedAt: nullOf(c.ClosedAt),
		AssignedAgentId: nullOf(c.AssignedAgentID), AssignedLawyerId: nullOf(c.AssignedLawyerID),
		Priority: c.Priority, NextActionOn: nullDate(c.NextActionOn), OpenDispute: c.OpenDispute, Currency: c.Currency,
		PrincipalCents: c.PrincipalCents, PaidCents: c.PaidCents, BalanceCents: c.BalanceCents,
		AmicableReminders: c.AmicableReminders, FirstLetterReference: c.FirstLetterReference, FirstLetterOn: nullDate(c.FirstLetterOn),
		FormalNotice: oapi.FormalNotice{SentOn: nullDate(c.FormalNoticeSentOn), DeadlineOn: nullDate(c.FormalNoticeDeadline), ReceivedOn: nullDate(c.FormalNoticeReceivedOn)},
		Promise:      nullable.NewNullNullable[oapi.Promise](), BrokenPromises: c.BrokenPromises, WithdrawalRequested: c.WithdrawalRequested,
		Injunction: oapi.InjunctionState{Court: inj.Court, FiledOn: nullDate(inj.FiledOn), Decision: oapi.InjunctionStateDecision(inj.Decision),
			DecidedOn: nullDate(inj.DecidedOn), ServedOn: nullDate(inj.ServedOn), ServedToPerson: inj.ServedToPerson,
			OpposedOn: nullDate(inj.OpposedOn), EnforceableOn: nullDate(inj.EnforceableOn)},
		Irrecoverability: nullable.NewNullNullable[oapi.Proof](),
		Deadlines:        make([]oapi.Deadline, len(v.Deadlines)),
		Claims:           mapSlice(v.Claims, apiClaim),
		Lease:            nullable.NewNullNullable[oapi.Lease](),
		Version:          c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	if c.CloseReason != "" {
		out.CloseReason = nullable.NewNullableWithValue(oapi.CaseCloseReason(c.CloseReason))
	}
	if !c.PromiseDueOn.IsZero() {
		out.Promise = nullable.NewNullableWithValue(oapi.Promise{AmountCents: c.PromiseAmountCents, DueOn: apiDate(c.PromiseDueOn)})
	}
	if ir := c.Irrecoverable; ir != nil {
		proof := ir.Proof
		out.Irrecoverability = nullable.NewNullableWithValue(oapi.Proof{Cause: oapi.ProofCause(ir.Cause), Proof: &proof, DocumentId: ir.DocumentID, On: apiDate(ir.On)})
	}
	if c.LeaseAgentID != nil && c.LeaseUntil != nil {
		out.Lease = nullable.NewNullableWithValue(oapi.Lease{AgentId: *c.LeaseAgentID, Until: *c.LeaseUntil})
	}
	for i, d := range v.Deadlines {
		out.Deadlines[i] = apiDeadline(d)
	}
	out.ActionBlockers = oapi.ActionBlockers{FormalNotice: apiFieldErrors(v.Blockers.FormalNotice), AmicableLetter: apiFieldErrors(v.Blockers.AmicableLetter)}
	out.Court = oapi.CourtCompetence{Kind: oapi.CourtCompetenceKind(v.Court.Kind), Label: v.Court.Kind.Label(), Basis: v.Court.Basis,
		Suggested: documents.SuggestedCourt(v.Court), Blockers: apiFieldErrors(v.FilingBlockers)}
	return out
}

func apiFieldErrors(f []recouvra.FieldError) []oapi.FieldError {
	return mapSlice(f, func(f recouvra.FieldError) oapi.FieldError {
		return oapi.FieldError{Field: ptr(f.Field), Code: f.Code, Message: f.Message}
	})
}

func apiQueueItem(it app.QueueItem) oapi.QueueItem {
	s := apiCaseSummary(it.CaseSummary)
	out := oapi.QueueItem{
		Id: s.Id, Reference: s.Reference, CreditorId: s.CreditorId, DebtorId: s.DebtorId, DebtorName: s.DebtorName,
		CreditorReference: s.CreditorReference, Stage: s.Stage, Status: oapi.QueueItemStatus(s.Status),
		Priority: s.Priority, NextActionOn: s.NextActionOn, OpenDispute: s.OpenDispute, Currency: s.Currency,
		PrincipalCents: s.PrincipalCents, PaidCents: s.PaidCents, BalanceCents: s.BalanceCents,
		PromiseDueOn: s.PromiseDueOn, BrokenPromises: s.BrokenPromises,
		AssignedAgentId: s.AssignedAgentId, AssignedLawyerId: s.AssignedLawyerId,
		Version: s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		CreditorName: it.CreditorName, DaysOverdue: it.DaysOverdue,
		PromiseAmountCents: nullable.NewNullNullable[int64](), LastContact: nullable.NewNullNullable[oapi.LastContact](),
		Reasons: mapSlice(it.Reasons, func(r recouvra.QueueReason) oapi.QueueReason {
			return oapi.QueueReason{Code: oapi.QueueReasonCode(r.Code), Text: r.Text}
		}),
	}
	if !it.PromiseDueOn.IsZero() {
		out.PromiseAmountCents.Set(it.PromiseAmountCents)
	}
	if it.CallTask != nil {
		t := apiCallTask(*it.CallTask)
		out.CallTask = &t
	}
	if e := it.LastContact; e != nil {
		lc := oapi.LastContact{At: e.At, Type: oapi.LastContactType(e.Type), Outcome: nullable.NewNullNullable[string]()}
		key := "outcome"
		if e.Type == recouvra.EventLetterSent {
			key = "kind"
		}
		if o, ok := e.Data[key].(string); ok && o != "" {
			lc.Outcome.Set(o)
		}
		out.LastContact.Set(lc)
	}
	return out
}

func apiCaseSummary(s app.CaseSummary) oapi.CaseSummary {
	c := s.Case
	return oapi.CaseSummary{
		Id: c.ID, Reference: c.Reference, CreditorId: c.CreditorID, DebtorId: c.DebtorID, DebtorName: s.DebtorName,
		CreditorReference: c.CreditorReference, Stage: oapi.Stage(c.Stage), Status: oapi.CaseSummaryStatus(caseStatus(c)),
		Priority: c.Priority, NextActionOn: nullDate(c.NextActionOn), OpenDispute: c.OpenDispute, Currency: c.Currency,
		PrincipalCents: c.PrincipalCents, PaidCents: c.PaidCents, BalanceCents: c.BalanceCents,
		PromiseDueOn: nullDate(c.PromiseDueOn), BrokenPromises: c.BrokenPromises,
		AssignedAgentId: nullOf(c.AssignedAgentID), AssignedLawyerId: nullOf(c.AssignedLawyerID),
		Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func apiEvent(e recouvra.Event) oapi.Event {
	data := e.Data
	if data == nil {
		data = map[string]any{}
	}
	// A notice about the creditor itself (00041) has no case: null, not
	// the zero UUID a client would take for a case's id.
	caseID := nullable.NewNullableWithValue(e.CaseID)
	if e.CaseID == uuid.Nil {
		caseID = nullable.NewNullNullable[uuid.UUID]()
	}
	return oapi.Event{Id: e.ID, Seq: e.Seq, CaseId: caseID, At: e.At, ActorUserId: nullOf(e.ActorUserID), ActorApiKeyId: nullOf(e.ActorAPIKeyID),
		Type: string(e.Type), Visibility: oapi.EventVisibility(e.Visibility), Data: data}
}

func apiDeadline(d recouvra.Deadline) oapi.Deadline {
	out := oapi.Deadline{Kind: oapi.DeadlineKind(d.Kind), On: nullDate(d.On), Note: d.Note}
	if !d.TargetOn.IsZero() {
		target := apiDate(d.TargetOn)
		out.TargetOn = &target
	}
	return out
}

// paymentReference is the case's ISO 11649 reference, absent when its
// reference cannot make one.
func paymentReference(c recouvra.Case) *string {
	if rf := c.PaymentReference(); rf != "" {
		return &rf
	}
	return nil
}

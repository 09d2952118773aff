package httpapi

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// etag is a case's version as an HTTP entity tag.
func etag(version int) *string {
	s := strconv.Quote(strconv.Itoa(version))
	return &s
}

// ifMatch reads the version a client last saw; commands that change a case
// need it, so that two people editing at once cannot overwrite each other.
func ifMatch(h *string) (int, error) {
	if h == nil || strings.TrimSpace(*h) == "" {
		return 0, recouvra.Errorf(recouvra.ECodePreconditionReq, "Envoyez l'en-tête If-Match avec l'ETag du dossier tel que vous l'avez lu.")
	}
	v := strings.TrimPrefix(strings.TrimSpace(*h), "W/")
	if unq, err := strconv.Unquote(v); err == nil {
		v = unq
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, recouvra.Errorf(recouvra.ECodePrecondition, "If-Match ne correspond à aucune version du dossier.")
	}
	return n, nil
}

func (a *API) UpdateCreditor(ctx context.Context, req oapi.UpdateCreditorRequestObject) (oapi.UpdateCreditorResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	c, err := a.deps.App.UpdateCreditor(ctx, principalFrom(ctx), req.Id, func(c *recouvra.Creditor) {
		applyCreditorInput(c, b.LegalName, b.Siren, b.Siret, b.VatNumber, b.Iban, b.Bic, b.Address, b.Contacts, b.Mandate, b.Identity)
	}, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.UpdateCreditor200JSONResponse(apiCreditor(c)), nil
}

func (a *API) ListDebtors(ctx context.Context, req oapi.ListDebtorsRequestObject) (oapi.ListDebtorsResponseObject, error) {
	ctx = requestContext(ctx)
	page, err := a.deps.App.ListDebtors(ctx, principalFrom(ctx), str(req.Params.Q), pageRequest(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	return oapi.ListDebtors200JSONResponse{Items: mapSlice(page.Items, apiDebtor), NextCursor: nextCursor(page.NextCursor)}, nil
}

func (a *API) CreateDebtor(ctx context.Context, req oapi.CreateDebtorRequestObject) (oapi.CreateDebtorResponseObject, error) {
	ctx = requestContext(ctx)
	d, err := a.deps.App.CreateDebtor(ctx, principalFrom(ctx), domainDebtor(*req.Body))
	if err != nil {
		return nil, err
	}
	return oapi.CreateDebtor201JSONResponse(apiDebtor(d)), nil
}

func (a *API) GetDebtor(ctx context.Context, req oapi.GetDebtorRequestObject) (oapi.GetDebtorResponseObject, error) {
	ctx = requestContext(ctx)
	d, err := a.deps.App.GetDebtor(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetDebtor200JSONResponse(apiDebtor(d)), nil
}

func (a *API) UpdateDebtor(ctx context.Context, req oapi.UpdateDebtorRequestObject) (oapi.UpdateDebtorResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	d, err := a.deps.App.UpdateDebtor(ctx, principalFrom(ctx), req.Id, func(d *recouvra.Debtor) {
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = strings.TrimSpace(*v)
			}
		}
		set(&d.Name, b.Name)
		set(&d.SIREN, b.Siren)
		set(&d.SIRET, b.Siret)
		set(&d.VATNumber, b.VatNumber)
		set(&d.BestTimeToCall, b.BestTimeToCall)
		if b.Address != nil {
			d.Address = domainAddress(b.Address)
		}
		if b.Emails != nil {
			d.Emails = *b.Emails
		}
		if b.Phones != nil {
			d.Phones = *b.Phones
		}
		switch {
		case b.Insolvency.IsNull():
			d.Insolvency = nil
		case b.Insolvency.IsSpecified():
			d.Insolvency = domainInsolvency(b.Insolvency.MustGet())
		}
	})
	if err != nil {
		return nil, err
	}
	return oapi.UpdateDebtor200JSONResponse(apiDebtor(d)), nil
}

func (a *API) ListCases(ctx context.Context, req oapi.ListCasesRequestObject) (oapi.ListCasesResponseObject, error) {
	ctx = requestContext(ctx)
	p := req.Params
	f := a.caseFilter(p)
	page, err := a.deps.App.ListCases(ctx, principalFrom(ctx), f, pageRequest(p.Limit, p.Cursor))
	if err != nil {
		return nil, err
	}
	return oapi.ListCases200JSONResponse{Items: mapSlice(page.Items, apiCaseSummary), NextCursor: nextCursor(page.NextCursor)}, nil
}

// caseFilter reads the case list's filters (also the export's).
func (a *API) caseFilter(p oapi.ListCasesParams) app.CaseFilter {
	f := app.CaseFilter{
		CreditorID: uuidPtr(p.CreditorId), DebtorID: uuidPtr(p.DebtorId), AssigneeID: uuidPtr(p.AssigneeId),
		MinBalance: p.MinBalanceCents, MaxBalance: p.MaxBalanceCents, Query: str(p.Q),
	}
	if p.Stage != nil {
		for _, s := range *p.Stage {
			f.Stages = append(f.Stages, recouvra.Stage(s))
		}
	}
	if p.Status != nil {
		f.Status = string(*p.Status)
	}
	if p.PlacedFrom != nil {
		d := domainDate(*p.PlacedFrom)
		f.PlacedFrom = &d
	}
	if p.PlacedTo != nil {
		d := domainDate(*p.PlacedTo)
		f.PlacedTo = &d
	}
	if p.Sort != nil {
		f.Sort = app.CaseSort(*p.Sort)
	}
	f.Ascending = p.Order != nil && *p.Order == oapi.ListCasesParamsOrderAsc
	today := recouvra.DateOf(a.now())
	if p.Due != nil && *p.Due {
		f.DueOn = &today
	}
	if p.OverduePromise != nil && *p.OverduePromise {
		f.OverduePromiseOn = &today
	}
	return f
}

func (a *API) CreateCase(ctx context.Context, req oapi.CreateCaseRequestObject) (oapi.CreateCaseResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	in := app.NewCase{
		CreditorID: uuidPtr(b.CreditorId), CreditorReference: str(b.CreditorReference), DebtorID: uuidPtr(b.DebtorId),
		Currency: str(b.Currency), Priority: b.Priority, AssignedAgentID: uuidPtr(b.AssignedAgentId), AssignedLawyerID: uuidPtr(b.AssignedLawyerId),
		Claims: domainClaims(b.Claims),
	}
	if b.Debtor != nil {
		d := domainDebtor(*b.Debtor)
		in.Debtor = &d
	}
	if b.NextActionOn != nil {
		in.NextActionOn = domainDate(*b.NextActionOn)
	}
	v, err := a.deps.App.CreateCase(ctx, principalFrom(ctx), in, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.CreateCase201JSONResponse{Body: apiCase(v), Headers: oapi.CreateCase201ResponseHeaders{ETag: etag(v.Case.Version)}}, nil
}

func (a *API) GetCase(ctx context.Context, req oapi.GetCaseRequestObject) (oapi.GetCaseResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.GetCase(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetCase200JSONResponse{Body: apiCase(v), Headers: oapi.GetCase200ResponseHeaders{ETag: etag(v.Case.Version)}}, nil
}

func (a *API) UpdateCase(ctx context.Context, req oapi.UpdateCaseRequestObject) (oapi.UpdateCaseResponseObject, error) {
	ctx = requestContext(ctx)
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	patch := app.CasePatch{CreditorReference: b.CreditorReference, Priority: b.Priority}
	switch {
	case b.NextActionOn.IsNull():
		patch.ClearNextAction = true
	case b.NextActionOn.IsSpecified():
		d := domainDate(b.NextActionOn.MustGet())
		patch.NextActionOn = &d
	}
	switch {
	case b.AssignedAgentId.IsNull():
		patch.ClearAgent = true
	case b.AssignedAgentId.IsSpecified():
		id := uuid.UUID(b.AssignedAgentId.MustGet())
		patch.AssignedAgentID = &id
	}
	switch {
	case b.AssignedLawyerId.IsNull():
		patch.ClearLawyer = true
	case b.AssignedLawyerId.IsSpecified():
		id := uuid.UUID(b.AssignedLawyerId.MustGet())
		patch.AssignedLawyerID = &id
	}
	v, err := a.deps.App.UpdateCase(ctx, principalFrom(ctx), req.Id, version, patch)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateCase200JSONResponse{Body: apiCase(v), Headers: oapi.UpdateCase200ResponseHeaders{ETag: etag(v.Case.Version)}}, nil
}

func (a *API) AddClaims(ctx context.Context, req oapi.AddClaimsRequestObject) (oapi.AddClaimsResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.AddClaims(ctx, principalFrom(ctx), req.Id, domainClaims(req.Body.Claims))
	if err != nil {
		return nil, err
	}
	return oapi.AddClaims200JSONResponse{Body: apiCase(v), Headers: oapi.AddClaims200ResponseHeaders{ETag: etag(v.Case.Version)}}, nil
}

func (a *API) TransitionCase(ctx context.Context, req oapi.TransitionCaseRequestObject) (oapi.TransitionCaseResponseObject, error) {
	ctx = requestContext(ctx)
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	m := recouvra.Move{To: recouvra.Stage(b.To), Reason: str(b.Reason)}
	if b.CloseReason != nil {
		m.CloseReason = recouvra.CloseReason(*b.CloseReason)
	}
	if b.Proof != nil {
		m.Proof = &recouvra.Irrecoverability{Cause: recouvra.IrrecoverableCause(b.Proof.Cause), Proof: strings.TrimSpace(str(b.Proof.Proof)),
			DocumentID: uuidPtr(b.Proof.DocumentId), On: domainDate(b.Proof.On)}
	}
	v, err := a.deps.App.Transition(ctx, principalFrom(ctx), req.Id, version, m)
	if err != nil {
		return nil, err
	}
	return oapi.TransitionCase200JSONResponse{Body: apiCase(v), Headers: oapi.TransitionCase200ResponseHeaders{ETag: etag(v.Case.Version)}}, nil
}

func (a *API) RecordCourtStep(ctx context.Context, req oapi.RecordCourtStepRequestObject) (oapi.RecordCourtStepResponseObject, error) {
	ctx = requestContext(ctx)
	version, err := ifMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	in := recouvra.CourtStepInput{Step: recouvra.CourtStep(b.Step), On: domainDate(b.On), Court: str(b.Court)}
	if b.ServedToPerson != nil {
		in.ServedToPerson = *b.ServedToPerson
	}
	v, err := a.deps.App.RecordCourtStep(ctx, principalFrom(ctx), req.Id, version, in)
	if err != nil {
		return nil, err
	}
	return oapi.RecordCourtStep200JSONResponse{Body: apiCase(v), Headers: oapi.RecordCourtStep200ResponseHeaders{ETag: etag(v.Case.Version)}}, nil
}

// eventCursor encodes the last sequence number of a timeline page.
func eventCursor(seq int64) *string {
	c := base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(seq, 10)))
	return &c
}

func parseEventCursor(c *string) (int64, error) {
	if c == nil || *c == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*c)
	if err == nil {
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, recouvra.Invalid("Curseur invalide.", recouvra.FieldError{Field: "query.cursor", Code: "invalid", Message: "Curseur de pagination invalide."})
}

func (a *API) ListCaseEvents(ctx context.Context, req oapi.ListCaseEventsRequestObject) (oapi.ListCaseEventsResponseObject, error) {
	ctx = requestContext(ctx)
	after, err := parseEventCursor(req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	limit := 0
	if req.Params.Limit != nil {
		limit = *req.Params.Limit
	}
	events, more, err := a.deps.App.ListEvents(ctx, principalFrom(ctx), req.Id, after, limit)
	if err != nil {
		return nil, err
	}
	out := oapi.ListCaseEvents200JSONResponse{Items: mapSlice(events, apiEvent)}
	if more {
		out.NextCursor = eventCursor(events[len(events)-1].Seq)
	}
	return out, nil
}

func (a *API) LogCaseEvent(ctx context.Context, req oapi.LogCaseEventRequestObject) (oapi.LogCaseEventResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	var data map[string]any
	if b.Data != nil {
		data = *b.Data
	}
	var vis recouvra.Visibility
	if b.Visibility != nil {
		vis = recouvra.Visibility(*b.Visibility)
	}
	e, err := a.deps.App.LogEvent(ctx, principalFrom(ctx), req.Id, recouvra.EventType(b.Type), vis, data)
	if err != nil {
		return nil, err
	}
	return oapi.LogCaseEvent201JSONResponse(apiEvent(e)), nil
}

func (a *API) GetQueue(ctx context.Context, req oapi.GetQueueRequestObject) (oapi.GetQueueResponseObject, error) {
	ctx = requestContext(ctx)
	limit := 0
	if req.Params.Limit != nil {
		limit = *req.Params.Limit
	}
	q, err := a.deps.App.Queue(ctx, principalFrom(ctx), limit)
	if err != nil {
		return nil, err
	}
	return oapi.GetQueue200JSONResponse{Items: mapSlice(q.Items, apiQueueItem), Total: q.Total}, nil
}

func (a *API) GetSettings(ctx context.Context, _ oapi.GetSettingsRequestObject) (oapi.GetSettingsResponseObject, error) {
	return oapi.GetSettings200JSONResponse{LargePaymentCents: a.deps.App.Settings().LargePaymentCents}, nil
}

func (a *API) NextCase(ctx context.Context, _ oapi.NextCaseRequestObject) (oapi.NextCaseResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.NextCase(ctx, principalFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.NextCase200JSONResponse{Body: apiCase(v), Headers: oapi.NextCase200ResponseHeaders{ETag: etag(v.Case.Version)}}, nil
}

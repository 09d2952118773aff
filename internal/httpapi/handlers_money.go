package httpapi

import (
	"context"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func apiAllocation(a recouvra.Allocation) oapi.Allocation {
	return oapi.Allocation{ClaimId: a.ClaimID, InvoiceNumber: a.InvoiceNumber, IndemnityCents: a.IndemnityCents, InterestCents: a.InterestCents, PrincipalCents: a.PrincipalCents}
}

func apiPayment(v app.PaymentView) oapi.Payment {
	p := v.Payment
	return oapi.Payment{
		Id: p.ID, CaseId: p.CaseID, ReceiptNumber: p.ReceiptNumber, AmountCents: p.AmountCents, Currency: p.Currency,
		ReceivedOn: apiDate(p.ReceivedOn), Method: oapi.PaymentMethod(p.Method), PayerReference: p.PayerReference,
		ClaimId: nullOf(p.ClaimID), ReversedAt: nullOf(p.ReversedAt), ReversalReason: p.ReversalReason, CreatedAt: p.CreatedAt,
		Allocations: mapSlice(v.Allocations, apiAllocation), UnappliedCents: v.UnappliedCents,
	}
}

func apiStatement(v app.StatementView) oapi.Statement {
	st := v.Statement
	out := oapi.Statement{
		CaseId: v.Case.ID, CaseReference: v.Case.Reference, AsOf: apiDate(st.AsOf), Currency: st.Currency, Convention: recouvra.Convention,
		Provisional: st.Provisional, Warnings: append([]string{}, st.Warnings...),
		Claims: make([]oapi.StatementClaim, len(st.Claims)), Payments: make([]oapi.StatementPayment, len(st.Payments)),
	}
	for i, c := range st.Claims {
		lines := make([]oapi.InterestLine, len(c.Lines))
		for j, l := range c.Lines {
			lines[j] = oapi.InterestLine{From: apiDate(l.From), To: apiDate(l.To), Days: l.Days, RateBps: l.RateBps, BaseCents: l.BaseCents,
				AmountCents: l.AmountCents, Provisional: l.Provisional, RateSource: l.RateSource}
		}
		out.Claims[i] = oapi.StatementClaim{
			ClaimId: c.ClaimID, InvoiceNumber: c.InvoiceNumber, IssuedOn: apiDate(c.IssuedOn), DueOn: apiDate(c.DueOn),
			Regime: oapi.InterestRegime(c.Regime), RateNote: c.RateNote, PrincipalCents: c.PrincipalCents, CreditedCents: c.CreditedCents,
			PrincipalPaidCents: c.PrincipalPaidCents, PrincipalOutstandingCents: c.PrincipalOutstandingCents, InterestLines: lines,
			InterestCents: c.InterestCents, InterestPaidCents: c.InterestPaidCents, InterestOutstandingCents: c.InterestOutstandingCents,
			IndemnityCents: c.IndemnityCents, IndemnityPaidCents: c.IndemnityPaidCents, IndemnityOutstandingCents: c.IndemnityOutstandingCents,
			TimeBarOn: apiDate(c.TimeBarOn),
		}
	}
	for i, p := range st.Payments {
		out.Payments[i] = oapi.StatementPayment{PaymentId: p.Payment.ID, ReceiptNumber: p.Payment.ReceiptNumber, ReceivedOn: apiDate(p.Payment.ReceivedOn),
			AmountCents: p.Payment.AmountCents, Method: string(p.Payment.Method), Allocations: mapSlice(p.Allocations, apiAllocation), UnappliedCents: p.UnappliedCents}
	}
	t := st.Totals
	out.Totals = oapi.StatementTotals{
		PrincipalCents: t.PrincipalCents, PrincipalPaidCents: t.PrincipalPaidCents, PrincipalOutstandingCents: t.PrincipalOutstandingCents,
		InterestCents: t.InterestCents, InterestPaidCents: t.InterestPaidCents, InterestOutstandingCents: t.InterestOutstandingCents,
		IndemnitiesCents: t.IndemnitiesCents, IndemnitiesPaidCents: t.IndemnitiesPaidCents, IndemnitiesOutstandingCents: t.IndemnitiesOutstandingCents,
		PaidCents: t.PaidCents, UnappliedCents: t.UnappliedCents, TotalDueCents: t.TotalDueCents,
	}
	return out
}

func (a *API) GetStatement(ctx context.Context, req oapi.GetStatementRequestObject) (oapi.GetStatementResponseObject, error) {
	ctx = requestContext(ctx)
	var asOf recouvra.Date
	if req.Params.AsOf != nil {
		asOf = domainDate(*req.Params.AsOf)
	}
	v, err := a.deps.App.Statement(ctx, principalFrom(ctx), req.Id, asOf)
	if err != nil {
		return nil, err
	}
	return statementResponse(apiStatement(v)), nil // hotjson.go
}

func (a *API) ListPayments(ctx context.Context, req oapi.ListPaymentsRequestObject) (oapi.ListPaymentsResponseObject, error) {
	ctx = requestContext(ctx)
	payments, err := a.deps.App.ListPayments(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	out := oapi.ListPayments200JSONResponse{Items: make([]oapi.Payment, len(payments))}
	for i, p := range payments {
		out.Items[i] = apiPayment(app.PaymentView{Payment: p})
	}
	return out, nil
}

func (a *API) RecordPayment(ctx context.Context, req oapi.RecordPaymentRequestObject) (oapi.RecordPaymentResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	v, err := a.deps.App.RecordPayment(ctx, principalFrom(ctx), req.Id, app.NewPayment{
		AmountCents: b.AmountCents, Currency: str(b.Currency), ReceivedOn: domainDate(b.ReceivedOn), Method: recouvra.PaymentMethod(b.Method),
		PayerReference: str(b.PayerReference), ClaimID: uuidPtr(b.ClaimId),
	})
	if err != nil {
		return nil, err
	}
	return oapi.RecordPayment201JSONResponse(apiPayment(v)), nil
}

func (a *API) GetPayment(ctx context.Context, req oapi.GetPaymentRequestObject) (oapi.GetPaymentResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.Payment(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetPayment200JSONResponse(apiPayment(v)), nil
}

func (a *API) ReversePayment(ctx context.Context, req oapi.ReversePaymentRequestObject) (oapi.ReversePaymentResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.ReversePayment(ctx, principalFrom(ctx), req.Id, req.Body.Reason)
	if err != nil {
		return nil, err
	}
	return oapi.ReversePayment200JSONResponse(apiPayment(v)), nil
}

func apiRate(r recouvra.Rate) oapi.Rate {
	return oapi.Rate{Kind: oapi.RateKind(r.Kind), PeriodStart: apiDate(r.PeriodStart), Value: r.Value, Source: r.Source}
}

func (a *API) ListRates(ctx context.Context, _ oapi.ListRatesRequestObject) (oapi.ListRatesResponseObject, error) {
	ctx = requestContext(ctx)
	rates, err := a.deps.App.ListRates(ctx, principalFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.ListRates200JSONResponse{Items: mapSlice(rates, apiRate)}, nil
}

func (a *API) PutRate(ctx context.Context, req oapi.PutRateRequestObject) (oapi.PutRateResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	r, err := a.deps.App.PutRate(ctx, principalFrom(ctx), recouvra.Rate{Kind: recouvra.RateKind(b.Kind), PeriodStart: domainDate(b.PeriodStart), Value: b.Value, Source: b.Source}, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.PutRate200JSONResponse(apiRate(r)), nil
}

func (a *API) DueDate(ctx context.Context, req oapi.DueDateRequestObject) (oapi.DueDateResponseObject, error) {
	p := req.Params
	due, warnings, err := recouvra.DueDate(domainDate(p.IssuedOn), recouvra.TermsKind(p.Kind), p.Days)
	if err != nil {
		return nil, err
	}
	return oapi.DueDate200JSONResponse{DueOn: apiDate(due), Warnings: append([]string{}, warnings...)}, nil
}

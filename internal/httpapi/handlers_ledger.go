package httpapi

import (
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

func (a *API) GetLedgerBalances(ctx context.Context, req oapi.GetLedgerBalancesRequestObject) (oapi.GetLedgerBalancesResponseObject, error) {
	ctx = requestContext(ctx)
	currency, overdue := "", false
	if req.Params.Currency != nil {
		currency = *req.Params.Currency
	}
	if req.Params.Overdue != nil {
		overdue = *req.Params.Overdue
	}
	b, err := a.deps.App.Balances(ctx, principalFrom(ctx), uuidPtr(req.Params.CreditorId), currency, overdue)
	if err != nil {
		return nil, err
	}
	out := oapi.GetLedgerBalances200JSONResponse{AsOf: apiDate(b.AsOf), Currency: b.Currency, HeldTotalCents: b.HeldTotalCents,
		OverdueTotalCents: b.OverdueTotalCents, Creditors: make([]oapi.CreditorBalance, 0, len(b.Creditors))}
	if b.Agency {
		out.ClientBankCents = &b.ClientBankCents
		out.UnexplainedCents = &b.UnexplainedCents
	}
	for _, c := range b.Creditors {
		row := oapi.CreditorBalance{CreditorId: c.CreditorID, LegalName: c.LegalName, Account: c.Account, HeldCents: c.HeldCents,
			CommissionReceivableCents: c.ReceivableCents, DirectCents: c.DirectCents, OverdueCents: c.OverdueCents}
		if !c.OldestOverdueOn.IsZero() {
			d := apiDate(c.OldestOverdueOn)
			row.OldestOverdueOn = &d
		}
		if c.RemitWithinDays > 0 {
			n := c.RemitWithinDays
			row.RemitWithinDays = &n
		}
		out.Creditors = append(out.Creditors, row)
	}
	return out, nil
}

func (a *API) ListLedgerEntries(ctx context.Context, req oapi.ListLedgerEntriesRequestObject) (oapi.ListLedgerEntriesResponseObject, error) {
	ctx = requestContext(ctx)
	limit := 0
	if req.Params.Limit != nil {
		limit = *req.Params.Limit
	}
	lines, truncated, err := a.deps.App.LedgerEntries(ctx, principalFrom(ctx), uuidPtr(req.Params.CreditorId), limit)
	if err != nil {
		return nil, err
	}
	out := oapi.ListLedgerEntries200JSONResponse{Items: make([]oapi.LedgerEntry, 0, len(lines)), Truncated: truncated}
	for _, l := range lines {
		e := oapi.LedgerEntry{Id: l.ID, TxnId: l.TxnID, Kind: oapi.LedgerEntryKind(l.Kind), Account: l.Entry.Name(), AmountCents: l.Entry.AmountCents,
			Currency: l.Entry.Currency, BookedOn: apiDate(l.BookedOn), CreatedAt: l.CreatedAt}
		if l.Entry.CreditorID != nil {
			id := openapi_types.UUID(*l.Entry.CreditorID)
			e.CreditorId = &id
		}
		if l.PaymentID != nil {
			id := openapi_types.UUID(*l.PaymentID)
			e.PaymentId = &id
		}
		out.Items = append(out.Items, e)
	}
	return out, nil
}

func (a *API) GetLedgerCommission(ctx context.Context, req oapi.GetLedgerCommissionRequestObject) (oapi.GetLedgerCommissionResponseObject, error) {
	ctx = requestContext(ctx)
	currency := str(req.Params.Currency)
	if currency == "" {
		currency = "EUR"
	}
	months, err := a.deps.App.Commission(ctx, principalFrom(ctx), str(req.Params.From), str(req.Params.To), currency)
	if err != nil {
		return nil, err
	}
	out := oapi.GetLedgerCommission200JSONResponse{Currency: currency, Months: make([]oapi.CommissionMonth, 0, len(months))}
	for _, m := range months {
		out.Months = append(out.Months, oapi.CommissionMonth{Month: m.Month, CommissionCents: m.CommissionCents, FeesCents: m.FeesCents, VatCents: m.VATCents})
	}
	return out, nil
}

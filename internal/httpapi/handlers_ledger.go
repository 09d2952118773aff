package httpapi

import (
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// balances reads the funds held per creditor, for the list and its file:
// no currency is the agency's, no overdue all of them.
func (a *API) balances(ctx context.Context, creditorID *openapi_types.UUID, currency *string, overdue *bool) (app.LedgerBalances, error) {
	return a.deps.App.Balances(ctx, principalFrom(ctx), uuidPtr(creditorID), str(currency), orZero(overdue))
}

// commission reads the commission per month, for the list and its file,
// in currency (EUR when none is asked), which it returns.
func (a *API) commission(ctx context.Context, from, to, currency *string) ([]app.CommissionMonth, string, error) {
	cur := str(currency)
	if cur == "" {
		cur = "EUR"
	}
	months, err := a.deps.App.Commission(ctx, principalFrom(ctx), str(from), str(to), cur)
	return months, cur, err
}

func (a *API) GetLedgerBalances(ctx context.Context, req oapi.GetLedgerBalancesRequestObject) (oapi.GetLedgerBalancesResponseObject, error) {
	ctx = requestContext(ctx)
	b, err := a.balances(ctx, req.Params.CreditorId, req.Params.Currency, req.Params.Overdue)
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

func apiLedgerEntry(l app.LedgerLine) oapi.LedgerEntry {
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
	return e
}

func (a *API) ListLedgerEntries(ctx context.Context, req oapi.ListLedgerEntriesRequestObject) (oapi.ListLedgerEntriesResponseObject, error) {
	ctx = requestContext(ctx)
	lines, truncated, err := a.deps.App.LedgerEntries(ctx, principalFrom(ctx), uuidPtr(req.Params.CreditorId), orZero(req.Params.Limit))
	if err != nil {
		return nil, err
	}
	return oapi.ListLedgerEntries200JSONResponse{Items: mapSlice(lines, apiLedgerEntry), Truncated: truncated}, nil
}

func (a *API) GetLedgerCommission(ctx context.Context, req oapi.GetLedgerCommissionRequestObject) (oapi.GetLedgerCommissionResponseObject, error) {
	ctx = requestContext(ctx)
	months, currency, err := a.commission(ctx, req.Params.From, req.Params.To, req.Params.Currency)
	if err != nil {
		return nil, err
	}
	return oapi.GetLedgerCommission200JSONResponse{Currency: currency, Months: mapSlice(months, func(m app.CommissionMonth) oapi.CommissionMonth {
		return oapi.CommissionMonth{Month: m.Month, CommissionCents: m.CommissionCents, FeesCents: m.FeesCents, VatCents: m.VATCents}
	})}, nil
}

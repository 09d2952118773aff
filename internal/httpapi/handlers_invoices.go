package httpapi

import (
	"bytes"
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

func apiInvoiceParty(p recouvra.InvoiceParty) oapi.InvoiceParty {
	out := oapi.InvoiceParty{Name: p.Name, Address: append([]string{}, p.Address...), Country: p.Country}
	if p.SIREN != "" {
		s := p.SIREN
		out.Siren = &s
	}
	if p.VAT != "" {
		v := p.VAT
		out.VatNumber = &v
	}
	return out
}

func apiInvoice(inv recouvra.Invoice) oapi.Invoice {
	out := oapi.Invoice{Id: inv.ID, Number: inv.Number, Kind: oapi.InvoiceKind(inv.Kind), CreditorId: inv.CreditorID, RunId: inv.RunID,
		TransferReference: inv.TransferReference, IssuedOn: apiDate(inv.IssuedOn), PeriodFrom: apiDate(inv.PeriodFrom), PeriodTo: apiDate(inv.PeriodTo),
		Currency: inv.Currency, CommissionCents: inv.CommissionCents, DirectCommissionCents: inv.DirectCommCents, FeesCents: inv.FeesCents,
		NetCents: inv.NetCents, VatRateBps: inv.VATRateBps, VatCents: inv.VATCents, GrossCents: inv.GrossCents, IndemnityCents: inv.IndemnityCents,
		Seller: apiInvoiceParty(inv.Seller), Buyer: apiInvoiceParty(inv.Buyer), CreatedAt: inv.CreatedAt}
	if inv.CorrectsID != nil {
		id := openapi_types.UUID(*inv.CorrectsID)
		n := inv.CorrectsNumber
		out.CorrectsId, out.CorrectsNumber = &id, &n
	}
	if inv.CreditedBy != nil {
		id := openapi_types.UUID(*inv.CreditedBy)
		out.CreditedBy = &id
	}
	if inv.Reason != "" {
		r := inv.Reason
		out.Reason = &r
	}
	return out
}

func (a *API) ListInvoices(ctx context.Context, req oapi.ListInvoicesRequestObject) (oapi.ListInvoicesResponseObject, error) {
	ctx = requestContext(ctx)
	f := app.InvoiceFilter{CreditorID: uuidPtr(req.Params.CreditorId), RunID: uuidPtr(req.Params.RunId), Limit: orZero(req.Params.Limit)}
	invs, err := a.deps.App.Invoices(ctx, principalFrom(ctx), f)
	if err != nil {
		return nil, err
	}
	return oapi.ListInvoices200JSONResponse{Items: mapSlice(invs, apiInvoice)}, nil
}

func (a *API) GetInvoice(ctx context.Context, req oapi.GetInvoiceRequestObject) (oapi.GetInvoiceResponseObject, error) {
	ctx = requestContext(ctx)
	inv, err := a.deps.App.Invoice(ctx, principalFrom(ctx), req.Id, false)
	if err != nil {
		return nil, err
	}
	return oapi.GetInvoice200JSONResponse(apiInvoice(inv)), nil
}

// invoiceFile reads an invoice with its files and names the download.
func (a *API) invoiceFile(ctx context.Context, id openapi_types.UUID, ext string) (recouvra.Invoice, error) {
	gc := ctx
	ctx = requestContext(ctx)
	inv, err := a.deps.App.Invoice(ctx, principalFrom(ctx), id, true)
	if err != nil {
		return inv, err
	}
	privateDownload(gc, app.InvoiceFileName(inv, ext))
	return inv, nil
}

func (a *API) GetInvoicePdf(ctx context.Context, req oapi.GetInvoicePdfRequestObject) (oapi.GetInvoicePdfResponseObject, error) {
	inv, err := a.invoiceFile(ctx, req.Id, "pdf")
	if err != nil {
		return nil, err
	}
	return oapi.GetInvoicePdf200ApplicationpdfResponse{Body: bytes.NewReader(inv.PDF), ContentLength: int64(len(inv.PDF))}, nil
}

func (a *API) GetInvoiceCii(ctx context.Context, req oapi.GetInvoiceCiiRequestObject) (oapi.GetInvoiceCiiResponseObject, error) {
	inv, err := a.invoiceFile(ctx, req.Id, "xml")
	if err != nil {
		return nil, err
	}
	return oapi.GetInvoiceCii200ApplicationxmlResponse{Body: bytes.NewReader(inv.CII), ContentLength: int64(len(inv.CII))}, nil
}

func (a *API) CorrectInvoice(ctx context.Context, req oapi.CorrectInvoiceRequestObject) (oapi.CorrectInvoiceResponseObject, error) {
	ctx = requestContext(ctx)
	reason := ""
	if req.Body != nil {
		reason = req.Body.Reason
	}
	c, err := a.deps.App.CorrectInvoice(ctx, principalFrom(ctx), req.Id, reason, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.CorrectInvoice201JSONResponse{CreditNote: apiInvoice(c.CreditNote), Invoice: apiInvoice(c.Replacement)}, nil
}

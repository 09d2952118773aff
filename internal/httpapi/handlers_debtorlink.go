package httpapi

import (
	"context"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

func apiDebtorLink(v app.DebtorLinkView) oapi.DebtorLink {
	var url *string
	if v.URL != "" {
		url = &v.URL
	}
	return oapi.DebtorLink{CaseId: v.CaseID, Url: nullOf(url), Version: v.Version, Active: v.Active, IssuedAt: v.IssuedAt, RevokedAt: nullOf(v.RevokedAt)}
}

func (a *API) GetDebtorLink(ctx context.Context, req oapi.GetDebtorLinkRequestObject) (oapi.GetDebtorLinkResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.DebtorLinkOf(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetDebtorLink200JSONResponse(apiDebtorLink(v)), nil
}

func (a *API) RevokeDebtorLink(ctx context.Context, req oapi.RevokeDebtorLinkRequestObject) (oapi.RevokeDebtorLinkResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.RevokeDebtorLink(ctx, principalFrom(ctx), req.Id, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.RevokeDebtorLink200JSONResponse(apiDebtorLink(v)), nil
}

func (a *API) ReissueDebtorLink(ctx context.Context, req oapi.ReissueDebtorLinkRequestObject) (oapi.ReissueDebtorLinkResponseObject, error) {
	ctx = requestContext(ctx)
	v, err := a.deps.App.ReissueDebtorLink(ctx, principalFrom(ctx), req.Id, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.ReissueDebtorLink200JSONResponse(apiDebtorLink(v)), nil
}

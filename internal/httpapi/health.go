package httpapi

import (
	"context"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// GetHealthz answers as long as the process serves HTTP.
func (a *API) GetHealthz(context.Context, oapi.GetHealthzRequestObject) (oapi.GetHealthzResponseObject, error) {
	return oapi.GetHealthz200JSONResponse{Status: oapi.Ok, Version: a.deps.Version}, nil
}

// GetReadyz runs every probe; any failure makes the answer 503.
func (a *API) GetReadyz(ctx context.Context, _ oapi.GetReadyzRequestObject) (oapi.GetReadyzResponseObject, error) {
	ctx = requestContext(ctx)
	res := oapi.Readiness{Status: oapi.Ready, Checks: make([]oapi.Check, 0, len(a.deps.Probes))}
	for _, p := range a.deps.Probes {
		check := oapi.Check{Name: p.Name, Ok: true}
		if err := p.Check(ctx); err != nil {
			check.Ok = false
			check.Detail = ptr(err.Error())
			res.Status = oapi.Unavailable
		}
		res.Checks = append(res.Checks, check)
	}
	if res.Status != oapi.Ready {
		return oapi.GetReadyz503JSONResponse(res), nil
	}
	return oapi.GetReadyz200JSONResponse(res), nil
}

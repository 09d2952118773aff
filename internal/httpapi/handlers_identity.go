package httpapi

import (
	"context"
	"time"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Handlers decode what the generated layer parsed, call one use case and
// encode its result. Errors go back as they are: the strict server's error
// hook turns them into problems through the one status table.

func (a *API) Login(ctx context.Context, req oapi.LoginRequestObject) (oapi.LoginResponseObject, error) {
	ctx = requestContext(ctx)
	res, err := a.deps.App.Login(ctx, req.Body.Email, req.Body.Password, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.Login200JSONResponse{Token: res.Token, ExpiresAt: res.ExpiresAt, User: apiMe(res.User)}, nil
}

func (a *API) Logout(ctx context.Context, _ oapi.LogoutRequestObject) (oapi.LogoutResponseObject, error) {
	gc, _ := ginContext(ctx)
	ctx = requestContext(ctx)
	if err := a.deps.App.Logout(ctx, principalFrom(ctx), metaFrom(ctx)); err != nil {
		return nil, err
	}
	if gc != nil && cookieToken(ctx) != "" {
		a.cookie.set(gc.Writer, "", time.Time{}, a.now()) // the session is revoked; the browser forgets it too
	}
	return oapi.Logout204Response{}, nil
}

func (a *API) GetMe(ctx context.Context, _ oapi.GetMeRequestObject) (oapi.GetMeResponseObject, error) {
	ctx = requestContext(ctx)
	u, err := a.deps.App.Me(ctx, principalFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.GetMe200JSONResponse(apiMe(u)), nil
}

func (a *API) ListUsers(ctx context.Context, req oapi.ListUsersRequestObject) (oapi.ListUsersResponseObject, error) {
	ctx = requestContext(ctx)
	page, err := a.deps.App.ListUsers(ctx, principalFrom(ctx), pageRequest(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	return oapi.ListUsers200JSONResponse{Items: mapSlice(page.Items, apiUser), NextCursor: nextCursor(page.NextCursor)}, nil
}

func (a *API) CreateUser(ctx context.Context, req oapi.CreateUserRequestObject) (oapi.CreateUserResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	u, err := a.deps.App.CreateUser(ctx, principalFrom(ctx), app.NewUser{
		Email: b.Email, Name: b.Name, Role: recouvra.Role(b.Role), CreditorID: uuidPtr(b.CreditorId), Password: b.Password, Bar: str(b.Bar),
	}, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.CreateUser201JSONResponse(apiUser(u)), nil
}

func (a *API) GetUser(ctx context.Context, req oapi.GetUserRequestObject) (oapi.GetUserResponseObject, error) {
	ctx = requestContext(ctx)
	u, err := a.deps.App.GetUser(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetUser200JSONResponse(apiUser(u)), nil
}

func (a *API) UpdateUser(ctx context.Context, req oapi.UpdateUserRequestObject) (oapi.UpdateUserResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	patch := app.UserPatch{Name: b.Name, CreditorID: uuidPtr(b.CreditorId), Active: b.Active, Password: b.Password, Bar: b.Bar}
	if b.Role != nil {
		r := recouvra.Role(*b.Role)
		patch.Role = &r
	}
	u, err := a.deps.App.UpdateUser(ctx, principalFrom(ctx), req.Id, patch, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.UpdateUser200JSONResponse(apiUser(u)), nil
}

func (a *API) ListCreditors(ctx context.Context, req oapi.ListCreditorsRequestObject) (oapi.ListCreditorsResponseObject, error) {
	ctx = requestContext(ctx)
	page, err := a.deps.App.ListCreditors(ctx, principalFrom(ctx), pageRequest(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	return oapi.ListCreditors200JSONResponse{Items: mapSlice(page.Items, apiCreditor), NextCursor: nextCursor(page.NextCursor)}, nil
}

func (a *API) CreateCreditor(ctx context.Context, req oapi.CreateCreditorRequestObject) (oapi.CreateCreditorResponseObject, error) {
	ctx = requestContext(ctx)
	b := req.Body
	var in recouvra.Creditor
	applyCreditorInput(&in, &b.LegalName, b.Siren, b.Siret, b.VatNumber, b.Iban, b.Bic, b.Address, b.Contacts, b.Mandate, b.Identity)
	c, err := a.deps.App.CreateCreditor(ctx, principalFrom(ctx), in, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.CreateCreditor201JSONResponse(apiCreditor(c)), nil
}

func (a *API) GetCreditor(ctx context.Context, req oapi.GetCreditorRequestObject) (oapi.GetCreditorResponseObject, error) {
	ctx = requestContext(ctx)
	c, err := a.deps.App.GetCreditor(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.GetCreditor200JSONResponse(apiCreditor(c)), nil
}

func (a *API) ListApiKeys(ctx context.Context, req oapi.ListApiKeysRequestObject) (oapi.ListApiKeysResponseObject, error) {
	ctx = requestContext(ctx)
	keys, err := a.deps.App.ListAPIKeys(ctx, principalFrom(ctx), req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.ListApiKeys200JSONResponse{Items: mapSlice(keys, apiAPIKey)}, nil
}

func (a *API) CreateApiKey(ctx context.Context, req oapi.CreateApiKeyRequestObject) (oapi.CreateApiKeyResponseObject, error) {
	ctx = requestContext(ctx)
	k, err := a.deps.App.CreateAPIKey(ctx, principalFrom(ctx), req.Id, req.Body.Name, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	out := apiAPIKey(k.APIKey)
	return oapi.CreateApiKey201JSONResponse{
		Id: out.Id, CreditorId: out.CreditorId, Name: out.Name, Prefix: out.Prefix,
		CreatedAt: out.CreatedAt, LastUsedAt: out.LastUsedAt, RevokedAt: out.RevokedAt, Key: k.Secret,
	}, nil
}

func (a *API) RevokeApiKey(ctx context.Context, req oapi.RevokeApiKeyRequestObject) (oapi.RevokeApiKeyResponseObject, error) {
	ctx = requestContext(ctx)
	k, err := a.deps.App.RevokeAPIKey(ctx, principalFrom(ctx), req.Id, metaFrom(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.RevokeApiKey200JSONResponse(apiAPIKey(k)), nil
}

func (a *API) ListAudit(ctx context.Context, req oapi.ListAuditRequestObject) (oapi.ListAuditResponseObject, error) {
	ctx = requestContext(ctx)
	page, err := a.deps.App.ListAudit(ctx, principalFrom(ctx), pageRequest(req.Params.Limit, req.Params.Cursor))
	if err != nil {
		return nil, err
	}
	return oapi.ListAudit200JSONResponse{Items: mapSlice(page.Items, apiAudit), NextCursor: nextCursor(page.NextCursor)}, nil
}

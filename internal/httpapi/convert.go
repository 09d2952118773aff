package httpapi

import (
	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Conversions between domain types and the generated API types. They live
// here so that neither side knows the other's shape.

func apiUser(u recouvra.User) oapi.User {
	return oapi.User{
		Id: u.ID, Email: u.Email, Name: u.Name, Role: oapi.Role(u.Role), CreditorId: u.CreditorID,
		Active: u.Active, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, LastLoginAt: u.LastLoginAt,
	}
}

func apiMe(u recouvra.User) oapi.Me {
	return oapi.Me{Id: u.ID, Email: u.Email, Name: u.Name, Role: oapi.Role(u.Role), CreditorId: u.CreditorID}
}

func apiCreditor(c recouvra.Creditor) oapi.Creditor {
	return oapi.Creditor{Id: c.ID, LegalName: c.LegalName, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func apiAPIKey(k recouvra.APIKey) oapi.APIKey {
	return oapi.APIKey{
		Id: k.ID, CreditorId: k.CreditorID, Name: k.Name, Prefix: k.Prefix,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt,
	}
}

func apiAudit(e recouvra.AuditEntry) oapi.AuditEntry {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	return oapi.AuditEntry{
		Id: e.ID, At: e.At, Action: e.Action, ActorUserId: e.ActorUserID, ActorApiKeyId: e.ActorAPIKeyID,
		Email: e.Email, TargetType: e.TargetType, TargetId: e.TargetID, ClientIp: e.ClientIP, Details: details,
	}
}

// mapSlice converts each item of a slice.
func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// pageRequest turns the common list parameters into an app.PageRequest.
func pageRequest(limit *int, cursor *string) app.PageRequest {
	var r app.PageRequest
	if limit != nil {
		r.Limit = *limit
	}
	if cursor != nil {
		r.Cursor = *cursor
	}
	return r
}

func nextCursor(c string) *string {
	if c == "" {
		return nil
	}
	return &c
}

func uuidPtr(id *openapi_types.UUID) *uuid.UUID {
	if id == nil {
		return nil
	}
	v := uuid.UUID(*id)
	return &v
}

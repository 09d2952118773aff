package httpapi

import (
	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/recouvra"
)

// Conversions between domain types and the generated API types. They live
// here so that neither side knows the other's shape.

// nullOf makes a nullable from a pointer: nil is null.
func nullOf[T any](p *T) nullable.Nullable[T] {
	if p == nil {
		return nullable.NewNullNullable[T]()
	}
	return nullable.NewNullableWithValue(*p)
}

func apiDate(d recouvra.Date) openapi_types.Date { return openapi_types.Date{Time: d.Time()} }

// nullDate: an unset date is null.
func nullDate(d recouvra.Date) nullable.Nullable[openapi_types.Date] {
	if d.IsZero() {
		return nullable.NewNullNullable[openapi_types.Date]()
	}
	return nullable.NewNullableWithValue(apiDate(d))
}

func domainDate(d openapi_types.Date) recouvra.Date {
	return recouvra.NewDate(d.Year(), d.Month(), d.Day())
}

func apiUser(u recouvra.User) oapi.User {
	return oapi.User{
		Id: u.ID, Email: u.Email, Name: u.Name, Role: oapi.Role(u.Role), CreditorId: nullOf(u.CreditorID),
		Active: u.Active, Bar: u.Bar, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, LastLoginAt: nullOf(u.LastLoginAt),
	}
}

func apiMe(u recouvra.User) oapi.Me {
	return oapi.Me{Id: u.ID, Email: u.Email, Name: u.Name, Role: oapi.Role(u.Role), CreditorId: nullOf(u.CreditorID)}
}

func apiAPIKey(k recouvra.APIKey) oapi.APIKey {
	return oapi.APIKey{
		Id: k.ID, CreditorId: k.CreditorID, Name: k.Name, Prefix: k.Prefix,
		CreatedAt: k.CreatedAt, LastUsedAt: nullOf(k.LastUsedAt), RevokedAt: nullOf(k.RevokedAt),
	}
}

func apiAudit(e recouvra.AuditEntry) oapi.AuditEntry {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	return oapi.AuditEntry{
		Id: e.ID, At: e.At, Action: e.Action, ActorUserId: nullOf(e.ActorUserID), ActorApiKeyId: nullOf(e.ActorAPIKeyID),
		Email: e.Email, TargetType: e.TargetType, TargetId: nullOf(e.TargetID), ClientIp: e.ClientIP, Details: details,
	}
}

// orZero is *p, or T's zero value when the parameter is absent.
func orZero[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
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

// Package recouvra is the domain: the words of debt collection as types, their
// rules as methods, and the error codes every layer speaks. It depends on the
// standard library only; adapters (postgres, httpapi) depend on it.
package recouvra

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code is a stable, machine-readable error kind. The HTTP layer maps each
// code to a status in one table; clients may rely on the strings.
type Code string

// Error codes. Adding one means adding its row to the HTTP status table.
const (
	ECodeInvalid          Code = "validation"            // input breaks a rule; Fields says which
	ECodeMalformed        Code = "malformed_request"     // input cannot be read at all (bad JSON)
	ECodeNotFound         Code = "not_found"             // no such object, or not the caller's to see
	ECodeConflict         Code = "conflict"              // clashes with existing state (duplicate, in flight)
	ECodePrecondition     Code = "precondition_failed"   // stale version (If-Match)
	ECodePreconditionReq  Code = "precondition_required" // If-Match missing where a version is needed
	ECodeUnauthorized     Code = "unauthorized"          // no valid principal
	ECodeForbidden        Code = "forbidden"             // principal may not act at all
	ECodeTooManyRequests  Code = "too_many_requests"     // throttled
	ECodeMethodNotAllowed Code = "method_not_allowed"    // route exists, method does not
	ECodeUnavailable      Code = "unavailable"           // a dependency is down
	ECodeTooLarge         Code = "too_large"             // an upload above the size limit
	ECodeUnsupportedMedia Code = "unsupported_media"     // an upload of a type not accepted
	ECodeIntegrity        Code = "integrity"             // stored content no longer matches its hash
	ECodeInternal         Code = "internal"              // a bug or an unexpected failure
)

// FieldError is one broken rule on one input field.
type FieldError struct {
	Field   string // JSON path such as "body.amount_cents"; empty for a whole-object rule
	Code    string // stable, e.g. "required", "guard.open_dispute"
	Message string // for a person, in French
}

// Error is the domain's error: a code, a message for a person and, for
// validation, the field errors. Wrap causes in Err to keep them for logs.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Err     error
	// RetryAfter, for throttling and unavailability, says when to come back.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s %s", f.Field, f.Code)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid builds a validation error from field errors.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Code: ECodeInvalid, Message: message, Fields: fields}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// ECodeInternal for anything else (nil gives "").
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ECodeInternal
}

// ErrorMessage returns the person-readable message of err, hiding the text
// of unexpected errors (they may hold internals).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Une erreur interne est survenue."
}

package httpapi

import (
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/recouvra/recouvra/internal/httpapi/oapi"
)

// The statement of claim written without reflection (issue 18): in
// make bench-reference's profile, encoding/json was the largest single
// cost of GET /cases/{id}/statement beside the minimal handler — a
// twenty-claim statement carries some hundred dates, and each went through
// openapi_types.Date's MarshalJSON (itself a json.Marshal) and then
// encoding/json's check of what it returned. appendStatement writes the
// very bytes encoding/json writes for oapi.Statement: the same fields in
// the same order, the same escaping (HTML characters, U+2028/U+2029,
// invalid UTF-8), null for a nil slice, the trailing newline of
// Encoder.Encode. TestHotJSONMatchesEncodingJSON compares the two on
// random statements, every field filled, and fails when the contract adds
// a field this file does not write.

// statementResponse is GetStatement's 200, written by appendStatement.
type statementResponse oapi.Statement

func (r statementResponse) VisitGetStatementResponse(w http.ResponseWriter) error {
	bp := hotBufs.Get().(*[]byte)
	s := oapi.Statement(r)
	b := append(appendStatement((*bp)[:0], &s), '\n')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	_, err := w.Write(b)
	if cap(b) <= 1<<20 {
		*bp = b
		hotBufs.Put(bp)
	}
	return err
}

// hotBufs holds the buffers responses are written into.
var hotBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func appendStatement(b []byte, s *oapi.Statement) []byte {
	b = append(b, `{"as_of":`...)
	b = appendDate(b, s.AsOf)
	b = append(b, `,"case_id":`...)
	b = appendUUID(b, s.CaseId)
	b = append(b, `,"case_reference":`...)
	b = appendJSONString(b, s.CaseReference)
	b = append(b, `,"claims":`...)
	if s.Claims == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range s.Claims {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendStatementClaim(b, &s.Claims[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"convention":`...)
	b = appendJSONString(b, s.Convention)
	b = append(b, `,"currency":`...)
	b = appendJSONString(b, s.Currency)
	b = append(b, `,"payments":`...)
	if s.Payments == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range s.Payments {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendStatementPayment(b, &s.Payments[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"provisional":`...)
	b = strconv.AppendBool(b, s.Provisional)
	t := &s.Totals
	b = append(b, `,"totals":{"indemnities_cents":`...)
	b = strconv.AppendInt(b, t.IndemnitiesCents, 10)
	b = append(b, `,"indemnities_outstanding_cents":`...)
	b = strconv.AppendInt(b, t.IndemnitiesOutstandingCents, 10)
	b = append(b, `,"indemnities_paid_cents":`...)
	b = strconv.AppendInt(b, t.IndemnitiesPaidCents, 10)
	b = append(b, `,"interest_cents":`...)
	b = strconv.AppendInt(b, t.InterestCents, 10)
	b = append(b, `,"interest_outstanding_cents":`...)
	b = strconv.AppendInt(b, t.InterestOutstandingCents, 10)
	b = append(b, `,"interest_paid_cents":`...)
	b = strconv.AppendInt(b, t.InterestPaidCents, 10)
	b = append(b, `,"paid_cents":`...)
	b = strconv.AppendInt(b, t.PaidCents, 10)
	b = append(b, `,"principal_cents":`...)
	b = strconv.AppendInt(b, t.PrincipalCents, 10)
	b = append(b, `,"principal_outstanding_cents":`...)
	b = strconv.AppendInt(b, t.PrincipalOutstandingCents, 10)
	b = append(b, `,"principal_paid_cents":`...)
	b = strconv.AppendInt(b, t.PrincipalPaidCents, 10)
	b = append(b, `,"total_due_cents":`...)
	b = strconv.AppendInt(b, t.TotalDueCents, 10)
	b = append(b, `,"unapplied_cents":`...)
	b = strconv.AppendInt(b, t.UnappliedCents, 10)
	b = append(b, `},"warnings":`...)
	if s.Warnings == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, w := range s.Warnings {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, w)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendStatementClaim(b []byte, c *oapi.StatementClaim) []byte {
	b = append(b, `{"claim_id":`...)
	b = appendUUID(b, c.ClaimId)
	b = append(b, `,"credited_cents":`...)
	b = strconv.AppendInt(b, c.CreditedCents, 10)
	b = append(b, `,"due_on":`...)
	b = appendDate(b, c.DueOn)
	b = append(b, `,"indemnity_cents":`...)
	b = strconv.AppendInt(b, c.IndemnityCents, 10)
	b = append(b, `,"indemnity_outstanding_cents":`...)
	b = strconv.AppendInt(b, c.IndemnityOutstandingCents, 10)
	b = append(b, `,"indemnity_paid_cents":`...)
	b = strconv.AppendInt(b, c.IndemnityPaidCents, 10)
	b = append(b, `,"interest_cents":`...)
	b = strconv.AppendInt(b, c.InterestCents, 10)
	b = append(b, `,"interest_lines":`...)
	if c.InterestLines == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range c.InterestLines {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendInterestLine(b, &c.InterestLines[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"interest_outstanding_cents":`...)
	b = strconv.AppendInt(b, c.InterestOutstandingCents, 10)
	b = append(b, `,"interest_paid_cents":`...)
	b = strconv.AppendInt(b, c.InterestPaidCents, 10)
	b = append(b, `,"invoice_number":`...)
	b = appendJSONString(b, c.InvoiceNumber)
	b = append(b, `,"issued_on":`...)
	b = appendDate(b, c.IssuedOn)
	b = append(b, `,"principal_cents":`...)
	b = strconv.AppendInt(b, c.PrincipalCents, 10)
	b = append(b, `,"principal_outstanding_cents":`...)
	b = strconv.AppendInt(b, c.PrincipalOutstandingCents, 10)
	b = append(b, `,"principal_paid_cents":`...)
	b = strconv.AppendInt(b, c.PrincipalPaidCents, 10)
	b = append(b, `,"rate_note":`...)
	b = appendJSONString(b, c.RateNote)
	b = append(b, `,"regime":`...)
	b = appendJSONString(b, string(c.Regime))
	b = append(b, `,"time_bar_on":`...)
	b = appendDate(b, c.TimeBarOn)
	return append(b, '}')
}

func appendInterestLine(b []byte, l *oapi.InterestLine) []byte {
	b = append(b, `{"amount_cents":`...)
	b = strconv.AppendInt(b, l.AmountCents, 10)
	b = append(b, `,"base_cents":`...)
	b = strconv.AppendInt(b, l.BaseCents, 10)
	b = append(b, `,"days":`...)
	b = strconv.AppendInt(b, int64(l.Days), 10)
	b = append(b, `,"from":`...)
	b = appendDate(b, l.From)
	b = append(b, `,"provisional":`...)
	b = strconv.AppendBool(b, l.Provisional)
	b = append(b, `,"rate_bps":`...)
	b = strconv.AppendInt(b, l.RateBps, 10)
	b = append(b, `,"rate_source":`...)
	b = appendJSONString(b, l.RateSource)
	b = append(b, `,"to":`...)
	b = appendDate(b, l.To)
	return append(b, '}')
}

func appendStatementPayment(b []byte, p *oapi.StatementPayment) []byte {
	b = append(b, `{"allocations":`...)
	if p.Allocations == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range p.Allocations {
			if i > 0 {
				b = append(b, ',')
			}
			a := &p.Allocations[i]
			b = append(b, `{"claim_id":`...)
			b = appendUUID(b, a.ClaimId)
			b = append(b, `,"indemnity_cents":`...)
			b = strconv.AppendInt(b, a.IndemnityCents, 10)
			b = append(b, `,"interest_cents":`...)
			b = strconv.AppendInt(b, a.InterestCents, 10)
			b = append(b, `,"invoice_number":`...)
			b = appendJSONString(b, a.InvoiceNumber)
			b = append(b, `,"principal_cents":`...)
			b = strconv.AppendInt(b, a.PrincipalCents, 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"amount_cents":`...)
	b = strconv.AppendInt(b, p.AmountCents, 10)
	b = append(b, `,"method":`...)
	b = appendJSONString(b, p.Method)
	b = append(b, `,"payment_id":`...)
	b = appendUUID(b, p.PaymentId)
	b = append(b, `,"receipt_number":`...)
	b = appendJSONString(b, p.ReceiptNumber)
	b = append(b, `,"received_on":`...)
	b = appendDate(b, p.ReceivedOn)
	b = append(b, `,"unapplied_cents":`...)
	b = strconv.AppendInt(b, p.UnappliedCents, 10)
	return append(b, '}')
}

// appendDate writes what openapi_types.Date's MarshalJSON writes.
func appendDate(b []byte, d openapi_types.Date) []byte {
	b = append(b, '"')
	b = d.Time.AppendFormat(b, openapi_types.DateFormat)
	return append(b, '"')
}

// appendUUID writes a uuid as its MarshalText, quoted.
func appendUUID(b []byte, u uuid.UUID) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[x>>4], hexDigits[x&0xf])
	}
	return append(b, '"')
}

// appendJSONString writes s as encoding/json does with HTML escaping on
// (its default): the same escapes, U+2028 and U+2029 escaped, each byte of
// invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // other control characters, and < > &
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

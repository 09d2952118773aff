package ident

// Kinds of identifier, for Error.Kind.
const (
	KindSIREN = "siren"
	KindSIRET = "siret"
	KindVAT   = "vat"
	KindIBAN  = "iban"
)

// Codes of the broken rule, for Error.Code. They are stable: callers may
// store them or map them to their own field-error codes.
const (
	CodeEmpty      = "empty"      // nothing left once separators are removed
	CodeCharacters = "characters" // a character that is neither a letter, a digit nor a separator
	CodeDigits     = "digits"     // a non-digit where only digits are allowed
	CodeLength     = "length"     // wrong number of characters
	CodeChecksum   = "checksum"   // Luhn, VAT key or IBAN check digits do not match
	CodeSIREN      = "siren"      // the SIREN inside a SIRET or VAT number is invalid
	CodeCountry    = "country"    // IBAN or VAT country code missing, unknown or not supported
	CodeFormat     = "format"     // the structure is wrong (IBAN check digits not digits)
	CodeAlphaKey   = "alpha_key"  // French VAT number with an alphanumeric key, not supported
)

// Error says why a value is not a valid identifier.
type Error struct {
	Kind string // KindSIREN, KindSIRET, KindVAT or KindIBAN
	Code string // one of the Code constants
	Msg  string // in French, for a person; never repeats the submitted value
}

// Error returns the French message.
func (e *Error) Error() string { return e.Msg }

func newError(kind, code, msg string) *Error {
	return &Error{Kind: kind, Code: code, Msg: msg}
}

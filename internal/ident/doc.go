// Package ident parses, normalises and validates the identifiers a debt
// collector meets on every file: French business numbers (SIREN, SIRET,
// intra-community VAT number) and bank account numbers (IBAN). It depends on
// the standard library only.
//
// Each identifier is a string type holding the normalised form, and is only
// meant to be built by its Parse function (or VATFromSIREN): a value of type
// SIREN, SIRET, VAT or IBAN obtained that way is valid. Converting an
// arbitrary string to one of these types bypasses validation; methods on such
// values do not panic but return "" where they cannot answer.
//
// # Rules
//
// SIREN (INSEE, company number): exactly 9 digits whose Luhn sum is a multiple
// of 10.
//
// SIRET (INSEE, establishment number): exactly 14 digits, the SIREN followed by
// the 5-digit NIC. The SIREN part must be a valid SIREN and the 14 digits must
// pass the Luhn check. Exception: establishments of La Poste (SIREN
// 356000000) were numbered with another rule — their SIRET is also valid when
// the sum of its 14 digits is a multiple of 5 (so 356 000 000 24221, digit sum
// 25, is valid though it fails Luhn). The SIREN 356000000 itself, and La
// Poste's head office SIRET 356 000 000 00048, pass Luhn normally.
//
// French VAT number (numéro de TVA intracommunautaire): "FR", a 2-digit key,
// then the SIREN, with
//
//	key = (12 + 3 × (SIREN mod 97)) mod 97
//
// and the SIREN must itself be valid. Only this numeric-key form, the one
// given to every company with a SIREN, is accepted; the rare alphanumeric
// keys (used for some entities without a SIREN) are reported with code
// CodeAlphaKey. Other countries' VAT numbers are refused with code
// CodeCountry.
//
// IBAN (ISO 13616): a 2-letter country code, 2 check digits, then the BBAN.
// The length must be the one the SWIFT IBAN registry gives for the country
// (the table covers the whole registry, hence every SEPA country; French
// overseas territories use FR, Crown dependencies GB, Åland FI); an unknown
// country is invalid. Moving the first four characters to the end and
// replacing each letter by its value (A=10 … Z=35) must give a number whose
// remainder modulo 97 is 1 (ISO 7064 MOD 97-10). Check digits 00, 01 and 99
// are refused even when that remainder is 1: MOD 97-10 only ever produces 02
// to 98, so they can only come from an error. The structure of the BBAN
// itself (bank code, national key such as the French clé RIB) is not checked.
//
// # Normalisation
//
// Before checking, every Parse function removes the separators people type or
// paste: white space of any kind (including the no-break space U+00A0 and the
// narrow no-break space U+202F that French typography and word processors
// insert), the invisible zero-width space U+200B, word joiner U+2060 and byte
// order mark U+FEFF, dots, hyphens (ASCII '-' and U+2010 to U+2013), and
// upper-cases ASCII letters. Anything else is refused, never dropped: a letter
// in a SIREN, a slash in an IBAN or a non-ASCII digit is an error. The stored
// form has no separator at all; IBAN.Format, SIREN.Format and SIRET.Format
// give the grouped forms for display.
//
// # Errors
//
// Parse functions return an *Error with a Kind (which identifier), a stable
// Code (which rule broke) and a French message for a person, so callers can
// turn it into a field error. Messages never repeat the submitted value (at
// most the one character refused).
package ident

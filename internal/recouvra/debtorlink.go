package recouvra

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/recouvra/recouvra/internal/ident"
)

// DebtorTokenBytes is the entropy of a debtor link's token: 128 bits.
const DebtorTokenBytes = 16

// debtorTokenLen is the token's length in lower-case base32 without padding.
var debtorTokenLen = base32.StdEncoding.WithPadding(base32.NoPadding).EncodedLen(DebtorTokenBytes)

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// DebtorToken derives the capability token of a case's debtor page: the
// first 128 bits of HMAC-SHA-256(secret, "recouvra/debtor-link" ‖ case id ‖
// version), in lower-case base32 (26 characters, easy to type from a
// letter: no 0/1/8/9, no case). Nothing secret is stored: the same secret,
// case and version always give the same token, so a letter produced again
// prints the same link; a new version (the link issued again) gives another.
func DebtorToken(secret []byte, caseID uuid.UUID, version int) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("recouvra/debtor-link"))
	m.Write(caseID[:])
	var v [4]byte
	binary.BigEndian.PutUint32(v[:], uint32(version))
	m.Write(v[:])
	return tokenEncoding.EncodeToString(m.Sum(nil)[:DebtorTokenBytes])
}

// NormalizeDebtorToken lower-cases a token read from a URL and checks its
// shape; ok is false for anything that cannot be a token.
func NormalizeDebtorToken(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != debtorTokenLen {
		return "", false
	}
	b, err := tokenEncoding.DecodeString(s)
	if err != nil || tokenEncoding.EncodeToString(b) != s { // canonical only: the last character's spare bits are zero
		return "", false
	}
	return s, true
}

// HashDebtorToken is what is stored of a token: its SHA-256.
func HashDebtorToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// EPC QR code (EPC069-12 "Quick Response Code: guidelines to enable data
// capture for the initiation of a SEPA credit transfer", version 002):
// lines separated by LF — service tag BCD, version 002, character set 1
// (UTF-8), identification SCT, the beneficiary's BIC (optional in version
// 002), name (70 characters at most), IBAN, amount "EUR" with at most two
// decimals (0.01 to 999 999 999.99), purpose (empty), then the structured
// remittance reference (an ISO 11649 RF reference here); the unstructured
// text and the note to the payer stay empty and are left off.
const (
	epcMaxName  = 70
	epcMaxCents = 99_999_999_999
)

// EPCPayload builds the text of an EPC QR code asking for a SEPA credit
// transfer of cents euro cents to the account iban (bic may be empty)
// held by name, quoting the structured reference rf.
func EPCPayload(bic, name, iban string, cents int64, rf string) (string, error) {
	acct, err := ident.ParseIBAN(iban)
	if err != nil {
		return "", fmt.Errorf("epc: IBAN: %w", err)
	}
	ref, err := ident.ParseRF(rf)
	if err != nil {
		return "", fmt.Errorf("epc: reference: %w", err)
	}
	bic = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(bic), " ", ""))
	if bic != "" && len(bic) != 8 && len(bic) != 11 {
		return "", fmt.Errorf("epc: BIC %q is neither 8 nor 11 characters", bic)
	}
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return "", fmt.Errorf("epc: the beneficiary's name is empty")
	}
	if utf8.RuneCountInString(name) > epcMaxName {
		name = string([]rune(name)[:epcMaxName])
	}
	if cents < 1 || cents > epcMaxCents {
		return "", fmt.Errorf("epc: amount %d cents out of 0.01–999999999.99 EUR", cents)
	}
	lines := []string{"BCD", "002", "1", "SCT", bic, name, string(acct),
		fmt.Sprintf("EUR%d.%02d", cents/100, cents%100), "", string(ref)}
	return strings.Join(lines, "\n"), nil
}

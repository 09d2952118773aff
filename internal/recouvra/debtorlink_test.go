package recouvra

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestDebtorTokenDerivation(t *testing.T) {
	secret := []byte("a secret of at least thirty-two characters")
	a, b := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	t1 := DebtorToken(secret, a, 1)
	if t1 != DebtorToken(secret, a, 1) {
		t.Fatal("the same secret, case and version must give the same token")
	}
	if len(t1) != 26 {
		t.Fatalf("token %q: %d characters, want 26 (128 bits in base32)", t1, len(t1))
	}
	for _, other := range []string{DebtorToken(secret, a, 2), DebtorToken(secret, b, 1), DebtorToken([]byte("another secret, also long enough!!"), a, 1)} {
		if other == t1 {
			t.Fatalf("distinct inputs gave the same token %q", t1)
		}
	}
	if n, ok := NormalizeDebtorToken(" " + strings.ToUpper(t1) + " "); !ok || n != t1 {
		t.Fatalf("normalize %q: %q %v", t1, n, ok)
	}
	for _, bad := range []string{"", "abc", t1 + "a", t1[:25] + "1", t1[:25] + "!", t1[:25] + "b", "../../../../etc/passwd/xxxx"} {
		if _, ok := NormalizeDebtorToken(bad); ok {
			t.Errorf("%q accepted as a token", bad)
		}
	}
	if h := HashDebtorToken(t1); len(h) != 32 || string(h) == t1 {
		t.Fatal("the stored hash is SHA-256, never the token")
	}
}

func TestEPCPayload(t *testing.T) {
	got, err := EPCPayload("bnpa frpp xxx", "Agence Recouvra SAS", "FR76 3000 4000 0312 3456 7890 143", 123456, "RF18 5390 0754 7034")
	if err != nil {
		t.Fatal(err)
	}
	want := "BCD\n002\n1\nSCT\nBNPAFRPPXXX\nAgence Recouvra SAS\nFR7630004000031234567890143\nEUR1234.56\n\nRF18539007547034"
	if got != want {
		t.Fatalf("payload\n%q\nwant\n%q", got, want)
	}
	// Version 002 lets the BIC out inside the EEA.
	if got, err := EPCPayload("", "A", "FR7630004000031234567890143", 5, "RF18539007547034"); err != nil || !strings.Contains(got, "SCT\n\nA\n") || !strings.Contains(got, "EUR0.05") {
		t.Fatalf("without BIC: %q %v", got, err)
	}
	long := strings.Repeat("é", 80)
	if got, err := EPCPayload("", long, "FR7630004000031234567890143", 100, "RF18539007547034"); err != nil || strings.Count(got, "é") != 70 {
		t.Fatalf("the name is cut to 70 characters: %v", err)
	}
	for name, call := range map[string]func() (string, error){
		"bad IBAN": func() (string, error) {
			return EPCPayload("", "A", "FR7630004000031234567890144", 100, "RF18539007547034")
		},
		"bad RF": func() (string, error) {
			return EPCPayload("", "A", "FR7630004000031234567890143", 100, "RF19539007547034")
		},
		"zero": func() (string, error) {
			return EPCPayload("", "A", "FR7630004000031234567890143", 0, "RF18539007547034")
		},
		"too much": func() (string, error) {
			return EPCPayload("", "A", "FR7630004000031234567890143", 100_000_000_000, "RF18539007547034")
		},
		"no name": func() (string, error) {
			return EPCPayload("", " ", "FR7630004000031234567890143", 100, "RF18539007547034")
		},
		"short BIC": func() (string, error) {
			return EPCPayload("BNPA", "A", "FR7630004000031234567890143", 100, "RF18539007547034")
		},
	} {
		if _, err := call(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

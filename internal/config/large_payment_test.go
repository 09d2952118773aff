package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/config"
)

// TestLargePaymentCents: 10 000,00 € by default, set by
// RECOUVRA_LARGE_PAYMENT_CENTS or the example file's large_payment_cents,
// refused when not a positive number of cents, with the key named.
func TestLargePaymentCents(t *testing.T) {
	if cfg, err := config.Load(nil, noFile); err != nil || cfg.LargePaymentCents != 1_000_000 {
		t.Fatalf("default %d (%v)", cfg.LargePaymentCents, err)
	}
	if cfg, err := config.Load([]string{"RECOUVRA_LARGE_PAYMENT_CENTS=250000"}, noFile); err != nil || cfg.LargePaymentCents != 250_000 {
		t.Fatalf("env %d (%v)", cfg.LargePaymentCents, err)
	}
	example, err := os.ReadFile("../../configs/recouvra.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(example), "large_payment_cents: 1000000", "large_payment_cents: 500000", 1)
	if edited == string(example) {
		t.Fatal("the example file does not list large_payment_cents: 1000000")
	}
	if cfg, err := config.Load([]string{"RECOUVRA_CONFIG=example.yaml"}, func(string) ([]byte, error) { return []byte(edited), nil }); err != nil || cfg.LargePaymentCents != 500_000 {
		t.Fatalf("file %d (%v)", cfg.LargePaymentCents, err)
	}
	for _, bad := range []string{"0", "-5", "12,50", "1e6", "100000000001"} {
		if _, err := config.Load([]string{"RECOUVRA_LARGE_PAYMENT_CENTS=" + bad}, noFile); err == nil || !strings.Contains(err.Error(), "RECOUVRA_LARGE_PAYMENT_CENTS") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/config"
)

// TestUrgentDays: a week by default, set by RECOUVRA_URGENT_DAYS or the
// example file's urgent_days, refused outside 0..365 with the key named.
func TestUrgentDays(t *testing.T) {
	none := noFile
	if cfg, err := config.Load(nil, none); err != nil || cfg.UrgentDays != 7 {
		t.Fatalf("default %d (%v)", cfg.UrgentDays, err)
	}
	if cfg, err := config.Load([]string{"RECOUVRA_URGENT_DAYS=3"}, none); err != nil || cfg.UrgentDays != 3 {
		t.Fatalf("env %d (%v)", cfg.UrgentDays, err)
	}
	example, err := os.ReadFile("../../configs/recouvra.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(example), "urgent_days: 7", "urgent_days: 12", 1)
	if cfg, err := config.Load([]string{"RECOUVRA_CONFIG=example.yaml"}, func(string) ([]byte, error) { return []byte(edited), nil }); err != nil || cfg.UrgentDays != 12 {
		t.Fatalf("file %d (%v)", cfg.UrgentDays, err)
	}
	if _, err := config.Load([]string{"RECOUVRA_URGENT_DAYS=400"}, none); err == nil || !strings.Contains(err.Error(), "RECOUVRA_URGENT_DAYS") {
		t.Fatalf("400 days: %v", err)
	}
}

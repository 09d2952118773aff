package config_test

import (
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/config"
)

func TestDeadlineMarginDays(t *testing.T) {
	cfg, err := config.Load(nil, noFile)
	if err != nil || cfg.DeadlineMarginDays != 5 {
		t.Fatalf("default: %d, %v", cfg.DeadlineMarginDays, err)
	}
	if cfg, err = config.Load([]string{"RECOUVRA_DEADLINE_MARGIN_DAYS=10"}, noFile); err != nil || cfg.DeadlineMarginDays != 10 {
		t.Fatalf("from the environment: %d, %v", cfg.DeadlineMarginDays, err)
	}
	if cfg, err = config.Load(nil, files(map[string]string{config.DefaultFile: "deadline_margin_days: 0\n"})); err != nil || cfg.DeadlineMarginDays != 0 {
		t.Fatalf("from the file, 0 allowed: %d, %v", cfg.DeadlineMarginDays, err)
	}
	for _, bad := range []string{"-1", "91", "five"} {
		if _, err := config.Load([]string{"RECOUVRA_DEADLINE_MARGIN_DAYS=" + bad}, noFile); err == nil || !strings.Contains(err.Error(), "RECOUVRA_DEADLINE_MARGIN_DAYS") {
			t.Errorf("%s: want an error naming the variable, got %v", bad, err)
		}
	}
}

package config_test

import (
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/config"
)

func TestPromiseGraceDays(t *testing.T) {
	cfg, err := config.Load(nil, noFile)
	if err != nil || cfg.PromiseGraceDays != 3 {
		t.Fatalf("default: %d, %v", cfg.PromiseGraceDays, err)
	}
	if cfg, err = config.Load([]string{"RECOUVRA_PROMISE_GRACE_DAYS=7"}, noFile); err != nil || cfg.PromiseGraceDays != 7 {
		t.Fatalf("from the environment: %d, %v", cfg.PromiseGraceDays, err)
	}
	if cfg, err = config.Load(nil, files(map[string]string{config.DefaultFile: "promise_grace_days: 0\n"})); err != nil || cfg.PromiseGraceDays != 0 {
		t.Fatalf("from the file, 0 allowed: %d, %v", cfg.PromiseGraceDays, err)
	}
	for _, bad := range []string{"-1", "61", "trois"} {
		if _, err := config.Load([]string{"RECOUVRA_PROMISE_GRACE_DAYS=" + bad}, noFile); err == nil || !strings.Contains(err.Error(), "RECOUVRA_PROMISE_GRACE_DAYS") {
			t.Errorf("%s: want an error naming the variable, got %v", bad, err)
		}
	}
}

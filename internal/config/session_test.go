package config_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/config"
)

// TestSessionIdleMinutes: 30 by default, set by RECOUVRA_SESSION_IDLE_MINUTES
// or the example file's session_idle_minutes, refused outside 1..1440 with
// the variable named; the cookie is Secure unless turned off.
func TestSessionIdleMinutes(t *testing.T) {
	if cfg, err := config.Load(nil, noFile); err != nil || cfg.SessionIdle != 30*time.Minute || !cfg.SessionCookieSecure {
		t.Fatalf("default %v, secure %v (%v)", cfg.SessionIdle, cfg.SessionCookieSecure, err)
	}
	if cfg, err := config.Load([]string{"RECOUVRA_SESSION_IDLE_MINUTES=5", "RECOUVRA_SESSION_COOKIE_SECURE=false"}, noFile); err != nil || cfg.SessionIdle != 5*time.Minute || cfg.SessionCookieSecure {
		t.Fatalf("env %v, secure %v (%v)", cfg.SessionIdle, cfg.SessionCookieSecure, err)
	}
	example, err := os.ReadFile("../../configs/recouvra.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(example), "session_idle_minutes: 30", "session_idle_minutes: 45", 1)
	if cfg, err := config.Load([]string{"RECOUVRA_CONFIG=example.yaml"}, func(string) ([]byte, error) { return []byte(edited), nil }); err != nil || cfg.SessionIdle != 45*time.Minute {
		t.Fatalf("file %v (%v)", cfg.SessionIdle, err)
	}
	for _, bad := range []string{"0", "1441", "-3", "demi-heure", "1.5"} {
		if _, err := config.Load([]string{"RECOUVRA_SESSION_IDLE_MINUTES=" + bad}, noFile); err == nil || !strings.Contains(err.Error(), "RECOUVRA_SESSION_IDLE_MINUTES") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := config.Load([]string{"RECOUVRA_SESSION_COOKIE_SECURE=peut-être"}, noFile); err == nil || !strings.Contains(err.Error(), "RECOUVRA_SESSION_COOKIE_SECURE") {
		t.Errorf("secure: %v", err)
	}
}

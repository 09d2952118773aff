package config_test

import (
	"io/fs"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/recouvra/recouvra/internal/config"
)

func noFile(string) ([]byte, error) { return nil, fs.ErrNotExist }

func files(m map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if s, ok := m[p]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := config.Load(nil, noFile)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:8080" || cfg.DataDir != "./.data" || cfg.DatabaseURL != "" ||
		cfg.LogLevel != slog.LevelInfo || !cfg.MigrateOnStart || cfg.ShutdownTimeout != 15*time.Second {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
}

func TestEnvironmentOverridesFile(t *testing.T) {
	read := files(map[string]string{config.DefaultFile: "http_addr: 0.0.0.0:9000\nlog_level: debug\ndata_dir: /srv/recouvra\n"})
	cfg, err := config.Load([]string{"RECOUVRA_HTTP_ADDR=127.0.0.1:0", "PATH=/bin", "RECOUVRA_PASSWORD=x"}, read)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:0" {
		t.Errorf("env should win over file, got %q", cfg.HTTPAddr)
	}
	if cfg.LogLevel != slog.LevelDebug || cfg.DataDir != "/srv/recouvra" {
		t.Errorf("file values not applied: %+v", cfg)
	}
}

func TestExplicitFile(t *testing.T) {
	read := files(map[string]string{"/etc/r.yaml": "database_url: postgres://u@db/recouvra\n"})
	cfg, err := config.Load([]string{"RECOUVRA_CONFIG=/etc/r.yaml"}, read)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DatabaseURL != "postgres://u@db/recouvra" {
		t.Fatalf("got %q", cfg.DatabaseURL)
	}
	// An explicit file that does not exist is an error; the default one is optional.
	if _, err := config.Load([]string{"RECOUVRA_CONFIG=/nope.yaml"}, read); err == nil || !strings.Contains(err.Error(), "RECOUVRA_CONFIG") {
		t.Fatalf("want an error naming RECOUVRA_CONFIG, got %v", err)
	}
}

func TestBadValuesNameTheKey(t *testing.T) {
	cases := []struct {
		env     []string
		file    string
		wantKey string
	}{
		{env: []string{"RECOUVRA_HTTP_ADDR=8080"}, wantKey: "RECOUVRA_HTTP_ADDR"},
		{env: []string{"RECOUVRA_HTTP_ADDR=localhost:99999"}, wantKey: "RECOUVRA_HTTP_ADDR"},
		{env: []string{"RECOUVRA_LOG_LEVEL=loud"}, wantKey: "RECOUVRA_LOG_LEVEL"},
		{env: []string{"RECOUVRA_DATABASE_URL=mysql://x"}, wantKey: "RECOUVRA_DATABASE_URL"},
		{env: []string{"RECOUVRA_MIGRATE_ON_START=perhaps"}, wantKey: "RECOUVRA_MIGRATE_ON_START"},
		{env: []string{"RECOUVRA_SHUTDOWN_TIMEOUT=soon"}, wantKey: "RECOUVRA_SHUTDOWN_TIMEOUT"},
		{env: []string{"RECOUVRA_DB_MAX_CONNS=0"}, wantKey: "RECOUVRA_DB_MAX_CONNS"},
		{env: []string{"RECOUVRA_HTTP_ADRESS=127.0.0.1:1"}, wantKey: "RECOUVRA_HTTP_ADRESS"},
		{file: "htp_addr: 1\n", wantKey: `"htp_addr"`},
		{file: "log_level: [a, b]\n", wantKey: "log_level"},
		{file: "log_level: verbose\n", wantKey: "log_level"},
		{file: "{{{", wantKey: config.DefaultFile},
	}
	for _, tc := range cases {
		read := noFile
		if tc.file != "" {
			read = files(map[string]string{config.DefaultFile: tc.file})
		}
		_, err := config.Load(tc.env, read)
		if err == nil {
			t.Errorf("%v %q: want an error", tc.env, tc.file)
			continue
		}
		if !strings.Contains(err.Error(), tc.wantKey) {
			t.Errorf("%v %q: error %q does not name %s", tc.env, tc.file, err, tc.wantKey)
		}
	}
}

func TestEmptyFileIsAccepted(t *testing.T) {
	if _, err := config.Load(nil, files(map[string]string{config.DefaultFile: ""})); err != nil {
		t.Fatal(err)
	}
}

func TestBodyAndRateLimits(t *testing.T) {
	cfg, err := config.Load(nil, noFile)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxBodyBytes != 1<<20 || cfg.RateLimit != 50 || cfg.RateBurst != 500 {
		t.Fatalf("defaults: %d %v %d", cfg.MaxBodyBytes, cfg.RateLimit, cfg.RateBurst)
	}
	cfg, err = config.Load([]string{"RECOUVRA_MAX_BODY_BYTES=65536", "RECOUVRA_RATE_LIMIT=2.5", "RECOUVRA_RATE_BURST=10"}, noFile)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxBodyBytes != 65536 || cfg.RateLimit != 2.5 || cfg.RateBurst != 10 {
		t.Fatalf("from the environment: %d %v %d", cfg.MaxBodyBytes, cfg.RateLimit, cfg.RateBurst)
	}
	if cfg, err = config.Load([]string{"RECOUVRA_RATE_LIMIT=0"}, noFile); err != nil || cfg.RateLimit != 0 {
		t.Fatalf("0 turns the limit off: %v %v", cfg.RateLimit, err)
	}
	for _, bad := range []string{"RECOUVRA_MAX_BODY_BYTES=10", "RECOUVRA_RATE_LIMIT=-1", "RECOUVRA_RATE_LIMIT=NaN", "RECOUVRA_RATE_BURST=0"} {
		if _, err := config.Load([]string{bad}, noFile); err == nil || !strings.Contains(err.Error(), strings.Split(bad, "=")[0]) {
			t.Errorf("%s: want an error naming the variable, got %v", bad, err)
		}
	}
}

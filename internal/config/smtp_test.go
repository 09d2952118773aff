package config_test

import (
	"strings"
	"testing"

	"github.com/recouvra/recouvra/internal/config"
)

func TestSMTPURL(t *testing.T) {
	cfg, err := config.Load([]string{"RECOUVRA_SMTP_URL=smtps://relances%40agence.fr:s3cr%3At@smtp.agence.fr", "RECOUVRA_MAIL_FROM=relances@agence.fr"}, noFile)
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.SMTP; s.Host != "smtp.agence.fr" || s.Port != 465 || !s.Implicit || s.Username != "relances@agence.fr" || s.Password != "s3cr:t" || cfg.MailFrom != "relances@agence.fr" {
		t.Fatalf("%+v %q", s, cfg.MailFrom)
	}
	cfg, err = config.Load([]string{"RECOUVRA_SMTP_URL=smtp://127.0.0.1:1025"}, noFile)
	if err != nil || cfg.SMTP.Host != "127.0.0.1" || cfg.SMTP.Port != 1025 || cfg.SMTP.Implicit || cfg.SMTP.Username != "" {
		t.Fatalf("%+v %v", cfg.SMTP, err)
	}
	if cfg, err := config.Load([]string{"RECOUVRA_SMTP_URL=smtp://mail.example.fr"}, noFile); err != nil || cfg.SMTP.Port != 587 {
		t.Fatalf("default port: %+v %v", cfg.SMTP, err)
	}
	if cfg, err := config.Load(nil, noFile); err != nil || cfg.SMTP.Host != "" || cfg.MailFrom != "" {
		t.Fatalf("unset: %+v %v", cfg.SMTP, err)
	}
	for _, bad := range []string{"http://mail.example.fr", "smtp://", "smtp://mail.example.fr:0", "smtp://mail.example.fr:70000",
		"smtp://mail.example.fr/inbox", "smtp://mail.example.fr?tls=no", "mail.example.fr:25", "smtp://mail.example.fr:port"} {
		if _, err := config.Load([]string{"RECOUVRA_SMTP_URL=" + bad}, noFile); err == nil || !strings.Contains(err.Error(), "RECOUVRA_SMTP_URL") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := config.Load([]string{"RECOUVRA_MAIL_FROM=Agence <relances@agence.fr>"}, noFile); err == nil || !strings.Contains(err.Error(), "RECOUVRA_MAIL_FROM") {
		t.Errorf("mail_from with a name: %v", err)
	}
}

func TestBlobURL(t *testing.T) {
	cfg, err := config.Load([]string{"RECOUVRA_BLOB_URL=s3://AKIA:secret@s3.fr-par.scw.cloud/recouvra/prod"}, noFile)
	if err != nil || cfg.BlobURL != "s3://AKIA:secret@s3.fr-par.scw.cloud/recouvra/prod" {
		t.Fatalf("%q %v", cfg.BlobURL, err)
	}
	if cfg, err := config.Load(nil, noFile); err != nil || cfg.BlobURL != "" {
		t.Fatalf("unset: %q %v", cfg.BlobURL, err)
	}
	for _, bad := range []string{"https://s3.amazonaws.com/b", "/var/lib/recouvra", "file:///srv/docs"} {
		if _, err := config.Load([]string{"RECOUVRA_BLOB_URL=" + bad}, noFile); err == nil || !strings.Contains(err.Error(), "RECOUVRA_BLOB_URL") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

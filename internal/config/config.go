// Package config holds Recouvra's runtime configuration: one struct, filled
// from an optional YAML file and then from RECOUVRA_* environment variables,
// validated once at start and passed explicitly to whatever needs it.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/recouvra/recouvra/internal/recouvra"
)

// EnvPrefix prefixes every environment variable Recouvra reads.
const EnvPrefix = "RECOUVRA_"

// DefaultFile is read when RECOUVRA_CONFIG is unset and the file exists.
const DefaultFile = "configs/recouvra.yaml"

// Config is the whole runtime configuration.
type Config struct {
	// DatabaseURL is a PostgreSQL connection URL. Empty means: start or reuse
	// a private development cluster under DataDir/postgres.
	DatabaseURL string
	// HTTPAddr is the listen address of the HTTP server (host:port; port 0
	// picks a free port).
	HTTPAddr string
	// DataDir holds local state: the private cluster, stored documents.
	DataDir string
	// LogLevel is the minimum level of structured logs.
	LogLevel slog.Level
	// MigrateOnStart applies pending migrations when `serve` starts.
	MigrateOnStart bool
	// ShutdownTimeout bounds how long in-flight requests may run after
	// SIGINT/SIGTERM before the server closes them.
	ShutdownTimeout time.Duration
	// DBMaxConns is the size of the pgx connection pool.
	DBMaxConns int32
	// SessionTTL is how long a sign-in token stays valid.
	SessionTTL time.Duration
	// SessionIdle ends a web-app session after this long without activity
	// (the app warns two minutes before). Configured in minutes; a
	// duration so that tests can run the whole cycle in seconds.
	SessionIdle time.Duration
	// SessionCookieSecure marks the web app's session cookie Secure (named
	// __Host-recouvra_session): browsers then send it over HTTPS only, and
	// to http://localhost or 127.0.0.1. Turn it off only to serve plain
	// HTTP on another host name.
	SessionCookieSecure bool
	// LoginMaxFailures failed sign-ins within LoginFailureWindow, for one
	// account or from one address, make further attempts wait (429).
	LoginMaxFailures   int
	LoginFailureWindow time.Duration
	// QueueLease is how long a case handed out by "next case" stays with
	// its agent.
	QueueLease time.Duration
	// Agency is the agency's identity printed on documents, and the account
	// for creditors' funds that letters tell debtors to pay into.
	Agency Agency
	// MaxUploadBytes bounds an uploaded attachment.
	MaxUploadBytes int64
	// MaxBodyBytes bounds every other request body (JSON, forms): larger
	// ones are refused with 413 before they are read.
	MaxBodyBytes int64
	// RateLimit is how many API requests per second one caller (a user, an
	// API key, or an address when anonymous) may make, with bursts of
	// RateBurst; 0 turns the limit off.
	RateLimit float64
	RateBurst int
	// StreamsPerPrincipal bounds the live event streams one user or API
	// key may have open on one server process (429 beyond); 0: no limit.
	StreamsPerPrincipal int
	// UrgentDays: a docket case whose nearest legal deadline falls within
	// this many days is urgent (a week by default, so "urgent" stays rare).
	UrgentDays int
	// DeadlineMarginDays: beside each legal deadline, the agency's internal
	// target this many days earlier (on a working day), so work is done
	// before the last day the law allows.
	DeadlineMarginDays int
	// PromiseGraceDays: a promise to pay is still kept by payments received
	// this many days after its due date; broken the day after.
	PromiseGraceDays int
	// StrategyMinutes: how often the collection strategies' engine passes
	// (app.RunStrategies); 0 turns the engine off.
	StrategyMinutes int
	// StrategyNightlyAt: the minute of the day (UTC) of the engine's
	// nightly full pass (app.RunNightlyStrategies); -1 turns it off.
	StrategyNightlyAt int
	// RemittanceDay: from this day of the month the monthly job draws up
	// and books, once, the remittance run of the month just ended for every
	// creditor; 0 (the default) leaves remittances to the admin.
	RemittanceDay int
	// LargePaymentCents: the web app asks for confirmation, showing the
	// amount in words and the balance after it, before recording a payment
	// of at least this many cents (one above what is due always asks).
	LargePaymentCents int64
	// SMTP is the outgoing mail server (RECOUVRA_SMTP_URL); its zero value
	// (no URL) means none: `recouvra serve` then catches mail locally.
	SMTP SMTP
	// MailFrom is the sender of e-mails to debtors; empty means the
	// agency's e-mail (Agency.Email).
	MailFrom string
	// PublicURL is this server's public address, printed before
	// /d/<token> (the debtor's page) on letters and e-mails; empty means
	// the address the server listens on.
	PublicURL string
	// DebtorLinkSecret derives each case's debtor link (HMAC-SHA-256 of
	// the case id and link version): the same secret prints the same link
	// on every letter of a case. Empty: a random one kept in
	// DataDir/debtor-link.key.
	DebtorLinkSecret string
	// DigestTime is when, in Paris, the daily notification digests are
	// written (HH:MM, 07:00 by default).
	DigestTime recouvra.DigestTime
	// BlobURL is where documents' contents are kept (RECOUVRA_BLOB_URL): an
	// S3-compatible bucket, s3://ACCESS_KEY:SECRET@host:port/bucket[/prefix]
	// or s3+http://… for a server on the same machine; empty means files
	// under DataDir/documents.
	BlobURL string
	// WebhookAllowPrivate lets webhook endpoints use http:// and private,
	// loopback or link-local addresses: for development and tests only.
	WebhookAllowPrivate bool
}

// SMTP is an smtp:// or smtps:// URL taken apart.
type SMTP struct {
	URL      string // as given
	Host     string
	Port     int
	Username string
	Password string
	Implicit bool // smtps://: TLS from the first byte; smtp://: STARTTLS when offered
}

// ParseSMTPURL reads smtp://user:pass@host:port or smtps://…; the port
// defaults to 587 (smtp) and 465 (smtps).
func ParseSMTPURL(raw string) (SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTP{}, errors.New("is not a URL (smtp://user:pass@host:port)")
	}
	s := SMTP{URL: raw}
	switch u.Scheme {
	case "smtp":
		s.Port = 587
	case "smtps":
		s.Port, s.Implicit = 465, true
	default:
		return SMTP{}, errors.New("must be an smtp:// or smtps:// URL")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return SMTP{}, errors.New("takes no path nor query: smtp://user:pass@host:port")
	}
	if s.Host = u.Hostname(); s.Host == "" {
		return SMTP{}, errors.New("names no host (smtp://user:pass@host:port)")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTP{}, fmt.Errorf("port %q is not a number between 1 and 65535", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}

// Agency is who sends the letters (CPCE R124-4: name, address, activity)
// and where debtors pay (an account used only for creditors' funds, R124-2).
type Agency struct {
	Name     string
	Address  []string // lines
	City     string   // "Fait à …"
	SIREN    string
	Phone    string
	Email    string
	IBAN     string
	BIC      string
	LogoFile string // PNG or JPEG, optional
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		HTTPAddr:            "127.0.0.1:8080",
		DataDir:             "./.data",
		LogLevel:            slog.LevelInfo,
		MigrateOnStart:      true,
		ShutdownTimeout:     15 * time.Second,
		DBMaxConns:          20,
		SessionTTL:          12 * time.Hour,
		SessionIdle:         30 * time.Minute,
		SessionCookieSecure: true,
		LoginMaxFailures:    5,
		LoginFailureWindow:  15 * time.Minute,
		QueueLease:          15 * time.Minute,
		MaxUploadBytes:      10 << 20,
		MaxBodyBytes:        1 << 20,
		RateLimit:           50,
		RateBurst:           500,
		StreamsPerPrincipal: 20,
		UrgentDays:          7,
		DeadlineMarginDays:  5,
		PromiseGraceDays:    3,
		StrategyMinutes:     5,
		StrategyNightlyAt:   90, // 01:30 UTC, 02:30 or 03:30 in Paris
		LargePaymentCents:   1_000_000,
		DigestTime:          recouvra.DefaultDigestTime,
	}
}

// key describes one configuration entry: its YAML name (the environment
// name is derived from it) and how to parse a textual value into the struct.
type key struct {
	name  string
	help  string
	parse func(c *Config, v string) error
}

// keys is the single list of settings; Load, the README and the error
// messages all come from it.
var keys = []key{
	{"database_url", "PostgreSQL URL; unset = private development cluster under data_dir", func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
			return errors.New("must be a postgres:// or postgresql:// URL")
		}
		c.DatabaseURL = v
		return nil
	}},
	{"http_addr", "listen address, host:port", func(c *Config, v string) error {
		host, port, err := net.SplitHostPort(v)
		if err != nil {
			return fmt.Errorf("must be host:port: %v", err)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return fmt.Errorf("port %q is not a number between 0 and 65535", port)
		}
		_ = host // empty host means all interfaces, which is allowed on purpose
		c.HTTPAddr = v
		return nil
	}},
	{"data_dir", "directory for local state", func(c *Config, v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("must not be empty")
		}
		c.DataDir = v
		return nil
	}},
	{"log_level", "debug, info, warn or error", func(c *Config, v string) error {
		switch strings.ToLower(v) {
		case "debug":
			c.LogLevel = slog.LevelDebug
		case "info":
			c.LogLevel = slog.LevelInfo
		case "warn", "warning":
			c.LogLevel = slog.LevelWarn
		case "error":
			c.LogLevel = slog.LevelError
		default:
			return fmt.Errorf("%q is not one of debug, info, warn, error", v)
		}
		return nil
	}},
	{"migrate_on_start", "apply pending migrations when serve starts (true/false)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.MigrateOnStart = b
		return nil
	}},
	{"shutdown_timeout", "grace period for in-flight requests, e.g. 15s", duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"session_ttl", "lifetime of a sign-in token, e.g. 12h", duration(func(c *Config) *time.Duration { return &c.SessionTTL })},
	{"session_idle_minutes", "a web-app session ends after this many minutes without activity (1 to 1440)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1440 {
			return fmt.Errorf("%q is not a number of minutes between 1 and 1440", v)
		}
		c.SessionIdle = time.Duration(n) * time.Minute
		return nil
	}},
	{"session_cookie_secure", "send the web app's session cookie over HTTPS (and localhost) only (true/false)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.SessionCookieSecure = b
		return nil
	}},
	{"login_max_failures", "failed sign-ins per account or address before waiting (0 = no limit)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			return fmt.Errorf("%q is not a number between 0 and 1000", v)
		}
		c.LoginMaxFailures = n
		return nil
	}},
	{"login_failure_window", "the window in which failed sign-ins count, e.g. 15m", duration(func(c *Config) *time.Duration { return &c.LoginFailureWindow })},
	{"agency_name", "the agency's name on documents", text(func(c *Config) *string { return &c.Agency.Name })},
	{"agency_address", "the agency's address, lines separated by ';' or new lines", func(c *Config, v string) error {
		c.Agency.Address = nil
		for _, l := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' }) {
			if l = strings.TrimSpace(l); l != "" {
				c.Agency.Address = append(c.Agency.Address, l)
			}
		}
		return nil
	}},
	{"agency_city", "the city letters are dated from", text(func(c *Config) *string { return &c.Agency.City })},
	{"agency_siren", "the agency's SIREN", text(func(c *Config) *string { return &c.Agency.SIREN })},
	{"agency_phone", "the agency's phone number", text(func(c *Config) *string { return &c.Agency.Phone })},
	{"agency_email", "the agency's e-mail address", text(func(c *Config) *string { return &c.Agency.Email })},
	{"agency_iban", "the account for creditors' funds, printed as the means of payment", text(func(c *Config) *string { return &c.Agency.IBAN })},
	{"agency_bic", "its BIC", text(func(c *Config) *string { return &c.Agency.BIC })},
	{"agency_logo", "a PNG or JPEG logo file for the letterhead (optional)", text(func(c *Config) *string { return &c.Agency.LogoFile })},
	{"max_upload_bytes", "largest attachment accepted, in bytes", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 || n > 1<<30 {
			return fmt.Errorf("%q is not a number of bytes between 1024 and 1073741824", v)
		}
		c.MaxUploadBytes = n
		return nil
	}},
	{"max_body_bytes", "largest request body other than uploads (JSON, forms), in bytes", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 || n > 1<<30 {
			return fmt.Errorf("%q is not a number of bytes between 1024 and 1073741824", v)
		}
		c.MaxBodyBytes = n
		return nil
	}},
	{"rate_limit", "API requests per second per caller (user, API key or anonymous address); 0 = no limit", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1e6 || f != f {
			return fmt.Errorf("%q is not a number of requests per second between 0 and 1000000", v)
		}
		c.RateLimit = f
		return nil
	}},
	{"rate_burst", "API requests a caller may make at once before rate_limit applies", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1e6 {
			return fmt.Errorf("%q is not a number between 1 and 1000000", v)
		}
		c.RateBurst = n
		return nil
	}},
	{"streams_per_principal", "live event streams one user or API key may have open on one server process (0 = no limit)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1e6 {
			return fmt.Errorf("%q is not a number between 0 and 1000000", v)
		}
		c.StreamsPerPrincipal = n
		return nil
	}},
	{"queue_lease", "how long a case handed out by the queue stays with its agent, e.g. 15m", duration(func(c *Config) *time.Duration { return &c.QueueLease })},
	{"urgent_days", "a docket case is urgent when its nearest legal deadline is within this many days", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 365 {
			return fmt.Errorf("%q is not a number of days between 0 and 365", v)
		}
		c.UrgentDays = n
		return nil
	}},
	{"deadline_margin_days", "the agency's internal target date is this many days before each legal deadline, moved back to a working day", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 90 {
			return fmt.Errorf("%q is not a number of days between 0 and 90", v)
		}
		c.DeadlineMarginDays = n
		return nil
	}},
	{"promise_grace_days", "a promise to pay is kept by payments received up to this many days after its due date, broken the day after", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 60 {
			return fmt.Errorf("%q is not a number of days between 0 and 60", v)
		}
		c.PromiseGraceDays = n
		return nil
	}},
	{"strategy_minutes", "how often the collection strategies' engine passes, in minutes (1 to 1440); 0 turns it off", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1440 {
			return fmt.Errorf("%q is not a number of minutes between 0 and 1440", v)
		}
		c.StrategyMinutes = n
		return nil
	}},
	{"strategy_nightly_at", "the time of day (UTC, HH:MM) of the strategy engine's nightly full pass; off turns it off", func(c *Config, v string) error {
		if v == "off" {
			c.StrategyNightlyAt = -1
			return nil
		}
		t, err := time.Parse("15:04", v)
		if err != nil {
			return fmt.Errorf("%q is not a time of day HH:MM (or off)", v)
		}
		c.StrategyNightlyAt = t.Hour()*60 + t.Minute()
		return nil
	}},
	{"remittance_day", "from this day of the month (1 to 28), the monthly job draws up and books the remittance run of the month just ended; 0 turns it off", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 28 {
			return fmt.Errorf("%q is not a day between 0 and 28", v)
		}
		c.RemittanceDay = n
		return nil
	}},
	{"large_payment_cents", "a payment of at least this many cents is confirmed in the web app (amount in words, balance after) before it is recorded", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > 100_000_000_000 {
			return fmt.Errorf("%q is not a number of cents between 1 and 100000000000", v)
		}
		c.LargePaymentCents = n
		return nil
	}},
	{"smtp_url", "outgoing mail server, smtp://user:pass@host:port (STARTTLS when offered) or smtps://…; unset = a local mail catcher under serve", func(c *Config, v string) error {
		if strings.TrimSpace(v) == "" {
			c.SMTP = SMTP{}
			return nil
		}
		s, err := ParseSMTPURL(strings.TrimSpace(v))
		if err != nil {
			return err
		}
		c.SMTP = s
		return nil
	}},
	{"blob_url", "where documents' contents are kept: s3://ACCESS_KEY:SECRET@host:port/bucket[/prefix] (an S3-compatible bucket over HTTPS; keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when the URL has none) or s3+http://… (plain HTTP, a server on the same machine); unset = files under data_dir/documents", func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if v != "" {
			if !strings.HasPrefix(v, "s3://") && !strings.HasPrefix(v, "s3+http://") {
				return errors.New("must be an s3:// or s3+http:// URL (s3://ACCESS_KEY:SECRET@host:port/bucket)")
			}
		}
		c.BlobURL = v
		return nil
	}},
	{"mail_from", "sender address of e-mails to debtors; unset = agency_email", func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if v != "" {
			if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
				return fmt.Errorf("%q is not an e-mail address such as relances@agence.fr", v)
			}
		}
		c.MailFrom = v
		return nil
	}},
	{"public_url", "the public address of this server, printed before /d/<token> on letters and e-mails to debtors (https://…); unset = the listen address", func(c *Config, v string) error {
		v = strings.TrimRight(strings.TrimSpace(v), "/")
		if v != "" {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
				return fmt.Errorf("%q is not an http(s) address such as https://recouvrement.agence.fr", v)
			}
		}
		c.PublicURL = v
		return nil
	}},
	{"debtor_link_secret", "secret (32 characters or more) from which each case's debtor link is derived; unset = a random one kept in data_dir/debtor-link.key", func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if v != "" && len(v) < 32 {
			return fmt.Errorf("is %d characters long: use 32 or more (e.g. openssl rand -hex 32)", len(v))
		}
		c.DebtorLinkSecret = v
		return nil
	}},
	{"webhook_allow_private", "let webhook endpoints use http:// and private, loopback or link-local addresses (development and tests only; true/false)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.WebhookAllowPrivate = b
		return nil
	}},
	{"digest_time", "time of day (HH:MM, Paris) when the daily e-mail digests of notifications are written", func(c *Config, v string) error {
		t, err := recouvra.ParseDigestTime(v)
		if err != nil {
			return err
		}
		c.DigestTime = t
		return nil
	}},
	{"db_max_conns", "size of the database connection pool", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return fmt.Errorf("%q is not a number between 1 and 1000", v)
		}
		c.DBMaxConns = int32(n)
		return nil
	}},
}

// text sets a free-text field.
func text(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		*field(c) = strings.TrimSpace(v)
		return nil
	}
}

// duration parses a positive duration into the field field returns.
func duration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 15s or 12h", v)
		}
		*field(c) = d
		return nil
	}
}

// envOnly are RECOUVRA_ variables that are not settings but are read
// elsewhere; they must not be rejected as unknown.
var envOnly = map[string]bool{
	"RECOUVRA_CONFIG":   true, // the file to read
	"RECOUVRA_PASSWORD": true, // read by `recouvra user create`
}

// EnvName returns the environment variable for a YAML key name.
func EnvName(name string) string { return EnvPrefix + strings.ToUpper(name) }

// Keys lists the settings as (environment variable, description) pairs in
// declaration order, for help texts.
func Keys() [][2]string {
	out := make([][2]string, len(keys))
	for i, k := range keys {
		out[i] = [2]string{EnvName(k.name), k.help}
	}
	return out
}

// Load builds the configuration from defaults, then the YAML file, then the
// environment. environ is os.Environ()-shaped; readFile reads the file (both
// are parameters so that tests need no process state).
func Load(environ []string, readFile func(string) ([]byte, error)) (Config, error) {
	cfg := Default()
	env := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(name, EnvPrefix) {
			env[name] = value
		}
	}

	path, explicit := env["RECOUVRA_CONFIG"]
	if !explicit {
		path = DefaultFile
	}
	if path != "" {
		data, err := readFile(path)
		switch {
		case err == nil:
			if err := applyYAML(&cfg, path, data); err != nil {
				return Config{}, err
			}
		case errors.Is(err, fs.ErrNotExist) && !explicit:
			// The default file is optional.
		default:
			return Config{}, fmt.Errorf("config: RECOUVRA_CONFIG: %w", err)
		}
	}

	byEnv := map[string]key{}
	for _, k := range keys {
		byEnv[EnvName(k.name)] = k
	}
	names := make([]string, 0, len(env))
	for name := range env {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic: the first bad key in order is reported
	for _, name := range names {
		if envOnly[name] {
			continue
		}
		k, ok := byEnv[name]
		if !ok {
			return Config{}, fmt.Errorf("config: unknown variable %s (known: %s)", name, knownEnv())
		}
		if err := k.parse(&cfg, env[name]); err != nil {
			return Config{}, fmt.Errorf("config: %s: %v", name, err)
		}
	}
	return cfg, nil
}

// LoadProcess loads the configuration of the running process.
func LoadProcess() (Config, error) { return Load(os.Environ(), os.ReadFile) }

func applyYAML(cfg *Config, path string, data []byte) error {
	var raw map[string]yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file sets nothing
		}
		return fmt.Errorf("config: %s: %v", path, err)
	}
	byName := map[string]key{}
	for _, k := range keys {
		byName[k.name] = k
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		k, ok := byName[name]
		if !ok {
			return fmt.Errorf("config: %s: unknown key %q", path, name)
		}
		node := raw[name]
		if node.Kind != yaml.ScalarNode {
			return fmt.Errorf("config: %s: %s: must be a single value", path, name)
		}
		if err := k.parse(cfg, node.Value); err != nil {
			return fmt.Errorf("config: %s: %s: %v", path, name, err)
		}
	}
	return nil
}

func knownEnv() string {
	var names []string
	for _, k := range keys {
		names = append(names, EnvName(k.name))
	}
	names = append(names, "RECOUVRA_CONFIG", "RECOUVRA_PASSWORD")
	return strings.Join(names, ", ")
}

// Package server assembles a running Recouvra: configuration in, database
// opened (or the private cluster started), schema migrated, HTTP served; and
// takes it all down again in order. Tests start it on port 0.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/recouvra/recouvra/api"
	"github.com/recouvra/recouvra/configs"
	"github.com/recouvra/recouvra/internal/app"
	"github.com/recouvra/recouvra/internal/blobstore"
	"github.com/recouvra/recouvra/internal/config"
	"github.com/recouvra/recouvra/internal/credential"
	"github.com/recouvra/recouvra/internal/documents"
	"github.com/recouvra/recouvra/internal/httpapi"
	"github.com/recouvra/recouvra/internal/httpapi/oapi"
	"github.com/recouvra/recouvra/internal/jobs"
	"github.com/recouvra/recouvra/internal/live"
	"github.com/recouvra/recouvra/internal/mail"
	"github.com/recouvra/recouvra/internal/pdf"
	"github.com/recouvra/recouvra/internal/postgres"
	"github.com/recouvra/recouvra/internal/rbac"
	"github.com/recouvra/recouvra/internal/recouvra"
	"github.com/recouvra/recouvra/internal/webhook"
	"github.com/recouvra/recouvra/web"
)

// Server is a started Recouvra service.
type Server struct {
	cfg           config.Config
	logger        *slog.Logger
	db            *Database
	http          *http.Server
	listener      net.Listener
	api           *httpapi.API
	service       *app.Service
	served        chan error
	release       func() error // closes what Start opened; nothing for a borrowed DB
	stopListening context.CancelFunc
	queue         *jobs.Queue   // nil when not started
	live          *live.Hub     // the live event stream's hub
	catcher       *mail.Catcher // the local mail catcher, when Options.CatchMail started one
}

// Options are the outside things a server needs besides its configuration.
type Options struct {
	Logger  *slog.Logger
	Version string
	Notice  io.Writer // one-line messages for the person starting the server
	// DB, when set, is used instead of opening one from cfg (tests share
	// their per-test database this way). The server does not close it.
	DB *postgres.DB
	// Password overrides the argon2id cost (tests use a cheap one).
	Password *credential.Params
	// Now overrides the clock (tests).
	Now func() time.Time
	// CatchMail starts a local mail catcher (an SMTP server keeping every
	// message, with a page listing them) when no SMTP server is configured:
	// `recouvra serve` sets it, so that `make run` sends real mail to it.
	CatchMail bool
}

// Start opens the database, migrates it when configured, and starts
// serving HTTP on cfg.HTTPAddr. It returns once the listener is bound.
func Start(ctx context.Context, cfg config.Config, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Notice == nil {
		opts.Notice = io.Discard
	}
	s := &Server{cfg: cfg, logger: opts.Logger, served: make(chan error, 1)}

	if opts.DB != nil {
		s.db = &Database{DB: opts.DB}
		s.release = func() error { return nil }
	} else {
		db, err := OpenDatabase(ctx, cfg, opts.Logger, opts.Notice)
		if err != nil {
			return nil, err
		}
		s.db = db
		s.release = func() error { return db.Close(context.Background()) }
	}
	ok := false
	defer func() {
		if !ok {
			_ = s.release()
		}
	}()

	migrator, err := postgres.NewMigrator(s.db.SQL, opts.Logger)
	if err != nil {
		return nil, err
	}
	if cfg.MigrateOnStart {
		n, err := Migrate(ctx, migrator, s.db.DB)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			opts.Logger.Info("migrations applied", "count", n)
		}
	}

	if opts.CatchMail && cfg.SMTP.Host == "" {
		c, web, err := startCatcher(cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("mail catcher: %w", err)
		}
		s.catcher = c
		cfg.SMTP = config.SMTP{URL: c.URL(), Host: c.Settings().Host, Port: c.Settings().Port}
		fmt.Fprintf(opts.Notice, "No SMTP server configured (RECOUVRA_SMTP_URL): e-mail goes to the local mail catcher on %s — read it at %s (files in %s)\n",
			c.URL(), web, filepath.Join(cfg.DataDir, "mail"))
		release := s.release
		s.release = func() error { return errors.Join(c.Close(), release()) }
	}

	policy, err := rbac.Load()
	if err != nil {
		return nil, err
	}
	// The queue works batches through the service, and the service queues
	// them: the queue is bound once both exist.
	var queue *jobs.Queue
	service, err := newService(s.db.DB, cfg, policy, opts.Password, opts.Now, opts.Logger, func(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
		return queue.EnqueueBatch(ctx, tx, id)
	}, func(ctx context.Context, id uuid.UUID, delay time.Duration) error {
		return queue.EnqueueMail(ctx, id, delay)
	}, func(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
		return queue.EnqueueImport(ctx, tx, id)
	})
	if err != nil {
		return nil, err
	}
	var mailJobs *jobs.Mail
	if service.MailOn() {
		mailJobs = &jobs.Mail{Deliver: service.DeliverMail, Sweep: service.SweepMail}
	}
	// Promises whose grace ended are marked broken (app.SweepPromises), and
	// so are the instalments of payment plans, and plans (app.SweepPlans).
	sweepPromises := jobs.Periodic{Name: "promise_sweep", Every: time.Hour, Run: func(ctx context.Context) error {
		n, err := service.SweepPromises(ctx)
		if n > 0 {
			opts.Logger.Info("promises broken", "count", n)
		}
		if err != nil {
			return err
		}
		n, err = service.SweepPlans(ctx)
		if n > 0 {
			opts.Logger.Info("payment plans broken", "count", n)
		}
		return err
	}}
	// The daily notification digests, once their time of day has come
	// (app.SendDigests: one per person and day, whichever run writes it).
	digests := jobs.Periodic{Name: "notification_digest", Every: 10 * time.Minute, Run: func(ctx context.Context) error {
		n, err := service.SendDigests(ctx)
		if n > 0 {
			opts.Logger.Info("notification digests written", "count", n)
		}
		return err
	}}
	// The collection strategies' engine (app.RunStrategies): due steps
	// claimed once per case and step, whichever instance runs the pass.
	strategies := jobs.Periodic{Name: "strategy_engine", Every: time.Duration(cfg.StrategyMinutes) * time.Minute, Run: func(ctx context.Context) error {
		pass, err := service.RunStrategies(ctx)
		if pass.Claimed > 0 || pass.Enrolled > 0 {
			opts.Logger.Info("strategy pass", "enrolled", pass.Enrolled, "claimed", pass.Claimed)
		}
		return err
	}}
	// The monthly remittance run (app.MonthlyRemittances), when configured:
	// its key is the month, so it runs once whichever instance tries.
	periodic := []jobs.Periodic{sweepPromises, digests}
	if cfg.StrategyMinutes > 0 {
		periodic = append(periodic, strategies)
	}
	// Its nightly full pass (app.RunNightlyStrategies): re-dating and
	// catch-up, once per night whichever instance runs it.
	if at := cfg.StrategyNightlyAt; cfg.StrategyMinutes > 0 && at >= 0 {
		periodic = append(periodic, jobs.Periodic{Name: "strategy_nightly", Every: 24 * time.Hour, DailyAt: &at, Run: func(ctx context.Context) error {
			f, ok, err := service.RunNightlyStrategies(ctx)
			if ok {
				opts.Logger.Info("strategy nightly pass", "stale", f.Stale, "enrolled", f.Enrolled, "dated", f.Dated, "claimed", f.Claimed, "ran", f.Ran)
			}
			return err
		}})
	}
	if day := cfg.RemittanceDay; day > 0 {
		periodic = append(periodic, jobs.Periodic{Name: "monthly_remittances", Every: time.Hour, Run: func(ctx context.Context) error {
			return service.MonthlyRemittances(ctx, day)
		}})
	}
	if queue, err = jobs.New(s.db.Pool, opts.Logger, service.RunBatch, service.ProcessImport, mailJobs, periodic...); err != nil {
		return nil, err
	}
	current, err := migrator.Current(ctx)
	if err != nil {
		return nil, err
	}
	if current {
		if err := queue.Start(context.WithoutCancel(ctx)); err != nil {
			return nil, fmt.Errorf("job queue: %w", err)
		}
		s.queue = queue
		if err := SeedRates(ctx, service, opts.Logger); err != nil {
			return nil, err
		}
		if n, err := service.SeedStrategies(ctx); err != nil {
			return nil, err
		} else if n > 0 {
			opts.Logger.Info("default collection strategies added", "count", n)
		}
	} else {
		opts.Logger.Warn("schema not current: job queue not started, rate tables not loaded; run recouvra migrate up")
	}

	// The live stream: one LISTEN connection wakes one hub, which reads each
	// new event once and hands it to the streams that may see it.
	raiseFileLimit(opts.Logger)
	notifier := postgres.NewNotifier(s.db.Pool, opts.Logger)
	start, err := service.StreamStart(ctx)
	if err != nil {
		return nil, err
	}
	wake, _ := notifier.Subscribe()
	s.live = live.New(live.Config{Source: service, Reader: app.System, Start: start, Wake: wake,
		Encode: httpapi.EventFrame, PerPrincipal: cfg.StreamsPerPrincipal, Logger: opts.Logger})
	listenCtx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	go notifier.Run(listenCtx)
	go s.live.Run(listenCtx)
	if current {
		// Webhooks (app/webhooks.go): woken by every committed event, each
		// instance claims due deliveries with SKIP LOCKED.
		webhookWake, _ := notifier.Subscribe()
		go service.RunWebhooks(listenCtx, webhookWake)
	}
	s.stopListening = stopListening
	defer func() {
		if !ok {
			stopListening()
		}
	}()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), s.db.Collector())
	handler, err := httpapi.New(ctx, httpapi.Deps{
		Logger:                opts.Logger,
		Version:               opts.Version,
		Spec:                  api.Spec,
		Registry:              reg,
		App:                   service,
		Authn:                 service,
		Authz:                 policy,
		Now:                   opts.Now,
		Live:                  s.live,
		MaxUploadBytes:        cfg.MaxUploadBytes,
		MaxBodyBytes:          cfg.MaxBodyBytes,
		RateLimit:             rateLimit(cfg.RateLimit),
		RateBurst:             cfg.RateBurst,
		Web:                   webFS(),
		SessionCookieInsecure: !cfg.SessionCookieSecure,
		Probes: []httpapi.Probe{
			{Name: oapi.Database, Check: func(ctx context.Context) error {
				ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				defer cancel()
				return s.db.Pool.Ping(ctx)
			}},
			{Name: oapi.Migrations, Check: func(ctx context.Context) error {
				current, err := migrator.Current(ctx)
				if err != nil {
					return err
				}
				if !current {
					return errors.New("migrations pending: run `recouvra migrate up`")
				}
				return nil
			}},
		},
	})
	if err != nil {
		return nil, err
	}

	s.api = handler
	s.service = service
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (RECOUVRA_HTTP_ADDR): %w", cfg.HTTPAddr, err)
	}
	s.listener = ln
	service.SetPublicURL(s.URL()) // debtor links, when public_url is unset
	s.http = &http.Server{
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.served <- err
	}()
	ok = true
	return s, nil
}

// rateLimit maps the configuration's "0 = no limit" to httpapi's
// "negative = no limit" (its zero means the default).
func rateLimit(perSecond float64) float64 {
	if perSecond <= 0 {
		return -1
	}
	return perSecond
}

// Handler is the server's HTTP handler, for tests that feed it requests a
// network client would refuse to send.
func (s *Server) Handler() http.Handler { return s.api }

// documentStore is where documents' contents go: files under the data
// directory, or the S3-compatible bucket of blob_url, checked to exist.
func documentStore(cfg config.Config) (blobstore.Store, error) {
	if cfg.BlobURL == "" {
		return blobstore.Local{Dir: filepath.Join(cfg.DataDir, "documents")}, nil
	}
	s3, err := blobstore.ParseS3URL(cfg.BlobURL)
	if err != nil {
		return nil, fmt.Errorf("blob_url %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := s3.Check(ctx); err != nil {
		return nil, err
	}
	return s3, nil
}

// webFS is the embedded web app, nil when the binary has no build.
func webFS() fs.FS {
	app, ok := web.App()
	if !ok {
		return nil
	}
	return app
}

// NewService builds the use cases over db with the configured policies.
// It queues no background work (document batches need a running server).
func NewService(db *postgres.DB, cfg config.Config, password *credential.Params, now func() time.Time) (*app.Service, error) {
	policy, err := rbac.Load()
	if err != nil {
		return nil, err
	}
	return newService(db, cfg, policy, password, now, nil, nil, nil, nil)
}

func newService(db *postgres.DB, cfg config.Config, policy *rbac.Policy, password *credential.Params, now func() time.Time, logger *slog.Logger, enqueue postgres.Enqueuer,
	enqueueMail func(ctx context.Context, id uuid.UUID, delay time.Duration) error, enqueueImport postgres.Enqueuer) (*app.Service, error) {
	params := credential.DefaultParams
	if password != nil {
		params = *password
	}
	agency := documents.Agency{
		Letterhead: pdf.Letterhead{Name: cfg.Agency.Name, Address: cfg.Agency.Address, SIREN: cfg.Agency.SIREN, Phone: cfg.Agency.Phone, Email: cfg.Agency.Email},
		City:       cfg.Agency.City, IBAN: cfg.Agency.IBAN, BIC: cfg.Agency.BIC,
	}
	if cfg.Agency.LogoFile != "" {
		logo, err := os.ReadFile(cfg.Agency.LogoFile)
		if err != nil {
			return nil, fmt.Errorf("agency_logo: %w", err)
		}
		agency.Logo = logo
	}
	links, err := debtorLinks(cfg)
	if err != nil {
		return nil, err
	}
	forms, err := recouvra.ParseCourtForms(configs.CourtFormsCSV)
	if err != nil {
		return nil, fmt.Errorf("configs/legal/court-forms.csv: %w", err)
	}
	blobs, err := documentStore(cfg)
	if err != nil {
		return nil, err
	}
	return app.New(postgres.NewStore(db), policy, app.Config{
		SessionTTL:         cfg.SessionTTL,
		SessionIdle:        cfg.SessionIdle,
		MaxFailures:        cfg.LoginMaxFailures,
		FailureWindow:      cfg.LoginFailureWindow,
		Password:           params,
		LeaseDuration:      cfg.QueueLease,
		UrgentDays:         cfg.UrgentDays,
		DeadlineMarginDays: cfg.DeadlineMarginDays,
		PromiseGraceDays:   cfg.PromiseGraceDays,
		LargePaymentCents:  cfg.LargePaymentCents,
		Agency:             agency,
		CourtForms:         forms,
		Blobs:              blobs,
		MaxUploadBytes:     cfg.MaxUploadBytes,
		Batches:            postgres.NewBatches(db, enqueue),
		Imports:            postgres.NewImports(db, enqueueImport),
		Mail:               mailConfig(cfg, enqueueMail),
		Webhooks:           app.WebhookConfig{Sender: webhook.New(cfg.WebhookAllowPrivate), AllowPrivate: cfg.WebhookAllowPrivate, Wake: make(chan struct{}, 1)},
		DebtorLinks:        links,
		DigestTime:         &cfg.DigestTime,
		Logger:             logger,
	}, now)
}

// mailConfig is the e-mail channel: the SMTP sender when a server is
// configured (or caught locally), from the agency.
func mailConfig(cfg config.Config, enqueue func(ctx context.Context, id uuid.UUID, delay time.Duration) error) app.MailConfig {
	if cfg.SMTP.Host == "" {
		return app.MailConfig{}
	}
	from := cfg.MailFrom
	if from == "" {
		from = cfg.Agency.Email
	}
	if from == "" {
		from = "recouvra@localhost"
	}
	sender := mail.NewSender(mail.Settings{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username, Password: cfg.SMTP.Password, Implicit: cfg.SMTP.Implicit})
	return app.MailConfig{Mailer: sender, From: from, FromName: cfg.Agency.Name, Enqueue: enqueue}
}

// startCatcher starts the local mail catcher on its usual ports (SMTP
// 1025, page 8025) or, when they are taken, on free ones.
func startCatcher(dataDir string) (*mail.Catcher, string, error) {
	c, err := mail.StartCatcher("127.0.0.1:1025", &mail.Catcher{Dir: filepath.Join(dataDir, "mail")})
	if err != nil {
		if c, err = mail.StartCatcher("127.0.0.1:0", &mail.Catcher{Dir: filepath.Join(dataDir, "mail")}); err != nil {
			return nil, "", err
		}
	}
	web, err := c.ServeWeb("127.0.0.1:8025")
	if err != nil {
		if web, err = c.ServeWeb("127.0.0.1:0"); err != nil {
			_ = c.Close()
			return nil, "", err
		}
	}
	return c, web, nil
}

// MailCatcher is the local mail catcher, nil unless Options.CatchMail
// started one.
func (s *Server) MailCatcher() *mail.Catcher { return s.catcher }

// Live is the live event stream's hub.
func (s *Server) Live() *live.Hub { return s.live }

// Service is the application the server serves.
func (s *Server) Service() *app.Service { return s.service }

// Routes lists every HTTP route the server answers.
func (s *Server) Routes() []httpapi.Route { return s.api.Routes() }

// SeedRates loads the shipped legal rate tables (configs/rates.csv) rows
// the database does not have; rows already there, perhaps corrected by an
// admin, win.
func SeedRates(ctx context.Context, svc *app.Service, logger *slog.Logger) error {
	rates, err := app.ParseRates(configs.RatesCSV)
	if err != nil {
		return fmt.Errorf("configs/rates.csv: %w", err)
	}
	n, err := svc.SeedRates(ctx, rates)
	if err != nil {
		return err
	}
	if n > 0 && logger != nil {
		logger.Info("rate tables loaded", "rows", n)
	}
	return nil
}

// Addr is the bound listen address (useful with port 0).
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// URL is the base URL of the server.
func (s *Server) URL() string { return "http://" + s.listener.Addr().String() }

// Wait blocks until the server stops serving on its own (an error) or ctx is
// done; then it shuts down gracefully: in-flight requests get
// ShutdownTimeout to finish, the pool closes, the private cluster stops.
func (s *Server) Wait(ctx context.Context) error {
	var serveErr error
	select {
	case serveErr = <-s.served:
	case <-ctx.Done():
	}
	return errors.Join(serveErr, s.Shutdown(context.WithoutCancel(ctx)))
}

// Shutdown stops accepting requests, waits for in-flight ones (bounded by
// ShutdownTimeout), then releases the database.
func (s *Server) Shutdown(ctx context.Context) error {
	s.logger.Info("shutting down", "grace", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	s.api.Close() // live streams end; other requests finish
	err := s.http.Shutdown(sctx)
	s.stopListening()
	if s.queue != nil {
		// A batch still running is left to river: it resumes it later.
		if qerr := s.queue.Stop(sctx); qerr != nil && !errors.Is(qerr, context.DeadlineExceeded) {
			err = errors.Join(err, qerr)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("in-flight requests did not finish within %s: %w", s.cfg.ShutdownTimeout, s.http.Close())
	}
	return errors.Join(err, s.release())
}

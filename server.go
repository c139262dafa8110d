// Command invites serves the Invites GraphQL API.
//
// Configuration is by environment, every setting with a working default:
//
//	ADDR           listen address (:8080)
//	DATABASE_URL   PostgreSQL URL; unset: the server on 127.0.0.1:5432, or a private one
//	               started under .data/, with its database "invites" created if missing
//	APP_URL        the front end's address, for email links (http://localhost:8080)
//	SMTP_URL       smtp://user:pass@host:port; unset: emails are written to the log
//	MAIL_FROM      the sender of emails (Invites <noreply@localhost>)
//	MAIL_JOB_TIMEOUT   how long one run of an email job starts sends; the rest goes on in the next (30s)
//	MAIL_RESCUE_AFTER  how long a job may run before it is taken for a dead process's and run again (1m)
//	LOG_LEVEL      debug, info, warn or error (info)
//	INTROSPECTION  false turns schema introspection off (on)
//	CORS_ORIGINS   origins whose pages may call the API, comma-separated or * (APP_URL's origin)
//	SESSION_TTL    how long a session lasts (720h)
//	INVITE_TTL     how long an invite can be claimed (168h)
//	INVITE_RETENTION  how long expired, declined and revoked invites are kept (720h)
//	SWEEP_INTERVAL how often invites are marked expired and old ones deleted (1m)
//	INVITE_RATE_LIMIT  invites one inviter may send per hour, across replicas (10000; -1: none)
//	COMPLEXITY_LIMIT   a query's cost cap, a connection counting 30 + first x its items (5000)
//	DEPTH_LIMIT        how deeply a query's fields may nest (12)
//	TRUSTED_PROXIES    CIDRs of proxies whose X-Forwarded-For gives the client's address (none)
//	LOGIN_CLIENT_FAILURE_LIMIT    failed log-ins per client address in 15 minutes (20; 0: none)
//	SIGNUP_CLIENT_LIMIT           sign-ups without an invite per client address an hour (20; 0: none)
//	INVITE_RECIPIENT_DAILY_LIMIT  invite emails one address may get a UTC day (10; 0: none)
//	DB_MAX_CONNS       open database connections at most (20)
//	DB_MAX_IDLE_CONNS  idle connections kept for the next request (DB_MAX_CONNS)
//	DB_CONN_MAX_LIFETIME   a connection is closed and replaced after this (1h)
//	DB_CONN_MAX_IDLE_TIME  an idle connection is closed after this (5m)
//	QUERY_BYTES_LIMIT, QUERY_TOKEN_LIMIT, ALIAS_LIMIT, SELECTION_LIMIT, DIRECTIVE_LIMIT,
//	VALIDATION_COST_LIMIT, INTROSPECTION_LIMIT, ERROR_LIMIT  a query document's size and shape,
//	                   checked before validation, and the errors of a response
//	                   (65536, 5000, 100, 100, 10, 50000, 5, 100)
//	REQUEST_TIMEOUT    how long a request may work (30s)
//	QUERY_CACHE_MIB, APQ_CACHE_MIB  memory for parsed and persisted queries (32, 16)
package main

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	gqlgraphql "github.com/99designs/gqlgen/graphql"
	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/graph"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/metrics"
	"github.com/invites/invites/internal/pglocal"
	"github.com/invites/invites/internal/playground"
	"github.com/invites/invites/internal/webapp"
	"github.com/invites/invites/migrations"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, nil); err != nil {
		fmt.Fprintln(os.Stderr, "invites:", err)
		os.Exit(1)
	}
}

// config is the server's settings, read from the environment.
type config struct {
	Addr          string
	DatabaseURL   string
	AppURL        string
	SMTPURL       string
	MailFrom      string
	LogLevel      slog.Level
	Introspection bool
	CORSOrigins   []string
	SessionTTL    time.Duration
	InviteTTL     time.Duration
	Retention     time.Duration
	SweepInterval time.Duration
	MailTimeout   time.Duration
	MailRescue    time.Duration
	RateLimit     int
	Complexity    int
	Depth         int
	// The abuse limits, -1 where the setting is 0 (none), and the proxies to believe.
	LoginClientFailures int
	SignUpsPerClient    int
	RecipientDaily      int
	TrustedProxies      []netip.Prefix
	Pool                poolConfig
	Limits              graph.Limits
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:          or(getenv("ADDR"), ":8080"),
		DatabaseURL:   getenv("DATABASE_URL"),
		AppURL:        strings.TrimRight(or(getenv("APP_URL"), "http://localhost:8080"), "/"),
		SMTPURL:       getenv("SMTP_URL"),
		MailFrom:      or(getenv("MAIL_FROM"), "Invites <noreply@localhost>"),
		Introspection: true,
	}
	c.CORSOrigins = corsOrigins(getenv("CORS_ORIGINS"), c.AppURL)
	if err := c.LogLevel.UnmarshalText([]byte(or(getenv("LOG_LEVEL"), "info"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	pool, err := loadPoolConfig(getenv)
	if err != nil {
		return c, err
	}
	c.Pool = pool
	if v := getenv("INTROSPECTION"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("INTROSPECTION: %q is not true or false", v)
		}
		c.Introspection = b
	}
	for _, n := range []struct {
		name string
		dst  *int
		def  int
	}{
		{"INVITE_RATE_LIMIT", &c.RateLimit, 10000},
		{"COMPLEXITY_LIMIT", &c.Complexity, 5000},
		{"DEPTH_LIMIT", &c.Depth, 12},
		{"QUERY_BYTES_LIMIT", &c.Limits.QueryBytes, 64 << 10},
		{"QUERY_TOKEN_LIMIT", &c.Limits.QueryTokens, 5000},
		{"ALIAS_LIMIT", &c.Limits.Aliases, 100},
		{"SELECTION_LIMIT", &c.Limits.Selections, 100},
		{"DIRECTIVE_LIMIT", &c.Limits.Directives, 10},
		{"VALIDATION_COST_LIMIT", &c.Limits.ValidationCost, 50000},
		{"INTROSPECTION_LIMIT", &c.Limits.Introspection, 5},
		{"ERROR_LIMIT", &c.Limits.Errors, 100},
		{"QUERY_CACHE_MIB", &c.Limits.QueryCacheMiB, 32},
		{"APQ_CACHE_MIB", &c.Limits.PersistedQueryCacheMiB, 16},
	} {
		*n.dst = n.def
		if v := getenv(n.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i == 0 || (i < 0 && n.name != "INVITE_RATE_LIMIT") {
				return c, fmt.Errorf("%s: %q is not a positive whole number", n.name, v)
			}
			*n.dst = i
		}
	}
	for _, n := range []struct {
		name string
		dst  *int
		def  int
	}{
		{"LOGIN_CLIENT_FAILURE_LIMIT", &c.LoginClientFailures, 20},
		{"SIGNUP_CLIENT_LIMIT", &c.SignUpsPerClient, 20},
		{"INVITE_RECIPIENT_DAILY_LIMIT", &c.RecipientDaily, 10},
	} {
		*n.dst = n.def
		if v := getenv(n.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < 0 {
				return c, fmt.Errorf("%s: %q is not a whole number (0 turns the limit off)", n.name, v)
			}
			*n.dst = cmp.Or(i, -1)
		}
	}
	if c.TrustedProxies, err = graph.ParseTrustedProxies(getenv("TRUSTED_PROXIES")); err != nil {
		return c, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{"SESSION_TTL", &c.SessionTTL, 30 * 24 * time.Hour},
		{"INVITE_TTL", &c.InviteTTL, 7 * 24 * time.Hour},
		{"INVITE_RETENTION", &c.Retention, 30 * 24 * time.Hour},
		{"SWEEP_INTERVAL", &c.SweepInterval, time.Minute},
		{"MAIL_JOB_TIMEOUT", &c.MailTimeout, mail.DefaultJobTimeout},
		{"MAIL_RESCUE_AFTER", &c.MailRescue, mail.DefaultRescueAfter},
		{"REQUEST_TIMEOUT", &c.Limits.RequestTimeout, 30 * time.Second},
	} {
		var err error
		if *d.dst, err = duration(getenv, d.name, d.def); err != nil {
			return c, err
		}
	}
	if c.MailRescue <= c.MailTimeout {
		return c, fmt.Errorf("MAIL_RESCUE_AFTER (%s) must be longer than MAIL_JOB_TIMEOUT (%s)", c.MailRescue, c.MailTimeout)
	}
	return c, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive duration such as 168h", name, v)
	}
	return d, nil
}

// run serves until ctx ends, then shuts down gracefully: requests in flight and emails being
// sent finish first. ready, if not nil, receives the listening address.
func run(ctx context.Context, getenv func(string) string, ready chan<- string) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)

	db, err := openDB(ctx, cfg.DatabaseURL, cfg.Pool)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := migrations.Up(ctx, db); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	sender := mail.NewLogSender(log)
	if cfg.SMTPURL != "" {
		if sender, err = mail.NewSMTPSender(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return fmt.Errorf("SMTP_URL: %w", err)
		}
	}
	meters := metrics.New()
	serviceCfg := invites.Config{
		AppURL: cfg.AppURL, SessionTTL: cfg.SessionTTL, InviteTTL: cfg.InviteTTL, InviteRetention: cfg.Retention,
		InviteRateLimit: cfg.RateLimit, Observer: meters,
		LoginClientFailureLimit: cfg.LoginClientFailures, SignUpClientLimit: cfg.SignUpsPerClient, InviteRecipientDailyLimit: cfg.RecipientDaily,
	}
	sweeper := invites.NewSweeper(db, serviceCfg)
	queue, err := mail.NewQueue(db, mail.QueueConfig{
		Sender:       sender,
		Logger:       log,
		Register:     sweeper.Register,
		PeriodicJobs: []*river.PeriodicJob{sweeper.PeriodicJob(cfg.SweepInterval)},
		Observer:     meters,
		JobTimeout:   cfg.MailTimeout,
		RescueAfter:  cfg.MailRescue,
	})
	if err != nil {
		return err
	}
	service := invites.New(db, queue, serviceCfg)

	mux := http.NewServeMux()
	mux.Handle("/graphql", cors(cfg.CORSOrigins, graph.NewHandler(&graph.Resolver{Service: service}, graph.HandlerOptions{
		Introspection:   cfg.Introspection,
		ComplexityLimit: cfg.Complexity,
		DepthLimit:      cfg.Depth,
		TrustedProxies:  cfg.TrustedProxies,
		Limits:          cfg.Limits,
		Logger:          log,
		Extensions:      []gqlgraphql.HandlerExtension{meters.Extension()},
	})))
	mux.Handle("GET /metrics", meters.Handler())
	pg := playground.Handler("/graphql")
	mux.Handle("GET "+playground.Path, pg)
	mux.Handle("GET "+playground.Prefix, pg)
	webapp.Mount(mux) // the app's pages at / and each route it has, its assets under /assets/
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", readyz(db))

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           logRequests(log, mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	// The queue must not see the signal's cancellation: River would cut the sends in flight.
	// queue.Stop below lets them finish.
	if err := queue.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start email queue: %w", err)
	}
	log.Info("serving", "addr", ln.Addr().String(), "app", "http://"+displayAddr(ln.Addr())+"/", "playground", "http://"+displayAddr(ln.Addr())+playground.Path)
	if ready != nil {
		ready <- ln.Addr().String()
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}

	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if qerr := queue.Stop(shutdownCtx); qerr != nil && err == nil {
		err = qerr
	}
	return err
}

// openDB opens DATABASE_URL, or without it the default database "invites" on the PostgreSQL
// that pglocal finds or starts, with pool's limits.
func openDB(ctx context.Context, url string, pool poolConfig) (*bun.DB, error) {
	if url == "" {
		server, err := pglocal.ServerURL(ctx, pglocal.ModuleRoot(), "")
		if err != nil {
			return nil, err
		}
		if url, err = pglocal.EnsureDatabase(ctx, server, "invites"); err != nil {
			return nil, err
		}
	}
	sqldb, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	pool.apply(sqldb)
	db := bun.NewDB(sqldb, pgdialect.New())
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	return db, nil
}

// readyz answers 200 when the database answers and every migration is applied.
func readyz(db *bun.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		pending, err := migrations.Pending(ctx, db)
		switch {
		case err != nil:
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		case pending > 0:
			http.Error(w, fmt.Sprintf("%d migrations pending", pending), http.StatusServiceUnavailable)
		default:
			fmt.Fprintln(w, "ready")
		}
	}
}

// logRequests logs each request's method, path, status and duration; never its headers or
// body, which carry tokens and passwords.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

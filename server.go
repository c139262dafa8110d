// Command invites serves the Invites GraphQL API.
//
// Configuration is by environment, every setting with a working default: internal/config
// reads it (config.Load) and documents each setting once, on its field; the README's
// Configuration table lists them all.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	gqlgraphql "github.com/99designs/gqlgen/graphql"
	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/graph"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/live"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/metrics"
	"github.com/invites/invites/internal/pglocal"
	"github.com/invites/invites/internal/playground"
	"github.com/invites/invites/internal/webapp"
	"github.com/invites/invites/internal/webhooks"
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

// run serves until ctx ends, then shuts down gracefully: requests in flight and emails being
// sent finish first. ready, if not nil, receives the listening address.
func run(ctx context.Context, getenv func(string) string, ready chan<- string) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	cfg.Memory.Apply()
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)

	db, dbURL, err := openDB(ctx, cfg.DatabaseURL, cfg.Pool)
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
	hooks, err := webhooks.New(ctx, db, webhooks.Config{Webhooks: cfg.Webhooks, Logger: log})
	if err != nil {
		return err
	}
	serviceCfg := invites.Config{Domain: cfg.Domain, Observer: meters, EventHook: hooks}
	sweeper := invites.NewSweeper(db, serviceCfg)
	queue, err := mail.NewQueue(db, mail.QueueConfig{
		Mail:   cfg.Mail,
		Sender: sender,
		Logger: log,
		Register: func(w *river.Workers) {
			sweeper.Register(w)
			hooks.Register(w)
		},
		Queues:       hooks.Queues(),
		PeriodicJobs: []*river.PeriodicJob{sweeper.PeriodicJob(cfg.SweepInterval)},
		Observer:     meters,
		FailureHook:  hooks, // invite.delivery_failed, queued with the status write
	})
	if err != nil {
		return err
	}
	sweeper.SetMailer(queue) // its reminders; River, which runs it, starts later
	service := invites.New(db, queue, serviceCfg)

	// Live updates: one connection LISTENs for every change (internal/live) for this replica's
	// subscribers; it stops with the server.
	hub := live.NewHub(cfg.GraphQL.Live.Buffer)
	listenCtx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	listening := make(chan struct{})
	go func() {
		defer close(listening)
		live.Listen(listenCtx, dbURL, hub, log, nil)
	}()
	defer func() { stopListening(); <-listening }()

	mux := http.NewServeMux()
	mux.Handle("/graphql", cors(corsOrigins(cfg.CORSOrigins, cfg.Domain.AppURL), graph.NewHandler(&graph.Resolver{Service: service, Webhooks: hooks, Live: &graph.Live{Hub: hub, Limits: cfg.GraphQL.Live}}, graph.HandlerOptions{
		GraphQL:    cfg.GraphQL,
		Logger:     log,
		Extensions: []gqlgraphql.HandlerExtension{meters.Extension()},
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
	hub.Close() // ends every subscription and live connection, which Shutdown would wait for
	err = srv.Shutdown(shutdownCtx)
	if qerr := queue.Stop(shutdownCtx); qerr != nil && err == nil {
		err = qerr
	}

	return err
}

// openDB opens DATABASE_URL (and returns the URL it opened), or without it the default database "invites" on the PostgreSQL
// that pglocal finds or starts, with pool's limits (config.Pool says why idle connections are
// kept up to the open limit).
func openDB(ctx context.Context, url string, pool config.Pool) (*bun.DB, string, error) {
	if url == "" {
		server, err := pglocal.ServerURL(ctx, pglocal.ModuleRoot(), "")
		if err != nil {
			return nil, "", err
		}
		if url, err = pglocal.EnsureDatabase(ctx, server, "invites"); err != nil {
			return nil, "", err
		}
	}
	sqldb, err := sql.Open("pgx", url)
	if err != nil {
		return nil, "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	pool.Apply(sqldb)
	db := bun.NewDB(sqldb, pgdialect.New())
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, "", fmt.Errorf("connect to the database: %w", err)
	}
	return db, url, nil
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

// Flush sends what was written so far: server-sent events need it.
func (r *statusRecorder) Flush() { http.NewResponseController(r.ResponseWriter).Flush() }

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

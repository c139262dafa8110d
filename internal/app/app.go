// Package app is the composition root: it builds the server from its configuration (the
// database, the job queue, the services, the live-update hub and the HTTP routes), for main
// and for the tests that run the real server. Nothing else wires these parts together.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	gqlgraphql "github.com/99designs/gqlgen/graphql"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/invites/invites/graph"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/live"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/metrics"
	"github.com/invites/invites/internal/webhooks"
	"github.com/invites/invites/migrations"
)

// App is one server process: what New built, until Close.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	db      *bun.DB
	queue   *mail.Queue
	hub     *live.Hub
	handler http.Handler

	stopListening context.CancelFunc
	listening     chan struct{}
}

// New opens the database (config.Config.DatabaseURL, or the PostgreSQL that pglocal finds or
// starts), migrates it, and builds the services and the HTTP routes. Its live-update listener
// runs from now until Close; the job queue works from Serve on.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, dbURL, err := OpenDB(ctx, cfg.DatabaseURL, cfg.Pool)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, db: db}
	if err := a.build(ctx, dbURL); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// build migrates the database and wires everything on it.
func (a *App) build(ctx context.Context, dbURL string) error {
	if err := migrations.Up(ctx, a.db); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sender, err := a.sender()
	if err != nil {
		return err
	}
	meters := metrics.New()
	hooks, err := webhooks.New(ctx, a.db, webhooks.Config{Webhooks: a.cfg.Webhooks, Logger: a.log})
	if err != nil {
		return err
	}
	serviceCfg := invites.Config{Domain: a.cfg.Domain, Observer: meters, EventHook: hooks}
	sweeper := invites.NewSweeper(a.db, serviceCfg)
	a.queue, err = mail.NewQueue(a.db, mail.QueueConfig{
		Mail:   a.cfg.Mail,
		Sender: sender,
		Logger: a.log,
		Register: func(w *river.Workers) {
			sweeper.Register(w)
			hooks.Register(w)
		},
		Queues:       hooks.Queues(),
		PeriodicJobs: []*river.PeriodicJob{sweeper.PeriodicJob(a.cfg.SweepInterval)},
		Observer:     meters,
		FailureHook:  hooks, // invite.delivery_failed, queued with the status write
	})
	if err != nil {
		return err
	}
	sweeper.SetMailer(a.queue) // its reminders; River, which runs it, starts in Serve
	service := invites.New(a.db, a.queue, serviceCfg)

	a.hub = live.NewHub(a.cfg.GraphQL.Live.Buffer)
	a.listen(ctx, dbURL)
	resolver := &graph.Resolver{Service: service, Webhooks: hooks, Live: &graph.Live{Hub: a.hub, Limits: a.cfg.GraphQL.Live}}
	api := graph.NewHandler(resolver, graph.HandlerOptions{
		GraphQL:    a.cfg.GraphQL,
		Logger:     a.log,
		Extensions: []gqlgraphql.HandlerExtension{meters.Extension()},
	})
	a.handler = a.routes(api, meters)
	return nil
}

// sender is SMTP where SMTP_URL is set, else the log.
func (a *App) sender() (mail.Sender, error) {
	if a.cfg.SMTPURL == "" {
		return mail.NewLogSender(a.log), nil
	}
	sender, err := mail.NewSMTPSender(a.cfg.SMTPURL, a.cfg.MailFrom)
	if err != nil {
		return nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	return sender, nil
}

// listen starts the one connection that LISTENs for every change (internal/live) for this
// process's subscribers; Close stops it.
func (a *App) listen(ctx context.Context, dbURL string) {
	listenCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stopListening, a.listening = stop, make(chan struct{})
	go func() {
		defer close(a.listening)
		live.Listen(listenCtx, dbURL, a.hub, a.log, nil)
	}()
}

// Handler is the whole HTTP server: the API, the web app, the playground, health and metrics.
func (a *App) Handler() http.Handler { return a.handler }

// DB is the process's database handle.
func (a *App) DB() *bun.DB { return a.db }

// Close stops the live-update listener and closes the database. Serve must have returned.
func (a *App) Close() {
	if a.stopListening != nil {
		a.stopListening()
		<-a.listening
	}
	a.db.Close()
}

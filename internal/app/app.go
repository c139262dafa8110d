// Package app is the composition root: it builds the server from its configuration (the
// database and its migrations, the services and the River client that works their jobs, the
// live-update hub and the HTTP routes), for main (Run) and for the tests: those that run the
// real server (New, Serve), and those of a package that need its services (NewServices, with
// Options for what a test varies). Nothing else wires these parts together.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/delivery/bounces"
	"github.com/invites/invites/internal/live"
	"github.com/invites/invites/migrations"
)

// App is one server process: what New built, until Close.
type App struct {
	cfg config.Config
	log *slog.Logger
	db  *bun.DB
	// direct is PostgreSQL itself where db is a transaction pooler (config.Config.Pooled), for
	// what needs a session: the migrations, River's client; else db.
	direct *bun.DB
	// replica is the read replica's pool (DATABASE_READ_URL); nil: none.
	replica  *bun.DB
	services *Services
	hub      *live.Hub
	handler  http.Handler
	// hooks serves the mail providers' webhooks and bounces listens for returned mail
	// (emailhooks.go); nil without a delivery Recorder or, for bounces, BOUNCE_SMTP_ADDR.
	hooks   http.Handler
	bounces *bounces.Server

	stopListening context.CancelFunc
	listening     chan struct{}
}

// New opens the database (config.Config.DatabaseURL, or the PostgreSQL that pglocal finds or
// starts), migrates it, and builds the services and the HTTP routes. Its live-update listener
// runs from now until Close; the jobs are worked from Serve on.
//
// With a pooler at DATABASE_URL (config.Config.Pooled), two pools are opened: the pooled one
// for the requests' and the jobs' own statements, and DATABASE_DIRECT_URL's for the session
// work (the migrations' advisory lock, the live LISTEN, River's client).
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	db, dbURL, err := openDB(ctx, cfg.DatabaseURL, cfg.Pool, cfg.Pooled())
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, db: db, direct: db}
	directURL := dbURL
	if cfg.Pooled() {
		if a.direct, directURL, err = openDB(ctx, cfg.DatabaseDirectURL, cfg.Pool, false); err != nil {
			db.Close()
			return nil, fmt.Errorf("DATABASE_DIRECT_URL: %w", err)
		}
	}
	if cfg.DatabaseReadURL != "" {
		if a.replica, err = openReadDB(cfg.DatabaseReadURL, dbURL, cfg.Pool, cfg.Pooled()); err != nil {
			a.closeDB()
			return nil, err
		}
	}
	if err := a.build(ctx, directURL); err != nil {
		a.closeDB()
		return nil, err
	}
	return a, nil
}

// closeDB closes the pools.
func (a *App) closeDB() {
	if a.replica != nil {
		a.replica.Close()
	}
	if a.direct != a.db {
		a.direct.Close()
	}
	a.db.Close()
}

// build migrates the database and wires everything on it: the services (NewServices), the
// live-update hub and its listener on directURL, and the routes.
func (a *App) build(ctx context.Context, directURL string) error {
	if err := migrations.Up(ctx, a.direct); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var err error
	if a.services, err = NewServices(ctx, a.db, a.cfg, Options{Logger: a.log, Direct: a.direct, Replica: a.replica}); err != nil {
		return err
	}
	// The delivery service is the Recorder of what the providers' webhooks and the bounce
	// listener receive (each on only where configured).
	if err := a.emailHooks(a.services.Delivery); err != nil {
		return err
	}
	a.hub = live.NewHub(a.cfg.GraphQL.Live.Buffer)
	a.services.Metrics.LiveSubscribers(a.hub.Subscribers)
	a.listen(ctx, directURL)
	a.handler = a.routes(a.services.GraphQL(a.hub), a.services.Metrics)
	return nil
}

// listen starts the one connection that LISTENs for every change (internal/live) for this
// process's subscribers, and the poller of the read replica's position (readroute.Router.Run);
// Close stops both.
func (a *App) listen(ctx context.Context, dbURL string) {
	listenCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stopListening, a.listening = stop, make(chan struct{})
	polling := make(chan struct{})
	go func() {
		defer close(polling)
		a.services.Reads.Run(listenCtx)
	}()
	go func() {
		defer close(a.listening)
		live.Listen(listenCtx, dbURL, a.hub, a.log, nil)
		<-polling
	}()
}

// Handler is the whole HTTP server: the API, the web app, the playground, health and metrics.
func (a *App) Handler() http.Handler { return a.handler }

// DB is the process's database handle.
func (a *App) DB() *bun.DB { return a.db }

// Close stops the live-update listener and closes the database (both pools). Serve must have returned.
func (a *App) Close() {
	if a.stopListening != nil {
		a.stopListening()
		<-a.listening
	}
	a.closeDB()
}

package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/playground"
)

// Run reads the configuration from getenv, builds the server and serves until ctx ends, then
// shuts down gracefully: requests in flight and emails being sent finish first. ready, if not
// nil, receives the listening address once the server accepts connections.
func Run(ctx context.Context, getenv func(string) string, ready chan<- string) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)
	limit, from := cfg.Memory.Apply()
	log.Info("memory", "GOGC", cfg.Memory.GCPercent, "GOMEMLIMIT", limit, "from", from)

	a, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	return a.Serve(ctx, ln, ready)
}

// Serve works the jobs and serves HTTP on ln until ctx ends, then shuts both down.
func (a *App) Serve(ctx context.Context, ln net.Listener, ready chan<- string) error {
	srv := &http.Server{
		Handler:           logRequests(a.log, a.handler),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	// The jobs must not see the signal's cancellation: River would cut the sends in flight.
	// Stop below lets them finish.
	if err := a.startBounces(); err != nil {
		ln.Close()
		return fmt.Errorf("BOUNCE_SMTP_ADDR: %w", err)
	}
	if err := a.services.Jobs.Start(context.WithoutCancel(ctx)); err != nil {
		ln.Close()
		a.stopBounces(context.Background()) //nolint:errcheck // the jobs' error is the one to report
		return fmt.Errorf("start the jobs: %w", err)
	}
	base := "http://" + displayAddr(ln.Addr())
	a.log.Info("serving", "addr", ln.Addr().String(), "app", base+"/", "playground", base+playground.Path)
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
	return a.shutdown(srv)
}

// shutdown ends the live streams (which Shutdown would wait for), then the requests in flight,
// then the jobs in flight.
func (a *App) shutdown(srv *http.Server) error {
	a.log.Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a.hub.Close()
	err := srv.Shutdown(ctx)
	if berr := a.stopBounces(ctx); berr != nil && err == nil {
		err = berr
	}
	if qerr := a.services.Jobs.Stop(ctx); qerr != nil && err == nil {
		err = qerr
	}
	return err
}

// displayAddr is a's address as a person would type it in a browser.
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

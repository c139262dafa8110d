// Command webfixture runs what the web app's browser tests (web/e2e, `npm test` in web/) need:
// the real server on a fresh database, a real SMTP server that the server mails to, a real DNS
// server on loopback that the server asks for the TXT records proving project domains
// (DNS_RESOLVER), and a control server through which the tests read and do what a person has
// and a browser has not (their mailbox, the database, their domain's DNS records). web/e2e/global-setup.ts starts it as `go run ./webfixture` from e2e/.
//
// It prints one line of JSON on stdout once everything answers:
//
//	{"base": "http://127.0.0.1:…", "control": "http://127.0.0.1:…", "bounces": ["…", "…"]}
//
// base is the server (its APP_URL too, so every emailed link opens the app), control serves
// the emails and the database (see control.go), and bounces are two addresses whose mail the
// SMTP server refuses for good. It runs until its standard input ends (so it stops with its
// parent, however that ends) or it is interrupted; then it stops the server and drops the
// database.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"

	"github.com/invites/invites/internal/app"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/dnstest"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pglocal"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("webfixture: ")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, parentGone := context.WithCancel(ctx)
	go func() {
		io.Copy(io.Discard, os.Stdin) // returns when the parent closes our input, or dies
		parentGone()
	}()
	if err := run(ctx, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// fixture is what run prints: where the tests find everything.
type fixture struct {
	Base    string   `json:"base"`
	Control string   `json:"control"`
	Bounces []string `json:"bounces"`
}

// run starts everything, writes the fixture's line to out, and serves until ctx ends.
func run(ctx context.Context, out io.Writer) error {
	dbURL, dropDB, err := freshDatabase(ctx)
	if err != nil {
		return err
	}
	defer dropDB()
	smtp, bounces, err := startSMTP()
	if err != nil {
		return err
	}
	defer smtp.Close()
	dns, err := dnstest.Start()
	if err != nil {
		return err
	}
	defer dns.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	a, err := newServer(ctx, map[string]string{
		"DATABASE_URL": dbURL, "APP_URL": base, "SMTP_URL": smtp.URL(), "LOG_LEVEL": "warn",
		"SWEEP_INTERVAL": "1h", "INVITE_RECIPIENT_DAILY_LIMIT": "0",
		"SIGNUP_CLIENT_LIMIT":    "0",      // every test signs up from 127.0.0.1
		"WEBHOOK_ALLOW_LOOPBACK": "true",   // the webhooks page's endpoint is control's /hook/
		"DNS_RESOLVER":           dns.Addr, // the records the specs publish through control's /dns
	})
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()

	controlURL, stopControl, err := startControl(smtp, dns, dbURL, base)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopControl()

	ctx, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	ready := make(chan string, 1)
	go func() {
		if err := announce(ctx, ready, out, fixture{Base: base, Control: controlURL, Bounces: bounces}); err != nil {
			fail(err)
		}
	}()
	err = a.Serve(ctx, ln, ready)
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// startSMTP starts the mail server with two addresses whose mailbox does not exist: it
// refuses them for good.
func startSMTP() (*smtptest.Server, []string, error) {
	smtp, err := smtptest.Listen(logReporter{})
	if err != nil {
		return nil, nil, err
	}
	bounces := []string{"bounce-a-" + random() + "@example.test", "bounce-b-" + random() + "@example.test"}
	for _, b := range bounces {
		smtp.OnRcpt(b, func(int) error { return smtptest.Error(550) })
	}
	return smtp, bounces, nil
}

// startControl serves controlHandler on a free port of 127.0.0.1.
func startControl(smtp *smtptest.Server, dns *dnstest.Server, dbURL, base string) (url string, stop func(), err error) {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return "", nil, err
	}
	srv := &http.Server{Handler: controlHandler(smtp, dns, db, base), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	return "http://" + ln.Addr().String(), func() {
		srv.Close()
		db.Close()
	}, nil
}

// newServer builds the real server (internal/app) with env as its whole environment.
func newServer(ctx context.Context, env map[string]string) (*app.App, error) {
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	return app.New(ctx, cfg, logger)
}

// announce writes f to out once the server accepts connections and has the web app to serve.
func announce(ctx context.Context, ready <-chan string, out io.Writer, f fixture) error {
	select {
	case <-ready:
	case <-ctx.Done():
		return nil
	}
	resp, err := http.Get(f.Base + "/")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET / = %d: the web app is not built (make assets)", resp.StatusCode)
	}
	line, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", line)
	return err
}

// freshDatabase creates an empty database of its own (the server migrates it) on the server
// that DATABASE_URL names, or else the PostgreSQL that pglocal finds or starts.
func freshDatabase(ctx context.Context) (url string, drop func(), err error) {
	server := os.Getenv("DATABASE_URL")
	if server == "" {
		if server, err = pglocal.ServerURL(ctx, pglocal.ModuleRoot(), ""); err != nil {
			return "", nil, err
		}
	}
	name := "invites_webfixture_" + random()
	if url, err = pglocal.EnsureDatabase(ctx, server, name); err != nil {
		return "", nil, err
	}
	return url, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := pglocal.DropDatabase(ctx, server, name); err != nil {
			log.Print(err)
		}
	}, nil
}

func random() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// logReporter sends the SMTP server's problems to the log, beside the server's own.
type logReporter struct{}

func (logReporter) Errorf(format string, args ...any) { log.Printf("smtp: "+format, args...) }
func (logReporter) Logf(format string, args ...any)   { log.Printf("smtp: "+format, args...) }

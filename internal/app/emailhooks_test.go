package app

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"testing"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/metrics"
)

// discard is a delivery.Recorder that takes every event and keeps none.
type discard struct{}

func (discard) Record(context.Context, delivery.Event) (bool, error) { return true, nil }

// TestEmailHooks: with a Recorder, the configured providers answer among the other routes
// (the others 404), and the bounce listener starts and stops with the server; without one,
// nothing is served.
func TestEmailHooks(t *testing.T) {
	cfg := config.Default()
	cfg.EmailHooks = config.EmailHooks{PostmarkUser: "u", PostmarkPassword: "p",
		BounceDomain: "bounces.invites.test", BounceSMTPAddr: "127.0.0.1:0"}
	post := func(a *App, path string) int {
		w := httptest.NewRecorder()
		a.routes(http.NotFoundHandler(), metrics.New()).ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, nil))
		return w.Code
	}

	off := &App{cfg: cfg, log: slog.New(slog.DiscardHandler)}
	if err := off.emailHooks(nil); err != nil {
		t.Fatal(err)
	}
	if code := post(off, "/hooks/email/postmark"); code != http.StatusNotFound {
		t.Errorf("without a Recorder: got %d, want 404", code)
	}
	if off.bounces != nil {
		t.Error("without a Recorder: a bounce listener")
	}

	a := &App{cfg: cfg, log: slog.New(slog.DiscardHandler)}
	if err := a.emailHooks(discard{}); err != nil {
		t.Fatal(err)
	}
	if code := post(a, "/hooks/email/postmark"); code != http.StatusUnauthorized {
		t.Errorf("postmark without credentials: got %d, want 401", code)
	}
	if code := post(a, "/hooks/email/sendgrid"); code != http.StatusNotFound {
		t.Errorf("sendgrid, not configured: got %d, want 404", code)
	}
	if err := a.startBounces(); err != nil {
		t.Fatal(err)
	}
	c, err := smtp.Dial(a.bounces.Addr().String())
	if err != nil {
		t.Fatalf("the bounce listener does not answer: %v", err)
	}
	c.Close()
	if err := a.stopBounces(context.Background()); err != nil {
		t.Errorf("stopBounces: %v", err)
	}
}

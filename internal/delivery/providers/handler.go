// Package providers serves the mail providers' event webhooks, POST /hooks/email/<provider>
// for Postmark, SendGrid, Mailgun, Amazon SES (through SNS) and Resend: each request is
// verified as its provider documents (credentials or signature, and a timestamp no older than
// five minutes where the provider signs one), read as the provider documents its payloads,
// and handed to a delivery.Recorder as delivery.Events.
//
// Repeated deliveries of one event (a provider's retry, a replay within the five minutes) are
// the Recorder's to refuse: each Event carries the provider's own ID of the event where it has
// one, and the Recorder records an ID once. So this package keeps no state of its own but the
// SNS signing certificates it has fetched.
//
// Answers: 404 for a provider that is not configured, 401 for a request that fails its
// verification (nothing is recorded), 413 for a body over 1 MiB, 400 for one that does not
// read, 500 when the Recorder fails (the provider retries), and 200 otherwise, also for
// events that concern no email of ours or kinds we do not follow.
package providers

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/mail"
)

// Prefix is where Handler serves: Prefix + a provider's name.
const Prefix = "/hooks/email/"

// MaxBody is the largest request body read (SES notifications with headers are the largest).
const MaxBody = 1 << 20

// Tolerance is how far a signed timestamp may be from now: older is a replay.
const Tolerance = 5 * time.Minute

// Config is what Handler needs: the settings, and what the tests vary.
type Config struct {
	config.EmailHooks
	// Now is the clock that timestamps are checked against; nil: time.Now.
	Now func() time.Time
	// SNSClient fetches SNS signing certificates and confirms SNS subscriptions; nil: an
	// http.Client with a 10-second timeout that follows no redirect (only SNS hosts are asked).
	SNSClient *http.Client
	// SNSRoots are the roots an SNS signing certificate must chain to; nil: the system's.
	// Tests give theirs (with an SNSClient that reaches their HTTPS server).
	SNSRoots *x509.CertPool
}

// provider reads one provider's requests.
type provider interface {
	// events verifies the request and reads its events. An error wrapping errUnauthorized
	// is a 401, errMalformed a 400; any other a 502 (a step towards the provider failed).
	events(ctx context.Context, h http.Header, body []byte) ([]delivery.Event, error)
}

var (
	errUnauthorized = errors.New("unauthorized")
	errMalformed    = errors.New("malformed")
)

func unauthorized(why string) error { return fmt.Errorf("%w: %s", errUnauthorized, why) }

func malformed(err error) error { return fmt.Errorf("%w: %v", errMalformed, err) }

// Handler serves every configured provider under Prefix. It fails only for settings that
// config.Load would have refused.
func Handler(cfg Config, rec delivery.Recorder, log *slog.Logger) (http.Handler, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SNSClient == nil {
		cfg.SNSClient = &http.Client{Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if log == nil {
		log = slog.Default()
	}
	on, err := configured(cfg)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	for name, p := range on {
		mux.Handle("POST "+Prefix+name, serve(name, p, rec, log, cfg.Now))
	}
	return mux, nil
}

// configured is the providers whose settings are given, by name.
func configured(cfg Config) (map[string]provider, error) {
	h := cfg.EmailHooks
	on := map[string]provider{}
	if h.PostmarkUser != "" && h.PostmarkPassword != "" {
		on["postmark"] = postmark{user: h.PostmarkUser, password: h.PostmarkPassword}
	}
	if h.SendGridPublicKey != "" {
		key, err := config.ParseSendGridKey(h.SendGridPublicKey)
		if err != nil {
			return nil, fmt.Errorf("SENDGRID_WEBHOOK_PUBLIC_KEY: %w", err)
		}
		on["sendgrid"] = sendgrid{key: key, now: cfg.Now}
	}
	if h.MailgunSigningKey != "" {
		on["mailgun"] = mailgun{key: []byte(h.MailgunSigningKey), now: cfg.Now}
	}
	if h.ResendSecret != "" {
		key, err := config.ParseResendSecret(h.ResendSecret)
		if err != nil {
			return nil, fmt.Errorf("RESEND_WEBHOOK_SECRET: %w", err)
		}
		on["resend"] = resend{key: key, now: cfg.Now}
	}
	if len(h.SESTopicARNs) > 0 {
		on["ses"] = newSES(cfg)
	}
	return on, nil
}

// serve reads a request's events with p and records them; an event the provider gives no
// time is stamped with now's.
func serve(name string, p provider, rec delivery.Recorder, log *slog.Logger, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		events, err := p.events(r.Context(), r.Header, body)
		switch {
		case errors.Is(err, errUnauthorized):
			log.WarnContext(r.Context(), "email hook refused", "provider", name, "err", err)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		case errors.Is(err, errMalformed):
			log.WarnContext(r.Context(), "email hook unreadable", "provider", name, "err", err)
			http.Error(w, "payload does not read", http.StatusBadRequest)
			return
		case err != nil:
			log.ErrorContext(r.Context(), "email hook failed", "provider", name, "err", err)
			http.Error(w, "try again", http.StatusBadGateway)
			return
		}
		for _, e := range events {
			e.Provider = name
			if e.At.IsZero() {
				e.At = now().UTC()
			}
			matched, err := rec.Record(r.Context(), e)
			if err != nil {
				log.ErrorContext(r.Context(), "email event not recorded", "provider", name, "err", err)
				http.Error(w, "not recorded, try again", http.StatusInternalServerError)
				return
			}
			if !matched {
				log.InfoContext(r.Context(), "email event matches no email", "provider", name,
					"kind", e.Kind, "id", e.ID)
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}

// fresh reports whether a signed timestamp is within Tolerance of now.
func fresh(now func() time.Time, at time.Time) bool {
	d := now().Sub(at)
	return d <= Tolerance && d >= -Tolerance
}

// EmailIDHeader is the header the SMTP sender puts on each email with its ID, and EmailIDTag
// the name of that ID in a provider's metadata, custom arguments, variables or tags.
const (
	EmailIDHeader = mail.EmailIDHeader
	EmailIDTag    = mail.EmailIDTag
)

// emailID is v if it is an email's ID, else "".
func emailID(v string) string {
	id, err := uuid.Parse(strings.TrimSpace(v))
	if err != nil {
		return ""
	}
	return id.String()
}

// messageID is a Message-ID header's value without its angle brackets.
func messageID(v string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "<"), ">")
}

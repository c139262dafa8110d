package providers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/delivery/deliverytest"
	"github.com/invites/invites/internal/delivery/providers"
)

// now is the tests' clock: every signed timestamp is made from it.
var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// newHandler is Handler with cfg's settings, the tests' clock and a recorder.
func newHandler(t *testing.T, cfg providers.Config) (http.Handler, *deliverytest.Recorder) {
	t.Helper()
	cfg.Now = func() time.Time { return now }
	rec := &deliverytest.Recorder{}
	h, err := providers.Handler(cfg, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return h, rec
}

// post sends body to provider's endpoint with header and returns the status.
func post(h http.Handler, provider, body string, header http.Header) int {
	req := httptest.NewRequest(http.MethodPost, providers.Prefix+provider, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

func TestHandler_NotConfigured(t *testing.T) {
	h, rec := newHandler(t, providers.Config{EmailHooks: config.EmailHooks{MailgunSigningKey: "key"}})
	for _, p := range []string{"postmark", "sendgrid", "ses", "resend", "sparkpost"} {
		if code := post(h, p, `{}`, nil); code != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", p, code)
		}
	}
	deliverytest.WantEvents(t, rec)
}

func TestHandler_BodyTooLarge(t *testing.T) {
	h, rec := newHandler(t, postmarkConfig)
	body := `{"RecordType":"Delivery","Details":"` + strings.Repeat("x", providers.MaxBody) + `"}`
	if code := post(h, "postmark", body, postmarkAuth("hooks", "s3cret")); code != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d, want 413", code)
	}
	deliverytest.WantEvents(t, rec)
}

// TestHandler_RecorderFails: the provider is told to retry (5xx) when an event could not be
// recorded.
func TestHandler_RecorderFails(t *testing.T) {
	h, rec := newHandler(t, postmarkConfig)
	rec.SetFail(true)
	if code := post(h, "postmark", postmarkDelivery, postmarkAuth("hooks", "s3cret")); code != http.StatusInternalServerError {
		t.Errorf("got %d, want 500", code)
	}
}

// TestHandler_Unmatched: an event about no email of ours is still a 200 to the provider.
func TestHandler_Unmatched(t *testing.T) {
	cfg := postmarkConfig
	cfg.Now = func() time.Time { return now }
	h, err := providers.Handler(cfg, unmatched{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if code := post(h, "postmark", postmarkDelivery, postmarkAuth("hooks", "s3cret")); code != http.StatusOK {
		t.Errorf("got %d, want 200", code)
	}
}

type unmatched struct{}

func (unmatched) Record(context.Context, delivery.Event) (bool, error) { return false, nil }

package providers_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/delivery/providers"
)

// now is the tests' clock: every signed timestamp is made from it.
var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// recorder is a delivery.Recorder that keeps the events it is given; with fail set, it fails.
type recorder struct {
	mu     sync.Mutex
	events []delivery.Event
	fail   bool
}

func (r *recorder) Record(_ context.Context, e delivery.Event) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return false, errors.New("database down")
	}
	r.events = append(r.events, e)
	return true, nil
}

func (r *recorder) got() []delivery.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery.Event(nil), r.events...)
}

// newHandler is Handler with cfg's settings, the tests' clock and a recorder.
func newHandler(t *testing.T, cfg providers.Config) (http.Handler, *recorder) {
	t.Helper()
	cfg.Now = func() time.Time { return now }
	rec := &recorder{}
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

// wantEvents checks that rec got exactly want, in order.
func wantEvents(t *testing.T, rec *recorder, want ...delivery.Event) {
	t.Helper()
	got := rec.got()
	if len(got) != len(want) {
		t.Fatalf("got %d events %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i := range want {
		if !got[i].At.Equal(want[i].At) {
			t.Errorf("event %d: got At %v, want %v", i, got[i].At, want[i].At)
		}
		got[i].At, want[i].At = time.Time{}, time.Time{}
		if got[i] != want[i] {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestHandler_NotConfigured(t *testing.T) {
	h, rec := newHandler(t, providers.Config{EmailHooks: config.EmailHooks{MailgunSigningKey: "key"}})
	for _, p := range []string{"postmark", "sendgrid", "ses", "resend", "sparkpost"} {
		if code := post(h, p, `{}`, nil); code != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", p, code)
		}
	}
	wantEvents(t, rec)
}

func TestHandler_BodyTooLarge(t *testing.T) {
	h, rec := newHandler(t, postmarkConfig)
	body := `{"RecordType":"Delivery","Details":"` + strings.Repeat("x", providers.MaxBody) + `"}`
	if code := post(h, "postmark", body, postmarkAuth("hooks", "s3cret")); code != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d, want 413", code)
	}
	wantEvents(t, rec)
}

// TestHandler_RecorderFails: the provider is told to retry (5xx) when an event could not be
// recorded.
func TestHandler_RecorderFails(t *testing.T) {
	h, rec := newHandler(t, postmarkConfig)
	rec.fail = true
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

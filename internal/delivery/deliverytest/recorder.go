package deliverytest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/delivery"
)

// Recorder is a delivery.Recorder that keeps the events it is given, for the tests of what
// turns a provider's post or a returned message into events; it fails as a
// database that is down would (SetFail).
type Recorder struct {
	mu     sync.Mutex
	events []delivery.Event
	fail   bool
}

// SetFail makes every later Record fail (fail true) or keep its event again; safe while a
// server under test records from its own goroutines.
func (r *Recorder) SetFail(fail bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = fail
}

// Record keeps e, or fails after SetFail(true).
func (r *Recorder) Record(_ context.Context, e delivery.Event) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return false, errors.New("database down")
	}
	r.events = append(r.events, e)
	return true, nil
}

// Events are the events kept so far, in the order they came.
func (r *Recorder) Events() []delivery.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery.Event(nil), r.events...)
}

// WantEvents checks that rec got exactly want, in order (times compared as instants).
func WantEvents(t *testing.T, rec *Recorder, want ...delivery.Event) {
	t.Helper()
	got := rec.Events()
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

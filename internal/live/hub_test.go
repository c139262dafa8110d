package live_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/live"
)

func TestParseChange(t *testing.T) {
	p, id := uuid.New(), uuid.New()
	for _, tc := range []struct {
		payload string
		want    live.Kind
		wantErr bool
	}{
		{`{"k":"invite","p":"` + p.String() + `","ids":["` + id.String() + `"]}`, live.KindInvite, false},
		{`{"k":"activity","p":"` + p.String() + `","ids":["` + id.String() + `"]}`, live.KindActivity, false},
		{`{"k":"member","p":"` + p.String() + `","ids":["` + id.String() + `"]}`, live.KindMember, false},
		{`{"k":"other","p":"` + p.String() + `","ids":[]}`, "", true},
		{`{"k":"invite","p":"nonsense"}`, "", true},
		{`not json`, "", true},
	} {
		c, err := live.ParseChange(tc.payload)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseChange(%s): error %v, want error %v", tc.payload, err, tc.wantErr)
			continue
		}
		if !tc.wantErr && (c.Kind != tc.want || c.Project != p || len(c.IDs) != 1 || c.IDs[0] != id) {
			t.Errorf("ParseChange(%s) = %+v", tc.payload, c)
		}
	}
}

// Each project's changes reach its subscribers only; a subscriber that falls behind is ended
// rather than blocking Publish; Close ends everyone and refuses new subscribers.
func TestHub(t *testing.T) {
	h := live.NewHub(2)
	p1, p2 := uuid.New(), uuid.New()
	a, _ := h.Subscribe(p1)
	b, _ := h.Subscribe(p1)
	c, _ := h.Subscribe(p2)
	if n := h.Subscribers(); n != 3 {
		t.Fatalf("%d subscribers, want 3", n)
	}
	change := live.Change{Kind: live.KindInvite, Project: p1, IDs: []uuid.UUID{uuid.New()}}
	h.Publish(change)
	for name, s := range map[string]*live.Sub{"a": a, "b": b} {
		if got := <-s.C(); got.IDs[0] != change.IDs[0] {
			t.Errorf("%s got %+v, want %+v", name, got, change)
		}
	}
	select {
	case got := <-c.C():
		t.Errorf("p2's subscriber got p1's change %+v", got)
	default:
	}

	// b reads nothing: its buffer of 2 fills, and the third change ends it; a keeps up.
	for range 3 {
		h.Publish(change)
		<-a.C()
	}
	n := 0
	for range b.C() {
		n++
	}
	if n != 2 {
		t.Errorf("the slow subscriber got %d changes before its end, want 2", n)
	}
	if got := h.Subscribers(); got != 2 {
		t.Errorf("%d subscribers after the slow one ended, want 2", got)
	}

	a.Close()
	a.Close() // twice is fine
	if _, ok := <-a.C(); ok {
		t.Error("a closed subscriber's channel is open")
	}
	h.Close()
	if _, ok := <-c.C(); ok {
		t.Error("Close left a subscriber's channel open")
	}
	select {
	case <-h.Done():
	default:
		t.Error("Done is open after Close")
	}
	if _, err := h.Subscribe(p1); !errors.Is(err, live.ErrClosed) {
		t.Errorf("Subscribe after Close: %v, want ErrClosed", err)
	}
}

// TestHub_OnClose: what a live connection registers runs when the hub closes, unless the
// connection stopped it first; registered after the close, it runs at once.
func TestHub_OnClose(t *testing.T) {
	h := live.NewHub(1)
	ran := make(chan string, 3)
	stop := h.OnClose(func() { ran <- "stopped" })
	h.OnClose(func() { ran <- "kept" })
	stop()
	h.Close()
	if got := <-ran; got != "kept" || len(ran) != 0 {
		t.Fatalf("ran %q (and %d more), want only kept", got, len(ran))
	}
	h.OnClose(func() { ran <- "late" })
	if got := <-ran; got != "late" {
		t.Fatalf("ran %q, want late", got)
	}
}

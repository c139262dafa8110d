package live_test

import (
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/live"
	"github.com/invites/invites/internal/pgtest"
)

// ended waits until s has ended (its channel closed) and returns the changes it got before.
func ended(tb testing.TB, name string, s *live.Sub) []live.Change {
	tb.Helper()
	var got []live.Change
	timeout := time.After(waitFor)
	for {
		select {
		case c, ok := <-s.C():
			if !ok {
				return got
			}
			got = append(got, c)
		case <-timeout:
			tb.Fatalf("%s has not ended after %s", name, waitFor)
		}
	}
}

// A multi-host URL with target_session_attrs=read-write (as for a failover) is followed: the
// first host answers nothing, the listener listens on the second, and changes come.
func TestListen_MultiHostURL(t *testing.T) {
	single := pgtest.URL(t)
	at := strings.Index(single, "@") + 1
	multi := single[:at] + "127.0.0.1:1," + single[at:]
	if strings.Contains(multi, "?") {
		multi += "&target_session_attrs=read-write"
	} else {
		multi += "?target_session_attrs=read-write"
	}
	hub, ready := listenOn(t, multi)
	waitListening(t, ready)

	f := newFixture(t)
	sub, _ := hub.Subscribe(f.project)
	defer sub.Close()
	ids := f.insertInvites(t, f.db, 1)
	if got, _, _ := collect(sub, 1, waitFor); len(got) != 1 || got[0] != ids[0] {
		t.Errorf("through %s: got %v, want the invite %s", multi, got, ids[0])
	}
}

// Around a gap in listening (the database gone, then back, as in a failover), the hub resyncs:
// streams end when the connection drops, a stream that subscribed during the gap ends when the
// listener listens again (the change committed meanwhile never reached it), and a stream that
// subscribes afterwards gets the changes. The change committed during the gap waits in
// live_changes, so the drainer may still send it after the gap: a late change, which a stream
// that has read the current state takes as one more reason to read it, is allowed there.
func TestListen_ResyncsAroundAGap(t *testing.T) {
	proxy := pgtest.StartProxy(t)
	hub, ready := listenOn(t, proxy.URL)
	waitListening(t, ready)
	f := newFixture(t)

	before, _ := hub.Subscribe(f.project)
	proxy.Cut()
	ended(t, "the stream from before the gap", before)

	during, _ := hub.Subscribe(f.project)
	missed := f.insertInvites(t, f.db, 1) // committed directly, while the listener cannot listen
	proxy.Restore()
	waitListening(t, ready)
	if got := ended(t, "the stream that subscribed during the gap", during); len(got) != 0 {
		t.Errorf("the stream that subscribed during the gap got %v, want nothing (the change %s was missed)", got, missed[0])
	}

	after, _ := hub.Subscribe(f.project)
	defer after.Close()
	ids := f.insertInvites(t, f.db, 1)
	for {
		got, _, _ := collect(after, 1, waitFor)
		if len(got) == 1 && got[0] == ids[0] {
			return
		}
		if len(got) != 1 || got[0] != missed[0] {
			t.Fatalf("after the gap: got %v, want the invite %s (after %s at most)", got, ids[0], missed[0])
		}
	}
}

// A connection whose server vanished without closing it (bytes stop, no error) is found by
// the probe of a quiet connection, and the listener listens again on a new one.
func TestListen_ProbesAQuietConnection(t *testing.T) {
	t.Cleanup(live.SetListenerProbe(200*time.Millisecond, 500*time.Millisecond))
	proxy := pgtest.StartProxy(t)
	hub, ready := listenOn(t, proxy.URL)
	waitListening(t, ready)
	f := newFixture(t)

	proxy.Freeze()
	waitListening(t, ready)
	sub, _ := hub.Subscribe(f.project)
	defer sub.Close()
	ids := f.insertInvites(t, f.db, 1)
	if got, _, _ := collect(sub, 1, waitFor); len(got) != 1 || got[0] != ids[0] {
		t.Errorf("after the frozen connection: got %v, want the invite %s", got, ids[0])
	}
}

package readroute

import (
	"fmt"
	"testing"
	"time"
)

func TestParseLSN(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want LSN
		ok   bool
	}{
		{"0/0", 0, true},
		{"16/B374D848", 0x16_B374D848, true},
		{"FFFFFFFF/FFFFFFFF", 1<<64 - 1, true},
		{"", 0, false},
		{"16B374D848", 0, false},
		{"1/G", 0, false},
		{"100000000/0", 0, false},
	} {
		got, err := ParseLSN(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseLSN(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != tc.in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), tc.in)
		}
	}
}

// TestLagMeter: the lag is the age of the oldest position the primary had written that the
// replica has not replayed; nothing unreplayed is no lag, however old the last write.
func TestLagMeter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	var m lagMeter
	m.written(100, at(0))
	if lag := m.replayed(100, at(500)); lag != 0 {
		t.Errorf("caught up: lag %s, want 0", lag)
	}
	m.written(100, at(600)) // nothing new
	m.written(200, at(700))
	m.written(300, at(900))
	if lag := m.replayed(100, at(1000)); lag != 300*time.Millisecond {
		t.Errorf("200 and 300 unreplayed: lag %s, want 300ms (since 200 was written)", lag)
	}
	if lag := m.replayed(250, at(2000)); lag != 1100*time.Millisecond {
		t.Errorf("300 unreplayed: lag %s, want 1.1s", lag)
	}
	if lag := m.replayed(300, at(5000)); lag != 0 {
		t.Errorf("all replayed: lag %s, want 0", lag)
	}
	for i := range maxPending + 10 {
		m.written(LSN(1000+i), at(6000+i))
	}
	if len(m.pending) != maxPending {
		t.Fatalf("%d samples kept, want at most %d", len(m.pending), maxPending)
	}
	if lag := m.replayed(999, at(7000)); lag != time.Second {
		t.Errorf("bounded samples: lag %s, want 1s (the oldest sample kept)", lag)
	}
}

// TestSessions: a session's last commit is remembered (the greatest), and the memory stays
// within its bound, dropping the oldest generation.
func TestSessions(t *testing.T) {
	s := newSessions(4)
	s.wrote("a", 10)
	s.wrote("a", 5) // an older position does not move it back
	s.wrote("b", 20)
	if got := s.last([]string{"a"}); got != 10 {
		t.Errorf("a: %v, want 10", got)
	}
	if got := s.last([]string{"a", "b", "unknown"}); got != 20 {
		t.Errorf("a or b: %v, want 20", got)
	}
	for i := range 10 {
		s.wrote(fmt.Sprint("k", i), LSN(100+i))
	}
	if n := len(s.cur) + len(s.prev); n > 4 {
		t.Errorf("%d keys kept, want at most 4", n)
	}
	if got := s.last([]string{"k9"}); got != 109 {
		t.Errorf("the newest key: %v, want 109", got)
	}
	if got := s.last([]string{"a"}); got != 0 {
		t.Errorf("the oldest key: %v, want it dropped (0)", got)
	}
}

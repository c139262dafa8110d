package idempotency_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/idempotency"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// clock is a test's time, moved by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const (
	ttl   = 24 * time.Hour
	lease = 90 * time.Second
)

// newStore returns a store on the package's database with a clock of its own, keeping answers
// up to 64 bytes.
func newStore(t *testing.T) (*idempotency.Store, *clock) {
	t.Helper()
	c := &clock{now: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	s, err := idempotency.New(pgtest.DB(t), idempotency.Config{
		Idempotency: config.Idempotency{TTL: ttl, MaxAnswerBytes: 64},
		Lease:       lease,
		Now:         c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// request is a request of scope with a fresh key and the body body.
func request(scope, body string) idempotency.Request {
	return idempotency.Request{Scope: scope, Key: uuid.NewString(), Digest: sha256.Sum256([]byte(body))}
}

// withBody is q with another body.
func withBody(q idempotency.Request, body string) idempotency.Request {
	q.Digest = sha256.Sum256([]byte(body))
	return q
}

var answer = idempotency.Answer{Status: 200, ContentType: "application/json", Body: []byte(`{"data":{"ok":true}}`)}

func begin(t *testing.T, s *idempotency.Store, q idempotency.Request) idempotency.Result {
	t.Helper()
	r, err := s.Begin(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestStore_Begin is the rule: what a second request with the first's key is told, after
// what happened to the first.
func TestStore_Begin(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	// What happened to the first request's claim.
	completed := func(t *testing.T, c *idempotency.Claim) {
		if kept, err := c.Complete(ctx, answer); err != nil || !kept {
			t.Fatalf("Complete = %v, %v; want kept", kept, err)
		}
	}
	running := func(*testing.T, *idempotency.Claim) {}
	released := func(t *testing.T, c *idempotency.Claim) {
		if err := c.Release(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tooLarge := func(t *testing.T, c *idempotency.Claim) {
		big := idempotency.Answer{Status: 200, ContentType: "application/json", Body: bytes.Repeat([]byte("x"), 65)}
		if kept, err := c.Complete(ctx, big); err != nil || kept {
			t.Fatalf("Complete(65 bytes, cap 64) = %v, %v; want not kept", kept, err)
		}
	}
	for _, tc := range []struct {
		name  string
		first func(*testing.T, *idempotency.Claim)
		later time.Duration // how long after the first the second comes
		// second is the second request, from the first.
		second func(idempotency.Request) idempotency.Request
		want   idempotency.Outcome
	}{
		{"SameBodyAfterAnswer", completed, time.Minute, same, idempotency.Replay},
		{"OtherBodyAfterAnswer", completed, time.Minute, other, idempotency.Reused},
		{"SameBodyWhileRunning", running, time.Second, same, idempotency.InFlight},
		{"OtherBodyWhileRunning", running, time.Second, other, idempotency.Reused},
		{"SameBodyAfterRelease", released, time.Second, same, idempotency.Run},
		{"SameBodyAfterAnswerTooLarge", tooLarge, time.Second, same, idempotency.Run},
		{"SameBodyJustBeforeExpiry", completed, ttl - time.Second, same, idempotency.Replay},
		{"SameBodyAfterExpiry", completed, ttl, same, idempotency.Run},
		{"OtherBodyAfterExpiry", completed, ttl + time.Hour, other, idempotency.Run},
		{"SameBodyWithinLease", running, lease - time.Second, same, idempotency.InFlight},
		{"SameBodyAfterLease", running, lease, same, idempotency.Run},
		{"OtherBodyAfterLease", running, lease, other, idempotency.Reused},
		{"OtherCaller", completed, time.Second, otherScope, idempotency.Run},
		{"OtherKey", completed, time.Second, otherKey, idempotency.Run},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := request("user:a", "createInvite(ann)")
			r := begin(t, s, first)
			if r.Outcome != idempotency.Run {
				t.Fatalf("first request: %v, want Run", r.Outcome)
			}
			tc.first(t, r.Claim)
			clk.advance(tc.later)
			got := begin(t, s, tc.second(first))
			if got.Outcome != tc.want {
				t.Fatalf("second request: %v, want %v", got.Outcome, tc.want)
			}
			if tc.want == idempotency.Replay && (got.Answer.Status != answer.Status ||
				got.Answer.ContentType != answer.ContentType || !bytes.Equal(got.Answer.Body, answer.Body)) {
				t.Errorf("replayed %+v, want %+v", got.Answer, answer)
			}
		})
	}
}

func same(q idempotency.Request) idempotency.Request  { return q }
func other(q idempotency.Request) idempotency.Request { return withBody(q, "createInvite(bob)") }

func otherScope(q idempotency.Request) idempotency.Request {
	q.Scope = "client:192.0.2.1"
	return q
}

func otherKey(q idempotency.Request) idempotency.Request {
	q.Key = uuid.NewString()
	return q
}

// TestStore_Begin_AtOnce: requests with one key that really run at once (each on a connection
// of its own, let go together) make one run; the others are told it is running.
func TestStore_Begin_AtOnce(t *testing.T) {
	s, _ := newStore(t)
	const n = 8
	for round := range 5 {
		q := request("user:a", "bulkInvite")
		var runs, inFlight atomic.Int32
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				<-start
				r, err := s.Begin(context.Background(), q)
				switch {
				case err != nil:
					t.Error(err)
				case r.Outcome == idempotency.Run:
					runs.Add(1)
				case r.Outcome == idempotency.InFlight:
					inFlight.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if runs.Load() != 1 || inFlight.Load() != n-1 {
			t.Fatalf("round %d: %d runs and %d in flight of %d requests; want 1 and %d", round, runs.Load(), inFlight.Load(), n, n-1)
		}
	}
}

// TestStore_AtRest: the row holds neither the key nor the answer in the clear; the answer is
// sealed under its request, so that a copy of the database gives no session token.
func TestStore_AtRest(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	q := request("user:a", "logIn(ann, secret)")
	secret := idempotency.Answer{Status: 200, ContentType: "application/json", Body: []byte(`{"token":"s3cr3t-session"}`)}
	if _, err := begin(t, s, q).Claim.Complete(ctx, secret); err != nil {
		t.Fatal(err)
	}
	var rows [][]byte
	err := pgtest.DB(t).NewRaw(`SELECT convert_to(row_to_json(k)::text, 'UTF8') FROM idempotency_keys k`).Scan(ctx, &rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for _, clear := range []string{"s3cr3t", q.Key, "user:a"} {
			if bytes.Contains(row, []byte(clear)) {
				t.Errorf("a row holds %q in the clear: %s", clear, row)
			}
		}
	}
	if got := begin(t, s, q); got.Outcome != idempotency.Replay || string(got.Answer.Body) != string(secret.Body) {
		t.Errorf("replay = %v %s, want the sealed answer back", got.Outcome, got.Answer.Body)
	}
}

// TestStore_Sweep deletes the keys past their TTL, and only those.
func TestStore_Sweep(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	clk.advance(30 * ttl) // past every key that the other tests left, which this sweep deletes
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	old := request("user:a", "old")
	begin(t, s, old)
	clk.advance(ttl - time.Minute)
	young := request("user:a", "young")
	begin(t, s, young)
	clk.advance(time.Minute)
	n, err := s.Sweep(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 (the old key)", n, err)
	}
	if r := begin(t, s, young); r.Outcome != idempotency.InFlight {
		t.Errorf("the young key after the sweep: %v, want InFlight (kept)", r.Outcome)
	}
}

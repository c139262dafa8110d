package live_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/live"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// listening starts a listener on the test database and waits until it listens.
func listening(tb testing.TB) *live.Hub {
	tb.Helper()
	hub, ready := listenOn(tb, pgtest.URL(tb))
	waitListening(tb, ready)
	return hub
}

// listenOn starts a listener on databaseURL, stopped at the test's end; ready receives each
// time it listens (again).
func listenOn(tb testing.TB, databaseURL string) (*live.Hub, <-chan struct{}) {
	tb.Helper()
	hub := live.NewHub(100000)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{}, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		live.Listen(ctx, databaseURL, hub, slog.New(slog.NewTextHandler(io.Discard, nil)), func() { ready <- struct{}{} })
	}()
	tb.Cleanup(func() { cancel(); <-done })
	return hub, ready
}

// waitListening waits until the listener listens (again).
func waitListening(tb testing.TB, ready <-chan struct{}) {
	tb.Helper()
	select {
	case <-ready:
	case <-time.After(waitFor):
		tb.Fatalf("the listener is not listening after %s", waitFor)
	}
}

type fixture struct {
	db      *bun.DB
	project uuid.UUID
	user    uuid.UUID
}

func newFixture(tb testing.TB) fixture {
	tb.Helper()
	f := fixture{db: pgtest.DB(tb), project: uuid.New(), user: uuid.New()}
	f.exec(tb, `INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, 'U', 'x', now())`, f.user, f.user.String()+"@example.test")
	f.exec(tb, `INSERT INTO projects (id, name, created_at) VALUES (?, 'P', now())`, f.project)
	return f
}

func (f fixture) exec(tb testing.TB, query string, args ...any) {
	tb.Helper()
	if _, err := f.db.ExecContext(context.Background(), query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

// insertInvites inserts n pending invites of the project in one statement and returns their IDs.
func (f fixture) insertInvites(tb testing.TB, db bun.IDB, n int) []uuid.UUID {
	tb.Helper()
	var ids []uuid.UUID
	err := db.NewRaw(`INSERT INTO invites (id, email, project_id, role, inviter_id, token_hash, status, expires_at, created_at, updated_at)
		SELECT gen_random_uuid(), 'i' || g || '-' || gen_random_uuid() || '@example.test', ?, 'CONTRIBUTOR', ?, decode(md5(gen_random_uuid()::text), 'hex'), 'PENDING', now() + interval '1 day', now(), now()
		FROM generate_series(1, ?) AS g RETURNING id`, f.project, f.user, n).Scan(context.Background(), &ids)
	if err != nil {
		tb.Fatal(err)
	}
	return ids
}

// waitFor is how long a test waits for a change that must come: generous, for a machine whose
// cores other work keeps busy; the wait ends when the change comes.
const waitFor = 60 * time.Second

// quietFor is how long a test waits for a change that must not come: a loaded machine can
// only make this check miss a change, never fail one that is right.
const quietFor = time.Second

// collect reads changes from s until want IDs have come or quiet passes with none.
func collect(s *live.Sub, want int, quiet time.Duration) (ids []uuid.UUID, notifications int, kinds map[live.Kind]int) {
	kinds = map[live.Kind]int{}
	for len(ids) < want || want == 0 {
		select {
		case c := <-s.C():
			ids = append(ids, c.IDs...)
			notifications++
			kinds[c.Kind]++
		case <-time.After(quiet):
			return
		}
	}
	return
}

func sorted(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	sort.Strings(out)
	return out
}

// The triggers publish what subscribers show, from the change's transaction, set-based: 10,000
// invites written by one statement are 100 notifications of 100 IDs, nothing is published by a
// transaction rolled back, and changes that no subscriber shows are not published.
func TestTriggers(t *testing.T) {
	hub := listening(t)
	f := newFixture(t)
	ctx := context.Background()
	sub, _ := hub.Subscribe(f.project)
	defer sub.Close()

	// 10,000 invites in one statement.
	ids := f.insertInvites(t, f.db, 10000)
	got, notifications, kinds := collect(sub, len(ids), waitFor)
	if !slices.Equal(sorted(got), sorted(ids)) || notifications != 100 || kinds[live.KindInvite] != 100 {
		t.Errorf("10,000 invites: %d IDs (%d right) in %d notifications of kinds %v, want all 10,000 in 100 invite notifications",
			len(got), len(ids), notifications, kinds)
	}

	// Rolled back: nothing.
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.insertInvites(t, tx, 3)
	tx.Rollback()

	type step struct {
		name  string
		sql   string
		args  []any
		kind  live.Kind
		wantN int // IDs published
	}
	emailID := uuid.New()
	one := ids[0]
	steps := []step{
		{"rolled back insert, then an update of updated_at only", `UPDATE invites SET updated_at = now() WHERE id = ?`, []any{one}, "", 0},
		{"status", `UPDATE invites SET status = 'REVOKED', ended_at = now() WHERE id = ?`, []any{one}, live.KindInvite, 1},
		{"role of two", `UPDATE invites SET role = 'ADMIN' WHERE id IN (?, ?)`, []any{ids[1], ids[2]}, live.KindInvite, 2},
		{"latest email", `INSERT INTO emails (project_id, id, kind, recipient, subject, params, link, status, created_at, updated_at) VALUES (?, ?, 'invite', 'x@example.test', 's', '{}', '', 'QUEUED', now(), now());
			UPDATE invites SET email_id = ? WHERE id = ?`, []any{f.project, emailID, emailID, ids[3]}, live.KindInvite, 1},
		{"email sent", `UPDATE emails SET status = 'SENT', sent_at = now() WHERE id = ?`, []any{emailID}, live.KindInvite, 1},
		{"email attempts only", `UPDATE emails SET attempts = attempts + 1 WHERE id = ?`, []any{emailID}, "", 0},
		{"activity", `INSERT INTO activity_events (id, project_id, name, created_at) SELECT gen_random_uuid(), ?, 'Created User Invite', now() FROM generate_series(1, 3)`, []any{f.project}, live.KindActivity, 3},
		{"activity of no project", `INSERT INTO activity_events (id, project_id, name, created_at) VALUES (gen_random_uuid(), ?, 'Created User Invite', now())`, []any{invites.ServiceProjectID}, "", 0},
		{"member added", `INSERT INTO project_members (id, project_id, user_id, role, created_at, updated_at) VALUES (gen_random_uuid(), ?, ?, 'ADMIN', now(), now())`, []any{f.project, f.user}, "", 0},
		{"member demoted", `UPDATE project_members SET role = 'CONTRIBUTOR' WHERE project_id = ?`, []any{f.project}, live.KindMember, 1},
		{"member external ID only", `UPDATE project_members SET external_id = 'E' WHERE project_id = ?`, []any{f.project}, "", 0},
		{"member removed", `DELETE FROM project_members WHERE project_id = ?`, []any{f.project}, live.KindMember, 1},
	}
	for _, s := range steps {
		f.exec(t, s.sql, s.args...)
		quiet := waitFor // IDs that must come, then no wait for more
		if s.wantN == 0 {
			quiet = quietFor
		}
		got, _, kinds := collect(sub, s.wantN, quiet)
		if len(got) != s.wantN || (s.wantN > 0 && kinds[s.kind] == 0) {
			t.Errorf("%s: %d IDs of kinds %v, want %d of %q", s.name, len(got), kinds, s.wantN, s.kind)
		}
		if s.kind == live.KindMember && s.wantN == 1 && got[0] != f.user {
			t.Errorf("%s: ID %s, want the user %s", s.name, got[0], f.user)
		}
	}
}

// BenchmarkCommitToSubscriber: the delay from a transaction's COMMIT being sent to its change
// reaching a subscriber of this process's hub (the row in live_changes, the drainer's next
// drain and its NOTIFY, the listener's connection, the hub). Reported as
// p50 and p99 over b.N changes (make bench runs 1,000).
func BenchmarkCommitToSubscriber(b *testing.B) {
	hub := listening(b)
	f := newFixture(b)
	sub, _ := hub.Subscribe(f.project)
	defer sub.Close()
	ctx := context.Background()
	delays := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		tx, err := f.db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO activity_events (id, project_id, name, created_at) VALUES (gen_random_uuid(), ?, 'Bench', now())`, f.project); err != nil {
			b.Fatal(err)
		}
		committed := time.Now() // the COMMIT's round trip counted: the notification may come first
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		select {
		case <-sub.C():
			delays = append(delays, time.Since(committed))
		case <-time.After(10 * time.Second):
			b.Fatal("no change 10s after the commit")
		}
	}
	b.StopTimer()
	slices.Sort(delays)
	p := func(q float64) time.Duration { return delays[min(len(delays)-1, int(q*float64(len(delays))))] }
	b.ReportMetric(float64(p(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99-ms")
	b.Logf("%d changes: commit to subscriber p50 %s, p99 %s, max %s", len(delays), p(0.50), p(0.99), delays[len(delays)-1])
}

// BenchmarkInsert10000Invites: what the triggers add to a bulk invite's insert of 10,000
// invites in one statement (run with and without the live trigger, each in a transaction
// rolled back).
func BenchmarkInsert10000Invites(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	for _, withTrigger := range []bool{false, true} {
		name := "without-live-trigger"
		if withTrigger {
			name = "with-live-trigger"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				tx, err := f.db.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				if !withTrigger {
					if _, err := tx.ExecContext(ctx, `ALTER TABLE invites DISABLE TRIGGER live_invites_inserted`); err != nil {
						b.Fatal(err)
					}
				}
				f.insertInvites(b, tx, 10000)
				tx.Rollback()
			}
		})
	}
}

package invites_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/pgtest"
)

// writers is how many callers write to one project at once.
const writers = 10

// BenchmarkCreateInvite_OneProject measures createInvite by 10 callers at once (10 admins of
// one project, each on a connection of its own) next to the database's own rate for a
// transaction writing the same rows (rawInviteTx, checked by TestRawInviteTx_SameRows),
// through database/sql at 10 connections, as pgbench would (triggers included). The two take
// turns in 4 rounds of b.N/4 each, so that a machine whose load swings weighs on both alike.
// It reports both rates and their ratio (issue 25 asks 0.25 or more).
func BenchmarkCreateInvite_OneProject(b *testing.B) {
	const rounds = 4
	db := pgtest.DB(b)
	db.DB.SetMaxOpenConns(writers + 2)
	ctx := context.Background()
	s := newServices(b, db, newClock(), func(d *config.Domain) { d.InviteRateLimit = 1 << 30 }).Invites
	projectID, admins := benchProject(b, db, writers)
	api := func(w, _ int) error {
		_, err := s.CreateInvite(ctx, admins[w], invites.CreateInviteInput{Email: uniqueEmail("bench"), ProjectID: &projectID, Role: ptr(invites.RoleContributor)})
		return err
	}
	raw := func(w, _ int) error { return rawInviteTx(ctx, db.DB, projectID, admins[w], uniqueEmail("raw")) }
	runWriters(b, writers, func(w, i int) error { return rawInviteTx(ctx, db.DB, projectID, admins[w], fmt.Sprintf("warm-%d", i)) })
	n := max(b.N/rounds, writers)
	var apiTime, rawTime time.Duration
	b.ResetTimer()
	for range rounds {
		apiTime += runWriters(b, n, api)
		rawTime += runWriters(b, n, raw)
	}
	b.StopTimer()
	apiRate, rawRate := float64(n*rounds)/apiTime.Seconds(), float64(n*rounds)/rawTime.Seconds()
	b.ReportMetric(apiRate, "invites/s")
	b.ReportMetric(rawRate, "raw-tx/s")
	b.ReportMetric(apiRate/rawRate, "x-raw")
}

// runWriters runs fn n times over the writers (fn's w) and returns how long that took.
func runWriters(b *testing.B, n int, fn func(w, i int) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)); i <= n; i = int(next.Add(1)) {
				if err := fn(w, i); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// benchProject makes a project with an owner and n admins (verified) and returns the admins.
func benchProject(b testing.TB, db *bun.DB, n int) (uuid.UUID, []uuid.UUID) {
	ctx := context.Background()
	project := uuid.New()
	if _, err := db.ExecContext(ctx, "INSERT INTO projects (id, name, created_at) VALUES (?, 'Bench', now())", project); err != nil {
		b.Fatal(err)
	}
	users := make([]uuid.UUID, n+1)
	for i := range users {
		users[i] = uuid.New()
		role := invites.RoleAdmin
		if i == 0 {
			role = invites.RoleOwner
		}
		_, err := db.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, email_verified_at, created_at)
			VALUES (?, ?, 'Bench', 'x', now(), now())`, users[i], uniqueEmail("admin"))
		if err == nil {
			_, err = db.ExecContext(ctx, `INSERT INTO project_members (id, project_id, user_id, role, created_at, updated_at)
				VALUES (?, ?, ?, ?, now(), now())`, uuid.New(), project, users[i], role)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	return project, users[1:]
}

// rawInviteTx writes, in one transaction, the rows that createInvite writes for an invite to a
// project, each table's rows by one statement as a pgbench script would: the email, its River
// job (send_emails, as the mail queue inserts it), the inviter's hourly quota and the
// recipient's daily quota (upserts, as createInvite takes them), the invite, and its four
// activity events; the live triggers add their live_changes rows to both alike.
func rawInviteTx(ctx context.Context, db *sql.DB, project, inviter uuid.UUID, email string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	emailID, inviteID := uuid.New(), uuid.New()
	for _, st := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO emails (project_id, id, kind, recipient, subject, params, link, status, created_at, updated_at)
			VALUES ($1, $2, 'invitation', $3, 'You are invited', '{}', '', 'QUEUED', now(), now())`, []any{project, emailID, email}},
		{`INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, scheduled_at)
			VALUES (jsonb_build_object('email_ids', jsonb_build_array($1::uuid)), 'send_emails', 25, 1, 'default', 'available', now())`, []any{emailID}},
		{`INSERT INTO invite_quota (inviter_id, window_start, sent) VALUES ($1, date_trunc('hour', now()), 1)
			ON CONFLICT (inviter_id, window_start) DO UPDATE SET sent = invite_quota.sent + EXCLUDED.sent`, []any{inviter}},
		{`INSERT INTO invite_recipient_quota (email, day, sent) VALUES ($1, current_date, 1)
			ON CONFLICT (email, day) DO UPDATE SET sent = invite_recipient_quota.sent + 1`, []any{email}},
		{`INSERT INTO invites (id, email, project_id, role, inviter_id, token_hash, status, email_id, expires_at, created_at, updated_at)
			VALUES ($1, $2, $3, 'CONTRIBUTOR', $4, $5, 'PENDING', $6, now() + interval '7 days', now(), now())`,
			[]any{inviteID, email, project, inviter, inviteID[:], emailID}},
		{`INSERT INTO activity_events (id, project_id, name, actor_id, invite_id, email, created_at)
			SELECT gen_random_uuid(), $1, e.name, CASE WHEN e.actor THEN $2::uuid END, $3, $4, now()
			FROM (VALUES ($5, true), ($6, false), ($7, true), ($8, false)) AS e (name, actor)`,
			[]any{project, inviter, inviteID, email, invites.EventCreatedUserInvite, invites.EventUserInvited,
				invites.EventInvitedToProject, invites.EventInvitedToProjectInvitee}},
	} {
		if _, err := tx.ExecContext(ctx, st.sql, st.args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// rawInviteTx writes the rows that createInvite writes for an invite to a project (the bar of
// BenchmarkCreateInvite_OneProject): as many in each table, live changes included.
func TestRawInviteTx_SameRows(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()
	s := newServices(t, db, newClock(), func(d *config.Domain) { d.InviteRateLimit = 1 << 30 }).Invites
	projectID, admins := benchProject(t, db, 1)
	tables := []string{"emails", "river_job", "invite_quota", "invite_recipient_quota", "invites", "activity_events", "live_changes"}
	// Each table's rows and, for the quotas, their counts: a quota taken again is an update.
	counts := func() map[string]int {
		got := map[string]int{}
		for _, table := range tables {
			var n int
			q := "SELECT count(*) FROM " + table
			if strings.Contains(table, "quota") {
				q = "SELECT COALESCE(sum(sent), 0) FROM " + table
			}
			if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			got[table] = n
		}
		return got
	}
	written := func(write func() error) map[string]int {
		before := counts()
		if err := write(); err != nil {
			t.Fatal(err)
		}
		after := counts()
		for table := range after {
			after[table] -= before[table]
		}
		return after
	}
	api := written(func() error {
		_, err := s.CreateInvite(ctx, admins[0], invites.CreateInviteInput{Email: uniqueEmail("api"), ProjectID: &projectID, Role: ptr(invites.RoleContributor)})
		return err
	})
	raw := written(func() error { return rawInviteTx(ctx, db.DB, projectID, admins[0], uniqueEmail("raw")) })
	for _, table := range tables {
		if raw[table] != api[table] || api[table] == 0 {
			t.Errorf("%s: raw transaction wrote %d, createInvite %d; want the same, not 0", table, raw[table], api[table])
		}
	}
}

package webhooks_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/pgtest"
	"github.com/invites/invites/internal/webhooks"
)

// A project's count of enabled endpoints, which lets an invite skip the deliveries' statement
// where it is 0, follows every change of its endpoints.
func TestEnabledEndpointCount(t *testing.T) {
	ctx := context.Background()
	e := newEnvIdle(t, pgtest.DB(t), nil, time.Hour, mail.NewLogSender(quiet))
	owner, p := e.project(t)
	rc := newReceiver(t)
	want := func(step string, n int) {
		t.Helper()
		if got := e.enabledEndpoints(t, p.ID); got != n {
			t.Fatalf("%s: enabled_webhook_endpoints = %d, want %d", step, got, n)
		}
	}
	want("none", 0)
	a := e.endpoint(t, owner.ID, p.ID, rc, nil)
	b := e.endpoint(t, owner.ID, p.ID, rc, []string{"invite.created"})
	want("two created", 2)
	e.setEnabled(t, owner.ID, a, false)
	want("one disabled", 1)
	e.setEnabled(t, owner.ID, a, false)
	want("disabled again", 1)
	if _, err := e.hooks.Update(ctx, owner.ID, b.ID, nil, []string{"member.joined"}, nil); err != nil {
		t.Fatal(err)
	}
	want("events changed", 1)
	if err := e.hooks.Delete(ctx, owner.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	want("the disabled one deleted", 1)
	e.setEnabled(t, owner.ID, b, true)
	want("enabled again", 1)
	if err := e.hooks.Delete(ctx, owner.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	want("both deleted", 0)
	// Without an enabled endpoint an invite writes no delivery, with one it does.
	c := e.endpoint(t, owner.ID, p.ID, rc, nil)
	e.setEnabled(t, owner.ID, c, false)
	off := e.invite(t, owner.ID, p.ID, uniqueEmail("off"), invites.RoleContributor)
	e.setEnabled(t, owner.ID, c, true)
	on := e.invite(t, owner.ID, p.ID, uniqueEmail("on"), invites.RoleContributor)
	if n := e.inviteDeliveries(t, off.ID); n != 0 {
		t.Fatalf("an invite with no enabled endpoint has %d deliveries", n)
	}
	if n := e.inviteDeliveries(t, on.ID); n == 0 {
		t.Fatal("an invite with an enabled endpoint has no delivery")
	}
}

// An endpoint enabled while an invite is being written either commits after the invite does,
// or the invite writes its delivery: never an enabled endpoint missing an invite committed
// after it. The invite reads the count with the project's row locked FOR SHARE, and the
// count's trigger updates that row.
func TestEndpointEnabledDuringInvite(t *testing.T) {
	ctx := context.Background()
	e := newEnvIdle(t, pgtest.DB(t), nil, time.Hour, mail.NewLogSender(quiet))
	owner, p := e.project(t)
	ep := e.endpoint(t, owner.ID, p.ID, newReceiver(t), nil)
	e.setEnabled(t, owner.ID, ep, false)

	t.Run("invite first: the endpoint waits for its commit", func(t *testing.T) {
		// The invite's checks wait on a row the test holds (an expired invite to the same
		// email, which the checks expire), the invite holding the project's lock meanwhile.
		email := uniqueEmail("first")
		old := e.invite(t, owner.ID, p.ID, email, invites.RoleContributor)
		if _, err := e.db.ExecContext(ctx, "UPDATE invites SET expires_at = now() - interval '1 minute' WHERE id = ?", old.ID); err != nil {
			t.Fatal(err)
		}
		hold, err := e.db.DB.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer hold.Rollback()
		if _, err := hold.ExecContext(ctx, "SELECT 1 FROM invites WHERE id = $1 FOR UPDATE", old.ID); err != nil {
			t.Fatal(err)
		}
		invited := e.inviteAsync(owner.ID, p.ID, email)
		e.waitLocked(t, "%WITH x AS (UPDATE%")
		enabled := make(chan error, 1)
		go func() {
			on := true
			_, err := e.hooks.Update(ctx, owner.ID, ep.ID, nil, nil, &on)
			enabled <- err
		}()
		e.waitLocked(t, `%UPDATE "webhook_endpoints"%`)
		if err := hold.Rollback(); err != nil {
			t.Fatal(err)
		}
		r := <-invited
		if r.err != nil {
			t.Fatal(r.err)
		}
		if err := <-enabled; err != nil {
			t.Fatal(err)
		}
		if n := e.inviteDeliveries(t, r.inv.ID); n != 0 {
			t.Fatalf("the invite committed before the endpoint was enabled has %d deliveries", n)
		}
		e.setEnabled(t, owner.ID, ep, false)
	})

	t.Run("endpoint first: the invite waits and writes its delivery", func(t *testing.T) {
		tx, err := e.db.DB.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "UPDATE webhook_endpoints SET enabled = true WHERE id = $1", ep.ID); err != nil {
			t.Fatal(err)
		}
		invited := e.inviteAsync(owner.ID, p.ID, uniqueEmail("second"))
		e.waitLocked(t, "%FOR SHARE%")
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		r := <-invited
		if r.err != nil {
			t.Fatal(r.err)
		}
		if n := e.inviteDeliveries(t, r.inv.ID); n == 0 {
			t.Fatal("the invite committed after the endpoint was enabled has no delivery")
		}
	})
}

type inviteResult struct {
	inv *invites.Invite
	err error
}

// inviteAsync invites email into project p as actor on a goroutine of its own.
func (e *env) inviteAsync(actor, p uuid.UUID, email string) <-chan inviteResult {
	done := make(chan inviteResult, 1)
	go func() {
		inv, err := e.svc.CreateInvite(context.Background(), actor, invites.CreateInviteInput{Email: email, ProjectID: &p, Role: ptrRole(invites.RoleContributor)})
		done <- inviteResult{inv, err}
	}()
	return done
}

func ptrRole(r invites.Role) *invites.Role { return &r }

// waitLocked waits until a statement of this database matching the LIKE pattern waits for a
// lock.
func (e *env) waitLocked(t testing.TB, pattern string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		var n int
		err := e.db.QueryRowContext(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ?`, pattern).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no statement like %q waited for a lock within %s", pattern, waitFor)
}

func (e *env) setEnabled(t testing.TB, actor uuid.UUID, ep *webhooks.Endpoint, enabled bool) {
	t.Helper()
	if _, err := e.hooks.Update(context.Background(), actor, ep.ID, nil, nil, &enabled); err != nil {
		t.Fatal(err)
	}
}

func (e *env) enabledEndpoints(t testing.TB, project uuid.UUID) int {
	t.Helper()
	var n int
	if err := e.db.QueryRowContext(context.Background(), "SELECT enabled_webhook_endpoints FROM projects WHERE id = ?", project).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// inviteDeliveries counts the deliveries of the invite's events.
func (e *env) inviteDeliveries(t testing.TB, invite uuid.UUID) int {
	t.Helper()
	var n int
	err := e.db.QueryRowContext(context.Background(), `SELECT count(*) FROM webhook_deliveries AS d
		JOIN activity_events AS ev ON ev.id = d.event_id WHERE ev.invite_id = ?`, invite).Scan(&n)
	if err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return n
}

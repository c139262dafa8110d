package webhooks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/pgtest"
	"github.com/invites/invites/internal/webhooks"
)

// bulkRows are n new rows.
func bulkRows(n int) []invites.BulkRow {
	rows := make([]invites.BulkRow, n)
	for i := range rows {
		rows[i] = invites.BulkRow{Row: i + 1, Email: uniqueEmail("bulk")}
	}
	return rows
}

// countedBulk runs a bulk invite of n rows through services on a statement-counting pool,
// with a webhook endpoint on the project or none, and returns the statements it took.
func countedBulk(t testing.TB, e *env, n int, endpointURL string) (int, []string, time.Duration) {
	t.Helper()
	ctx := context.Background()
	owner, p := e.project(t)
	if endpointURL != "" {
		if _, _, err := e.hooks.Create(ctx, owner.ID, p.ID, endpointURL, []string{"invite.created"}); err != nil {
			t.Fatal(err)
		}
	}
	// Services of their own for each measure: River sends a NOTIFY with the first insert of a
	// client, so a shared client would count it or not by the clock.
	db, counter := pgtest.CountingDB(t)
	hooks, err := webhooks.New(ctx, db, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	queue, err := mail.NewQueue(db, mail.QueueConfig{Mail: config.Default().Mail, Sender: mail.NewLogSender(quiet)})
	if err != nil {
		t.Fatal(err)
	}
	icfg := invites.Config{Domain: config.Default().Domain, EventHook: hooks, Password: invites.PasswordParams{Memory: 1024, Time: 1, Threads: 1}}
	icfg.AppURL, icfg.InviteRecipientDailyLimit, icfg.InviteRateLimit = "https://app.example", 0, 0
	counted := invites.New(db, queue, icfg)
	counter.Reset()
	start := time.Now()
	out, err := counted.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, Rows: bulkRows(n), DefaultRole: invites.RoleContributor})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if out.Summary.NewInvitations != n {
		t.Fatalf("%d new invitations, want %d", out.Summary.NewInvitations, n)
	}
	return counter.Count(), counter.Statements(), took
}

// A bulk invite stays a fixed number of statements with webhooks: the deliveries' INSERT ...
// SELECT from the events (run for a project without endpoints too, where it writes nothing),
// and, when it wrote deliveries, their jobs' insert and River's NOTIFY of their queue.
func TestBulkInviteStatements(t *testing.T) {
	e := newEnv(t, pgtest.DB(t), nil)
	rc := newReceiver(t)
	without, _, _ := countedBulk(t, e, 10, "")
	withSmall, smallStatements, _ := countedBulk(t, e, 10, rc.URL)
	withLarge, largeStatements, _ := countedBulk(t, e, 500, rc.URL)
	t.Logf("statements: %d without an endpoint; with one, %d for 10 rows and %d for 500", without, withSmall, withLarge)
	if withSmall != withLarge {
		t.Errorf("statements: %d for 10 rows, %d for 500; want equal\nsmall:\n%s\nlarge:\n%s", withSmall, withLarge,
			strings.Join(smallStatements, "\n"), strings.Join(largeStatements, "\n"))
	}
	if withLarge != without+2 {
		t.Errorf("statements: %d with an endpoint, %d without; want two more (the jobs' insert, River's NOTIFY)\n%s",
			withLarge, without, strings.Join(largeStatements, "\n"))
	}
	// The posts go out after the commit: all of them, each once.
	rc.trust("") // the receiver does not know these endpoints' secrets: count them as refused
	waitPosts(t, rc, 510)
}

// waitPosts waits until the receiver has taken n posts, signed or not.
func waitPosts(t testing.TB, rc *receiver, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rc.mu.Lock()
		got := len(rc.bad) + len(rc.got)
		rc.mu.Unlock()
		if got >= n {
			if got != n {
				t.Errorf("%d posts, want %d", got, n)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d posts after 30s, want %d", got, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

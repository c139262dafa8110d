package webhooks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
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
// with the receiver's endpoint on the project or none (rc nil), and returns the statements it
// took and its time.
func countedBulk(t testing.TB, e *env, n int, rc *receiver) (int, []string, time.Duration) {
	return countedBulkHooked(t, e, n, rc, true)
}

// countedBulkHooked is countedBulk with the webhook hook left out of the domain when hooked
// is false: the domain as it was before webhooks.
func countedBulkHooked(t testing.TB, e *env, n int, rc *receiver, hooked bool) (int, []string, time.Duration) {
	t.Helper()
	ctx := context.Background()
	owner, p := e.project(t)
	if rc != nil {
		e.endpoint(t, owner.ID, p.ID, rc, []string{"invite.created"})
	}
	// Services of their own for each measure: River sends a NOTIFY with the first insert of a
	// client, so a shared client would count it or not by the clock. Their deliveries are
	// posted by e's running jobs.
	db, counter := pgtest.CountingDB(t)
	s := newServices(t, db, e.cfg, e.opts)
	counted := s.Invites
	if !hooked {
		counted = invites.New(db, s.Mail, invites.Config{Domain: e.cfg.Domain, Password: e.opts.Password})
	}
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
	without, _, _ := countedBulk(t, e, 10, nil)
	withSmall, smallStatements, _ := countedBulk(t, e, 10, rc)
	withLarge, largeStatements, _ := countedBulk(t, e, 500, rc)
	t.Logf("statements: %d without an endpoint; with one, %d for 10 rows and %d for 500", without, withSmall, withLarge)
	if withSmall != withLarge {
		t.Errorf("statements: %d for 10 rows, %d for 500; want equal\nsmall:\n%s\nlarge:\n%s", withSmall, withLarge,
			strings.Join(smallStatements, "\n"), strings.Join(largeStatements, "\n"))
	}
	if withLarge != without+2 {
		t.Errorf("statements: %d with an endpoint, %d without; want two more (the jobs' insert, River's NOTIFY)\n%s",
			withLarge, without, strings.Join(largeStatements, "\n"))
	}
	// The posts go out after the commit: all of them, each once, signed.
	got := rc.waitAccepted(t, 510, 2*waitFor)
	ids := map[string]bool{}
	for _, m := range got {
		ids[m.ID] = true
	}
	if len(ids) != 510 || len(got) != 510 || len(rc.bad) != 0 {
		t.Errorf("%d posts of %d messages (%d refused), want 510 of 510", len(got), len(ids), len(rc.bad))
	}
}

// BenchmarkBulkInvite_Webhooks: a bulk invite of 10,000 rows without and with one webhook
// endpoint: the call's time and statements, and with the endpoint, the time from the commit
// until the receiver (in-process, answering at once) has all 10,000 invite.created posts and
// until its first (the wait for the webhooks queue's poll), the rate that makes, the WAL the
// server wrote meanwhile per delivery (the whole server's: other work on it counts too), and
// the River jobs the bulk queued on the webhooks queue (the server's
// default workers, poll interval and endpoint concurrency; the same River client sends the
// emails meanwhile). The last case is a receiver that answers each post after 200 ms, with a
// bulk of 1,000 rows.
func BenchmarkBulkInvite_Webhooks(b *testing.B) {
	e := newEnvPolling(b, pgtest.DB(b), func(c *webhooks.Config) {
		def := config.Default().Webhooks
		c.Workers, c.Timeout, c.EndpointConcurrency = def.Workers, def.Timeout, def.EndpointConcurrency
	}, config.Default().Jobs.PollInterval)
	for _, v := range []struct {
		name                 string
		rows                 int
		hooked, withEndpoint bool
		delay                time.Duration
	}{
		{"webhooks off", 10000, false, false, 0}, {"no endpoint", 10000, true, false, 0},
		{"one endpoint", 10000, true, true, 0}, {"one endpoint answering in 200ms", 1000, true, true, 200 * time.Millisecond},
	} {
		b.Run(v.name, func(b *testing.B) {
			var statements, jobs int
			var call, delivered, firstPost time.Duration
			var wal float64
			for range b.N {
				var rc *receiver
				if v.withEndpoint {
					rc = newReceiver(b)
					rc.delay = v.delay
				}
				before := webhookJobs(b, e)
				n, _, took := countedBulkHooked(b, e, v.rows, rc, v.hooked)
				statements, call = n, call+took
				if rc != nil {
					start, lsn := time.Now(), walPosition(b, e)
					got := rc.waitAccepted(b, v.rows, 10*time.Minute)
					delivered += time.Since(start)
					wal += walSince(b, e, lsn)
					firstPost += firstArrival(got).Sub(start)
				}
				jobs += webhookJobs(b, e) - before
			}
			b.ReportMetric(float64(statements), "statements")
			b.ReportMetric(call.Seconds()/float64(b.N), "call-s")
			if v.withEndpoint {
				b.ReportMetric(delivered.Seconds()/float64(b.N), "all-delivered-s")
				b.ReportMetric(firstPost.Seconds()/float64(b.N), "first-post-s")
				b.ReportMetric(float64(v.rows*b.N)/delivered.Seconds(), "deliveries/s")
				b.ReportMetric(float64(jobs)/float64(b.N), "webhook-jobs")
				b.ReportMetric(wal/float64(v.rows*b.N), "wal-bytes/delivery")
			}
		})
	}
}

// firstArrival is when the first of ms arrived.
func firstArrival(ms []message) time.Time {
	first := ms[0].Arrival
	for _, m := range ms {
		if m.Arrival.Before(first) {
			first = m.Arrival
		}
	}
	return first
}

// walPosition is the server's current WAL position.
func walPosition(b *testing.B, e *env) string {
	var lsn string
	if err := e.db.NewRaw("SELECT pg_current_wal_lsn()::text").Scan(context.Background(), &lsn); err != nil {
		b.Fatal(err)
	}
	return lsn
}

// walSince is how many bytes of WAL the server (every database on it, this test's and any
// other's) wrote since position lsn.
func walSince(b *testing.B, e *env, lsn string) float64 {
	var n float64
	if err := e.db.NewRaw("SELECT (pg_current_wal_lsn() - ?::pg_lsn)::float8", lsn).Scan(context.Background(), &n); err != nil {
		b.Fatal(err)
	}
	return n
}

// webhookJobs is how many River jobs the webhooks queue has had (River keeps finished jobs for
// a day).
func webhookJobs(b *testing.B, e *env) int {
	n, err := e.db.NewSelect().TableExpr("river_job").Where("queue = 'webhooks'").Count(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return int(n)
}

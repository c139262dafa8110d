package e2e

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgcluster"
	"github.com/invites/invites/internal/pgtest"
)

// inviteOutcome is one createInvite's answer while the primary fails over.
type inviteOutcome struct {
	start, end time.Time
	status     int
	code       string // the first error's extensions.code, "" for none
	id         string // the invite's, when created
	body       string
}

// inviteWriters call createInvite continuously from several goroutines and keep every answer.
type inviteWriters struct {
	base, token, project string

	mu       sync.Mutex
	outcomes []inviteOutcome
	stop     chan struct{}
	wg       sync.WaitGroup
}

func startInviteWriters(t *testing.T, base, token, project string, n int) *inviteWriters {
	w := &inviteWriters{base: base, token: token, project: project, stop: make(chan struct{})}
	for range n {
		w.wg.Add(1)
		go w.write(t)
	}
	t.Cleanup(w.halt)
	return w
}

func (w *inviteWriters) write(t *testing.T) {
	defer w.wg.Done()
	for {
		select {
		case <-w.stop:
			return
		default:
		}
		o, err := w.createInvite()
		if err != nil {
			t.Errorf("createInvite: %v", err)
			return
		}
		w.mu.Lock()
		w.outcomes = append(w.outcomes, o)
		w.mu.Unlock()
		if o.code != "" {
			time.Sleep(20 * time.Millisecond) // pace the fast refusals of an outage
		}
	}
}

// createInvite posts one createInvite and reads its answer.
func (w *inviteWriters) createInvite() (inviteOutcome, error) {
	o := inviteOutcome{start: time.Now()}
	body, _ := json.Marshal(map[string]any{"query": e2eCreateInvite, "variables": map[string]any{
		"i": map[string]any{"email": e2eEmail("failover"), "projectId": w.project, "role": "CONTRIBUTOR"}}})
	req, _ := http.NewRequest(http.MethodPost, w.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return o, err
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			CreateInvite *struct{ ID string }
		}
		Errors e2eErrors
	}
	var raw bytes.Buffer
	if err := json.NewDecoder(io.TeeReader(resp.Body, &raw)).Decode(&r); err != nil {
		return o, err
	}
	o.end, o.status, o.code, o.body = time.Now(), resp.StatusCode, r.Errors.code(), raw.String()
	if r.Data.CreateInvite != nil {
		o.id = r.Data.CreateInvite.ID
	}
	return o, nil
}

// waitAnswers waits until n answers that started after since satisfy ok, and returns when the
// first of them ended.
func (w *inviteWriters) waitAnswers(t *testing.T, what string, since time.Time, n int, ok func(inviteOutcome) bool) time.Time {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		got, first := w.count(since, ok), time.Time{}
		if got >= n {
			w.mu.Lock()
			for _, o := range w.outcomes {
				if o.start.After(since) && ok(o) && (first.IsZero() || o.end.Before(first)) {
					first = o.end
				}
			}
			w.mu.Unlock()
			return first
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d answers %s within a minute, want %d", got, what, n)
		}
	}
}

// count is how many answers that started after since satisfy ok.
func (w *inviteWriters) count(since time.Time, ok func(inviteOutcome) bool) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, o := range w.outcomes {
		if o.start.After(since) && ok(o) {
			n++
		}
	}
	return n
}

// halt stops the writers and waits for their last answers.
func (w *inviteWriters) halt() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	w.wg.Wait()
}

func created(o inviteOutcome) bool { return o.status == http.StatusOK && o.code == "" && o.id != "" }

// TestFailover: the server runs on a multi-host DATABASE_URL (target_session_attrs=read-write)
// over a primary and its synchronous standby while invites are created from four clients. The
// standby's replication is cut off first, so that the primary holds commits the standby never
// got (with asynchronous replication some of them would be answered, and lost). The primary is
// then stopped hard (-m immediate) and the standby promoted: meanwhile createInvite answers
// UNAVAILABLE with HTTP 503, never another error, and /readyz 503; afterwards createInvite
// succeeds again without a restart, every invite whose createInvite answered is in the
// promoted database, the stream of a live subscription from before ends (changes were missed)
// and a new one gets the changes, and the jobs run (an invite's email goes out).
func TestFailover(t *testing.T) {
	cluster := pgcluster.Start(t, pgcluster.Options{Synchronous: true})
	cluster.CreateDatabase("invites")
	replication := replicateThroughProxy(t, cluster)
	smtp := smtptest.Start(t)
	base := startServer(t, map[string]string{
		"DATABASE_URL": cluster.MultiHostURL("invites"), "SMTP_URL": smtp.URL(),
		"APP_URL": "https://app.example", "LIVE_KEEPALIVE": "1s",
	})
	c := e2eClient{t, base}
	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Fay Failover")
	project := c.createProject(owner, "Failover")
	before := dialWS(t, base, owner).subscribe(map[string][2]any{"invites": {liveInviteChanged, map[string]any{"p": project}}})
	waitSubscribers(t, base, 1)

	writers := startInviteWriters(t, base, owner, project, 4)
	writers.waitAnswers(t, "before the failover", time.Time{}, 10, created)
	nextInvite(t, "the subscription from before", before["invites"], func(liveInvite) bool { return true })

	// The standby stops receiving WAL (as when the network between the two fails) until
	// commits are made that it lacks: with synchronous replication none of them is answered.
	replication.Freeze()
	waitUnreplicatedCommits(t, cluster, writers, time.Now())
	cluster.StopPrimary()
	down := time.Now()
	writers.waitAnswers(t, "with the primary down", down, 5, func(inviteOutcome) bool { return true })
	if code, body := httpGet(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the primary down = %d %q, want 503", code, body)
	}
	if m := untilEnd(t, before["invites"]); m.Kind != "complete" {
		t.Errorf("the subscription from before ended with %s %s, want complete", m.Kind, m.Errors)
	}
	promoting := time.Now()
	cluster.Promote()
	recovered := writers.waitAnswers(t, "after the promotion", promoting, 1, created)
	writers.waitAnswers(t, "after recovery", recovered, 10, created)
	writers.halt()
	if code, body := httpGet(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after the promotion = %d %q, want 200", code, body)
	}

	ids := checkFailoverAnswers(t, writers.outcomes, down, promoting, recovered)
	checkAllCommitted(t, cluster.Standby.URL("invites"), ids)
	liveAfterFailover(t, c, smtp, owner, project)
}

// replicateThroughProxy routes the standby's replication connection through a proxy that the
// test can freeze, and waits until the standby streams through it, synchronously.
func replicateThroughProxy(t *testing.T, cluster *pgcluster.Cluster) *pgtest.Proxy {
	t.Helper()
	proxy := pgtest.StartProxyTo(t, fmt.Sprintf("127.0.0.1:%d", cluster.Primary.Port))
	_, port, _ := net.SplitHostPort(proxy.Addr)
	standby := openDB(t, cluster.Standby.URL("postgres"))
	var conninfo string
	if err := standby.QueryRow("SHOW primary_conninfo").Scan(&conninfo); err != nil {
		t.Fatal(err)
	}
	conninfo = regexp.MustCompile(`port=\d+`).ReplaceAllString(conninfo, "port="+port)
	cluster.Standby.Exec("postgres", "ALTER SYSTEM SET primary_conninfo = "+quoteLiteral(conninfo))
	cluster.Standby.Exec("postgres", "SELECT pg_reload_conf()")
	waitTrue(t, standby, "the standby streaming through the proxy",
		"SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming' AND sender_port::text = $1)", port)
	waitTrue(t, openDB(t, cluster.Primary.URL("postgres")), "the standby synchronous through the proxy",
		"SELECT count(*) = 1 AND bool_and(sync_state = 'sync' AND state = 'streaming') FROM pg_stat_replication")
	return proxy
}

// waitUnreplicatedCommits waits until the primary holds commits that the standby lacks: a
// commit waiting for the standby (synchronous replication), or, were replication
// asynchronous, five invites created since frozen.
func waitUnreplicatedCommits(t *testing.T, cluster *pgcluster.Cluster, writers *inviteWriters, frozen time.Time) {
	t.Helper()
	primary := openDB(t, cluster.Primary.URL("postgres"))
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var waiting int
		if err := primary.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'").Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 || writers.count(frozen, created) >= 5 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no commit unreplicated within a minute of the standby's replication stopping")
		}
	}
}

// checkFailoverAnswers checks every answer: created, or UNAVAILABLE with 503; only
// UNAVAILABLE with the primary down, only created after recovery (once the first invite after
// the promotion was answered). It returns the created invites' IDs.
func checkFailoverAnswers(t *testing.T, outcomes []inviteOutcome, down, promoting, recovered time.Time) []string {
	t.Helper()
	var ids []string
	var gap, unavailable, after int
	for _, o := range outcomes {
		switch {
		case created(o):
			ids = append(ids, o.id)
		case o.code == "UNAVAILABLE" && o.status == http.StatusServiceUnavailable:
			unavailable++
		default:
			t.Errorf("%s: HTTP %d %.300s, want an invite or UNAVAILABLE with 503", o.start.Format("15:04:05.000"), o.status, o.body)
		}
		if o.start.After(down) && o.end.Before(promoting) {
			gap++
			if o.code != "UNAVAILABLE" {
				t.Errorf("with the primary down: HTTP %d %.300s, want UNAVAILABLE", o.status, o.body)
			}
		}
		if o.start.After(recovered) {
			after++
			if !created(o) {
				t.Errorf("after recovery: HTTP %d %.300s, want an invite", o.status, o.body)
			}
		}
	}
	t.Logf("%d answers: %d invites created, %d UNAVAILABLE (%d with the primary down), %d after recovery, which was answered %s after the promotion began",
		len(outcomes), len(ids), unavailable, gap, after, recovered.Sub(promoting).Round(time.Millisecond))
	return ids
}

// checkAllCommitted checks that every invite of ids is in the database at url.
func checkAllCommitted(t *testing.T, url string, ids []string) {
	t.Helper()
	var found int
	if err := openDB(t, url).QueryRow(`SELECT count(*) FROM invites WHERE id::text = ANY($1)`, ids).Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != len(ids) {
		t.Errorf("the promoted database has %d of the %d invites whose createInvite answered", found, len(ids))
	}
}

// liveAfterFailover subscribes to the project's invites and creates one: its change reaches
// the subscriber, and its email goes out. A stream may still be ended by the listener's
// resync once it listens on the promoted database: the client then subscribes again, as a
// real one does.
func liveAfterFailover(t *testing.T, c e2eClient, smtp *smtptest.Server, owner, project string) {
	t.Helper()
	for deadline := time.Now().Add(liveWait); time.Now().Before(deadline); {
		stream := dialWS(t, c.base, owner).subscribe(map[string][2]any{"invites": {liveInviteChanged, map[string]any{"p": project}}})["invites"]
		if !subscribed(t, c.base, stream) {
			continue
		}
		email := e2eEmail("after")
		invite := c.createInvite(owner, map[string]any{"email": email, "projectId": project, "role": "CONTRIBUTOR"})
		if m, ok := nextOf(stream, invite.ID); !ok {
			t.Logf("the subscription ended before the invite came (%s); subscribing again", m.Kind)
			continue
		}
		smtp.WaitFor(t, email, 1, mailWait)
		return
	}
	t.Fatalf("no subscription got an invite within %s of the failover", liveWait)
}

// subscribed waits until the server counts one live subscriber, or the stream ends (false).
// A change that comes meanwhile (an invite of the writers, committed before they halted) is
// no end: the subscription stays, and another would make two.
func subscribed(t *testing.T, base string, stream <-chan liveMsg) bool {
	t.Helper()
	var count float64
	for deadline := time.Now().Add(liveWait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case m := <-stream:
			if m.Kind != "next" || len(m.Errors) > 0 {
				return false
			}
		default:
		}
		if count = metricValue(t, base, "invites_live_subscribers"); count == 1 {
			return true
		}
	}
	t.Fatalf("no live subscriber after %s (invites_live_subscribers %v)", liveWait, count)
	return false
}

// nextOf waits for the invite id on stream: true when it comes, false with the message that
// ended the stream first.
func nextOf(stream <-chan liveMsg, id string) (liveMsg, bool) {
	timeout := time.After(liveWait)
	for {
		select {
		case m := <-stream:
			if m.Kind != "next" || len(m.Errors) > 0 {
				return m, false
			}
			var d struct{ InviteChanged liveInvite }
			if json.Unmarshal(m.Data, &d) == nil && d.InviteChanged.ID == id {
				return m, true
			}
		case <-timeout:
			return liveMsg{Kind: "timeout"}, false
		}
	}
}

// untilEnd reads stream's results until the message that ends it.
func untilEnd(t *testing.T, stream <-chan liveMsg) liveMsg {
	t.Helper()
	timeout := time.After(liveWait)
	for {
		select {
		case m := <-stream:
			if m.Kind != "next" {
				return m
			}
		case <-timeout:
			t.Fatalf("the stream has not ended after %s", liveWait)
		}
	}
}

// openDB opens a pool on url, closed at the test's end.
func openDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// waitTrue polls query (one boolean) on db until it is true, for a minute at most.
func waitTrue(t *testing.T, db *sql.DB, what, query string, args ...any) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var ok bool
		err := db.QueryRow(query, args...).Scan(&ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s: %v", what, err)
		}
	}
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

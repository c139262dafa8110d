package e2e

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pglocal"
	"github.com/invites/invites/internal/pgtest"
)

// TestReplicas runs two server processes on one database, as a deployment with two replicas
// does: both migrate at start-up under the advisory lock, an invite made through one is
// claimed through the other, every email goes out exactly once although both replicas work
// the queue, and the periodic sweep is enqueued by one replica only and still expires invites.
func TestReplicas(t *testing.T) {
	const (
		invitees       = 20
		sweepInterval  = time.Second
		runFor         = 6 * time.Second // how long both replicas run before the sweeps are counted
		inviteSubject  = "Olga Owner invited you to Apollo"
		verifySubject  = "Confirm your email for Invites"
		welcomeSubject = "You joined Apollo"
	)
	ctx := context.Background()
	db := pgtest.DB(t)
	bin := buildReplicaBinary(t)
	smtp := smtptest.Start(t)

	started := dbNow(t, db)
	env := map[string]string{
		"DATABASE_URL":   pgtest.URL(t),
		"SMTP_URL":       smtp.URL(),
		"APP_URL":        "https://app.example",
		"LOG_LEVEL":      "warn",
		"SWEEP_INTERVAL": sweepInterval.String(),
		"INVITE_TTL":     "1h",
	}
	replicas := startReplicas(t, bin, env, "a", "b")
	readyAt := time.Now()
	a, b := e2eClient{t, replicas[0].base}, e2eClient{t, replicas[1].base}
	t.Logf("both replicas ready %s after launch", readyAt.Sub(replicas[0].launched).Round(time.Millisecond))

	// Through A: an owner, a project and 20 invites.
	ownerEmail := e2eEmail("owner")
	owner := a.signUpVerified(smtp, ownerEmail, "Olga Owner")
	project := a.createProject(owner, "Apollo")
	emails := make([]string, invitees)
	for i := range emails {
		emails[i] = e2eEmail(fmt.Sprintf("invitee%02d", i))
		if got := a.createInvite(owner, map[string]any{"email": emails[i], "projectId": project, "role": "CONTRIBUTOR"}).Status; got != "PENDING" {
			t.Fatalf("createInvite %s: status %v, want PENDING", emails[i], got)
		}
	}

	// An invite already past its expiry but still marked PENDING, as if the sweep had not got to
	// it yet: a copy of a real one under a new id, token and email. A sweep must mark it.
	expiredID := insertExpiredInvite(t, db, emails[invitees-1], e2eEmail("expired"))

	// Through B: the first invitee signs up with the token from the email, and is a member,
	// as both replicas see.
	const invitePrefix = "https://app.example/invite/"
	token0 := tokenOf(smtp.WaitFor(t, emails[0], 1, mailWait)[0].Link(invitePrefix))
	d := b.signUp(map[string]any{"password": "correct horse", "name": "Ivy", "inviteToken": token0})
	ivy := d.SignUp.Token
	if d.SignUp.User.Email != emails[0] || !d.SignUp.User.EmailVerified {
		t.Errorf("signUp through B = %+v, want %s verified", d, emails[0])
	}
	viewerRole := func(c e2eClient, token string) string {
		t.Helper()
		var d struct{ Project *struct{ ViewerRole string } }
		if c.do(token, `query($p: ID!) { project(id: $p) { viewerRole } }`, map[string]any{"p": project}, &d); d.Project == nil {
			return ""
		}
		return d.Project.ViewerRole
	}
	for name, c := range map[string]e2eClient{"a": a, "b": b} {
		if got := viewerRole(c, ivy); got != "CONTRIBUTOR" {
			t.Errorf("viewerRole through %s = %v, want CONTRIBUTOR", name, got)
		}
	}

	// The second invitee signs up through A without the token (a verification email), then
	// accepts with the token through both replicas at once: one wins, the other is told.
	token1 := tokenOf(smtp.WaitFor(t, emails[1], 1, mailWait)[0].Link(invitePrefix))
	maxSession := a.signUp(map[string]any{"email": emails[1], "password": "correct horse", "name": "Max"}).SignUp.Token
	outcomes := acceptOnBoth(t, []string{a.base, b.base}, maxSession, token1)
	won, lost := 0, 0
	for i, o := range outcomes {
		switch {
		case o.err != nil:
			t.Errorf("acceptInvite through %s: %v", replicas[i].name, o.err)
		case len(o.errs) == 0 && o.data.AcceptInvite != nil && o.data.AcceptInvite.Invite.Status == "ACCEPTED":
			won++
		case len(o.errs) == 1 && o.errs.code() == "INVITE_NOT_PENDING":
			lost++
		default:
			t.Errorf("acceptInvite through %s: data %+v, errors %+v", replicas[i].name, o.data, o.errs)
		}
	}
	if won != 1 || lost != 1 {
		t.Errorf("acceptInvite through both at once: %d accepted and %d INVITE_NOT_PENDING, want 1 and 1", won, lost)
	}
	if got := viewerRole(b, maxSession); got != "CONTRIBUTOR" {
		t.Errorf("viewerRole after acceptInvite = %v, want CONTRIBUTOR", got)
	}

	// Each email exactly once: wait until every emails row is SENT, give a duplicate time to
	// arrive, then count what the SMTP server received.
	want := map[string]map[string]int{ownerEmail: {verifySubject: 1}}
	for _, e := range emails {
		want[e] = map[string]int{inviteSubject: 1}
	}
	want[emails[1]][verifySubject] = 1
	// Ivy and Max joined: a welcome each.
	want[emails[0]][welcomeSubject] = 1
	want[emails[1]][welcomeSubject] = 1
	waitAllSent(t, db, want, mailWait)
	t.Logf("all %d emails SENT %s after both replicas were ready", len(want)+1, time.Since(readyAt).Round(time.Millisecond))
	time.Sleep(3 * time.Second) // a grace period for a second copy to show up, not a timing check
	for to, subjects := range want {
		got := map[string]int{}
		total := 0
		for _, m := range smtp.Received(to) {
			got[m.Subject]++
			total++
		}
		if fmt.Sprint(got) != fmt.Sprint(subjects) {
			t.Errorf("messages to %s: %v, want %v", to, got, subjects)
		}
		if n := smtp.RcptAttempts(to); n != total {
			t.Errorf("RCPT TO %s: %d times for %d messages", to, n, total)
		}
	}

	waitInviteStatus(t, db, expiredID, "EXPIRED", mailWait)
	var pending int
	err := db.NewSelect().Table("invites").ColumnExpr("count(*)").
		Where("email IN (?) AND status = 'PENDING'", bun.In(emails)).Scan(ctx, &pending)
	if err != nil {
		t.Fatal(err)
	}
	if pending != invitees-2 {
		t.Errorf("%d invites still PENDING, want %d: the sweep expires only what is due", pending, invitees-2)
	}

	// The sweep: enqueued by River's leader only, each job run once.
	if rest := runFor - time.Since(readyAt); rest > 0 {
		time.Sleep(rest) // both replicas run side by side for a while: that is the scenario
	}
	until := dbNow(t, db)
	jobs := waitSweepJobsDone(t, db, started, until, mailWait)
	elapsed := until.Sub(started)
	limit := int(elapsed/sweepInterval) + 2
	t.Logf("%d invites_sweep jobs in %s (at most %d allowed)", len(jobs), elapsed.Round(time.Millisecond), limit)
	if len(jobs) == 0 || len(jobs) > limit {
		t.Errorf("%d invites_sweep jobs in %s, want 1 to %d: one replica enqueues them", len(jobs), elapsed.Round(time.Millisecond), limit)
	}
	var leader string
	var emailWorkers int
	if err := db.NewRaw("SELECT leader_id FROM river_leader").Scan(ctx, &leader); err != nil {
		t.Errorf("river_leader: %v", err)
	}
	err = db.NewRaw("SELECT count(DISTINCT w) FROM river_job, unnest(attempted_by) AS w WHERE kind LIKE 'send_email%' AND created_at >= ?", started).Scan(ctx, &emailWorkers)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("River leader %s; email jobs worked by %d clients", leader, emailWorkers)
	for _, j := range jobs {
		if j.State != "completed" || j.Attempt != 1 {
			t.Errorf("sweep job %d: state %s, attempt %d, errors %s; want completed at attempt 1", j.ID, j.State, j.Attempt, j.Errors)
		}
	}
}

// replicaProcess is one server process that TestReplicas started.
type replicaProcess struct {
	name     string
	base     string // http://host:port
	logPath  string // its stdout and stderr
	launched time.Time
	cmd      *exec.Cmd
	exited   chan struct{} // closed once the process has exited; err is then set
	err      error
}

// buildReplicaBinary builds the server into the test's temporary directory.
func buildReplicaBinary(t testing.TB) string {
	t.Helper()
	root := pglocal.ModuleRoot()
	bin := filepath.Join(t.TempDir(), "invites")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = root
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built the server in %s", time.Since(start).Round(time.Millisecond))
	return bin
}

// spawnProcess starts bin with env on a free port, its output in dir/name.log; it does not
// wait for the process to be ready.
func spawnProcess(t testing.TB, bin string, env map[string]string, name, dir string) *replicaProcess {
	t.Helper()
	addr := freeLocalAddr(t)
	p := &replicaProcess{name: name, base: "http://" + addr, logPath: filepath.Join(dir, name+".log"), exited: make(chan struct{})}
	logFile, err := os.Create(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin)
	p.cmd.Env = replicaEnv(env, addr)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.launched = time.Now()
	err = p.cmd.Start()
	logFile.Close() // the child has its own copy
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	return p
}

// startReplicas starts one process of bin per name, all with env, each on a free port of
// its own, and waits until every one answers /readyz. At the test's end they get SIGTERM
// together and must exit 0 within 60s; their logs are printed if the test failed.
func startReplicas(t testing.TB, bin string, env map[string]string, names ...string) []*replicaProcess {
	t.Helper()
	dir := t.TempDir()
	var procs []*replicaProcess
	t.Cleanup(func() { stopReplicas(t, procs) })
	for _, name := range names {
		procs = append(procs, spawnProcess(t, bin, env, name, dir))
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, p := range procs {
		waitReplicaReady(t, p, deadline)
	}
	return procs
}

// replicaEnv is the test's environment with every setting of the server given explicitly,
// so that nothing in the caller's environment changes what the replicas do.
func replicaEnv(env map[string]string, addr string) []string {
	settings := map[string]string{
		"ADDR": addr, "MAIL_FROM": "Invites <noreply@app.example>", "INTROSPECTION": "true",
		"SESSION_TTL": "720h", "INVITE_RETENTION": "720h",
	}
	for k, v := range env {
		settings[k] = v
	}
	out := os.Environ()
	for k, v := range settings {
		out = append(out, k+"="+v) // the last value of a key wins
	}
	return out
}

func freeLocalAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitReplicaReady(t testing.TB, p *replicaProcess, deadline time.Time) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("replica %s exited before it was ready: %v", p.name, p.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %s not ready after 60s: last %v", p.name, replicaAnswer(resp, err))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func replicaAnswer(resp *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return resp.Status
}

// stopReplicas sends SIGTERM to every process at once and checks that each shuts down cleanly.
func stopReplicas(t testing.TB, procs []*replicaProcess) {
	for _, p := range procs {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("SIGTERM to replica %s: %v", p.name, err)
		}
	}
	timeout := time.After(60 * time.Second)
	for _, p := range procs {
		select {
		case <-p.exited:
			if p.err != nil {
				t.Errorf("replica %s did not exit cleanly: %v", p.name, p.err)
			}
		case <-timeout:
			t.Errorf("replica %s still running 30s after SIGTERM: killed", p.name)
			p.cmd.Process.Kill()
			<-p.exited
		}
	}
	for _, p := range procs {
		b, err := os.ReadFile(p.logPath)
		switch {
		case err != nil:
			t.Logf("replica %s log: %v", p.name, err)
		case t.Failed() || (testing.Verbose() && len(b) > 0):
			// LOG_LEVEL=warn: a healthy run logs nothing, so anything here is worth a look.
			t.Logf("replica %s (%s) log:\n%s", p.name, p.base, b)
		}
	}
}

// acceptOutcome is what one acceptInvite request got back.
type acceptOutcome struct {
	data struct {
		AcceptInvite *struct{ Invite struct{ Status string } }
	}
	errs e2eErrors
	err  error // the request itself failed
}

// acceptOnBoth sends acceptInvite for token to every base at the same moment.
func acceptOnBoth(t *testing.T, bases []string, session, token string) []acceptOutcome {
	t.Helper()
	const accept = `mutation($t: String!) { acceptInvite(input: {token: $t}) { invite { status } } }`
	out := make([]acceptOutcome, len(bases))
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i, base := range bases {
		wg.Go(func() {
			<-gate
			o := &out[i]
			o.errs, o.err = postJSON(base+"/graphql", session, accept, map[string]any{"t": token}, &o.data, nil)
		})
	}
	close(gate)
	wg.Wait()
	return out
}

func dbNow(t *testing.T, db *bun.DB) time.Time {
	t.Helper()
	var now time.Time
	if err := db.NewRaw("SELECT now()").Scan(context.Background(), &now); err != nil {
		t.Fatal(err)
	}
	return now
}

// insertExpiredInvite copies the pending invite to from as a PENDING invite to email whose
// expiry passed an hour ago, and returns its id.
func insertExpiredInvite(t *testing.T, db *bun.DB, from, email string) uuid.UUID {
	t.Helper()
	id := uuid.New()
	_, err := db.NewRaw(`
INSERT INTO invites (id, email, project_id, role, external_id, inviter_id, token_hash, status, expires_at, created_at, updated_at)
SELECT ?, ?, project_id, role, NULL, inviter_id, ?, 'PENDING', now() - interval '1 hour', now() - interval '2 hours', now() - interval '2 hours'
FROM invites WHERE email = ? AND status = 'PENDING'`,
		id, email, []byte(rand.Text()), from).Exec(context.Background())
	if err != nil {
		t.Fatalf("insert an expired invite: %v", err)
	}
	return id
}

func waitInviteStatus(t *testing.T, db *bun.DB, id uuid.UUID, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var status string
		err := db.NewSelect().Table("invites").Column("status").Where("id = ?", id).Scan(context.Background(), &status)
		if err != nil {
			t.Fatalf("load invite %s: %v", id, err)
		}
		if status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("invite %s is %s after %s, want %s", id, status, timeout, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitAllSent polls until the emails rows for the recipients of want are as many as want
// counts and all SENT.
func waitAllSent(t *testing.T, db *bun.DB, want map[string]map[string]int, timeout time.Duration) {
	t.Helper()
	var recipients []string
	total := 0
	for to, subjects := range want {
		recipients = append(recipients, to)
		for _, n := range subjects {
			total += n
		}
	}
	deadline := time.Now().Add(timeout)
	for {
		var rows []struct {
			Recipient string `bun:"recipient"`
			Status    string `bun:"status"`
		}
		err := db.NewSelect().Table("emails").Column("recipient", "status").
			Where("recipient IN (?)", bun.In(recipients)).Scan(context.Background(), &rows)
		if err != nil {
			t.Fatalf("load emails: %v", err)
		}
		sent := 0
		for _, r := range rows {
			if r.Status == "SENT" {
				sent++
			}
		}
		if len(rows) > total {
			t.Fatalf("%d emails rows, want %d", len(rows), total)
		}
		if sent == total {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d emails SENT after %s: %+v", sent, total, timeout, rows)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sweepJob is the part of a river_job row of the sweep that TestReplicas checks.
type sweepJob struct {
	ID      int64  `bun:"id"`
	State   string `bun:"state"`
	Attempt int    `bun:"attempt"`
	Errors  string `bun:"errors"`
}

// waitSweepJobsDone polls until every invites_sweep job created between from and until has
// finished, and returns them; a job that failed or ran twice ends the wait at once.
func waitSweepJobsDone(t *testing.T, db *bun.DB, from, until time.Time, timeout time.Duration) []sweepJob {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var jobs []sweepJob
		err := db.NewSelect().Table("river_job").
			Column("id", "state", "attempt").ColumnExpr("coalesce(errors::text, '') AS errors").
			Where("kind = 'invites_sweep' AND created_at BETWEEN ? AND ?", from, until).
			Order("id").Scan(context.Background(), &jobs)
		if err != nil {
			t.Fatalf("load sweep jobs: %v", err)
		}
		done := true
		for _, j := range jobs {
			switch {
			case j.State == "completed", j.Attempt > 1, j.State == "retryable", j.State == "discarded", j.State == "cancelled":
			default:
				done = false // available, scheduled or running: wait for it
			}
		}
		if done {
			return jobs
		}
		if time.Now().After(deadline) {
			t.Fatalf("sweep jobs not finished after %s: %+v", timeout, jobs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

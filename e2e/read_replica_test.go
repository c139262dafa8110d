package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgcluster"
)

// e2eReadReplicaWait bounds each probe for the server to see what the test did to its replica.
const e2eReadReplicaWait = time.Minute

// Samples of /metrics (Prometheus orders the labels by name).
const (
	readsOnReplica       = `invites_db_reads_total{reason="caught-up",target="replica"}`
	readsForTheirWrites  = `invites_db_reads_total{reason="read-your-writes",target="primary"}`
	readsForReplicaDown  = `invites_db_reads_total{reason="down",target="primary"}`
	replicaUp            = `invites_db_replica_up`
	e2eProjectInviteList = `query($p: ID!) { project(id: $p) { invites(first: 100) { edges { node { email } } } } }`
)

// TestServer_ReadReplica runs the server on a private primary with DATABASE_READ_URL at its
// streaming standby. Pages are read on the replica once it has caught up (its metrics say
// so); with the standby's replay paused, the owner's invite list right after createInvite
// has the new invite (read on the primary: read-your-writes), while the owner's other session
// on another address still reads the replica's list without it; once replay resumes it has
// it. With the standby stopped every page answers from the primary without an error, and
// reads return to the standby when it is started again.
func TestServer_ReadReplica(t *testing.T) {
	bin := buildReplicaBinary(t)
	smtp := smtptest.Start(t)
	cluster := pgcluster.Start(t, pgcluster.Options{})
	cluster.CreateDatabase("invites")
	procs := startReplicas(t, bin, map[string]string{
		"DATABASE_URL": cluster.Primary.URL("invites"), "DATABASE_READ_URL": cluster.Standby.URL("invites"),
		// Only read-your-writes and a stopped replica send reads away here, not the lag that a
		// paused replay builds up.
		"DATABASE_READ_MAX_LAG": "1h",
		"TRUSTED_PROXIES":       "127.0.0.1/32", // X-Forwarded-For tells the two sessions' addresses apart
		"SMTP_URL":              smtp.URL(), "APP_URL": "https://app.example", "LOG_LEVEL": "warn",
	}, "a")
	c := e2eClient{t, procs[0].base}
	ownerEmail := e2eEmail("owner")
	owner := c.signUpVerified(smtp, ownerEmail, "Olga Owner")
	project := c.createProject(owner, "Apollo")
	var other struct{ LogIn struct{ Token string } }
	if errs := c.tryFrom("10.0.0.2", "", e2eLogIn, map[string]any{"e": ownerEmail, "p": "correct horse"}, &other); len(errs) > 0 {
		t.Fatal(errs)
	}
	tryList := func(from, token string) ([]string, e2eErrors) {
		t.Helper()
		var d struct {
			Project struct {
				Invites struct {
					Edges []struct{ Node struct{ Email string } }
				}
			}
		}
		errs := c.tryFrom(from, token, e2eProjectInviteList, map[string]any{"p": project}, &d)
		var emails []string
		for _, e := range d.Project.Invites.Edges {
			emails = append(emails, e.Node.Email)
		}
		return emails, errs
	}
	list := func(from, token string) []string {
		t.Helper()
		emails, errs := tryList(from, token)
		if len(errs) > 0 {
			t.Fatalf("invite list from %s: %s", from, errs)
		}
		return emails
	}
	// waitMetric reads the list from an address until the sample grows past before. Every
	// read on the way must answer, those sent to the replica as it stops too.
	waitMetric := func(sample string, before float64, from string) {
		t.Helper()
		deadline := time.Now().Add(e2eReadReplicaWait)
		for metricValue(t, c.base, sample) <= before {
			if time.Now().After(deadline) {
				t.Fatalf("%s still %v after %s", sample, metricValue(t, c.base, sample), e2eReadReplicaWait)
			}
			list(from, owner)
			time.Sleep(20 * time.Millisecond) // a probe's pace
		}
	}
	waitMetric(readsOnReplica, 0, "10.0.0.1")
	// The other session's log-in is a write of its own: its reads go to the replica only once
	// the replica has replayed it. Pausing replay before then would send them to the primary
	// for good (read-your-writes), as happened on a busy machine: wait until they go there.
	cluster.CatchUp()
	for deadline := time.Now().Add(e2eReadReplicaWait); ; time.Sleep(20 * time.Millisecond) {
		before := metricValue(t, c.base, readsOnReplica)
		list("10.0.0.2", other.LogIn.Token)
		if metricValue(t, c.base, readsOnReplica) > before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other session's reads still not on the replica after %s", e2eReadReplicaWait)
		}
	}

	cluster.Standby.PauseReplay()
	guest := e2eEmail("guest")
	var created struct{ CreateInvite struct{ ID string } }
	if errs := c.tryFrom("10.0.0.1", owner, `mutation($in: CreateInviteInput!) { createInvite(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"email": guest, "projectId": project, "role": "CONTRIBUTOR"}}, &created); len(errs) > 0 {
		t.Fatal(errs)
	}
	ryw := metricValue(t, c.base, readsForTheirWrites)
	if got := list("10.0.0.1", owner); !slices.Contains(got, guest) {
		t.Errorf("the owner's list right after createInvite: %v, want %s in it (read-your-writes)", got, guest)
	}
	if after := metricValue(t, c.base, readsForTheirWrites); after <= ryw {
		t.Errorf("%s = %v after the owner's list, want more than %v", readsForTheirWrites, after, ryw)
	}
	onReplica := metricValue(t, c.base, readsOnReplica)
	if got := list("10.0.0.2", other.LogIn.Token); slices.Contains(got, guest) {
		t.Errorf("the other session's list with replay paused: %v, want the replica's, without %s", got, guest)
	}
	if after := metricValue(t, c.base, readsOnReplica); after <= onReplica {
		t.Errorf("%s = %v after the other session's list, want more than %v", readsOnReplica, after, onReplica)
	}
	cluster.Standby.ResumeReplay()
	deadline := time.Now().Add(e2eReadReplicaWait)
	for !slices.Contains(list("10.0.0.2", other.LogIn.Token), guest) {
		if time.Now().After(deadline) {
			t.Fatalf("the other session's list lacks %s %s after replay resumed", guest, e2eReadReplicaWait)
		}
		time.Sleep(20 * time.Millisecond)
	}

	cluster.Standby.Stop("fast")
	waitMetric(readsForReplicaDown, metricValue(t, c.base, readsForReplicaDown), "10.0.0.3")
	if up := metricValue(t, c.base, replicaUp); up != 0 {
		t.Errorf("%s = %v with the standby stopped, want 0", replicaUp, up)
	}
	for range 20 {
		if got := list("10.0.0.3", owner); !slices.Contains(got, guest) {
			t.Fatalf("a list with the replica down: %v, want %s in it", got, guest)
		}
	}
	cluster.Standby.Start()
	waitMetric(readsOnReplica, metricValue(t, c.base, readsOnReplica), "10.0.0.3")
	if up := metricValue(t, c.base, replicaUp); up != 1 {
		t.Errorf("%s = %v with the standby started again, want 1", replicaUp, up)
	}
}

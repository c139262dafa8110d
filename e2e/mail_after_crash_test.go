package e2e

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

// TestServer_MailAfterKill is the fault test of email delivery: the server process gets
// kill -9 while the emails of a bulk invite go out through a slow SMTP server, a new process
// starts on the same database, and every invite email must arrive (the test gives up three
// minutes after the kill: a hang guard, not a measure; it takes some 20 to 40 s). An email
// goes twice only if the kill fell between the SMTP server's acceptance and the write of SENT,
// which a chunk job makes for up to mail.SentBatchSize emails at once, so the duplicates are
// at most that many per running chunk job; each copy carries the Message-ID of its emails row.
//
// MAIL_JOB_TIMEOUT and MAIL_RESCUE_AFTER are shortened so that the test takes seconds; the
// rescue then waits mostly for the dead process's River leadership to lapse (15s).
func TestServer_MailAfterKill(t *testing.T) {
	const (
		invitees  = 1500
		killAfter = invitees / 4    // invite emails delivered before the kill
		bound     = 3 * time.Minute // a hang guard
		// Each MAIL FROM waits this long: 10 workers then send some hundreds a second, so the
		// kill lands while most of the batch is still QUEUED.
		smtpDelay = 10 * time.Millisecond
	)
	db := pgtest.DB(t)
	bin := buildReplicaBinary(t)
	smtp := smtptest.Start(t)
	env := map[string]string{
		"DATABASE_URL":      pgtest.URL(t),
		"SMTP_URL":          smtp.URL(),
		"APP_URL":           "https://app.example",
		"LOG_LEVEL":         "warn",
		"SWEEP_INTERVAL":    "1h",
		"MAIL_JOB_TIMEOUT":  "2s",
		"MAIL_RESCUE_AFTER": "5s",
	}
	first := launchServerProcess(t, bin, env, "first")
	c := e2eClient{t, first.base}

	// An owner with a verified email, a project, and a bulk invite of 1,500 rows.
	ownerEmail := e2eEmail("crash-owner")
	owner := c.signUpVerified(smtp, ownerEmail, "Olga Owner")
	project := c.createProject(owner, "Apollo")
	emails := make([]string, invitees)
	rows := make([]map[string]any, invitees)
	for i := range emails {
		emails[i] = e2eEmail(fmt.Sprintf("crash%04d", i))
		rows[i] = map[string]any{"email": emails[i]}
	}
	smtp.Delay(smtpDelay)
	before := smtp.Accepted()
	var d struct {
		BulkInvite struct{ Summary struct{ NewInvitations int } }
	}
	c.do(owner, `mutation($i: BulkInviteInput!) { bulkInvite(input: $i) { summary { newInvitations } } }`,
		map[string]any{"i": map[string]any{"projectId": project, "rows": rows}}, &d)
	if got := d.BulkInvite.Summary.NewInvitations; got != invitees {
		t.Fatalf("bulkInvite: %v new invitations, want %d", got, invitees)
	}

	// kill -9 once a quarter of the emails is out.
	deadline := time.Now().Add(time.Minute)
	for smtp.Accepted()-before < killAfter {
		if time.Now().After(deadline) {
			t.Fatalf("%d invite emails delivered after a minute, want %d before the kill", smtp.Accepted()-before, killAfter)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9: %v", err)
	}
	<-first.exited
	killedAt := time.Now()
	atKill := smtp.Accepted() - before
	running, queued := countJobsRunning(t, db), countEmails(t, db, emails, "QUEUED")
	t.Logf("kill -9 with %d of %d invite emails delivered, %d QUEUED, %d send_emails jobs running", atKill, invitees, queued, running)
	// The emails that can go twice: delivered, but not recorded SENT when the process died.
	unrecorded := map[string]bool{}
	for to, status := range emailStatuses(t, db, emails) {
		if status == "QUEUED" && len(smtp.Received(to)) > 0 {
			unrecorded[to] = true
		}
	}
	if running == 0 || queued == 0 {
		t.Fatalf("the kill did not land in the middle of the send: %d jobs running, %d emails QUEUED", running, queued)
	}

	// A new process on the same database: it sends what was never started at once, and runs
	// again the jobs the dead process left running once River has rescued them.
	startReplicas(t, bin, env, "second")
	for {
		sent := countEmails(t, db, emails, "SENT")
		if sent == invitees {
			break
		}
		if time.Since(killedAt) > bound {
			t.Fatalf("%d of %d invite emails SENT %s after the kill, want all", sent, invitees, bound)
		}
		time.Sleep(100 * time.Millisecond)
	}
	allSent := time.Since(killedAt)

	// Every invite arrived, a copy sent again is the same email by its Message-ID, and no
	// more went twice than were delivered and not yet recorded at the kill.
	ids := emailIDs(t, db, emails)
	duplicates := 0
	for _, to := range emails {
		got := smtp.Received(to)
		if len(got) == 0 {
			t.Errorf("%s: no email, although its row is SENT", to)
			continue
		}
		duplicates += len(got) - 1
		if len(got) > 1 && !unrecorded[to] {
			t.Errorf("%s: %d copies, though its email was not in the window between delivery and SENT at the kill", to, len(got))
		}
		want := "<" + ids[to] + "@app.example>"
		for _, m := range got {
			if m.MessageID != want {
				t.Errorf("%s: Message-ID %q, want %q", to, m.MessageID, want)
			}
		}
	}
	most := running * mail.SentBatchSize
	t.Logf("all %d invite emails SENT %s after the kill (bound %s); %d sent twice (at most %d allowed: %d per running job); "+
		"%d were delivered but not yet recorded SENT at the kill", invitees, allSent.Round(time.Millisecond), bound, duplicates, most, mail.SentBatchSize, len(unrecorded))
	if duplicates > most {
		t.Errorf("%d invite emails sent twice, want at most %d, the unrecorded sends of the jobs running at the kill", duplicates, most)
	}
}

// launchServerProcess starts bin with env on a free port and waits until it is ready. The test
// kills it; if it is still running when the test ends, it is killed then. Its log is printed
// if the test failed.
func launchServerProcess(t *testing.T, bin string, env map[string]string, name string) *replicaProcess {
	t.Helper()
	p := spawnProcess(t, bin, env, name, t.TempDir())
	t.Cleanup(func() {
		p.cmd.Process.Kill() //nolint:errcheck // usually killed by the test already
		<-p.exited
		if b, err := os.ReadFile(p.logPath); err == nil && (t.Failed() || testing.Verbose()) && len(b) > 0 {
			t.Logf("process %s log:\n%s", name, b)
		}
	})
	waitReplicaReady(t, p, time.Now().Add(60*time.Second))
	return p
}

func countJobsRunning(t *testing.T, db *bun.DB) int {
	t.Helper()
	n, err := db.NewSelect().Table("river_job").Where("kind = 'send_emails' AND state = 'running'").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// countEmails counts the emails rows to recipients whose status is status.
func countEmails(t *testing.T, db *bun.DB, recipients []string, status string) int {
	t.Helper()
	n, err := db.NewSelect().Table("emails").
		Where("recipient IN (?) AND status = ?", bun.In(recipients), status).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// emailStatuses maps each recipient to the status of its emails row.
func emailStatuses(t *testing.T, db *bun.DB, recipients []string) map[string]string {
	t.Helper()
	var rows []struct {
		Recipient string `bun:"recipient"`
		Status    string `bun:"status"`
	}
	err := db.NewSelect().Table("emails").Column("recipient", "status").
		Where("recipient IN (?)", bun.In(recipients)).Scan(context.Background(), &rows)
	if err != nil {
		t.Fatal(err)
	}
	statuses := make(map[string]string, len(rows))
	for _, r := range rows {
		statuses[r.Recipient] = r.Status
	}
	return statuses
}

// emailIDs maps each recipient to the id of its one emails row.
func emailIDs(t *testing.T, db *bun.DB, recipients []string) map[string]string {
	t.Helper()
	var rows []struct {
		ID        string `bun:"id"`
		Recipient string `bun:"recipient"`
	}
	err := db.NewSelect().Table("emails").Column("id", "recipient").
		Where("recipient IN (?)", bun.In(recipients)).Scan(context.Background(), &rows)
	if err != nil {
		t.Fatal(err)
	}
	ids := make(map[string]string, len(rows))
	for _, r := range rows {
		if _, twice := ids[r.Recipient]; twice {
			t.Fatalf("two emails rows for %s", r.Recipient)
		}
		ids[r.Recipient] = r.ID
	}
	return ids
}

package migrations_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/migrations"
)

// projectEmailsMigration moves the emails about one project from the service project to it.
const projectEmailsMigration = "20261210050000"

// TestProjectEmails_Upgrade writes, before the migration, the emails about a project as they
// were written under the service project, and checks which the migration moves to their
// project (and their delivery events with them) and which stay the service project's.
func TestProjectEmails_Upgrade(t *testing.T) {
	ctx := context.Background()
	db := emptyDB(t)
	migrateBefore(t, db, projectEmailsMigration)
	apollo, gemini, gemini2, ada, bob := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	for _, p := range []struct {
		id   uuid.UUID
		name string
	}{{apollo, "Apollo"}, {gemini, "Gemini"}, {gemini2, "Gemini"}} {
		exec(t, db, `INSERT INTO projects (id, name, created_at) VALUES (?, ?, now())`, p.id, p.name)
	}
	for _, u := range []struct {
		id    uuid.UUID
		email string
	}{{ada, "ada@example.test"}, {bob, "bob@example.test"}} {
		exec(t, db, `INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, 'U', 'x', now())`, u.id, u.email)
	}
	// Ada was denied once in Apollo; Bob in both projects named Gemini.
	for _, r := range [][2]uuid.UUID{{apollo, ada}, {gemini, bob}, {gemini2, bob}} {
		exec(t, db, `INSERT INTO join_requests (id, project_id, user_id, asked_role, status, expires_at, created_at, updated_at)
			VALUES (gen_random_uuid(), ?, ?, 'CONTRIBUTOR', 'DENIED', now(), now(), now())`, r[0], r[1])
	}
	projects := "https://app.example/projects/"
	rows := []struct {
		kind, to, project, link string
		want                    uuid.UUID
	}{
		{"welcome", "ada@example.test", "Apollo", projects + apollo.String(), apollo},
		{"delivery_failed", "ada@example.test", "Apollo", projects + apollo.String() + "/invitations?status=delivery%3ABOUNCED", apollo},
		{"domain_lost", "ada@example.test", "Apollo", projects + apollo.String() + "/domains", apollo},
		{"join_request_decided", "ada@example.test", "Apollo", "", apollo},
		{"join_request_decided", "ada@example.test", "Apollo", projects + apollo.String(), apollo}, // an approval, queued before
		{"join_request_decided", "bob@example.test", "Gemini", "", serviceProject},                 // two projects of that name
		{"join_request_decided", "bob@example.test", "Apollo", "", serviceProject},                 // not denied there
		{"welcome", "ada@example.test", "Gone", projects + uuid.NewString(), serviceProject},       // a deleted project
		{"join_request_digest", "ada@example.test", "", projects + apollo.String() + "/requests", serviceProject},
		{"verification", "ada@example.test", "", "https://app.example/verify-email/t", serviceProject},
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = uuid.New()
		exec(t, db, `INSERT INTO emails (project_id, id, kind, recipient, subject, params, link, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, 's', jsonb_build_object('project', ?::text), ?, 'SENT', now(), now())`,
			serviceProject, ids[i], r.kind, r.to, r.project, r.link)
		exec(t, db, `INSERT INTO delivery_events (id, project_id, provider, event_key, kind, email_id, recipient, at, created_at)
			VALUES (gen_random_uuid(), ?, 'test', ?, 'DELIVERED', ?, ?, now(), now())`, serviceProject, ids[i].String(), ids[i], r.to)
	}
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for _, table := range []string{"emails", "delivery_events"} {
			if got := projectOf(t, db, table, ids[i]); got != r.want {
				t.Errorf("%s of a %s email (%q, link %q): project %s, want %s", table, r.kind, r.project, r.link, got, r.want)
			}
		}
	}
}

// projectOf is the project of the email id (table emails) or of its delivery event.
func projectOf(t *testing.T, db bun.IDB, table string, id uuid.UUID) uuid.UUID {
	t.Helper()
	column := "id"
	if table == "delivery_events" {
		column = "email_id"
	}
	var got uuid.UUID
	if err := db.NewRaw(`SELECT project_id FROM ? WHERE ? = ?`, bun.Ident(table), bun.Ident(column), id).Scan(context.Background(), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

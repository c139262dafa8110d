package migrations_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/migrate"

	"github.com/invites/invites/internal/pglocal"
	"github.com/invites/invites/internal/pgtest"
	"github.com/invites/invites/migrations"
)

// serviceProjectMigration gives every row of no project to the service project.
const serviceProjectMigration = "20261210001000"

// serviceProject is the nil UUID (invites.ServiceProjectID, which this package cannot import).
var serviceProject = uuid.Nil

// emptyDB is a database of its own, without any migration, dropped when the test ends.
func emptyDB(t *testing.T) *bun.DB {
	t.Helper()
	ctx := context.Background()
	server := pgtest.URL(t)
	name := "invites_test_upgrade_" + strings.ToLower(rand.Text()[:8])
	url, err := pglocal.EnsureDatabase(ctx, server, name)
	if err != nil {
		t.Fatal(err)
	}
	sqldb, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	db := bun.NewDB(sqldb, pgdialect.New())
	t.Cleanup(func() {
		db.Close()
		if err := pglocal.DropDatabase(context.Background(), server, name); err != nil {
			t.Error(err)
		}
	})
	return db
}

// migrateBefore applies the migrations older than name.
func migrateBefore(t *testing.T, db *bun.DB, name string) {
	t.Helper()
	ctx := context.Background()
	before := migrate.NewMigrations()
	for _, m := range migrations.Migrations.Sorted() {
		if m.Name < name {
			before.Add(m)
		}
	}
	m := migrate.NewMigrator(db, before, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
}

// upgradeRows are the rows written before the service project, one of each kind.
type upgradeRows struct {
	project, inviter uuid.UUID
	// serviceInvite and projectInvite, with their latest emails; replacedEmail is an earlier
	// email of the project invite, which no invite names; accountEmail is a verification's.
	serviceInvite, projectInvite                            uuid.UUID
	serviceEmail, projectEmail, replacedEmail, accountEmail uuid.UUID
}

func (r *upgradeRows) write(t *testing.T, db *bun.DB) {
	t.Helper()
	for _, id := range []*uuid.UUID{&r.project, &r.inviter, &r.serviceInvite, &r.projectInvite,
		&r.serviceEmail, &r.projectEmail, &r.replacedEmail, &r.accountEmail} {
		*id = uuid.New()
	}
	exec(t, db, `INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, 'ada@example.test', 'Ada', 'x', now())`, r.inviter)
	exec(t, db, `INSERT INTO projects (id, name, created_at) VALUES (?, 'Apollo', now())`, r.project)
	for _, e := range []struct {
		id   uuid.UUID
		kind string
	}{{r.serviceEmail, "invite"}, {r.projectEmail, "invite"}, {r.replacedEmail, "invite"}, {r.accountEmail, "verification"}} {
		exec(t, db, `INSERT INTO emails (id, kind, recipient, subject, params, link, status, created_at, updated_at)
			VALUES (?, ?, 'bob@example.test', 's', '{}', '', 'SENT', now(), now())`, e.id, e.kind)
	}
	invite := `INSERT INTO invites (id, email, project_id, role, inviter_id, token_hash, status, email_id, expires_at, created_at, updated_at)
		VALUES (?, 'bob@example.test', ?, ?, ?, ?, 'PENDING', ?, now() + interval '1 day', now(), now())`
	exec(t, db, invite, r.serviceInvite, nil, nil, r.inviter, []byte("service-token"), r.serviceEmail)
	exec(t, db, invite, r.projectInvite, r.project, "CONTRIBUTOR", r.inviter, []byte("project-token"), r.projectEmail)
	for _, inv := range []struct {
		id      uuid.UUID
		project any
		token   string
	}{{r.serviceInvite, nil, "old-service-token"}, {r.projectInvite, r.project, "old-project-token"}} {
		exec(t, db, `INSERT INTO activity_events (id, project_id, name, actor_id, invite_id, email, created_at)
			VALUES (gen_random_uuid(), ?, 'User Invited', ?, ?, 'bob@example.test', now())`, inv.project, r.inviter, inv.id)
		exec(t, db, `INSERT INTO replaced_invite_tokens (token_hash, invite_id, replaced_at) VALUES (?, ?, now())`, []byte(inv.token), inv.id)
	}
	// Delivery events as they were stored: under the project of the invite whose latest
	// email it was, NULL for the rest.
	for _, d := range []struct {
		email   uuid.UUID
		project any
	}{{r.serviceEmail, nil}, {r.projectEmail, r.project}, {r.replacedEmail, r.project}, {r.accountEmail, nil}} {
		exec(t, db, `INSERT INTO delivery_events (id, project_id, provider, event_key, kind, email_id, recipient, at, created_at)
			VALUES (gen_random_uuid(), ?, 'test', ?, 'DELIVERED', ?, 'bob@example.test', now(), now())`, d.project, d.email.String(), d.email)
	}
}

func exec(t *testing.T, db bun.IDB, query string, args ...any) {
	t.Helper()
	if _, err := db.NewRaw(query, args...).Exec(context.Background()); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// TestServiceProject_Upgrade migrates a database to the version before the service project,
// writes rows of no project and of a project in every table it changes, migrates up, and
// checks the rows' projects, the keys, and that the keys still do their work.
func TestServiceProject_Upgrade(t *testing.T) {
	ctx := context.Background()
	db := emptyDB(t)
	migrateBefore(t, db, serviceProjectMigration)
	var r upgradeRows
	r.write(t, db)
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}

	var name string
	if err := db.NewRaw(`SELECT name FROM projects WHERE id = ?`, serviceProject).Scan(ctx, &name); err != nil {
		t.Fatalf("the service project's row: %v", err)
	}
	wantProjects := []struct {
		query string
		id    uuid.UUID
		want  uuid.UUID
	}{
		{`SELECT project_id FROM invites WHERE id = ?`, r.serviceInvite, serviceProject},
		{`SELECT project_id FROM invites WHERE id = ?`, r.projectInvite, r.project},
		{`SELECT project_id FROM emails WHERE id = ?`, r.serviceEmail, serviceProject},
		{`SELECT project_id FROM emails WHERE id = ?`, r.projectEmail, r.project},
		{`SELECT project_id FROM emails WHERE id = ?`, r.replacedEmail, r.project},
		{`SELECT project_id FROM emails WHERE id = ?`, r.accountEmail, serviceProject},
		{`SELECT project_id FROM delivery_events WHERE email_id = ?`, r.serviceEmail, serviceProject},
		{`SELECT project_id FROM delivery_events WHERE email_id = ?`, r.projectEmail, r.project},
		{`SELECT project_id FROM delivery_events WHERE email_id = ?`, r.replacedEmail, r.project},
		{`SELECT project_id FROM delivery_events WHERE email_id = ?`, r.accountEmail, serviceProject},
		{`SELECT project_id FROM activity_events WHERE invite_id = ?`, r.serviceInvite, serviceProject},
		{`SELECT project_id FROM activity_events WHERE invite_id = ?`, r.projectInvite, r.project},
		{`SELECT project_id FROM replaced_invite_tokens WHERE invite_id = ?`, r.serviceInvite, serviceProject},
		{`SELECT project_id FROM replaced_invite_tokens WHERE invite_id = ?`, r.projectInvite, r.project},
	}
	for _, w := range wantProjects {
		var got uuid.UUID
		if err := db.NewRaw(w.query, w.id).Scan(ctx, &got); err != nil || got != w.want {
			t.Errorf("%s (%s) = %s, %v; want %s", w.query, w.id, got, err, w.want)
		}
	}
	checkUpgradedKeys(t, db)
	checkUpgradedBehaviour(t, db, &r)
}

// checkUpgradedKeys checks the primary keys and the keys that the migration moved.
func checkUpgradedKeys(t *testing.T, db *bun.DB) {
	t.Helper()
	want := map[string]string{
		"invites_pkey":                          "project_id,id",
		"invites_token_hash_key":                "project_id,token_hash",
		"invites_pending_email_key":             "project_id,email",
		"replaced_invite_tokens_pkey":           "project_id,token_hash",
		"activity_events_pkey":                  "project_id,id",
		"emails_pkey":                           "project_id,id",
		"delivery_events_pkey":                  "project_id,id",
		"invites_id_idx":                        "id",
		"invites_token_hash_idx":                "token_hash",
		"replaced_invite_tokens_token_hash_idx": "token_hash",
		"emails_id_idx":                         "id",
		"activity_events_id_idx":                "id",
		"delivery_events_id_idx":                "id",
	}
	for index, columns := range want {
		var got []string
		err := db.NewRaw(`SELECT a.attname FROM pg_index AS i, unnest(i.indkey) WITH ORDINALITY AS k (attnum, n)
			JOIN pg_attribute AS a ON a.attnum = k.attnum
			WHERE i.indexrelid = to_regclass(?) AND a.attrelid = i.indrelid ORDER BY k.n`, index).Scan(context.Background(), &got)
		if err != nil || strings.Join(got, ",") != columns {
			t.Errorf("index %s on (%s), %v; want (%s)", index, strings.Join(got, ","), err, columns)
		}
	}
	for _, fk := range []string{"invites_email_id_fkey", "replaced_invite_tokens_invite_id_fkey"} {
		var def string
		if err := db.NewRaw(`SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = ?`, fk).Scan(context.Background(), &def); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(def, "FOREIGN KEY (project_id, ") {
			t.Errorf("%s: %s; want it to pair project_id", fk, def)
		}
	}
}

// checkUpgradedBehaviour checks what the keys and triggers do on the upgraded rows: one
// pending invite per email and project (the service's too), an email's deletion clearing its
// invite's email_id alone, an invite's deletion taking its replaced tokens, and the live
// triggers skipping the service project as they skipped rows of no project.
func checkUpgradedBehaviour(t *testing.T, db *bun.DB, r *upgradeRows) {
	t.Helper()
	ctx := context.Background()
	for _, project := range []uuid.UUID{serviceProject, r.project} {
		role := any("CONTRIBUTOR")
		if project == serviceProject {
			role = nil
		}
		_, err := db.NewRaw(`INSERT INTO invites (id, email, project_id, role, inviter_id, token_hash, status, expires_at, created_at, updated_at)
			VALUES (gen_random_uuid(), 'bob@example.test', ?, ?, ?, ?, 'PENDING', now() + interval '1 day', now(), now())`,
			project, role, r.inviter, []byte("second-"+project.String())).Exec(ctx)
		if pgErr, ok := errors.AsType[*pgconn.PgError](err); !ok || pgErr.ConstraintName != "invites_pending_email_key" {
			t.Errorf("a second pending invite to the same email in project %s: %v; want invites_pending_email_key", project, err)
		}
	}
	exec(t, db, `DELETE FROM live_changes`)
	exec(t, db, `UPDATE invites SET status = 'REVOKED', ended_at = now() WHERE id IN (?, ?)`, r.serviceInvite, r.projectInvite)
	var projects []uuid.UUID
	if err := db.NewRaw(`SELECT DISTINCT project_id FROM live_changes`).Scan(ctx, &projects); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(projects, []uuid.UUID{r.project}) {
		t.Errorf("live changes of projects %v; want only %s's (none of the service project)", projects, r.project)
	}

	exec(t, db, `DELETE FROM emails WHERE id = ?`, r.projectEmail)
	var project uuid.UUID
	var emailID *uuid.UUID
	if err := db.NewRaw(`SELECT project_id, email_id FROM invites WHERE id = ?`, r.projectInvite).Scan(ctx, &project, &emailID); err != nil {
		t.Fatal(err)
	}
	if project != r.project || emailID != nil {
		t.Errorf("after its email's deletion the invite has project %s and email %v; want %s and none", project, emailID, r.project)
	}
	exec(t, db, `DELETE FROM invites WHERE id = ?`, r.serviceInvite)
	var tokens int
	if err := db.NewRaw(`SELECT count(*) FROM replaced_invite_tokens WHERE invite_id = ?`, r.serviceInvite).Scan(ctx, &tokens); err != nil || tokens != 0 {
		t.Errorf("replaced tokens of a deleted invite: %d, %v; want none", tokens, err)
	}
}

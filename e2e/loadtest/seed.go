package main

import (
	"context"
	"database/sql"
	"fmt"
)

// Names of what the seed makes. Tokens are fixed strings: the server keeps only their SHA-256,
// which PostgreSQL computes here the same way (sha256 of the UTF-8 text).
const (
	ownerEmail    = "owner@loadtest.example"
	ownerSession  = "loadtest-session-owner"
	membersName   = "Load: 100 members"
	invitesName   = "Load: 100,000 invites"
	acceptsName   = "Load: accepts"
	seedMembers   = 100 // the owner and 99 contributors
	seedInvites   = 100000
	acceptorEmail = "acceptor-%s@loadtest.example"
	acceptSession = "loadtest-session-acceptor-%s"
	acceptToken   = "loadtest-accept-%s"
)

// seed writes, in one transaction and set-based (generate_series, so 100,000 rows take seconds):
// an owner with a verified email and a session; a project of 100 members with their users; a
// project with 100,000 pending invites, each with a sent email, created a minute apart; and a
// project with `acceptors` pending invites, each to a verified user with a session of their
// own, for acceptInvite to claim one by one.
func seed(ctx context.Context, db *sql.DB, acceptors int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range seedStatements(acceptors) {
		if _, err := tx.ExecContext(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("seed %s: %w", s.what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// A table just filled by one transaction has no visibility map yet, so a count over it
	// visits every heap page; autovacuum sees to that soon after on a running server. Vacuum
	// now, so that the scenarios measure that steady state, for us and PostGraphile alike.
	_, err = db.ExecContext(ctx, "VACUUM ANALYZE")
	return err
}

// seedStatement is one INSERT of the seed: what it makes, for the error if it fails.
type seedStatement struct {
	what string
	sql  string
	args []any
}

// seedStatements are the seed's INSERTs, in order: each later one finds the rows that the
// earlier ones made by their names and emails.
func seedStatements(acceptors int) []seedStatement {
	return []seedStatement{
		{"users", `
INSERT INTO users (id, email, name, password_hash, email_verified_at, created_at)
SELECT gen_random_uuid(), e, n, 'loadtest: no password', now(), now() - interval '1 day'
FROM (VALUES ($1::text, 'Olga Owner')) AS o (e, n)
UNION ALL
SELECT gen_random_uuid(), format('member-%s@loadtest.example', i), format('Member %s', i), 'loadtest: no password', now(), now() - interval '1 day'
FROM generate_series(1, $2::int - 1) AS i
UNION ALL
SELECT gen_random_uuid(), format($3, i), format('Acceptor %s', i), 'loadtest: no password', now(), now() - interval '1 day'
FROM generate_series(1, $4::int) AS i`, []any{ownerEmail, seedMembers, acceptorEmail, acceptors}},
		{"sessions", `
INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
SELECT sha256(convert_to(CASE WHEN u.email = $1 THEN $2 ELSE format($3, substring(u.email FROM 'acceptor-(\d+)@')) END, 'UTF8')),
       u.id, now(), now() + interval '1 day'
FROM users u WHERE u.email = $1 OR u.email LIKE 'acceptor-%'`, []any{ownerEmail, ownerSession, acceptSession}},
		{"projects", `
INSERT INTO projects (id, name, created_at)
SELECT gen_random_uuid(), n, now() - interval '1 day' FROM unnest($1::text[]) AS n`, []any{[]string{membersName, invitesName, acceptsName}}},
		{"owners", `
INSERT INTO project_members (id, project_id, user_id, role, created_at, updated_at)
SELECT gen_random_uuid(), p.id, u.id, 'OWNER', p.created_at, p.created_at
FROM projects p, users u WHERE u.email = $1`, []any{ownerEmail}},
		{"members", `
INSERT INTO project_members (id, project_id, user_id, role, external_id, created_at, updated_at)
SELECT gen_random_uuid(), p.id, u.id, 'CONTRIBUTOR', 'S-' || substring(u.email FROM 'member-(\d+)@'),
       now() - make_interval(mins => substring(u.email FROM 'member-(\d+)@')::int), now()
FROM projects p, users u WHERE p.name = $1 AND u.email LIKE 'member-%'`, []any{membersName}},
		{"invite emails", `
INSERT INTO emails (project_id, id, kind, recipient, subject, params, link, status, attempts, created_at, updated_at, sent_at)
SELECT (SELECT id FROM projects WHERE name = $2), gen_random_uuid(), 'invite', format('invitee-%s@loadtest.example', i), 'Olga Owner invited you to Load', '{}', '', 'SENT', 1,
       now() - make_interval(mins => i), now() - make_interval(mins => i), now() - make_interval(mins => i)
FROM generate_series(1, $1::int) AS i`, []any{seedInvites, invitesName}},
		{"invites", `
INSERT INTO invites (id, email, project_id, role, external_id, inviter_id, token_hash, status, email_id, expires_at, created_at, updated_at)
SELECT gen_random_uuid(), e.recipient, p.id, 'CONTRIBUTOR', 'I-' || substring(e.recipient FROM 'invitee-(\d+)@'), o.id,
       sha256(convert_to('loadtest-invite-' || e.recipient, 'UTF8')), 'PENDING', e.id, now() + interval '7 days', e.created_at, e.created_at
FROM emails e, projects p, users o
WHERE e.recipient LIKE 'invitee-%' AND p.name = $1 AND o.email = $2`, []any{invitesName, ownerEmail}},
		{"invites to accept", `
INSERT INTO invites (id, email, project_id, role, inviter_id, token_hash, status, expires_at, created_at, updated_at)
SELECT gen_random_uuid(), format($1, i), p.id, 'CONTRIBUTOR', o.id, sha256(convert_to(format($2, i), 'UTF8')),
       'PENDING', now() + interval '7 days', now(), now()
FROM generate_series(1, $3::int) AS i, projects p, users o WHERE p.name = $4 AND o.email = $5`,
			[]any{acceptorEmail, acceptToken, acceptors, acceptsName, ownerEmail}},
	}
}

package live_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/invites/invites/internal/pgtest"
)

// The triggers that join a statement's old and new rows plan their query with the transition
// tables' real row counts on every run. A plan kept from the session's first run, made for a
// statement that touched no row, compared every new row with every old one: 25 million pairs,
// 2.5 s, for a bulk re-upload's 5,000 moved external IDs. Each table here is first updated with
// no row, then with 1,000, on one session; auto_explain (sent to the client) shows the plans
// the triggers ran, and each scan of a transition table must have expected about the rows it read;
// for the statement of no row, a trigger returns before its query.
func TestTriggers_PlannedForTheirRows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.exec(t, `INSERT INTO emails (project_id, id, kind, recipient, subject, params, link, status, created_at, updated_at)
		SELECT ?, gen_random_uuid(), 'invite', 'plan' || g || '@example.test', 's', '{}', '', 'QUEUED', now(), now() FROM generate_series(1, 1000) AS g`, f.project)
	f.exec(t, `INSERT INTO invites (id, email, project_id, role, inviter_id, token_hash, status, email_id, expires_at, created_at, updated_at)
		SELECT gen_random_uuid(), e.recipient, ?, 'CONTRIBUTOR', ?, decode(md5(e.recipient), 'hex'), 'PENDING', e.id, now() + interval '1 day', now(), now()
		FROM emails AS e WHERE e.recipient LIKE 'plan%@example.test'`, f.project, f.user)
	f.exec(t, `INSERT INTO users (id, email, name, password_hash, created_at)
		SELECT gen_random_uuid(), 'plan-member' || g || '@example.test', 'M', 'x', now() FROM generate_series(1, 1000) AS g`)
	f.exec(t, `INSERT INTO project_members (id, project_id, user_id, role, created_at, updated_at)
		SELECT gen_random_uuid(), ?, id, 'CONTRIBUTOR', now(), now() FROM users WHERE email LIKE 'plan-member%'`, f.project)
	t.Cleanup(func() {
		f.exec(t, `DELETE FROM project_members WHERE project_id = ?`, f.project)
		f.exec(t, `DELETE FROM users WHERE email LIKE 'plan-member%'`)
		f.exec(t, `DELETE FROM invites WHERE project_id = ?`, f.project)
		f.exec(t, `DELETE FROM emails WHERE recipient LIKE 'plan%@example.test'`)
	})

	// A session of its own, whose triggers have not run yet, with auto_explain sending the
	// plans of every statement, the triggers' included, to the client.
	var notices []string
	cfg, err := pgx.ParseConfig(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n.Message) }
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`LOAD 'auto_explain'`)
	for _, s := range []string{"auto_explain.log_min_duration = 0", "auto_explain.log_nested_statements = on",
		"auto_explain.log_analyze = on", "auto_explain.log_format = json", "client_min_messages = log"} {
		exec("SET " + s)
	}
	// Rolled back: the updates are only there to be explained.
	exec("BEGIN")
	defer conn.Exec(ctx, "ROLLBACK")
	for _, u := range []struct{ none, all string }{
		{`UPDATE invites SET external_id = 'x' WHERE false`, `UPDATE invites SET external_id = 'P-' || id WHERE project_id = $1`},
		{`UPDATE emails SET status = 'SENT' WHERE false`, `UPDATE emails SET status = 'SENT', sent_at = now() WHERE recipient LIKE 'plan%'`},
		{`UPDATE project_members SET role = 'ADMIN' WHERE false`, `UPDATE project_members SET role = 'ADMIN' WHERE project_id = $1`},
	} {
		notices = nil
		exec(u.none)
		for _, n := range notices {
			if strings.Contains(n, "INSERT INTO live_changes") {
				t.Errorf("%s: a trigger ran its query for a statement that changed no row", u.none)
			}
		}
		notices = nil
		args := []any{}
		if strings.Contains(u.all, "$1") {
			args = append(args, f.project)
		}
		exec(u.all, args...)
		scans := transitionScans(t, notices)
		if len(scans) != 2 {
			t.Errorf("%s: %d scans of transition tables in the triggers' plans, want 2 (old and new rows)", u.all, len(scans))
		}
		for _, s := range scans {
			if s.actual < 1000 || s.planned*2 < s.actual {
				t.Errorf("%s: a scan of a transition table planned for %.0f rows read %.0f (over %.0f loops): the plan was made for other rows",
					u.all, s.planned, s.actual, s.loops)
			}
		}
	}
}

// transitionScan is a scan of a trigger's transition table in an executed plan.
type transitionScan struct {
	planned, actual, loops float64
}

// transitionScans reads auto_explain's JSON plans out of notices and returns every scan of a
// transition table in the triggers' queries (those writing live_changes), with the rows read
// over all its loops.
func transitionScans(t *testing.T, notices []string) []transitionScan {
	t.Helper()
	var scans []transitionScan
	for _, n := range notices {
		_, plan, ok := strings.Cut(n, "plan:\n")
		if !ok {
			continue
		}
		var p struct {
			QueryText string   `json:"Query Text"`
			Plan      planNode `json:"Plan"`
		}
		if err := json.Unmarshal([]byte(plan), &p); err != nil {
			t.Fatalf("auto_explain's plan: %v\n%s", err, plan)
		}
		if !strings.Contains(p.QueryText, "INSERT INTO live_changes") {
			continue // not a trigger's query: its test for an empty statement, say
		}
		var walk func(n planNode)
		walk = func(n planNode) {
			if n.NodeType == "Named Tuplestore Scan" {
				scans = append(scans, transitionScan{n.PlanRows, n.ActualRows * n.ActualLoops, n.ActualLoops})
			}
			for _, c := range n.Plans {
				walk(c)
			}
		}
		walk(p.Plan)
	}
	return scans
}

// planNode is a node of EXPLAIN's JSON plan, with what transitionScans reads.
type planNode struct {
	NodeType    string     `json:"Node Type"`
	PlanRows    float64    `json:"Plan Rows"`
	ActualRows  float64    `json:"Actual Rows"`
	ActualLoops float64    `json:"Actual Loops"`
	Plans       []planNode `json:"Plans"`
}

package invites

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// advisoryLock serialises transactions that name the same key until they end.
func advisoryLock(ctx context.Context, tx bun.Tx, key string) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 1))", key)
	return err
}

// lockProject takes the project's write lock for the rest of tx and returns the project.
// Every change to a project's members or invites takes it first, so that the checks it makes
// (one holder per external ID across members and invites, one pending invite per email, the
// actor's role) stay true until it commits. FOR NO KEY UPDATE leaves the foreign-key checks
// of inserts unblocked.
func (s *core) lockProject(ctx context.Context, tx bun.Tx, projectID uuid.UUID) (*Project, error) {
	return lockProjectRow(ctx, tx, projectID, "NO KEY UPDATE")
}

// shareProject takes the project's lock in share mode for the rest of tx and returns the
// project. A single invite or claim takes it instead of lockProject: shares do not conflict
// with each other, so such writes to one project run side by side, while every writer that
// needs the project still (a bulk invite, a role or member change, which take lockProject)
// waits for them and they for it. What they must keep unique among themselves, the unique
// indexes keep (one pending invite per email, one pending invite and one member per external
// ID, one membership per user: a loser's insert fails, and inviteConflict names it), and a
// claim locks the invite row it changes. Across tables, a claim turns a pending invite into a
// membership in one commit, so a check that reads both in one statement sees one or the other.
func (s *core) shareProject(ctx context.Context, tx bun.Tx, projectID uuid.UUID) (*Project, error) {
	return lockProjectRow(ctx, tx, projectID, "SHARE")
}

func lockProjectRow(ctx context.Context, tx bun.Tx, projectID uuid.UUID, mode string) (*Project, error) {
	p := new(Project)
	err := tx.NewSelect().Model(p).Where("p.id = ?", projectID).For(mode).Scan(ctx)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, Errorf(NotFound, "project not found")
		}
		return nil, err
	}
	return p, nil
}

// lockClaimProjects shares, in claimAllPending's order, the locks of the projects of every
// pending invite to email and of the invite id, in one statement, and reports whether any
// pending invite to email other than id may be left for claimAllPending (true where it cannot
// tell: no project involved). A claim that goes on to claimAllPending calls it before taking
// any other project lock, so that such claims and a bulk invite or member change of the same
// projects queue up instead of deadlocking.
func (s *core) lockClaimProjects(ctx context.Context, tx bun.Tx, email string, id uuid.UUID) (others bool, err error) {
	var rows []struct {
		ID     uuid.UUID
		Others bool
	}
	err = tx.NewRaw(`SELECT p.id, EXISTS (SELECT 1 FROM invites
			WHERE email = ? AND status = 'PENDING' AND expires_at > ? AND id <> ?) AS others
		FROM projects AS p
		WHERE p.id IN (SELECT project_id FROM invites
			WHERE project_id <> `+serviceProjectSQL+` AND (id = ? OR (email = ? AND status = 'PENDING' AND expires_at > ?)))
		ORDER BY p.id FOR SHARE OF p`, email, s.now(), id, id, email, s.now()).Scan(ctx, &rows)
	if err != nil || len(rows) == 0 {
		return true, err
	}
	return rows[0].Others, nil
}

func projectKey(inv *Invite) string {
	if inv.ForService() {
		return ""
	}
	return inv.ProjectID.String()
}

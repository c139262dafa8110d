package invites

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// The caps on what one account or one project holds, so that nothing a client makes in a loop
// grows without end (docs/limits.md): an account's sessions (SessionLimit) and the projects it
// owns (ProjectLimit), a project's invite links (InviteLinkLimit). Each is counted in a
// statement run after a lock that queues the calls that could pass it together, so that it
// sees what the one before it committed: concurrent calls never pass a cap. A cap of 0 (only
// a test's Config has one) means none.

// trimSessions ends user's oldest sessions beyond SessionLimit, in tx, which has just started
// one: a log-in never fails for the cap, and the session ended is the one least likely to be
// in use. The user's session lock queues concurrent log-ins.
func (s *core) trimSessions(ctx context.Context, tx bun.Tx, user uuid.UUID) error {
	limit := s.cfg.SessionLimit
	if limit <= 0 {
		return nil
	}
	if err := advisoryLock(ctx, tx, "sessions:"+user.String()); err != nil {
		return err
	}
	_, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", user).
		Where("token_hash IN (SELECT token_hash FROM sessions WHERE user_id = ? ORDER BY created_at DESC, token_hash DESC OFFSET ?)", user, limit).
		Exec(ctx)
	return err
}

// checkOwnedProjects refuses, in tx, to make user the owner of one more project when they own
// ProjectLimit already; it holds user's ownership lock until tx ends, so the caller makes
// them owner in tx. field names the input that chose user ("" where it is the caller).
//
// Errors: BAD_USER_INPUT with reason LIMIT_EXCEEDED.
func (s *core) checkOwnedProjects(ctx context.Context, tx bun.Tx, user uuid.UUID, field string) error {
	limit := s.cfg.ProjectLimit
	if limit <= 0 {
		return nil
	}
	if err := advisoryLock(ctx, tx, "owner:"+user.String()); err != nil {
		return err
	}
	n, err := tx.NewSelect().Model((*Member)(nil)).Where("user_id = ? AND role = ?", user, RoleOwner).Count(ctx)
	if err != nil {
		return err
	}
	if n < int64(limit) {
		return nil
	}
	if field == "" {
		return OverLimit("", "you own %d projects, the most one account may own; transfer the ownership of one first", n)
	}
	return OverLimit(field, "this member owns %d projects, the most one account may own", n)
}

// checkInviteLinks refuses a new invite link in a project that holds InviteLinkLimit links
// (active ones and ended ones that the sweep has not yet deleted). The caller holds the
// project's lock, which queues concurrent creates.
//
// Errors: BAD_USER_INPUT on projectId with reason LIMIT_EXCEEDED.
func (s *core) checkInviteLinks(ctx context.Context, tx bun.Tx, projectID uuid.UUID) error {
	limit := s.cfg.InviteLinkLimit
	if limit <= 0 {
		return nil
	}
	n, err := tx.NewSelect().Model((*InviteLink)(nil)).Where("project_id = ?", projectID).Count(ctx)
	if err != nil {
		return err
	}
	if n < int64(limit) {
		return nil
	}
	return OverLimit("projectId", "this project holds %d invite links, the most it may; a link is deleted %s after its expiry",
		n, days(s.cfg.InviteRetention))
}

// days says d in whole days where it is some, else as Go writes it.
func days(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// EventViewedUserInvite is recorded, with no actor, the first time an invite's preview is
// shown: once per invite (SPEC §14, "Opened").
const EventViewedUserInvite = "Viewed User Invite"

// markOpened sets inv's OpenedAt and records EventViewedUserInvite, the first time its
// preview is shown; later previews change nothing. It is race-safe without a lock: the update
// is conditional (opened_at IS NULL), so of two first previews at once the second waits on
// the row, finds it set and updates nothing, and records nothing; a unique index holds the
// event to one per invite besides (migration 20261207213100_invite_opened).
func (s *core) markOpened(ctx context.Context, inv *Invite) error {
	if inv.OpenedAt != nil {
		return nil
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.now()
		res, err := tx.NewUpdate().Model((*Invite)(nil)).Set("opened_at = ?", now).
			Where("id = ? AND opened_at IS NULL", inv.ID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		inv.OpenedAt = &now
		return s.record(ctx, tx, s.event(EventViewedUserInvite, inv.ProjectID, uuid.Nil, inv, inv.Email))
	})
}

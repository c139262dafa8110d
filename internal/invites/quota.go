package invites

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// takeInviteQuota counts n invite emails (new or resent) against the inviter's cap for the
// current clock hour, in tx: a refusal rolls the count back with the rest of the call. With
// dryRun it only checks. A cap of 0 or less means none.
//
// Errors: RATE_LIMITED.
func (s *Service) takeInviteQuota(ctx context.Context, tx bun.Tx, inviter uuid.UUID, n int, dryRun bool) error {
	limit := s.cfg.InviteRateLimit
	if limit <= 0 || n == 0 {
		return nil
	}
	window := s.now().Truncate(time.Hour)
	var sent int
	var err error
	if dryRun {
		err = tx.NewRaw("SELECT COALESCE((SELECT sent FROM invite_quota WHERE inviter_id = ? AND window_start = ?), 0) + ?",
			inviter, window, n).Scan(ctx, &sent)
	} else {
		err = tx.NewRaw(`INSERT INTO invite_quota (inviter_id, window_start, sent) VALUES (?, ?, ?)
			ON CONFLICT (inviter_id, window_start) DO UPDATE SET sent = invite_quota.sent + EXCLUDED.sent
			RETURNING sent`, inviter, window, n).Scan(ctx, &sent)
	}
	if err != nil {
		return err
	}
	if sent > limit {
		left := max(0, limit-(sent-n))
		return Errorf(RateLimited, "you may send %d invites an hour and have %d left this hour; try again after %s",
			limit, left, window.Add(time.Hour).Format("15:04 MST"))
	}
	return nil
}

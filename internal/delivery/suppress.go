package delivery

import (
	"context"

	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// The kinds of suppression (the schema's SuppressionKind).
const (
	SuppressedHardBounce  = "HARD_BOUNCE"
	SuppressedComplaint   = "COMPLAINT"
	SuppressedSoftBounces = "SOFT_BOUNCES"
)

// suppressAfter suppresses em's address where e calls for it: a hard bounce, a complaint or an
// unsubscription at once; a soft bounce once it is the third in seven days (counting those
// since the address's last lift only, so that a lift gives it a fresh start).
func (s *Service) suppressAfter(ctx context.Context, tx bun.Tx, e Event, em *matchedEmail) error {
	reason := e.Reason
	var kind string
	switch e.Kind {
	case HardBounce:
		kind = SuppressedHardBounce
	case Complaint:
		kind = SuppressedComplaint
	case Unsubscribed:
		kind = SuppressedComplaint
		if reason == "" {
			reason = "unsubscribed"
		}
	case SoftBounce:
		var n int
		err := tx.NewRaw(`SELECT count(*) FROM delivery_events AS d
			WHERE d.recipient = ? AND d.kind = 'SOFT_BOUNCE' AND d.at > ? AND d.at <= ?
			AND d.created_at > COALESCE((SELECT max(lifted_at) FROM suppressions WHERE email = ?), '-infinity')`,
			em.Recipient, e.At.Add(-softBounceWindow), e.At, em.Recipient).Scan(ctx, &n)
		if err != nil || n < softBounceLimit {
			return err
		}
		kind = SuppressedSoftBounces
	default:
		return nil
	}
	return suppress(ctx, tx, em.Recipient, kind, reason, s.cfg.Now())
}

// suppress adds address to the suppression list, unless it is on it already.
func suppress(ctx context.Context, tx bun.Tx, address, kind, reason string, now time.Time) error {
	if reason == "" {
		reason = kind
	}
	_, err := tx.NewRaw(`INSERT INTO suppressions (id, email, kind, reason, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) WHERE lifted_at IS NULL DO NOTHING`,
		uuid.Must(uuid.NewV7()), address, kind, cut(reason), now).Exec(ctx)
	return err
}

package delivery

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/invites"
)

// activityName is the tracked event a kind of report records when it moves an invite's latest
// email: the activity reads "Ada's invitation to bob@exmaple.com bounced: no such user" from
// it (the inviter as actor, the address, the reason as detail), and webhooks post it.
func activityName(k Kind) string {
	switch k {
	case Delivered:
		return invites.EventDeliveredUserInvite
	case HardBounce:
		return invites.EventBouncedUserInvite
	case Complaint:
		return invites.EventComplainedUserInvite
	}
	return ""
}

// recordActivity records e's activity event where em is an invite's latest email and e's kind
// has one, and tells the event hook in tx.
func (s *Service) recordActivity(ctx context.Context, tx bun.Tx, e Event, em *matchedEmail) error {
	name := activityName(e.Kind)
	if name == "" || em.InviteID == nil {
		return nil
	}
	ev := &invites.Event{
		ID: uuid.Must(uuid.NewV7()), ProjectID: em.ProjectID, Name: name, ActorID: em.InviterID,
		InviteID: em.InviteID, Email: &em.Recipient, CreatedAt: s.cfg.Now().UTC().Truncate(time.Microsecond),
	}
	if e.Reason != "" && e.Kind != Delivered {
		detail := cut(e.Reason)
		ev.Detail = &detail
	}
	if _, err := tx.NewInsert().Model(ev).Exec(ctx); err != nil {
		return err
	}
	if s.cfg.EventHook == nil {
		return nil
	}
	return s.cfg.EventHook.Recorded(ctx, tx, []uuid.UUID{ev.ID})
}

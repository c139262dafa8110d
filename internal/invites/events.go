package invites

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// The tracked events' names.
const (
	EventCreatedUserInvite       = "Created User Invite"
	EventUserInvited             = "User Invited"
	EventInvitedToProject        = "Invited to Project"
	EventInvitedToProjectInvitee = "Invited to Project (Invitee)"
	EventClaimedUserInvite       = "Claimed User Invite"
	EventJoinedProject           = "Joined Project"
	EventDeclinedUserInvite      = "Declined User Invite"
	EventRevokedUserInvite       = "Revoked User Invite"
	EventResentUserInvite        = "Resent User Invite"
	EventRemindedUserInvite      = "Reminded User Invite"
	EventUpdatedMember           = "Updated Member"
	EventRemovedMember           = "Removed Member"
	EventLeftProject             = "Left Project"
	EventTransferredOwnership    = "Transferred Ownership"
	EventCreatedInviteLink       = "Created Invite Link"
	EventJoinedWithInviteLink    = "Joined with Invite Link"
	EventRevokedInviteLink       = "Revoked Invite Link"
	// EventExpiredUserInvite is recorded when an invite is marked EXPIRED (by the sweep, or by
	// a change to its project or email that finds it past its expiry), with no actor.
	EventExpiredUserInvite = "Expired User Invite"
	// What providers report of an invite's latest email (internal/delivery), with the inviter
	// as actor and, for a bounce or complaint, the provider's reason as detail.
	EventDeliveredUserInvite  = "Delivered User Invite"
	EventBouncedUserInvite    = "Bounced User Invite"
	EventComplainedUserInvite = "Complained User Invite"
	// EventUpdatedUserInvite: updateInvite corrected the address or changed the role; detail
	// names what it was before.
	EventUpdatedUserInvite = "Updated User Invite"
	// EventLiftedSuppression: an admin let a suppressed address be sent to again.
	EventLiftedSuppression = "Lifted Suppression"
	// EventBulkInvited is recorded once for each written bulk invite that sent an invitation,
	// by its inviter, with how many it sent and the uploaded file's name (Event.Invitations,
	// Event.FileName), beside the four events of each invitation.
	EventBulkInvited = "Bulk Invited"
)

// Event is a tracked event, stored in the transaction of what it records.
type Event struct {
	bun.BaseModel `bun:"table:activity_events,alias:ev"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	ProjectID uuid.UUID  `bun:"project_id,pk,type:uuid"`
	Name      string     `bun:"name"`
	ActorID   *uuid.UUID `bun:"actor_id,type:uuid"`
	InviteID  *uuid.UUID `bun:"invite_id,type:uuid"`
	Email     *string    `bun:"email"`
	// Detail is what the event's sentence needs beyond the rest: a bounce's reason, what an
	// updated invite was before.
	Detail    *string   `bun:"detail"`
	CreatedAt time.Time `bun:"created_at"`
	// Invitations and FileName are set on EventBulkInvited only: how many invitations the
	// batch sent, and the name of the file it came from (nil for rows given as a list).
	Invitations *int    `bun:"invitations"`
	FileName    *string `bun:"file_name"`
	// Role is the role a join through an invite link granted (EventJoinedWithInviteLink and
	// its EventJoinedProject); nil on other events.
	Role *Role `bun:"role"`
}

// event builds an Event about inv (which may be nil) by actor (uuid.Nil for none).
func (s *core) event(name string, projectID uuid.UUID, actor uuid.UUID, inv *Invite, email string) *Event {
	e := &Event{ID: newID(), ProjectID: projectID, Name: name, CreatedAt: s.now()}
	if actor != uuid.Nil {
		e.ActorID = &actor
	}
	if inv != nil {
		e.InviteID = &inv.ID
	}
	if email != "" {
		e.Email = &email
	}
	return e
}

// granting sets the role that e's join granted, and returns e.
func (e *Event) granting(role Role) *Event {
	e.Role = &role
	return e
}

// EventHook hears of tracked events in the transaction that records them, so that what
// follows from them (webhook deliveries) is queued with them: a rollback drops both.
type EventHook interface {
	// Recorded is called in tx once the events with these ids are stored. It must take a
	// fixed number of statements whatever their number: a bulk invite records thousands.
	Recorded(ctx context.Context, tx bun.Tx, eventIDs []uuid.UUID) error
	// BulkRecorded is Recorded for a bulk invite's events (none when every row failed), with
	// the batch's counts, once per batch written.
	BulkRecorded(ctx context.Context, tx bun.Tx, eventIDs []uuid.UUID, batch BulkRecord) error
}

// BulkRecord is a written bulk invite as the event hook hears of it: its counts only.
type BulkRecord struct {
	ProjectID uuid.UUID
	At        time.Time
	Summary   BulkSummary
}

type noEventHook struct{}

func (noEventHook) Recorded(context.Context, bun.Tx, []uuid.UUID) error { return nil }

func (noEventHook) BulkRecorded(context.Context, bun.Tx, []uuid.UUID, BulkRecord) error { return nil }

// record stores events in one statement, then tells the event hook.
func (s *core) record(ctx context.Context, tx bun.Tx, events ...*Event) error {
	if len(events) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&events).Exec(ctx); err != nil {
		return err
	}
	return s.cfg.EventHook.Recorded(ctx, tx, eventIDs(events))
}

// recordWith is record with the events inserted by the statement that runs write (an insert
// or update of what they are about, as a data-modifying CTE): one statement for both, and
// hook's (see hookFor). The events' foreign keys are checked at the statement's end, so they
// may name a row that write inserts.
func (s *core) recordWith(ctx context.Context, tx bun.Tx, hook EventHook, write bun.Query, events ...*Event) error {
	if _, err := tx.NewInsert().With("write", write).Model(&events).Exec(ctx); err != nil {
		return err
	}
	return hook.Recorded(ctx, tx, eventIDs(events))
}

// hookFor is the event hook for the events of a project that has enabledEndpoints enabled
// webhook endpoints, read with the project's lock shared or taken (see the migration
// 20261210010000): none when it has none, since no endpoint would get a delivery, and an
// endpoint enabled meanwhile waits for that lock, so commits after the events do.
func (s *core) hookFor(enabledEndpoints int) EventHook {
	if enabledEndpoints == 0 {
		return noEventHook{}
	}
	return s.cfg.EventHook
}

func eventIDs(events []*Event) []uuid.UUID {
	ids := make([]uuid.UUID, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}

// Activity lists a project's tracked events, newest first. project is the project as the
// viewer read it (see viewerRole).
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN), BAD_USER_INPUT (first, after, last, before).
func (s *ProjectService) Activity(ctx context.Context, viewer uuid.UUID, project *Project, args PageArgs) (*Page[*Event], error) {
	w, err := args.parse()
	if err != nil {
		return nil, err
	}
	if _, err := s.viewerRole(ctx, viewer, project, MinRoleToReadActivity); err != nil {
		return nil, err
	}
	l := newList("activity_events AS ev", "ev.created_at", "ev.id").where("ev.project_id = ?", project.ID)
	db := s.read(ctx)
	q := db.NewSelect().Model((*Event)(nil))
	return fetchPage(ctx, db, q, l, w, func(e *Event) cursor { return cursor{At: e.CreatedAt, ID: e.ID} })
}

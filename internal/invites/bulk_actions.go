package invites

import (
	"context"
	"errors"

	"github.com/google/uuid"
)

// MaxActionIDs is the most IDs one action on many rows (revokeInvites, resendInvites,
// removeMembers) takes: each row is a transaction of its own, so a call's cost grows with it.
const MaxActionIDs = 100

// InviteActionResult is one ID's outcome in an action on many invites: the invite after it,
// or Err, the *Error that the single action would have answered.
type InviteActionResult struct {
	// ID is the ID as given.
	ID     string
	Invite *Invite
	Err    *Error
}

// MemberActionResult is one user ID's outcome in removeMembers: the membership as it was when
// removed, or Err, the *Error that removeMember would have answered.
type MemberActionResult struct {
	// UserID is the ID as given.
	UserID string
	Member *Member
	Err    *Error
}

// RevokeInvites revokes each invite of ids as RevokeInvite would, each in a transaction of
// its own: one row's failure undoes no other. The results are in the order of ids.
//
// Errors: BAD_USER_INPUT on ids (more than MaxActionIDs); an outage ends the call (the rows
// before it are done). Per row: NOT_FOUND, FORBIDDEN, INVITE_EXPIRED, INVITE_NOT_PENDING, and
// BAD_USER_INPUT for an ID given twice.
func (s *ConsoleService) RevokeInvites(ctx context.Context, actor uuid.UUID, ids []string) ([]*InviteActionResult, error) {
	return s.inviteActions(ctx, ids, func(id uuid.UUID) (*Invite, error) { return s.invites.RevokeInvite(ctx, actor, id) })
}

// ResendInvites resends each invite of ids as ResendInvite would (the same authority rule and
// rate limits), each in a transaction of its own. The results are in the order of ids.
//
// Errors: as RevokeInvites; per row, what ResendInvite answers (EMAIL_NOT_VERIFIED,
// RATE_LIMITED, ALREADY_MEMBER, ...).
func (s *ConsoleService) ResendInvites(ctx context.Context, actor uuid.UUID, ids []string) ([]*InviteActionResult, error) {
	return s.inviteActions(ctx, ids, func(id uuid.UUID) (*Invite, error) { return s.invites.ResendInvite(ctx, actor, id) })
}

func (s *ConsoleService) inviteActions(ctx context.Context, ids []string, act func(uuid.UUID) (*Invite, error)) ([]*InviteActionResult, error) {
	out := make([]*InviteActionResult, 0, len(ids))
	err := eachRow("ids", "invite", ids, func(raw string, id uuid.UUID, refused *Error) error {
		r := &InviteActionResult{ID: raw, Err: refused}
		out = append(out, r)
		if refused != nil {
			return nil
		}
		var err error
		r.Invite, err = act(id)
		r.Err, err = rowError(err)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RemoveMembers removes each member of userIDs as RemoveMember would, each in a transaction of
// its own: one row's failure undoes no other. The results are in the order of userIDs.
//
// Errors: BAD_USER_INPUT on userIds (more than MaxActionIDs); an outage ends the call (the
// rows before it are done). Per row: NOT_FOUND, FORBIDDEN, and BAD_USER_INPUT for an ID given
// twice. A project the actor is not a member of is NOT_FOUND on every row.
func (s *ConsoleService) RemoveMembers(ctx context.Context, actor, projectID uuid.UUID, userIDs []string) ([]*MemberActionResult, error) {
	out := make([]*MemberActionResult, 0, len(userIDs))
	err := eachRow("userIds", "member", userIDs, func(raw string, id uuid.UUID, refused *Error) error {
		r := &MemberActionResult{UserID: raw, Err: refused}
		out = append(out, r)
		if refused != nil {
			return nil
		}
		var err error
		r.Member, err = s.removeMember(ctx, actor, projectID, id)
		r.Err, err = rowError(err)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachRow calls row for each ID of ids in order, with the ID parsed, or with the refusal of
// an ID that names nothing (NOT_FOUND: what the single action answers) or that came before
// (BAD_USER_INPUT). It stops at row's first error.
//
// Errors: BAD_USER_INPUT on field, more than MaxActionIDs IDs.
func eachRow(field, what string, ids []string, row func(raw string, id uuid.UUID, refused *Error) error) error {
	if len(ids) > MaxActionIDs {
		return invalid(field, "%d IDs given; at most %d per call", len(ids), MaxActionIDs)
	}
	seen := make(map[uuid.UUID]int, len(ids))
	for i, raw := range ids {
		id, err := ParseID(what, raw)
		var refused *Error
		if err != nil {
			refused, _ = errors.AsType[*Error](err)
		} else if first, dup := seen[id]; dup {
			refused = invalid(field, "this ID is given already, at position %d of the list", first+1)
		} else {
			seen[id] = i
		}
		if err := row(raw, id, refused); err != nil {
			return err
		}
	}
	return nil
}

// rowError splits a row's error into the refusal shown in its result (an *Error) and what ends
// the whole call (anything else: an outage or a bug, which no row may hide).
func rowError(err error) (*Error, error) {
	if err == nil {
		return nil, nil
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e, nil
	}
	return nil, err
}

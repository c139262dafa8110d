package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/mail"
)

// MinRoleToDecideJoinRequests lists, approves and denies a project's requests to join, and
// watches them change (joinRequestChanged).
const MinRoleToDecideJoinRequests = RoleAdmin

// JoinRequestActionResult is one ID's outcome in approveJoinRequests or denyJoinRequests: the
// request as decided, or Err, the *Error that deciding it alone would have answered.
type JoinRequestActionResult struct {
	// ID is the ID as given.
	ID      string
	Request *JoinRequest
	Err     *Error
}

// ApproveJoinRequests approves each request of ids, each in a transaction of its own: the
// person becomes a member with role, or, where role is nil, the role the request asked for
// (its link's). Under the project's lock, so that the same request approved twice at once
// makes one membership: the second finds it APPROVED. A person who became a member meanwhile
// keeps their membership as it is, and the request is approved. The role asked for is the
// link's, or the domain's for a request through a domain's REQUEST policy.
//
// Errors: BAD_USER_INPUT on ids (more than MaxActionIDs) or role; per row: NOT_FOUND,
// FORBIDDEN (below ADMIN, or a role not below the actor's own), EMAIL_DOMAIN_NOT_ALLOWED (the
// project's restrictToDomains refuses the person's email now), INVITE_EXPIRED,
// INVITE_NOT_PENDING (decided or cancelled already), BAD_USER_INPUT for an ID given twice.
func (s *JoinRequestService) ApproveJoinRequests(ctx context.Context, actor uuid.UUID, ids []string, role *Role) ([]*JoinRequestActionResult, error) {
	if role != nil {
		if err := checkRole("role", *role); err != nil {
			return nil, err
		}
	}
	return s.decideEach(ctx, actor, ids, func(ctx context.Context, tx bun.Tx, m *Member, req *JoinRequest) error {
		return s.approve(ctx, tx, m, req, role)
	})
}

// DenyJoinRequests denies each request of ids, with an optional reason that the person is
// told, each in a transaction of its own.
//
// Errors: BAD_USER_INPUT on ids or reason; per row: as ApproveJoinRequests.
func (s *JoinRequestService) DenyJoinRequests(ctx context.Context, actor uuid.UUID, ids []string, reason *string) ([]*JoinRequestActionResult, error) {
	why, err := normalizeMessage("reason", reason, MaxJoinRequestReasonLen)
	if err != nil {
		return nil, err
	}
	return s.decideEach(ctx, actor, ids, func(ctx context.Context, tx bun.Tx, m *Member, req *JoinRequest) error {
		req.Reason = why
		return s.decide(ctx, tx, m, req, RequestDenied, EventDeniedJoinRequest)
	})
}

// decideEach runs decide on each request of ids in a transaction of its own, after the
// checks every decision shares: the request exists, the actor is an ADMIN or above of its
// project (a non-member learns nothing of it), and it is still pending.
func (s *JoinRequestService) decideEach(ctx context.Context, actor uuid.UUID, ids []string,
	decide func(context.Context, bun.Tx, *Member, *JoinRequest) error) ([]*JoinRequestActionResult, error) {
	out := make([]*JoinRequestActionResult, 0, len(ids))
	err := eachRow("ids", "request to join", ids, func(raw string, id uuid.UUID, refused *Error) error {
		r := &JoinRequestActionResult{ID: raw, Err: refused}
		out = append(out, r)
		if refused != nil {
			return nil
		}
		err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			req, err := s.requestByID(ctx, tx, id, false)
			if err != nil {
				return err
			}
			if _, err := s.lockProject(ctx, tx, req.ProjectID); err != nil {
				return err
			}
			m, err := member(ctx, tx, req.ProjectID, actor, "request to join")
			if err != nil {
				return err
			}
			if err := HasMinRole(m.Role, MinRoleToDecideJoinRequests); err != nil {
				return err
			}
			if req, err = s.requestByID(ctx, tx, id, true); err != nil {
				return err
			}
			if err := req.pending(); err != nil {
				return err
			}
			if err := decide(ctx, tx, m, req); err != nil {
				return err
			}
			r.Request = req
			return nil
		})
		if err != nil {
			r.Request = nil
		}
		r.Err, err = rowError(err)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// approve makes the request's person a member with role (nil: the role asked for), within
// the authority rule and the project's restrictToDomains, and counts a use of its link where
// the link is still there and not used up.
func (s *core) approve(ctx context.Context, tx bun.Tx, m *Member, req *JoinRequest, role *Role) error {
	grant := req.AskedRole
	if role != nil {
		grant = *role
	}
	if err := CanInvite(m.Role, grant); err != nil {
		return err
	}
	now := s.now()
	req.Role = &grant
	if _, err := member(ctx, tx, req.ProjectID, req.UserID, "member"); ErrorCode(err) == NotFound {
		person, err := userByID(ctx, tx, req.UserID)
		if err != nil {
			return err
		}
		// Checked again at the decision, under the project's lock: the project may have been
		// restricted, or the person's domain removed, since they asked.
		if err := s.CheckDomainAllowed(ctx, tx, req.ProjectID, person.Email); err != nil {
			return err
		}
		joined := &Member{ID: newID(), ProjectID: req.ProjectID, UserID: req.UserID, Role: grant, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(joined).Exec(ctx); err != nil {
			return err
		}
		// The welcome tells the person their request was approved, in their own locale.
		project, err := projectName(ctx, tx, req.ProjectID)
		if err != nil {
			return err
		}
		if err := s.welcome(ctx, tx, joined, project, person, userLocale(person), true); err != nil {
			return err
		}
		if err := s.record(ctx, tx, s.event(EventJoinedProject, req.ProjectID, req.UserID, nil, person.Email).granting(grant)); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if req.LinkID != nil {
		_, err := tx.NewUpdate().Model((*InviteLink)(nil)).Set("uses = uses + 1").Set("updated_at = ?", now).
			Where("id = ? AND (max_uses IS NULL OR uses < max_uses)", *req.LinkID).Exec(ctx)
		if err != nil {
			return err
		}
	}
	return s.decide(ctx, tx, m, req, RequestApproved, EventApprovedJoinRequest)
}

// decide writes the decision on a locked pending request and records it, by m's user, with
// the person's email.
func (s *core) decide(ctx context.Context, tx bun.Tx, m *Member, req *JoinRequest, status JoinRequestStatus, event string) error {
	now := s.now()
	req.Status, req.DecidedBy, req.DecidedAt, req.UpdatedAt = status, &m.UserID, &now, now
	_, err := tx.NewUpdate().Model(req).Column("status", "role", "decided_by", "decided_at", "reason", "updated_at").WherePK().Exec(ctx)
	if err != nil {
		return err
	}
	person, err := userByID(ctx, tx, req.UserID)
	if err != nil {
		return err
	}
	e := s.event(event, req.ProjectID, m.UserID, nil, person.Email)
	if req.Role != nil {
		e.granting(*req.Role)
	}
	if err := s.record(ctx, tx, e); err != nil {
		return err
	}
	return s.tellDecided(ctx, tx, person, req)
}

// tellDecided queues, in the decision's transaction, the email that tells the person their
// request was denied. An approval is told by the welcome that approve queues with the
// membership (welcome.go); a person who became a member meanwhile had their welcome then.
func (s *core) tellDecided(ctx context.Context, tx bun.Tx, person *User, req *JoinRequest) error {
	if req.Status != RequestDenied {
		return nil
	}
	d := mail.JoinRequestDecidedData{ProjectID: req.ProjectID, To: person.Email, Name: person.Name, Locale: userLocale(person)}
	if req.Reason != nil {
		d.Reason = *req.Reason
	}
	err := tx.NewSelect().Table("projects").Column("name").Where("id = ?", req.ProjectID).Scan(ctx, &d.ProjectName)
	if err != nil {
		return err
	}
	_, err = s.mailer.Enqueue(ctx, tx, mail.JoinRequestDecided(d))
	return err
}

// WatchedJoinRequests returns those of ids that are the project's requests to join, oldest
// first, as they stand now; with no ids it only checks the viewer's authority (live updates:
// joinRequestChanged).
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN).
func (s *JoinRequestService) WatchedJoinRequests(ctx context.Context, viewer, projectID uuid.UUID, ids []uuid.UUID) ([]*JoinRequest, error) {
	if _, err := requireRole(ctx, s.db, projectID, viewer, MinRoleToDecideJoinRequests); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return s.LiveJoinRequests(ctx, projectID, ids)
}

// LiveJoinRequests returns those of ids that are the project's requests to join, oldest first,
// for every subscriber whose standing LiveStandings has checked (the live fan-out reads a
// change once for all of them).
func (s *JoinRequestService) LiveJoinRequests(ctx context.Context, projectID uuid.UUID, ids []uuid.UUID) ([]*JoinRequest, error) {
	var list []*JoinRequest
	err := s.db.NewSelect().Model(&list).Where("jr.project_id = ?", projectID).Where("jr.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		OrderExpr("jr.created_at, jr.id").Scan(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, r := range list {
		r.settle(now)
	}
	return list, nil
}

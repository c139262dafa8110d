package invites

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"golang.org/x/text/unicode/norm"
)

// Requests to join (SPEC §16). A person asks to join a project in one of two ways: through an
// invite link that requires approval (requestToJoin with its token; joinWithLink answers
// APPROVAL_REQUIRED), or through a verified domain of the project at their verified email
// whose policy is REQUEST (requestToJoin with the projectId; joinrequests_domain.go). An ADMIN
// or OWNER approves, with a role under the authority rule, or denies. One PENDING request per
// person and project: the partial unique index join_requests_pending_key decides between two
// that race. A request expires JoinRequestTTL after it was made: reads show it EXPIRED at
// once, and the sweep marks it so.

// JoinRequestTTL is how long a request waits for a decision.
const JoinRequestTTL = 30 * 24 * time.Hour

// MaxJoinRequestMessageLen and MaxJoinRequestReasonLen bound a request's message and a
// denial's reason, in characters.
const (
	MaxJoinRequestMessageLen = 1000
	MaxJoinRequestReasonLen  = 500
)

// JoinRequestStatus is where a request to join stands.
type JoinRequestStatus string

// The request statuses.
const (
	RequestPending   JoinRequestStatus = "PENDING"
	RequestApproved  JoinRequestStatus = "APPROVED"
	RequestDenied    JoinRequestStatus = "DENIED"
	RequestExpired   JoinRequestStatus = "EXPIRED"
	RequestCancelled JoinRequestStatus = "CANCELLED"
)

// The events of requests to join.
const (
	EventRequestedToJoin      = "Requested to Join"
	EventApprovedJoinRequest  = "Approved Join Request"
	EventDeniedJoinRequest    = "Denied Join Request"
	EventCancelledJoinRequest = "Cancelled Join Request"
	EventExpiredJoinRequest   = "Expired Join Request"
)

// JoinRequest is a person's request to join a project.
type JoinRequest struct {
	bun.BaseModel `bun:"table:join_requests,alias:jr"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	ProjectID uuid.UUID `bun:"project_id,type:uuid"`
	UserID    uuid.UUID `bun:"user_id,type:uuid"`
	// LinkID is the link asked through; nil for a request through a domain's REQUEST policy.
	LinkID *uuid.UUID `bun:"link_id,type:uuid"`
	// AskedRole is what an approval that names no role gives: the link's or the domain's role.
	AskedRole Role              `bun:"asked_role"`
	Message   *string           `bun:"message"`
	Status    JoinRequestStatus `bun:"status"`
	// Role is the role given on approval.
	Role      *Role      `bun:"role"`
	DecidedBy *uuid.UUID `bun:"decided_by,type:uuid"`
	DecidedAt *time.Time `bun:"decided_at"`
	// Reason is a denial's reason, where the admin gave one.
	Reason    *string   `bun:"reason"`
	ExpiresAt time.Time `bun:"expires_at"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// settle shows a PENDING request past its expiry as EXPIRED, as the sweep will mark it.
func (r *JoinRequest) settle(now time.Time) *JoinRequest {
	if r.Status == RequestPending && !r.ExpiresAt.After(now) {
		r.Status = RequestExpired
	}
	return r
}

// pending returns the error an action on a settled request that is no longer pending gets.
func (r *JoinRequest) pending() error {
	switch r.Status {
	case RequestPending:
		return nil
	case RequestExpired:
		return Errorf(InviteExpired, "this request to join has expired")
	}
	return Errorf(InviteNotPending, "this request to join was %s already", strings.ToLower(string(r.Status)))
}

// JoinRequestService makes, cancels, lists and decides requests to join.
type JoinRequestService struct{ *core }

// RequestToJoinInput is what requestToJoin takes.
type RequestToJoinInput struct {
	// ProjectID is the project to ask, through a verified domain whose policy is REQUEST.
	ProjectID *uuid.UUID
	// LinkToken is, instead, the token of an invite link that requires approval.
	LinkToken *string
	Message   *string
}

// normalizeMessage checks a free-text message of at most max characters, whose lines may be
// broken: each line is visible text as names are (no control or invisible characters).
// Empty or blank is nil.
func normalizeMessage(field string, raw *string, max int) (*string, error) {
	if raw == nil {
		return nil, nil
	}
	msg := strings.TrimSpace(strings.ReplaceAll(*raw, "\r\n", "\n"))
	if msg == "" {
		return nil, nil
	}
	for line := range strings.SplitSeq(msg, "\n") {
		if err := checkVisibleText(field, line); err != nil {
			return nil, err
		}
	}
	msg = norm.NFC.String(msg)
	if n := utf8.RuneCountInString(msg); n > max {
		return nil, invalid(field, "%s is %d characters long; at most %d", field, n, max)
	}
	return &msg, nil
}

// RequestToJoin asks, for user, to join a project: through the invite link of in.LinkToken,
// which requires approval, or through the verified domain of in.ProjectID at the user's
// verified email, whose policy is REQUEST. Exactly one of the two is given.
//
// Errors: BAD_USER_INPUT (neither or both of projectId and linkToken; message), NOT_FOUND (an
// unknown token; a project unknown, or not shown to the user by a domain), FORBIDDEN (the
// domain's policy admits at once: joinProject), INVITE_EXPIRED and INVITE_NOT_PENDING (the
// link ended), EMAIL_NOT_VERIFIED and EMAIL_DOMAIN_NOT_ALLOWED (the link's allowed domains,
// the project's restrictToDomains), ALREADY_MEMBER, JOIN_REQUEST_EXISTS.
func (s *JoinRequestService) RequestToJoin(ctx context.Context, user *User, in RequestToJoinInput) (*JoinRequest, error) {
	byLink := in.LinkToken != nil && strings.TrimSpace(*in.LinkToken) != ""
	if byLink == (in.ProjectID != nil) {
		return nil, invalid("linkToken", "give either projectId (a project your email's domain lets you ask to join) or linkToken (an invite link that requires approval)")
	}
	msg, err := normalizeMessage("message", in.Message, MaxJoinRequestMessageLen)
	if err != nil {
		return nil, err
	}
	var req *JoinRequest
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var ask *JoinRequest
		if byLink {
			ask, err = s.askThroughLink(ctx, tx, user, strings.TrimSpace(*in.LinkToken))
		} else {
			ask, err = s.askThroughDomain(ctx, tx, user, *in.ProjectID)
		}
		if err != nil {
			return err
		}
		ask.Message = msg
		req, err = s.insertRequest(ctx, tx, user, ask)
		return err
	})
	if isUniqueViolation(err, "join_requests_pending_key") {
		return nil, Errorf(JoinRequestExists, "you asked to join this project already; your request is waiting for an admin")
	}
	return req, err
}

// askThroughLink is the request that the link of token, which requires approval, lets user
// make: its project and role.
func (s *core) askThroughLink(ctx context.Context, tx bun.Tx, user *User, token string) (*JoinRequest, error) {
	l, err := s.linkByToken(ctx, tx, token)
	if err != nil {
		return nil, err
	}
	if err := l.joinable(); err != nil {
		return nil, err
	}
	if !l.RequiresApproval {
		return nil, invalid("linkToken", "this invite link admits at once: join with it (joinWithLink)")
	}
	if err := s.linkAdmits(ctx, tx, l, user); err != nil {
		return nil, err
	}
	return &JoinRequest{ProjectID: l.ProjectID, LinkID: &l.ID, AskedRole: l.Role}, nil
}

// insertRequest stores ask (its project, link, role and message) as user's pending request,
// unless they are a member, and records it: the one insert of every way to ask.
func (s *core) insertRequest(ctx context.Context, tx bun.Tx, user *User, ask *JoinRequest) (*JoinRequest, error) {
	if _, err := member(ctx, tx, ask.ProjectID, user.ID, "member"); err == nil {
		return nil, Errorf(AlreadyMember, "you are a member of this project already")
	} else if ErrorCode(err) != NotFound {
		return nil, err
	}
	now := s.now()
	// A request past its expiry that the sweep has not marked yet makes way for the new one.
	if err := s.expireRequests(ctx, tx, now, "project_id = ? AND user_id = ?", ask.ProjectID, user.ID); err != nil {
		return nil, err
	}
	req := &JoinRequest{
		ID: newID(), ProjectID: ask.ProjectID, UserID: user.ID, LinkID: ask.LinkID, AskedRole: ask.AskedRole, Message: ask.Message,
		Status: RequestPending, ExpiresAt: now.Add(JoinRequestTTL), CreatedAt: now, UpdatedAt: now,
	}
	if _, err := tx.NewInsert().Model(req).Exec(ctx); err != nil {
		return nil, err
	}
	return req, s.record(ctx, tx, s.event(EventRequestedToJoin, req.ProjectID, user.ID, nil, user.Email))
}

// expireRequests marks EXPIRED the pending requests past their expiry that match where, with
// an event each and no actor.
func (s *core) expireRequests(ctx context.Context, tx bun.Tx, now time.Time, where string, args ...any) error {
	var rows []struct {
		ProjectID uuid.UUID `bun:"project_id"`
		Email     string    `bun:"email"`
	}
	err := tx.NewRaw(`UPDATE join_requests AS jr SET status = 'EXPIRED', updated_at = ?
		FROM users AS u WHERE u.id = jr.user_id AND jr.status = 'PENDING' AND jr.expires_at <= ? AND jr.id IN (
			SELECT id FROM join_requests WHERE `+where+` AND status = 'PENDING' AND expires_at <= ? FOR UPDATE SKIP LOCKED)
		RETURNING jr.project_id, u.email`, append(append([]any{now, now}, args...), now)...).Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	events := make([]*Event, len(rows))
	for i, r := range rows {
		events[i] = s.event(EventExpiredJoinRequest, r.ProjectID, uuid.Nil, nil, r.Email)
	}
	return s.record(ctx, tx, events...)
}

// requestByID reads one request, locked for update when lock is set.
func (s *core) requestByID(ctx context.Context, db bun.IDB, id uuid.UUID, lock bool) (*JoinRequest, error) {
	r := new(JoinRequest)
	q := db.NewSelect().Model(r).Where("jr.id = ?", id)
	if lock {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "request to join not found")
	} else if err != nil {
		return nil, err
	}
	return r.settle(s.now()), nil
}

// CancelJoinRequest withdraws the user's own pending request.
//
// Errors: NOT_FOUND (no such request of theirs), INVITE_EXPIRED, INVITE_NOT_PENDING (decided
// or cancelled already).
func (s *JoinRequestService) CancelJoinRequest(ctx context.Context, user *User, id uuid.UUID) (*JoinRequest, error) {
	var req *JoinRequest
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if req, err = s.requestByID(ctx, tx, id, true); err != nil {
			return err
		}
		if req.UserID != user.ID {
			return Errorf(NotFound, "request to join not found")
		}
		if err := req.pending(); err != nil {
			return err
		}
		now := s.now()
		req.Status, req.UpdatedAt = RequestCancelled, now
		if _, err := tx.NewUpdate().Model(req).Column("status", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return s.record(ctx, tx, s.event(EventCancelledJoinRequest, req.ProjectID, user.ID, nil, user.Email))
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// ProjectJoinRequests lists a project's requests to join, newest first, of one status or all.
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN), BAD_USER_INPUT (first, after,
// last, before; status).
func (s *JoinRequestService) ProjectJoinRequests(ctx context.Context, viewer, projectID uuid.UUID, status *JoinRequestStatus, args PageArgs) (*Page[*JoinRequest], error) {
	w, err := args.parse()
	if err != nil {
		return nil, err
	}
	db := s.read(ctx)
	if _, err := requireRole(ctx, db, projectID, viewer, MinRoleToDecideJoinRequests); err != nil {
		return nil, err
	}
	now := s.now()
	l := newList("join_requests AS jr", "jr.created_at", "jr.id").where("jr.project_id = ?", projectID)
	if status != nil {
		switch *status {
		case RequestPending:
			l.where("jr.status = 'PENDING' AND jr.expires_at > ?", now)
		case RequestExpired:
			l.where("jr.status = 'EXPIRED' OR (jr.status = 'PENDING' AND jr.expires_at <= ?)", now)
		case RequestApproved, RequestDenied, RequestCancelled:
			l.where("jr.status = ?", string(*status))
		default:
			return nil, invalid("status", "%q is not a request status", *status)
		}
	}
	q := db.NewSelect().Model((*JoinRequest)(nil))
	p, err := fetchPage(ctx, db, q, l, w, func(r *JoinRequest) cursor { return cursor{At: r.CreatedAt, ID: r.ID} })
	if err != nil {
		return nil, err
	}
	for _, it := range p.Items {
		it.settle(now)
	}
	return p, nil
}

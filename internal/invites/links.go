package invites

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Invite links. A link admits whoever opens it, signed in, into its project with its role:
// no email is sent, so its creator shares the URL, shown once, as they like. Each join takes
// the project's lock (as every change to members does) and counts its use with a conditional
// UPDATE, so that concurrent joins never pass maxUses; it checks again that the link's creator
// could still make it, and revokes the link when not.

// MaxInviteLinkTTL is the longest an invite link may stay open.
const MaxInviteLinkTTL = 30 * 24 * time.Hour

// LinkStatus is where an invite link stands, as read at a time.
type LinkStatus string

// The invite link statuses.
const (
	LinkActive  LinkStatus = "ACTIVE"
	LinkExpired LinkStatus = "EXPIRED"
	LinkUsedUp  LinkStatus = "USED_UP"
	LinkRevoked LinkStatus = "REVOKED"
)

// InviteLink is a shareable link into a project with a role.
type InviteLink struct {
	bun.BaseModel `bun:"table:invite_links,alias:l"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	ProjectID uuid.UUID `bun:"project_id,type:uuid"`
	Role      Role      `bun:"role"`
	CreatedBy uuid.UUID `bun:"created_by,type:uuid"`
	TokenHash []byte    `bun:"token_hash"`
	// MaxUses is nil for no limit.
	MaxUses *int `bun:"max_uses"`
	Uses    int  `bun:"uses"`
	// AllowedEmailDomains is empty for any email.
	AllowedEmailDomains []string `bun:"allowed_email_domains,array"`
	// RequiresApproval turns a join through the link into a request to join (joinrequests.go).
	RequiresApproval bool       `bun:"requires_approval"`
	ExpiresAt        time.Time  `bun:"expires_at"`
	RevokedAt        *time.Time `bun:"revoked_at"`
	CreatedAt        time.Time  `bun:"created_at"`
	UpdatedAt        time.Time  `bun:"updated_at"`
	// Status is the link's status as read when it was loaded (settle).
	Status LinkStatus `bun:"-"`
}

// settle sets the link's status as read at now: revoked, used up and expired, in that order
// of precedence.
func (l *InviteLink) settle(now time.Time) *InviteLink {
	switch {
	case l.RevokedAt != nil:
		l.Status = LinkRevoked
	case l.MaxUses != nil && l.Uses >= *l.MaxUses:
		l.Status = LinkUsedUp
	case !l.ExpiresAt.After(now):
		l.Status = LinkExpired
	default:
		l.Status = LinkActive
	}
	return l
}

// joinable returns the error a join of a settled link gets, or nil when it is active.
func (l *InviteLink) joinable() error {
	switch l.Status {
	case LinkActive:
		return nil
	case LinkExpired:
		return Errorf(InviteExpired, "this invite link has expired; ask for a new one")
	case LinkUsedUp:
		return Errorf(InviteNotPending, "this invite link has been used as many times as it may be")
	}
	return Errorf(InviteNotPending, "this invite link was revoked")
}

// admits returns nil when user may join through the link as far as its allowed domains go:
// with domains, a verified email at one of them. The domain is checked first: verifying an
// email at another domain would not help, so the person is told what would.
func (l *InviteLink) admits(user *User) error {
	if len(l.AllowedEmailDomains) == 0 {
		return nil
	}
	domain := user.Email[strings.LastIndexByte(user.Email, '@')+1:]
	if !slices.Contains(l.AllowedEmailDomains, domain) {
		return Errorf(EmailDomainNotAllowed, "this invite link admits only emails at %s", strings.Join(l.AllowedEmailDomains, ", "))
	}
	if !user.EmailVerified() {
		return Errorf(EmailNotVerified, "this invite link admits only verified emails: verify your email first")
	}
	return nil
}

// CreateInviteLinkInput is what createInviteLink takes.
type CreateInviteLinkInput struct {
	ProjectID uuid.UUID
	Role      Role
	// MaxUses is nil for no limit.
	MaxUses *int
	// ExpiresAt is nil for INVITE_TTL from now (at most MaxInviteLinkTTL).
	ExpiresAt           *time.Time
	AllowedEmailDomains []string
	// RequiresApproval makes a join through the link a request that an admin decides.
	RequiresApproval bool
}

// validate checks the input at now and returns the link's expiry and domains.
func (in CreateInviteLinkInput) validate(now time.Time, ttl time.Duration) (time.Time, []string, error) {
	if err := checkRole("role", in.Role); err != nil {
		return time.Time{}, nil, err
	}
	if in.MaxUses != nil && *in.MaxUses < 1 {
		return time.Time{}, nil, invalid("maxUses", "maxUses must be at least 1 (leave it out for no limit)")
	}
	expires := now.Add(min(ttl, MaxInviteLinkTTL))
	if in.ExpiresAt != nil {
		expires = in.ExpiresAt.UTC().Truncate(time.Microsecond)
		if !expires.After(now) {
			return time.Time{}, nil, invalid("expiresAt", "expiresAt must be in the future")
		}
		if expires.After(now.Add(MaxInviteLinkTTL)) {
			return time.Time{}, nil, invalid("expiresAt", "expiresAt must be at most 30 days from now")
		}
	}
	domains, err := normalizeEmailDomains("allowedEmailDomains", in.AllowedEmailDomains)
	return expires, domains, err
}

// CreatedInviteLink is a new link and its URL, which holds the token and is shown only once.
type CreatedInviteLink struct {
	Link *InviteLink
	URL  string
}

// CreateInviteLink makes a shareable link into the project with a role below the actor's.
//
// Errors: BAD_USER_INPUT (role, maxUses, expiresAt, allowedEmailDomains; projectId with reason
// LIMIT_EXCEEDED when the project holds InviteLinkLimit links), NOT_FOUND (not a member),
// FORBIDDEN (the authority rule on the role).
func (s *LinkService) CreateInviteLink(ctx context.Context, actor uuid.UUID, in CreateInviteLinkInput) (*CreatedInviteLink, error) {
	now := s.now()
	expires, domains, err := in.validate(now, s.cfg.InviteTTL)
	if err != nil {
		return nil, err
	}
	token, hash := newToken()
	link := &InviteLink{
		ID: newID(), ProjectID: in.ProjectID, Role: in.Role, CreatedBy: actor, TokenHash: hash,
		MaxUses: in.MaxUses, AllowedEmailDomains: domains, RequiresApproval: in.RequiresApproval,
		ExpiresAt: expires, CreatedAt: now, UpdatedAt: now,
	}
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.lockProject(ctx, tx, in.ProjectID); err != nil {
			return err
		}
		m, err := member(ctx, tx, in.ProjectID, actor, "project")
		if err != nil {
			return err
		}
		if err := CanCreateInviteLink(m.Role, in.Role); err != nil {
			return err
		}
		if err := s.checkInviteLinks(ctx, tx, in.ProjectID); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(link).Exec(ctx); err != nil {
			return err
		}
		return s.record(ctx, tx, s.event(EventCreatedInviteLink, in.ProjectID, actor, nil, ""))
	})
	if err != nil {
		return nil, err
	}
	return &CreatedInviteLink{Link: link.settle(now), URL: s.cfg.AppURL + "/join/" + token}, nil
}

// linkByID reads one link, locked for update when lock is set.
func (s *core) linkByID(ctx context.Context, db bun.IDB, id uuid.UUID, lock bool) (*InviteLink, error) {
	l := new(InviteLink)
	q := db.NewSelect().Model(l).Where("l.id = ?", id)
	if lock {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "invite link not found")
	} else if err != nil {
		return nil, err
	}
	return l.settle(s.now()), nil
}

// linkByToken reads the link a token names.
func (s *core) linkByToken(ctx context.Context, db bun.IDB, token string) (*InviteLink, error) {
	l := new(InviteLink)
	err := db.NewSelect().Model(l).Where("l.token_hash = ?", hashToken(token)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "this invite link is not valid")
	}
	if err != nil {
		return nil, err
	}
	return l.settle(s.now()), nil
}

// RevokeInviteLink ends a link at once: whoever could create it now may.
//
// Errors: NOT_FOUND, FORBIDDEN, INVITE_NOT_PENDING (revoked already).
func (s *LinkService) RevokeInviteLink(ctx context.Context, actor, id uuid.UUID) (*InviteLink, error) {
	var link *InviteLink
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		l, err := s.linkByID(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if _, err := s.lockProject(ctx, tx, l.ProjectID); err != nil {
			return err
		}
		m, err := member(ctx, tx, l.ProjectID, actor, "invite link")
		if err != nil {
			return err
		}
		if err := CanManageInviteLink(m.Role, l.Role); err != nil {
			return err
		}
		if link, err = s.linkByID(ctx, tx, id, true); err != nil {
			return err
		}
		if link.Status == LinkRevoked {
			return Errorf(InviteNotPending, "this invite link was revoked already")
		}
		return s.revokeLink(ctx, tx, link, actor)
	})
	if err != nil {
		return nil, err
	}
	return link, nil
}

// revokeLink revokes a locked link and records the event by actor (uuid.Nil: none).
func (s *core) revokeLink(ctx context.Context, tx bun.Tx, l *InviteLink, actor uuid.UUID) error {
	now := s.now()
	l.RevokedAt, l.UpdatedAt = &now, now
	if _, err := tx.NewUpdate().Model(l).Column("revoked_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return err
	}
	l.settle(now)
	return s.record(ctx, tx, s.event(EventRevokedInviteLink, l.ProjectID, actor, nil, ""))
}

// linkRevokedOnJoin is returned inside a join's transaction when the link's creator could no
// longer make it: the transaction rolls back and the link is revoked in one of its own, so
// that the revocation stands while nothing else of the join does.
type linkRevokedOnJoin struct{ linkID uuid.UUID }

func (e *linkRevokedOnJoin) Error() string {
	return "invite link revoked on join: its creator lost the authority"
}

// JoinWithLink makes the signed-in user a member of the link's project with its role and
// counts a use. A member already keeps their membership as it is, and no use is counted.
//
// Errors: NOT_FOUND (an unknown token), INVITE_EXPIRED, INVITE_NOT_PENDING (used up or
// revoked, or revoked now because its creator could no longer make it), EMAIL_NOT_VERIFIED and
// EMAIL_DOMAIN_NOT_ALLOWED (a link with allowed domains).
func (s *LinkService) JoinWithLink(ctx context.Context, user *User, token string) (*Member, error) {
	var m *Member
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		m, err = s.join(ctx, tx, user, token)
		return err
	})
	r, ok := errors.AsType[*linkRevokedOnJoin](err)
	if !ok {
		return m, err
	}
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		l, err := s.linkByID(ctx, tx, r.linkID, true)
		if err != nil || l.Status == LinkRevoked {
			return err
		}
		return s.revokeLink(ctx, tx, l, uuid.Nil)
	})
	if err != nil {
		return nil, err
	}
	return nil, Errorf(InviteNotPending, "this invite link was withdrawn: whoever made it may no longer admit people with this role")
}

// join is JoinWithLink's transaction.
func (s *core) join(ctx context.Context, tx bun.Tx, user *User, token string) (*Member, error) {
	l, err := s.linkByToken(ctx, tx, token)
	if err != nil {
		return nil, err
	}
	project, err := s.lockProject(ctx, tx, l.ProjectID)
	if err != nil {
		return nil, err
	}
	if l, err = s.linkByID(ctx, tx, l.ID, true); err != nil {
		return nil, err
	}
	if err := l.joinable(); err != nil {
		return nil, err
	}
	creator, err := member(ctx, tx, l.ProjectID, l.CreatedBy, "creator")
	if err != nil && ErrorCode(err) != NotFound {
		return nil, err
	}
	if creator == nil || CanCreateInviteLink(creator.Role, l.Role) != nil {
		return nil, &linkRevokedOnJoin{l.ID}
	}
	existing, err := member(ctx, tx, l.ProjectID, user.ID, "member")
	if err == nil {
		return existing, nil
	} else if ErrorCode(err) != NotFound {
		return nil, err
	}
	if err := s.linkAdmits(ctx, tx, l, user); err != nil {
		return nil, err
	}
	if l.RequiresApproval {
		return nil, Errorf(ApprovalRequired, "this invite link admits by request: ask to join (requestToJoin with its token) and an admin will decide")
	}
	now := s.now()
	// The project's lock already queues the joins; the condition is what guarantees the
	// limit, whatever else changes.
	res, err := tx.NewUpdate().Model((*InviteLink)(nil)).
		Set("uses = uses + 1").Set("updated_at = ?", now).
		Where("id = ? AND revoked_at IS NULL AND expires_at > ? AND (max_uses IS NULL OR uses < max_uses)", l.ID, now).
		Exec(ctx)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, Errorf(InviteNotPending, "this invite link has been used as many times as it may be")
	}
	m := &Member{ID: newID(), ProjectID: l.ProjectID, UserID: user.ID, Role: l.Role, CreatedAt: now, UpdatedAt: now}
	if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
		return nil, err
	}
	if err := s.welcome(ctx, tx, m, project.Name, user, userLocale(user), false); err != nil {
		return nil, err
	}
	return m, s.record(ctx, tx,
		s.event(EventJoinedWithInviteLink, l.ProjectID, user.ID, nil, user.Email).granting(m.Role),
		s.event(EventJoinedProject, l.ProjectID, user.ID, nil, user.Email).granting(m.Role))
}

// ProjectInviteLinks lists a project's invite links, newest first.
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN), BAD_USER_INPUT (first, after,
// last, before).
func (s *LinkService) ProjectInviteLinks(ctx context.Context, viewer, projectID uuid.UUID, args PageArgs) (*Page[*InviteLink], error) {
	w, err := args.parse()
	if err != nil {
		return nil, err
	}
	db := s.read(ctx)
	if _, err := requireRole(ctx, db, projectID, viewer, MinRoleToListInviteLinks); err != nil {
		return nil, err
	}
	l := newList("invite_links AS l", "l.created_at", "l.id").where("l.project_id = ?", projectID)
	q := db.NewSelect().Model((*InviteLink)(nil))
	p, err := fetchPage(ctx, db, q, l, w, func(l *InviteLink) cursor { return cursor{At: l.CreatedAt, ID: l.ID} })
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, it := range p.Items {
		it.settle(now)
	}
	return p, nil
}

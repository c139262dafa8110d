package invites

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// createInvite's reads are folded into two statements (issue 25: at most 6 a call): the first
// takes the lock that the checks rely on and reads the inviter; the second, in a snapshot taken
// after that lock, expires what stands in the invite's way, checks everything the invite needs
// and takes the quotas. The checks cannot join the lock's statement: a statement that waits for
// a lock keeps the snapshot it started with, and would miss what the lock's holder (a bulk
// invite, a member change) committed.

// inviteScope is what createInvite's first statement reads: the inviter and, for a project
// invite, the project, whose lock it shares.
type inviteScope struct {
	InviterFound      bool       `bun:"inviter_found"`
	InviterName       string     `bun:"inviter_name"`
	InviterVerifiedAt *time.Time `bun:"inviter_verified_at"`
	ProjectID         *uuid.UUID `bun:"project_id,type:uuid"`
	ProjectName       string     `bun:"project_name"`
	CreatedAt         *time.Time `bun:"created_at"`
	DefaultLocale     *string    `bun:"default_locale"`
	RestrictToDomains bool       `bun:"restrict_to_domains"`
	Endpoints         int        `bun:"endpoints"`
}

// lockInviteScope reads the inviter, who must be verified, and locks what the invite's checks
// rely on: the project's lock in share mode (see shareProject) for a project invite, else a
// lock on the email for an invite to the service (nil project). One statement. It returns the
// hook that the invite's events go to (hookFor): the project's count of enabled endpoints is
// read from the row as locked, so from the newest version once the lock is granted.
//
// Errors: NOT_FOUND (no such account or project), EMAIL_NOT_VERIFIED.
func (s *core) lockInviteScope(ctx context.Context, tx bun.Tx, actor uuid.UUID, projectID *uuid.UUID, email string) (*User, *Project, EventHook, error) {
	var sc inviteScope
	var err error
	if projectID != nil {
		err = s.scanUnprepared(ctx, tx, tx.NewRaw(`SELECT true AS inviter_found, u.name AS inviter_name, u.email_verified_at AS inviter_verified_at,
				p.id AS project_id, p.name AS project_name, p.created_at, p.default_locale, COALESCE(p.restrict_to_domains, false) AS restrict_to_domains,
				COALESCE(p.enabled_webhook_endpoints, 0) AS endpoints
			FROM users AS u LEFT JOIN LATERAL (SELECT * FROM projects WHERE id = ? FOR SHARE) AS p ON true
			WHERE u.id = ?`, *projectID, actor), &sc)
	} else {
		err = s.scanUnprepared(ctx, tx, tx.NewRaw(`SELECT true AS inviter_found, u.name AS inviter_name, u.email_verified_at AS inviter_verified_at
			FROM users AS u, (SELECT pg_advisory_xact_lock(hashtextextended(?, 1))) AS email_lock
			WHERE u.id = ?`, "service-invite:"+email, actor), &sc)
	}
	switch {
	case err != nil:
		return nil, nil, nil, err
	case !sc.InviterFound:
		return nil, nil, nil, Errorf(NotFound, "user not found")
	case sc.InviterVerifiedAt == nil:
		return nil, nil, nil, Errorf(EmailNotVerified, "verify your email (follow the link we sent you) before you send invites")
	}
	inviter := &User{ID: actor, Name: sc.InviterName, EmailVerifiedAt: sc.InviterVerifiedAt}
	if projectID == nil {
		return inviter, nil, noEventHook{}, nil // no project: no endpoint
	}
	if sc.ProjectID == nil {
		return nil, nil, nil, Errorf(NotFound, "project not found")
	}
	return inviter, &Project{ID: *sc.ProjectID, Name: sc.ProjectName, CreatedAt: *sc.CreatedAt,
		DefaultLocale: sc.DefaultLocale, RestrictToDomains: sc.RestrictToDomains}, s.hookFor(sc.Endpoints), nil
}

// inviteCheck is what createInvite's second statement reads.
type inviteCheck struct {
	ActorRole *Role            `bun:"actor_role"`
	Account   bool             `bun:"account"`
	Member    bool             `bun:"member"`
	Invited   bool             `bun:"invited"`
	HeldBy    bool             `bun:"held_by"`
	SupKind   *SuppressionKind `bun:"sup_kind"`
	SupReason *string          `bun:"sup_reason"`
	// InviterSent and RecipientSent are the quotas' counts once this invite is counted: nil
	// where there is no cap, and RecipientSent nil too where the recipient's cap refused it.
	InviterSent   *int `bun:"inviter_sent"`
	RecipientSent *int `bun:"recipient_sent"`
	// Expired are the events of the invites that the statement marked EXPIRED.
	Expired []uuid.UUID `bun:"expired,array"`
}

// inviteCheckSQL expires the due invites that stand in the way (x, their events xe), takes the
// inviter's hourly quota (q) and the recipient's daily quota (r), and reads the checks in the
// same snapshot. Its two %s are the expiry's condition and the checks' columns. Its parameters
// are numbered, the values never written into its text, so that each connection prepares it
// once and PostgreSQL keeps its plan: planned for every call, it took more of the database's
// CPU than it ran (issue 25, pg_stat_statements). $1 now, $2 email, $3 the expired event's
// name, $4 the inviter, $5 the quota's window, $6 the inviter's cap, $7 the recipient's day,
// $8 the recipient's cap; for a project, $9 the project and $10 the external ID.
const inviteCheckSQL = `WITH x AS (UPDATE invites SET status = 'EXPIRED', external_id = NULL, ended_at = expires_at, updated_at = $1
		WHERE status = 'PENDING' AND expires_at <= $1 AND %s
		RETURNING id, project_id, email, updated_at),
	xe AS (INSERT INTO activity_events (id, project_id, name, actor_id, invite_id, email, created_at)
		SELECT gen_random_uuid(), x.project_id, $3, NULL, x.id, x.email, x.updated_at FROM x
		RETURNING id),
	q AS (INSERT INTO invite_quota (inviter_id, window_start, sent) SELECT $4, $5, 1 WHERE $6::int > 0
		ON CONFLICT (inviter_id, window_start) DO UPDATE SET sent = invite_quota.sent + EXCLUDED.sent
		RETURNING sent),
	r AS (INSERT INTO invite_recipient_quota (email, day, sent) SELECT $2, $7::date, 1 WHERE $8::int > 0
		ON CONFLICT (email, day) DO UPDATE SET sent = invite_recipient_quota.sent + 1
		WHERE invite_recipient_quota.sent < $8
		RETURNING sent)
	SELECT %s, sup.kind AS sup_kind, sup.reason AS sup_reason,
		(SELECT sent FROM q) AS inviter_sent, (SELECT sent FROM r) AS recipient_sent,
		ARRAY(SELECT id FROM xe) AS expired
	FROM (SELECT 1) AS one LEFT JOIN suppressions AS sup ON sup.email = $2 AND sup.lifted_at IS NULL`

// projectCheckSQL checks an invite to a project: the actor's role, and whether the email is a
// member or has a pending invite, and whether the external ID is held. An invite that the same
// statement expires (past its expiry) no longer counts as pending.
var projectCheckSQL = fmt.Sprintf(inviteCheckSQL, `project_id = $9 AND (email = $2 OR external_id = $10)`,
	`(SELECT role FROM project_members WHERE project_id = $9 AND user_id = $4) AS actor_role,
	EXISTS (SELECT 1 FROM project_members AS m JOIN users AS u ON u.id = m.user_id
		WHERE m.project_id = $9 AND u.email = $2) AS member,
	EXISTS (SELECT 1 FROM invites WHERE project_id = $9 AND email = $2 AND status = 'PENDING' AND expires_at > $1) AS invited,
	($10::text IS NOT NULL AND EXISTS (
		SELECT 1 FROM project_members WHERE project_id = $9 AND external_id = $10
		UNION ALL
		SELECT 1 FROM invites WHERE project_id = $9 AND external_id = $10 AND status = 'PENDING' AND expires_at > $1)) AS held_by`)

// serviceCheckSQL checks an invite to the service: whether the email has an account, or a
// pending invite to the service.
var serviceCheckSQL = fmt.Sprintf(inviteCheckSQL, `project_id = `+serviceProjectSQL+` AND email = $2`,
	`EXISTS (SELECT 1 FROM users WHERE email = $2) AS account,
	EXISTS (SELECT 1 FROM invites WHERE project_id = `+serviceProjectSQL+` AND email = $2 AND status = 'PENDING' AND expires_at > $1) AS invited`)

// checkInvite runs projectCheckSQL (serviceCheckSQL for a nil project) for an invite to email
// as role with externalID, and returns the first check that fails, in the order the API
// documents them. Run after lockInviteScope. The quota's refusals come out of quotaError,
// after the checks of the caller that come between.
func (s *core) checkInvite(ctx context.Context, tx bun.Tx, hook EventHook, actor uuid.UUID, projectID *uuid.UUID, email string, role *Role, externalID *string) (*inviteCheck, error) {
	now := s.now()
	query, args := serviceCheckSQL, []any{now, email, EventExpiredUserInvite, actor, now.Truncate(time.Hour),
		s.cfg.InviteRateLimit, s.recipientDay().Format(time.DateOnly), s.cfg.InviteRecipientDailyLimit}
	if projectID != nil {
		query, args = projectCheckSQL, append(args, *projectID, externalID)
	}
	rows, err := tx.Tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var c inviteCheck
	if err := s.db.ScanRows(ctx, rows, &c); err != nil {
		return nil, err
	}
	if len(c.Expired) > 0 {
		if err := hook.Recorded(ctx, tx, c.Expired); err != nil {
			return nil, err
		}
	}
	return &c, c.refusal(email, role, externalID)
}

// refusal is the first check that fails, in the order the API documents them; nil if none.
func (c *inviteCheck) refusal(email string, role *Role, externalID *string) error {
	if role == nil { // an invite to the service alone
		switch {
		case c.Account:
			return Errorf(EmailTaken, "an account with this email exists already")
		case c.Invited:
			return Errorf(AlreadyInvited, "%s has a pending invite already; resend it instead", email)
		case c.SupKind != nil:
			return suppressedError(email, *c.SupKind, *c.SupReason)
		}
		return nil
	}
	switch {
	case c.ActorRole == nil:
		return Errorf(NotFound, "project not found")
	case HasMinRole(*c.ActorRole, MinRoleToInvite) != nil:
		return HasMinRole(*c.ActorRole, MinRoleToInvite)
	case CanInvite(*c.ActorRole, *role) != nil:
		return CanInvite(*c.ActorRole, *role)
	case c.Member:
		return Errorf(AlreadyMember, "%s is a member of this project already", email)
	case c.Invited:
		return Errorf(AlreadyInvited, "%s has a pending invite already; resend it instead", email)
	case c.HeldBy:
		return externalIDTaken(externalID)
	case c.SupKind != nil:
		return suppressedError(email, *c.SupKind, *c.SupReason)
	}
	return nil
}

// quotaError is the refusal of the quotas that checkInvite took, the inviter's cap first, as
// takeInviteQuotas has it; nil when both had room.
func (s *core) quotaError(c *inviteCheck, email string) error {
	if limit := s.cfg.InviteRateLimit; limit > 0 && c.InviterSent != nil && *c.InviterSent > limit {
		return inviterCapError(limit, *c.InviterSent, 1, s.now().Truncate(time.Hour))
	}
	if s.cfg.InviteRecipientDailyLimit > 0 && c.RecipientSent == nil {
		return Errorf(RateLimited, "%s", s.recipientCapMessage(email))
	}
	return nil
}

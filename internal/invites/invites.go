package invites

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/locale"
	"github.com/invites/invites/internal/mail"
)

// InviteStatus is where an invite stands.
type InviteStatus string

// The invite statuses. An invite is PENDING until it is claimed (ACCEPTED), DECLINED, REVOKED
// or its expiry passes (EXPIRED: read as such at once, before any sweep marks it).
const (
	StatusPending  InviteStatus = "PENDING"
	StatusAccepted InviteStatus = "ACCEPTED"
	StatusDeclined InviteStatus = "DECLINED"
	StatusRevoked  InviteStatus = "REVOKED"
	StatusExpired  InviteStatus = "EXPIRED"
)

// Valid reports whether s is one of the statuses.
func (s InviteStatus) Valid() bool {
	switch s {
	case StatusPending, StatusAccepted, StatusDeclined, StatusRevoked, StatusExpired:
		return true
	}
	return false
}

// Invite is an invitation of an email address to the service alone (ProjectID
// ServiceProjectID: ForService) or to a project with a role.
type Invite struct {
	bun.BaseModel `bun:"table:invites,alias:i"`

	ID         uuid.UUID    `bun:"id,pk,type:uuid"`
	Email      string       `bun:"email"`
	ProjectID  uuid.UUID    `bun:"project_id,pk,type:uuid"`
	Role       *Role        `bun:"role"`
	ExternalID *string      `bun:"external_id"`
	InviterID  uuid.UUID    `bun:"inviter_id,type:uuid"`
	InviteeID  *uuid.UUID   `bun:"invitee_id,type:uuid"`
	TokenHash  []byte       `bun:"token_hash" json:"-"`
	Status     InviteStatus `bun:"status"`
	EmailID    *uuid.UUID   `bun:"email_id,type:uuid"`
	ExpiresAt  time.Time    `bun:"expires_at"`
	CreatedAt  time.Time    `bun:"created_at"`
	UpdatedAt  time.Time    `bun:"updated_at"`
	ClaimedAt  *time.Time   `bun:"claimed_at"`
	EndedAt    *time.Time   `bun:"ended_at"`
	// Name is the invitee's name as the inviter gave it, offered as the sign-up name.
	Name *string `bun:"name"`
	// ResentAt is when the invite was last resent: the next resend waits a minute after it.
	ResentAt *time.Time `bun:"resent_at"`
	// RemindersSent counts the reminder emails the sweep sent (at most one; resends keep it).
	RemindersSent int `bun:"reminders_sent"`
	// OpenedAt is when the invite's preview was first shown (markOpened); nil while never.
	OpenedAt *time.Time `bun:"opened_at"`
	// BatchID names the bulk invite that created the invite; nil for one sent on its own.
	BatchID *uuid.UUID `bun:"batch_id,type:uuid"`
	// DeliveryStatus is the status of the invite's latest email.
	DeliveryStatus mail.Status `bun:"delivery_status,scanonly"`
	// DeliveryError is why the latest email failed, bounced or was suppressed (its
	// last_error while its status is one of those); nil otherwise.
	DeliveryError *string `bun:"delivery_error,scanonly"`
	// Locale is the language its emails and pages are written in (internal/locale); resends
	// and reminders keep it. Always set: bun would insert a blank one.
	Locale string `bun:"locale"`
	// Note is the inviter's own words for the email and the invite page; nil for none.
	Note *string `bun:"note"`
}

// deliveryErrorSQL is the invite's DeliveryError from its latest email AS e.
const deliveryErrorSQL = `CASE WHEN e.status IN ('FAILED_RETRYABLE', 'FAILED_PERMANENT', 'DEFERRED', 'BOUNCED', 'COMPLAINED', 'SUPPRESSED') THEN e.last_error END`

// settle makes an invite whose expiry has passed read as EXPIRED, holding no external ID,
// whether or not the sweep has marked it yet.
func (inv *Invite) settle(now time.Time) *Invite {
	if inv.Status == StatusPending && !inv.ExpiresAt.After(now) {
		inv.Status = StatusExpired
		inv.ExternalID = nil
	}
	return inv
}

// claimable returns the error a claim, decline, revoke or resend of a settled invite gets, or
// nil when it is pending.
func (inv *Invite) claimable() error {
	switch inv.Status {
	case StatusPending:
		return nil
	case StatusExpired:
		return Errorf(InviteExpired, "this invite has expired; ask for a new one")
	}
	return Errorf(InviteNotPending, "this invite was %s already", strings.ToLower(string(inv.Status)))
}

// selectInvites selects invites with their delivery status.
func selectInvites(db bun.IDB) *bun.SelectQuery {
	return selectInvitesAs(db, "i.*, COALESCE(e.status, 'QUEUED') AS delivery_status, "+deliveryErrorSQL+" AS delivery_error")
}

// selectInvitesAs selects columns of invites AS i beside their latest email, AS e, whose
// status is the invite's delivery status.
func selectInvitesAs(db bun.IDB, columns string) *bun.SelectQuery {
	return db.NewSelect().Model((*Invite)(nil)).ColumnExpr(columns).Join("LEFT JOIN emails AS e ON e.id = i.email_id")
}

// whereInviteStatus filters q to invites whose status, as read at now, is status.
func whereInviteStatus(q *bun.SelectQuery, status InviteStatus, now time.Time) *bun.SelectQuery {
	f := inviteStatusFilter(status, now)
	return q.Where(f.sql, f.args...)
}

// inviteStatusFilter is the condition on invites AS i that their status, as read at now, is
// status.
func inviteStatusFilter(status InviteStatus, now time.Time) filter {
	switch status {
	case StatusPending:
		return filter{"i.status = 'PENDING' AND i.expires_at > ?", []any{now}}
	case StatusExpired:
		return filter{"i.status = 'EXPIRED' OR (i.status = 'PENDING' AND i.expires_at <= ?)", []any{now}}
	}
	return filter{"i.status = ?", []any{string(status)}}
}

// inviteByID reads one invite, locked for update when lock is set.
func (s *core) inviteByID(ctx context.Context, db bun.IDB, id uuid.UUID, lock bool) (*Invite, error) {
	inv := new(Invite)
	q := selectInvites(db).Where("i.id = ?", id)
	if lock {
		q = q.For("UPDATE OF i")
	}
	if err := q.Scan(ctx, inv); errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "invite not found")
	} else if err != nil {
		return nil, err
	}
	return inv.settle(s.now()), nil
}

// inviteByToken reads the invite a link's token names.
func (s *core) inviteByToken(ctx context.Context, db bun.IDB, token string) (*Invite, error) {
	return s.inviteByTokenWith(ctx, db, token, nil)
}

// inviteByTokenWith is inviteByToken with write (nil for none) run by the same statement, as
// a data-modifying CTE.
func (s *core) inviteByTokenWith(ctx context.Context, db bun.IDB, token string, write bun.Query) (*Invite, error) {
	inv := new(Invite)
	hash := hashToken(token)
	q := selectInvites(db).Where("i.token_hash = ?", hash)
	if write != nil {
		q = q.With("write", write)
	}
	err := q.Scan(ctx, inv)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unknownToken(ctx, db, hash)
	}
	if err != nil {
		return nil, err
	}
	return inv.settle(s.now()), nil
}

// unknownToken is the NOT_FOUND of a token that names no invite: with ReasonLinkReplaced
// where a resend or a reminder replaced it, so the page can send its holder to the newer email.
func unknownToken(ctx context.Context, db bun.IDB, hash []byte) error {
	replaced, err := db.NewSelect().TableExpr("replaced_invite_tokens").Where("token_hash = ?", hash).Exists(ctx)
	if err != nil {
		return err
	}
	if replaced {
		return &Error{Code: NotFound, Reason: ReasonLinkReplaced,
			Message: "this invite link was replaced by a newer email; open the link in the latest invite email"}
	}
	return Errorf(NotFound, "this invite link is unknown")
}

// replaceToken records that inv's current token is being replaced (by a resend or a
// reminder), so that its link answers ReasonLinkReplaced rather than an unknown link's
// NOT_FOUND. Call it before inv.TokenHash changes.
func (s *core) replaceToken(ctx context.Context, tx bun.Tx, inv *Invite) error {
	_, err := tx.NewRaw(`INSERT INTO replaced_invite_tokens (project_id, token_hash, invite_id, replaced_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, inv.ProjectID, inv.TokenHash, inv.ID, s.now()).Exec(ctx)
	return err
}

// InviterSeenBy returns the inviter of inv as viewer may see them. A signed-in viewer
// reached the invite under the visibility rules and sees the inviter in full. An anonymous
// one (declining by the link's token) sees only the name, as the preview does: the email is
// empty and the ID is one derived from the invite's, which names no account, so the link
// tells nothing more about the inviter.
func InviterSeenBy(viewer *User, inv *Invite, inviter *User) *User {
	if viewer != nil {
		return inviter
	}
	return &User{ID: uuid.NewSHA1(anonymousInviterSpace, inv.ID[:]), Name: inviter.Name}
}

// anonymousInviterSpace is the UUID namespace of the IDs that anonymous callers see for
// inviters.
var anonymousInviterSpace = uuid.MustParse("6c1f4c36-8e3a-4d0c-9a55-0b7d3c1e2f90")

// InvitePreview is what the holder of an invite link sees before signing in.
type InvitePreview struct {
	Email string
	// ProjectID is nil for an invite to the service alone.
	ProjectID     *uuid.UUID
	ProjectName   *string
	InviterName   string
	Role          *Role
	Status        InviteStatus
	ExpiresAt     time.Time
	AccountExists bool
	// InviteeName is the invite's Name: the sign-up form's name to start with.
	InviteeName *string
	// Locale is the language the page should be written in; Note the inviter's words.
	Locale string
	Note   *string
}

// Invitation returns the preview of the invite a link's token names. Anyone with the token
// may see it. The first preview of an invite marks it opened (markOpened).
//
// Errors: NOT_FOUND for an unknown token, with ReasonLinkReplaced for one that a resend or a
// reminder replaced.
func (s *InviteService) Invitation(ctx context.Context, token string) (*InvitePreview, error) {
	inv, err := s.inviteByToken(ctx, s.db, token)
	if err != nil {
		return nil, err
	}
	if err := s.markOpened(ctx, inv); err != nil {
		return nil, err
	}
	p := &InvitePreview{Email: inv.Email, ProjectID: inv.Project(), InviteeName: inv.Name, Role: inv.Role, Status: inv.Status, ExpiresAt: inv.ExpiresAt,
		Locale: locale.Known(inv.Locale), Note: inv.Note}
	err = s.db.NewRaw(`SELECT
			(SELECT name FROM users WHERE id = ?) AS inviter_name,
			(SELECT name FROM projects WHERE id = ?) AS project_name,
			EXISTS (SELECT 1 FROM users WHERE email = ?) AS account_exists`,
		inv.InviterID, inv.Project(), inv.Email).Scan(ctx, &p.InviterName, &p.ProjectName, &p.AccountExists)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// maxMyInvites bounds myInvites, which is a list and not a connection.
const maxMyInvites = 200

// MyInvites lists the invites to the viewer's email with the given status, newest first. An
// unverified email has none: its owner has not proven the invites are theirs.
func (s *InviteService) MyInvites(ctx context.Context, viewer *User, status InviteStatus) ([]*Invite, error) {
	if err := checkStatus("status", status); err != nil {
		return nil, err
	}
	if !viewer.EmailVerified() {
		return []*Invite{}, nil
	}
	var list []*Invite
	q := selectInvites(s.read(ctx)).Where("i.email = ?", viewer.Email)
	err := whereInviteStatus(q, status, s.now()).OrderExpr("i.created_at DESC, i.id DESC").Limit(maxMyInvites).Scan(ctx, &list)
	if err != nil {
		return nil, err
	}
	for _, inv := range list {
		inv.settle(s.now())
	}
	return list, nil
}

// ProjectInvites lists a project's invites, newest first, optionally of one status and
// matching a search (f).
//
// project is the project as the viewer read it (see viewerRole).
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN), BAD_USER_INPUT (first, after, last, before, status, search).
func (s *InviteService) ProjectInvites(ctx context.Context, viewer uuid.UUID, project *Project, f InviteFilter, args PageArgs) (*Page[*Invite], error) {
	w, err := args.parse()
	if err != nil {
		return nil, err
	}
	pattern, err := searchPattern(f.Search)
	if err != nil {
		return nil, err
	}
	if _, err := s.viewerRole(ctx, viewer, project, MinRoleToListInvites); err != nil {
		return nil, err
	}
	l := newList("invites AS i", "i.created_at", "i.id").where("i.project_id = ?", project.ID)
	if f.Status != nil {
		if err := checkStatus("status", *f.Status); err != nil {
			return nil, err
		}
		st := inviteStatusFilter(*f.Status, s.now())
		l.where(st.sql, st.args...)
	}
	if f.DeliveryStatus != nil {
		l.where("COALESCE((SELECT e.status FROM emails AS e WHERE e.id = i.email_id), 'QUEUED') = ?", string(*f.DeliveryStatus))
	}
	if pattern != "" {
		search := inviteSearch(pattern)
		l.where(search.sql, search.args...)
	}
	db := s.read(ctx)
	p, err := fetchPageScanned(ctx, db, selectInvitesAs(db, invitePageColumns), l, w, func(inv *Invite) cursor { return cursor{At: inv.CreatedAt, ID: inv.ID} }, byHand(scanInviteRow))
	if err != nil {
		return nil, err
	}
	for _, inv := range p.Items {
		inv.settle(s.now())
	}
	return p, nil
}

// invitePageColumns are what selectInvites reads of an invite, in the order scanInviteRow
// reads them.
const invitePageColumns = `i.id, i.email, i.project_id, i.role, i.external_id, i.inviter_id, i.invitee_id,
	i.token_hash, i.status, i.email_id, i.expires_at, i.created_at, i.updated_at, i.claimed_at, i.ended_at,
	i.name, i.resent_at, i.reminders_sent, i.opened_at, i.batch_id, i.locale, i.note, COALESCE(e.status, 'QUEUED'), ` + deliveryErrorSQL

// scanInviteRow reads a row of invitePageColumns: bun's reflective scan of the invite page
// was a quarter of its CPU. TestPages_ScanAsBun holds it to what bun reads.
func scanInviteRow(rows *sql.Rows, i *Invite) error {
	return rows.Scan(&i.ID, &i.Email, &i.ProjectID, &i.Role, &i.ExternalID, &i.InviterID, &i.InviteeID,
		&i.TokenHash, &i.Status, &i.EmailID, &i.ExpiresAt, &i.CreatedAt, &i.UpdatedAt, &i.ClaimedAt, &i.EndedAt,
		&i.Name, &i.ResentAt, &i.RemindersSent, &i.OpenedAt, &i.BatchID, &i.Locale, &i.Note, &i.DeliveryStatus, &i.DeliveryError)
}

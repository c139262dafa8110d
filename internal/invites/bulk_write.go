package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// write carries out a plan in a fixed number of statements, whatever the number of rows:
// external IDs that move are cleared first and set after, so that swaps and chains never meet
// a unique index half-way; then the new invites, their emails and the events, which go in with
// COPY through cp, in tx.
func (p *bulkPlan) write(ctx context.Context, tx bun.Tx, cp copier) error {
	var clearMembers, clearInvites []string
	var setMembers, setMemberIDs []string
	var setInvites, setInviteIDs, setInviteRoles, setInviteNames []string
	var updatedMembers []*plannedRow
	var created []*plannedRow
	for _, r := range p.rows {
		if r.failed() {
			continue
		}
		rec := r.rec
		if rec.isNew {
			created = append(created, r)
			continue
		}
		moved := !sameID(rec.current, rec.final)
		if rec.member != nil {
			if moved {
				updatedMembers = append(updatedMembers, r)
				if rec.current != nil {
					clearMembers = append(clearMembers, rec.member.ID.String())
				}
				if rec.final != nil {
					setMembers, setMemberIDs = append(setMembers, rec.member.ID.String()), append(setMemberIDs, *rec.final)
				}
			}
			continue
		}
		inv := rec.invite
		if moved && rec.current != nil {
			clearInvites = append(clearInvites, inv.ID.String())
		}
		if moved || (r.roleGiven && r.role != *inv.Role) || r.changesName(inv) {
			setInvites = append(setInvites, inv.ID.String())
			setInviteIDs = append(setInviteIDs, deref(rec.final))
			setInviteNames = append(setInviteNames, deref(r.name))
			setInviteRoles = append(setInviteRoles, string(r.role))
			if !r.roleGiven {
				setInviteRoles[len(setInviteRoles)-1] = string(*inv.Role)
			}
		}
	}

	exec := func(query string, args ...any) error {
		_, err := tx.Tx.ExecContext(ctx, query, args...)
		return err
	}
	if len(clearMembers) > 0 {
		if err := exec(`UPDATE project_members SET external_id = NULL WHERE id = ANY($1::text[]::uuid[])`, clearMembers); err != nil {
			return err
		}
	}
	if len(clearInvites) > 0 {
		if err := exec(`UPDATE invites SET external_id = NULL WHERE id = ANY($1::text[]::uuid[])`, clearInvites); err != nil {
			return err
		}
	}
	if len(setMembers) > 0 {
		err := exec(`UPDATE project_members AS m SET external_id = v.ext, updated_at = $3
			FROM unnest($1::text[], $2::text[]) AS v(id, ext) WHERE m.id = v.id::uuid`, setMembers, setMemberIDs, p.now)
		if err != nil {
			return inviteConflict(err)
		}
	}
	if len(setInvites) > 0 {
		// A blank name keeps the invite's: a row that gives none leaves it as it was.
		err := exec(`UPDATE invites AS i SET external_id = NULLIF(v.ext, ''), role = v.role,
				name = COALESCE(NULLIF(v.name, ''), i.name), updated_at = $5
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(id, ext, role, name) WHERE i.id = v.id::uuid`,
			setInvites, setInviteIDs, setInviteRoles, setInviteNames, p.now)
		if err != nil {
			return inviteConflict(err)
		}
	}
	if err := p.insertInvites(ctx, tx, cp, created); err != nil {
		return err
	}
	return p.recordEvents(ctx, cp, created, updatedMembers)
}

// insertInvites queues the new invites' emails and copies the invites in, each in one statement.
func (p *bulkPlan) insertInvites(ctx context.Context, tx bun.Tx, cp copier, created []*plannedRow) error {
	if len(created) == 0 {
		return nil
	}
	inviter, err := userByID(ctx, tx, p.actor.UserID)
	if err != nil {
		return err
	}
	n := len(created)
	messages := make([]mail.Message, n)
	hashes := make([][]byte, n)
	for i, r := range created {
		token, hash := newToken()
		hashes[i] = hash
		inv := r.rec.invite
		messages[i] = mail.Invitation(mail.InvitationData{
			To: inv.Email, InviterName: inviter.Name, ProjectName: p.project.Name, Role: string(*inv.Role),
			Link: p.s.cfg.AppURL + "/invite/" + token, ExpiresAt: inv.ExpiresAt,
		})
	}
	emailIDs, err := p.s.mailer.EnqueueManyCopy(ctx, tx, cp.copyFrom, messages)
	if err != nil {
		return err
	}
	expires := p.now.Add(p.s.cfg.InviteTTL)
	project, inviterID := pgUUID(p.project.ID), pgUUID(p.actor.UserID)
	rows := make([][]any, n)
	for i, r := range created {
		inv := r.rec.invite
		inv.TokenHash, inv.EmailID = hashes[i], &emailIDs[i]
		rows[i] = []any{pgUUID(inv.ID), inv.Email, project, string(*inv.Role), nonBlank(deref(r.rec.final)), nonBlank(deref(inv.Name)),
			inviterID, hashes[i], string(StatusPending), pgUUID(emailIDs[i]), expires, p.now, p.now}
	}
	return inviteConflict(cp.copyFrom(ctx, "invites", inviteColumns, rows))
}

// inviteColumns are the columns that insertInvites writes, in the order of its rows.
var inviteColumns = []string{"id", "email", "project_id", "role", "external_id", "name", "inviter_id",
	"token_hash", "status", "email_id", "expires_at", "created_at", "updated_at"}

// recordEvents stores the batch's tracked events in one COPY: for each new invite the four of
// a single createInvite, and "Updated Member" for each external ID changed on a member.
func (p *bulkPlan) recordEvents(ctx context.Context, cp copier, created, updatedMembers []*plannedRow) error {
	n := 4*len(created) + len(updatedMembers)
	if n == 0 {
		return nil
	}
	rows := make([][]any, 0, n)
	// One backing array for every row's values, rather than a small allocation per row.
	values := make([]any, 0, n*len(eventColumns))
	project := pgUUID(p.project.ID)
	add := func(name string, actor *uuid.UUID, invite *uuid.UUID, email *string) {
		values = append(values, pgUUID(newID()), project, name, pgUUIDOrNull(actor), pgUUIDOrNull(invite), email, p.now)
		rows = append(rows, values[len(values)-len(eventColumns):])
	}
	actor := &p.actor.UserID
	for _, r := range created {
		inv, email := &r.rec.invite.ID, &r.email
		add(EventCreatedUserInvite, actor, inv, nil)
		add(EventUserInvited, nil, inv, email)
		add(EventInvitedToProject, actor, inv, email)
		add(EventInvitedToProjectInvitee, nil, inv, email)
	}
	for _, r := range updatedMembers {
		add(EventUpdatedMember, actor, nil, &r.email)
	}
	return cp.copyFrom(ctx, "activity_events", eventColumns, rows)
}

// eventColumns are the columns that recordEvents writes, in the order of its rows.
var eventColumns = []string{"id", "project_id", "name", "actor_id", "invite_id", "email", "created_at"}

// nonBlank is s, or nil (NULL) for "".
func nonBlank(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

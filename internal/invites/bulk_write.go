package invites

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// write carries out a plan in a fixed number of statements, whatever the number of rows:
// external IDs that move are cleared first and set after, so that swaps and chains never meet
// a unique index half-way; then the new invites, their emails and the events.
func (p *bulkPlan) write(ctx context.Context, tx bun.Tx) error {
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
	if err := p.insertInvites(ctx, tx, created); err != nil {
		return err
	}
	return p.recordEvents(ctx, tx, created, updatedMembers)
}

// insertInvites queues the new invites' emails and inserts the invites, each in one statement.
func (p *bulkPlan) insertInvites(ctx context.Context, tx bun.Tx, created []*plannedRow) error {
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
	emailIDs, err := p.s.mailer.EnqueueMany(ctx, tx, messages)
	if err != nil {
		return err
	}
	ids, emails, roles, exts, names, mailIDs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, r := range created {
		inv := r.rec.invite
		inv.TokenHash, inv.EmailID = hashes[i], &emailIDs[i]
		ids[i], emails[i], roles[i], exts[i], names[i], mailIDs[i] = inv.ID.String(), inv.Email, string(*inv.Role), deref(r.rec.final), deref(inv.Name), emailIDs[i].String()
	}
	_, err = tx.Tx.ExecContext(ctx, `
		INSERT INTO invites (id, email, project_id, role, external_id, name, inviter_id, token_hash, status, email_id, expires_at, created_at, updated_at)
		SELECT v.id::uuid, v.email, $8::uuid, v.role, NULLIF(v.ext, ''), NULLIF(v.name, ''), $9::uuid, v.hash, 'PENDING', v.email_id::uuid, $10, $11, $11
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::text[]) AS v(id, email, role, ext, name, hash, email_id)`,
		ids, emails, roles, exts, names, hashes, mailIDs, p.project.ID.String(), p.actor.UserID.String(), p.now.Add(p.s.cfg.InviteTTL), p.now)
	return inviteConflict(err)
}

// recordEvents stores the batch's tracked events in one statement: for each new invite the
// four of a single createInvite, and "Updated Member" for each external ID changed on a member.
func (p *bulkPlan) recordEvents(ctx context.Context, tx bun.Tx, created, updatedMembers []*plannedRow) error {
	n := 4*len(created) + len(updatedMembers)
	if n == 0 {
		return nil
	}
	ids, names, actors, inviteIDs, emails := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	add := func(name, actor, inviteID, email string) {
		ids, names, actors, inviteIDs, emails = append(ids, newID().String()), append(names, name), append(actors, actor), append(inviteIDs, inviteID), append(emails, email)
	}
	actor := p.actor.UserID.String()
	for _, r := range created {
		inv := r.rec.invite.ID.String()
		add(EventCreatedUserInvite, actor, inv, "")
		add(EventUserInvited, "", inv, r.email)
		add(EventInvitedToProject, actor, inv, r.email)
		add(EventInvitedToProjectInvitee, "", inv, r.email)
	}
	for _, r := range updatedMembers {
		add(EventUpdatedMember, actor, "", r.email)
	}
	_, err := tx.Tx.ExecContext(ctx, `
		INSERT INTO activity_events (id, project_id, name, actor_id, invite_id, email, created_at)
		SELECT v.id::uuid, $6::uuid, v.name, NULLIF(v.actor, '')::uuid, NULLIF(v.invite, '')::uuid, NULLIF(v.email, ''), $7
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(id, name, actor, invite, email)`,
		ids, names, actors, inviteIDs, emails, p.project.ID.String(), p.now)
	return err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

package invites

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// write carries out a plan in a fixed number of statements, whatever the number of rows:
// external IDs that another record of the same table takes in this batch (swaps and chains)
// are cleared first and the new ones set after, so that the unique indexes, which check each
// row as it is written, never meet a half-made move; then the new invites, their emails and
// the events, which go in with COPY through cp, in tx.
func (p *bulkPlan) write(ctx context.Context, tx bun.Tx, cp copier) error {
	clearMembers := newRowsUpdate("project_members", "external_id = NULL", false)
	clearInvites := newRowsUpdate("invites", "external_id = NULL", false)
	setMembers := newRowsUpdate("project_members", "external_id = v.ext", true, "ext")
	// A blank name keeps the invite's: a row that gives none leaves it as it was.
	setInvites := newRowsUpdate("invites", "external_id = NULLIF(v.ext, ''), role = v.role, name = COALESCE(NULLIF(v.name, ''), t.name)", true,
		"ext", "role", "name")
	takenMembers, takenInvites := p.takenIDs()
	var updatedMembers, created []*plannedRow
	for _, r := range p.rows {
		switch rec := r.rec; {
		case r.failed():
		case rec.isNew:
			created = append(created, r)
		case rec.member != nil:
			if sameID(rec.current, rec.final) {
				continue
			}
			updatedMembers = append(updatedMembers, r)
			if rec.current != nil && takenMembers[*rec.current] {
				clearMembers.add(rec.member.ID)
			}
			if rec.final != nil {
				setMembers.add(rec.member.ID, *rec.final)
			}
		default:
			p.updateInvite(r, takenInvites, clearInvites, setInvites)
		}
	}
	for _, u := range []*rowsUpdate{clearMembers, clearInvites, setMembers, setInvites} {
		if err := u.exec(ctx, tx, p.now); err != nil {
			return inviteConflict(err)
		}
	}
	if err := p.insertInvites(ctx, tx, cp, created); err != nil {
		return err
	}
	ids, err := p.recordEvents(ctx, cp, created, updatedMembers)
	if err != nil {
		return err
	}
	return p.s.cfg.EventHook.BulkRecorded(ctx, tx, ids, BulkRecord{ProjectID: p.project.ID, At: p.now, Summary: p.summary()})
}

// takenIDs are the external IDs that existing members, and existing pending invites, move to
// in this batch. A record of the same table that holds one of them now (it moves too, or the
// row that wants its ID would have failed) must let go of it before the moves are set; any
// other moving record can take its new ID in the same statement that drops its old one.
// New invites are written after the moves, when every ID they take is free.
func (p *bulkPlan) takenIDs() (members, invites map[string]bool) {
	members, invites = map[string]bool{}, map[string]bool{}
	for _, r := range p.rows {
		rec := r.rec
		if r.failed() || rec.isNew || rec.final == nil || sameID(rec.current, rec.final) {
			continue
		}
		if rec.member != nil {
			members[*rec.final] = true
		} else {
			invites[*rec.final] = true
		}
	}
	return members, invites
}

// updateInvite adds what row r changes of its pending invite to the batch's updates; its
// current ID is cleared first where taken names it.
func (p *bulkPlan) updateInvite(r *plannedRow, taken map[string]bool, clear, set *rowsUpdate) {
	rec, inv := r.rec, r.rec.invite
	moved := !sameID(rec.current, rec.final)
	if moved && rec.current != nil && taken[*rec.current] {
		clear.add(inv.ID)
	}
	if moved || (r.roleGiven && r.role != *inv.Role) || r.changesName(inv) {
		role := *inv.Role
		if r.roleGiven {
			role = r.role
		}
		set.add(inv.ID, deref(rec.final), string(role), deref(r.name))
	}
}

// rowsUpdate is the one way the bulk path updates many rows of a table, each with values of
// its own, in one statement: the values go as one text array per column, unnested into rows
// v(id, columns...) and joined to the table t by id, so that the statement and the number of
// its parameters stay the same whatever the number of rows.
type rowsUpdate struct {
	table, set string
	touch      bool // set updated_at too
	columns    []string
	ids        []string
	values     [][]string
}

// newRowsUpdate starts an update of table's rows that runs SET set (over t and v's columns)
// and, when touch is set, updated_at.
func newRowsUpdate(table, set string, touch bool, columns ...string) *rowsUpdate {
	return &rowsUpdate{table: table, set: set, touch: touch, columns: columns, values: make([][]string, len(columns))}
}

// add names one row to update, with its values of the columns in order.
func (u *rowsUpdate) add(id uuid.UUID, values ...string) {
	u.ids = append(u.ids, id.String())
	for i, v := range values {
		u.values[i] = append(u.values[i], v)
	}
}

// exec runs the update, if it names any row, with now as updated_at.
func (u *rowsUpdate) exec(ctx context.Context, tx bun.Tx, now time.Time) error {
	if len(u.ids) == 0 {
		return nil
	}
	args := []any{u.ids}
	arrays := []string{"$1::text[]"}
	for _, v := range u.values {
		args = append(args, v)
		arrays = append(arrays, fmt.Sprintf("$%d::text[]", len(args)))
	}
	set := u.set
	if u.touch {
		args = append(args, now)
		set += fmt.Sprintf(", updated_at = $%d", len(args))
	}
	query := fmt.Sprintf("UPDATE %s AS t SET %s FROM unnest(%s) AS v(%s) WHERE t.id = v.id::uuid",
		u.table, set, strings.Join(arrays, ", "), strings.Join(append([]string{"id"}, u.columns...), ", "))
	_, err := tx.Tx.ExecContext(ctx, query, args...)
	return err
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
			ProjectID: inv.ProjectID, To: inv.Email, InviterName: inviter.Name, ProjectName: p.project.Name, Role: string(*inv.Role),
			Link: p.s.cfg.AppURL + "/invite/" + token, ExpiresAt: inv.ExpiresAt, Locale: inv.Locale, Note: deref(inv.Note),
		})
	}
	emailIDs, err := p.s.mailer.EnqueueManyCopy(ctx, tx, cp.copyFrom, messages)
	if err != nil {
		return err
	}
	for i, r := range created {
		r.rec.invite.TokenHash, r.rec.invite.EmailID = hashes[i], &emailIDs[i]
	}
	// Each row is made as pgx encodes it, into one set of values (see copier.copyFrom): pointers to
	// pgtype values, which pgx encodes without boxing them again.
	// The invites of one batch share its ID, which the insights group them by.
	project, inviterID, batch := pgUUID(p.project.ID), pgUUID(p.actor.UserID), pgUUID(newID())
	expires, now := pgTime(p.now.Add(p.s.cfg.InviteTTL)), pgTime(p.now)
	var id, emailID pgtype.UUID
	var email, role, ext, name, lang, note pgtype.Text
	values := []any{&id, &email, &project, &role, &ext, &name, &inviterID, nil, string(StatusPending), &emailID, &expires, &now, &now, &batch, &lang, &note}
	i := 0
	rows := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		r, inv := created[i], created[i].rec.invite
		id, emailID = pgUUID(inv.ID), pgUUID(emailIDs[i])
		email, role, ext, name = pgText(inv.Email), pgText(string(*inv.Role)), pgTextOrNull(r.rec.final), pgTextOrNull(inv.Name)
		lang, note = pgText(inv.Locale), pgTextOrNull(inv.Note)
		values[7] = hashes[i]
		i++
		return values, nil
	})
	return inviteConflict(cp.copyFrom(ctx, "invites", inviteColumns, rows))
}

// inviteColumns are the columns that insertInvites writes, in the order of its rows.
var inviteColumns = []string{"id", "email", "project_id", "role", "external_id", "name", "inviter_id",
	"token_hash", "status", "email_id", "expires_at", "created_at", "updated_at", "batch_id", "locale", "note"}

// creationEvents are the four events of a new invite, in createInvite's order: each one's
// name, and whether it names the actor and the invitee's email.
var creationEvents = [4]struct {
	name         any // the name, boxed once
	actor, email bool
}{
	{EventCreatedUserInvite, true, false},
	{EventUserInvited, false, true},
	{EventInvitedToProject, true, true},
	{EventInvitedToProjectInvitee, false, true},
}

// recordEvents stores the batch's tracked events in one COPY: for each new invite the four of
// a single createInvite, "Updated Member" for each external ID changed on a member, and the
// batch's own "Bulk Invited" where it sent an invitation. It returns the events' ids, for the
// event hook.
func (p *bulkPlan) recordEvents(ctx context.Context, cp copier, created, updatedMembers []*plannedRow) ([]uuid.UUID, error) {
	n := 4*len(created) + len(updatedMembers)
	if len(created) > 0 {
		n++ // the batch's own event, last
	}
	if n == 0 {
		return nil, nil
	}
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = newID()
	}
	project, actor, now := pgUUID(p.project.ID), pgUUID(p.actor.UserID), pgTime(p.now)
	var id, invite, none pgtype.UUID
	var email, fileName pgtype.Text
	var invitations pgtype.Int4
	values := []any{&id, &project, nil, nil, &invite, &email, &now, &invitations, &fileName}
	i := 0
	rows := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		id = pgUUID(ids[i])
		switch k := i / 4; {
		case k < len(created):
			r, ev := created[k], creationEvents[i%4]
			values[2], values[3] = ev.name, &none
			if ev.actor {
				values[3] = &actor
			}
			invite, email = pgUUID(r.rec.invite.ID), pgtype.Text{}
			if ev.email {
				email = pgText(r.email)
			}
		case i-4*len(created) < len(updatedMembers):
			r := updatedMembers[i-4*len(created)]
			values[2], values[3] = any(EventUpdatedMember), &actor
			invite, email = none, pgText(r.email)
		default:
			values[2], values[3] = any(EventBulkInvited), &actor
			invite, email = none, pgtype.Text{}
			invitations = pgtype.Int4{Int32: int32(len(created)), Valid: true}
			if p.fileName != "" {
				fileName = pgText(p.fileName)
			}
		}
		i++
		return values, nil
	})
	return ids, cp.copyFrom(ctx, "activity_events", eventColumns, rows)
}

// eventColumns are the columns that recordEvents writes, in the order of its rows.
var eventColumns = []string{"id", "project_id", "name", "actor_id", "invite_id", "email", "created_at", "invitations", "file_name"}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

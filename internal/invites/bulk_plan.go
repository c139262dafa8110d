package invites

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// bulkPlan works out a batch in memory, from state loaded in a fixed number of queries, so
// that a dry run and a real run give the same results and the number of SQL statements does not
// grow with the rows.
type bulkPlan struct {
	s           *core
	project     *Project
	actor       *Member
	defaultRole Role
	now         time.Time
	// dryRun: a preview, which tells nothing of accounts (see classifyNew).
	dryRun bool
	// inviteIDs are a preview's IDs for the invites it promised, by row (nil: new IDs).
	inviteIDs map[int]uuid.UUID
	// fileName is the uploaded file's name, for the batch's event ("" for a list of rows).
	fileName string
	locale   string  // of rows that name none
	note     *string // the inviter's words, for every invite

	rows       []*plannedRow
	candidates []*plannedRow // rows that passed the checks of the rows alone
	records    []*idRecord   // every record whose external ID matters to the batch
	accounts   map[string]bool
	// newAddresses are the emails looked up that are new to the project (neither a member's
	// nor a pending invitee's): what the batch counts against the inviter's hourly cap.
	newAddresses []string
	suppressed   map[string]bool // the emails on the suppression list: no new invite goes to them
	domains      *domainRule     // restrictToDomains: no new invite outside the verified domains
}

// plannedRow is a row on its way to its result.
type plannedRow struct {
	res       rowResult
	email     string
	role      Role
	roleGiven bool
	wanted    *string // the external ID the row names; nil keeps the record's
	name      *string // the name the row gives; nil keeps an invite's
	locale    string  // the row's locale; "" is the batch's
	rec       *idRecord
}

func (r *plannedRow) failed() bool { return r.res.Kind == rowFailed }

// idRecord is a member or a pending invite (existing or new) with its external ID now and
// after the batch.
type idRecord struct {
	member  *Member
	invite  *Invite
	isNew   bool
	current *string
	final   *string
}

func (p *bulkPlan) make(ctx context.Context, tx bun.Tx, rows []BulkRow) error {
	p.check(rows)
	if err := p.load(ctx, tx); err != nil {
		return err
	}
	p.settleExternalIDs()
	return nil
}

func (p *bulkPlan) fail(r *plannedRow, reason FailureReason, retryable bool, format string, args ...any) {
	r.res.Kind, r.res.Reason, r.res.Retryable, r.res.Message = rowFailed, reason, retryable, fmt.Sprintf(format, args...)
}

// inputReasons is the row failure reason of each field that a validator refuses.
var inputReasons = map[string]FailureReason{
	"email":      ReasonInvalidEmail,
	"role":       ReasonInvalidRole,
	"externalId": ReasonInvalidExternalID,
	"name":       ReasonInvalidName,
}

// failInput fails r for a cell that a validator refused: the reason is the field's, the
// message the validator's as it is, naming the field as a single invite's error does. The
// validators return only *Error.
func (p *bulkPlan) failInput(r *plannedRow, err error) {
	e, _ := errors.AsType[*Error](err)
	p.fail(r, inputReasons[e.Field], false, "%s", e.Message)
}

// check runs the checks that need only the rows, in SPEC's order: each row's cells (see
// checkCells), then duplicates of earlier rows.
func (p *bulkPlan) check(rows []BulkRow) {
	// The first row of each email and external ID, which a later duplicate names.
	seenEmail := make(map[string]int, len(rows))
	seenID := make(map[string]int, len(rows))
	for _, in := range rows {
		r := p.checkCells(in)
		p.rows = append(p.rows, r)
		if r.failed() {
			continue
		}
		emailRow, dupEmail := seenEmail[r.email]
		idRow, dupID := 0, false
		if r.wanted != nil {
			idRow, dupID = seenID[*r.wanted]
		}
		if !dupEmail {
			seenEmail[r.email] = in.Row
		}
		if r.wanted != nil && !dupID {
			seenID[*r.wanted] = in.Row
		}
		switch {
		case dupEmail:
			p.fail(r, ReasonDuplicateEmail, false, "row %d has this email already", emailRow)
		case dupID:
			p.fail(r, ReasonDuplicateExternalID, false, "row %d names external ID %q already", idRow, *r.wanted)
		default:
			p.candidates = append(p.candidates, r)
		}
	}
}

// checkCells reads one row's cells, in SPEC's order: email, role, authority, external ID,
// then the name. The row fails at the first that is refused.
func (p *bulkPlan) checkCells(in BulkRow) *plannedRow {
	r := &plannedRow{res: rowResult{Row: in.Row, Email: strings.TrimSpace(in.Email)}}
	if id := strings.TrimSpace(in.ExternalID); id != "" {
		r.res.ExternalID = &id
	}
	email, err := NormalizeEmail("email", in.Email)
	if err != nil {
		p.failInput(r, err)
		return r
	}
	r.email, r.res.Email = email, email
	r.role = p.defaultRole
	if strings.TrimSpace(in.Role) != "" {
		role, err := ParseRole("role", in.Role)
		if err != nil {
			p.failInput(r, err)
			return r
		}
		r.role, r.roleGiven = role, true
	}
	if CanInvite(p.actor.Role, r.role) != nil {
		p.fail(r, ReasonRoleNotAllowed, false, "%s", rowCannotInvite(p.actor.Role, r.role))
		return r
	}
	raw := in.ExternalID
	if r.wanted, err = normalizeExternalID("externalId", &raw); err != nil {
		p.failInput(r, err)
		return r
	}
	if r.wanted != nil {
		r.res.ExternalID = r.wanted
	}
	name := in.Name
	if r.name, err = normalizeOptionalName("name", &name); err != nil {
		p.failInput(r, err)
		return r
	}
	p.checkRowLocale(r, in.Locale)
	return r
}

// load reads what the candidates touch: accounts with their emails, the project's members and
// pending invites that have those emails or hold the IDs they want; then it classifies them.
func (p *bulkPlan) load(ctx context.Context, tx bun.Tx) error {
	emails := make([]string, 0, len(p.candidates))
	var ids []string
	for _, r := range p.candidates {
		emails = append(emails, r.email)
		if r.wanted != nil {
			ids = append(ids, *r.wanted)
		}
	}
	var users []*User
	q := tx.NewSelect().Model(&users).Column("id", "email").Where("email = ANY($1::text[])")
	if err := p.scanBound(ctx, tx, q, &users, emails); err != nil {
		return err
	}
	userIDs := make([]pgtype.UUID, len(users))
	for i, u := range users {
		userIDs[i] = pgUUID(u.ID)
	}
	var members []*Member
	q = tx.NewSelect().Model(&members).Where("m.project_id = $1").Where("(m.user_id = ANY($2::uuid[]) OR m.external_id = ANY($3::text[]))")
	if err := p.scanBound(ctx, tx, q, &members, pgUUID(p.project.ID), userIDs, ids); err != nil {
		return err
	}
	var pending []*Invite
	q = selectInvites(tx).Where("i.project_id = $1 AND i.status = 'PENDING' AND i.expires_at > $2").
		Where("(i.email = ANY($3::text[]) OR i.external_id = ANY($4::text[]))")
	if err := p.scanBound(ctx, tx, q, &pending, pgUUID(p.project.ID), p.now, emails, ids); err != nil {
		return err
	}
	var err error
	if p.suppressed, err = suppressedAmong(ctx, tx, emails); err != nil {
		return err
	}
	if p.domains, err = p.s.domainRule(ctx, tx, p.project); err != nil {
		return err
	}
	p.classify(users, members, pending)
	return nil
}

// scanBound runs q, whose placeholders are PostgreSQL's ($1, $2, ...), with args bound (see
// queryBound), and scans its rows into dest as q.Scan would.
func (p *bulkPlan) scanBound(ctx context.Context, tx bun.Tx, q *bun.SelectQuery, dest any, args ...any) error {
	rows, err := queryBound(ctx, tx, q.String(), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return p.s.db.ScanRows(ctx, rows, dest)
}

// classify sorts the candidates by what their email names in the project: a member, a pending
// invite, or nothing yet.
func (p *bulkPlan) classify(users []*User, members []*Member, pending []*Invite) {
	emailOf := make(map[uuid.UUID]string, len(users))
	p.accounts = make(map[string]bool, len(users))
	for _, u := range users {
		emailOf[u.ID], p.accounts[u.Email] = u.Email, true
	}
	memberOf := make(map[string]*idRecord, len(members))
	for _, m := range members {
		rec := &idRecord{member: m, current: m.ExternalID, final: m.ExternalID}
		p.records = append(p.records, rec)
		if email, ok := emailOf[m.UserID]; ok {
			memberOf[email] = rec
		}
	}
	inviteOf := make(map[string]*idRecord, len(pending))
	for _, inv := range pending {
		rec := &idRecord{invite: inv, current: inv.ExternalID, final: inv.ExternalID}
		p.records = append(p.records, rec)
		inviteOf[inv.Email] = rec
	}
	for _, r := range p.candidates {
		if rec := memberOf[r.email]; rec != nil {
			p.classifyMember(r, rec)
		} else if rec := inviteOf[r.email]; rec != nil {
			p.classifyInvite(r, rec)
		} else if p.suppressed[r.email] {
			p.fail(r, ReasonFailedToSend, false, "%s is suppressed (it bounced or complained before); an admin may lift that", r.email)
		} else if p.domains.refuses(r.email) {
			p.fail(r, ReasonEmailDomainNotAllowed, false, "this project admits only emails at its verified domains")
		} else {
			p.classifyNew(r)
		}
	}
}

// changesID reports whether the row asks to move rec's external ID.
func (r *plannedRow) changesID(rec *idRecord) bool {
	return r.wanted != nil && (rec.current == nil || *rec.current != *r.wanted)
}

// changesName reports whether the row gives inv a name other than the one it has.
func (r *plannedRow) changesName(inv *Invite) bool {
	return r.name != nil && (inv.Name == nil || *inv.Name != *r.name)
}

func (p *bulkPlan) classifyMember(r *plannedRow, rec *idRecord) {
	r.rec, r.res.Kind, r.res.Member = rec, rowExistingMember, rec.member
	// Setting an external ID acts on the member: the authority rule applies, as for updateMember.
	if r.changesID(rec) && CanSetExternalID(p.actor, rec.member) != nil {
		p.fail(r, ReasonRoleNotAllowed, false, "%s", rowCannotSetExternalID(p.actor.Role, rec.member.Role))
	}
}

func (p *bulkPlan) classifyInvite(r *plannedRow, rec *idRecord) {
	inv := rec.invite
	r.rec, r.res.Kind, r.res.Invite = rec, rowExistingInvitation, inv
	switch {
	case inv.DeliveryStatus == mail.StatusFailedPermanent:
		p.fail(r, ReasonFailedToSend, false, "the invite's email to %s could not be delivered; check the address", inv.Email)
	case (r.roleGiven && r.role != *inv.Role || r.changesID(rec) || r.changesName(inv)) && CanManageInvite(p.actor.Role, *inv.Role) != nil:
		p.fail(r, ReasonRoleNotAllowed, false, "%s", rowCannotChangeInvite(p.actor.Role, *inv.Role))
	}
}

// classifyNew makes the row's new invite, with the ID its preview promised where it was
// previewed. Whether the email has an account is told only when the invite is really sent
// (rate-limited, and seen by the recipient), never by a preview: a preview would otherwise
// tell an admin which of 10,000 addresses have accounts, at no cost to anyone.
func (p *bulkPlan) classifyNew(r *plannedRow) {
	p.newAddresses = append(p.newAddresses, r.email)
	id, promised := p.inviteIDs[r.res.Row]
	if !promised {
		id = newID()
	}
	role := r.role
	inv := &Invite{
		ID: id, Email: r.email, ProjectID: p.project.ID, Role: &role, Name: r.name, InviterID: p.actor.UserID,
		Status: StatusPending, DeliveryStatus: mail.StatusQueued, Locale: cmp.Or(r.locale, p.locale), Note: p.note,
		ExpiresAt: p.now.Add(p.s.cfg.InviteTTL), CreatedAt: p.now, UpdatedAt: p.now,
	}
	r.rec = &idRecord{invite: inv, isNew: true}
	p.records = append(p.records, r.rec)
	r.res.Kind, r.res.Invite, r.res.ExistingAccount = rowNewInvitation, inv, !p.dryRun && p.accounts[r.email]
}

// settleExternalIDs judges each wanted ID on the project as it will be after the batch: a row
// fails with EXTERNAL_ID_TAKEN where a record that keeps (or falls back to) the ID holds it.
// A failed row's record falls back to its current ID, which may in turn take that ID from the
// one row that wants it; a worklist follows such chains until nothing changes.
func (p *bulkPlan) settleExternalIDs() {
	wantedBy := map[string]*plannedRow{}
	var work []*plannedRow
	for _, r := range p.candidates {
		if !r.failed() && r.changesID(r.rec) {
			r.rec.final = r.wanted
			wantedBy[*r.wanted] = r
			work = append(work, r)
		}
	}
	holders := map[string][]*idRecord{}
	for _, rec := range p.records {
		if rec.final != nil {
			holders[*rec.final] = append(holders[*rec.final], rec)
		}
	}
	for len(work) > 0 {
		r := work[len(work)-1]
		work = work[:len(work)-1]
		if r.failed() {
			continue
		}
		id := *r.wanted
		taken := false
		for _, h := range holders[id] {
			if h != r.rec {
				taken = true
			}
		}
		if !taken {
			continue
		}
		p.fail(r, ReasonExternalIDTaken, true, "external ID %q is kept by another member or pending invite of this project", id)
		holders[id] = without(holders[id], r.rec)
		r.rec.final = r.rec.current
		if cur := r.rec.current; cur != nil {
			holders[*cur] = append(holders[*cur], r.rec)
			if other := wantedBy[*cur]; other != nil && other != r {
				work = append(work, other)
			}
		}
	}
	// A failed row's own record keeps what it had, and a new invite of a failed row is never made.
	for _, r := range p.rows {
		if r.failed() && r.rec != nil && r.rec.isNew {
			r.rec = nil
			r.res.Invite = nil
		}
	}
}

// capRecipients counts each new invitation's email against its address's daily cap; a row
// whose address has had its cap fails (FAILED_TO_SEND, retryable tomorrow) and gets nothing.
func (p *bulkPlan) capRecipients(ctx context.Context, tx bun.Tx, dryRun bool) error {
	var emails []string
	for _, r := range p.rows {
		if r.res.Kind == rowNewInvitation {
			emails = append(emails, r.email)
		}
	}
	full, err := p.s.takeRecipientQuotas(ctx, tx, emails, dryRun)
	if err != nil {
		return err
	}
	for _, r := range p.rows {
		if r.res.Kind == rowNewInvitation && full[r.email] {
			p.fail(r, ReasonFailedToSend, true, "%s", p.s.recipientCapMessage(r.email))
			r.res.Invite, r.res.ExistingAccount = nil, false
		}
	}
	return nil
}

func without(list []*idRecord, rec *idRecord) []*idRecord {
	out := list[:0]
	for _, r := range list {
		if r != rec {
			out = append(out, r)
		}
	}
	return out
}

func sameID(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

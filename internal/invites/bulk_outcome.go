package invites

import (
	"time"

	"github.com/google/uuid"
)

// BulkResult is one row's outcome: a *NewInvitation, an *ExistingInvitation, an
// *ExistingMember or a *FailedInvite, and nothing else (the interface is sealed). A caller
// tells them apart with Visit, whose visitor has one method per kind: a new kind of outcome
// is a new method, and every visitor stops compiling until it handles it.
type BulkResult interface {
	// Visit calls the method of v for the result's kind.
	Visit(v BulkVisitor)
	sealed()
}

// BulkVisitor handles each kind of BulkResult.
type BulkVisitor interface {
	NewInvitation(*NewInvitation)
	ExistingInvitation(*ExistingInvitation)
	ExistingMember(*ExistingMember)
	FailedInvite(*FailedInvite)
}

// NewInvitation is a row that invited a new email.
type NewInvitation struct {
	Row    int
	Invite *Invite
	// ExistingAccount: the email belongs to an account.
	ExistingAccount bool
}

// ExistingInvitation is a row that named the email of a pending invite, which it may have
// updated (role, name, external ID).
type ExistingInvitation struct {
	Row    int
	Invite *Invite
	// ExternalIDUpdated: the row moved the invite's external ID from PreviousExternalID.
	ExternalIDUpdated  bool
	PreviousExternalID *string
	// PreviousRole is the invite's role before the row changed it; nil where it did not.
	PreviousRole *Role
}

// ExistingMember is a row that named a member's email, whose external ID it may have updated.
type ExistingMember struct {
	Row    int
	Member *Member
	// ExternalIDUpdated: the row moved the member's external ID from PreviousExternalID.
	ExternalIDUpdated  bool
	PreviousExternalID *string
}

// FailedInvite is a row that changed nothing: what it named, why it failed, and whether
// trying again can help.
type FailedInvite struct {
	Row        int
	Email      string
	ExternalID *string
	Reason     FailureReason
	Message    string
	Retryable  bool
	// ExistingInvite is the pending invite the row named, if any.
	ExistingInvite *Invite
}

// Visit calls v.NewInvitation.
func (r *NewInvitation) Visit(v BulkVisitor) { v.NewInvitation(r) }

// Visit calls v.ExistingInvitation.
func (r *ExistingInvitation) Visit(v BulkVisitor) { v.ExistingInvitation(r) }

// Visit calls v.ExistingMember.
func (r *ExistingMember) Visit(v BulkVisitor) { v.ExistingMember(r) }

// Visit calls v.FailedInvite.
func (r *FailedInvite) Visit(v BulkVisitor) { v.FailedInvite(r) }

func (*NewInvitation) sealed() {}

func (*ExistingInvitation) sealed() {}

func (*ExistingMember) sealed() {}

func (*FailedInvite) sealed() {}

// BulkSummary counts a batch's outcomes.
type BulkSummary struct {
	Total, NewInvitations, ExistingInvitations, ExistingMembers, Failed, ExternalIDsUpdated int
}

// BulkOutcome is a batch's results, one per input row in input order.
type BulkOutcome struct {
	Results        []BulkResult
	Summary        BulkSummary
	IgnoredColumns []string
	// PreviewID names a dry run's stored preview, which ConfirmBulkInvite writes until
	// PreviewExpiresAt; both nil for a batch that was written.
	PreviewID        *uuid.UUID
	PreviewExpiresAt *time.Time
}

// rowKind is what is becoming of a row while the plan works it out.
type rowKind int

// The kinds of row outcome; a row is rowFailed from the first check it fails.
const (
	rowNewInvitation rowKind = iota + 1
	rowExistingInvitation
	rowExistingMember
	rowFailed
)

// rowResult is a row's outcome while the plan works it out: what each kind of result needs. A
// confirmed preview keeps its rows' rowResults (bulk_preview.go), in JSON without empty fields.
type rowResult struct {
	Row                int           `json:"row"`
	Kind               rowKind       `json:"kind"`
	Invite             *Invite       `json:"invite,omitempty"`
	Member             *Member       `json:"member,omitempty"`
	ExistingAccount    bool          `json:"existingAccount,omitempty"`
	ExternalIDUpdated  bool          `json:"externalIdUpdated,omitempty"`
	PreviousExternalID *string       `json:"previousExternalId,omitempty"`
	PreviousRole       *Role         `json:"previousRole,omitempty"`
	Email              string        `json:"email,omitempty"`
	ExternalID         *string       `json:"externalId,omitempty"`
	Reason             FailureReason `json:"reason,omitempty"`
	Message            string        `json:"message,omitempty"`
	Retryable          bool          `json:"retryable,omitempty"`
}

// result is the settled row as its kind's result.
func (r *rowResult) result() BulkResult {
	switch r.Kind {
	case rowNewInvitation:
		return &NewInvitation{Row: r.Row, Invite: r.Invite, ExistingAccount: r.ExistingAccount}
	case rowExistingInvitation:
		return &ExistingInvitation{Row: r.Row, Invite: r.Invite, ExternalIDUpdated: r.ExternalIDUpdated, PreviousExternalID: r.PreviousExternalID,
			PreviousRole: r.PreviousRole}
	case rowExistingMember:
		return &ExistingMember{Row: r.Row, Member: r.Member, ExternalIDUpdated: r.ExternalIDUpdated, PreviousExternalID: r.PreviousExternalID}
	}
	return &FailedInvite{Row: r.Row, Email: r.Email, ExternalID: r.ExternalID, Reason: r.Reason, Message: r.Message, Retryable: r.Retryable, ExistingInvite: r.Invite}
}

// outcome settles each row (external-ID changes, new roles and names) and counts the results.
func (p *bulkPlan) outcome(ignored []string) *BulkOutcome {
	out := &BulkOutcome{Results: make([]BulkResult, len(p.rows)), IgnoredColumns: ignored}
	for i, r := range p.rows {
		p.settleRow(r, &out.Summary)
		out.Results[i] = r.res.result()
	}
	return out
}

// summary counts the batch's rows as outcome does, without settling them: the counts that the
// event hook hears of in the transaction.
func (p *bulkPlan) summary() BulkSummary {
	var sum BulkSummary
	for _, r := range p.rows {
		sum.Total++
		switch r.res.Kind {
		case rowFailed:
			sum.Failed++
			continue
		case rowNewInvitation:
			sum.NewInvitations++
			continue
		case rowExistingInvitation:
			sum.ExistingInvitations++
		case rowExistingMember:
			sum.ExistingMembers++
		}
		if !sameID(r.rec.current, r.rec.final) {
			sum.ExternalIDsUpdated++
		}
	}
	return sum
}

// settleRow applies r's changes to the records the result shows and counts it in sum.
func (p *bulkPlan) settleRow(r *plannedRow, sum *BulkSummary) {
	res := &r.res
	sum.Total++
	switch res.Kind {
	case rowFailed:
		sum.Failed++
		return
	case rowNewInvitation:
		sum.NewInvitations++
		res.Invite.ExternalID = r.rec.final
		return
	case rowExistingInvitation:
		sum.ExistingInvitations++
		if r.roleGiven && r.role != *res.Invite.Role {
			role := r.role
			res.PreviousRole = res.Invite.Role
			res.Invite.Role, res.Invite.UpdatedAt = &role, p.now
		}
		if r.changesName(res.Invite) {
			res.Invite.Name, res.Invite.UpdatedAt = r.name, p.now
		}
	case rowExistingMember:
		sum.ExistingMembers++
	}
	if !sameID(r.rec.current, r.rec.final) {
		res.ExternalIDUpdated, res.PreviousExternalID = true, r.rec.current
		sum.ExternalIDsUpdated++
		if r.rec.member != nil {
			r.rec.member.ExternalID, r.rec.member.UpdatedAt = r.rec.final, p.now
		} else {
			r.rec.invite.ExternalID, r.rec.invite.UpdatedAt = r.rec.final, p.now
		}
	}
}

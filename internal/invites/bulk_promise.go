package invites

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// rowOutcome is what a preview promises of one row: its kind of result, the record it names
// (the new invite's ID, the pending invite's or the member's), and what the row leaves on it.
// A confirmation works the rows out again and writes them only if every row comes to the same
// rowOutcome (==). Whether the email has an account is not part of it (a preview never tells),
// nor are timestamps and messages.
type rowOutcome struct {
	Kind   rowKind   `json:"kind"`
	Record uuid.UUID `json:"record,omitzero"`
	// Role is a new or pending invite's role after the batch.
	Role Role `json:"role,omitempty"`
	// ExternalID is the record's external ID after the batch, Previous its ID before.
	ExternalID string `json:"externalId,omitempty"`
	Previous   string `json:"previous,omitempty"`
	// Name is a new or pending invite's name after the batch.
	Name   string        `json:"name,omitempty"`
	Reason FailureReason `json:"reason,omitempty"`
}

// promised is r's outcome, the same whether or not the plan's outcome has settled r (the
// values after the batch are read from the row and its record, which settling does not change).
func (p *bulkPlan) promised(r *plannedRow) rowOutcome {
	res := &r.res
	o := rowOutcome{Kind: res.Kind}
	switch {
	case res.Kind == rowFailed:
		o.Reason = res.Reason
		if res.Invite != nil {
			o.Record = res.Invite.ID
		} else if res.Member != nil {
			o.Record = res.Member.ID
		}
		return o
	case res.Kind == rowExistingMember:
		o.Record = res.Member.ID
	default:
		inv := res.Invite
		o.Record, o.Role, o.Name = inv.ID, *inv.Role, deref(inv.Name)
		if r.roleGiven {
			o.Role = r.role
		}
		if r.name != nil {
			o.Name = *r.name
		}
	}
	o.ExternalID, o.Previous = deref(r.rec.final), deref(r.rec.current)
	return o
}

// staleRowsShown is how many changed rows a PREVIEW_STALE message describes; its Rows name
// them all.
const staleRowsShown = 3

// checkPromises compares each row's outcome now with the one the preview promised (in the
// same order: the rows are the preview's).
//
// Errors: PREVIEW_STALE, naming the rows whose outcome changed and how, in Rows and the message.
func (p *bulkPlan) checkPromises(promised []storedRow) error {
	var rows []int
	var described []string
	for i, r := range p.rows {
		was, now := promised[i].Outcome, p.promised(r)
		if was == now {
			continue
		}
		rows = append(rows, r.res.Row)
		if len(described) < staleRowsShown {
			described = append(described, fmt.Sprintf("row %d (%s): %s", r.res.Row, r.res.Email, change(was, now)))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	more := ""
	if n := len(rows) - len(described); n > 0 {
		more = fmt.Sprintf("; and %d more", n)
	}
	e := Errorf(PreviewStale, "the project changed since this preview, so %d %s would not turn out as shown (%s%s); preview again",
		len(rows), plural(len(rows), "row", "rows"), strings.Join(described, "; "), more)
	e.Reason, e.Rows = ReasonPreviewChanged, rows
	return e
}

// The Reasons of PREVIEW_STALE: a row's outcome changed, or the preview expired.
const (
	ReasonPreviewChanged = "CHANGED"
	ReasonPreviewExpired = "EXPIRED"
)

// change says how a row's outcome changed, for a person.
func change(was, now rowOutcome) string {
	before, after := was.describe(), now.describe()
	if before == after {
		// The same in words, about another record: the one previewed was replaced.
		return "the invitation or membership it named was replaced since"
	}
	return "was " + before + ", now " + after
}

// describe says what a row comes to, for a person.
func (o rowOutcome) describe() string {
	var s string
	switch o.Kind {
	case rowNewInvitation:
		s = "a new invitation as " + string(o.Role)
	case rowExistingInvitation:
		s = "its pending invitation, as " + string(o.Role)
	case rowExistingMember:
		s = "an existing member"
	default:
		return "failed (" + string(o.Reason) + ")"
	}
	switch {
	case o.ExternalID == o.Previous && o.ExternalID != "":
		s += ", keeping external ID " + o.ExternalID
	case o.ExternalID != o.Previous && o.Previous != "":
		s += ", changing external ID " + o.Previous + " to " + o.ExternalID
	case o.ExternalID != "":
		s += ", with external ID " + o.ExternalID
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

package graph

import (
	"context"

	"github.com/invites/invites/graph/model"
	"github.com/invites/invites/internal/invites"
)

// bulkInput turns bulkInvite's input into the domain's, keeping "rows left out" apart from
// "rows: []" so that the domain can tell the client which it got.
func bulkInput(input model.BulkInviteInput) (invites.BulkInput, error) {
	projectID, err := invites.ParseID("project", input.ProjectID)
	if err != nil {
		return invites.BulkInput{}, err
	}
	in := invites.BulkInput{ProjectID: projectID, DefaultRole: invites.RoleContributor, Locale: input.Locale, Note: input.Note}
	if input.DefaultRole != nil {
		in.DefaultRole = *input.DefaultRole
	}
	if input.DryRun != nil {
		in.DryRun = *input.DryRun
	}
	if input.CSV != nil {
		in.CSV, in.FileName = input.CSV.File, input.CSV.Filename
	}
	if input.Rows != nil {
		in.Rows = make([]invites.BulkRow, len(input.Rows))
		for i, row := range input.Rows {
			in.Rows[i] = invites.BulkRow{Row: i + 1, Email: row.Email, ExternalID: deref(row.ExternalID), Name: deref(row.Name), Locale: deref(row.Locale)}
			if row.Role != nil {
				in.Rows[i].Role = string(*row.Role)
			}
		}
	}
	return in, nil
}

// bulkPayload turns the domain's outcome into the union of row results, and tells the
// request's loaders of the invites and members it holds.
func (r *mutationResolver) bulkPayload(ctx context.Context, out *invites.BulkOutcome) *model.BulkInvitePayload {
	results := make([]model.BulkInviteResult, len(out.Results))
	var m resultMapper
	for i, res := range out.Results {
		res.Visit(&m)
		results[i] = m.result
	}
	payload := &model.BulkInvitePayload{Results: results, Summary: &out.Summary, IgnoredColumns: out.IgnoredColumns, PreviewExpiresAt: out.PreviewExpiresAt}
	if out.PreviewID != nil {
		id := out.PreviewID.String()
		payload.PreviewID = &id
	}
	r.loaders(ctx).expectBulk(payload.Results)
	return payload
}

// resultMapper maps each kind of row result to its member of the GraphQL union; as an
// invites.BulkVisitor it has a method for every kind.
type resultMapper struct{ result model.BulkInviteResult }

func (m *resultMapper) NewInvitation(r *invites.NewInvitation) {
	m.result = model.NewInvitation{Row: r.Row, Invite: r.Invite, ExistingAccount: r.ExistingAccount}
}

func (m *resultMapper) ExistingInvitation(r *invites.ExistingInvitation) {
	m.result = model.ExistingInvitation{Row: r.Row, Invite: r.Invite, ExternalIDUpdated: r.ExternalIDUpdated, PreviousExternalID: r.PreviousExternalID,
		PreviousRole: r.PreviousRole}
}

func (m *resultMapper) ExistingMember(r *invites.ExistingMember) {
	m.result = model.ExistingMember{Row: r.Row, Member: r.Member, ExternalIDUpdated: r.ExternalIDUpdated, PreviousExternalID: r.PreviousExternalID}
}

func (m *resultMapper) FailedInvite(r *invites.FailedInvite) {
	m.result = model.FailedInvite{Row: r.Row, Email: r.Email, ExternalID: r.ExternalID, Reason: r.Reason, Message: r.Message, Retryable: r.Retryable, ExistingInvite: r.ExistingInvite}
}

package graph_test

import (
	"slices"
	"testing"
)

const previewMutation = `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) {
	previewId previewExpiresAt
	results { __typename ... on NewInvitation { row existingAccount invite { id email } } ... on ExistingInvitation { row invite { id } } }
} }`

const confirmMutation = `mutation($id: ID!) { confirmBulkInvite(previewId: $id) {
	previewId previewExpiresAt
	results { __typename ... on NewInvitation { row existingAccount invite { id email } } ... on ExistingInvitation { row invite { id } } }
} }`

// previewPayload is the answer of previewMutation and confirmMutation.
type previewPayload struct {
	PreviewID        *string
	PreviewExpiresAt *string
	Results          []struct {
		Typename        string `json:"__typename"`
		Row             int
		ExistingAccount bool
		Invite          struct{ ID, Email string }
	}
}

func (p previewPayload) inviteIDs() []string {
	var ids []string
	for _, r := range p.Results {
		ids = append(ids, r.Invite.ID)
	}
	return ids
}

// A dry run answers a previewId and the IDs that confirming creates, and nothing of accounts;
// confirmBulkInvite creates exactly those, and answers a second call with the same result.
func TestConfirmBulkInvite(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Preview")
	account := uniqueEmail("account")
	signUp(t, h, account)
	csv := "email\n" + account + "\n" + uniqueEmail("fresh") + "\n"

	var d struct{ BulkInvite previewPayload }
	ok(t, upload(t, h, owner, previewMutation, map[string]any{"projectId": project, "dryRun": true}, csv), &d)
	preview := d.BulkInvite
	if preview.PreviewID == nil || preview.PreviewExpiresAt == nil || len(preview.Results) != 2 {
		t.Fatalf("preview = %+v, want a previewId, its expiry and two results", preview)
	}
	if preview.Results[0].ExistingAccount {
		t.Error("the preview says that an address has an account")
	}
	ids := preview.inviteIDs()
	var nodes struct{ Nodes []*struct{ ID string } }
	gql(t, h, owner, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}, &nodes)
	if nodes.Nodes[0] != nil || nodes.Nodes[1] != nil {
		t.Errorf("the previewed invites exist before the confirmation: %+v", nodes.Nodes)
	}

	for i := range 2 {
		var c struct{ ConfirmBulkInvite previewPayload }
		gql(t, h, owner, confirmMutation, map[string]any{"id": *preview.PreviewID}, &c)
		confirmed := c.ConfirmBulkInvite
		if confirmed.PreviewID != nil || confirmed.PreviewExpiresAt != nil || !slices.Equal(confirmed.inviteIDs(), ids) {
			t.Errorf("confirmation %d = %+v, want the previewed invites %v and no previewId", i+1, confirmed, ids)
		}
		if len(confirmed.Results) == 2 && !confirmed.Results[0].ExistingAccount {
			t.Errorf("confirmation %d: the account's row says it has none", i+1)
		}
	}
	gql(t, h, owner, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}, &nodes)
	if nodes.Nodes[0] == nil || nodes.Nodes[1] == nil || nodes.Nodes[0].ID != ids[0] {
		t.Errorf("the confirmed invites by their IDs: %+v", nodes.Nodes)
	}
	if n := countRows(t, "invites"); n < 2 {
		t.Errorf("%d invites", n)
	}
}

// A confirmation of a preview that the project has overtaken is PREVIEW_STALE, naming the rows.
func TestConfirmBulkInvite_Stale(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Stale")
	a, b := uniqueEmail("a"), uniqueEmail("b")
	var d struct{ BulkInvite previewPayload }
	gql(t, h, owner, previewMutation, map[string]any{"input": map[string]any{"projectId": project, "dryRun": true,
		"rows": []any{map[string]any{"email": a}, map[string]any{"email": b}}}}, &d)
	invite(t, h, owner, project, b, "CONTRIBUTOR", "")

	e := wantCode(t, do(t, h, owner, confirmMutation, map[string]any{"id": *d.BulkInvite.PreviewID}), "PREVIEW_STALE")
	if e.Extensions.Reason != "CHANGED" || !slices.Equal(e.Extensions.Rows, []int{2}) {
		t.Errorf("PREVIEW_STALE extensions %+v (%s), want reason CHANGED and rows [2]", e.Extensions, e.Message)
	}
	wantCode(t, do(t, h, owner, confirmMutation, map[string]any{"id": "not-an-id"}), "NOT_FOUND")
	wantCode(t, do(t, h, "", confirmMutation, map[string]any{"id": *d.BulkInvite.PreviewID}), "UNAUTHENTICATED")
}

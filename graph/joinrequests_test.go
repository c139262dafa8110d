package graph_test

import (
	"strings"
	"testing"
)

// TestJoinRequests runs a request's life through the API: an approval link, joinWithLink's
// APPROVAL_REQUIRED, requestToJoin with its token, the admins' list, approval and denial of
// many at once with per-row results, cancellation, and the contract's codes.
func TestJoinRequests(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Asked")
	contributor := join(t, h, owner, project, uniqueEmail("contrib"), "CONTRIBUTOR", "")

	var c createdLink
	gql(t, h, owner, createInviteLink, map[string]any{"i": map[string]any{
		"projectId": project, "role": "CONTRIBUTOR", "requiresApproval": true,
	}}, &c)
	token := strings.TrimPrefix(c.CreateInviteLink.URL, "https://app.example/join/")
	var prev struct {
		InviteLink struct{ RequiresApproval bool }
	}
	gql(t, h, "", `query($t: String!) { inviteLink(token: $t) { requiresApproval } }`, map[string]any{"t": token}, &prev)
	if !prev.InviteLink.RequiresApproval {
		t.Fatal("preview: requiresApproval false, want true")
	}

	const joinQ = `mutation($t: String!) { joinWithLink(token: $t) { id } }`
	const requestQ = `mutation($i: RequestToJoinInput!) { requestToJoin(input: $i) { id status message expiresAt user { id } project { id name } } }`
	type requested struct {
		RequestToJoin struct {
			ID, Status, ExpiresAt string
			Message               *string
			User                  struct{ ID string }
			Project               struct{ ID, Name string }
		}
	}
	ask := func(t *testing.T) (string, string) {
		t.Helper()
		who := signUpVerified(t, h, uniqueEmail("asker"))
		wantCode(t, do(t, h, who, joinQ, map[string]any{"t": token}), "APPROVAL_REQUIRED")
		var d requested
		gql(t, h, who, requestQ, map[string]any{"i": map[string]any{"linkToken": token, "message": "Let me in"}}, &d)
		r := d.RequestToJoin
		if r.Status != "PENDING" || r.Message == nil || *r.Message != "Let me in" || r.User.ID != myID(t, h, who) || r.Project.Name != "Asked" {
			t.Fatalf("requestToJoin = %+v", r)
		}
		wantCode(t, do(t, h, who, requestQ, map[string]any{"i": map[string]any{"linkToken": token}}), "JOIN_REQUEST_EXISTS")
		return who, r.ID
	}

	t.Run("Refusals", func(t *testing.T) {
		who := signUpVerified(t, h, uniqueEmail("refused"))
		wantCode(t, do(t, h, "", requestQ, map[string]any{"i": map[string]any{"linkToken": token}}), "UNAUTHENTICATED")
		wantCode(t, do(t, h, who, requestQ, map[string]any{"i": map[string]any{}}), "BAD_USER_INPUT")
		wantCode(t, do(t, h, who, requestQ, map[string]any{"i": map[string]any{"projectId": project, "linkToken": token}}), "BAD_USER_INPUT")
		// No domain of the project is at their email: the project stays unknown to them.
		wantCode(t, do(t, h, who, requestQ, map[string]any{"i": map[string]any{"projectId": project}}), "NOT_FOUND")
		wantCode(t, do(t, h, who, requestQ, map[string]any{"i": map[string]any{"linkToken": token, "message": "a\u200bb"}}), "BAD_USER_INPUT")
		wantCode(t, do(t, h, owner, requestQ, map[string]any{"i": map[string]any{"linkToken": token}}), "ALREADY_MEMBER")
	})

	const approveQ = `mutation($ids: [ID!]!, $r: ProjectRole) { approveJoinRequests(ids: $ids, role: $r) { id errorCode request { id status role decidedBy { id } decidedAt } } }`
	const denyQ = `mutation($ids: [ID!]!, $r: String) { denyJoinRequests(ids: $ids, reason: $r) { id errorCode request { id status reason } } }`
	type result struct {
		ID        string
		ErrorCode *string
		Request   *struct {
			ID, Status string
			Role       *string
			Reason     *string
			DecidedBy  *struct{ ID string }
			DecidedAt  *string
		}
	}

	t.Run("Approve and deny", func(t *testing.T) {
		a, aID := ask(t)
		_, bID := ask(t)
		var d struct{ ApproveJoinRequests []result }
		gql(t, h, contributor, approveQ, map[string]any{"ids": []string{aID}}, &d)
		if code := d.ApproveJoinRequests[0].ErrorCode; code == nil || *code != "FORBIDDEN" {
			t.Fatalf("contributor's approval = %+v, want FORBIDDEN", d.ApproveJoinRequests[0])
		}
		gql(t, h, owner, approveQ, map[string]any{"ids": []string{aID, "nope"}, "r": "ADMIN"}, &d)
		if r := d.ApproveJoinRequests; len(r) != 2 || r[0].ErrorCode != nil || r[0].Request.Status != "APPROVED" || *r[0].Request.Role != "ADMIN" ||
			r[1].ErrorCode == nil || *r[1].ErrorCode != "NOT_FOUND" {
			t.Fatalf("approveJoinRequests = %+v", r)
		}
		var role struct{ Project struct{ ViewerRole string } }
		gql(t, h, a, `query($p: ID!) { project(id: $p) { viewerRole } }`, map[string]any{"p": project}, &role)
		if role.Project.ViewerRole != "ADMIN" {
			t.Fatalf("approved person's role = %q, want ADMIN", role.Project.ViewerRole)
		}
		var dd struct{ DenyJoinRequests []result }
		gql(t, h, owner, denyQ, map[string]any{"ids": []string{bID, aID}, "r": "Not this time"}, &dd)
		if r := dd.DenyJoinRequests; r[0].ErrorCode != nil || r[0].Request.Status != "DENIED" || *r[0].Request.Reason != "Not this time" ||
			r[1].ErrorCode == nil || *r[1].ErrorCode != "INVITE_NOT_PENDING" {
			t.Fatalf("denyJoinRequests = %+v", r)
		}
	})

	t.Run("List and cancel", func(t *testing.T) {
		who, id := ask(t)
		const listQ = `query($p: ID!, $s: JoinRequestStatus) { project(id: $p) { joinRequests(status: $s) { totalCount edges { node { id status } } } } }`
		var l struct {
			Project struct {
				JoinRequests struct {
					TotalCount int
					Edges      []struct{ Node struct{ ID, Status string } }
				}
			}
		}
		gql(t, h, owner, listQ, map[string]any{"p": project, "s": "PENDING"}, &l)
		if jr := l.Project.JoinRequests; jr.TotalCount != 1 || jr.Edges[0].Node.ID != id {
			t.Fatalf("pending requests = %+v, want only %s", jr, id)
		}
		wantCode(t, do(t, h, contributor, listQ, map[string]any{"p": project}), "FORBIDDEN")
		const cancelQ = `mutation($id: ID!) { cancelJoinRequest(id: $id) { status } }`
		wantCode(t, do(t, h, owner, cancelQ, map[string]any{"id": id}), "NOT_FOUND")
		var cd struct{ CancelJoinRequest struct{ Status string } }
		gql(t, h, who, cancelQ, map[string]any{"id": id}, &cd)
		if cd.CancelJoinRequest.Status != "CANCELLED" {
			t.Fatalf("cancelJoinRequest = %+v", cd.CancelJoinRequest)
		}
		gql(t, h, owner, listQ, map[string]any{"p": project, "s": "PENDING"}, &l)
		if l.Project.JoinRequests.TotalCount != 0 {
			t.Fatalf("pending after cancel: %+v", l.Project.JoinRequests)
		}
	})

	t.Run("Digest setting", func(t *testing.T) {
		var d struct{ JoinRequestDigest bool }
		gql(t, h, owner, `{ joinRequestDigest }`, nil, &d)
		if !d.JoinRequestDigest {
			t.Fatal("digest off by default, want on")
		}
		var set struct{ SetJoinRequestDigest bool }
		gql(t, h, owner, `mutation { setJoinRequestDigest(enabled: false) }`, nil, &set)
		gql(t, h, owner, `{ joinRequestDigest }`, nil, &d)
		if d.JoinRequestDigest {
			t.Fatal("digest still on after turning it off")
		}
		wantCode(t, do(t, h, "", `{ joinRequestDigest }`, nil), "UNAUTHENTICATED")
	})
}

package graph

import (
	"github.com/invites/invites/graph/model"
	"github.com/invites/invites/internal/invites"
)

// The console's actions on many rows answer one result per ID: a refusal is the row's
// errorCode and message (the domain's *invites.Error, as the error presenter would show it for
// the single mutation), not a GraphQL error.

func inviteActionResults(rs []*invites.InviteActionResult) []*model.InviteActionResult {
	out := make([]*model.InviteActionResult, len(rs))
	for i, r := range rs {
		out[i] = &model.InviteActionResult{ID: r.ID, Invite: r.Invite}
		out[i].ErrorCode, out[i].Message = rowRefusal(r.Err)
	}
	return out
}

func memberActionResults(rs []*invites.MemberActionResult) []*model.MemberActionResult {
	out := make([]*model.MemberActionResult, len(rs))
	for i, r := range rs {
		out[i] = &model.MemberActionResult{UserID: r.UserID, Member: r.Member}
		out[i].ErrorCode, out[i].Message = rowRefusal(r.Err)
	}
	return out
}

func joinRequestActionResults(rs []*invites.JoinRequestActionResult) []*model.JoinRequestActionResult {
	out := make([]*model.JoinRequestActionResult, len(rs))
	for i, r := range rs {
		out[i] = &model.JoinRequestActionResult{ID: r.ID, Request: r.Request}
		out[i].ErrorCode, out[i].Message = rowRefusal(r.Err)
	}
	return out
}

// actionInvites are the invites that the rows' actions returned, for the loaders to expect.
func actionInvites(rs []*invites.InviteActionResult) []*invites.Invite {
	var list []*invites.Invite
	for _, r := range rs {
		if r.Invite != nil {
			list = append(list, r.Invite)
		}
	}
	return list
}

func rowRefusal(err *invites.Error) (code, message *string) {
	if err == nil {
		return nil, nil
	}
	c := string(err.Code)
	return &c, &err.Message
}

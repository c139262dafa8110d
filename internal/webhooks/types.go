// Package webhooks posts a project's tracked events to the endpoints its admins register,
// signed per the Standard Webhooks specification (SPEC §13): the endpoints and their
// secrets (service.go, secret.go), the URL rules checked at registration and at each dial
// (url.go), the signature (sign.go), the deliveries queued in the event's transaction by
// Hook (queue.go) and the River worker that posts them after the commit (worker.go), which
// the process's River client (internal/jobs) runs from Service.Work.
package webhooks

import (
	"slices"

	"github.com/invites/invites/internal/invites"
)

// eventTypes is the one table from a tracked event's name (internal/invites/events.go) to
// the webhook type it is posted as; an event not in it is posted to no endpoint. A join by an
// invite link records "Joined with Invite Link" beside "Joined Project", as a claim records
// "Claimed User Invite" beside it: the join is posted once, as member.joined.
var eventTypes = []struct{ Event, Type string }{
	{invites.EventCreatedUserInvite, "invite.created"},
	{invites.EventResentUserInvite, "invite.resent"},
	{invites.EventRemindedUserInvite, "invite.reminded"},
	{invites.EventClaimedUserInvite, "invite.accepted"},
	{invites.EventDeclinedUserInvite, "invite.declined"},
	{invites.EventRevokedUserInvite, "invite.revoked"},
	{invites.EventExpiredUserInvite, "invite.expired"},
	{invites.EventDeliveredUserInvite, "invite.delivered"},
	{invites.EventBouncedUserInvite, "invite.bounced"},
	{invites.EventComplainedUserInvite, "invite.complained"},
	{invites.EventJoinedProject, "member.joined"},
	{invites.EventUpdatedMember, "member.updated"},
	{invites.EventRemovedMember, "member.removed"},
	{invites.EventLeftProject, "member.left"},
	{invites.EventTransferredOwnership, "project.ownership_transferred"},
	{invites.EventCreatedInviteLink, "invite_link.created"},
	{invites.EventRevokedInviteLink, "invite_link.revoked"},
	{invites.EventRequestedToJoin, "join_request.created"},
	{invites.EventApprovedJoinRequest, "join_request.approved"},
	{invites.EventDeniedJoinRequest, "join_request.denied"},
}

// Types are the event types an endpoint may ask for (SPEC §13). bulk_invite.completed is
// queued by BulkRecorded, with the batch's counts; invite.delivery_failed by EmailsFailed,
// when the mail queue writes an invite's email FAILED_PERMANENT.
var Types = []string{
	"invite.created", "invite.resent", "invite.reminded", "invite.accepted", "invite.declined",
	"invite.revoked", "invite.expired", "invite.delivery_failed", "invite.delivered", "invite.bounced",
	"invite.complained", "member.joined", "member.updated",
	"member.removed", "member.left", "project.ownership_transferred", "invite_link.created",
	"invite_link.revoked", "bulk_invite.completed",
	"join_request.created", "join_request.approved", "join_request.denied",
}

// checkEvents validates an endpoint's event filter: each a known type, named once (a repeat is
// refused rather than folded, so that what the client sent is what is stored), so at most
// len(Types) of them; returned sorted.
func checkEvents(events []string) ([]string, error) {
	out := make([]string, 0, len(events))
	for _, e := range events {
		if !slices.Contains(Types, e) {
			return nil, invites.Invalid("events", "%q is not an event type; the types are %v", e, Types)
		}
		if slices.Contains(out, e) {
			return nil, invites.Invalid("events", "%q is named twice; name each event type once", e)
		}
		out = append(out, e)
	}
	slices.Sort(out)
	return out, nil
}

package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/invites/invites/graph/model"
	"github.com/invites/invites/internal/invites"
)

// nodes fetches objects by their IDs for node and nodes, in the order given; null where an ID
// names nothing the viewer may see. Like a connection, it tells the loaders what the objects
// reference (loaders.go), so that 100 IDs cost the same statements as 10.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	viewer, err := r.optionalViewer(ctx)
	if err != nil {
		return nil, err
	}
	found, err := r.Service.Nodes(ctx, viewer, ids)
	if err != nil {
		return nil, err
	}
	out := make([]model.Node, len(found))
	var members []*invites.Member
	var invs []*invites.Invite
	var events []*invites.Event
	var requests []*invites.JoinRequest
	for i, n := range found {
		out[i] = n
		switch n := n.(type) {
		case *invites.Member:
			members = append(members, n)
		case *invites.Invite:
			invs = append(invs, n)
		case *invites.Event:
			events = append(events, n)
		case *invites.JoinRequest:
			requests = append(requests, n)
		}
	}
	if err := r.webhookNodes(ctx, viewer, ids, out); err != nil {
		return nil, err
	}
	// One expectation for the kinds with references: each loader reads once.
	var e expected
	e.members(members)
	e.invitesOf(invs)
	e.events(events)
	e.joinRequests(requests)
	r.loaders(ctx).expect(&e)
	return out, nil
}

// webhookNodes fills in the webhook endpoints and deliveries among ids that the domain found
// nothing for, in two statements whatever their number.
func (r *Resolver) webhookNodes(ctx context.Context, viewer *invites.User, ids []string, out []model.Node) error {
	if viewer == nil || r.Webhooks == nil {
		return nil
	}
	var missing []uuid.UUID
	for i, id := range ids {
		if u, err := uuid.Parse(id); out[i] == nil && err == nil && u.String() == id {
			missing = append(missing, u)
		}
	}
	found, err := r.Webhooks.Nodes(ctx, viewer.ID, missing)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if out[i] == nil {
			if u, err := uuid.Parse(id); err == nil && found[u] != nil {
				out[i] = found[u]
			}
		}
	}
	return nil
}

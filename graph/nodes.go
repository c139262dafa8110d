package graph

import (
	"context"

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
	for i, n := range found {
		out[i] = n
		switch n := n.(type) {
		case *invites.Member:
			members = append(members, n)
		case *invites.Invite:
			invs = append(invs, n)
		case *invites.Event:
			events = append(events, n)
		}
	}
	l := r.loaders(ctx)
	l.expectMembers(members)
	l.expectInvites(invs)
	l.expectEvents(events)
	return out, nil
}

package graph

import (
	"context"

	"github.com/invites/invites/graph/model"
)

// nodes fetches objects by their IDs for node and nodes, in the order given; null where an ID
// names nothing the viewer may see.
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
	for i, n := range found {
		out[i] = n
	}
	return out, nil
}

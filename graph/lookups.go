package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

// referencedProject is the project that a visible invite or membership names, with the
// viewer's role in it where they have one.
func (r *Resolver) referencedProject(ctx context.Context, id uuid.UUID) (*invites.Project, error) {
	viewer, err := r.optionalViewer(ctx)
	if err != nil {
		return nil, err
	}
	viewerID := uuid.Nil
	if viewer != nil {
		viewerID = viewer.ID
	}
	return r.Service.ReferencedProject(ctx, viewerID, id)
}

// userOrNil is a user that a nullable field names; a deleted account reads as null.
func (r *Resolver) userOrNil(ctx context.Context, id uuid.UUID) (*invites.User, error) {
	u, err := r.Service.User(ctx, id)
	if invites.ErrorCode(err) == invites.NotFound {
		return nil, nil
	}
	return u, err
}

// Package graph is the GraphQL layer: gqlgen's generated executor, thin resolvers that turn
// GraphQL into calls of the domain (internal/invites) and back, the error presenter, and the
// HTTP handler.
package graph

//go:generate go tool gqlgen generate
//go:generate go run ./internal/leanexec -types ProjectEdge,ProjectUserEdge,UserInviteEdge,UserInvite,BulkInviteResult generated.go

import (
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/webhooks"
)

// Resolver is the one place that holds the resolvers' dependencies.
type Resolver struct {
	Service *invites.Service
	// Webhooks manages the projects' webhook endpoints (SPEC §13).
	Webhooks *webhooks.Service
	// Live serves the subscriptions; nil: subscriptions answer UNAVAILABLE.
	Live *Live
}

// endpointLimit is the most webhook endpoints a project lists (1 without the webhooks).
func (r *Resolver) endpointLimit() int {
	if r.Webhooks == nil {
		return 1
	}
	return r.Webhooks.EndpointLimit()
}

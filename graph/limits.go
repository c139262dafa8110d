package graph

import (
	"context"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
)

// connectionCost is the least a connection costs, whatever its page: it runs up to three SQL
// statements (its page, its totalCount, what its items ask for), so that `members(first: 0)
// { totalCount }` aliased thousands of times is priced by its SQL.
const connectionCost = 30

// complexity prices a query by what it can make the server read: a connection costs
// connectionCost plus its items' selection times its page size (`first` or `last`), so that
// `projects(first: 100) { members(first: 100) {...} }` shows its true size (10,000 members)
// against the limit; a capped list costs its items' selection times its cap
// (webhookEndpoints: endpointLimit, from the webhooks' configuration), so that no list's
// answer is priced below what it can hold.
func complexity(endpointLimit int) ComplexityRoot {
	var c ComplexityRoot
	page := func(child int, first, last *int) int {
		return connectionCost + child*max(pageArgs(first, nil, last, nil).Size(), 0)
	}
	c.Query.Projects = func(child int, first *int, _ *string, last *int, _ *string) int { return page(child, first, last) }
	c.Query.MyInvites = func(child int, _ *invites.InviteStatus) int { return child * 200 }
	c.Query.Nodes = func(child int, ids []string) int { return child * max(len(ids), 1) }
	c.Project.Members = func(child int, first *int, _ *string, last *int, _ *string, _ *invites.Role, _ *string) int {
		return page(child, first, last)
	}
	c.Project.Invites = func(child int, first *int, _ *string, last *int, _ *string, _ *invites.InviteStatus, _ *mail.Status, _ *string) int {
		return page(child, first, last)
	}
	c.Project.Activity = func(child int, first *int, _ *string, last *int, _ *string) int { return page(child, first, last) }
	c.Project.InviteLinks = func(child int, first *int, _ *string, last *int, _ *string) int { return page(child, first, last) }
	// The actions on many rows answer one result per ID; insights run three statements.
	c.Mutation.RevokeInvites = func(child int, ids []string) int { return child * max(len(ids), 1) }
	c.Mutation.ResendInvites = func(child int, ids []string) int { return child * max(len(ids), 1) }
	c.Mutation.RemoveMembers = func(child int, _ string, ids []string) int { return child * max(len(ids), 1) }
	c.Project.Insights = func(child int, _, _ *time.Time) int { return connectionCost + child }
	c.Project.WebhookEndpoints = func(child int) int { return 1 + child*max(endpointLimit, 1) }
	c.WebhookEndpoint.Deliveries = func(child int, first *int, _ *string, last *int, _ *string) int { return page(child, first, last) }
	return c
}

// depthLimit refuses a query nested deeper than max fields (introspection's own fields not
// counted, so that GraphiQL and codegen tools work): depth is what a cyclic schema (a project's
// invites' projects' invites...) lets a client multiply without end.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                          { return "DepthLimit" }
func (depthLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if depth := selectionDepth(op, op.Operation.SelectionSet); depth > d.max {
		return limitError(reasonDepth, "the query is nested %d fields deep; the limit is %d", depth, d.max)
	}
	return nil
}

func selectionDepth(op *graphql.OperationContext, set ast.SelectionSet) int {
	deepest := 0
	for _, f := range graphql.CollectFields(op, set, nil) {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		deepest = max(deepest, 1+selectionDepth(op, f.Selections))
	}
	return deepest
}

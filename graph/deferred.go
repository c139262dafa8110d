package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// deferredGroup is graphql.NewDeferredGroup(ctx) for an object one of whose fields is
// deferred (@defer), and an empty group for any other. go:generate
// (graph/internal/leanexec) makes every object's marshal function call it in place of
// graphql.NewDeferredGroup, which computed the object's path and made a FieldSet and a map
// for every object written, though only a deferred field ever uses them: the generated code
// reads the group only through graphql.FieldSet.ResolveConcurrently, for a deferred field,
// and len(deferred.Defers).
func deferredGroup(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for i := range fields {
		if fields[i].IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{}
}

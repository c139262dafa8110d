package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// Lists whose items marshal inline. gqlgen starts a goroutine per item of every list of
// objects, so that resolvers that wait (loaders, I/O) overlap; for a page whose items hold
// what they show, or load only keys that the page's resolver expected (see loaders.go), those
// goroutines did nothing but cost. go:generate (resolver.go) rewrites the marshalling of the
// lists named there to call marshalInline; any other list keeps gqlgen's goroutines.
//
// A type belongs in that list only if everything its items resolve without crossing into
// another list is either a plain field or a load of a key that the list's resolver expects.
// Today: the edges of projects, members and invites, myInvites, and a bulk invite's results
// (10,000 goroutines for a file of 10,000 rows). Not ActivityEventEdge: an event's invite is
// expected, but that invite's inviter, invitee and project are not.

// marshalInline is graphql.MarshalSliceConcurrently without goroutines: each item marshals
// in turn, with its index in its field context; an item that panics is null, with the error
// recorded, as there (and the caller's non-null check nulls a list of non-null items).
func marshalInline(ctx context.Context, length int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		ret[i] = marshalItem(childCtx, i, marshalElement)
	}
	return ret
}

// marshalItem marshals item i, or records its panic and returns graphql.Null.
func marshalItem(ctx context.Context, i int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) (ret graphql.Marshaler) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			ret = graphql.Null
		}
	}()
	return marshalElement(ctx, i)
}

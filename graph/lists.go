package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// Lists whose items marshal inline. gqlgen starts a goroutine per item of every list of
// objects, so that resolvers that wait (loaders, I/O) overlap; for a page whose items hold
// what they show, or load only keys that the page's resolver expected (see loaders.go), those
// goroutines did nothing but cost: with the pool sized, a third of the Go CPU of a member
// page went to them. go:generate (resolver.go) rewrites the marshalling of the lists named
// there to call marshalInline; any other list keeps gqlgen's goroutines.
//
// A type belongs in that list only if everything its items resolve without crossing into
// another list is either a plain field or a load of a key that the list's resolver expects.
// Today: the edges of projects, members and invites, myInvites, and a bulk invite's results
// (10,000 goroutines for a file of 10,000 rows). Not ActivityEventEdge: an event's invite is
// expected, but that invite's inviter, invitee and project are not.

// marshalInline is graphql.MarshalSliceConcurrently without goroutines: each item marshals
// in turn, with its index in its field context, and a panic in one makes the list null with
// the error recorded, as there.
func marshalInline(ctx context.Context, length int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) (ret graphql.Array) {
	ret = make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		if !marshalItem(childCtx, ret, i, marshalElement) {
			return nil
		}
	}
	return ret
}

// marshalItem marshals item i into ret, and reports false after a panic, which it records.
func marshalItem(ctx context.Context, ret graphql.Array, i int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			ok = false
		}
	}()
	ret[i] = marshalElement(ctx, i)
	return true
}

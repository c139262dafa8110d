package graph

import "github.com/99designs/gqlgen/graphql"

// Field interceptors and plain fields. go:generate (graph/internal/leanexec, plainLeaves)
// gives every plain scalar or enum field, one whose value is its object's struct field, a
// fast path that marshals the value at once, without graphql.ResolveField's field context,
// closures, boxed value and recover, and so without the field middleware that ResolveField
// runs. The fast path is taken only while nothing intercepts fields: NewHandler gives the
// executable schema the *Resolver itself when none of its extensions is a
// graphql.FieldInterceptor, and the Resolver wrapped in fieldsIntercepted when one is, so
// that every field then resolves through ResolveField and its interceptors see it.

// fieldsIntercepted is the resolver root of a handler with a field interceptor.
type fieldsIntercepted struct{ *Resolver }

// resolverRoot is r, or r wrapped in fieldsIntercepted if one of extensions intercepts fields.
func resolverRoot(r *Resolver, extensions []graphql.HandlerExtension) ResolverRoot {
	for _, e := range extensions {
		if _, ok := e.(graphql.FieldInterceptor); ok {
			return fieldsIntercepted{r}
		}
	}
	return r
}

// interceptsFields reports whether plain fields must resolve through graphql.ResolveField:
// unless the schema's resolver root is a bare *Resolver, something may intercept fields.
func (ec *executionContext) interceptsFields() bool {
	_, bare := ec.Resolvers.(*Resolver)
	return !bare
}

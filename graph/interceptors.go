package graph

// interceptsFields reports whether plain fields must resolve through graphql.ResolveField.
// go:generate (graph/internal/leanexec, plainLeaves) gives every plain scalar or enum field, one
// whose value is its object's struct field, a fast path that marshals the value at once,
// without ResolveField's field context, closures, boxed value and recover, and so without the
// field middleware that ResolveField runs. It is taken only with a bare *Resolver as the
// schema's resolver root, which is what NewHandler gives (it refuses field interceptors).
func (ec *executionContext) interceptsFields() bool {
	_, bare := ec.Resolvers.(*Resolver)
	return !bare
}

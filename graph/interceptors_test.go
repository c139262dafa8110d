package graph_test

import (
	"context"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// fieldCounter is a field interceptor, as a tracer (otelgqlgen, say) is one: it counts the
// fields it sees resolve, by object and field name.
type fieldCounter struct {
	mu   sync.Mutex
	seen map[string]int
}

func (*fieldCounter) ExtensionName() string                   { return "fieldCounter" }
func (*fieldCounter) Validate(graphql.ExecutableSchema) error { return nil }

func (c *fieldCounter) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	c.mu.Lock()
	c.seen[fc.Object+"."+fc.Field.Name]++
	c.mu.Unlock()
	return next(ctx)
}

// TestHandler_FieldInterceptorSeesPlainFields: a field interceptor sees every field of a
// member page, the plain scalar and enum fields too (which marshal at once where nothing
// intercepts fields), and the page reads the same with and without it.
func TestHandler_FieldInterceptorSeesPlainFields(t *testing.T) {
	db := pgDB(t)
	counter := &fieldCounter{seen: map[string]int{}}
	traced := newLimitedHandlerOn(t, db, nil, counter)
	plain := newHandlerOn(t, db)
	owner := signUpVerified(t, plain, uniqueEmail("traced"))
	project := newProject(t, plain, owner, "Traced")
	seedCrowd(t, project, myID(t, plain, owner), 3)
	const page = `query($p: ID!) { project(id: $p) { members(first: 10) { edges { node {
		id role externalId createdAt updatedAt user { id email name } } } } } }`

	clear(counter.seen)
	got := do(t, traced, owner, page, map[string]any{"p": project})
	want := do(t, plain, owner, page, map[string]any{"p": project})
	if len(got.Errors) > 0 || string(got.Data) != string(want.Data) {
		t.Fatalf("with the interceptor: %s %v\nwithout: %s %v", got.Data, got.Errors, want.Data, want.Errors)
	}
	const members = 4 // the owner and three
	for _, field := range []string{"ProjectUser.id", "ProjectUser.role", "ProjectUser.externalId",
		"ProjectUser.createdAt", "ProjectUser.updatedAt", "ProjectUser.user", "User.id", "User.email", "User.name"} {
		if n := counter.seen[field]; n != members {
			t.Errorf("the interceptor saw %s %d times, want %d", field, n, members)
		}
	}
	if n := counter.seen["Query.project"]; n != 1 {
		t.Errorf("the interceptor saw Query.project %d times, want once", n)
	}
}

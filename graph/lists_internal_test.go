package graph

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// TestMarshalInline: items marshal in order on the caller's goroutine, each with its index in
// its field context; an item that panics is null and its error recorded, as with gqlgen's
// concurrent marshalling.
func TestMarshalInline(t *testing.T) {
	recovered := func(_ context.Context, r any) error { return fmt.Errorf("recovered: %v", r) }
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, recovered)
	var seen []int // appended without a lock: the race detector fails a concurrent run
	ret := marshalInline(ctx, 3, func(ctx context.Context, i int) graphql.Marshaler {
		seen = append(seen, *graphql.GetFieldContext(ctx).Index)
		return graphql.MarshalInt(i * 10)
	})
	if len(ret) != 3 || len(seen) != 3 || seen[0] != 0 || seen[1] != 1 || seen[2] != 2 {
		t.Fatalf("marshalled %d items, indexes %v; want 3, [0 1 2]", len(ret), seen)
	}
	var out bytes.Buffer
	ret.MarshalGQL(&out)
	if out.String() != "[0,10,20]" {
		t.Errorf("list = %s, want [0,10,20]", out.String())
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 0 {
		t.Fatalf("errors %v", errs)
	}
	ret = marshalInline(ctx, 3, func(ctx context.Context, i int) graphql.Marshaler {
		if i == 1 {
			panic("item 1 broke")
		}
		return graphql.MarshalInt(i)
	})
	out.Reset()
	ret.MarshalGQL(&out)
	if out.String() != "[0,null,2]" {
		t.Errorf("list after a panic = %s, want [0,null,2]", out.String())
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 || errs[0].Message != "recovered: item 1 broke" {
		t.Errorf("errors after a panic: %v, want the one recovered", errs)
	}
}

// TestLeanExec_Generated: go generate ran internal/leanexec after gqlgen: the lists named in
// resolver.go call marshalInline and every other list of objects keeps gqlgen's goroutines;
// every object makes its deferred group only for a deferred field and returns objectJSON;
// plain scalar fields (the member page's, for some) have their fast path.
func TestLeanExec_Generated(t *testing.T) {
	src, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte("\n// Rewritten after gqlgen by graph/internal/leanexec")) {
		t.Fatal("generated.go was not rewritten: run go generate ./...")
	}
	fn := regexp.MustCompile(`(?m)^func \(ec \*executionContext\) marshal[NO](\w+?)2ᚕ[^\n]*\{\n\s*ret := (marshalInline|graphql\.MarshalSliceConcurrently)\(`)
	got := map[string]string{}
	for _, m := range fn.FindAllSubmatch(src, -1) {
		got[string(m[1])] = string(m[2])
	}
	for _, typ := range []string{"ProjectEdge", "ProjectUserEdge", "UserInviteEdge", "UserInvite", "BulkInviteResult"} {
		if got[typ] != "marshalInline" {
			t.Errorf("the list of %s calls %q, want marshalInline: run go generate ./...", typ, got[typ])
		}
	}
	for _, typ := range []string{"ActivityEventEdge", "Node"} {
		if got[typ] != "graphql.MarshalSliceConcurrently" {
			t.Errorf("the list of %s calls %q, want graphql.MarshalSliceConcurrently", typ, got[typ])
		}
	}
	objects := bytes.Count(src, []byte("out := graphql.NewFieldSet(fields)"))
	if n := bytes.Count(src, []byte("deferred := deferredGroup(ctx, fields)")); objects == 0 || n != objects {
		t.Errorf("%d of %d objects call deferredGroup", n, objects)
	}
	if n := bytes.Count(src, []byte("return objectJSON{fields, out.Values}")); n != objects {
		t.Errorf("%d of %d objects return objectJSON", n, objects)
	}
	for _, field := range []string{"_ProjectUser_id", "_ProjectUser_role", "_ProjectUser_externalId", "_User_email"} {
		plain := regexp.MustCompile(`(?m)^func \(ec \*executionContext\) ` + field + `\([^\n]*\{\n\tif !ec\.interceptsFields\(\) \{\n\t\treturn ec\.marshal[^\n]*\(ctx, field\.Selections, obj\.\w+\)\n`)
		if !plain.Match(src) {
			t.Errorf("%s has no fast path: run go generate ./...", field)
		}
	}
}

// fieldSpy is an extension that sees every field resolve.
type fieldSpy struct{}

func (fieldSpy) ExtensionName() string                   { return "fieldSpy" }
func (fieldSpy) Validate(graphql.ExecutableSchema) error { return nil }
func (fieldSpy) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	return next(ctx)
}

// TestInterceptsFields: plain fields take their fast path only with a bare *Resolver as the
// schema's resolver root, which resolverRoot gives when no extension intercepts fields.
func TestInterceptsFields(t *testing.T) {
	r := &Resolver{}
	for _, c := range []struct {
		extensions []graphql.HandlerExtension
		want       bool
	}{
		{nil, false},
		{[]graphql.HandlerExtension{documentLimits{}, errorLimit{}}, false},
		{[]graphql.HandlerExtension{documentLimits{}, fieldSpy{}}, true},
	} {
		root := resolverRoot(r, c.extensions)
		ec := &executionContext{&graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]{
			ExecutableSchemaState: &graphql.ExecutableSchemaState[ResolverRoot, DirectiveRoot, ComplexityRoot]{Resolvers: root},
		}}
		if got := ec.interceptsFields(); got != c.want {
			t.Errorf("extensions %v: interceptsFields() = %v, want %v", c.extensions, got, c.want)
		}
		if root.Query() == nil { // the wrapper keeps the resolvers
			t.Errorf("extensions %v: no query resolver", c.extensions)
		}
	}
}

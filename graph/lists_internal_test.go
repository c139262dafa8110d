package graph

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/invites/invites/internal/config"
)

// TestMarshalInline: items marshal in order on the caller's goroutine, each with its index in
// its field context; a panic in one makes the list null and records an error, as gqlgen's
// concurrent marshalling does.
func TestMarshalInline(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
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
	if ret != nil {
		t.Errorf("list after a panic = %v, want null", ret)
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 {
		t.Errorf("errors after a panic: %v, want one", errs)
	}
}

// TestLeanExec_Generated: go generate ran internal/leanexec after gqlgen: the lists named in
// resolver.go call marshalInline, every other list of objects keeps gqlgen's goroutines, and
// objects compute their path for deferred fields only when they have some.
func TestLeanExec_Generated(t *testing.T) {
	src, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
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
	if made := regexp.MustCompile(`(?m)^.*errors\.New\("field of type`).FindAll(src, -1); len(made) == 0 {
		t.Error("no error of a leaf field's context found")
	} else {
		for _, line := range made {
			if !bytes.HasPrefix(line, []byte("\terrNoChildFields")) {
				t.Errorf("a leaf field's context makes its error on each call: %s", line)
			}
		}
	}
	// Plain scalar fields marshal their struct field at once: the member page's, for one.
	for _, field := range []string{"_ProjectUser_id", "_ProjectUser_role", "_ProjectUser_externalId", "_User_email"} {
		plain := regexp.MustCompile(`(?m)^func \(ec \*executionContext\) ` + field + `\([^\n]*\{\n\treturn ec\.marshal[^\n]*\(ctx, field\.Selections, obj\.\w+\)\n\}`)
		if !plain.Match(src) {
			t.Errorf("%s does not marshal its struct field at once: run go generate ./...", field)
		}
	}
	if n := bytes.Count(src, []byte("\n\treturn out\n}\n")); n > 0 || !bytes.Contains(src, []byte("return objectJSON{fields, out.Values}")) {
		t.Errorf("%d objects return gqlgen's FieldSet, want every one objectJSON: run go generate ./...", n)
	}
	calls, guarded := bytes.Count(src, []byte("ec.ProcessDeferredGroup(")), bytes.Count(src, []byte("if len(deferLabelToView) > 0 {\n\t\tec.ProcessDeferredGroup("))
	if calls == 0 || guarded != calls {
		t.Errorf("%d of %d ProcessDeferredGroup calls wait for a deferred field", guarded, calls)
	}
}

// fieldSpy is an extension that would see every field resolve.
type fieldSpy struct{}

func (fieldSpy) ExtensionName() string                   { return "fieldSpy" }
func (fieldSpy) Validate(graphql.ExecutableSchema) error { return nil }
func (fieldSpy) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	return next(ctx)
}

// TestNewHandler_RefusesFieldInterceptors: plain scalar fields marshal without gqlgen's field
// middleware (leanexec), so an extension that intercepts fields would silently miss them.
func TestNewHandler_RefusesFieldInterceptors(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "fieldSpy intercepts fields") {
			t.Errorf("NewHandler with a field interceptor: recovered %v, want a refusal naming it", r)
		}
	}()
	NewHandler(&Resolver{}, HandlerOptions{GraphQL: config.Default().GraphQL, Extensions: []graphql.HandlerExtension{fieldSpy{}}})
}

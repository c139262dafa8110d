// Command leanexec rewrites gqlgen's generated executor (v0.17.95) where its templates cost
// every request for nothing. It runs after gqlgen in go:generate:
//
//	leanexec -types ProjectEdge,UserInvite generated.go
//
// Two rewrites, each keeping what the code does:
//
//   - The lists of the named GraphQL types marshal their items one after another on the
//     request's goroutine (marshalInline, package graph), instead of through
//     graphql.MarshalSliceConcurrently, which starts a goroutine per item for every list of
//     objects: gqlgen decides by nothing else, and its worker_limit only caps how many run at
//     once, for every list alike. Name only types whose items do no waiting I/O of their
//     own: plain fields, or loaders the list's resolver primed (a loader that is not primed
//     waits for the rest of the list's keys, which one goroutine never sends, and queries
//     once per item).
//   - Every object's marshal function computed its path (graphql.GetPath allocates it) for
//     ProcessDeferredGroup, which returns at once when none of the object's fields is
//     deferred: the call is now made only when one is.
//   - A scalar or enum field read straight from its object's struct field marshals the value
//     at once, instead of through graphql.ResolveField, which for every such field of every
//     item made a field context, a context, four closures and two boxed values (half of a
//     member page's allocations) to run a resolver that cannot fail, no middleware (the
//     handler installs no field interceptor: TestHandler_NoFieldInterceptors) and a recover
//     for a panic it cannot raise. One difference, for values these fields never hold (a zero
//     ID or time in a NOT NULL column): the error of a non-null field marshalled as null
//     names the object's path, not the field's.
//   - Every object's marshal function returns objectJSON (package graph) in place of its
//     *graphql.FieldSet, whose writer allocated a map and a closure per field for every
//     object written.
//   - Every scalar or enum field's context made a new error ("field of type String does not
//     have child fields", returned only if something asked for its child fields): the
//     errors are made once, as package variables.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"regexp"
	"strings"
)

func main() {
	types := flag.String("types", "", "comma-separated GraphQL types whose lists marshal inline")
	flag.Parse()
	if *types == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: leanexec -types A,B generated.go")
		os.Exit(2)
	}
	if err := rewrite(flag.Arg(0), strings.Split(*types, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "leanexec:", err)
		os.Exit(1)
	}
}

func rewrite(path string, types []string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if src, err = inlineLists(src, types); err != nil {
		return err
	}
	if src, err = deferOnlyWhenDeferred(src); err != nil {
		return err
	}
	src = hoistLeafErrors(src)
	if src, err = plainLeaves(src); err != nil {
		return err
	}
	if src, err = objectsAsJSON(src); err != nil {
		return err
	}
	if src, err = format.Source(src); err != nil {
		return err
	}
	return os.WriteFile(path, src, 0o644)
}

// concurrent is the call gqlgen writes at the top of a list's marshal function; inline is
// what replaces it, a function of package graph with the same contract.
var concurrent = regexp.MustCompile(`graphql\.MarshalSliceConcurrently\(ctx, len\(v\), \d+, (?:true|false), func`)

const inline = "marshalInline(ctx, len(v), func"

func inlineLists(src []byte, types []string) ([]byte, error) {
	for _, t := range types {
		// The marshal functions of [T!]! and [T] lists: marshalN…/marshalO…, the GraphQL type
		// name, "2ᚕ" for a slice.
		head := regexp.MustCompile(`(?m)^func \(ec \*executionContext\) marshal[NO]` + regexp.QuoteMeta(t) + `2ᚕ[^\n]*\{\n`)
		locs := head.FindAllIndex(src, -1)
		if len(locs) == 0 {
			return nil, fmt.Errorf("no list of %s", t)
		}
		for i := len(locs) - 1; i >= 0; i-- {
			start := locs[i][1]
			end := start + bytes.Index(src[start:], []byte("\n}\n"))
			body := src[start:end]
			loc := concurrent.FindIndex(body)
			if loc == nil {
				if bytes.Contains(body, []byte(inline)) {
					continue
				}
				return nil, fmt.Errorf("the list of %s does not call graphql.MarshalSliceConcurrently as expected", t)
			}
			out := append([]byte{}, src[:start+loc[0]]...)
			out = append(out, inline...)
			src = append(out, src[start+loc[1]:]...)
		}
	}
	return src, nil
}

// deferredGroup is gqlgen's unconditional call at the end of an object's marshal function.
var deferredGroup = regexp.MustCompile(`(?m)^\tec\.ProcessDeferredGroup\(graphql\.DeferredGroup\{\n\t\tDefers: +deferLabelToView,\n\t\tPath: +graphql\.GetPath\(ctx\),\n\t\tFieldSet: +deferredFieldSet,\n\t\tContext: +ctx,\n\t\}\)\n`)

const onlyWhenDeferred = "if len(deferLabelToView) > 0 {"

func deferOnlyWhenDeferred(src []byte) ([]byte, error) {
	if !deferredGroup.Match(src) {
		if bytes.Contains(src, []byte(onlyWhenDeferred)) {
			return src, nil
		}
		return nil, fmt.Errorf("no call of ProcessDeferredGroup as expected")
	}
	return deferredGroup.ReplaceAllFunc(src, func(call []byte) []byte {
		return append(append([]byte("\t"+onlyWhenDeferred+"\n"), call...), "\t}\n"...)
	}), nil
}

// leafError is the error gqlgen makes anew in every scalar or enum field's context.
var leafError = regexp.MustCompile(`errors\.New\("field of type (\w+) does not have child fields"\)`)

func hoistLeafErrors(src []byte) []byte {
	var names []string
	seen := map[string]bool{}
	src = leafError.ReplaceAllFunc(src, func(call []byte) []byte {
		typ := string(leafError.FindSubmatch(call)[1])
		if !seen[typ] {
			seen[typ] = true
			names = append(names, typ)
		}
		return []byte(leafErrorVar(typ))
	})
	if len(names) == 0 {
		return src
	}
	var decl bytes.Buffer
	decl.WriteString("\n// The errors of scalar and enum fields' contexts, made once (graph/internal/leanexec).\nvar (\n")
	for _, typ := range names {
		fmt.Fprintf(&decl, "\t%s = errors.New(%q)\n", leafErrorVar(typ), "field of type "+typ+" does not have child fields")
	}
	decl.WriteString(")\n")
	return append(src, decl.Bytes()...)
}

func leafErrorVar(typ string) string {
	return "errNoChildFields" + strings.TrimLeft(typ, "_")
}

// plainLeaf is gqlgen's function for a field whose value is its object's struct field, in full.
// Groups: the function's name, the object's type, the field context's function, the struct
// field, and the marshal function.
var plainLeaf = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (_\w+)\(ctx context\.Context, field graphql\.CollectedField, obj (\*[\w.]+)\) \(ret graphql\.Marshaler\) \{
	return graphql\.ResolveField\(
		ctx,
		ec\.OperationContext,
		field,
		func\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{
			return ec\.(fieldContext_\w+)\(ctx, field\)
		\},
		func\(ctx context\.Context\) \(any, error\) \{
			return obj\.(\w+), nil
		\},
		nil,
		func\(ctx context\.Context, selections ast\.SelectionSet, v [^\n]+\) graphql\.Marshaler \{
			return ec\.(marshal[^(\s]+)\(ctx, selections, v\)
		\},
		true,
		(?:true|false),
	\)
\}
`)

// plainLeaves rewrites the plain fields whose field context is a scalar's or an enum's; it
// fails when it finds none, which means that gqlgen's template changed under it.
func plainLeaves(src []byte) ([]byte, error) {
	n := 0
	src = plainLeaf.ReplaceAllFunc(src, func(fn []byte) []byte {
		m := plainLeaf.FindSubmatch(fn)
		if !bytes.Contains(src, []byte("func (ec *executionContext) "+string(m[3])+"(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {\n\treturn graphql.NewScalarFieldContext(")) {
			return fn
		}
		n++
		return fmt.Appendf(nil, "func (ec *executionContext) %s(ctx context.Context, field graphql.CollectedField, obj %s) (ret graphql.Marshaler) {\n\treturn ec.%s(ctx, field.Selections, obj.%s)\n}\n",
			m[1], m[2], m[5], m[4])
	})
	if n == 0 && !bytes.Contains(src, []byte("(ctx, field.Selections, obj.")) {
		return nil, fmt.Errorf("no plain scalar field as expected")
	}
	return src, nil
}

// objectHead is the start of an object's marshal function.
var objectHead = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) _\w+\(ctx context\.Context, sel ast\.SelectionSet[^\n]*\) graphql\.Marshaler \{\n\tfields := graphql\.CollectFields\(`)

const (
	fieldSetReturn = "\n\treturn out\n}\n"
	objectReturn   = "\n\treturn objectJSON{fields, out.Values}\n}\n"
)

// objectsAsJSON rewrites the return of every object's marshal function; it fails when it
// finds no object, which means that gqlgen's template changed under it.
func objectsAsJSON(src []byte) ([]byte, error) {
	locs := objectHead.FindAllIndex(src, -1)
	if len(locs) == 0 {
		return nil, fmt.Errorf("no object's marshal function as expected")
	}
	for i := len(locs) - 1; i >= 0; i-- {
		start := locs[i][1]
		end := start + bytes.Index(src[start:], []byte("\n}\n")) + len("\n}\n")
		if !bytes.HasSuffix(src[:end], []byte(fieldSetReturn)) {
			continue // already rewritten, or a function of another shape
		}
		out := append([]byte{}, src[:end-len(fieldSetReturn)]...)
		out = append(out, objectReturn...)
		src = append(out, src[end:]...)
	}
	return src, nil
}

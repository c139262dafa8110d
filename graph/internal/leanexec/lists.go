package main

import (
	"fmt"
	"go/ast"
	"strings"
)

// concurrentList is the statement with which gqlgen's type.gotpl marshals a list of objects:
// a goroutine per item (worker_limit caps how many run at once, for every list alike).
// omitPanicHandler is false: marshalInline recovers a panicking item as that call does.
var concurrentList = stmt(`ret := graphql.MarshalSliceConcurrently(ctx, len(v), X_workerLimit, false, X_marshalItem)`)

// inlineLists makes the lists of the named GraphQL types marshal their items one after
// another: marshalInline (package graph) in place of graphql.MarshalSliceConcurrently.
// Every named type must have a list, and each of its lists that call.
func inlineLists(s *source, types []string) ([]edit, error) {
	if len(types) == 0 {
		return nil, fmt.Errorf("no type named (-types)")
	}
	var edits []edit
	for _, typ := range types {
		found := 0
		for _, fn := range methods(s.file) {
			if !isListOf(fn.Name.Name, typ) {
				continue
			}
			call, err := concurrentCall(s, fn)
			if err != nil {
				return nil, err
			}
			// graphql.MarshalSliceConcurrently(ctx, len(v), limit, false, marshalItem)
			// becomes marshalInline(ctx, len(v), marshalItem).
			edits = append(edits, edit{s.offset(call.Pos()), s.offset(call.Args[4].Pos()), "marshalInline(ctx, len(v), "})
			found++
		}
		if found == 0 {
			return nil, fmt.Errorf("no marshal function of a list of %s (marshalN%[1]s2ᚕ… or marshalO%[1]s2ᚕ…)", typ)
		}
	}
	return edits, nil
}

// isListOf reports whether name is the name gqlgen gives the marshal function of a list of
// typ, [typ!]! or [typ] with or without pointers: marshalN or marshalO, the type's name, then
// "2ᚕ" for a slice of the Go type.
func isListOf(name, typ string) bool {
	for _, prefix := range []string{"marshalN", "marshalO"} {
		if strings.HasPrefix(name, prefix+typ+"2ᚕ") {
			return true
		}
	}
	return false
}

// concurrentCall is the one call of graphql.MarshalSliceConcurrently in fn, in its statement
// of the expected shape.
func concurrentCall(s *source, fn *ast.FuncDecl) (*ast.CallExpr, error) {
	if n := len(calls(fn.Body, "MarshalSliceConcurrently")); n != 1 {
		return nil, fmt.Errorf("%s: %s calls graphql.MarshalSliceConcurrently %d times, want once", s.where(fn), fn.Name.Name, n)
	}
	for _, st := range fn.Body.List {
		if _, ok := concurrentList.match(st); ok {
			return st.(*ast.AssignStmt).Rhs[0].(*ast.CallExpr), nil
		}
	}
	return nil, fmt.Errorf("%s: %s does not marshal its items with ret := graphql.MarshalSliceConcurrently(ctx, len(v), limit, false, func…) as gqlgen's type.gotpl does", s.where(fn), fn.Name.Name)
}

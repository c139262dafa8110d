package main

import (
	"fmt"
	"go/ast"
)

// object is the marshal function of one GraphQL object type, as gqlgen's object.gotpl writes
// it: it collects the selected fields, makes their FieldSet and a DeferredGroup, resolves
// every field, and returns the FieldSet.
type object struct {
	fn       *ast.FuncDecl
	deferred *ast.CallExpr   // graphql.NewDeferredGroup(ctx)
	ret      *ast.ReturnStmt // return out
}

var (
	collectFields = stmt(`fields := graphql.CollectFields(ec.OperationContext, sel, X_implementors)`)
	newFieldSet   = stmt(`out := graphql.NewFieldSet(fields)`)
	newDeferred   = stmt(`deferred := graphql.NewDeferredGroup(ctx)`)
	returnOut     = stmt(`return out`)
	marshalerType = expr(`graphql.Marshaler`)
)

// objects finds every object's marshal function: every method that calls
// graphql.CollectFields, but for the Subscription root's, which returns a stream. Any other
// function that calls it, and any call of graphql.NewDeferredGroup outside these functions'
// own statements, is an error.
func objects(s *source) ([]object, error) {
	var out []object
	for _, fn := range methods(s.file) {
		if len(calls(fn.Body, "CollectFields")) == 0 {
			continue
		}
		results := fn.Type.Results
		if results != nil && len(results.List) == 1 {
			if _, stream := results.List[0].Type.(*ast.FuncType); stream {
				continue // the Subscription root: one stream per operation, no FieldSet
			}
		}
		o, err := parseObject(s, fn)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no object's marshal function (a method that calls graphql.CollectFields)")
	}
	if n := len(calls(s.file, "NewDeferredGroup")); n != len(out) {
		return nil, fmt.Errorf("%d calls of graphql.NewDeferredGroup, want one in each of the %d objects' marshal functions", n, len(out))
	}
	return out, nil
}

// parseObject checks that fn has the shape of an object's marshal function.
func parseObject(s *source, fn *ast.FuncDecl) (object, error) {
	o := object{fn: fn}
	bad := func(what string) (object, error) {
		return object{}, fmt.Errorf("%s: %s calls graphql.CollectFields but %s, unlike gqlgen's object.gotpl", s.where(fn), fn.Name.Name, what)
	}
	results := fn.Type.Results
	if results == nil || len(results.List) != 1 || len(results.List[0].Names) != 0 {
		return bad("does not return one graphql.Marshaler")
	}
	if _, ok := marshalerType.match(results.List[0].Type); !ok {
		return bad("does not return one graphql.Marshaler")
	}
	body := fn.Body.List
	if len(body) < 4 {
		return bad("has too few statements")
	}
	if _, ok := collectFields.match(body[0]); !ok {
		return bad("does not start with fields := graphql.CollectFields(ec.OperationContext, sel, …)")
	}
	var made bool
	for _, st := range body {
		if _, ok := newFieldSet.match(st); ok {
			made = true
		}
		if _, ok := newDeferred.match(st); ok {
			o.deferred = st.(*ast.AssignStmt).Rhs[0].(*ast.CallExpr)
		}
	}
	if !made {
		return bad("has no statement out := graphql.NewFieldSet(fields)")
	}
	if o.deferred == nil {
		return bad("has no statement deferred := graphql.NewDeferredGroup(ctx)")
	}
	if _, ok := returnOut.match(body[len(body)-1]); !ok {
		return bad("does not end with return out")
	}
	o.ret = body[len(body)-1].(*ast.ReturnStmt)
	return o, nil
}

// lazyDeferredGroups makes every object's DeferredGroup only when one of the object's
// fields is deferred: deferredGroup (package graph) in place of graphql.NewDeferredGroup.
func lazyDeferredGroups(s *source, _ []string) ([]edit, error) {
	return eachObject(s, func(o object) edit { return s.replace(o.deferred, "deferredGroup(ctx, fields)") })
}

// objectsAsJSON makes every object's marshal function return objectJSON (package graph) in
// place of its *graphql.FieldSet.
func objectsAsJSON(s *source, _ []string) ([]edit, error) {
	return eachObject(s, func(o object) edit { return s.replace(o.ret.Results[0], "objectJSON{fields, out.Values}") })
}

// eachObject is the edits that change makes, one in each object's marshal function.
func eachObject(s *source, change func(object) edit) ([]edit, error) {
	objs, err := objects(s)
	if err != nil {
		return nil, err
	}
	edits := make([]edit, len(objs))
	for i, o := range objs {
		edits[i] = change(o)
	}
	return edits, nil
}

package main

import (
	"fmt"
	"go/ast"
	"strings"
)

var (
	// plainField is gqlgen's field.gotpl for a field whose value is its object's struct field.
	plainField = stmt(`return graphql.ResolveField(
	ctx,
	ec.OperationContext,
	field,
	func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
		return ec.X_fieldContext(ctx, field)
	},
	func(ctx context.Context) (any, error) {
		return obj.X_structField, nil
	},
	nil,
	func(ctx context.Context, selections ast.SelectionSet, v X_type) graphql.Marshaler {
		return ec.X_marshal(ctx, selections, v)
	},
	X_recover,
	X_nonNull,
)`)
	// structFieldResolver is the resolver of such a field.
	structFieldResolver = expr(`func(ctx context.Context) (any, error) { return obj.X_structField, nil }`)
	// scalarFieldContext is field.gotpl's field context of a scalar or enum field without
	// arguments.
	scalarFieldContext = stmt(`return graphql.NewScalarFieldContext(X_object, field, X_isMethod, X_isResolver, X_typeName)`)
)

// plainLeaves gives every plain scalar or enum field a fast path that marshals its struct
// field at once, taken unless a field interceptor is installed (ec.interceptsFields, package
// graph); otherwise the field resolves through graphql.ResolveField as before. A plain field
// is one whose resolver returns a struct field of its object; it is a leaf when its field
// context is graphql.NewScalarFieldContext's. Plain fields of object types keep gqlgen's
// path: their field context is their children's parent.
func plainLeaves(s *source, _ []string) ([]edit, error) {
	contexts := map[string]*ast.FuncDecl{}
	for _, fn := range methods(s.file) {
		contexts[fn.Name.Name] = fn
	}
	var edits []edit
	for _, fn := range methods(s.file) {
		h, ok, err := plainFieldOf(s, fn)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		leaf, err := isLeaf(s, contexts[h.ident("X_fieldContext")], fn)
		if err != nil {
			return nil, err
		}
		if !leaf {
			continue
		}
		fast := fmt.Sprintf("if !ec.interceptsFields() {\n\t\treturn ec.%s(ctx, field.Selections, obj.%s)\n\t}\n\t",
			h.ident("X_marshal"), h.ident("X_structField"))
		edits = append(edits, s.insert(fn.Body.List[0], fast))
	}
	if len(edits) == 0 {
		return nil, fmt.Errorf("no plain scalar or enum field (graphql.ResolveField of a struct field, with graphql.NewScalarFieldContext)")
	}
	return edits, nil
}

// plainFieldOf reports whether fn resolves a plain field, and the holes of plainField. A
// function whose graphql.ResolveField call has a struct field's resolver but not the rest of
// plainField's shape is an error.
func plainFieldOf(s *source, fn *ast.FuncDecl) (holes, bool, error) {
	resolves := calls(fn.Body, "ResolveField")
	if len(resolves) == 0 {
		return nil, false, nil
	}
	if len(resolves) != 1 || len(resolves[0].Args) != 9 {
		return nil, false, fmt.Errorf("%s: %s calls graphql.ResolveField %d times, the first with %d arguments; gqlgen's field.gotpl calls it once, with 9",
			s.where(fn), fn.Name.Name, len(resolves), len(resolves[0].Args))
	}
	if _, plain := structFieldResolver.match(resolves[0].Args[4]); !plain {
		return nil, false, nil
	}
	if len(fn.Body.List) == 1 {
		if h, ok := plainField.match(fn.Body.List[0]); ok {
			return h, true, nil
		}
	}
	return nil, false, fmt.Errorf("%s: %s resolves a struct field, but not in the shape of gqlgen's field.gotpl:\n%s", s.where(fn), fn.Name.Name, s.code(fn.Body))
}

// isLeaf reports whether fieldContext, the field context function of field function fn, is a
// scalar's or an enum's; one that names a type without child fields in another shape is an
// error.
func isLeaf(s *source, fieldContext, fn *ast.FuncDecl) (bool, error) {
	if fieldContext == nil {
		return false, fmt.Errorf("%s: %s calls a field context function that is not in the file", s.where(fn), fn.Name.Name)
	}
	body := fieldContext.Body.List
	if len(body) == 1 {
		if _, ok := scalarFieldContext.match(body[0]); ok {
			return true, nil
		}
	}
	if strings.Contains(s.code(fieldContext.Body), "does not have child fields") {
		return false, fmt.Errorf("%s: %s is a scalar's or enum's field context, but does not call graphql.NewScalarFieldContext", s.where(fieldContext), fieldContext.Name.Name)
	}
	return false, nil
}

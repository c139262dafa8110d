package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
)

// A pattern is Go source that a piece of the syntax tree must equal, node for node. An
// identifier named X_something in a pattern is a hole: it matches any node there, and the
// match records that node under its name. Positions, comments and the parser's objects are
// not compared.
type pattern struct {
	node ast.Node
}

// holePrefix starts the name of a hole. gqlgen's generated code has no identifier that
// starts with it.
const holePrefix = "X_"

// expr is a pattern of one expression.
func expr(src string) pattern {
	e, err := parser.ParseExpr(src)
	if err != nil {
		panic(fmt.Sprintf("leanexec: pattern %q: %v", src, err))
	}
	return pattern{e}
}

// stmt is a pattern of one statement.
func stmt(src string) pattern {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p; func _() {\n"+src+"\n}", 0)
	if err != nil {
		panic(fmt.Sprintf("leanexec: pattern %q: %v", src, err))
	}
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	if len(body) != 1 {
		panic(fmt.Sprintf("leanexec: pattern %q is %d statements, want one", src, len(body)))
	}
	return pattern{body[0]}
}

// holes are the nodes that a match found in a pattern's holes, by the holes' names.
type holes map[string]ast.Node

// match reports whether n has the pattern's shape, and what its holes hold.
func (p pattern) match(n ast.Node) (holes, bool) {
	h := holes{}
	if n == nil || !equal(reflect.ValueOf(p.node), reflect.ValueOf(n), h) {
		return nil, false
	}
	return h, true
}

// ident is the name in hole name, which must hold an identifier ("" if it holds another node).
func (h holes) ident(name string) string {
	if id, ok := h[name].(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

var (
	posType    = reflect.TypeFor[token.Pos]()
	objectType = reflect.TypeFor[*ast.Object]()
	scopeType  = reflect.TypeFor[*ast.Scope]()
	commType   = reflect.TypeFor[*ast.CommentGroup]()
)

// equal compares a pattern's node p with the tree's node n.
func equal(p, n reflect.Value, h holes) bool {
	if p.Kind() == reflect.Interface {
		if p.IsNil() || n.IsNil() {
			return p.IsNil() && n.IsNil()
		}
		p, n = p.Elem(), n.Elem()
	}
	if id, ok := p.Interface().(*ast.Ident); ok && id != nil && strings.HasPrefix(id.Name, holePrefix) {
		if node, ok := n.Interface().(ast.Node); ok && !n.IsNil() {
			h[id.Name] = node
			return true
		}
		return false
	}
	if p.Type() != n.Type() {
		return false
	}
	switch p.Kind() {
	case reflect.Pointer:
		if p.IsNil() || n.IsNil() {
			return p.IsNil() && n.IsNil()
		}
		return equal(p.Elem(), n.Elem(), h)
	case reflect.Slice:
		if p.Len() != n.Len() {
			return false
		}
		for i := range p.Len() {
			if !equal(p.Index(i), n.Index(i), h) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range p.NumField() {
			switch p.Type().Field(i).Type {
			case posType, objectType, scopeType, commType:
				continue
			}
			if !equal(p.Field(i), n.Field(i), h) {
				return false
			}
		}
		return true
	default: // names, literals' text, tokens
		return p.Interface() == n.Interface()
	}
}

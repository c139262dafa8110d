package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"slices"
)

// source is the generated file: its text and its syntax tree. Rewrites find what to change in
// the tree and change the text at the tree's positions, so that everything they do not
// touch (comments, layout) stays as gqlgen wrote it.
type source struct {
	fset *token.FileSet
	file *ast.File
	text []byte
}

// An edit replaces the text from start to end (byte offsets; equal for an insertion).
type edit struct {
	start, end int
	text       string
}

// replace is the edit that puts text in place of node n.
func (s *source) replace(n ast.Node, text string) edit {
	return edit{s.offset(n.Pos()), s.offset(n.End()), text}
}

// insert is the edit that puts text before node n.
func (s *source) insert(n ast.Node, text string) edit {
	at := s.offset(n.Pos())
	return edit{at, at, text}
}

func (s *source) offset(p token.Pos) int {
	return s.fset.Position(p).Offset
}

// code is the text of node n as it stands in the file.
func (s *source) code(n ast.Node) string {
	return string(s.text[s.offset(n.Pos()):s.offset(n.End())])
}

// where names node n's place in the file, for errors.
func (s *source) where(n ast.Node) string {
	return s.fset.Position(n.Pos()).String()
}

// apply makes the edits, which may come in any order but must not overlap.
func apply(text []byte, edits []edit) ([]byte, error) {
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	var out bytes.Buffer
	last := 0
	for _, e := range edits {
		if e.start < last {
			return nil, fmt.Errorf("two rewrites change the same text at byte %d", e.start)
		}
		out.Write(text[last:e.start])
		out.WriteString(e.text)
		last = e.end
	}
	out.Write(text[last:])
	return out.Bytes(), nil
}

// methods are the file's methods of *executionContext, by name, in the file's order.
func methods(f *ast.File) []*ast.FuncDecl {
	var out []*ast.FuncDecl
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 || fn.Body == nil {
			continue
		}
		if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); ok {
			if id, ok := star.X.(*ast.Ident); ok && id.Name == "executionContext" {
				out = append(out, fn)
			}
		}
	}
	return out
}

// calls are the calls of graphql.<name> in n.
func calls(n ast.Node, name string) []*ast.CallExpr {
	var out []*ast.CallExpr
	ast.Inspect(n, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && isGraphQL(call.Fun, name) {
			out = append(out, call)
		}
		return true
	})
	return out
}

// isGraphQL reports whether e is graphql.<name>.
func isGraphQL(e ast.Expr, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "graphql"
}

package graph

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// The validation cost: a field costs 1 plus the fields merged under its response name in the
// same place before it, a spread 1, and fragments count where spread and on their own.
func TestDocumentLimits_ValidationCost(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"{ a b }", 2},
		{"{ a a a }", 1 + 2 + 3},
		{"{ a: b a }", 1 + 2},
		{"{ a: b b }", 2},
		{"{ a { x } a { x } }", 1 + 1 + 2 + 2},
		{"{ a { x } b { x } }", 4},
		{"{ ... on Q { a } a }", 1 + 2},
		{"{ ...F ...F } fragment F on Q { a }", (1 + 1) + (1 + 2) + 1},
		{"{ ...Missing ...Missing }", 2},
		// A cycle is followed once: from the operation (spread, a, spread) and from the fragment
		// on its own (a, spread, a again, spread).
		{"{ ...F } fragment F on Q { a ...F }", (1 + 1 + 1) + (1 + 1 + 2 + 1)},
		{IntrospectionQuery, 390},
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: tc.query})
		if err != nil {
			t.Fatal(err)
		}
		l := documentLimits{bytes: 1 << 20, tokens: 1 << 20, aliases: 100, selections: 100, directives: 10, validationCost: tc.want}
		if err := l.check(doc); err != nil {
			t.Errorf("%s: refused at a limit of its cost %d: %v", tc.query, tc.want, err)
		}
		l.validationCost = tc.want - 1
		if err := l.check(doc); err == nil || err.Extensions["code"] != reasonValidation {
			t.Errorf("%s: at a limit of %d: %v, want %s", tc.query, tc.want-1, err, reasonValidation)
		}
	}
}

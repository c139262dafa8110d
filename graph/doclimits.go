package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
)

// The reasons (extensions.reason, under code BAD_USER_INPUT) of a query refused by a limit.
const (
	reasonQueryBytes    = "QUERY_BYTES_LIMIT_EXCEEDED"
	reasonQueryTokens   = "QUERY_TOKEN_LIMIT_EXCEEDED"
	reasonAliases       = "ALIAS_LIMIT_EXCEEDED"
	reasonSelections    = "SELECTION_LIMIT_EXCEEDED"
	reasonDirectives    = "DIRECTIVE_LIMIT_EXCEEDED"
	reasonValidation    = "VALIDATION_COST_LIMIT_EXCEEDED"
	reasonIntrospection = "INTROSPECTION_LIMIT_EXCEEDED"
	reasonDepth         = "DEPTH_LIMIT_EXCEEDED"
	// reasonComplexity is gqlgen's own code for its complexity limit (extension.ComplexityLimit).
	reasonComplexity = "COMPLEXITY_LIMIT_EXCEEDED"
)

func init() {
	// A query refused before it runs is answered like one that fails to parse or validate
	// (the same HTTP status), whichever limit refused it.
	for _, code := range []string{reasonQueryBytes, reasonQueryTokens, reasonAliases, reasonSelections,
		reasonDirectives, reasonValidation, reasonIntrospection, reasonComplexity, reasonDepth} {
		errcode.RegisterErrorType(code, errcode.KindProtocol)
	}
}

func limitError(reason, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, reason)
	return err
}

// documentLimits refuses a query document that is too big in bytes, tokens, aliases, fields
// per selection or directives per place, before gqlgen validates it: validation compares the
// fields of a selection pairwise, so 20,000 fields in one selection cost seconds, whereas these
// checks are one linear pass over the text and one over the parsed tree. A document already
// in the parsed-query cache passed them and is not checked again.
type documentLimits struct {
	bytes, tokens, aliases, selections, directives, validationCost int
	cache                                                          *queryCache
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentLimits{}

func (documentLimits) ExtensionName() string                          { return "DocumentLimits" }
func (documentLimits) Validate(schema graphql.ExecutableSchema) error { return nil }

func (l documentLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if _, ok := l.cache.Get(ctx, params.Query); ok {
		return nil
	}
	if len(params.Query) > l.bytes {
		return limitError(reasonQueryBytes, "the query is %d bytes long; the limit is %d", len(params.Query), l.bytes)
	}
	src := &ast.Source{Input: params.Query}
	lex := lexer.New(src)
	for n := 0; ; n++ {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			break // a lexical error is the parser's to report
		}
		if n == l.tokens {
			return limitError(reasonQueryTokens, "the query has more than %d tokens", l.tokens)
		}
	}
	doc, err := parser.ParseQuery(src)
	if err != nil {
		return nil // gqlgen parses it again and reports the syntax error
	}
	return l.check(doc)
}

// check walks the document, counting aliases, the fields each selection would collect
// (fragments expanded) and the directives in each place, then prices its validation.
func (l documentLimits) check(doc *ast.QueryDocument) *gqlerror.Error {
	w := docWalker{limits: l, fragments: map[string]*ast.FragmentDefinition{}, sizes: map[string]int{}, busy: map[string]bool{},
		merging: map[string]bool{}}
	for _, f := range doc.Fragments {
		w.fragments[f.Name] = f
	}
	for _, op := range doc.Operations {
		w.directives(op.Directives)
		for _, v := range op.VariableDefinitions {
			w.directives(v.Directives)
		}
		w.selectionSet(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		w.directives(f.Directives)
		w.selectionSet(f.SelectionSet)
	}
	// Operations, and fragments on their own as validation checks them too.
	for _, op := range doc.Operations {
		w.merge(&mergedField{}, op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		w.merge(&mergedField{}, f.SelectionSet)
	}
	return w.err
}

type docWalker struct {
	limits    documentLimits
	fragments map[string]*ast.FragmentDefinition
	sizes     map[string]int  // a fragment's expanded field count
	busy      map[string]bool // fragments being expanded, against cycles
	aliases   int
	merging   map[string]bool // fragments being merged, against cycles
	cost      int             // of validation: fields merged, and pairs of them compared
	err       *gqlerror.Error
}

func (w *docWalker) selectionSet(set ast.SelectionSet) {
	if w.err != nil {
		return
	}
	if w.expanded(set) > w.limits.selections {
		w.err = limitError(reasonSelections, "a selection asks for more than %d fields (fragments included)", w.limits.selections)
		return
	}
	w.selections(set)
}

// selections visits the selections of one set, inline fragments' included.
func (w *docWalker) selections(set ast.SelectionSet) {
	for _, s := range set {
		if w.err != nil {
			return
		}
		switch s := s.(type) {
		case *ast.Field:
			if s.Alias != s.Name {
				if w.aliases++; w.aliases > w.limits.aliases {
					w.err = limitError(reasonAliases, "the query has more than %d aliases", w.limits.aliases)
					return
				}
			}
			w.directives(s.Directives)
			if len(s.SelectionSet) > 0 {
				w.selectionSet(s.SelectionSet)
			}
		case *ast.InlineFragment:
			w.directives(s.Directives)
			w.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			w.directives(s.Directives)
		}
	}
}

func (w *docWalker) directives(list ast.DirectiveList) {
	if w.err == nil && len(list) > w.limits.directives {
		w.err = limitError(reasonDirectives, "%d directives in one place; the limit is %d", len(list), w.limits.directives)
	}
}

// expanded counts the fields a selection set collects, its fragments expanded, stopping just
// past the limit (fragments spreading fragments twice over grow exponentially).
func (w *docWalker) expanded(set ast.SelectionSet) int {
	n := 0
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			n++
		case *ast.InlineFragment:
			n += w.expanded(s.SelectionSet)
		case *ast.FragmentSpread:
			n += w.fragmentSize(s.Name)
		}
		if n > w.limits.selections {
			return n
		}
	}
	return n
}

func (w *docWalker) fragmentSize(name string) int {
	if n, ok := w.sizes[name]; ok {
		return n
	}
	f := w.fragments[name]
	if f == nil || w.busy[name] {
		return 0 // unknown or cyclic: validation reports it
	}
	w.busy[name] = true
	n := w.expanded(f.SelectionSet)
	delete(w.busy, name)
	w.sizes[name] = n
	return n
}

// mergedField is the fields of a document that answer under one response name in one place
// once fragments are expanded and same-named parents merged, as execution merges them.
type mergedField struct {
	children map[string]*mergedField
	fields   int
}

// merge prices gqlparser's OverlappingFieldsCanBeMerged rule, which compares every two fields
// merged into one place: k of them cost k(k-1)/2 comparisons, and a field doubled at each
// level of nesting makes that grow with the square of the document (68 fields `a` of 68
// fields each, 52 KB, took 2.7 s). Each field merged costs 1 plus the fields merged before it,
// each fragment spread 1; the walk stops at the limit, so it is linear in the limit whatever
// the document.
func (w *docWalker) merge(node *mergedField, set ast.SelectionSet) {
	for _, s := range set {
		if w.err != nil {
			return
		}
		switch s := s.(type) {
		case *ast.Field:
			if node.children == nil {
				node.children = map[string]*mergedField{}
			}
			child := node.children[s.Alias]
			if child == nil {
				child = &mergedField{}
				node.children[s.Alias] = child
			}
			if !w.charge(1 + child.fields) {
				return
			}
			child.fields++
			w.merge(child, s.SelectionSet)
		case *ast.InlineFragment:
			w.merge(node, s.SelectionSet)
		case *ast.FragmentSpread:
			// A spread costs 1 too, so that spreads of a missing fragment doubling at each
			// level stop at the limit as well.
			if !w.charge(1) {
				return
			}
			f := w.fragments[s.Name]
			if f == nil || w.merging[s.Name] {
				continue // unknown or cyclic: validation reports it
			}
			w.merging[s.Name] = true
			w.merge(node, f.SelectionSet)
			delete(w.merging, s.Name)
		}
	}
}

// charge adds n to the validation cost, and refuses the query past the limit.
func (w *docWalker) charge(n int) bool {
	if w.cost += n; w.cost > w.limits.validationCost {
		w.err = limitError(reasonValidation, "validating the query would take more than %d field comparisons (fields expanded from fragments, and pairs of fields answering under one name)", w.limits.validationCost)
		return false
	}
	return true
}

package graph

import (
	"fmt"
	goast "go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// loadSchemaFiles parses the schema as gqlgen reads it (gqlgen.yml): ../schema.graphqls and
// every area's file in schema/.
func loadSchemaFiles(t *testing.T) *ast.Schema {
	t.Helper()
	files, err := filepath.Glob("schema/*.graphqls")
	if err != nil || len(files) == 0 {
		t.Fatalf("no area schema files in graph/schema/ (%v)", err)
	}
	var sources []*ast.Source
	for _, name := range append([]string{"../schema.graphqls"}, files...) {
		text, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: name, Input: string(text)})
	}
	schema, gqlErr := gqlparser.LoadSchema(sources...)
	if gqlErr != nil {
		t.Fatalf("the schema does not load: %v", gqlErr)
	}
	return schema
}

// TestSchema_EveryElementDescribed: the playground and the typed client show the schema's
// descriptions to front-end developers, so the schema itself, every type, field, argument, enum
// value and input field has one. The failure names each element that has none, where it is.
func TestSchema_EveryElementDescribed(t *testing.T) {
	schema := loadSchemaFiles(t)
	undescribed := func(what, name string, description string, pos *ast.Position) {
		if description != "" {
			return
		}
		where := "?"
		if pos != nil && pos.Src != nil {
			where = fmt.Sprintf("%s:%d", pos.Src.Name, pos.Line)
		}
		t.Errorf("%s %s has no description (%s)", what, name, where)
	}
	if schema.Description == "" {
		t.Errorf("the schema has no description (the schema definition in schema.graphqls)")
	}
	if parsedSchema.Description != schema.Description {
		t.Errorf("the server's schema (graph/generated.go) has another description than schema.graphqls: run go generate ./...")
	}
	for _, name := range slices.Sorted(maps.Keys(schema.Types)) {
		def := schema.Types[name]
		if def.BuiltIn {
			continue
		}
		undescribed(string(def.Kind), def.Name, def.Description, def.Position)
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") { // gqlparser's introspection fields
				continue
			}
			if def.Kind == ast.InputObject {
				undescribed("input field", def.Name+"."+f.Name, f.Description, f.Position)
				continue
			}
			undescribed("field", def.Name+"."+f.Name, f.Description, f.Position)
			for _, a := range f.Arguments {
				undescribed("argument", def.Name+"."+f.Name+"("+a.Name+")", a.Description, a.Position)
			}
		}
		for _, v := range def.EnumValues {
			undescribed("enum value", def.Name+"."+v.Name, v.Description, v.Position)
		}
	}
	for _, d := range schema.Directives {
		if d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn {
			continue
		}
		undescribed("directive", "@"+d.Name, d.Description, d.Position)
		for _, a := range d.Arguments {
			undescribed("argument", "@"+d.Name+"("+a.Name+")", a.Description, a.Position)
		}
	}
}

// serverCodes are the `extensions.code` values the server sends: the string constants of type
// Code in internal/invites/errors.go, the one file that declares them (TestSchema_NoCodeLiterals
// keeps it so).
func serverCodes(t *testing.T) map[string]bool {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "../internal/invites/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, decl := range file.Decls {
		gen, ok := decl.(*goast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*goast.ValueSpec)
			if typ, ok := vs.Type.(*goast.Ident); !ok || typ.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*goast.BasicLit); ok && lit.Kind == token.STRING {
					codes[strings.Trim(lit.Value, "\"`")] = true
				}
			}
		}
	}
	if len(codes) < 20 {
		t.Fatalf("found %d Code constants in internal/invites/errors.go (%v): fewer than the server has", len(codes), codes)
	}
	return codes
}

// compareCodes reports the codes that one list has and the server does not send, and those
// that the server sends and the list leaves out.
func compareCodes(t *testing.T, list string, listed, server map[string]bool) {
	t.Helper()
	for _, c := range slices.Sorted(maps.Keys(listed)) {
		if !server[c] {
			t.Errorf("%s lists %s, which the server never sends (no such Code in internal/invites/errors.go)", list, c)
		}
	}
	for _, c := range slices.Sorted(maps.Keys(server)) {
		if !listed[c] {
			t.Errorf("%s leaves out %s, which the server sends (internal/invites/errors.go)", list, c)
		}
	}
}

// TestSchema_ErrorCodesMatchTheServers: the error codes that the schema's description lists
// (lines "- `CODE`: meaning"), and those of docs/api.md's table of codes, are exactly the
// codes that the server sends.
func TestSchema_ErrorCodesMatchTheServers(t *testing.T) {
	server := serverCodes(t)

	schemaCodes := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^- `([A-Z_]+)`: ").FindAllStringSubmatch(loadSchemaFiles(t).Description, -1) {
		schemaCodes[m[1]] = true
	}
	compareCodes(t, "the schema's description (schema.graphqls)", schemaCodes, server)

	doc, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "\n| code | meaning |\n|---|---|\n")
	if !ok {
		t.Fatal("docs/api.md has no table of codes (a header | code | meaning |)")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	docCodes := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\|").FindAllStringSubmatch(table, -1) {
		docCodes[m[1]] = true
	}
	compareCodes(t, "docs/api.md's table of codes", docCodes, server)
}

// TestSchema_NoCodeLiterals: the server's Go code names an error code only by its constant in
// internal/invites/errors.go, so that serverCodes is every code it can send. It fails on a code
// written as a string anywhere else: a "code" key of a map or of JSON text, a Code field, a
// conversion to Code, the code argument of Errorf, or gqlgen's errcode.Set.
func TestSchema_NoCodeLiterals(t *testing.T) {
	jsonCode := regexp.MustCompile(`\\?"code\\?"\s*:\s*\\?"[A-Z]`)
	upper := regexp.MustCompile("^[\"`][A-Z][A-Z_]+[\"`]$")
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "e2e", "client", "web", "playground", "node_modules", ".data", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			path == filepath.Join("..", "graph", "generated.go") || path == filepath.Join("..", "internal", "invites", "errors.go") {
			return nil
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		literal := func(e goast.Expr) bool {
			lit, ok := e.(*goast.BasicLit)
			return ok && lit.Kind == token.STRING
		}
		goast.Inspect(file, func(n goast.Node) bool {
			var bad goast.Node
			switch n := n.(type) {
			case *goast.KeyValueExpr:
				if key, ok := n.Key.(*goast.BasicLit); ok && key.Value == `"code"` && literal(n.Value) {
					bad = n
				}
				if key, ok := n.Key.(*goast.Ident); ok && key.Name == "Code" && literal(n.Value) {
					bad = n
				}
			case *goast.CallExpr:
				name := ""
				switch fun := n.Fun.(type) {
				case *goast.Ident:
					name = fun.Name
				case *goast.SelectorExpr:
					name = fun.Sel.Name
				}
				// Code("X"), Errorf("X", ...), and errcode.Set(err, "X") (gqlgen's code, which
				// errorPresenter passes on as it is for protocolCodes)
				arg := -1
				switch {
				case name == "Code" && len(n.Args) == 1, name == "Errorf" && len(n.Args) > 1:
					arg = 0
				case name == "Set" && len(n.Args) == 2:
					arg = 1
				}
				if arg >= 0 && literal(n.Args[arg]) && upper.MatchString(n.Args[arg].(*goast.BasicLit).Value) {
					bad = n
				}
			case *goast.BasicLit:
				if n.Kind == token.STRING && jsonCode.MatchString(n.Value) {
					bad = n
				}
			}
			if bad != nil {
				t.Errorf("%s: an error code written as a string; use its constant in internal/invites/errors.go (declaring it there if it is new)", fset.Position(bad.Pos()))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

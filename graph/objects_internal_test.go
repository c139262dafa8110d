package graph

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestObjectJSON writes what gqlgen's FieldSet writes for the same fields and values: small
// objects, one with an alias twice, and one too large for the linear look-up.
func TestObjectJSON(t *testing.T) {
	object := func(aliases ...string) ([]graphql.CollectedField, []graphql.Marshaler) {
		fields := make([]graphql.CollectedField, len(aliases))
		values := make([]graphql.Marshaler, len(aliases))
		for i, a := range aliases {
			fields[i].Field = &ast.Field{Alias: a}
			values[i] = graphql.MarshalString(fmt.Sprintf("v%d", i))
		}
		return fields, values
	}
	many := make([]string, maxLinearAliases+5)
	for i := range many {
		many[i] = fmt.Sprintf("f%d", i%(maxLinearAliases+2)) // three aliases twice
	}
	for _, aliases := range [][]string{{}, {"id"}, {"id", "email", "name"}, {"id", "user", "id"}, many} {
		fields, values := object(aliases...)
		var want, got bytes.Buffer
		fs := graphql.NewFieldSet(fields)
		copy(fs.Values, values)
		fs.MarshalGQL(&want)
		objectJSON{fields, values}.MarshalGQL(&got)
		if got.String() != want.String() {
			t.Errorf("aliases %v: wrote %s, gqlgen writes %s", aliases, got.String(), want.String())
		}
	}

}

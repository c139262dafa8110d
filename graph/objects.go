package graph

import (
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// objectJSON writes an object's selected fields as a JSON object: what gqlgen's FieldSet
// writes, without its costs per object. go:generate (graph/internal/leanexec) makes every
// object's marshal function return one in place of its *graphql.FieldSet. gqlgen's writer
// allocated a map of the aliases written and a closure per field, for every object of a
// page.
type objectJSON struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

// maxLinearAliases is how many fields an object may have for duplicate aliases to be looked
// for by scanning those written before; a larger one is written by gqlgen's FieldSet.
const maxLinearAliases = 32

func (o objectJSON) MarshalGQL(w io.Writer) {
	if len(o.fields) > maxLinearAliases {
		fs := graphql.NewFieldSet(o.fields)
		copy(fs.Values, o.values)
		fs.MarshalGQL(w)
		return
	}
	io.WriteString(w, "{")
	first := true
	for i := range o.fields {
		alias := o.fields[i].Alias
		// CollectFields merges the fields of one alias, so the check for one written already
		// never fires for a valid document; it is kept because gqlgen keeps it.
		if written(o.fields[:i], alias) {
			continue
		}
		if !first {
			io.WriteString(w, ",")
		}
		first = false
		// A GraphQL name is letters, digits and underscores: nothing in it needs escaping.
		io.WriteString(w, `"`)
		io.WriteString(w, alias)
		io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	io.WriteString(w, "}")
}

// written reports whether one of fields has alias.
func written(fields []graphql.CollectedField, alias string) bool {
	for i := range fields {
		if fields[i].Alias == alias {
			return true
		}
	}
	return false
}

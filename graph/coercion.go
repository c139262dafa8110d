package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// strictVariables coerces variables as the GraphQL spec does, where gqlparser is lenient: an
// Int is a whole number within 32 bits and a Float a number (neither may be a string such as
// "5"), an enum value is spelt exactly (not "admin" for ADMIN), and an Upload is a file sent as
// a multipart request (not an object), a String a string (not the number 5). A variable that
// fails is a request error (BAD_USER_INPUT, reason GRAPHQL_VALIDATION_FAILED) and nothing
// runs. An ID is a string or a whole number; Booleans gqlparser already checks strictly.
type strictVariables struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &strictVariables{}

func (*strictVariables) ExtensionName() string { return "StrictVariables" }

// Validate keeps the schema, for the variables' types; gqlgen calls it when the extension is added.
func (s *strictVariables) Validate(es graphql.ExecutableSchema) error {
	s.schema = es.Schema()
	return nil
}

func (s *strictVariables) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	for _, def := range op.Operation.VariableDefinitions {
		v, ok := op.Variables[def.Variable]
		if !ok {
			continue
		}
		if msg := s.check(def.Type, v); msg != "" {
			err := gqlerror.Errorf("variable $%s: %s", def.Variable, msg)
			err.Path = ast.Path{ast.PathName("variable"), ast.PathName(def.Variable)}
			errcode.Set(err, errcode.ValidationFailed)
			return err
		}
	}
	return nil
}

// check returns what is wrong with v as a value of type t, or "". Nulls and the shapes that
// gqlparser checks (objects, lists, unknown fields) are left to it.
func (s *strictVariables) check(t *ast.Type, v any) string {
	if v == nil {
		return ""
	}
	if t.Elem != nil {
		// gqlparser may have made a single value a list of one, of the value's own type.
		list := reflect.ValueOf(v)
		if list.Kind() != reflect.Slice {
			return s.check(t.Elem, v)
		}
		for i := range list.Len() {
			if msg := s.check(t.Elem, list.Index(i).Interface()); msg != "" {
				return fmt.Sprintf("item %d: %s", i, msg)
			}
		}
		return ""
	}
	def := s.schema.Types[t.NamedType]
	if def == nil {
		return ""
	}
	switch def.Kind {
	case ast.Scalar:
		return checkScalar(def.Name, v)
	case ast.Enum:
		name, _ := v.(string)
		if def.EnumValues.ForName(name) == nil {
			return fmt.Sprintf("%s is not a %s (one of %s)", describe(v), def.Name, enumNames(def))
		}
	case ast.InputObject:
		fields, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		for _, f := range def.Fields {
			if msg := s.check(f.Type, fields[f.Name]); msg != "" {
				return f.Name + ": " + msg
			}
		}
	}
	return ""
}

func checkScalar(name string, v any) string {
	switch name {
	case "Int":
		if n, ok := wholeNumber(v); !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return fmt.Sprintf("an Int must be a whole number from %d to %d, not %s", math.MinInt32, math.MaxInt32, describe(v))
		}
	case "Float":
		switch v.(type) {
		case json.Number, float64, float32, int, int32, int64:
		default:
			return "a Float must be a number, not " + describe(v)
		}
	case "String":
		if _, ok := v.(string); !ok {
			return "a String must be a string, not " + describe(v)
		}
	case "ID":
		if _, ok := v.(string); !ok {
			if _, ok := wholeNumber(v); !ok {
				return "an ID must be a string or a whole number, not " + describe(v)
			}
		}
	case "Upload":
		if _, ok := v.(graphql.Upload); !ok {
			return "an Upload must be a file sent as a GraphQL multipart request (with the variable null in `operations`), not " + describe(v)
		}
	}
	return ""
}

// wholeNumber returns v as an integer when it is a JSON number without a fraction.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case json.Number:
		i, err := strconv.ParseInt(string(n), 10, 64)
		return i, err == nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}

// describe names a JSON value's kind for a message, with the value when it is short.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 40 {
			return "a string"
		}
		return "the string " + strconv.Quote(x)
	case bool:
		return "the boolean " + strconv.FormatBool(x)
	case json.Number:
		return "the number " + string(x)
	case int, int32, int64, float32, float64:
		return fmt.Sprintf("the number %v", x)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case graphql.Upload:
		return "a file"
	}
	return "a value of another type"
}

func enumNames(def *ast.Definition) string {
	out := ""
	for i, v := range def.EnumValues {
		if i > 0 {
			out += ", "
		}
		out += v.Name
	}
	return out
}

// gqlparser's messages about variables name Go's reflect kinds ("cannot use struct as ID",
// "must be a LogInInput, not a slice"); plainVariableMessage says the same in JSON's terms.
var (
	cannotUse   = regexp.MustCompile(`^cannot use (\w+) as (\w+)$`)
	mustBe      = regexp.MustCompile(`^must be a (\w+), not a (\w+)$`)
	cannotValue = regexp.MustCompile(`^cannot use value -?[0-9.]+ as (\w+)$`)
)

func plainVariableMessage(msg string) string {
	if m := cannotUse.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("cannot use %s as %s", jsonKind(m[1]), m[2])
	}
	if m := mustBe.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("must be a %s (an object), not %s", m[1], jsonKind(m[2]))
	}
	if m := cannotValue.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("cannot use this number as %s", m[1])
	}
	if msg == "enums must be ints or strings" {
		return "an enum value must be a string"
	}
	return msg
}

// jsonKind names a reflect kind as the JSON value it came from.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "map":
		return "an object"
	case "slice", "array":
		return "a list"
	case "struct":
		return "a file"
	}
	if strings.HasPrefix(kind, "int") || strings.HasPrefix(kind, "uint") || strings.HasPrefix(kind, "float") {
		return "a number"
	}
	return "a value of another type"
}

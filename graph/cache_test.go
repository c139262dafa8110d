package graph

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

func TestByteLRU(t *testing.T) {
	ctx := context.Background()
	weighLen := func(_ string, v string) int64 { return int64(len(v)) }
	keys := func(c *byteLRU[string]) string {
		var ks []string
		for e := c.order.Front(); e != nil; e = e.Next() {
			ks = append(ks, e.Value.(*lruEntry[string]).key)
		}
		return strings.Join(ks, ",")
	}
	for _, tc := range []struct {
		name       string
		maxEntries int
		maxBytes   int64
		adds       []string // key=value
		get        string   // looked up after the adds, if set
		want       string   // keys, most recent first
		wantBytes  int64
	}{
		{"UnderBothBounds", 3, 100, []string{"a=1", "b=22"}, "", "b,a", 3},
		{"EntriesBound", 2, 100, []string{"a=1", "b=1", "c=1"}, "", "c,b", 2},
		{"BytesBound", 10, 5, []string{"a=111", "b=22", "c=333"}, "", "c,b", 5},
		{"GetKeepsRecent", 2, 100, []string{"a=1", "b=1"}, "a", "a,b", 2},
		{"TooHeavyNotKept", 10, 4, []string{"a=1", "b=12345"}, "", "a", 1},
		{"ReAddReweighs", 10, 100, []string{"a=1", "a=1234"}, "", "a", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newByteLRU(tc.maxEntries, tc.maxBytes, weighLen)
			for _, kv := range tc.adds {
				k, v, _ := strings.Cut(kv, "=")
				c.Add(ctx, k, v)
			}
			if tc.get != "" {
				if _, ok := c.Get(ctx, tc.get); !ok {
					t.Fatalf("Get(%q) missed", tc.get)
				}
			}
			if got := keys(c); got != tc.want {
				t.Errorf("keys = %q, want %q", got, tc.want)
			}
			if n, b := c.Len(); n != len(c.items) || b != tc.wantBytes {
				t.Errorf("Len = %d, %d bytes; want %d, %d bytes", n, b, len(c.items), tc.wantBytes)
			}
		})
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// documentWeight must not underestimate what a cached document holds (or the cache's byte
// bound would not hold), nor overestimate it by much (or the cache would hold little).
func TestQueryCache_Weight(t *testing.T) {
	schema := NewExecutableSchema(Config{}).Schema()
	var dense strings.Builder // 5,000 short fields: denser than the default limits let through
	dense.WriteString("{")
	for i := range 50 {
		fmt.Fprintf(&dense, "a%d: me { ...F%d } ", i, i)
	}
	dense.WriteString("}")
	for i := range 50 {
		fmt.Fprintf(&dense, "fragment F%d on User { %s}", i, strings.Repeat("id ", 99))
	}
	for _, tc := range []struct{ name, query string }{
		{"Dense", dense.String()},
		{"Introspection", IntrospectionQuery},
		{"Padded", "{ me { id name } }" + strings.Repeat(" ", 1<<16)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const copies = 10
			docs := make([]*ast.QueryDocument, copies)
			before := heapAfterGC()
			var estimate int64
			for i := range docs {
				query := strings.Clone(tc.query)
				doc, err := parser.ParseQuery(&ast.Source{Input: query})
				if err != nil {
					t.Fatal(err)
				}
				if errs := validator.Validate(schema, doc); len(errs) > 0 {
					t.Fatal(errs)
				}
				docs[i] = doc
				estimate += documentWeight(query, doc)
			}
			held := int64(heapAfterGC() - before)
			runtime.KeepAlive(docs)
			t.Logf("estimated %d bytes for %d held", estimate, held)
			if estimate < held*95/100 || estimate > 4*held { // 5%: other goroutines allocate too
				t.Errorf("estimated %d bytes for %d held", estimate, held)
			}
		})
	}
}

// IntrospectionQuery is GraphiQL's introspection query (exported for the HTTP tests).
const IntrospectionQuery = `query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name } types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`

// gqlgen's Add comes before the complexity and depth limits, so it keeps nothing; the
// document enters the caches through cacheValidated, and is then not checked again.
func TestQueryCache_OnlyValidated(t *testing.T) {
	ctx := context.Background()
	parsed, persisted := newQueryCache(10, 1<<20), newPersistedQueries(10, 1<<20)
	const query = "{ me { id } }"
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatal(err)
	}
	parsed.Add(ctx, query, doc)
	if _, ok := parsed.Get(ctx, query); ok {
		t.Fatal("gqlgen's Add cached a document no limit has passed yet")
	}

	op := &graphql.OperationContext{RawQuery: query, Doc: doc}
	op.Stats.SetExtension("persistedHash", "abc")
	if err := (cacheValidated{parsed, persisted}).MutateOperationContext(ctx, op); err != nil {
		t.Fatal(err)
	}
	if got, ok := parsed.Get(ctx, query); !ok || got != doc {
		t.Error("the validated document is not in the parsed-query cache")
	}
	if got, ok := persisted.cache.Get(ctx, "abc"); !ok || got != query {
		t.Errorf("persisted query = %q, %v", got, ok)
	}

	tight := documentLimits{bytes: 1, tokens: 1, aliases: 0, selections: 0, directives: 0, cache: parsed}
	if err := tight.MutateOperationParameters(ctx, &graphql.RawParams{Query: query}); err != nil {
		t.Errorf("a cached document was checked again: %v", err)
	}
	if err := tight.MutateOperationParameters(ctx, &graphql.RawParams{Query: "{ me { name } }"}); err == nil || err.Extensions["code"] != reasonQueryBytes {
		t.Errorf("a new document: %v", err)
	}
}

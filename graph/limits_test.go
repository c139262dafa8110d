package graph_test

import (
	"strings"
	"testing"
)

func TestLimits(t *testing.T) {
	h := newHandler(t)
	token := signUp(t, h, uniqueEmail("limits"))

	t.Run("FirstOver100", func(t *testing.T) {
		e := wantCode(t, do(t, h, token, `{ projects(first: 101) { totalCount } }`, nil), "BAD_USER_INPUT")
		if e.Extensions.Field != "first" {
			t.Errorf("field = %v", e.Extensions.Field)
		}
	})

	t.Run("ComplexityCountsPages", func(t *testing.T) {
		// 100 projects of 100 members each: the page sizes multiply past the limit.
		q := `{ projects(first: 100) { edges { node { members(first: 100) { edges { node { role user { email name } } } } } } } }`
		e := wantCode(t, do(t, h, token, q, nil), "BAD_USER_INPUT")
		if e.Extensions.Reason != "COMPLEXITY_LIMIT_EXCEEDED" {
			t.Errorf("reason = %v, want COMPLEXITY_LIMIT_EXCEEDED", e.Extensions.Reason)
		}
		// The same shape with small pages passes.
		ok(t, do(t, h, token, strings.ReplaceAll(q, "first: 100", "first: 10"), nil), nil)
	})

	t.Run("Depth", func(t *testing.T) {
		// 13 fields deep, with pages of one so that only the depth counts.
		deep := `{ projects(first: 1) { edges { node { invites(first: 1) { edges { node { project { invites(first: 1) { edges { node { project { invites(first: 1) { totalCount } } } } } } } } } } } } }`
		ok(t, do(t, h, token, strings.Replace(deep, "invites(first: 1) { totalCount }", "name", 1), nil), nil) // 12 deep passes
		e := wantCode(t, do(t, h, token, deep, nil), "BAD_USER_INPUT")
		if e.Extensions.Reason != "DEPTH_LIMIT_EXCEEDED" || !strings.Contains(e.Message, "limit is 12") {
			t.Errorf("error = %+v", e)
		}
		// A full introspection query is deep in __type fields, which do not count.
		ok(t, do(t, h, token, `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } }`, nil), nil)
	})

	t.Run("PersistedQueries", func(t *testing.T) {
		// Apollo's automatic persisted queries: the hash alone is unknown at first, and the
		// query sent once with it is then served by hash.
		const hash = "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"
		ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
		r := doExt(t, h, "", "", ext)
		if r.code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("unknown hash: %+v", r.Errors)
		}
		ok(t, doExt(t, h, "", "{__typename}", ext), nil)
		var d typenameData
		if ok(t, doExt(t, h, "", "", ext), &d); d.Typename != "Query" {
			t.Errorf("by hash = %+v", d)
		}
	})
}

package graph

import "time"

// Limits bound what one request may cost before any expensive work: a query document's size
// is checked on its text, before validation, whose cost grows with the square of a selection.
// Zero values take the defaults noted.
type Limits struct {
	// QueryBytes caps a query document's length: 64 KiB.
	QueryBytes int
	// QueryTokens caps a document's tokens (names, punctuation, values): 5,000.
	QueryTokens int
	// Aliases caps the aliased fields in a document: 100.
	Aliases int
	// Selections caps the fields one selection set collects, its fragments expanded: 100.
	Selections int
	// Directives caps the directives on one field, fragment or operation: 10.
	Directives int
	// ValidationCost caps the work of validating a document: each field counts 1 (fragments
	// expanded where they are spread), plus 1 for every other field merged with it under the
	// same response name, which validation compares it with: 50,000.
	ValidationCost int
	// Introspection caps the `__schema` and `__type` fields of an operation: 5.
	Introspection int
	// Errors caps the errors of a response: 100.
	Errors int
	// RequestTimeout ends a request's work: 30s.
	RequestTimeout time.Duration
	// QueryCacheMiB bounds the parsed-query cache (1,000 documents) in memory: 32.
	QueryCacheMiB int
	// PersistedQueryCacheMiB bounds the automatic persisted queries (1,000) in memory: 16.
	PersistedQueryCacheMiB int
}

// cacheEntries is how many documents each cache holds at most.
const cacheEntries = 1000

func (l Limits) withDefaults() Limits {
	for _, d := range []struct {
		v   *int
		def int
	}{
		{&l.QueryBytes, 64 << 10}, {&l.QueryTokens, 5000}, {&l.Aliases, 100}, {&l.Selections, 100},
		{&l.Directives, 10}, {&l.ValidationCost, 50000}, {&l.Introspection, 5}, {&l.Errors, 100}, {&l.QueryCacheMiB, 32}, {&l.PersistedQueryCacheMiB, 16},
	} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if l.RequestTimeout <= 0 {
		l.RequestTimeout = 30 * time.Second
	}
	return l
}

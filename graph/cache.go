package graph

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
)

// byteLRU is a least-recently-used cache bounded both in entries and in bytes, each entry
// weighing what weigh says; an entry heavier than the whole budget is not kept.
type byteLRU[T any] struct {
	mu         sync.Mutex
	maxEntries int
	maxBytes   int64
	bytes      int64
	weigh      func(key string, v T) int64
	order      *list.List // front: most recently used
	items      map[string]*list.Element
}

type lruEntry[T any] struct {
	key    string
	value  T
	weight int64
}

func newByteLRU[T any](maxEntries int, maxBytes int64, weigh func(string, T) int64) *byteLRU[T] {
	return &byteLRU[T]{maxEntries: maxEntries, maxBytes: maxBytes, weigh: weigh, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns the value under key and marks it recently used.
func (c *byteLRU[T]) Get(_ context.Context, key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		var zero T
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry[T]).value, true
}

// Add stores value under key, evicting the least recently used entries past either bound.
func (c *byteLRU[T]) Add(_ context.Context, key string, value T) {
	w := c.weigh(key, value)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.remove(e)
	}
	if w > c.maxBytes {
		return
	}
	c.items[key] = c.order.PushFront(&lruEntry[T]{key: key, value: value, weight: w})
	c.bytes += w
	for c.order.Len() > c.maxEntries || c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *byteLRU[T]) remove(e *list.Element) {
	entry := c.order.Remove(e).(*lruEntry[T])
	delete(c.items, entry.key)
	c.bytes -= entry.weight
}

// Len returns the number of entries and their weight.
func (c *byteLRU[T]) Len() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.bytes
}

// bytesPerNode is what a parsed and validated document keeps per selection, argument,
// directive or variable (the node, its position and its slot in a list), measured by
// TestQueryCache_Weight.
const bytesPerNode = 240

// documentWeight estimates the memory a parsed document holds: its text (allocated in size
// classes up to an eighth larger), its nodes, and a kilobyte for the rest.
func documentWeight(query string, doc *ast.QueryDocument) int64 {
	nodes := 0
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			nodes++
			switch s := s.(type) {
			case *ast.Field:
				nodes += len(s.Arguments) + len(s.Directives)
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				nodes += len(s.Directives)
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				nodes += len(s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		nodes += 1 + len(op.VariableDefinitions) + len(op.Directives)
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		nodes += 1 + len(f.Directives)
		walk(f.SelectionSet)
	}
	return 1<<10 + int64(len(query))*9/8 + int64(nodes)*bytesPerNode
}

// queryCache holds parsed documents by their text. gqlgen adds a document as soon as it is
// valid, before the complexity and depth limits have looked at it, so its Add does nothing:
// cacheValidated adds the document once every limit has passed it.
type queryCache struct {
	lru *byteLRU[*ast.QueryDocument]
}

func newQueryCache(maxEntries int, maxBytes int64) *queryCache {
	return &queryCache{newByteLRU(maxEntries, maxBytes, documentWeight)}
}

func (c *queryCache) Get(ctx context.Context, query string) (*ast.QueryDocument, bool) {
	return c.lru.Get(ctx, query)
}

func (c *queryCache) Add(context.Context, string, *ast.QueryDocument) {}

// persistedQueries is Apollo's automatic persisted queries (the persistedQuery extension: a
// client sends a query's SHA-256 alone, and the query with it when the server does not know
// it), like gqlgen's AutomaticPersistedQuery except that a query is remembered only once it
// has passed validation and every limit (cacheValidated).
type persistedQueries struct {
	cache *byteLRU[string]
}

func newPersistedQueries(maxEntries int, maxBytes int64) persistedQueries {
	return persistedQueries{newByteLRU(maxEntries, maxBytes, func(hash, query string) int64 {
		return int64(len(hash) + len(query))
	})}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = persistedQueries{}

func (persistedQueries) ExtensionName() string                          { return "AutomaticPersistedQuery" }
func (persistedQueries) Validate(schema graphql.ExecutableSchema) error { return nil }

// persistedHash is the context key under which a request's verified hash waits until its
// query has passed every limit.
type persistedHash struct{}

func (p persistedQueries) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Extensions["persistedQuery"] == nil {
		return nil
	}
	ext, ok := params.Extensions["persistedQuery"].(map[string]any)
	hash, _ := ext["sha256Hash"].(string)
	if !ok || hash == "" {
		return gqlerror.Errorf("invalid APQ extension data")
	}
	if v := fmt.Sprint(ext["version"]); v != "1" {
		return gqlerror.Errorf("unsupported APQ version")
	}
	if params.Query == "" {
		query, ok := p.cache.Get(ctx, hash)
		if !ok {
			err := gqlerror.Errorf("PersistedQueryNotFound")
			errcode.Set(err, string(invites.PersistedQueryNotFound))
			return err
		}
		params.Query = query
		return nil
	}
	sum := sha256.Sum256([]byte(params.Query))
	if hex.EncodeToString(sum[:]) != hash {
		return gqlerror.Errorf("provided APQ hash does not match query")
	}
	graphql.GetOperationContext(ctx).Stats.SetExtension("persistedHash", hash)
	return nil
}

// cacheValidated adds a query to the parsed-query cache, and to the persisted queries when
// it came with its hash, once validation and every limit before it have passed it: it must be
// the last operation-context extension that can refuse a query.
type cacheValidated struct {
	parsed    *queryCache
	persisted persistedQueries
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = cacheValidated{}

func (cacheValidated) ExtensionName() string                          { return "CacheValidated" }
func (cacheValidated) Validate(schema graphql.ExecutableSchema) error { return nil }

func (c cacheValidated) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	c.parsed.lru.Add(ctx, op.RawQuery, op.Doc)
	if hash, ok := op.Stats.GetExtension("persistedHash").(string); ok {
		c.persisted.cache.Add(ctx, hash, op.RawQuery)
	}
	return nil
}

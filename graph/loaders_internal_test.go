package graph

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// TestLoader_Expected: the first load of an expected key reads every key of its expect call
// in one fetch, an expected key that names nothing reads as nil without another fetch, keys
// of a later expect call are a batch of their own, and a failed fetch fails each load of its
// batch.
func TestLoader_Expected(t *testing.T) {
	type item struct{ id uuid.UUID }
	a, b, missing, c := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	var mu sync.Mutex
	var fetches [][]uuid.UUID
	fail := false
	l := newLoader(func(_ context.Context, ids []uuid.UUID) (map[uuid.UUID]*item, error) {
		mu.Lock()
		defer mu.Unlock()
		fetches = append(fetches, slices.Clone(ids))
		if fail {
			return nil, errors.New("the database is away")
		}
		out := map[uuid.UUID]*item{}
		for _, id := range ids {
			if id != missing {
				out[id] = &item{id}
			}
		}
		return out, nil
	})
	ctx := context.Background()
	l.expect([]uuid.UUID{a, b, uuid.Nil, a, missing})
	l.expect([]uuid.UUID{b, c}) // b is in the first batch already

	for _, id := range []uuid.UUID{b, a, missing} {
		got, err := l.load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if id == missing && got != nil || id != missing && (got == nil || got.id != id) {
			t.Errorf("load(%s) = %v", id, got)
		}
	}
	if want := [][]uuid.UUID{{a, b, missing}}; !slices.EqualFunc(fetches, want, slices.Equal) {
		t.Errorf("fetches %v, want %v", fetches, want)
	}

	fail = true
	for range 2 {
		if _, err := l.load(ctx, c); err == nil {
			t.Error("load(c) after a failed fetch: no error")
		}
	}
	if len(fetches) != 2 || !slices.Equal(fetches[1], []uuid.UUID{c}) {
		t.Errorf("fetches %v, want the second batch [c] read once", fetches)
	}
}

package invites

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// MaxPageSize is the most items one page of a connection may ask for.
const MaxPageSize = 100

// PageArgs are a connection's `first` and `after`.
type PageArgs struct {
	First int
	After string
}

// Page is one page of a connection, newest first, with each item's opaque cursor.
type Page[T any] struct {
	Items       []T
	Cursors     []string
	HasNextPage bool
	TotalCount  int
}

// cursor is a position in a list ordered by (created_at, id) descending. Clients see it
// only as an opaque string.
type cursor struct {
	At time.Time
	ID uuid.UUID
}

func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixMicro(), 10) + ":" + c.ID.String()))
}

func (a PageArgs) validate() (*cursor, error) {
	if a.First < 0 || a.First > MaxPageSize {
		return nil, invalid("first", "first must be between 0 and %d", MaxPageSize)
	}
	if a.After == "" {
		return nil, nil
	}
	bad := invalid("after", "after is not a cursor of this list")
	raw, err := base64.RawURLEncoding.DecodeString(a.After)
	if err != nil {
		return nil, bad
	}
	at, id, ok := strings.Cut(string(raw), ":")
	if !ok {
		return nil, bad
	}
	micros, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return nil, bad
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, bad
	}
	return &cursor{At: time.UnixMicro(micros).UTC(), ID: u}, nil
}

// fetchPage reads one page of the list that q selects (filtered, but not ordered or limited),
// newest first by the columns createdAt and id, and counts the whole list.
func fetchPage[T any](ctx context.Context, q *bun.SelectQuery, args PageArgs, createdAt, id string, key func(*T) cursor) (*Page[*T], error) {
	after, err := args.validate()
	if err != nil {
		return nil, err
	}
	total, err := q.Clone().Count(ctx)
	if err != nil {
		return nil, err
	}
	if after != nil {
		q = q.Where("("+createdAt+", "+id+") < (?, ?)", after.At, after.ID)
	}
	var items []*T
	if err := q.OrderExpr(createdAt+" DESC, "+id+" DESC").Limit(int64(args.First)+1).Scan(ctx, &items); err != nil {
		return nil, err
	}
	p := &Page[*T]{TotalCount: int(total)}
	if len(items) > args.First {
		items, p.HasNextPage = items[:args.First], true
	}
	p.Items = items
	for _, it := range items {
		p.Cursors = append(p.Cursors, key(it).String())
	}
	return p, nil
}

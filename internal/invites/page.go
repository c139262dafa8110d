package invites

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// MaxPageSize is the most items one page of a connection may ask for.
const MaxPageSize = 100

// DefaultPageSize is the page size when a client gives neither first nor last.
const DefaultPageSize = 50

// PageArgs are a connection's arguments, per the Relay cursor connections specification:
// forward with First and After, or backward with Last and Before. Nil First and Last mean
// DefaultPageSize forward.
type PageArgs struct {
	First  *int
	After  string
	Last   *int
	Before string
}

// Size is the number of items the arguments ask for, valid or not.
func (a PageArgs) Size() int {
	switch {
	case a.First != nil:
		return *a.First
	case a.Last != nil:
		return *a.Last
	}
	return DefaultPageSize
}

// Page is one page of a connection, newest first, with each item's opaque cursor.
type Page[T any] struct {
	Items           []T
	Cursors         []string
	HasNextPage     bool
	HasPreviousPage bool
	TotalCount      int
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

// The times a cursor may hold: those a created_at column can (PostgreSQL's timestamptz reaches
// further, but no row is older than year 1 or newer than 9999).
var (
	minCursorTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxCursorTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// parseCursor reads a cursor that this package wrote. Anything else (not base64url, a time out
// of range, not a canonical UUID) is refused here, so that it never reaches the database.
func parseCursor(field, s string) (*cursor, error) {
	bad := invalid(field, "%s is not a cursor of this list", field)
	raw, err := base64.RawURLEncoding.DecodeString(s)
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
	c := cursor{At: time.UnixMicro(micros).UTC(), ID: u}
	if c.At.Before(minCursorTime) || c.At.After(maxCursorTime) || c.String() != s {
		return nil, bad
	}
	return &c, nil
}

// window is what valid PageArgs select: the items strictly between after and before (either
// may be nil), and the first (or, backward, the last) size of them.
type window struct {
	size          int
	backward      bool
	after, before *cursor
}

// parse checks the arguments without touching the database: a service parses them before
// its first query, so that bad arguments cost no SQL.
//
// Errors: BAD_USER_INPUT naming first, last, after or before.
func (a PageArgs) parse() (window, error) {
	if a.First != nil && a.Last != nil {
		return window{}, invalid("last", "give first or last, not both")
	}
	if a.After != "" && a.Before != "" {
		return window{}, invalid("before", "give after or before, not both")
	}
	w := window{size: a.Size(), backward: a.Last != nil}
	field := "first"
	if w.backward {
		field = "last"
	}
	if w.size < 0 || w.size > MaxPageSize {
		return window{}, invalid(field, "%s must be between 0 and %d", field, MaxPageSize)
	}
	var err error
	if a.After != "" {
		if w.after, err = parseCursor("after", a.After); err != nil {
			return window{}, err
		}
	}
	if a.Before != "" {
		if w.before, err = parseCursor("before", a.Before); err != nil {
			return window{}, err
		}
	}
	return w, nil
}

// fetchPage reads one page of the list that q selects (filtered, but not ordered or limited),
// newest first by the columns createdAt and id, and counts the whole list. Forward and backward
// pages are cut from the same ordered list: backward reads it oldest first and turns the page
// round. The count and the page take two statements, whatever the arguments.
func fetchPage[T any](ctx context.Context, q *bun.SelectQuery, w window, createdAt, id string, key func(*T) cursor) (*Page[*T], error) {
	pos := "(" + createdAt + ", " + id + ")"
	counts, err := countList(ctx, q.Clone(), pos, w)
	if err != nil {
		return nil, err
	}
	if w.after != nil {
		q = q.Where(pos+" < (?, ?)", w.after.At, w.after.ID)
	}
	if w.before != nil {
		q = q.Where(pos+" > (?, ?)", w.before.At, w.before.ID)
	}
	order := createdAt + " DESC, " + id + " DESC"
	if w.backward {
		order = createdAt + " ASC, " + id + " ASC"
	}
	var items []*T
	if err := q.OrderExpr(order).Limit(int64(w.size)+1).Scan(ctx, &items); err != nil {
		return nil, err
	}
	more := len(items) > w.size
	if more {
		items = items[:w.size]
	}
	p := &Page[*T]{TotalCount: counts.Total}
	// Per the specification: the limit decides the flag on its own side; on the other side, a
	// cursor says whether items lie beyond it.
	if w.backward {
		slices.Reverse(items)
		p.HasPreviousPage, p.HasNextPage = more, counts.FromBefore > 0
	} else {
		p.HasNextPage, p.HasPreviousPage = more, counts.UpToAfter > 0
	}
	p.Items = items
	for _, it := range items {
		p.Cursors = append(p.Cursors, key(it).String())
	}
	return p, nil
}

// listCounts are the whole list's size, and how many of its items lie at or beyond each cursor
// (newer than or at after; older than or at before), for hasPreviousPage and hasNextPage.
type listCounts struct {
	Total      int
	UpToAfter  int
	FromBefore int
}

// countList counts the list q selects in one statement.
func countList(ctx context.Context, q *bun.SelectQuery, key string, w window) (listCounts, error) {
	var c listCounts
	if w.after == nil && w.before == nil {
		n, err := q.Count(ctx)
		c.Total = int(n)
		return c, err
	}
	// A side with no cursor has nothing beyond it.
	inner := q
	if c := w.after; c != nil {
		inner = inner.ColumnExpr(key+" >= (?, ?) AS page_up_to_after", c.At, c.ID)
	} else {
		inner = inner.ColumnExpr("false AS page_up_to_after")
	}
	if c := w.before; c != nil {
		inner = inner.ColumnExpr(key+" <= (?, ?) AS page_from_before", c.At, c.ID)
	} else {
		inner = inner.ColumnExpr("false AS page_from_before")
	}
	err := q.DB().NewSelect().TableExpr("(?) AS page_list", inner).
		ColumnExpr("count(*) AS total").
		ColumnExpr("count(*) FILTER (WHERE page_list.page_up_to_after) AS up_to_after").
		ColumnExpr("count(*) FILTER (WHERE page_list.page_from_before) AS from_before").
		Scan(ctx, &c.Total, &c.UpToAfter, &c.FromBefore)
	return c, err
}

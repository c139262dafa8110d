package invites

import (
	"context"
	"database/sql"
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
	// Skip names what the caller will not read, so that the page costs no statement for it.
	// The zero value reads everything.
	Skip PageSkip
}

// PageSkip names the parts of a page that its reader leaves out: a GraphQL connection
// computes only what the query selects.
type PageSkip struct {
	TotalCount      bool
	HasPreviousPage bool
	HasNextPage     bool
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

// String is the cursor as clients see it: "<unix microseconds>:<uuid>" in unpadded base64url.
// It is written once per item of every page, so into one buffer on the stack.
func (c cursor) String() string {
	var buf [20 + 1 + 36]byte
	raw := strconv.AppendInt(buf[:0], c.At.UnixMicro(), 10)
	raw = append(raw, ':')
	raw = appendUUID(raw, c.ID)
	out := make([]byte, base64.RawURLEncoding.EncodedLen(len(raw)))
	base64.RawURLEncoding.Encode(out, raw)
	return string(out)
}

// appendUUID appends id in its canonical form, as id.String() writes it.
func appendUUID(b []byte, id uuid.UUID) []byte {
	const hex = "0123456789abcdef"
	for i, x := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[x>>4], hex[x&0x0f])
	}
	return b
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
	// What to read besides the items: the total, and the flag on the side the page does not
	// travel to (hasPreviousPage going forward, hasNextPage going backward).
	wantTotal, wantFlag bool
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
	w := window{size: a.Size(), backward: a.Last != nil, wantTotal: !a.Skip.TotalCount, wantFlag: !a.Skip.HasPreviousPage}
	field := "first"
	if w.backward {
		field = "last"
		w.wantFlag = !a.Skip.HasNextPage
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

// list is what a connection pages through: the rows of from that match every filter, newest
// first by the columns createdAt and id. Its filters, SQL with ? placeholders, go into the
// page's bun query and into the count and the EXISTS, which bind them as $1, $2…: bun writes
// values into the text, and with a literal project_id the planner estimated from that value's
// share of the table and chose a parallel sequential scan for a project of 100,000 invites,
// where a bound parameter reads the index (project_id, created_at DESC, id DESC).
type list struct {
	from          string
	createdAt, id string
	filters       []filter
}

type filter struct {
	sql  string
	args []any
}

func newList(from, createdAt, id string) *list {
	return &list{from: from, createdAt: createdAt, id: id}
}

// where adds a filter.
func (l *list) where(sql string, args ...any) *list {
	l.filters = append(l.filters, filter{sql, args})
	return l
}

// position is the row's place in the order, to compare with a cursor.
func (l *list) position() string { return "(" + l.createdAt + ", " + l.id + ")" }

// binder numbers the arguments of the SQL fragments it binds, from $1.
type binder struct{ args []any }

// bind is f's SQL with its ? placeholders numbered and its arguments taken in.
func (b *binder) bind(f filter) string {
	var out strings.Builder
	n := 0
	for _, r := range f.sql {
		if r == '?' {
			b.args = append(b.args, f.args[n])
			n++
			out.WriteString("$" + strconv.Itoa(len(b.args)))
			continue
		}
		out.WriteRune(r)
	}
	return out.String()
}

// whereSQL is the list's filters and extra ones, bound by b.
func (l *list) whereSQL(b *binder, extra ...filter) string {
	conds := []string{"true"}
	for _, f := range append(slices.Clone(l.filters), extra...) {
		conds = append(conds, "("+b.bind(f)+")")
	}
	return strings.Join(conds, " AND ")
}

// fetchPage reads one page of the list l from q (which selects its columns and joins, not
// filtered, ordered or limited) and what the arguments ask of it besides the items. The page
// reads one item more than it shows, which decides the flag on the side it travels to; the
// total, and the flag on the side of a cursor it starts from, take one more statement, only
// when the arguments do not skip them.
func fetchPage[T any](ctx context.Context, db *bun.DB, q *bun.SelectQuery, l *list, w window, key func(*T) cursor) (*Page[*T], error) {
	return fetchPageScanned(ctx, db, q, l, w, key, func(ctx context.Context, q *bun.SelectQuery) ([]*T, error) {
		var items []*T
		return items, q.Scan(ctx, &items)
	})
}

// fetchPageScanned is fetchPage with the items read by scan: byHand, for a page whose rows
// are read by hand rather than by bun's reflection.
func fetchPageScanned[T any](ctx context.Context, db *bun.DB, q *bun.SelectQuery, l *list, w window, key func(*T) cursor,
	scan func(context.Context, *bun.SelectQuery) ([]*T, error)) (*Page[*T], error) {
	for _, f := range l.filters {
		q = q.Where(f.sql, f.args...)
	}
	pos := l.position()
	if w.after != nil {
		q = q.Where(pos+" < (?, ?)", w.after.At, w.after.ID)
	}
	if w.before != nil {
		q = q.Where(pos+" > (?, ?)", w.before.At, w.before.ID)
	}
	order := l.createdAt + " DESC, " + l.id + " DESC"
	if w.backward {
		order = l.createdAt + " ASC, " + l.id + " ASC"
	}
	items, err := scan(ctx, q.OrderExpr(order).Limit(int64(w.size)+1))
	if err != nil {
		return nil, err
	}
	more := len(items) > w.size
	if more {
		items = items[:w.size]
	}
	behind, err := l.measure(ctx, db, w)
	if err != nil {
		return nil, err
	}
	p := &Page[*T]{TotalCount: behind.Total}
	// Per the specification: the limit decides the flag on its own side; on the other side, a
	// cursor says whether items lie beyond it.
	if w.backward {
		slices.Reverse(items)
		p.HasPreviousPage, p.HasNextPage = more, behind.Beyond
	} else {
		p.HasNextPage, p.HasPreviousPage = more, behind.Beyond
	}
	p.Items = items
	p.Cursors = make([]string, len(items))
	for i, it := range items {
		p.Cursors[i] = key(it).String()
	}
	return p, nil
}

// byHand reads a page's rows with scanRow, which fills one item from the columns that its
// page selects, in their order.
func byHand[T any](scanRow func(*sql.Rows, *T) error) func(context.Context, *bun.SelectQuery) ([]*T, error) {
	return func(ctx context.Context, q *bun.SelectQuery) ([]*T, error) {
		rows, err := q.Rows(ctx)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var list []*T
		for rows.Next() {
			it := new(T)
			if err := scanRow(rows, it); err != nil {
				return nil, err
			}
			list = append(list, it)
		}
		return list, rows.Err()
	}
}

// listMeasure is the whole list's size, and whether items lie beyond the cursor the page
// starts from (at or newer than after going forward; at or older than before going backward).
type listMeasure struct {
	Total  int
	Beyond bool
}

// measure reads what w asks of the whole list in at most one statement, none when it asks
// for nothing: a count (with the flag beside it) when the total is wanted, else an EXISTS
// when the flag is wanted and there is a cursor to look beyond.
func (l *list) measure(ctx context.Context, db *bun.DB, w window) (listMeasure, error) {
	var m listMeasure
	var beyond *filter
	switch {
	case !w.backward && w.after != nil && w.wantFlag:
		beyond = &filter{l.position() + " >= (?, ?)", []any{w.after.At, w.after.ID}}
	case w.backward && w.before != nil && w.wantFlag:
		beyond = &filter{l.position() + " <= (?, ?)", []any{w.before.At, w.before.ID}}
	}
	var b binder
	switch {
	case w.wantTotal && beyond != nil:
		where := l.whereSQL(&b)
		cond := b.bind(*beyond)
		err := db.DB.QueryRowContext(ctx, "SELECT count(*), count(*) FILTER (WHERE "+cond+") > 0 FROM "+l.from+" WHERE "+where, b.args...).Scan(&m.Total, &m.Beyond)
		return m, err
	case w.wantTotal:
		err := db.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+l.from+" WHERE "+l.whereSQL(&b), b.args...).Scan(&m.Total)
		return m, err
	case beyond != nil:
		err := db.DB.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+l.from+" WHERE "+l.whereSQL(&b, *beyond)+")", b.args...).Scan(&m.Beyond)
		return m, err
	}
	return m, nil
}

package pgtest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/config"
)

// Counter counts the SQL statements sent through a CountingDB, at the driver, so that it sees
// bun's queries and raw ones alike, and pgx's COPY (one statement each) too.
type Counter struct {
	mu         sync.Mutex
	statements []string
	commits    int
}

// Reset forgets what was counted.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statements, c.commits = nil, 0
}

// Commits is how many transactions committed since the last Reset: each COMMIT, and each
// statement run outside a transaction.
func (c *Counter) Commits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.commits
}

// Count is how many statements ran since the last Reset, not counting transaction control
// (BEGIN, COMMIT, ROLLBACK), which costs the same however a call is written.
func (c *Counter) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.statements)
}

// Statements are the statements counted, for a failure message.
func (c *Counter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.statements...)
}

func (c *Counter) commit() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.commits++
}

func (c *Counter) add(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	q := strings.Join(strings.Fields(query), " ")
	if len(q) > 120 {
		q = q[:120] + "…"
	}
	c.statements = append(c.statements, q)
}

// CountingDB opens a second pool on the package's database whose statements c counts. It is
// closed when the test ends.
func CountingDB(tb testing.TB) (*bun.DB, *Counter) {
	tb.Helper()
	cfg, err := pgx.ParseConfig(URL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	c := &Counter{}
	cfg.Tracer = copyCounter{c}
	sqldb := sql.OpenDB(countingConnector{stdlib.GetConnector(*cfg), c})
	config.Default().Pool.Apply(sqldb)
	db := bun.NewDB(sqldb, pgdialect.New())
	tb.Cleanup(func() { db.Close() })
	return db, c
}

type countingConnector struct {
	driver.Connector
	c *Counter
}

func (cc countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := cc.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{stdConn: conn.(*stdlib.Conn), c: cc.c}, nil
}

// countingConn is pgx's connection with every statement counted. It forwards the optional
// interfaces that database/sql looks for (CheckNamedValue lets slices through as arrays), and
// stdlib.Conn's Conn method, which a field named Conn would hide, for COPY.
type countingConn struct {
	*stdConn
	c    *Counter
	inTx bool // a statement outside a transaction commits on its own
}

// stdConn names the embedded field of countingConn something other than Conn.
type stdConn = stdlib.Conn

func (cc *countingConn) count(query string) {
	cc.c.add(query)
	if !cc.inTx {
		cc.c.commit()
	}
}

// BeginTx counts the transaction's commit.
func (cc *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := cc.stdConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	cc.inTx = true
	return countingTx{tx, cc}, nil
}

type countingTx struct {
	driver.Tx
	cc *countingConn
}

func (t countingTx) Commit() error {
	t.cc.inTx = false
	t.cc.c.commit()
	return t.Tx.Commit()
}

func (t countingTx) Rollback() error {
	t.cc.inTx = false
	return t.Tx.Rollback()
}

func (cc *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cc.count(query)
	return cc.stdConn.ExecContext(ctx, query, args)
}

func (cc *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cc.count(query)
	return cc.stdConn.QueryContext(ctx, query, args)
}

// copyCounter counts each COPY that runs on pgx's connection beneath database/sql, which
// countingConn does not see. Queries are counted by countingConn, not here.
type copyCounter struct {
	c *Counter
}

func (copyCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (copyCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (cc copyCounter) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromStartData) context.Context {
	cc.c.add("COPY " + data.TableName.Sanitize() + " (" + strings.Join(data.ColumnNames, ", ") + ") FROM STDIN")
	return ctx
}

func (copyCounter) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}

package migrations_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/pgtest"
)

// The classes of docs/scaling.md's "## Tables" section (Citus's terms).
const (
	distributed = "distributed"
	reference   = "reference"
	local       = "local"
)

// docTable is one row of docs/scaling.md's "## Tables" section.
type docTable struct {
	class  string
	column string // the distribution column; distributed tables only
}

// howToClassify is what a developer who adds a table is told.
const howToClassify = "add a row for it to the table in docs/scaling.md, section \"## Tables\": " +
	"| `table` | distributed | `project_id` | why | for a project's data (then project_id is NOT NULL, " +
	"leads its primary key and every unique constraint and index, and every foreign key to another " +
	"project table is (project_id, ...) -> (project_id, ...)), | `table` | reference | | why | for small " +
	"service-wide data read with a project's (users), or | `table` | local | | why | for data never " +
	"joined with a project's (counters, River's queue)"

// readScaling parses docs/scaling.md: its classification of every table and its known gaps.
func readScaling(t *testing.T) (tables map[string]docTable, gaps map[string]bool) {
	t.Helper()
	doc, err := os.ReadFile("../docs/scaling.md")
	if err != nil {
		t.Fatal(err)
	}
	tables = map[string]docTable{}
	row := regexp.MustCompile("(?m)^\\| `([a-z_0-9]+)` \\| *([a-z]+) *\\| *(?:`([a-z_]+)`)? *\\|")
	for _, r := range row.FindAllStringSubmatch(section(t, string(doc), "Tables"), -1) {
		if _, twice := tables[r[1]]; twice {
			t.Errorf("docs/scaling.md classifies %s twice", r[1])
		}
		if !slices.Contains([]string{distributed, reference, local}, r[2]) {
			t.Errorf("docs/scaling.md: %s has class %q; want distributed, reference or local", r[1], r[2])
		}
		if (r[2] == distributed) != (r[3] != "") {
			t.Errorf("docs/scaling.md: %s: a distribution column goes with the distributed class, and only with it", r[1])
		}
		tables[r[1]] = docTable{class: r[2], column: r[3]}
	}
	gaps = map[string]bool{}
	for _, r := range row.FindAllStringSubmatch(section(t, string(doc), "Known gaps"), -1) {
		gaps[r[1]] = true
	}
	return tables, gaps
}

func section(t *testing.T, doc, name string) string {
	_, s, found := strings.Cut(doc, "\n## "+name+"\n")
	if !found {
		t.Fatalf("docs/scaling.md has no section \"## %s\"", name)
	}
	s, _, _ = strings.Cut(s, "\n## ")
	return s
}

// TestDistribution checks the migrated schema against docs/scaling.md: every table is
// classified, and the tables distributed by project keep the rules that Citus needs to
// distribute them (SPEC §18).
func TestDistribution(t *testing.T) {
	ctx := context.Background()
	db := pgtest.DB(t)
	doc, gaps := readScaling(t)

	var names []string
	if err := db.NewRaw(`SELECT c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`).Scan(ctx, &names); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if _, ok := doc[name]; !ok {
			t.Errorf("table %s is not classified for distribution by project: %s", name, howToClassify)
		}
	}
	for name := range doc {
		if !slices.Contains(names, name) {
			t.Errorf("docs/scaling.md classifies %s, which the migrations do not create: remove its row", name)
		}
	}

	problems := map[string][]string{}
	add := func(table, format string, args ...any) {
		problems[table] = append(problems[table], fmt.Sprintf(format, args...))
	}
	checkKeys(ctx, t, db, doc, add)
	checkForeignKeys(ctx, t, db, doc, add)

	tables := make([]string, 0, len(problems))
	for table := range problems {
		tables = append(tables, table)
	}
	sort.Strings(tables)
	for _, table := range tables {
		msg := fmt.Sprintf("%s:\n  %s", table, strings.Join(problems[table], "\n  "))
		if gaps[table] {
			t.Logf("known gap (docs/scaling.md, \"## Known gaps\"): %s", msg)
			continue
		}
		t.Errorf("%s\nA project's table carries project_id (NOT NULL), leads its primary key and unique keys "+
			"with it, and its foreign keys to other project tables include it (docs/scaling.md); "+
			"fix the table with a new migration (docs/scaling.md, \"## The rule\")", msg)
	}
	for table := range gaps {
		if len(problems[table]) == 0 {
			t.Errorf("docs/scaling.md lists %s under \"## Known gaps\", but it keeps the rules now: remove that row", table)
		}
	}
}

// checkKeys: a distributed table has its distribution column, NOT NULL, in its primary key and
// in every unique constraint and unique index, as a column (not inside an expression).
func checkKeys(ctx context.Context, t *testing.T, db *bun.DB, doc map[string]docTable, add func(string, string, ...any)) {
	t.Helper()
	for table, d := range doc {
		if d.class != distributed {
			continue
		}
		var notNull []bool
		if err := db.NewRaw(`SELECT a.attnotnull FROM pg_attribute AS a
			WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND NOT a.attisdropped`, table, d.column).Scan(ctx, &notNull); err != nil {
			t.Fatal(err)
		}
		switch {
		case len(notNull) == 0:
			add(table, "has no column %s", d.column)
			continue
		case !notNull[0]:
			add(table, "%s may be NULL (Citus needs a value in the distribution column)", d.column)
		}
		var keys []struct {
			Name    string
			Primary bool
			Has     bool
		}
		if err := db.NewRaw(`SELECT ci.relname AS name, i.indisprimary AS primary,
				EXISTS (SELECT FROM unnest(i.indkey[0:i.indnkeyatts - 1]) AS k (attnum)
					JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
					WHERE a.attname = ?) AS has
			FROM pg_index AS i JOIN pg_class AS ci ON ci.oid = i.indexrelid
			WHERE i.indrelid = to_regclass(?) AND i.indisunique`, d.column, table).Scan(ctx, &keys); err != nil {
			t.Fatal(err)
		}
		hasPrimary := false
		for _, k := range keys {
			hasPrimary = hasPrimary || k.Primary
			if !k.Has {
				add(table, "unique key %s does not include %s", k.Name, d.column)
			}
		}
		if !hasPrimary {
			add(table, "has no primary key")
		}
	}
}

// checkForeignKeys: a foreign key between distributed tables pairs their distribution
// columns; a distributed table refers to no local table, and a reference or local table to no
// distributed one (Citus supports neither).
func checkForeignKeys(ctx context.Context, t *testing.T, db *bun.DB, doc map[string]docTable, add func(string, string, ...any)) {
	t.Helper()
	var fks []struct {
		Name    string
		From    string
		To      string
		Columns []string `bun:",array"`
		Refs    []string `bun:",array"`
	}
	if err := db.NewRaw(`SELECT c.conname AS name, c.conrelid::regclass::text AS from, c.confrelid::regclass::text AS to,
			array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k (attnum, n)
				JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns,
			array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k (attnum, n)
				JOIN pg_attribute AS a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS refs
		FROM pg_constraint AS c JOIN pg_namespace AS n ON n.oid = c.connamespace
		WHERE c.contype = 'f' AND n.nspname = current_schema() ORDER BY 1`).Scan(ctx, &fks); err != nil {
		t.Fatal(err)
	}
	for _, fk := range fks {
		from, to := doc[fk.From], doc[fk.To]
		switch {
		case from.class == "" || to.class == "":
			// Unclassified: reported above.
		case from.class == distributed && to.class == distributed:
			paired := false
			for i := range fk.Columns {
				paired = paired || fk.Columns[i] == from.column && fk.Refs[i] == to.column
			}
			if !paired {
				add(fk.From, "foreign key %s (%s) -> %s (%s) does not pair %s with %s.%s", fk.Name,
					strings.Join(fk.Columns, ", "), fk.To, strings.Join(fk.Refs, ", "), from.column, fk.To, to.column)
			}
		case from.class == distributed && to.class == local:
			add(fk.From, "foreign key %s refers to %s, a local table", fk.Name, fk.To)
		case from.class != distributed && to.class == distributed:
			add(fk.From, "foreign key %s: a %s table refers to %s, a distributed table", fk.Name, from.class, fk.To)
		case from.class == reference && to.class == local:
			add(fk.From, "foreign key %s: a reference table refers to %s, a local table", fk.Name, fk.To)
		}
	}
}

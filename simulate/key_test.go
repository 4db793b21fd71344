package simulate

import (
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"ariga.io/atlas/sql/schema"
)

func mustKey(t *testing.T, tb *schema.Table) *rowKey {
	t.Helper()
	k, err := keyOf(tb)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// oneTable is a release of table t with the given columns (name = HCL
// type, with attributes after a ";") and primary key, and a table "p"
// for foreign keys to reference.
func oneTable(t *testing.T, cols [][2]string, pk []string, extra string) *schema.Table {
	t.Helper()
	var b strings.Builder
	b.WriteString("schema \"app\" {}\ntable \"p\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"t\" {\n  schema = schema.app\n")
	for _, c := range cols {
		typ, attrs, _ := strings.Cut(c[1], ";")
		fmt.Fprintf(&b, "  column %q {\n    type = %s\n", c[0], typ)
		for a := range strings.SplitSeq(attrs, ";") {
			if a != "" {
				fmt.Fprintf(&b, "    %s\n", a)
			}
		}
		b.WriteString("  }\n")
	}
	if len(pk) > 0 {
		refs := make([]string, len(pk))
		for i, c := range pk {
			refs[i] = "column." + c
		}
		fmt.Fprintf(&b, "  primary_key {\n    columns = [%s]\n  }\n", strings.Join(refs, ", "))
	}
	b.WriteString(extra + "}\n")
	tb, ok := parse(t, "r", b.String()).Schema.Table("t")
	if !ok {
		t.Fatal("no table t")
	}
	return tb
}

// The simulator follows rows by the whole primary key: one integer
// column, one string column (Keycloak's varchar(36) ids, Roundcube's
// session.sess_id), or several (a join table). Every row's key comes from
// its number, fits the column, and reads back as that number and no other;
// what it cannot write is refused, naming the column and the way out.
func TestRowKeys(t *testing.T) {
	for _, c := range []struct {
		name string
		cols [][2]string
		pk   []string
		fk   string
		// names of the key's columns, whether the server assigns it, the
		// lead column, and the key of some rows
		names []string
		auto  bool
		lead  string
		rows  map[int64]string
		// or the refusal
		err string
	}{
		{name: "integer, assigned by the server", cols: [][2]string{{"id", "bigint;auto_increment = true"}, {"v", "int"}}, pk: []string{"id"},
			names: []string{"id"}, auto: true, lead: "id", rows: map[int64]string{1: "id=1", 7: "id=7"}},
		{name: "integer written by the workers", cols: [][2]string{{"id", "int"}}, pk: []string{"id"},
			names: []string{"id"}, lead: "id", rows: map[int64]string{3: "id=3"}},
		{name: "Keycloak's varchar(36) id", cols: [][2]string{{"id", "varchar(36)"}, {"name", "varchar(255);null = true"}}, pk: []string{"id"},
			names: []string{"id"}, lead: "id", rows: map[int64]string{1: "id='1'", 35: "id='z'", 36: "id='10'", 1 << 40: "id='e13wu1og'"}},
		{name: "Roundcube's session.sess_id", cols: [][2]string{{"sess_id", "varchar(128)"}, {"vars", "text"}}, pk: []string{"sess_id"},
			names: []string{"sess_id"}, lead: "sess_id", rows: map[int64]string{2000: "sess_id='1jk'"}},
		{name: "char(2): at most zz", cols: [][2]string{{"code", "char(2)"}}, pk: []string{"code"},
			names: []string{"code"}, lead: "code", rows: map[int64]string{1295: "code='zz'"}},
		{name: "binary(16): written whole, the server pads with zero bytes", cols: [][2]string{{"uuid", "binary(16)"}}, pk: []string{"uuid"},
			names: []string{"uuid"}, lead: "uuid", rows: map[int64]string{37: "uuid='0000000000000011'"}},
		{name: "varbinary", cols: [][2]string{{"h", "varbinary(20)"}}, pk: []string{"h"},
			names: []string{"h"}, lead: "h", rows: map[int64]string{36: "h='10'"}},
		{name: "join table of two integers", cols: [][2]string{{"user_id", "int"}, {"group_id", "int"}}, pk: []string{"user_id", "group_id"},
			names: []string{"user_id", "group_id"}, lead: "user_id", rows: map[int64]string{5: "(user_id, group_id)=(5, 5)"}},
		{name: "the column that holds most leads, the others cycle", cols: [][2]string{{"kind", "tinyint"}, {"name", "varchar(64)"}}, pk: []string{"kind", "name"},
			names: []string{"kind", "name"}, lead: "name", rows: map[int64]string{127: "(kind, name)=(127, '3j')", 128: "(kind, name)=(1, '3k')"}},
		{name: "an AUTO_INCREMENT column of a composite key is written by the workers", cols: [][2]string{{"id", "int;auto_increment = true"}, {"rev", "smallint"}}, pk: []string{"id", "rev"},
			names: []string{"id", "rev"}, lead: "id", rows: map[int64]string{40000: "(id, rev)=(40000, 7233)"}},
		{name: "no primary key", cols: [][2]string{{"ip", "varchar(40)"}},
			err: "table t has no primary key: the simulator follows rows by a primary key of integer and string columns"},
		{name: "a date in the key", cols: [][2]string{{"day", "date"}, {"id", "int"}}, pk: []string{"id", "day"},
			err: "table t: its primary key column day is date: the simulator follows rows by a primary key of integer and string columns"},
		{name: "a decimal key", cols: [][2]string{{"n", "decimal(10,0)"}}, pk: []string{"n"},
			err: "table t: its primary key column n is decimal(10): "},
		{name: "a key column of a foreign key", cols: [][2]string{{"user_id", "int"}, {"group_id", "int"}}, pk: []string{"user_id", "group_id"},
			fk:  "  foreign_key \"fk_user\" {\n    columns     = [column.user_id]\n    ref_columns = [table.p.column.id]\n  }\n",
			err: "table t: column user_id of its primary key is part of foreign key fk_user (to table p): the simulator writes keys of its own, which reference no row, so it cannot rehearse this table; leave it out (--table names the tables to rehearse)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb := oneTable(t, c.cols, c.pk, c.fk)
			k, err := keyOf(tb)
			if err == nil {
				_, err = writable(tb, nil, k, new(atomic.Int64))
			}
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "emcee db expand, migrate and contract") {
					t.Fatalf("got %v, want %q and the way out", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(k.names(), c.names) || k.auto != c.auto || k.cols[k.lead].name != c.lead {
				t.Fatalf("key %v auto %v lead %s, want %v %v %s", k.names(), k.auto, k.cols[k.lead].name, c.names, c.auto, c.lead)
			}
			for n, want := range c.rows {
				if got := k.show(n); got != want {
					t.Errorf("row %d: %s, want %s", n, got, want)
				}
			}
			// Every key fits its column, reads back as its own number,
			// and no two rows share one.
			seen := map[string]int64{}
			for n := int64(1); n <= min(3000, k.cols[k.lead].holds); n++ {
				vals := make([]sql.NullString, len(k.cols))
				for i, a := range k.args(n) {
					vals[i] = sql.NullString{String: a.(string), Valid: true}
				}
				if got := k.number(vals); got != n {
					t.Fatalf("row %d's key %s reads back as %d", n, k.show(n), got)
				}
				if m, dup := seen[k.show(n)]; dup {
					t.Fatalf("rows %d and %d share the key %s", m, n, k.show(n))
				}
				seen[k.show(n)] = n
				for i, col := range tb.PrimaryKey.Parts {
					if max := keyWidth(col.C); max > 0 && len(k.value(i, n)) > max {
						t.Fatalf("row %d: %s %q is longer than %d", n, col.C.Name, k.value(i, n), max)
					}
				}
			}
			// What the workers never write is no row of theirs.
			wrong := make([]sql.NullString, len(k.cols))
			for i := range wrong {
				wrong[i] = sql.NullString{String: "Z-9", Valid: true}
			}
			if n := k.number(wrong); n != 0 {
				t.Errorf("a key no worker writes reads as row %d", n)
			}
		})
	}
}

// keyWidth is how many characters a string column holds, 0 for another.
func keyWidth(c *schema.Column) int {
	switch typ := c.Type.Type.(type) {
	case *schema.StringType:
		return typ.Size
	case *schema.BinaryType:
		return *typ.Size
	}
	return 0
}

// A key both releases declare alike, but one with a smaller column, holds
// only what fits both (the workers of both draw from one counter per
// table). A key each release declares otherwise is refused.
func TestRowKeysOfBothReleases(t *testing.T) {
	narrow := oneTable(t, [][2]string{{"id", "varchar(2)"}, {"v", "int"}}, []string{"id"}, "")
	wide := oneTable(t, [][2]string{{"id", "varchar(36)"}, {"v", "int"}}, []string{"id"}, "")
	tb, err := newTable(narrow, wide, parse(t, "r", "schema \"app\" {}\n").Declarations)
	if err != nil {
		t.Fatal(err)
	}
	if got := tb.key.cols[0].holds; got != 36*36-1 {
		t.Errorf("a key widened from varchar(2) holds %d values, want %d", got, 36*36-1)
	}
	for _, other := range []*schema.Table{
		oneTable(t, [][2]string{{"id", "int"}, {"v", "int"}}, []string{"id"}, ""),
		oneTable(t, [][2]string{{"id", "varchar(36)"}, {"v", "int"}}, []string{"id", "v"}, ""),
		oneTable(t, [][2]string{{"id", "binary(36)"}, {"v", "int"}}, []string{"id"}, ""),
	} {
		if _, err := newTable(wide, other, parse(t, "r", "schema \"app\" {}\n").Declarations); err == nil || !strings.Contains(err.Error(), "table t: the primary key changes between the releases") {
			t.Errorf("key %v after varchar(36) id: %v", other.PrimaryKey.Parts, err)
		}
	}
}

// A unique index that holds the key's lead column, or all its columns,
// is unique in every row already; one over a cycling key column and
// another column gets its value of its own from that other column, never
// from the key's (which the workers write from the row's number).
func TestDistinctColumnsBesideTheKey(t *testing.T) {
	tb := oneTable(t, [][2]string{{"kind", "tinyint"}, {"name", "varchar(64)"}, {"slug", "varchar(40)"}, {"code", "varchar(40)"}},
		[]string{"kind", "name"},
		"  index \"ux_name\" {\n    unique  = true\n    columns = [column.name, column.code]\n  }\n"+
			"  index \"ux_kind_slug\" {\n    unique  = true\n    columns = [column.kind, column.slug]\n  }\n")
	got := distinctColumns(tb, nil, mustKey(t, tb))
	if !got["slug"] || got["kind"] || got["code"] || len(got) != 1 {
		t.Errorf("distinct columns %v, want slug alone", got)
	}
}

// A key too small for the rows asked for is refused before anything is
// written, not on the server's error half-way through the seed.
func TestRowKeyTooSmallForTheRows(t *testing.T) {
	const src = `schema "app" {}
table "country" {
  schema = schema.app
  column "code" {
    type = char(2)
  }
  column "name" {
    type = varchar(%d)
  }
  primary_key {
    columns = [column.code]
  }
}
`
	s := &Sim{cfg: Config{Rows: 2000}, old: parse(t, "r1", fmt.Sprintf(src, 40)), new: parse(t, "r2", fmt.Sprintf(src, 80))}
	if err := s.pickTables(); err == nil || !strings.Contains(err.Error(), "table country: its primary key column code holds 1295 keys, and --rows 2000 leaves the workers none to insert: give fewer --rows") {
		t.Errorf("got %v", err)
	}
	s = &Sim{cfg: Config{Rows: 1000}, old: s.old, new: s.new}
	if err := s.pickTables(); err != nil {
		t.Errorf("1000 rows in 1295 keys: %v", err)
	}
}

// intMax reads the range of an integer type from diff.IntRange, the one
// owner of integer ranges, and keeps within an int64.
func TestIntMax(t *testing.T) {
	for _, c := range []struct {
		typ      string
		unsigned bool
		want     int64
	}{
		{"tinyint", false, 127}, {"tinyint", true, 255}, {"smallint", true, 65535},
		{"mediumint", false, 8388607}, {"int", false, 2147483647}, {"int", true, 4294967295},
		{"bigint", false, math.MaxInt64}, {"bigint", true, math.MaxInt64},
	} {
		if got := intMax(&schema.IntegerType{T: c.typ, Unsigned: c.unsigned}); got != c.want {
			t.Errorf("intMax(%s unsigned=%v) = %d, want %d", c.typ, c.unsigned, got, c.want)
		}
	}
}

package diff

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
)

// leftOutPrev and leftOutNext are two releases around what Between may
// leave out of the diff: tables that did not change beside ones that did,
// foreign keys between the two kinds, a rename, and columns Atlas's diff
// writes into.
const leftOutPrev = `schema "app" {}
table "keep" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "name" {
    type = varchar(20)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  check "named" {
    expr = "name <> ''"
  }
}
table "parent" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
table "changed" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "parent_id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "changed_parent" {
    columns = [column.parent_id]
    ref_columns = [table.parent.column.id]
  }
}
table "child_of_changed" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "changed_id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "child_changed" {
    columns = [column.changed_id]
    ref_columns = [table.changed.column.id]
  }
}
table "widths" {
  schema = schema.app
  column "id" {
    type = int(11)
  }
  column "n" {
    type = int
    unsigned = true
  }
  column "raw" {
    type = sql("int(11)")
  }
}
table "charsets" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "s" {
    type = varchar(10)
    charset = "utf8mb4"
  }
  column "c" {
    type = varchar(10)
    collate = "utf8mb4_bin"
  }
}
table "old_name" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
table "points_at_renamed" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "ref" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "points_renamed" {
    columns = [column.ref]
    ref_columns = [table.old_name.column.id]
  }
}
`

func leftOutNextRelease() string {
	s := strings.Replace(leftOutPrev, "  column \"parent_id\" {\n    type = int\n  }\n", "  column \"parent_id\" {\n    type = int\n  }\n  column \"added\" {\n    type = int\n    null = true\n  }\n", 1)
	s = strings.Replace(s, "table \"old_name\" {\n", "table \"new_name\" {\n  renamed_from = \"old_name\"\n", 1)
	return strings.Replace(s, "table.old_name.column.id", "table.new_name.column.id", 1)
}

func TestBetweenLeavesOutTablesThatCannotChange(t *testing.T) {
	prev, next := evalPair(t, leftOutPrev, leftOutNextRelease())
	got := slices.Sorted(maps.Keys(unchanged(prev, next)))
	// Not left out: the changed table and the one referencing it, the
	// renamed table and the one referencing it, and a column's charset
	// without its collation (Atlas's diff fills it in). An integer's
	// display width is an attribute once evaluated: left alone.
	if want := []string{"keep", "parent", "widths"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("left out %v, want %v", got, want)
	}
	checkLeftOut(t, prev, next)
}

// Between gives the same transition whether it leaves tables out or not,
// on the bundled example's consecutive releases.
func TestBetweenLeavingOutChangesNothingInTheExample(t *testing.T) {
	files, err := filepath.Glob("../schema/*.hcl")
	if err != nil || len(files) < 2 {
		t.Fatal(files, err)
	}
	for i := 1; i < len(files); i++ {
		a, _ := os.ReadFile(files[i-1])
		b, _ := os.ReadFile(files[i])
		prev, next := evalPair(t, string(a), string(b))
		if prev == nil || next == nil {
			t.Fatalf("%s or %s does not evaluate block by block", files[i-1], files[i])
		}
		checkLeftOut(t, prev, next)
	}
}

func FuzzBetweenLeavingOutChangesNothing(f *testing.F) {
	f.Add(leftOutPrev, leftOutNextRelease())
	seeds := chunkSeeds(f)
	for i := 1; i < len(seeds); i++ {
		f.Add(seeds[i-1], seeds[i])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a)+len(b) > 1<<16 || strings.Count(a+b, "\n") > 2000 {
			return
		}
		if prev, next := evalPair(t, a, b); prev != nil && next != nil {
			checkLeftOut(t, prev, next)
		}
	})
}

// evalPair evaluates two releases block by block (nil for one that does
// not evaluate so).
func evalPair(t testing.TB, a, b string) (*Release, *Release) {
	pieceMemo.forget()
	var out [2]*Release
	for i, src := range []string{a, b} {
		r, _, err := evalChunks(Source{Release: fmt.Sprint("r", i), File: fmt.Sprintf("r%d.hcl", i), Src: []byte(src)}, mariadb)
		if err == nil {
			out[i] = r
		}
	}
	return out[0], out[1]
}

// checkLeftOut fails when Between gives another transition with tables
// left out than without: other statements, or other states on either side.
func checkLeftOut(t testing.TB, prev, next *Release) {
	drv, err := Offline(mariadb)
	if err != nil {
		t.Fatal(err)
	}
	whole := func(r *Release) *Release {
		c := *r
		c.blocks = nil
		return &c
	}
	got, gotErr := transitionText(drv, prev, next)
	want, wantErr := transitionText(drv, whole(prev), whole(next))
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || got != want {
		t.Fatalf("leaving out %v gives\n%s%v\nwithout leaving out:\n%s%v", slices.Sorted(maps.Keys(unchanged(prev, next))), got, gotErr, want, wantErr)
	}
}

// transitionText is what a transition says: Atlas's statements for its
// changes, and both states as Atlas writes them.
func transitionText(drv *mysql.Driver, prev, next *Release) (string, error) {
	tr, err := Between(drv, mariadb, prev, next)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range tr.Changes {
		fmt.Fprintf(&b, "%T\n", c)
	}
	plan, err := drv.PlanChanges(context.Background(), "t", tr.Changes)
	if err != nil {
		return b.String(), err
	}
	for _, c := range plan.Changes {
		fmt.Fprintln(&b, c.Cmd)
	}
	for _, s := range []any{tr.From, tr.To.Schema} {
		h, err := mysql.MarshalHCL(s)
		if err != nil {
			return b.String(), err
		}
		b.Write(h)
	}
	return b.String(), nil
}

// leftAlone says what Atlas's diff of a table with an equal one does: no
// change, and nothing written into either.
func TestLeftAloneIsWhatAtlasLeavesAlone(t *testing.T) {
	drv, err := Offline(mariadb)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := evalChunks(Source{Release: "r", File: "r.hcl", Src: []byte(leftOutPrev)}, mariadb)
	if err != nil {
		t.Fatal(err)
	}
	tables := r.Schema.Tables
	// As a release declared in SQL, or inspected, may hold them.
	widths := &schema.Table{Name: "raw_widths", Schema: r.Schema}
	widths.AddColumns(schema.NewIntColumn("a", "int(11)"), schema.NewIntColumn("b", "INT"))
	enum := &schema.Table{Name: "enums", Schema: r.Schema}
	enum.AddColumns(schema.NewEnumColumn("e", schema.EnumValues("x", "y")))
	for _, tbl := range append(tables, widths, enum) {
		s := schema.New(r.Schema.Name)
		s.Attrs = r.Schema.Attrs
		s.AddTables(tbl)
		from, to, as := private(s), private(s), private(s)
		changes, err := drv.SchemaDiff(from, to)
		before, _ := mysql.MarshalHCL(s)
		afterFrom, _ := mysql.MarshalHCL(from)
		afterTo, _ := mysql.MarshalHCL(to)
		untouched := err == nil && len(changes) == 0 && string(afterFrom) == string(before) && string(afterTo) == string(before) &&
			reflect.DeepEqual(from.Tables[0], as.Tables[0]) && reflect.DeepEqual(to.Tables[0], as.Tables[0])
		if leftAlone(tbl) && !untouched {
			t.Errorf("table %s: leftAlone, but Atlas's diff with itself gives %v, %v, or writes into it", tbl.Name, changes, err)
		}
		if want := tbl.Name != "charsets" && tbl.Name != "raw_widths"; leftAlone(tbl) != want {
			t.Errorf("table %s: leftAlone %v, want %v", tbl.Name, leftAlone(tbl), want)
		}
	}
}

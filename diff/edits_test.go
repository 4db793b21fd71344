package diff

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/schemadef"
)

const editedBase = `schema "app" {}
table "t" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  # the name
  column "name" {
    type = varchar(100)
  }
  column "total" {
    type = int
    null = true
    as = "id * 2"
  }
  column "spare" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  index "by_name" {
    columns = [column.name]
  }
  check "positive" {
    expr = "id > 0 OR total IS NULL"
  }
}
`

// An edit of a table's columns is evaluated as the changed columns alone,
// spliced into the version before; anything else as the whole block. Both
// give what the whole file gives.
func TestEditsEvaluateOnlyTheColumns(t *testing.T) {
	for _, tc := range []struct {
		name, from, to string
		columns        bool // evaluated as an edit of its columns
	}{
		{"a column widened", "varchar(100)", "varchar(200)", true},
		{"a column added", "  primary_key {", "  column \"extra\" {\n    type = int\n    null = true\n    default = sql(\"name + 1\")\n  }\n  primary_key {", true},
		{"a column added first, lines below moved", "  column \"id\" {", "  # new\n\n  column \"first\" {\n    type = int\n  }\n  column \"id\" {", true},
		{"a column replaced by two", "  column \"total\" {\n    type = int\n    null = true\n    as = \"id * 2\"\n  }", "  column \"total\" {\n    type = bigint\n    null = true\n    as = \"id * 3\"\n  }\n  column \"more\" {\n    type = int\n  }", true},
		{"a comment", "# the name", "# the name\n  # and more", true},
		{"an index changed", "columns = [column.name]", "columns = [column.id]", false},
		{"a table attribute", "schema = schema.app", "schema = schema.app\n  comment = \"c\"", false},
		{"a column dropped", "  column \"spare\" {\n    type = int\n    null = true\n  }\n", "", true},
		{"a column dropped that an expression names", "  column \"total\" {\n    type = int\n    null = true\n    as = \"id * 2\"\n  }\n", "", false},
		{"a column dropped that an index names", "  column \"name\" {\n    type = varchar(100)\n  }\n", "", false},
		{"a column renamed", "column \"name\" {", "column \"label\" {", false},
		{"a column declared twice", "  primary_key {", "  column \"NAME\" {\n    type = int\n  }\n  primary_key {", false},
		{"a declaration", "    type = varchar(100)", "    type = varchar(100)\n    allow_copy = true", false},
		{"a typo", "varchar(100)", "varchar(100)\n    nul = true", false},
		{"an unknown column in an expression", "id * 2", "nope * 2", false},
		{"an empty enum", "varchar(100)", "enum()", false},
		{"a multi-line comment", "# the name", "/* the\n  name */", false},
		{"a column on the brace's line", "    type = int\n    null = true\n", "    type = int\n    null = true\n  } column \"x\" {\n    type = int\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(editedBase, tc.from) {
				t.Fatalf("%q is not in the base", tc.from)
			}
			edited := strings.Replace(editedBase, tc.from, tc.to, 1)
			pieceMemo.forget()
			base := Source{Release: "a", File: "a.hcl", Src: []byte(editedBase)}
			if _, _, err := evalChunks(base, mariadb); err != nil {
				t.Fatal(err)
			}
			chunks := schemadef.Chunks([]byte(edited))
			bases := []*baseTable{nil, pieceMemo.latest[pieceKey(mariadb.String(), chunks[0].Data, []byte("table t"))]}
			src := Source{Release: "b", File: "b.hcl", Src: []byte(edited)}
			if got, _ := evalEdits(src, mariadb, chunks[0].Data, chunks, []int{1}, bases); (got[0] != nil) != tc.columns {
				t.Errorf("evaluated as an edit of columns: %v, want %v", got[0] != nil, tc.columns)
			}
			pieceMemo.forget()
			_, _, _ = evalChunks(base, mariadb)
			checkChunks(t, edited, false)
		})
	}
}

// An edit's piece is kept in the evaluation cache as what it adds to the
// version it edits, and read back as evaluated.
func TestCacheKeepsEdits(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(cacheEnv, dir)
	Forget()
	base := Source{Release: "a", File: "a.hcl", Src: []byte(editedBase)}
	edited := Source{Release: "b", File: "b.hcl", Src: []byte(strings.Replace(editedBase, "varchar(100)", "varchar(200)", 1))}
	for _, s := range []Source{base, edited} {
		if _, err := cached(sourceKey(s, mariadb), s, mariadb); err != nil {
			t.Fatal(err)
		}
	}
	Flush()
	Forget()
	packs, _ := filepath.Glob(filepath.Join(dir, packPrefix+"*"))
	var kept []*piece
	for _, path := range packs {
		data, _ := os.ReadFile(path)
		ps, _ := decodePieces(data)
		kept = append(kept, ps...)
	}
	if !slices.ContainsFunc(kept, func(p *piece) bool { return p.Edit != nil && len(p.Table.Columns) == 1 }) {
		t.Fatalf("no pack keeps the edit as its one new column")
	}
	want, err := ParseRelease(edited.Release, edited.File, edited.Src, mariadb)
	if err != nil {
		t.Fatal(err)
	}
	got := readEntry(entryPath(dir, must(buildIdentity()), sourceKey(edited, mariadb)), edited, mariadb)
	if got == nil || !sameRelease(got, want) {
		t.Fatalf("the edit read from the cache: %v", got)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// FuzzEditsMatchTheWholeFile edits a file that evaluated block by block:
// drop lines from line at and insert text there, then compares the edited
// file, evaluated as edits of the first (edits.go), with it evaluated whole.
func FuzzEditsMatchTheWholeFile(f *testing.F) {
	column := "  column \"added\" {\n    type = varchar(10)\n    null = true\n    default = \"x\"\n  }\n"
	for _, base := range []string{editedBase, cacheSchema} {
		for _, at := range []uint16{1, 3, 6, 9, 14} {
			f.Add(base, at, uint8(0), column)
			f.Add(base, at, uint8(3), column)
			f.Add(base, at, uint8(1), "    type = bigint\n")
		}
	}
	f.Fuzz(func(t *testing.T, base string, at uint16, drop uint8, insert string) {
		lines := strings.SplitAfter(base, "\n")
		if len(base)+len(insert) > 1<<14 || int(at) >= len(lines) {
			return
		}
		end := min(len(lines), int(at)+int(drop))
		edited := strings.Join(lines[:at], "") + insert + strings.Join(lines[end:], "")
		pieceMemo.forget()
		if _, _, err := evalChunks(Source{Release: "q", File: "schema/q.hcl", Src: []byte(base)}, mariadb); err != nil {
			return
		}
		checkChunks(t, edited, false)
	})
}

package diff

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chunkSeeds are files the block-by-block evaluation must get right, or
// leave to the whole file: the bundled example, every kind of column and
// key, and layouts that do not split into blocks.
func chunkSeeds(t testing.TB) []string {
	files, err := filepath.Glob("../schema/*.hcl")
	if err != nil {
		t.Fatal(err)
	}
	var seeds []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, string(data))
	}
	return append(seeds,
		cacheSchema,
		// a heredoc whose lines look like blocks
		"schema \"app\" {}\ntable \"t\" {\n  schema = schema.app\n  comment = <<EOT\ntable \"u\" {\nEOT\n  column \"id\" {\n    type = int\n  }\n}\n",
		// a block not at the start of its line
		"schema \"app\" {}\n  table \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n}\n",
		// the same table twice
		"schema \"app\" {}\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n}\ntable \"t\" {\n  schema = schema.app\n  column \"x\" {\n    type = int\n  }\n}\n",
		// a reference to a table that does not exist
		"schema \"app\" {}\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  foreign_key \"f\" {\n    columns = [column.id]\n    ref_columns = [table.nope.column.id]\n  }\n}\n",
		// a reference to a column that does not exist
		"schema \"app\" {}\ntable \"p\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n}\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  foreign_key \"f\" {\n    columns = [column.id]\n    ref_columns = [table.p.column.nope]\n  }\n}\n",
		// two schemas; a table in a schema that is not declared
		"schema \"app\" {}\nschema \"other\" {}\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n}\n",
		"schema \"app\" {}\ntable \"t\" {\n  schema = schema.nope\n  column \"id\" {\n    type = int\n  }\n}\n",
		// a top-level attribute, an unknown block, a syntax error
		"x = 1\nschema \"app\" {}\n",
		"schema \"app\" {}\ntabel \"t\" {\n}\n",
		"schema \"app\" {}\ntable \"t\" {\n",
		// a BOM, CRLF line ends, a multi-line comment holding a block
		"\xef\xbb\xbfschema \"app\" {}\n",
		"schema \"app\" {}\r\ntable \"t\" {\r\n  schema = schema.app\r\n  column \"id\" {\r\n    type = int\r\n  }\r\n}\r\n",
		"schema \"app\" {}\n/*\ntable \"t\" {\n}\n*/\ntable \"u\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n}\n",
	)
}

// checkChunks fails when the block-by-block evaluation of src accepts what
// the whole file does not, or gives anything else than the whole file.
// Atlas panics on some inputs (a charset given an object, an empty enum);
// evaluated block by block, such a file must be left to the whole file.
// With fresh, the blocks evaluated before are forgotten first; without,
// src's tables are edits of them.
func checkChunks(t testing.TB, src string, fresh bool) {
	s := Source{Release: "r", File: "schema/r.hcl", Src: []byte(src)}
	if fresh {
		pieceMemo.forget()
	}
	r, _, err := evalChunks(s, mariadb)
	if err != nil && !errors.Is(err, errChunks) {
		t.Fatalf("block by block: %v\n%s", err, src)
	}
	if wholePanics(s) {
		if err == nil {
			t.Fatalf("Atlas panics on the whole file, but it evaluates block by block:\n%s", src)
		}
		return
	}
	if err := compareWhole(s, mariadb, r, err); err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
}

func wholePanics(s Source) (panicked bool) {
	defer func() { panicked = recover() != nil }()
	_, _ = ParseRelease(s.Release, s.File, s.Src, mariadb)
	return false
}

func TestChunksMatchTheWholeFile(t *testing.T) {
	for _, src := range chunkSeeds(t) {
		checkChunks(t, src, true)
	}
	// Evaluated after the release before it, sharing blocks: pieces
	// found under other files, at other lines.
	files, _ := filepath.Glob("../schema/*.hcl")
	pieceMemo.forget()
	for _, f := range files {
		data, _ := os.ReadFile(f)
		s := Source{Release: "r", File: f, Src: data}
		r, _, err := evalChunks(s, mariadb)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := compareWhole(s, mariadb, r, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// A piece shared by two files sits at other lines in each.
func TestPiecesArePlacedInTheirFile(t *testing.T) {
	table := "table \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"x\" {\n    type = int\n    renamed_from = \"y\"\n  }\n}\n"
	pieceMemo.forget()
	a := Source{Release: "a", File: "a.hcl", Src: []byte("schema \"app\" {}\n" + table)}
	b := Source{Release: "b", File: "b.hcl", Src: []byte("schema \"app\" {}\n# two\n# more lines\n" + table)}
	for _, s := range []Source{a, b} {
		r, _, err := evalChunks(s, mariadb)
		if err != nil {
			t.Fatal(err)
		}
		if err := compareWhole(s, mariadb, r, nil); err != nil {
			t.Fatal(err)
		}
	}
	rb, _, _ := evalChunks(b, mariadb)
	if got := rb.Declarations.Columns[ColumnRef{"t", "x"}].Pos.String(); got != "b.hcl:11:5" {
		t.Fatalf("renamed_from of t.x at %s, want b.hcl:11:5", got)
	}
}

// FuzzChunksMatchTheWholeFile evaluates src block by block after before,
// so that src's tables are edits of before's (edits.go), and compares it
// with src evaluated whole.
func FuzzChunksMatchTheWholeFile(f *testing.F) {
	for _, s := range chunkSeeds(f) {
		f.Add("", s)
		f.Add(s, s)
	}
	f.Add(editedBase, strings.Replace(editedBase, "varchar(100)", "varchar(200)", 1))
	f.Add(cacheSchema, strings.Replace(cacheSchema, "  column \"code\" {", "  column \"added\" {\n    type = int\n  }\n  column \"code\" {", 1))
	f.Fuzz(func(t *testing.T, before, src string) {
		if len(before)+len(src) > 1<<16 || strings.Count(before+src, "\n") > 2000 {
			return
		}
		pieceMemo.forget()
		_, _, _ = evalChunks(Source{Release: "q", File: "schema/q.hcl", Src: []byte(before)}, mariadb)
		checkChunks(t, src, false)
	})
}

package diff

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Every schema of the bundled example evaluates block by block to what it
// evaluates to whole, and survives the cache's encoding, so planning it
// again reads the cache instead of evaluating.
func TestCacheCarriesTheExampleReleases(t *testing.T) {
	files, err := filepath.Glob("../schema/*.hcl")
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := Source{Release: "r", File: f, Src: data}
		r, ps, err := evalChunks(src, mariadb)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := compareWhole(src, mariadb, r, nil); err != nil {
			t.Error(err)
		}
		packed, err := encodePieces(ps)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		back, err := decodePieces(packed)
		if err != nil || len(back) != len(ps) {
			t.Fatalf("%s: %d pieces back of %d: %v", f, len(back), len(ps), err)
		}
		for i, p := range ps {
			// What is not kept: a piece read is checked again, and is no
			// edit's base.
			back[i].lines = p.lines
			back[i].checked.Store(p.checked.Load())
			back[i].alone.Store(p.alone.Load())
			if !reflect.DeepEqual(back[i], p) {
				t.Errorf("%s: %s %s does not survive the codec", f, p.Kind, p.Name)
			}
		}
	}
}

// gob carries a struct's exported fields only: a field of another kind in
// a type the cache encodes would be lost on the way.
func TestCodecTypesAreWhollyExported(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(ty reflect.Type, at string) {
		if seen[ty] {
			return
		}
		seen[ty] = true
		switch ty.Kind() {
		case reflect.Map:
			walk(ty.Key(), at)
			walk(ty.Elem(), at)
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(ty.Elem(), at)
		case reflect.Func, reflect.Chan, reflect.UnsafePointer:
			t.Errorf("%s: %s cannot be encoded", at, ty)
		case reflect.Struct:
			for f := range ty.Fields() {
				switch {
				case f.IsExported():
					walk(f.Type, at+"."+f.Name)
				case ty != reflect.TypeFor[piece](): // a piece's own are what a run recomputes
					t.Errorf("%s: %s.%s is unexported", at, ty, f.Name)
				}
			}
		}
	}
	walk(reflect.TypeFor[piece](), "piece")
	for _, v := range codecTypes {
		walk(reflect.TypeOf(v), reflect.TypeOf(v).String())
	}
}

const cacheSchema = `schema "app" {
  charset = "utf8mb4"
}
table "parent" {
  schema = schema.app
  column "id" {
    type = bigint
    auto_increment = true
  }
  column "code" {
    type = enum("a", "b")
    default = "a"
    comment = "it's"
  }
  column "flags" {
    type = set("x", "y")
    null = true
  }
  column "at" {
    type = timestamp(3)
    default = sql("CURRENT_TIMESTAMP(3)")
    on_update = sql("CURRENT_TIMESTAMP(3)")
  }
  column "price" {
    type = decimal(10, 2)
    unsigned = true
    default = 0
  }
  column "doc" {
    type = json
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_code_at" {
    unique = true
    on {
      column = column.code
    }
    on {
      column = column.at
      desc = true
    }
  }
  index "ix_prefix" {
    on {
      expr = "(lower(code))"
    }
  }
  check "positive" {
    expr = "price >= 0"
  }
}
table "child" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "parent_id" {
    type = bigint
    null = true
  }
  column "name" {
    type = varchar(30)
    renamed_from = "title"
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_parent" {
    columns = [column.parent_id]
    ref_columns = [table.parent.column.id]
    on_delete = SET_NULL
  }
  foreign_key "fk_self" {
    columns = [column.parent_id]
    ref_columns = [column.id]
  }
}
data_migration "m" {
  table   = "child"
  set     = "name = TRIM(name)"
  pending = "name <> TRIM(name)"
}
`

func TestCacheReturnsWhatWasEvaluated(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(cacheEnv, dir)
	src := Source{Release: "pike", File: "schema/pike.hcl", Src: []byte(cacheSchema)}
	key := sourceKey(src, mariadb)
	want, err := ParseRelease(src.Release, src.File, src.Src, mariadb)
	if err != nil {
		t.Fatal(err)
	}
	first, err := cached(key, src, mariadb)
	Flush()
	if err != nil || !sameRelease(first, want) {
		t.Fatalf("first run: %v", err)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "[0-9a-f]*"))
	if len(entries) != 1 {
		t.Fatalf("want one entry, got %v", entries)
	}
	again, err := cached(key, src, mariadb)
	if err != nil || !sameRelease(again, want) || again == first {
		t.Fatalf("read from the cache: %v", err)
	}

	// A damaged entry is evaluated again, and rewritten.
	data, _ := os.ReadFile(entries[0])
	data[len(data)-3] ^= 0xff
	if err := os.WriteFile(entries[0], data, 0o600); err != nil {
		t.Fatal(err)
	}
	if readEntry(entries[0], src, mariadb) != nil {
		t.Fatal("a damaged entry was read")
	}
	fixed, err := cached(key, src, mariadb)
	Flush()
	if err != nil || !sameRelease(fixed, want) || readEntry(entries[0], src, mariadb) == nil {
		t.Fatalf("after damage: %v", err)
	}

	// So is one whose pack is damaged.
	pks, _ := filepath.Glob(filepath.Join(dir, packPrefix+"*"))
	if len(pks) != 1 {
		t.Fatalf("want one pack, got %v", pks)
	}
	data, _ = os.ReadFile(pks[0])
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(pks[0], data, 0o600); err != nil {
		t.Fatal(err)
	}
	Forget()
	if readEntry(entries[0], src, mariadb) != nil {
		t.Fatal("an entry with a damaged pack was read")
	}
	Forget()
	if fixed, err = cached(key, src, mariadb); err != nil || !sameRelease(fixed, want) {
		t.Fatalf("after damage to the pack: %v", err)
	}
	Flush()
	Forget()
	if readEntry(entries[0], src, mariadb) == nil {
		t.Fatal("the pack was not written again")
	}

	// Another name for the same content is another entry: positions in
	// scripts carry the file name.
	other := src
	other.File = "elsewhere.hcl"
	r, err := Load(other, mariadb)
	Flush()
	if err != nil || !strings.HasPrefix(r.Declarations.Columns[ColumnRef{"child", "name"}].Pos.String(), "elsewhere.hcl:") {
		t.Fatalf("other name: %v", err)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "[0-9a-f]*")); len(entries) != 2 {
		t.Fatalf("want two entries, got %v", entries)
	}
}

func TestCacheOff(t *testing.T) {
	t.Setenv(cacheEnv, "off")
	if dir, _ := cacheDir(); dir != "" {
		t.Fatalf("cache dir %q with %s=off", dir, cacheEnv)
	}
}

// Consecutive releases share their packs: a block is encoded once, and
// read once per run.
func TestCacheSharesPacks(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(cacheEnv, dir)
	Forget()
	first := Source{Release: "a", File: "schema/a.hcl", Src: []byte(cacheSchema)}
	second := Source{Release: "b", File: "schema/b.hcl", Src: []byte(strings.Replace(cacheSchema, "varchar(30)", "varchar(40)", 1))}
	for _, s := range []Source{first, second} {
		if _, err := cached(sourceKey(s, mariadb), s, mariadb); err != nil {
			t.Fatal(err)
		}
	}
	Flush()
	entries, _ := filepath.Glob(filepath.Join(dir, "[0-9a-f]*"))
	packs, _ := filepath.Glob(filepath.Join(dir, packPrefix+"*"))
	if len(entries) != 2 || len(packs) != 2 {
		t.Fatalf("entries %v, packs %v: want two of each (the second file's pack holds its one new block)", entries, packs)
	}
	Forget()
	for _, s := range []Source{first, second} {
		want, err := ParseRelease(s.Release, s.File, s.Src, mariadb)
		if err != nil {
			t.Fatal(err)
		}
		build, _ := buildIdentity()
		if r := readEntry(entryPath(dir, build, sourceKey(s, mariadb)), s, mariadb); r == nil || !sameRelease(r, want) {
			t.Fatalf("%s: not read back as evaluated", s.File)
		}
	}
}

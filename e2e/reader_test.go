package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// The applier reads every statement of a plan with the one SQL reader
// (sqlsyntax), on every path into it.

const readerOne = `schema "app" {}
table "t" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "a" {
    type = int
    null = true
  }
  column "b" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`

// readerProject is a two-release project whose second release backfills
// t with a data migration, synced to its first release with six rows
// pending.
func readerProject(t *testing.T) *opProject {
	t.Helper()
	p := newSchemaProject(t, [2]string{"one", readerOne}, [2]string{"two", readerOne + `data_migration "fill_a" {
  table   = "t"
  set     = "a = 1"
  pending = "a IS NULL OR b = 0"
}
`})
	p.plan()
	p.must("db", "sync", "one")
	for i := 1; i <= 6; i++ {
		p.exec("INSERT INTO t (id, a, b) VALUES (?, NULL, 1)", i)
	}
	return p
}

// editPlan replaces text in a plan file, as a hand would, and recomputes
// plans/emcee.sum so that only the edit is under test.
func (p *opProject) editPlan(path, old, new string) {
	p.t.Helper()
	full := filepath.Join(p.Dir, "plans", path)
	data, err := os.ReadFile(full)
	if err != nil || strings.Count(string(data), old) != 1 {
		p.t.Fatalf("%s: %q not there once (%v):\n%s", path, old, err, data)
	}
	opWrite(p.t, full, []byte(strings.Replace(string(data), old, new, 1)))
	files := map[string][]byte{}
	var paths []string
	for _, rel := range []string{"one", "two"} {
		entries, err := os.ReadDir(filepath.Join(p.Dir, "plans", rel))
		if err != nil {
			p.t.Fatal(err)
		}
		for _, e := range entries {
			path := rel + "/" + e.Name()
			if files[path], err = os.ReadFile(filepath.Join(p.Dir, "plans", path)); err != nil {
				p.t.Fatal(err)
			}
			paths = append(paths, path)
		}
	}
	sum, err := revision.Sum(revision.SumOrder([]string{"one", "two"}, paths), files)
	if err != nil {
		p.t.Fatal(err)
	}
	opWrite(p.t, filepath.Join(p.Dir, "plans", revision.SumFile), sum)
}

// A batch of a backfill is its UPDATE restricted to one key range in its
// syntax tree. Appending `AND id <= ?` to the text (as the applier did)
// bound only the last operand of a pending predicate without parentheses
// (a IS NULL OR (b = 0 AND id <= ?)), and a trailing comment swallowed it:
// the first "batch" then rewrote every pending row at once.
func TestBackfillBatchesFromTheTree(t *testing.T) {
	t.Parallel()
	for name, edit := range map[string]string{
		"no parentheses":   "WHERE `a` IS NULL OR `b` = 0",
		"trailing comment": "WHERE (`a` IS NULL OR `b` = 0) -- the rows not written yet",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := readerProject(t)
			p.must("db", "expand")
			p.editPlan("two/two_migrate01.sql", "WHERE (`a` IS NULL OR `b` = 0)", edit)
			p.must("db", "migrate", "--batch-size", "2", "--max-rows", "2")
			if got := p.query("SELECT COUNT(*) FROM t WHERE a IS NULL"); got != "4" {
				t.Fatalf("after one batch of 2 keys, %s of 6 rows are pending; want 4", got)
			}
			p.must("db", "migrate", "--batch-size", "2")
			if got := p.query("SELECT COUNT(*) FROM t WHERE a IS NULL"); got != "0" {
				t.Fatalf("%s rows left pending after migrate", got)
			}
		})
	}
}

// A backfill whose directive names another table than its UPDATE, and a
// statement emcee cannot read, are refused before anything runs.
func TestApplierRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	p := readerProject(t)
	p.editPlan("two/two_expand01.sql", "No expand step is needed.", "No expand step is needed.\n\n-- rule hand-made: added by hand\nALTER TABLE `t` ADD COLUMN `c` int NULL INVISIBLE, ALGORITHM=INSTANT;\n--")
	for _, cmd := range []string{"expand", "sync"} {
		r := p.run("db", cmd, "--dry-run")
		if r.Code == 0 {
			t.Fatalf("db %s --dry-run ran a statement emcee cannot read: %s", cmd, r)
		}
		opContains(t, r, "two_expand01 refused before it ran anything: emcee cannot read statement 1 at plans/two/two_expand01.sql:6:41: ", `from "INVISIBLE`, "EM110")
	}
	if r := p.run("db", "expand"); r.Code == 0 || strings.Contains(p.columns("t"), "c") {
		t.Fatalf("db expand ran a statement emcee cannot read: %s", r)
	}

	q := readerProject(t)
	q.editPlan("two/two_migrate01.sql", "UPDATE `t` SET", "UPDATE `u` SET")
	r := q.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("a backfill of another table than its directive's must be refused: %s", r)
	}
	opContains(t, r, "plans/two/two_migrate01.sql:", "backfill directive says table=t, but its UPDATE updates u")
}

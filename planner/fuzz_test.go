package planner

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// FuzzPlan plans two releases (prev, then next; prev may be empty) the way
// `emcee plan` does and holds what it accepts to three properties:
//
//   - no panic, whatever the files say;
//   - every plan file emcee writes reads back (revision.Parse, Atlas's
//     statement scanner) as exactly the statements it wrote (one per rule
//     comment), and every `quoted` identifier in them is a name the two
//     releases declare or one emcee derives: a name that ended its quotes
//     early would show up as statements or identifiers nobody declared;
//   - with EMCEE_TEST_DSN set, every statement of both releases' plans
//     (expand, migrate, contract) runs on the server, in one scratch
//     database emptied for each input.
//
// The seed corpus (testdata/fuzz/FuzzPlan) holds hostile names and values
// and the mistakes issue 10 found, mutated from the bundled example; f.Add
// adds the example's consecutive releases. CI runs the seeds; a local run:
//
//	EMCEE_TEST_DSN='root@tcp(127.0.0.1:3306)/' go test ./planner -run '^$' -fuzz FuzzPlan -fuzztime 10m
func FuzzPlan(f *testing.F) {
	// ussuri is left out: train, its previous release, declares what it
	// takes over from stein, so it cannot be a first release (the corpus
	// has ussuri after train without its declarations).
	releases := []string{"ocata", "pike", "queens", "rocky", "stein", "train"}
	var prev []byte
	for _, r := range releases {
		src, err := os.ReadFile(filepath.Join("..", "schema", r+".hcl"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(prev, src)
		prev = src
	}
	var server *scratch
	if os.Getenv(testdb.EnvDSN) != "" {
		server = newScratch(f)
	}
	f.Fuzz(func(t *testing.T, prev, next []byte) {
		p := pairProject(t, prev, next)
		names := p.Releases
		out, err := Plan(p, Options{})
		if err != nil {
			return // refused: the error is the user's to read
		}
		declared := map[string]bool{}
		for _, name := range names {
			src, _ := os.ReadFile(p.SchemaFile(name))
			r, err := diff.ParseRelease(name, name+".hcl", src, p.Target)
			if err != nil {
				t.Fatalf("planned, but release %s does not load again: %v", name, err)
			}
			addNames(declared, r.Schema)
		}
		var scripts []revision.Statement
		for _, name := range names {
			for _, ph := range revision.Phases {
				id := revision.ID{Release: name, Phase: ph, Seq: 1}
				stmts := checkScript(t, id.File(), out.Files[id.File()], declared)
				scripts = append(scripts, stmts...)
			}
		}
		if server != nil {
			server.apply(t, scripts)
		}
	})
}

// pairProject is a project of release b after release a (b alone when
// prev is empty), for mariadb 10.11, in a directory of its own.
func pairProject(t *testing.T, prev, next []byte) *project.Project {
	t.Helper()
	dir := t.TempDir()
	names := []string{"b"}
	if len(prev) > 0 {
		names = []string{"a", "b"}
		write(t, dir, "schema/a.hcl", string(prev))
	}
	write(t, dir, "schema/b.hcl", string(next))
	write(t, dir, "atlas.hcl", fmt.Sprintf("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"%s\"]\n}\n", strings.Join(names, `", "`)))
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkScript reads a plan file back and checks its statements and names.
func checkScript(t *testing.T, path string, data []byte, declared map[string]bool) []revision.Statement {
	t.Helper()
	if data == nil {
		t.Fatalf("%s was not written", path)
	}
	stmts, err := revision.Parse(path, data)
	if err != nil {
		t.Fatalf("emcee cannot read the plan it wrote: %v\n%s", err, data)
	}
	if rules := strings.Count(string(data), "\n-- rule "); rules != len(stmts) {
		t.Fatalf("%s: %d statements written (rule comments), %d read back: a name or value ended a statement early\n%s", path, rules, len(stmts), data)
	}
	for _, st := range stmts {
		if st.Rule == "" {
			t.Fatalf("%s:%d: a statement without its rule comment: a name or value ended the comment line\n%s", path, st.Line, data)
		}
		read, err := sqlsyntax.ReadStmt(st.SQL)
		if err != nil {
			t.Fatalf("%s:%d: emcee cannot read the statement it wrote: %v\n%s", path, st.Line, err, st.SQL)
		}
		names, _ := sqlsyntax.Names(read.Node)
		// A table's alias in a subquery is the user's, written in a
		// declared expression (a data_migration's set reading its own
		// table), not a declared name.
		if read.Node != nil {
			read.Node.Accept(aliases(names))
		}
		for _, e := range effect.Of(st.SQL) {
			names[strings.ToLower(e.Table)], names[strings.ToLower(e.Name)] = true, true
		}
		for name := range names {
			// NEW and OLD are the trigger rows, child and parent the
			// aliases of a foreign key's gate, emcee_* emcee's triggers.
			if name != "" && !declared[name] && !strings.HasPrefix(name, "emcee_") && !slices.Contains([]string{"new", "old", "child", "parent"}, name) {
				t.Fatalf("%s:%d: the statement names %q, but no release declares it: a name or value ended its quotes early\n%s", path, st.Line, name, st.SQL)
			}
		}
		if st.Kind == revision.Backfill && (!declared[strings.ToLower(st.Table)] || !declared[strings.ToLower(st.Key)]) {
			t.Fatalf("%s:%d: backfill directive names table %q key %q, which no release declares", path, st.Line, st.Table, st.Key)
		}
	}
	return stmts
}

// aliases is a visitor deleting the tables' aliases from names.
type aliases map[string]bool

func (a aliases) Enter(n ast.Node) (ast.Node, bool) {
	if ts, ok := n.(*ast.TableSource); ok && ts.AsName.O != "" {
		delete(a, strings.ToLower(ts.AsName.O))
	}
	return n, false
}

func (a aliases) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// addNames records every name a schema declares, lower-cased: the names
// its plans may quote.
func addNames(names map[string]bool, s *schema.Schema) {
	add := func(n string) { names[strings.ToLower(n)] = true }
	for _, t := range s.Tables {
		add(t.Name)
		for _, c := range t.Columns {
			add(c.Name)
		}
		for _, i := range t.Indexes {
			add(i.Name)
		}
		for _, fk := range t.ForeignKeys {
			add(fk.Symbol)
		}
		for _, a := range t.Attrs {
			if c, ok := a.(*schema.Check); ok {
				add(c.Name)
			}
		}
	}
}

// scratch is one database on the test server, emptied for each input.
type scratch struct {
	name string
	conn *sql.Conn
}

func newScratch(f *testing.F) *scratch {
	db := testdb.New(f)
	conn, err := db.Conn(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { conn.Close() })
	// The applier's session: plans are written for this sql_mode.
	if _, err := conn.ExecContext(context.Background(), "SET SESSION sql_mode = '"+dbconn.SQLMode+"'"); err != nil {
		f.Fatal(err)
	}
	return &scratch{name: db.Name, conn: conn}
}

// apply runs the statements in order, as the applier would on empty
// tables: gates must count 0, backfills and DDL must succeed.
func (s *scratch) apply(t *testing.T, stmts []revision.Statement) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{"DROP DATABASE `" + s.name + "`", "CREATE DATABASE `" + s.name + "`", "USE `" + s.name + "`"} {
		if _, err := s.conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("resetting the scratch database: %v", err)
		}
	}
	for _, st := range stmts {
		if st.Kind == revision.Gate {
			var n int64
			if err := s.conn.QueryRowContext(ctx, st.SQL).Scan(&n); err != nil || n != 0 {
				t.Fatalf("gate of rule %s on empty tables: %d, %v\n%s", st.Rule, n, err, st.SQL)
			}
			continue
		}
		if _, err := s.conn.ExecContext(ctx, st.SQL); err != nil {
			t.Fatalf("planned, but the server refuses a statement of rule %s: %v\n%s", st.Rule, err, st.SQL)
		}
	}
}

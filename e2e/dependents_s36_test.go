package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// A view a contract revision creates (a plan edited by hand: the planner
// creates views only in expand, and drops them in contract before what
// they read) reading t.name, which a contract revision of the same run
// drops, is refused before anything runs: db check, contract --dry-run
// and contract give the same answer, naming the drop and where the view
// is created. The view was unseen: created by contract01, it broke
// contract02 half-way (refused then, the view being live); created by
// the revision dropping the column, it was left broken (MariaDB drops a
// column a view reads; the view fails when read). A view the run drops
// again before the column goes refuses nothing.
func TestDependentsS36ContractDropsWhatAViewItCreatesReads(t *testing.T) {
	t.Parallel()
	const view = "-- rule add-column-fill: a view added by hand\nCREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `names` AS SELECT `id`, `name` FROM `t`;\n\n"
	const dropView = "-- rule drop-column: the view goes first\nDROP VIEW IF EXISTS `names`;\n\n"
	for _, c := range []struct {
		name                   string
		contract01, contract02 string // written before the contract's last statement
		created                string // where the refusal says the view is created; "" where the contract runs
	}{
		{"by an earlier revision", view, "", "created by b_contract01 statement 4 at plans/b/b_contract01.sql:"},
		{"by the revision dropping its column", "", view, "created by b_contract02 statement 1 at plans/b/b_contract02.sql:5"},
		{"and dropped before its column", view, dropView, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newSchemaProject(t, [2]string{"a", fillTable("a")}, [2]string{"b", fillTable("b")})
			p.must("plan")
			opWrite(t, filepath.Join(p.Dir, "schema", "b.hcl"), []byte(fillTable("c")))
			p.must("plan")
			for file, add := range map[string]string{"b_contract01.sql": c.contract01, "b_contract02.sql": c.contract02} {
				src := p.read("plans/b/" + file)
				last := strings.LastIndex(src, "\n-- rule ") + 1
				opWrite(t, filepath.Join(p.Dir, "plans", "b", file), []byte(src[:last]+add+src[last:]))
			}
			if got := p.read("plans/b/b_contract02.sql"); !strings.Contains(got, "DROP COLUMN `name`") {
				t.Fatalf("the test needs b_contract02 dropping name:\n%s", got)
			}
			resum(t, p.Dir)
			p.must("db", "sync", "a")
			p.must("db", "expand")
			p.must("db", "migrate")
			before := p.version()
			if c.created == "" {
				if r := p.run("db", "check"); r.Code != 5 {
					t.Fatalf("emcee db check: want 5 (contract needed): %s", r)
				}
				p.must("db", "contract", "--dry-run")
				p.must("db", "contract")
				if got := p.columns("t"); strings.Contains(got, "name") {
					t.Fatalf("name was not dropped: %s", got)
				}
				return
			}
			for _, args := range [][]string{{"db", "check"}, {"db", "contract", "--dry-run"}, {"db", "contract"}} {
				r := p.run(args...)
				if r.Code != 1 {
					t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
				}
				opContains(t, r, "b_contract02 refused, nothing was changed", "(rule drop-column) drops t.name, which view names ("+c.created, "restore plans from version control")
			}
			if got := p.version(); got != before {
				t.Fatalf("version after the refusal: %s, was %s", got, before)
			}
			if got := p.query("SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"); got != "0" || !strings.Contains(p.columns("t"), "name") {
				t.Fatalf("the refused contract changed the schema: %s views, t: %s", got, p.columns("t"))
			}
		})
	}
}

// A table renamed takes its triggers along: b's expand01 made fill
// triggers on t, and b's schema edited since renamed t to t2 (expand02).
// The rename was refused as if it broke them ("renames table t, which
// trigger ... reads", as triggers emcee does not manage), expand01
// applied. plan now refuses that edit (b_contract01 sets t.slug NOT NULL,
// after expand02 left only the view t: error 1347), and `plan --rewrite b`
// renames t before making the triggers; db check, expand --dry-run and
// expand pass, and the previous release's writes through the view t still
// fill slug.
func TestDependentsS36RenamingATableItsTriggersGoAlong(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", fillTable("a")}, [2]string{"b", fillTable("b")})
	p.must("plan")
	opWrite(t, filepath.Join(p.Dir, "schema", "b.hcl"), []byte(strings.Replace(fillTable("b"), "table \"t\" {\n", "table \"t2\" {\n  renamed_from = \"t\"\n", 1)))
	if r := p.run("plan"); r.Code == 0 || !strings.Contains(r.Stderr, "b_contract01.sql") {
		t.Fatalf("plan of a rename of t, which b_contract01 alters: %s", r)
	}
	p.must("plan", "--rewrite", "b")
	if got := p.read("plans/b/b_expand01.sql"); !strings.Contains(got, "RENAME TABLE `t` TO `t2`") {
		t.Fatalf("the test needs b_expand01 renaming t:\n%s", got)
	}
	p.must("db", "sync", "a")
	for _, args := range [][]string{{"db", "check"}, {"db", "expand", "--dry-run"}, {"db", "expand"}} {
		if r := p.run(args...); r.Code == 1 || strings.Contains(r.Stdout+r.Stderr, "refused") {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
	}
	p.exec("INSERT INTO t (id, name) VALUES (1, 'Ab')")
	if got := p.query("SELECT slug FROM t2 WHERE id = 1"); got != "ab" {
		t.Fatalf("slug of a row written through the view: %q", got)
	}
	if got := p.query("SELECT DISTINCT EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); got != "t2" {
		t.Fatalf("the triggers are on %q", got)
	}
}
